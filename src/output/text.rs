//! `path:line:col: CODE message` lines.

use crate::diagnostic::Diagnostic;
use crate::source::LineIndex;

pub fn diagnostic_line(display: &str, text: &str, index: &LineIndex, d: &Diagnostic) -> String {
    let at = index.location(text, d.range.start);
    let fix = match &d.fix {
        Some(fix) => format!(" [fix: {}]", applicability_word(fix.applicability)),
        None => String::new(),
    };
    format!(
        "{display}:{}:{}: {} {}{fix}",
        at.row,
        at.column,
        d.rule.code(),
        d.message
    )
}

fn applicability_word(applicability: crate::fix::Applicability) -> &'static str {
    match applicability {
        crate::fix::Applicability::Safe => "safe",
        crate::fix::Applicability::Unsafe => "unsafe, use --unsafe-fixes",
    }
}
