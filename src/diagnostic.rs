//! A finding: which rule, what it says, where, and how to fix it.

use crate::edit::{Fix, TextRange};
use crate::registry::Rule;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    /// What runs where, and why it fails.
    pub message: String,
    /// The call the finding is about.
    pub range: TextRange,
    pub fix: Option<Fix>,
}
