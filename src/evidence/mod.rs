//! Evidence from outside the project's files: what a run of the program
//! proved. This module decides nothing about the project itself; it turns
//! what the user holds (a traceback, or the records of `unnest record`) into
//! frames a later stage can map onto the project's files.

pub mod map;
pub mod records;
pub mod traceback;
