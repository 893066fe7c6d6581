//! Who imports the modules whose module level runs a loop (UNN015): every
//! file of the run, parsed or not, may import one, so the files that could
//! (they name the module's last name in an import line, or a loader such as
//! uvicorn or `import_module`) are read whole and parsed here, apart from
//! triage, which leaves out statements; the answer does not depend on it.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::analysis::graph::module_refs::{ModuleRef, module_refs};
use crate::analysis::graph::modules::{is_package, module_name};
use crate::input::notebook::Notebook;
use crate::input::source::LineIndex;
use crate::project::ProjectFile;
use crate::scan::prefilter::{ImportWords, import_lines};
use crate::syntax::parse::{new_parser, parse};

/// Words that mark a file that may import a module without an import
/// statement naming it.
const LOADERS: [&str; 3] = ["uvicorn", "import_module", "__import__"];

/// A file read but not parsed: what is kept of it to tell whether it may
/// import a module.
#[derive(Debug, Clone)]
pub struct Unparsed {
    pub path: PathBuf,
    /// The path as printed: the end of `path` from this byte on, or, when
    /// it is not one (a path that is not UTF-8), its own text.
    display: Display,
    /// The words of its import statements (see
    /// `crate::scan::prefilter::import_lines`).
    pub imports: ImportWords,
    /// It names a loader (uvicorn, `import_module`, `__import__`).
    pub names_loader: bool,
}

impl Unparsed {
    /// What to keep of the Python bytes `python` of the file at `path`.
    pub fn new(path: PathBuf, display: String, python: &[u8]) -> Self {
        Self::with_imports(path, display, python, &import_lines(python))
    }

    /// [`Unparsed::new`], given the import statements of `python`.
    pub fn with_imports(path: PathBuf, display: String, python: &[u8], imports: &str) -> Self {
        // A large tree leaves most of its files aside: the printed path is
        // nearly always the end of the path, so only where it starts is kept.
        let display = match path.to_str() {
            Some(full) if full.ends_with(display.as_str()) => {
                Display::From(full.len() - display.len())
            }
            _ => Display::Own(display.into_boxed_str()),
        };
        let names_loader = LOADERS
            .iter()
            .any(|w| memchr::memmem::find(python, w.as_bytes()).is_some());
        Self {
            path,
            display,
            imports: ImportWords::new(imports.as_bytes()),
            names_loader,
        }
    }
}

#[derive(Debug, Clone)]
enum Display {
    From(usize),
    Own(Box<str>),
}

impl Unparsed {
    /// The path as printed.
    pub fn display(&self) -> &str {
        match &self.display {
            Display::From(at) => self.path.to_str().map_or("", |p| &p[*at..]),
            Display::Own(display) => display,
        }
    }
}

/// A place that imports a module: `path:line` (`nb.ipynb:cell 2:3` in a
/// notebook), and whether uvicorn imports it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Importer {
    pub place: String,
    pub uvicorn: bool,
}

/// For each of `modules`, the places in other files that import it, uvicorn's
/// first, then by place.
pub fn importers(
    modules: &[String],
    files: &[ProjectFile],
    others: &[Unparsed],
) -> HashMap<String, Vec<Importer>> {
    let mut found: HashMap<String, Vec<Importer>> = HashMap::new();
    if modules.is_empty() {
        return found;
    }
    let lasts: Vec<&str> = modules
        .iter()
        .map(|m| m.rsplit('.').next().unwrap_or(m))
        .collect();
    let may_import = |text: &str, loader: bool| {
        loader
            || lasts.iter().any(|last| has_word(text, last))
            || LOADERS.iter().any(|w| text.contains(w))
    };
    // (display, path, text) of each file to look into.
    let mut candidates: Vec<(String, PathBuf, Option<String>)> = Vec::new();
    for file in files {
        if may_import(file.original(), false) {
            candidates.push((
                file.source.display.clone(),
                file.source.path.clone(),
                Some(file.source.text.clone()),
            ));
        }
    }
    for other in others {
        // A loader named in the import lines is named in the file.
        if other.names_loader || lasts.iter().any(|last| other.imports.has_word(last)) {
            candidates.push((other.display().to_owned(), other.path.clone(), None));
        }
    }
    // Each file's module, and its references with their places.
    let refs: Vec<(String, Vec<Located>)> = candidates
        .into_par_iter()
        .with_max_len(1)
        .map_init(new_parser, |parser, (display, path, text)| {
            let text = text.or_else(|| {
                let bytes = std::fs::read(&path).ok()?;
                String::from_utf8(bytes).ok()
            });
            let refs = text
                .map(|text| located_refs(parser, &path, &display, &text))
                .unwrap_or_default();
            (module_name(&path), refs)
        })
        .collect();
    for module in modules {
        let mut places: Vec<Importer> = Vec::new();
        for (importer_module, file_refs) in &refs {
            // The module itself, and modules inside its package (which import
            // it first in any case), are not its importers.
            if importer_module == module
                || importer_module
                    .strip_prefix(module.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
            {
                continue;
            }
            for (r, place) in file_refs {
                let importer = Importer {
                    place: place.clone(),
                    uvicorn: r.uvicorn,
                };
                if r.imports(module) && !places.contains(&importer) {
                    places.push(importer);
                }
            }
        }
        places.sort_by(|a, b| (!a.uvicorn, &a.place).cmp(&(!b.uvicorn, &b.place)));
        if !places.is_empty() {
            found.insert(module.clone(), places);
        }
    }
    found
}

/// A module reference and its place (`path:line`).
type Located = (ModuleRef, String);

/// The module references of one file's text, each with its place.
fn located_refs(
    parser: &mut tree_sitter::Parser,
    path: &std::path::Path,
    display: &str,
    text: &str,
) -> Vec<Located> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let module = module_name(path);
    let package = is_package(path);
    if path.extension().is_some_and(|e| e == "ipynb") {
        let Ok(notebook) = Notebook::parse(text) else {
            return Vec::new();
        };
        let tree = parse(parser, &notebook.module);
        return module_refs(&tree, &notebook.module, &module, package)
            .into_iter()
            .map(|r| {
                let (cell, offset) = notebook.locate(r.at);
                let row = LineIndex::new(&cell.source)
                    .location(&cell.source, offset)
                    .row;
                let place = format!("{display}:cell {}:{row}", cell.index + 1);
                (r, place)
            })
            .collect();
    }
    let tree = parse(parser, text);
    let index = LineIndex::new(text);
    module_refs(&tree, text, &module, package)
        .into_iter()
        .map(|r| {
            let place = format!("{display}:{}", index.location(text, r.at).row);
            (r, place)
        })
        .collect()
}

/// Whether `word` occurs in `text` as a whole word.
fn has_word(text: &str, word: &str) -> bool {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    text.match_indices(word).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + word.len()).copied();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}
