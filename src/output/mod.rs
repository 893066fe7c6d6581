//! Printing what a run found: unified diffs, diagnostic lines, JSON, and the
//! summary on stderr.

pub mod diff;
pub mod github;
pub mod json;
pub mod progress;
pub mod report;
pub mod review;
pub mod sarif;
pub mod summary;
pub mod text;

use std::io::{IsTerminal, Write as _};

use crate::cli::ColorChoice;
use crate::input::notebook::Notebook;
use crate::input::source::{LineIndex, Location};
use crate::project::ProjectFile;

/// Turns byte offsets of a file's analysed text into what users see: rows and
/// columns, and for a notebook the cell.
pub struct Positions<'a> {
    text: &'a str,
    index: LineIndex,
    notebook: Option<&'a Notebook>,
}

impl<'a> Positions<'a> {
    /// Positions in `text`, which is `file`'s analysed text before or after
    /// fixes.
    pub fn new(file: &'a ProjectFile, text: &'a str) -> Self {
        Self {
            text,
            index: LineIndex::new(text),
            notebook: file.notebook.as_ref(),
        }
    }

    /// The notebook cell (numbered from 1) and the location within it, or
    /// the location in the file.
    pub fn at(&self, offset: usize) -> (Option<usize>, Location) {
        match self.notebook {
            Some(notebook) => {
                let (cell, row, column) = notebook.position(self.text, offset);
                (Some(cell + 1), Location { row, column })
            }
            None => (None, self.index.location(self.text, offset)),
        }
    }

    /// `row:col`, or `cell N:row:col` in a notebook.
    pub fn label(&self, offset: usize) -> String {
        match self.at(offset) {
            (Some(cell), at) => format!("cell {cell}:{}:{}", at.row, at.column),
            (None, at) => format!("{}:{}", at.row, at.column),
        }
    }
}

/// Whether to colour what goes to stdout. `--color always` wins over
/// `NO_COLOR`, as a command-line flag overrides the environment (and as in
/// Ruff); `auto` colours a terminal unless `NO_COLOR` is set.
pub fn use_color(choice: ColorChoice) -> bool {
    color_for(choice, std::io::stdout().is_terminal())
}

/// Whether to colour what goes to stderr (the `--interactive` diffs).
pub fn use_color_stderr(choice: ColorChoice) -> bool {
    color_for(choice, std::io::stderr().is_terminal())
}

fn color_for(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && terminal,
    }
}

/// "1 finding", "2 findings".
pub fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// Standard output that remembers its first failure instead of panicking or
/// dropping it: a reader that went away (`| head`) ends the output quietly, as
/// other command-line tools do, and any other failure (a full disk) makes the
/// run an error, since what it printed is lost.
pub struct Stdout {
    inner: std::io::StdoutLock<'static>,
    error: Option<std::io::Error>,
}

impl Stdout {
    pub fn lock() -> Self {
        Self {
            inner: std::io::stdout().lock(),
            error: None,
        }
    }

    /// Flush, then say how the output went: `Ok(())` when it was all written
    /// or the reader closed the pipe, or the error that lost it.
    pub fn finish(&mut self) -> Result<(), std::io::Error> {
        if self.error.is_none()
            && let Err(err) = self.inner.flush()
        {
            self.error = Some(err);
        }
        match self.error.take() {
            Some(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Some(err) => Err(err),
            None => Ok(()),
        }
    }
}

impl std::io::Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.error.is_some() {
            // Once lost, the rest is dropped: nothing after a gap is useful.
            return Ok(buf.len());
        }
        match self.inner.write_all(buf) {
            Ok(()) => Ok(buf.len()),
            Err(err) => {
                self.error = Some(err);
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.error.is_none()
            && let Err(err) = self.inner.flush()
        {
            self.error = Some(err);
        }
        Ok(())
    }
}

/// Print `items` in `format`: a JSON array, one JSON object per line, or
/// GitHub Actions workflow commands. Nothing for the text format.
pub fn emit(
    format: crate::cli::Format,
    items: &[json::JsonDiagnostic],
    out: &mut impl std::io::Write,
) {
    use crate::cli::Format;
    match format {
        Format::Text => {}
        Format::Json => {
            let _ = serde_json::to_writer_pretty(&mut *out, items);
            let _ = writeln!(out);
        }
        Format::Sarif => {
            let _ = serde_json::to_writer_pretty(&mut *out, &sarif::log(items));
            let _ = writeln!(out);
        }
        Format::JsonLines => {
            for item in items {
                let _ = serde_json::to_writer(&mut *out, item);
                let _ = writeln!(out);
            }
        }
        Format::Github => github::write(items, out),
    }
}
