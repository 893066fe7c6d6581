//! What a run reads: the files to check ([`discover`]), the settings from the
//! command line and `pyproject.toml` ([`config`]), a file's text with its
//! encoding, BOM and line endings ([`source`]), and a notebook's code cells
//! as one Python text ([`notebook`]).

pub mod config;
pub mod discover;
pub mod notebook;
pub mod source;
