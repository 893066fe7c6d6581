//! The command line. Later features and the tests rely on this contract; change
//! it only on purpose.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// Find asyncio.run() and run_until_complete() calls made under a running event
/// loop, and rewrite them to await.
///
/// By default unnest prints a unified diff of every fix and writes nothing.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "unnest",
    version,
    about,
    long_about = None,
    after_help = "Exit status: 0 nothing found (or --write fixed everything), 1 findings remain, 2 an error."
)]
pub struct Args {
    /// Files or folders to process; folders are walked for *.py and *.ipynb
    /// files, respecting .gitignore. `-` reads one file's text from stdin.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Apply the fixes in place.
    #[arg(long, conflicts_with = "check")]
    pub write: bool,

    /// Apply the fixes in place, asking about each one first (answers are read
    /// from stdin, so a pipe works too).
    #[arg(long, conflicts_with = "check")]
    pub interactive: bool,

    /// Write nothing; print one diagnostic per finding.
    #[arg(long)]
    pub check: bool,

    /// Include unsafe fixes (in the diff and in --write).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// How diagnostics are printed; any but text replaces the diff on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Skip files and folders matching GLOB when walking (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// With `-` as the path: the name of the file whose text stdin holds (for
    /// messages, and `.ipynb` for a notebook).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Read the configuration from this file (`pyproject.toml` or
    /// `unnest.toml`) instead of looking for one.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Ignore every configuration file.
    #[arg(long)]
    pub isolated: bool,

    /// Print only findings and errors: no summary, no progress bar.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also print each file that was parsed, and the time the run took.
    #[arg(long, short)]
    pub verbose: bool,

    /// Also print how many findings each rule has.
    #[arg(long)]
    pub statistics: bool,

    /// A traceback of the nested run (`-` reads it from stdin): fix the chain
    /// of calls it proves runs on the event loop (UNN011).
    #[arg(long, value_name = "FILE")]
    pub traceback: Option<PathBuf>,

    /// Print the documentation of a rule (UNN001, ...) and exit.
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,

    /// Also write a Markdown migration report (for a pull-request
    /// description) to PATH; `-` writes it to stdout instead of the usual
    /// output.
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,

    /// Also write a JSON summary of the run (counts per rule, fixed and left,
    /// files, errors) to PATH; `-` writes it to stdout instead of the usual
    /// output.
    #[arg(long, value_name = "PATH")]
    pub summary_json: Option<PathBuf>,

    /// The Python environment whose installed libraries the project calls: a
    /// virtual environment folder or an interpreter (default: $VIRTUAL_ENV,
    /// else .venv or venv at the project root).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,

    /// Neither read nor write the cache of library summaries (.unnest_cache).
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// One JSON object per line.
    JsonLines,
    /// GitHub Actions workflow commands (`::warning file=...::message`).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// What the run does with what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Print a diff of the fixes.
    Diff,
    /// Print diagnostics.
    Check,
    /// Apply the fixes in place.
    Write,
}

impl Args {
    pub fn mode(&self) -> Mode {
        if self.write || self.interactive {
            Mode::Write
        } else if self.check {
            Mode::Check
        } else {
            Mode::Diff
        }
    }
}
