//! The facts the rules are built on, from parsed files: which calls run an
//! event loop and where ([`runs`]), what a name means ([`bindings`]), which
//! scope runs on the loop ([`scope`]), which loop is the running one
//! ([`running_loop`]), which runs happen at import ([`import_time`]), what keeps a run correct ([`guards`],
//! [`threads`], [`trio`]), and across files the call graph ([`graph`]): which
//! sync functions block the loop and which call sites reach them. Analysis
//! produces facts only; `crate::rules` turns them into diagnostics.

pub mod bindings;
pub mod graph;
pub mod guards;
pub mod import_time;
pub mod running_loop;
pub mod runs;
pub mod scope;
pub mod threads;
pub mod trio;
