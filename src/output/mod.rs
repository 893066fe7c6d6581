//! Printing what a run found: unified diffs, diagnostic lines, JSON, and the
//! summary on stderr.

pub mod diff;
pub mod json;
pub mod progress;
pub mod sarif;
pub mod text;

use std::io::IsTerminal;

use crate::cli::ColorChoice;
use crate::notebook::Notebook;
use crate::project::ProjectFile;
use crate::source::{LineIndex, Location};

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

/// Whether to colour what goes to stdout.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
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
