//! Printing what a run found: unified diffs, diagnostic lines, JSON, and the
//! summary on stderr.

pub mod diff;
pub mod json;
pub mod text;

use std::io::IsTerminal;

use crate::cli::ColorChoice;

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
