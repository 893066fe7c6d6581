//! `path:line:col: CODE message` lines (`path:cell N:line:col:` in notebooks).

use super::Positions;
use crate::diagnostic::Diagnostic;

/// `unsafe_fixes`: whether `--unsafe-fixes` is in effect, so that an unsafe fix
/// is not told to ask for what was asked.
pub fn diagnostic_line(
    display: &str,
    positions: &Positions,
    d: &Diagnostic,
    unsafe_fixes: bool,
) -> String {
    let at = positions.label(d.range.start);
    let fix = match &d.fix {
        Some(fix) => format!(
            " [fix: {}]",
            applicability_word(fix.applicability, unsafe_fixes)
        ),
        None => String::new(),
    };
    format!("{display}:{at}: {} {}{fix}", d.rule.code(), d.message)
}

fn applicability_word(
    applicability: crate::edit::Applicability,
    unsafe_fixes: bool,
) -> &'static str {
    match applicability {
        crate::edit::Applicability::Safe => "safe",
        crate::edit::Applicability::Unsafe if unsafe_fixes => "unsafe",
        crate::edit::Applicability::Unsafe => "unsafe, use --unsafe-fixes",
    }
}
