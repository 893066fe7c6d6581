//! `path:line:col: CODE message` lines (`path:cell N:line:col:` in notebooks).

use super::Positions;
use crate::diagnostic::Diagnostic;

pub fn diagnostic_line(display: &str, positions: &Positions, d: &Diagnostic) -> String {
    let at = positions.label(d.range.start);
    let fix = match &d.fix {
        Some(fix) => format!(" [fix: {}]", applicability_word(fix.applicability)),
        None => String::new(),
    };
    format!("{display}:{at}: {} {}{fix}", d.rule.code(), d.message)
}

fn applicability_word(applicability: crate::fix::Applicability) -> &'static str {
    match applicability {
        crate::fix::Applicability::Safe => "safe",
        crate::fix::Applicability::Unsafe => "unsafe, use --unsafe-fixes",
    }
}
