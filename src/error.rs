//! Every way a run can fail, and the exit status each maps to.
//!
//! Errors are per file wherever possible: one file that cannot be read, decoded,
//! parsed or written is named with the reason, and the others are still processed.

use std::fmt;
use std::process::ExitCode;

/// The outcome of a whole run, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// Nothing found, or `--write` fixed everything it found.
    Clean = 0,
    /// Findings remain.
    Findings = 1,
    /// Bad usage, or a file that could not be read, decoded, parsed or written.
    Error = 2,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status as u8)
    }
}

/// An error that concerns one path, or the run as a whole.
#[derive(Debug)]
pub enum Error {
    /// A path given on the command line that does not exist, or a folder that
    /// could not be walked.
    Walk { path: String, reason: String },
    /// A file that could not be read.
    Read {
        path: String,
        source: std::io::Error,
    },
    /// A file whose bytes are not UTF-8 Python text.
    Decode { path: String, reason: String },
    /// A file that does not parse as Python.
    Syntax { path: String, location: String },
    /// Fixes whose result would not parse, or would change bytes outside their
    /// edits; they are not applied.
    Unverified { path: String, reason: String },
    /// A file that could not be written; the original is intact.
    Write { path: String, reason: String },
    /// A configuration file with an unknown key or a bad value.
    Config { path: String, reason: String },
    /// Bad usage that clap cannot catch (an invalid glob, say).
    Usage(String),
    /// A bug: handling the file panicked. The other files are processed.
    Internal { path: String, message: String },
}

impl Error {
    pub fn decode(path: &str, reason: &str) -> Self {
        Error::Decode {
            path: path.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Walk { path, reason } => write!(f, "{path}: {reason}"),
            Error::Read { path, source } => write!(f, "{path}: cannot read: {source}"),
            Error::Decode { path, reason } => write!(f, "{path}: skipped: the file {reason}"),
            Error::Syntax { path, location } => write!(
                f,
                "{path}:{location}: skipped: the file has a syntax error; nothing in it was changed"
            ),
            Error::Unverified { path, reason } => write!(
                f,
                "{path}: fixes refused: {reason}; they were not applied, and the file keeps only fixes that verified"
            ),
            Error::Write { path, reason } => {
                write!(f, "{path}: cannot write: {reason}; the file is unchanged")
            }
            Error::Config { path, reason } => write!(f, "{path}: {reason}"),
            Error::Usage(message) => write!(f, "{message}"),
            Error::Internal { path, message } => write!(
                f,
                "internal error while checking {path}: {message}; please report it with the file"
            ),
        }
    }
}

impl std::error::Error for Error {}
