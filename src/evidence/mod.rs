//! Evidence from outside the project's files: what a run of the program
//! proved. This module decides nothing about the project itself; it turns
//! text the user holds (a traceback) into data a later stage can map onto
//! the project's files.

pub mod map;
pub mod traceback;
