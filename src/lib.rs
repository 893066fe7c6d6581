//! unnest finds `asyncio.run()` and `run_until_complete()` calls made while an
//! event loop already runs, and rewrites them to `await`.
//!
//! The data flows one way: [`discover`] files → [`prefilter`] and read
//! ([`source`]) → [`parse`] → [`analyze`] (bindings, scopes) → [`rules`] give
//! diagnostics with [`fix`]es → [`apply`] edits → [`verify`] → [`output`] or
//! [`write`]. [`pipeline`] runs one file through it; [`run`] runs them all.

pub mod analyze;
pub mod apply;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod error;
pub mod fix;
pub mod graph;
pub mod load;
pub mod noqa;
pub mod notebook;
pub mod outline;
pub mod output;
pub mod parents;
pub mod parse;
pub mod pipeline;
pub mod prefilter;
pub mod project;
pub mod queries;
pub mod rewrite;
pub mod rules;
pub mod run;
pub mod source;
pub mod triage;
pub mod verify;
pub mod write;
