//! Panics on demand, to test that a panic is reported per file: honoured in
//! debug builds only, so a release never reads these variables.

use std::path::Path;

fn named(variable: &str, path: &Path) -> bool {
    std::env::var_os(variable).is_some_and(|name| path.file_name() == Some(name.as_os_str()))
}

/// `UNNEST_DEBUG_PANIC=NAME`: parsing the file NAME panics.
pub fn file(path: &Path) {
    if named("UNNEST_DEBUG_PANIC", path) {
        panic!("debug panic while parsing {}", path.display());
    }
}

/// `UNNEST_DEBUG_PANIC_TOGETHER=NAME`: analysing the file NAME with
/// others panics, and alone it does not.
pub fn project<'a>(paths: impl Iterator<Item = &'a Path>) {
    let paths: Vec<&Path> = paths.collect();
    if paths.len() > 1
        && paths
            .iter()
            .any(|path| named("UNNEST_DEBUG_PANIC_TOGETHER", path))
    {
        panic!("debug panic while analysing the files together");
    }
}
