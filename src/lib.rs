//! unnest finds `asyncio.run()` and `run_until_complete()` calls made while an
//! event loop already runs, and rewrites them to `await`.
//!
//! The folders are the stages of a run, and each imports only the ones listed
//! before it:
//!
//! - [`syntax`]: the lexer and outline, line boundaries, the tree-sitter parse.
//! - [`input`]: discovering files, settings, source text, notebooks as text.
//! - [`scan`]: the prefilter and triage, which decide what needs a parse.
//! - [`edit`]: the fix model (byte-range edits) and how edits are built and
//!   applied.
//! - [`analysis`]: facts from parsed files: where loops run, bindings,
//!   scopes, guards, and the project's call graph.
//! - [`evidence`]: what proves a loop runs beyond what the code shows: a
//!   traceback of the nested run, or the records of `unnest record`.
//! - [`environment`]: the Python environment (`--python`, `VIRTUAL_ENV`,
//!   `.venv`) and which functions of its installed libraries run a loop.
//! - [`rules`]: one file a rule; facts become [`diagnostic`]s with fixes.
//! - [`write`]: verifying fixed text and writing files all or nothing.
//! - [`project`]: loading the files of a run and fixing them pass after pass.
//! - [`output`]: diffs, diagnostic lines, JSON and SARIF.
//! - [`run`]: a whole command-line run, from [`cli`] arguments to the exit
//!   status, and `unnest record -- CMD`.
//!
//! [`registry`] (rule codes and names), [`diagnostic`], [`asyncio_api`] and
//! [`error`] are shared by all. ARCHITECTURE.md at the repository root has the
//! code map and the invariants.

pub mod analysis;
pub mod asyncio_api;
pub mod cli;
pub mod diagnostic;
pub mod edit;
pub mod environment;
pub mod error;
pub mod evidence;
pub mod input;
pub mod output;
pub mod project;
pub mod registry;
pub mod rules;
pub mod run;
pub mod scan;
pub mod syntax;
pub mod write;
