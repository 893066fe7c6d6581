//! unnest finds `asyncio.run()` and `run_until_complete()` calls made while an
//! event loop already runs, and rewrites them to `await`.
//!
//! The data flows one way: [`discover`] files → read ([`source`], notebooks
//! as their code cells by [`notebook`]) and [`prefilter`] → [`outline`] (the
//! one lexer) and [`triage`] (what needs a parse; [`load`] runs these stages)
//! → [`parse`] → [`analyze`] (one file: bindings, scopes, guards, threads,
//! trio) and [`graph`] (the project: resolution, the loop-blocking fixpoint,
//! cross-file fixes) → [`rules`] give diagnostics with [`fix`]es →
//! [`project`] applies them pass after pass ([`apply`], [`verify`]) →
//! [`output`] or [`write`]. [`run`] runs it all; [`pipeline`] runs it on
//! in-memory text. ARCHITECTURE.md at the repository root has the code map
//! and the invariants.

pub mod analyze;
pub mod apply;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod error;
pub mod evidence;
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
