//! Loading a run's files: read and prefilter them all, outline the few that
//! may matter, parse only those that [`triage`](crate::scan::triage) says need it,
//! then add what the fixes of the findings need (every file that may call or
//! name a function a fix would make async).
//!
//! Setting `UNNEST_PARSE_ALL=1` parses every file instead: slower, with the
//! same findings and fixes. The tests compare the two.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::graph::frameworks::mentions_builtin;
use crate::analysis::graph::library::LibraryIndex;
use crate::analysis::graph::summary::{Callee, ImportTarget, Place};
use crate::analysis::graph::{FileView, FnRef, Graph};
use crate::error::Error;
use crate::input::config::DeclaredEntry;
use crate::input::discover::MAX_FILE_SIZE;
use crate::input::notebook::Notebook;
use crate::input::source::{SourceFile, display_path};
use crate::project::file::ProjectFile;
use crate::project::importers::Unparsed;
use crate::scan::prefilter::{
    NameFilter, Occurrences, import_lines, may_hold_finding, python_bytes, word_hash,
};
use crate::scan::triage::{self, ExportTable, Facts, Outlined, Plan};
use crate::syntax::parse::new_parser;

/// Whether the module at `path` matches a declared entry point's module glob.
fn declares_entry(path: &Path, entries: &[DeclaredEntry]) -> bool {
    !entries.is_empty() && {
        let module = crate::analysis::graph::modules::module_name(path);
        entries.iter().any(|e| e.matches_module(&module))
    }
}

/// A file read and outlined, not parsed (yet). It holds one copy of its
/// text, the outline's: a module's bytes are that text with its BOM and lone
/// CRs put back, so its [`SourceFile`] is rebuilt when it is parsed (most
/// pending files never are). A notebook keeps its JSON text as well.
///
/// On a large tree the outlines of the pending files are most of the
/// memory. So once the texts held pass [`kept_text`], a module whose facts
/// show no seed is set aside: it keeps what triage asks of every file (the
/// hashes of its words, whether every round reruns it) and is read and
/// outlined again only when a round reruns it or it needs a parse.
struct Pending {
    path: PathBuf,
    display: String,
    bom: bool,
    cr_only: bool,
    notebook: Option<SourceFile>,
    /// `None` while set aside.
    outlined: Option<Outlined>,
    module_last: String,
    /// The hashes of the words of its outline, sorted (see [`word_hash`]).
    words: Box<[u32]>,
    rerun_always: bool,
    /// How the outline was made, to make it again.
    may_run: bool,
    always: bool,
    entry_points: bool,
    /// The text's length and hash, to tell that a second read gives it.
    text_len: usize,
    text_hash: u64,
    /// Its facts, found as it was read, for the next triage round.
    early: Option<Facts>,
    /// What is kept of it, once set aside, for the files not parsed.
    unparsed: Option<Unparsed>,
    /// Whether it was weighed against the budget (once, with its first
    /// facts).
    weighed: bool,
}

/// The text that pending files may hold, outlined, before those without a
/// seed are set aside (their outlines take about twice as much again).
/// `UNNEST_KEPT_TEXT` (bytes) sets another: `0` sets every such file aside,
/// which the tests use to run that path on small trees.
fn kept_text() -> usize {
    static KEPT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *KEPT.get_or_init(|| {
        std::env::var("UNNEST_KEPT_TEXT")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(4 << 20)
    })
}

/// The text held by outlined pending files, against [`kept_text`], and
/// whether a file was ever refused.
#[derive(Default)]
struct Budget {
    held: std::sync::atomic::AtomicUsize,
    exceeded: std::sync::atomic::AtomicBool,
}

impl Budget {
    /// Whether `bytes` more fit; if so they are counted.
    fn admit(&self, bytes: usize) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let before = self.held.fetch_add(bytes, Relaxed);
        if before + bytes > kept_text() {
            self.held.fetch_sub(bytes, Relaxed);
            self.exceeded.store(true, Relaxed);
            return false;
        }
        true
    }

    /// Whether the texts of the run did not all fit.
    fn exceeded(&self) -> bool {
        self.exceeded.load(std::sync::atomic::Ordering::Relaxed)
    }
}

fn text_hash(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0).hash_one(text)
}

impl Pending {
    fn new(source: SourceFile, may_run: bool, parse_all: bool) -> Self {
        let module = crate::analysis::graph::modules::module_name(&source.path);
        let is_notebook = source.path.extension().is_some_and(|e| e == "ipynb");
        let (path, display, bom, cr_only, text, notebook) = if is_notebook {
            // A notebook that does not load is parsed to report why.
            let module = Notebook::parse(&source.text)
                .map(|n| n.module)
                .unwrap_or_default();
            let (path, display) = (source.path.clone(), source.display.clone());
            (
                path,
                display,
                source.bom,
                source.cr_only,
                module,
                Some(source),
            )
        } else {
            // The bytes as read go here; the text is all that is kept.
            let SourceFile {
                path,
                display,
                bom,
                cr_only,
                text,
                ..
            } = source;
            (path, display, bom, cr_only, text, None)
        };
        let always = is_notebook || parse_all;
        let outlined = Outlined::new(text, &module, may_run, always);
        let mut words: Vec<u32> = outlined
            .outline
            .words
            .keys()
            .map(|w| word_hash(w.as_bytes()))
            .collect();
        words.sort_unstable();
        words.dedup();
        Self {
            path,
            display,
            bom,
            cr_only,
            notebook,
            module_last: outlined.module_last.clone(),
            words: words.into_boxed_slice(),
            rerun_always: has_star_import(&outlined) || !outlined.outline.followed,
            may_run,
            always,
            entry_points: false,
            text_len: outlined.text.len(),
            text_hash: text_hash(&outlined.text),
            outlined: Some(outlined),
            early: None,
            unparsed: None,
            weighed: false,
        }
    }

    /// Whether the file's code names `word` (or, set aside, a word of the
    /// same hash: it is then asked about more than it needs).
    fn mentions(&self, word: &str) -> bool {
        match &self.outlined {
            Some(outlined) => !outlined.outline.occurrences(word).is_empty(),
            None => self
                .words
                .binary_search(&word_hash(word.as_bytes()))
                .is_ok(),
        }
    }

    /// Whether it may be set aside: a module whose facts show no seed (a
    /// notebook is parsed in any case).
    fn may_set_aside(&self, facts: &Facts) -> bool {
        self.outlined.is_some()
            && self.notebook.is_none()
            && !self.always
            && facts.seeds.is_empty()
            && !facts.whole
    }

    /// Hold the outline while the budget allows, else set the file aside
    /// (a file with a seed is parsed, and held in any case).
    fn weigh(&mut self, facts: &Facts, budget: &Budget) {
        if !self.weighed {
            self.weighed = true;
            if self.may_set_aside(facts) && !budget.admit(self.text_len) {
                // Read again if it is needed.
                let _ = self.set_aside();
            }
        }
    }

    /// Drop the outline, keeping what the files not parsed keep; its text,
    /// if it was held, is given back.
    fn set_aside(&mut self) -> Option<String> {
        let outlined = self.outlined.take()?;
        self.unparsed = Some(Unparsed::new(
            self.path.clone(),
            self.display.clone(),
            outlined.text.as_bytes(),
        ));
        Some(outlined.text)
    }

    /// `f` of the outline, read and made again when the file was set aside;
    /// an error when the file no longer holds the text first read.
    fn with_outlined<R>(&self, f: impl FnOnce(&Outlined) -> R) -> Result<R, Error> {
        if let Some(outlined) = &self.outlined {
            return Ok(f(outlined));
        }
        Ok(f(&self.outline_again()?))
    }

    fn outline_again(&self) -> Result<Outlined, Error> {
        let changed = || Error::Read {
            path: self.display.clone(),
            source: std::io::Error::other("the file changed while it was being read"),
        };
        let bytes = std::fs::read(&self.path).map_err(|source| Error::Read {
            path: self.display.clone(),
            source,
        })?;
        let source = SourceFile::decode(self.path.clone(), self.display.clone(), bytes)
            .map_err(|_| changed())?;
        if source.text.len() != self.text_len || text_hash(&source.text) != self.text_hash {
            return Err(changed());
        }
        let module = crate::analysis::graph::modules::module_name(&self.path);
        let mut outlined = Outlined::new(source.text, &module, self.may_run, self.always);
        outlined.entry_points = self.entry_points;
        Ok(outlined)
    }

    /// Its facts against `table`.
    fn facts(&self, table: &ExportTable) -> Result<Facts, Error> {
        self.with_outlined(|o| triage::facts(o, table))
    }

    /// The file as read, to parse: for a module, its bytes from the text.
    /// (Only for a file whose outline is held.) The parsed file holds the
    /// text, so on a run over budget a module is set aside as it is handed
    /// over, its text moved rather than copied: a large tree parses hundreds
    /// of files, and their outlines were most of its peak. (A later pass
    /// that plans the file anew makes its outline again.)
    fn source(&mut self, budget: &Budget) -> SourceFile {
        if let Some(notebook) = &self.notebook {
            return notebook.clone();
        }
        let text = if budget.exceeded() && !self.always {
            self.set_aside().unwrap_or_default()
        } else {
            self.outlined
                .as_ref()
                .map_or_else(String::new, |o| o.text.clone())
        };
        SourceFile {
            path: self.path.clone(),
            display: self.display.clone(),
            bom: self.bom,
            text,
            cr_only: self.cr_only,
        }
    }
}

enum Read {
    Pending(Box<Pending>),
    Skipped(Skipped),
    Failed(Error),
}

/// A file read and left aside, with its import statements (see
/// [`crate::scan::prefilter::import_lines`]).
type Skipped = Unparsed;

/// Read the file at `path` into the start of `buffer`, growing it as
/// needed, and say how many bytes it has: open, read to the end, close.
/// `std::fs::read` asks the file's size first (a `statx` per file) and
/// allocates for each file; most files are dropped after a look at their
/// bytes, so each thread reuses one buffer, which keeps its length (zeroed
/// once). A file over [`MAX_FILE_SIZE`] is read no further: its size is
/// the error.
fn read_into(path: &Path, buffer: &mut Vec<u8>) -> std::io::Result<Result<usize, u64>> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut filled = 0;
    loop {
        if filled as u64 > MAX_FILE_SIZE {
            return Ok(Err(file.metadata()?.len()));
        }
        if filled == buffer.len() {
            buffer.resize((filled * 2).max(64 << 10), 0);
        }
        match file.read(&mut buffer[filled..]) {
            Ok(0) => return Ok(Ok(filled)),
            Ok(n) => filled += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
}

/// The error for a file over [`MAX_FILE_SIZE`] bytes.
fn too_large(display: String, size: u64) -> Error {
    Error::Walk {
        path: display,
        reason: format!(
            "skipped: {} MiB is more than the {} MiB a source file may have",
            size >> 20,
            MAX_FILE_SIZE >> 20
        ),
    }
}

thread_local! {
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What every read of a run shares.
struct Reader<'a> {
    cwd: &'a Path,
    entries: &'a [DeclaredEntry],
    /// Every file is parsed whole.
    all: bool,
    budget: &'a Budget,
}

/// Read `path`; keep it when `keep` says its bytes may matter. With `tops`,
/// add the top-level modules its import statements name. With `early` (the
/// table the next triage round uses), find its facts at once, and set it
/// aside when they show no seed and the texts held are over budget: a round
/// that reads many files never holds all their outlines.
fn read(
    reader: &Reader,
    path: &Path,
    keep: impl Fn(&[u8]) -> bool,
    may_run: bool,
    early: Option<&ExportTable>,
    tops: Option<&Tops>,
) -> Read {
    let Reader {
        cwd, entries, all, ..
    } = *reader;
    let display = display_path(path, cwd);
    let looked = BUFFER.with_borrow_mut(|buffer| {
        let size = match read_into(path, buffer)? {
            Ok(size) => size,
            Err(size) => return Ok((Looked::Failed(too_large(display.clone(), size)), None)),
        };
        let bytes = &buffer[..size];
        let looked = match look(path, &display, bytes, &keep, all) {
            Looked::Keep => (Looked::Keep, Some(bytes.to_vec())),
            other => (other, None),
        };
        if buffer.len() > 4 << 20 {
            // A rare large file does not keep its memory for the rest.
            *buffer = Vec::new();
        }
        Ok(looked)
    });
    let bytes = match looked {
        Ok((Looked::Keep, Some(bytes))) => bytes,
        Ok((Looked::Skip(imports, skipped), _)) => {
            if let Some(tops) = tops {
                imported_tops(&imports, tops);
            }
            return Read::Skipped(skipped);
        }
        Ok((Looked::Failed(err), _)) => return Read::Failed(err),
        Ok((Looked::Keep, None)) => unreachable!("kept bytes are copied"),
        Err(source) => {
            return Read::Failed(Error::Read {
                path: display,
                source,
            });
        }
    };
    let mut read = decode(path, display, bytes, may_run, all, entries);
    if let Read::Pending(p) = &mut read
        && let Some(outlined) = &p.outlined
    {
        if let Some(tops) = tops {
            imported_tops(&import_lines(outlined.text.as_bytes()), tops);
        }
        if let Some(table) = early {
            let facts = triage::facts(outlined, table);
            p.weigh(&facts, reader.budget);
            p.early = Some(facts);
        }
    }
    read
}

/// What a first look at a file's bytes says.
enum Looked {
    Keep,
    /// Left aside, with its import statements.
    Skip(String, Skipped),
    Failed(Error),
}

fn look(
    path: &Path,
    display: &str,
    bytes: &[u8],
    keep: &impl Fn(&[u8]) -> bool,
    all: bool,
) -> Looked {
    if !all
        && let Some(python) = python_bytes(path, bytes)
        && !keep(&python)
    {
        if let Err(err) = crate::input::source::check_text(display, bytes) {
            return Looked::Failed(err);
        }
        let imports = import_lines(&python);
        let skipped =
            Unparsed::with_imports(path.to_owned(), display.to_owned(), &python, &imports);
        return Looked::Skip(imports, skipped);
    }
    Looked::Keep
}

/// A file kept: decoded and outlined.
fn decode(
    path: &Path,
    display: String,
    bytes: Vec<u8>,
    may_run: bool,
    all: bool,
    entries: &[DeclaredEntry],
) -> Read {
    match SourceFile::decode(path.to_owned(), display, bytes) {
        Ok(source) => {
            let mut pending = Pending::new(source, may_run, all);
            if let Some(outlined) = &mut pending.outlined {
                outlined.entry_points =
                    names_builtin(outlined, path) || declares_entry(path, entries);
                pending.entry_points = outlined.entry_points;
            }
            Read::Pending(Box::new(pending))
        }
        Err(err) => Read::Failed(err),
    }
}

/// Whether a built-in row may match the file: one of its words stands in
/// the file's code, not only in a string or a comment (`THIS FUNCTION IS
/// UNSAFE` in a docstring), since each row matches code (an attribute, a
/// keyword argument, a method name); and, for a row of a framework's
/// packages, the file may import one of them (it names the package, or lies
/// inside it, where a relative import reaches it). The file is then parsed
/// whole. The bytes are searched first, which rules most files out at memory
/// speed; an outline the lexer could not follow holds the words of strings
/// and comments too, so it stays conservative.
fn names_builtin(outlined: &Outlined, path: &Path) -> bool {
    if !mentions_builtin(outlined.text.as_bytes()) {
        return false;
    }
    let module = crate::analysis::graph::modules::module_name(path);
    let names = |word: &str| {
        !outlined.outline.occurrences(word).is_empty() || module.split('.').any(|m| m == word)
    };
    crate::analysis::graph::frameworks::FRAMEWORKS
        .iter()
        .any(|row| {
            row.words
                .iter()
                .any(|w| !outlined.outline.occurrences(w).is_empty())
                && (row.packages.is_empty() || row.packages.iter().any(|p| names(p)))
        })
}

/// The files left aside read again, kept when they name one of `words` as a
/// whole word (a library function, a name a fix changes).
fn read_naming(
    reader: &Reader,
    skipped: Vec<Skipped>,
    words: &[impl AsRef<[u8]>],
    early: Option<&ExportTable>,
) -> Vec<Read> {
    let matcher = Occurrences::new(words);
    skipped
        .par_iter()
        .with_max_len(8)
        .map(|s| {
            read(
                reader,
                &s.path,
                |b| matcher.as_ref().is_some_and(|m| m.has_whole_word(b)),
                false,
                early,
                None,
            )
        })
        .collect()
}

/// What loading gives the project.
pub struct Loaded {
    pub files: Vec<ProjectFile>,
    pub errors: Vec<Error>,
    /// The files read and not parsed, with what may show they import a
    /// module (for UNN015).
    pub others: Vec<Unparsed>,
    /// The installed libraries' loop-running functions the files may call.
    pub library: LibraryIndex,
}

/// What the installed libraries do, for the top-level modules the files import.
pub type Libraries<'a> = dyn Fn(&BTreeSet<String>) -> LibraryIndex + Sync + 'a;

/// Load the files of a run that can hold a finding or matter to a fix.
/// `tick` is called once per file read.
pub fn load(
    paths: &[PathBuf],
    cwd: &Path,
    tick: &(dyn Fn() + Sync),
    entries: &[DeclaredEntry],
) -> Loaded {
    load_with(
        paths,
        cwd,
        tick,
        entries,
        &|_| LibraryIndex::default(),
        false,
    )
}

/// Triage rounds that ask every file about the round's new names before
/// [`WordIndex`] is built.
const INDEX_AFTER_ROUNDS: usize = 4;

/// The files that mention each word, by the word's hash, and the files every
/// triage round reruns.
#[derive(Default)]
struct WordIndex {
    files: HashMap<u32, Vec<usize>, foldhash::fast::FixedState>,
    always: Vec<usize>,
    /// Files indexed so far (a prefix of the pending files).
    indexed: usize,
}

impl WordIndex {
    fn extend(&mut self, pending: &[Pending]) {
        for (index, p) in pending.iter().enumerate().skip(self.indexed) {
            if p.rerun_always {
                self.always.push(index);
            }
            for &word in &p.words {
                self.files.entry(word).or_default().push(index);
            }
        }
        self.indexed = self.indexed.max(pending.len());
    }

    fn files(&self, word: &str) -> &[usize] {
        self.files
            .get(&word_hash(word.as_bytes()))
            .map_or(&[], Vec::as_slice)
    }
}

/// [`load`], where calls into the installed libraries that `libraries`
/// summarizes count too (the files that name one of their loop-running
/// functions are read and parsed as well); with `parse_all`, every file is
/// parsed whole (a traceback can prove a chain through files triage would
/// leave out).
pub fn load_with(
    paths: &[PathBuf],
    cwd: &Path,
    tick: &(dyn Fn() + Sync),
    entries: &[DeclaredEntry],
    libraries: &Libraries,
    parse_all: bool,
) -> Loaded {
    let all = parse_all
        || std::env::var_os("UNNEST_PARSE_ALL").is_some_and(|v| !v.is_empty() && v != "0");
    let started = std::time::Instant::now();
    // Compiling the calls query takes a few milliseconds, and every parse
    // waits for it: start now, beside the reading, rather than when the first
    // file is parsed. (If no file needs a parse, the process ends without
    // waiting for it.)
    std::thread::spawn(crate::syntax::queries::compile_all);
    let mut errors = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut skipped: Vec<Skipped> = Vec::new();
    let budget = Budget::default();
    let empty = ExportTable::new();
    let reader = Reader {
        cwd,
        entries,
        all,
        budget: &budget,
    };
    // The top-level modules imported are gathered as the files are read,
    // while their import statements are at hand, into one set: a few hundred
    // names, each taken once.
    let tops = std::sync::Mutex::new(BTreeSet::new());
    let reads: Vec<Read> = paths
        .par_iter()
        .with_max_len(8)
        .map(|path| {
            // A loop entry point's file is read whatever it mentions: the
            // runs it reaches may all be in other files.
            let entry_file = declares_entry(path, entries);
            let read = read(
                &reader,
                path,
                |b| entry_file || may_hold_finding(b) || mentions_builtin(b),
                true,
                Some(&empty),
                Some(&tops),
            );
            tick();
            read
        })
        .collect();
    let tops = tops
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    sort_reads(reads, &mut pending, &mut skipped, &mut errors);
    trace(
        &started,
        &format!("read: {} outlined, {}", pending.len(), held(&pending)),
    );
    let library = libraries(&tops);
    let library_words = library.words();
    if !library_words.is_empty() {
        // Files that name a library function may call it on the loop.
        let more = read_naming(
            &reader,
            std::mem::take(&mut skipped),
            &library_words,
            Some(&empty),
        );
        sort_reads(more, &mut pending, &mut skipped, &mut errors);
        trace(
            &started,
            &format!(
                "libraries: {} names; {} outlined",
                library_words.len(),
                pending.len()
            ),
        );
    }

    // Triage to a fixpoint: each round's exports may name functions that files
    // not read yet call, and those files may export more. A file's facts
    // depend on the table only through the names it mentions (and, for a
    // `from m import *` line, on everything `m` offers), so a round reruns
    // them only for new files and for files that mention a newly exported
    // name: a chain of modules costs one round per link, not one pass over
    // every file per link.
    let mut table = ExportTable::new();
    let mut facts: Vec<Facts> = Vec::new();
    let mut new_pairs: Vec<(String, String)> = Vec::new();
    // After a few rounds (a chain of modules), the files that mention each
    // word are indexed, by the word's hash, so that a round asks only about
    // its new names instead of every file about each: a collision only
    // reruns a file, which is harmless.
    let mut round = 0;
    let mut mentions: Option<WordIndex> = None;
    let facts: Vec<Facts> = loop {
        round += 1;
        let new_names: HashSet<&str> = new_pairs.iter().map(|(n, _)| n.as_str()).collect();
        let rerun: Vec<usize> = if round > INDEX_AFTER_ROUNDS {
            let index = mentions.get_or_insert_with(WordIndex::default);
            index.extend(&pending[..facts.len()]);
            let mut rerun: Vec<usize> = index.always.clone();
            for name in &new_names {
                rerun.extend_from_slice(index.files(name));
            }
            rerun.extend(facts.len()..pending.len());
            rerun.sort_unstable();
            rerun.dedup();
            rerun
        } else {
            (0..pending.len())
                .filter(|&index| {
                    index >= facts.len() || {
                        let p = &pending[index];
                        p.rerun_always || new_names.iter().any(|name| p.mentions(name))
                    }
                })
                .collect()
        };
        // The facts of the files read since the last round were found as
        // they were read, against the same table.
        let early: Vec<Option<Facts>> = rerun
            .iter()
            .map(|&index| pending[index].early.take())
            .collect();
        let facts_of = |(&index, early): (&usize, Option<Facts>)| match early {
            Some(facts) => Ok(facts),
            None => pending[index].facts(&table),
        };
        // A round of a long chain reruns a file or two: waking the thread
        // pool for them costs more than the work.
        let fresh: Vec<Result<Facts, Error>> = if rerun.len() < 8 {
            rerun.iter().zip(early).map(facts_of).collect()
        } else {
            rerun
                .par_iter()
                .zip(early)
                .with_max_len(8)
                .map(facts_of)
                .collect()
        };
        for (&index, found) in rerun.iter().zip(fresh) {
            let found = found.unwrap_or_else(|err| {
                // The file changed since it was read: reported, and left out.
                errors.push(err);
                Facts::default()
            });
            if index < facts.len() {
                facts[index] = found;
            } else {
                facts.push(found);
            }
            // Files read in later rounds are set aside here, once their
            // facts are known.
            pending[index].weigh(&facts[index], &budget);
        }
        new_pairs.clear();
        let changed: Vec<&Facts> = rerun.iter().map(|&index| &facts[index]).collect();
        for (name, module) in changed.iter().flat_map(|f| &f.exports) {
            let known = table.entry(name.clone()).or_default();
            if !known.contains(module) {
                known.push(module.clone());
                new_pairs.push((name.clone(), module.clone()));
            }
        }
        trace(
            &started,
            &format!(
                "triage round: {} pending ({}), {} rerun, {} skipped, {} new exports",
                pending.len(),
                held(&pending),
                rerun.len(),
                skipped.len(),
                new_pairs.len()
            ),
        );
        if new_pairs.is_empty() {
            break facts;
        }
        // Most rounds of a long chain concern no file left aside: the
        // automata of the name filter are built only for a round that does.
        let (maybe, rest): (Vec<Skipped>, Vec<Skipped>) =
            std::mem::take(&mut skipped).into_iter().partition(|s| {
                s.imports
                    .name_any(new_pairs.iter().map(|(_, m)| m.as_str()))
            });
        skipped = rest;
        if maybe.is_empty() {
            continue;
        }
        let filter = NameFilter::new(new_pairs.iter());
        let reread = maybe.len();
        let more: Vec<Read> = maybe
            .par_iter()
            .with_max_len(8)
            .map(|s| {
                // `from m import *` names none of the names it re-exports.
                let star = s.imports.star();
                read(
                    &reader,
                    &s.path,
                    |b| star || filter.matches(b),
                    false,
                    Some(&table),
                    None,
                )
            })
            .collect();
        let before = pending.len();
        sort_reads(more, &mut pending, &mut skipped, &mut errors);
        trace(
            &started,
            &format!(
                "re-read {reread} files whose imports name a module; {} outlined",
                pending.len() - before
            ),
        );
    };
    let mut facts = facts;
    // Parse what is needed, then add what the fixes of the findings need (the
    // files and statements naming a function a fix may make async, or a class
    // in its hierarchy), until nothing more is.
    let mut roots: Vec<bool> = pending
        .iter()
        .map(|p| library_words.iter().any(|w| p.mentions(w)))
        .collect();
    let mut failed = vec![false; pending.len()];
    let mut words: Vec<String> = library_words.clone();
    let mut scanned: HashSet<String> = HashSet::new();
    let mut parsed: Vec<Option<(ProjectFile, Plan)>> = (0..pending.len()).map(|_| None).collect();
    loop {
        let lasts: Vec<&str> = pending.iter().map(|p| p.module_last.as_str()).collect();
        let (needed, demanded) = triage::needed(&facts, &lasts, &roots);
        // The files set aside that need a parse are outlined again.
        let restore: Vec<usize> = (0..pending.len())
            .filter(|&index| needed[index] && !failed[index] && pending[index].outlined.is_none())
            .collect();
        let restored: Vec<Result<Outlined, Error>> = restore
            .par_iter()
            .map(|&index| pending[index].outline_again())
            .collect();
        for (&index, outlined) in restore.iter().zip(restored) {
            match outlined {
                Ok(outlined) => {
                    pending[index].outlined = Some(outlined);
                    pending[index].unparsed = None;
                }
                Err(err) => {
                    errors.push(err);
                    failed[index] = true;
                    roots[index] = false;
                    facts[index] = Facts::default();
                }
            }
        }
        let mut to_parse = Vec::new();
        for (index, p) in pending.iter().enumerate() {
            if !needed[index] || failed[index] {
                continue;
            }
            let Some(outlined) = &p.outlined else {
                continue;
            };
            let plan = triage::plan(outlined, &facts[index], &demanded[index], &words);
            if parsed[index].as_ref().is_some_and(|(_, old)| *old == plan) {
                continue;
            }
            trace_need(&started, p, &facts[index], &plan);
            to_parse.push((index, plan));
        }
        if to_parse.is_empty() {
            break;
        }
        let sources: Vec<SourceFile> = to_parse
            .iter()
            .map(|(index, _)| pending[*index].source(&budget))
            .collect();
        let results: Vec<(usize, Plan, Result<ProjectFile, Error>)> = to_parse
            .into_par_iter()
            .zip(sources)
            .with_max_len(1)
            .map_init(new_parser, |parser, ((index, plan), source)| {
                let file = ProjectFile::with_plan(parser, source, &plan);
                (index, plan, file)
            })
            .collect();
        for (index, plan, result) in results {
            match result {
                Ok(file) => parsed[index] = Some((file, plan)),
                Err(err) => {
                    // Reported once; the file stays out for good.
                    errors.push(err);
                    failed[index] = true;
                    roots[index] = false;
                    facts[index] = Facts::default();
                }
            }
        }
        let files: Vec<&ProjectFile> = parsed.iter().flatten().map(|(f, _)| f).collect();
        words = fix_words(&files, entries, &library);
        words.extend(library_words.iter().cloned());
        words.sort();
        words.dedup();
        trace(
            &started,
            &format!("fix words: {} parsed, {} words", files.len(), words.len()),
        );
        if words.is_empty() {
            break;
        }
        // Files not parsed yet that name one of the words join as roots.
        for (index, p) in pending.iter().enumerate() {
            if parsed[index].is_none() && !failed[index] && words.iter().any(|w| p.mentions(w)) {
                roots[index] = true;
            }
        }
        // Files left aside that name a word: read again only for new words,
        // since a file that named none of the old ones still names none.
        let new_words: Vec<&String> = words.iter().filter(|w| !scanned.contains(*w)).collect();
        scanned.extend(new_words.iter().map(|w| (*w).clone()));
        let more: Vec<Read> = if new_words.is_empty() {
            Vec::new()
        } else {
            read_naming(&reader, std::mem::take(&mut skipped), &new_words, None)
        };
        let before = pending.len();
        sort_reads(more, &mut pending, &mut skipped, &mut errors);
        for p in &pending[before..] {
            facts.push(p.facts(&table).unwrap_or_else(|err| {
                errors.push(err);
                Facts::default()
            }));
            roots.push(true);
            failed.push(false);
            parsed.push(None);
        }
    }
    let mut others: Vec<Unparsed> = skipped;
    for (index, p) in pending.into_iter().enumerate() {
        if parsed[index].is_none() && !failed[index] {
            others.push(match (p.outlined, p.unparsed) {
                (Some(outlined), _) => Unparsed::new(p.path, p.display, outlined.text.as_bytes()),
                (None, Some(unparsed)) => unparsed,
                (None, None) => unreachable!("a file set aside keeps what is kept of it"),
            });
        }
    }
    let mut files: Vec<ProjectFile> = parsed.into_iter().flatten().map(|(f, _)| f).collect();
    files.sort_by(|a, b| a.source.display.cmp(&b.source.display));
    Loaded {
        files,
        errors,
        others,
        library,
    }
}

/// The top-level modules the files import, gathered by the reading threads.
type Tops = std::sync::Mutex<BTreeSet<String>>;

/// Add to `out` the top-level modules that import statements (one a line,
/// as [`import_lines`] gives them) name: `a` for `import a.b as c` and
/// `from a.b import x`; relative imports name none. A name already there
/// costs no allocation: every file of a large tree imports `os`.
fn imported_tops(imports: &str, out: &Tops) {
    let mut found: Vec<&str> = Vec::new();
    fn top(module: &str) -> &str {
        module.split('.').next().unwrap_or("")
    }
    let separators = |c: char| c.is_whitespace() || matches!(c, '(' | ')' | '\\');
    for line in imports.lines() {
        let mut words = line.split(separators).filter(|w| !w.is_empty());
        match words.next() {
            Some("from") => {
                if let Some(module) = words.next()
                    && !module.starts_with('.')
                {
                    found.push(top(module));
                }
            }
            Some("import") => {
                // `import a.b as c, d`: the first word of each part.
                let rest = line.trim_start().strip_prefix("import").unwrap_or("");
                for part in rest.split(',') {
                    let module = part.split(separators).find(|w| !w.is_empty());
                    let name = top(module.unwrap_or(""));
                    if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                        found.push(name);
                    }
                }
            }
            _ => {}
        }
    }
    if found.is_empty() {
        return;
    }
    let mut out = out.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    for name in found {
        if !out.contains(name) {
            out.insert(name.to_owned());
        }
    }
}

fn trace_need(started: &std::time::Instant, p: &Pending, facts: &Facts, plan: &Plan) {
    if !tracing() {
        return;
    }
    let why = match facts.seed {
        Some((at, what)) => {
            let text = p.outlined.as_ref().map_or("", |o| o.text.as_str());
            let at = crate::input::source::LineIndex::new(text).location(text, at as usize);
            format!("{what} at line {}", at.row)
        }
        None => {
            "defines what a file that needs a parse calls, or names what a fix changes".to_owned()
        }
    };
    let left_out: u32 = plan.holes.iter().map(|(a, b)| b - a).sum();
    trace(
        started,
        &format!(
            "parse {} ({why}; {} of {} bytes left out)",
            p.display, left_out, p.text_len
        ),
    );
}

/// For the trace: how many pending files hold their outline, and their text.
fn held(pending: &[Pending]) -> String {
    let held: Vec<usize> = pending
        .iter()
        .filter(|p| p.outlined.is_some())
        .map(|p| p.text_len)
        .collect();
    format!(
        "{} held ({} KiB of text)",
        held.len(),
        held.iter().sum::<usize>() >> 10
    )
}

/// With `UNNEST_TRACE` set, how long each stage took, on stderr.
fn trace(started: &std::time::Instant, what: &str) {
    if tracing() {
        // A stderr that cannot be written loses the trace, never the run.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!(
                "{:>8.1} ms {:>6} MiB  {what}\n",
                started.elapsed().as_secs_f64() * 1e3,
                resident_mib()
            ),
        );
    }
}

/// The process's resident memory now (Linux; 0 elsewhere), for the trace.
fn resident_mib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| (pages * 4096) >> 20)
}

fn tracing() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("UNNEST_TRACE").is_some())
}

/// Whether a file has an import line with a `*`: its facts depend on every
/// name the module it names offers, mentioned or not.
fn has_star_import(outlined: &Outlined) -> bool {
    outlined.star_reexports
        && outlined.outline.lines.iter().any(|line| {
            line.is_import && outlined.text[line.start as usize..line.end as usize].contains('*')
        })
}

fn sort_reads(
    reads: Vec<Read>,
    pending: &mut Vec<Pending>,
    skipped: &mut Vec<Skipped>,
    errors: &mut Vec<Error>,
) {
    for read in reads {
        match read {
            Read::Pending(p) => pending.push(*p),
            Read::Skipped(s) => skipped.push(s),
            Read::Failed(err) => errors.push(err),
        }
    }
}

/// The names whose every use a fix depends on: for each function a finding
/// calls (or a callback that runs a loop), it and the sync functions that call
/// it, transitively (a fix may make them all async, if no caller or use of
/// their names stands in the way); the coroutines thin wrappers among them
/// wrap; and the classes around their methods with every class those inherit
/// from or are inherited by, by name (an override keeps a method sync).
fn fix_words(
    files: &[&ProjectFile],
    entries: &[DeclaredEntry],
    library: &LibraryIndex,
) -> Vec<String> {
    let views: Vec<FileView> = files.iter().map(|f| f.view()).collect();
    let graph = Graph::build_with(&views, entries, &[], library);
    let mut group: Vec<FnRef> = Vec::new();
    for (file, view) in views.iter().enumerate() {
        for (index, call) in view.summary.calls.iter().enumerate() {
            if let Some(target) = graph.target(file, index)
                && graph.blocking.contains_key(&target)
                && !call.guarded
                && graph.loop_context(file, call).is_some()
            {
                group.push(target);
            }
        }
        for (function, summary) in view.summary.functions.iter().enumerate() {
            let f = FnRef { file, function };
            // An entry point that reaches a run may itself become async; a
            // function that calls a library's loop-running function is
            // blocking though triage saw no run in it (the outline knows no
            // library), so the async code that calls it is found this way.
            if (!summary.runs.is_empty() && graph.is_callback(f))
                || (graph.entry(f).is_some() && graph.blocking.contains_key(&f))
                || matches!(
                    graph.blocking.get(&f),
                    Some(crate::analysis::graph::Reason::Library(..))
                )
            {
                group.push(f);
            }
        }
    }
    // A fix makes functions async; then their own calls of blocking
    // functions are findings in the next pass, with fixes of their own. So the
    // group grows both ways: sync callers, and blocking callees.
    let mut callees: HashMap<FnRef, Vec<FnRef>> = HashMap::new();
    for (file, view) in views.iter().enumerate() {
        for (index, call) in view.summary.calls.iter().enumerate() {
            if let (Place::Function(caller) | Place::Generator(caller), Some(target)) =
                (call.place, graph.target(file, index))
                && graph.blocking.contains_key(&target)
            {
                let caller = FnRef {
                    file,
                    function: caller,
                };
                callees.entry(caller).or_default().push(target);
            }
        }
    }
    let mut seen: HashSet<FnRef> = group.iter().copied().collect();
    let mut next = 0;
    while next < group.len() {
        let member = group[next];
        next += 1;
        for &(file, index) in graph.callers(member) {
            if let Place::Function(caller) | Place::Generator(caller) =
                graph.call(file, index).place
            {
                let caller = FnRef {
                    file,
                    function: caller,
                };
                if !graph.function(caller).is_async && seen.insert(caller) {
                    group.push(caller);
                }
            }
        }
        for &callee in callees.get(&member).into_iter().flatten() {
            if seen.insert(callee) {
                group.push(callee);
            }
        }
    }
    let mut words: HashSet<String> = HashSet::new();
    let mut classes: HashSet<String> = HashSet::new();
    for &f in &group {
        let function = graph.function(f);
        words.insert(function.name.clone());
        if let Some(class) = &function.class {
            classes.insert(simple_name(class).to_owned());
        }
        if let Some(wrapper) = &function.thin_wrapper {
            words.extend(coroutine_names(&views, &wrapper.target));
        }
    }
    // Classes related by inheritance to those, and classes defining a method
    // of the same name, by simple name as the planner compares them.
    loop {
        let before = classes.len();
        for view in &views {
            for (class, bases) in &view.summary.classes {
                let name = simple_name(class);
                let defines =
                    view.summary.functions.iter().any(|f| {
                        f.class.as_deref() == Some(class.as_str()) && words.contains(&f.name)
                    });
                if defines || classes.contains(name) || bases.iter().any(|b| classes.contains(b)) {
                    classes.insert(name.to_owned());
                    classes.extend(bases.iter().cloned());
                }
            }
        }
        if classes.len() == before {
            break;
        }
    }
    words.extend(classes);
    // A name imported under another (`from .helpers import fetch as api`, a
    // re-export) is used under that one too, in files that may never name
    // the first.
    loop {
        let before = words.len();
        for view in &views {
            for (local, target) in &view.summary.imports {
                if let ImportTarget::Symbol(_, name) = target
                    && words.contains(name)
                {
                    words.insert(local.clone());
                }
            }
        }
        if words.len() == before {
            break;
        }
    }
    words.retain(|w| !w.is_empty());
    let mut words: Vec<String> = words.into_iter().collect();
    words.sort();
    words
}

/// The names a thin wrapper's coroutine has along the imports that lead to
/// it, as far as the files loaded tell: each file on the way names the next.
fn coroutine_names(views: &[FileView], target: &Callee) -> Vec<String> {
    let mut names = Vec::new();
    let (mut module, mut name) = match target {
        Callee::Symbol(module, name) => (module.clone(), name.clone()),
        Callee::Unknown(name) | Callee::Star(name) => return vec![name.clone()],
        Callee::Local(_) | Callee::Method(..) | Callee::Instance(..) => return names,
    };
    for _ in 0..8 {
        names.push(name.clone());
        let next = views
            .iter()
            .find(|v| v.summary.module == module)
            .and_then(|v| v.summary.imports.get(&name));
        match next {
            Some(ImportTarget::Symbol(m, n)) => (module, name) = (m.clone(), n.clone()),
            _ => break,
        }
    }
    names
}

fn simple_name(qualname: &str) -> &str {
    qualname.rsplit('.').next().unwrap_or(qualname)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imported_tops_names_each_top_level_module_once() {
        let tops = Tops::default();
        let text = b"import os\nimport a.b as c, d.e\nfrom .rel import x\nfrom pkg.sub import (\n    y,\n)\nfrom q import \\\n  r\nimport caf\xc3\xa9\nimport os.path\n";
        imported_tops(&import_lines(text), &tops);
        imported_tops("from gql import Client\nimport x-y\n", &tops);
        let tops: Vec<String> = tops.into_inner().unwrap().into_iter().collect();
        assert_eq!(tops, ["a", "café", "d", "gql", "os", "pkg", "q"]);
    }
}
