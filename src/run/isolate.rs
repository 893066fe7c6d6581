//! Panics turned into errors that name a file. A bug must not cost the
//! findings of every other file: the run is guarded, and when it panics,
//! each file is run alone to find the ones that cause it; those are reported
//! ("internal error while checking ..."), and the run is redone without them.
//! When no file alone causes it, the files are reported one by one, without
//! what spans files, and `--write` writes nothing. Either way the exit status
//! is 2.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::cli::Mode;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::input::source::display_path;
use crate::project::Project;

/// A run's project with its first findings and those that remain.
pub type Processed = (Project, Vec<Vec<Diagnostic>>, Vec<Vec<Diagnostic>>);

/// How many guarded calls are under way: their panics are recorded quietly;
/// any other panic is printed as usual.
static GUARDING: AtomicUsize = AtomicUsize::new(0);
/// The message and place of the last quiet panic.
static LAST: Mutex<Option<String>> = Mutex::new(None);

fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GUARDING.load(Ordering::SeqCst) == 0 {
                return default(info);
            }
            let message = info.payload_as_str().unwrap_or("no message");
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            *LAST.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!("{message}{at}"));
        }));
    });
}

/// Run `f`; a panic becomes `Err` with its message and place.
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    GUARDING.fetch_add(1, Ordering::SeqCst);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDING.fetch_sub(1, Ordering::SeqCst);
    result.map_err(|payload| {
        LAST.lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned())
    })
}

/// After the run over `files` panicked with `panic`: find the files that
/// panic alone, report them, and redo the run without them. `process` runs
/// the files given; its flag says whether this is the run whose results
/// count (and may ask the user), not a probe.
pub fn recover(
    files: &[PathBuf],
    cwd: &Path,
    panic: &str,
    mode: Mode,
    errors: &mut Vec<Error>,
    process: &dyn Fn(&[PathBuf], bool) -> Processed,
) -> Processed {
    let mut culprits = Vec::new();
    let mut alone = Vec::new();
    for file in files {
        match guarded(|| process(std::slice::from_ref(file), false)) {
            Ok(processed) => alone.push(processed),
            Err(message) => culprits.push((file, message)),
        }
    }
    for (file, message) in &culprits {
        errors.push(Error::Internal {
            path: display_path(file, cwd),
            message: message.clone(),
        });
    }
    if !culprits.is_empty() {
        let rest: Vec<PathBuf> = files
            .iter()
            .filter(|f| !culprits.iter().any(|(c, _)| c == f))
            .cloned()
            .collect();
        match guarded(|| process(&rest, true)) {
            Ok(processed) => return processed,
            Err(message) => errors.push(together(&message, mode)),
        }
    } else {
        errors.push(together(panic, mode));
    }
    if mode == Mode::Write {
        // Fixes found file by file may need their callers in other files:
        // writing them could break what the whole run would have kept.
        alone.clear();
    }
    let mut project = Project::merged(alone.iter_mut().map(|(p, _, _)| p));
    let first = alone
        .iter_mut()
        .flat_map(|(_, f, _)| std::mem::take(f))
        .collect();
    let remaining = alone.into_iter().flat_map(|(_, _, r)| r).collect();
    project.scanned = files.len();
    (project, first, remaining)
}

fn together(message: &str, mode: Mode) -> Error {
    let instead = if mode == Mode::Write {
        "nothing was written"
    } else {
        "each file was checked alone instead, so findings that span files are missing"
    };
    Error::Usage(format!(
        "internal error while checking the files together: {message}; {instead}; please report it with the files"
    ))
}
