//! How Python text is read, before and after a parse: the one lexer and the
//! outline it builds without a parse ([`outline`]), line boundaries as CPython
//! counts them ([`lines`]), the Python grammar ([`grammar`]), the tree-sitter
//! parse ([`parse`]), the parent map that lets a node walk up, with the one
//! walk over a tree the analyses read ([`parents`]), and the compiled `.scm`
//! queries ([`queries`]). Nothing here knows about asyncio or findings.

pub mod grammar;
pub mod lexer;
pub mod lines;
pub mod outline;
pub mod parents;
pub mod parse;
pub mod queries;
