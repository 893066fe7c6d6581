//! GitHub Actions workflow commands: one `::warning` annotation a finding,
//! on the lines (or the notebook cell region) it covers.

use std::io::Write;

use super::json::JsonDiagnostic;

pub fn write(items: &[JsonDiagnostic], out: &mut impl Write) {
    for item in items {
        let (start, end) = item
            .file_region
            .unwrap_or((item.location, item.end_location));
        let title = match item.cell {
            Some(cell) => format!("{} (cell {cell})", item.code),
            None => item.code.to_owned(),
        };
        let _ = writeln!(
            out,
            "::warning file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(item.filename),
            start.row,
            start.column,
            end.row,
            end.column,
            escape_property(&title),
            escape_data(item.message),
        );
    }
}

/// Workflow command data: `%`, CR and LF are escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command properties: also `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
