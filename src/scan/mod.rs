//! Deciding cheaply what needs a parse: [`prefilter`] drops files that cannot
//! hold a finding from their bytes alone, and [`triage`] uses the lexical
//! outline to keep only the statements that can lead to one. Neither may
//! change a result; they only save work (`UNNEST_PARSE_ALL=1` turns them off,
//! and the tests compare both ways).

pub mod prefilter;
pub mod triage;
