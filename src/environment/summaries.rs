//! Which public functions of an installed package run an event loop, and
//! their async twins: the package's files are read, the ones that may matter
//! are parsed and summarized as the project's are, and the project's own
//! loop-blocking analysis (unguarded runs, directly or through helpers; thread
//! and guarded bridges break the chain) runs over them. What comes out is a
//! [`LibraryIndex`]: the loop-running functions and methods by every name the
//! package exposes them as (re-exports included), each with its twin.
//!
//! Only files that mention `asyncio` or `run_until_complete`, or a name the
//! analysis found blocking so far, or that hold a possible twin, are parsed.

use crate::syntax::parents::Up;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use tree_sitter::Node;

use super::packages::{Package, module_of};
use crate::analysis::graph::library::{LibraryFunction, LibraryIndex, Twin};
use crate::analysis::graph::summary::{ImportTarget, ModuleSummary};
use crate::analysis::graph::{FileView, FnRef, Graph};
use crate::input::source::LineIndex;
use crate::scan::prefilter::has_whole_word;

/// What summarizing a package has parsed so far: kept between its
/// summaries (with other packages' summaries, see [`libraries`]), since a
/// file's summary does not depend on them.
#[derive(Default)]
pub struct ParseState {
    parsed: Vec<Option<Parsed>>,
    /// Files parsed or tried (one that does not parse stays out).
    tried: HashSet<usize>,
    /// The pairs of words already looked for in the files.
    words_seen: HashSet<String>,
    /// The files that name a run, found once for every summary.
    runs: Option<Vec<usize>>,
}

/// One parsed library file.
struct Parsed {
    display: String,
    text: String,
    index: LineIndex,
    summary: ModuleSummary,
    /// Every function's parameters, by the start of its name.
    signatures: HashMap<usize, Vec<Param>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Positional,
    PositionalOrKeyword,
    KeywordOnly,
    VarPositional,
    VarKeyword,
}

#[derive(Debug, Clone)]
struct Param {
    name: String,
    kind: Kind,
    has_default: bool,
}

/// The texts of `files` of `package` (those that are UTF-8).
fn read_texts(package: &Package, files: &[PathBuf]) -> Vec<(PathBuf, String)> {
    files
        .par_iter()
        .filter_map(|relative| {
            let bytes = std::fs::read(package.search_path.join(relative)).ok()?;
            let text = String::from_utf8(bytes).ok()?;
            Some((relative.clone(), text))
        })
        .collect()
}

/// The summary of `package` from the texts of its files, where calls into
/// other installed packages resolve in `deps` (their loop-running
/// functions); also how many files were read, and how many parsed.
pub fn summarize_package(
    package: &Package,
    texts: &[(PathBuf, String)],
    deps: &LibraryIndex,
    dep_files: &[usize],
    state: &mut ParseState,
) -> (LibraryIndex, usize, usize) {
    let (name, version) = package
        .distribution
        .as_ref()
        .map_or((package.top.clone(), "unknown version".to_owned()), |d| {
            (d.name.clone(), d.version.clone())
        });
    let read = texts.len();
    let modules: HashMap<String, usize> = texts
        .iter()
        .enumerate()
        .map(|(i, (relative, _))| (module_of(relative).0, i))
        .collect();
    let ParseState {
        parsed,
        tried,
        words_seen,
        runs,
    } = state;
    if parsed.len() != texts.len() {
        *parsed = (0..texts.len()).map(|_| None).collect();
    }
    // A run is `run_until_complete(...)`, or asyncio's `run` (`asyncio.run`,
    // `from asyncio import run`, `Runner().run`): a file that names neither
    // runs no loop itself.
    let runs = runs.get_or_insert_with(|| {
        let run_word = AhoCorasick::new(["run"]).expect("a valid automaton");
        (0..texts.len())
            .filter(|&i| {
                let bytes = texts[i].1.as_bytes();
                // `asyncio` rather than `may_hold_finding`, which would look
                // for `run_until_complete` a second time.
                memchr::memmem::find(bytes, b"run_until_complete").is_some()
                    || (memchr::memmem::find(bytes, b"asyncio").is_some()
                        && has_whole_word(&run_word, bytes))
            })
            .collect()
    });
    let mut wanted: Vec<usize> = runs
        .iter()
        .copied()
        .filter(|i| !tried.contains(i))
        .collect();
    // A file that calls another package's loop-running function imports
    // that package (`dep_files`) and names the function and its module's
    // (or class's) last name.
    let dep_pairs = dependency_pairs(deps);
    if let Some(finder) = PairFinder::new(&dep_pairs) {
        wanted.extend(
            dep_files
                .iter()
                .copied()
                .filter(|i| !tried.contains(i) && finder.holds(texts[*i].1.as_bytes())),
        );
        wanted.sort_unstable();
        wanted.dedup();
    }
    loop {
        let results: Vec<(usize, Option<Parsed>)> = wanted
            .par_iter()
            .with_max_len(1)
            .map_init(crate::syntax::parse::new_parser, |parser, &i| {
                let (relative, text) = &texts[i];
                let display = package.search_path.join(relative).display().to_string();
                (i, parse(parser, relative, display, text))
            })
            .collect();
        for (i, result) in results {
            // A file that does not parse stays out, as if absent.
            parsed[i] = result;
            tried.insert(i);
        }
        let parsed: &Vec<Option<Parsed>> = parsed;
        let done: &HashSet<usize> = tried;
        let (blocking_modules, pairs) = blocking_names(parsed, deps);
        let mut next: Vec<usize> = Vec::new();
        // Possible twins in parallel modules.
        for module in &blocking_modules {
            for twin_module in parallel_modules(module) {
                if let Some(&i) = modules.get(&twin_module)
                    && parsed[i].is_none()
                    && !done.contains(&i)
                {
                    next.push(i);
                }
            }
        }
        // A file that calls a blocking function of another module names
        // both the function and its module (or, for a method, its class).
        let new_pairs: Vec<(String, String)> = pairs
            .into_iter()
            .filter(|(n, q)| words_seen.insert(format!("{n}:{q}")))
            .collect();
        if let Some(finder) = PairFinder::new(&new_pairs) {
            let pulled: Vec<usize> = (0..texts.len())
                .into_par_iter()
                .filter(|&i| parsed[i].is_none() && !done.contains(&i))
                .filter(|&i| finder.holds(texts[i].1.as_bytes()))
                .collect();
            next.extend(pulled);
        }
        next.sort_unstable();
        next.dedup();
        next.retain(|i| !done.contains(i));
        if next.is_empty() {
            break;
        }
        wanted = next;
    }
    let files: Vec<&Parsed> = parsed.iter().flatten().collect();
    (index_of(&files, &name, &version, deps), read, files.len())
}

/// The pairs of words a file that calls one of `deps` holds: the function
/// (or method) and its module's last name (or class).
fn dependency_pairs(deps: &LibraryIndex) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = deps
        .names
        .iter()
        .map(|(module, name, _)| match name.rsplit_once('.') {
            Some((class, method)) => (method.to_owned(), class.to_owned()),
            None => (
                name.clone(),
                module.rsplit('.').next().unwrap_or(module).to_owned(),
            ),
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    pairs
}

/// The top-level modules the import statements of `text` name, other than
/// relative ones (`a` for `import a.b as c` and `from a.b import x`).
fn imported_tops(text: &str, out: &mut std::collections::BTreeSet<String>) {
    let imports = crate::scan::prefilter::import_lines(text.as_bytes());
    let statements = imports.replace(['(', ')', '\\'], " ");
    for line in statements.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let modules: Vec<&str> = match words.first() {
            Some(&"from") => words.get(1).copied().into_iter().collect(),
            Some(&"import") => words[1..]
                .join(" ")
                .split(',')
                .filter_map(|part| part.split_whitespace().next())
                .map(|m| {
                    // Borrowed from `line`, where the same text stands.
                    let at = line.find(m).unwrap_or(0);
                    &line[at..at + m.len()]
                })
                .collect(),
            _ => Vec::new(),
        };
        for module in modules {
            let top = module.split('.').next().unwrap_or("");
            if !top.is_empty() && top.chars().all(|c| c.is_alphanumeric() || c == '_') {
                out.insert(top.to_owned());
            }
        }
    }
}

/// A package on its way to a summary.
enum Stage {
    /// From the cache: its index, and what its entry was valid for.
    Cached(LibraryIndex, super::cache::Key, String),
    /// Read: its files and folders, their texts, and the other installed
    /// packages its files import.
    Read {
        package: Package,
        files: Vec<PathBuf>,
        folders: Vec<PathBuf>,
        texts: Vec<(PathBuf, String)>,
        deps: Vec<String>,
        importers: HashMap<String, Vec<usize>>,
        what: String,
    },
}

/// A package read, on its way to a summary: what [`Stage::Read`] holds, and
/// the packages whose summaries its last summary used, with their sizes.
struct Read {
    top: String,
    package: Package,
    files: Vec<PathBuf>,
    folders: Vec<PathBuf>,
    texts: Vec<(PathBuf, String)>,
    deps: Vec<String>,
    /// The files that import each of `deps`.
    importers: HashMap<String, Vec<usize>>,
    what: String,
    used: Vec<(String, usize)>,
    elapsed: std::time::Duration,
    counts: (usize, usize),
    state: ParseState,
}

/// Finds the files that name both words of one of some pairs (a function
/// and its module's or class's last name), built once for many files.
struct PairFinder<'p> {
    pairs: &'p [(String, String)],
    /// The first words alone: a text that holds none of them (most) is
    /// ruled out without looking for the second words, which are common
    /// (`client`, `utils`).
    first: AhoCorasick,
    first_patterns: Vec<&'p str>,
    all: AhoCorasick,
    all_patterns: Vec<&'p str>,
}

impl<'p> PairFinder<'p> {
    fn new(pairs: &'p [(String, String)]) -> Option<Self> {
        if pairs.is_empty() {
            return None;
        }
        // Identifiers: a match that a longer one starting at the same place
        // or before hides is inside a word, so the leftmost-longest search
        // finds every whole word the overlapping one would, with any set of
        // identifiers.
        let build = |mut patterns: Vec<&'p str>| {
            patterns.sort_unstable();
            patterns.dedup();
            let matcher = AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&patterns)
                .expect("names form a valid automaton");
            (matcher, patterns)
        };
        let (first, first_patterns) = build(pairs.iter().map(|(n, _)| n.as_str()).collect());
        let (all, all_patterns) = build(
            pairs
                .iter()
                .flat_map(|(n, q)| [n.as_str(), q.as_str()])
                .collect(),
        );
        Some(PairFinder {
            pairs,
            first,
            first_patterns,
            all,
            all_patterns,
        })
    }

    /// Whether `bytes` holds both words of one of the pairs as whole words.
    fn holds(&self, bytes: &[u8]) -> bool {
        let firsts = whole_words(&self.first, &self.first_patterns, bytes);
        if firsts.is_empty() {
            return false;
        }
        let present = whole_words(&self.all, &self.all_patterns, bytes);
        self.pairs
            .iter()
            .any(|(n, q)| present.contains(n.as_str()) && present.contains(q.as_str()))
    }
}

/// Whether a file of `texts` names both words of one of `pairs`.
fn names_any<'t>(mut texts: impl Iterator<Item = &'t str>, pairs: &[(String, String)]) -> bool {
    PairFinder::new(pairs).is_some_and(|finder| texts.any(|text| finder.holds(text.as_bytes())))
}

/// What a package is summarized with: the packages it imports whose
/// summaries have functions, with their sizes, and those summaries merged.
type Inputs = (Vec<(String, usize)>, LibraryIndex);

/// A package's summary, with what it stays valid for when it came from the
/// cache.
struct Summarized {
    index: LibraryIndex,
    key: super::cache::Key,
}

/// The loop-running functions of the packages of `environment` that `tops`
/// name (the top-level modules a project imports), from the cache in
/// `cache` when it holds them; and one line per package on what was done,
/// for `--verbose`. A package whose function reaches a loop through a call
/// into another installed package (its public `fetch()` calls
/// `other.helpers.run_sync(coro)`) runs a loop too: the packages a package
/// imports are summarized first, as far as the imports go.
pub fn libraries(
    environment: &super::Environment,
    tops: &std::collections::BTreeSet<String>,
    cache: Option<&Path>,
) -> (LibraryIndex, Vec<String>) {
    let started = std::time::Instant::now();
    let infos = super::packages::dist_infos(&environment.search_paths);
    let loader = cache.map(super::cache::Loader::new);
    let wanted = |top: &String| top != "__future__" && top != "asyncio";
    // Read every package the project imports, then every installed package
    // those import, and so on.
    let mut stages: HashMap<String, Stage> = HashMap::new();
    let mut frontier: Vec<String> = tops.iter().filter(|t| wanted(t)).cloned().collect();
    while !frontier.is_empty() {
        let found: Vec<(String, Stage)> = frontier
            .par_iter()
            .filter_map(|top| {
                let package = super::packages::locate(top, &environment.search_paths, &infos)?;
                let what = package.distribution.as_ref().map_or_else(
                    || format!("{top} (no dist-info)"),
                    |d| format!("{} {}", d.name, d.version),
                );
                if let Some((index, key)) = loader.as_ref().and_then(|l| l.load(&package)) {
                    return Some((top.clone(), Stage::Cached(index, key, what)));
                }
                let (files, folders) = package.files();
                let texts = read_texts(&package, &files);
                // Which files import each other package.
                let mut importers: HashMap<String, Vec<usize>> = HashMap::new();
                for (i, (_, text)) in texts.iter().enumerate() {
                    let mut imported = std::collections::BTreeSet::new();
                    imported_tops(text, &mut imported);
                    for other in imported {
                        if other != *top && wanted(&other) {
                            importers.entry(other).or_default().push(i);
                        }
                    }
                }
                let mut deps: Vec<String> = importers.keys().cloned().collect();
                deps.sort();
                Some((
                    top.clone(),
                    Stage::Read {
                        package,
                        files,
                        folders,
                        texts,
                        deps,
                        importers,
                        what,
                    },
                ))
            })
            .collect();
        let mut next = Vec::new();
        for (top, stage) in found {
            if let Stage::Read { deps, .. } = &stage {
                next.extend(deps.iter().cloned());
            }
            stages.insert(top, stage);
        }
        next.sort();
        next.dedup();
        // A name that is no installed package is looked for once.
        next.retain(|top| !stages.contains_key(top) && !frontier.contains(top));
        frontier = next;
    }
    let trace = std::env::var_os("UNNEST_TRACE").is_some();
    if trace {
        eprintln!(
            "libraries: {} read in {:.1?}",
            stages.len(),
            started.elapsed()
        );
    }
    // Every package is summarized at once without the others (most call
    // none of the others' loop-running functions); then, round after round,
    // a package is summarized again with the packages it imports when their
    // summaries changed and one of its files names one of their functions
    // with its module or class. A cycle settles as the summaries stop
    // changing (bounded, in case they never do).
    let mut done: HashMap<String, Summarized> = HashMap::new();
    let mut notes: HashMap<String, String> = HashMap::new();
    let mut reads: Vec<Read> = Vec::new();
    for (top, stage) in stages {
        match stage {
            Stage::Cached(index, key, what) => {
                notes.insert(
                    top.clone(),
                    format!(
                        "library {what}: from the cache, no file read ({} functions run a loop)",
                        index.functions.len()
                    ),
                );
                done.insert(top, Summarized { index, key });
            }
            Stage::Read {
                package,
                files,
                folders,
                texts,
                deps,
                importers,
                what,
            } => reads.push(Read {
                top,
                package,
                files,
                folders,
                texts,
                deps,
                importers,
                what,
                used: Vec::new(),
                elapsed: std::time::Duration::ZERO,
                counts: (0, 0),
                state: ParseState::default(),
            }),
        }
    }
    reads.sort_by(|a, b| a.top.cmp(&b.top));
    let mut todo: Vec<usize> = (0..reads.len()).collect();
    for round in 0..8 {
        if todo.is_empty() {
            break;
        }
        // What each package of the round gets: the other packages'
        // summaries that have functions (with their sizes), merged.
        let mut inputs: HashMap<usize, Inputs> = todo
            .iter()
            .map(|&r| {
                let used: Vec<(String, usize)> = reads[r]
                    .deps
                    .iter()
                    .filter_map(|d| {
                        let s = done.get(d)?;
                        (!s.index.is_empty()).then(|| (d.clone(), s.index.functions.len()))
                    })
                    .collect();
                let index = LibraryIndex::merge(used.iter().map(|(d, _)| done[d].index.clone()));
                (r, (used, index))
            })
            .collect();
        let mut work: Vec<(usize, &mut Read, Inputs)> = reads
            .iter_mut()
            .enumerate()
            .filter_map(|(r, read)| Some((r, read, inputs.remove(&r)?)))
            .collect();
        let results: Vec<(usize, LibraryIndex, usize, usize)> = work
            .par_iter_mut()
            .map(|(r, read, (used, deps))| {
                let started = std::time::Instant::now();
                let mut dep_files: Vec<usize> = read
                    .importers
                    .iter()
                    .filter(|(d, _)| used.iter().any(|(u, _)| u == *d))
                    .flat_map(|(_, files)| files.iter().copied())
                    .collect();
                dep_files.sort_unstable();
                dep_files.dedup();
                let (index, files_read, parsed) = summarize_package(
                    &read.package,
                    &read.texts,
                    deps,
                    &dep_files,
                    &mut read.state,
                );
                read.used = std::mem::take(used);
                read.elapsed += started.elapsed();

                (*r, index, files_read, parsed)
            })
            .collect();
        drop(work);
        let mut changed: HashSet<String> = HashSet::new();
        for (r, index, files_read, parsed) in results {
            let read = &mut reads[r];
            read.counts = (files_read, parsed);
            let before = done.get(&read.top).map(|s| &s.index.functions);
            if before != Some(&index.functions) {
                changed.insert(read.top.clone());
            }
            done.insert(
                read.top.clone(),
                Summarized {
                    index,
                    key: super::cache::Key::default(),
                },
            );
        }
        if trace {
            eprintln!(
                "libraries: round {round}: {} summarized, {} changed at {:.1?}",
                todo.len(),
                changed.len(),
                started.elapsed()
            );
        }
        // Again: the packages that import a changed one and name one of its
        // functions (with what its summary used last time differing).
        todo = (0..reads.len())
            .into_par_iter()
            .filter(|&r| {
                let read = &reads[r];
                if !read.deps.iter().any(|d| changed.contains(d)) {
                    return false;
                }
                let now: Vec<(String, usize)> = read
                    .deps
                    .iter()
                    .filter_map(|d| {
                        let s = done.get(d)?;
                        (!s.index.is_empty()).then(|| (d.clone(), s.index.functions.len()))
                    })
                    .collect();
                if now.is_empty() && read.used.is_empty() {
                    return false;
                }
                if !read.used.is_empty() {
                    return true;
                }
                // Only a file that imports one of them can call one.
                let index = LibraryIndex::merge(now.iter().map(|(d, _)| done[d].index.clone()));
                let mut files: Vec<usize> = now
                    .iter()
                    .flat_map(|(d, _)| read.importers.get(d).into_iter().flatten().copied())
                    .collect();
                files.sort_unstable();
                files.dedup();
                names_any(
                    files.iter().map(|&i| read.texts[i].1.as_str()),
                    &dependency_pairs(&index),
                )
            })
            .collect();
    }
    // Each package's entry holds its own files' stamps, and the entry names
    // and fingerprints of every installed package it imports, transitively:
    // a change there may change what it does.
    let own: HashMap<String, (super::cache::Stamps, u64)> = reads
        .iter()
        .map(|read| {
            let stamps =
                super::cache::Stamps::of(&read.package.search_path, &read.files, &read.folders)
                    .unwrap_or_default();
            let fingerprint = stamps.fingerprint();
            (read.top.clone(), (stamps, fingerprint))
        })
        .collect();
    let names: HashMap<&str, String> = reads
        .iter()
        .map(|r| (r.top.as_str(), super::cache::entry_name(&r.package)))
        .collect();
    let deps_of: HashMap<&str, &Vec<String>> =
        reads.iter().map(|r| (r.top.as_str(), &r.deps)).collect();
    // Each package's top, the entries it used with their fingerprints, and
    // its note.
    type Used = Vec<(String, u64)>;
    let entries: Vec<(String, Used, String)> = reads
        .par_iter()
        .map(|read| {
            let mut deps: Vec<(String, u64)> = Vec::new();
            let mut seen: HashSet<&str> = HashSet::from([read.top.as_str()]);
            let mut stack: Vec<&str> = read.deps.iter().map(String::as_str).collect();
            while let Some(dep) = stack.pop() {
                if !seen.insert(dep) {
                    continue;
                }
                if let (Some((_, fingerprint)), Some(name)) = (own.get(dep), names.get(dep)) {
                    deps.push((name.clone(), *fingerprint));
                    stack.extend(deps_of.get(dep).into_iter().flat_map(|d| d.iter().map(String::as_str)));
                } else if let Some(summarized) = done.get(dep) {
                    // A cached package's key already holds its own imports'.
                    deps.extend(summarized.key.all().cloned());
                }
            }
            deps.sort();
            deps.dedup();
            let (files_read, parsed) = read.counts;
            let functions = done[&read.top].index.functions.len();
            let note = format!(
                "library {}: read {files_read} files, parsed {parsed} ({functions} functions run a loop; {:.0?})",
                read.what, read.elapsed
            );
            (read.top.clone(), deps, note)
        })
        .collect();
    for (top, deps, note) in entries {
        if let (Some(folder), Some(read)) = (cache, reads.iter().find(|r| r.top == top)) {
            super::cache::store(
                folder,
                &read.package,
                &own[&top].0,
                &deps,
                &done[&top].index,
            );
        }
        notes.insert(top, note);
    }
    if trace {
        eprintln!("libraries: summarized at {:.1?}", started.elapsed());
    }
    // What the project imports; the packages only they import helped.
    let mut parts = Vec::new();
    let mut lines = Vec::new();
    let mut cached = 0;
    for top in tops.iter().filter(|t| wanted(t)) {
        if let Some(summarized) = done.remove(top) {
            let note = notes.remove(top).unwrap_or_default();
            cached += usize::from(note.contains("from the cache"));
            lines.push(note);
            parts.push(summarized.index);
        }
    }
    let mut others: Vec<(String, String)> = notes.into_iter().collect();
    others.sort();
    for (_, note) in others {
        lines.push(format!("{note} (imported by a library)"));
    }
    lines.push(format!(
        "libraries: {} packages ({cached} from the cache) in {:.1?}",
        parts.len(),
        started.elapsed()
    ));
    (LibraryIndex::merge(parts), lines)
}

/// The patterns of `matcher` that `bytes` holds as whole words.
fn whole_words<'p>(matcher: &AhoCorasick, patterns: &[&'p str], bytes: &[u8]) -> HashSet<&'p str> {
    let mut found = HashSet::new();
    for m in matcher.find_iter(bytes) {
        let before = m.start().checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(m.end()).copied();
        if !before.is_some_and(crate::syntax::lexer::is_word_byte)
            && !after.is_some_and(crate::syntax::lexer::is_word_byte)
        {
            found.insert(patterns[m.pattern().as_usize()]);
        }
    }
    found
}

fn parse(
    parser: &mut tree_sitter::Parser,
    relative: &Path,
    display: String,
    text: &str,
) -> Option<Parsed> {
    let tree = crate::syntax::parse::parse(parser, text);
    if crate::syntax::parse::first_error(&tree, text).is_some() {
        return None;
    }
    let (module, is_package) = module_of(relative);
    let parents = crate::syntax::parents::ParentMap::install(&tree);
    let checker = crate::analysis::runs::Checker::new(parents.nodes(), text);
    let runs = crate::analysis::runs::find_runs(&tree, &checker);
    let summary =
        crate::analysis::graph::summarize::summarize(&tree, &checker, &runs, &module, is_package);
    // Every function's parameters, from the node at its name (a walk of the
    // whole tree would cost as much as the summary).
    let mut signatures = HashMap::new();
    let root = tree.root_node();
    for function in &summary.functions {
        let range = function.name_range;
        if let Some(name) = root.descendant_for_byte_range(range.start, range.end)
            && let Some(node) = name.parent()
            && node.kind_str() == "function_definition"
            && node.child_by_field("name") == Some(name)
            && let Some(parameters) = node.child_by_field("parameters")
            && let Some(list) = signature(parameters, text)
        {
            signatures.insert(name.start_byte(), list);
        }
    }
    Some(Parsed {
        display,
        index: LineIndex::new(text),
        text: text.to_owned(),
        summary,
        signatures,
    })
}

/// A function's parameters with their kinds, or `None` for what cannot be
/// read (a tuple parameter).
fn signature(parameters: Node, source: &str) -> Option<Vec<Param>> {
    let mut list = Vec::new();
    let mut keyword_only = false;
    let mut cursor = parameters.walk();
    for child in parameters.named_children(&mut cursor) {
        let (name, kind, has_default) = match child.kind_str() {
            "identifier" => (child, None, false),
            "typed_parameter" => {
                let inner = child.named_child(0)?;
                match inner.kind_str() {
                    "identifier" => (inner, None, false),
                    "list_splat_pattern" => {
                        (inner.named_child(0)?, Some(Kind::VarPositional), false)
                    }
                    "dictionary_splat_pattern" => {
                        (inner.named_child(0)?, Some(Kind::VarKeyword), false)
                    }
                    _ => return None,
                }
            }
            "default_parameter" | "typed_default_parameter" => {
                (child.child_by_field("name")?, None, true)
            }
            "list_splat_pattern" => (child.named_child(0)?, Some(Kind::VarPositional), false),
            "dictionary_splat_pattern" => (child.named_child(0)?, Some(Kind::VarKeyword), false),
            "keyword_separator" => {
                keyword_only = true;
                continue;
            }
            "positional_separator" => {
                for p in &mut list {
                    let p: &mut Param = p;
                    if p.kind == Kind::PositionalOrKeyword {
                        p.kind = Kind::Positional;
                    }
                }
                continue;
            }
            "comment" => continue,
            _ => return None,
        };
        if name.kind_str() != "identifier" {
            return None;
        }
        let kind = match kind {
            Some(Kind::VarPositional) => {
                keyword_only = true;
                Kind::VarPositional
            }
            Some(kind) => kind,
            None if keyword_only => Kind::KeywordOnly,
            None => Kind::PositionalOrKeyword,
        };
        list.push(Param {
            name: source[name.byte_range()].to_owned(),
            kind,
            has_default,
        });
    }
    Some(list)
}

/// Whether every call that binds to `sync` binds to `twin` the same way.
fn accepts_same_arguments(sync: &[Param], twin: &[Param]) -> bool {
    let positional = |list: &[Param]| -> Vec<Param> {
        list.iter()
            .filter(|p| matches!(p.kind, Kind::Positional | Kind::PositionalOrKeyword))
            .cloned()
            .collect()
    };
    let has = |list: &[Param], kind: Kind| list.iter().any(|p| p.kind == kind);
    let (sync_positional, twin_positional) = (positional(sync), positional(twin));
    let mut matched: HashSet<&str> = HashSet::new();
    for (i, p) in sync_positional.iter().enumerate() {
        match twin_positional.get(i) {
            Some(t) => {
                if p.kind == Kind::PositionalOrKeyword
                    && (t.name != p.name || t.kind != Kind::PositionalOrKeyword)
                {
                    return false;
                }
                matched.insert(t.name.as_str());
            }
            None if has(twin, Kind::VarPositional) && p.kind == Kind::Positional => {}
            None => return false,
        }
    }
    for p in sync.iter().filter(|p| p.kind == Kind::KeywordOnly) {
        match twin.iter().find(|t| t.name == p.name) {
            Some(t) if matches!(t.kind, Kind::KeywordOnly | Kind::PositionalOrKeyword) => {
                matched.insert(t.name.as_str());
            }
            None if has(twin, Kind::VarKeyword) => {}
            _ => return false,
        }
    }
    if has(sync, Kind::VarPositional) && !has(twin, Kind::VarPositional) {
        return false;
    }
    if has(sync, Kind::VarKeyword) && !has(twin, Kind::VarKeyword) {
        return false;
    }
    twin.iter().all(|t| {
        matched.contains(t.name.as_str())
            || t.has_default
            || matches!(t.kind, Kind::VarPositional | Kind::VarKeyword)
    })
}

/// `pkg.x` → `pkg.asyncio.x`, `pkg.aio.x`, `pkg.x_async`.
fn parallel_modules(module: &str) -> Vec<String> {
    let (prefix, last) = match module.rsplit_once('.') {
        Some((prefix, last)) => (format!("{prefix}."), last),
        None => (String::new(), module),
    };
    vec![
        format!("{prefix}asyncio.{last}"),
        format!("{prefix}aio.{last}"),
        format!("{prefix}{last}_async"),
        format!("{module}.asyncio"),
        format!("{module}.aio"),
    ]
}

/// What the loop-blocking functions found so far are named by: their
/// modules, and pairs of words a file that calls one must hold (the function
/// and its module's last name; a method and its class; the class and its
/// module's last name).
fn blocking_names(
    parsed: &[Option<Parsed>],
    deps: &LibraryIndex,
) -> (Vec<String>, Vec<(String, String)>) {
    let files: Vec<&Parsed> = parsed.iter().flatten().collect();
    let views = views_of(&files);
    let graph = Graph::build_library_with(&views, deps);
    let mut modules = Vec::new();
    let mut pairs = Vec::new();
    for f in graph.blocking.keys() {
        let module = &views[f.file].summary.module;
        let last = module.rsplit('.').next().unwrap_or(module).to_owned();
        let function = graph.function(*f);
        modules.push(module.clone());
        match &function.class {
            Some(class) => {
                let class = class.rsplit('.').next().unwrap_or(class).to_owned();
                pairs.push((function.name.clone(), class.clone()));
                pairs.push((class, last));
            }
            None => pairs.push((function.name.clone(), last)),
        }
    }
    modules.sort();
    modules.dedup();
    pairs.sort();
    pairs.dedup();
    (modules, pairs)
}

fn views_of<'a>(files: &[&'a Parsed]) -> Vec<FileView<'a>> {
    files
        .iter()
        .map(|p| FileView {
            display: &p.display,
            text: &p.text,
            index: &p.index,
            summary: &p.summary,
            notebook: None,
        })
        .collect()
}

/// The index of what the parsed files of one package expose.
fn index_of(files: &[&Parsed], package: &str, version: &str, deps: &LibraryIndex) -> LibraryIndex {
    let views = views_of(files);
    let graph = Graph::build_library_with(&views, deps);
    let by_module: HashMap<&str, usize> = views
        .iter()
        .enumerate()
        .map(|(i, v)| (v.summary.module.as_str(), i))
        .collect();
    let mut functions: Vec<LibraryFunction> = Vec::new();
    let mut names: Vec<(String, String, usize)> = Vec::new();
    for (file, view) in views.iter().enumerate() {
        let summary = view.summary;
        // The last `def` of a name is the one the module keeps (`@overload`
        // stubs come first).
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (index, function) in summary.functions.iter().enumerate() {
            last.insert(function.qualname.as_str(), index);
        }
        let mut kept: Vec<usize> = last.into_values().collect();
        kept.sort_unstable();
        for index in kept {
            let f = FnRef {
                file,
                function: index,
            };
            let function = graph.function(f);
            let public_place = function.parent.is_none()
                && function.class.as_deref().is_none_or(|c| !c.contains('.'));
            if function.is_async
                || function.is_private()
                || function.is_protocol_method()
                || !public_place
                || !graph.blocking.contains_key(&f)
            {
                continue;
            }
            let chain = graph.chain(f);
            let mut runs = chain
                .split_once(", which calls ")
                .map_or(chain.clone(), |(_, rest)| rest.to_owned());
            // Through another package: what that package's function runs.
            if let Some(other) = library_at_end(&graph, f) {
                runs.push_str(", which calls ");
                runs.push_str(&deps.function(other).runs);
            }
            let twin = twin_of(files, &by_module, file, index);
            names.push((
                summary.module.clone(),
                function.qualname.clone(),
                functions.len(),
            ));
            functions.push(LibraryFunction {
                package: package.to_owned(),
                version: version.to_owned(),
                module: summary.module.clone(),
                qualname: function.qualname.clone(),
                path: view.display.to_owned(),
                line: view
                    .index
                    .location(view.text, function.name_range.start)
                    .row,
                runs,
                twin,
            });
        }
    }
    // Re-exports, to a fixpoint: `from .client import Client` in `pkg`
    // makes `pkg.Client.execute` one more name for `pkg.client.Client.execute`.
    loop {
        let known: HashSet<(String, String)> = names
            .iter()
            .map(|(m, n, _)| (m.clone(), n.clone()))
            .collect();
        let mut added = Vec::new();
        for view in &views {
            let summary = view.summary;
            let mut sources: Vec<(String, String, String)> = Vec::new();
            for (local, target) in &summary.imports {
                if let ImportTarget::Symbol(module, name) = target {
                    sources.push((local.clone(), module.clone(), name.clone()));
                }
            }
            for (module, name, index) in &names {
                for star in &summary.star_imports {
                    let first = name.split('.').next().unwrap_or(name);
                    let exported = by_module
                        .get(star.as_str())
                        .and_then(|&i| views[i].summary.all_names.as_ref())
                        .map_or(!first.starts_with('_'), |all| {
                            all.iter().any(|n| n == first)
                        });
                    if star == module && exported {
                        added.push((summary.module.clone(), name.clone(), *index));
                    }
                }
            }
            for (local, module, name) in sources {
                for (m, n, index) in &names {
                    if *m != module {
                        continue;
                    }
                    let renamed = if *n == name {
                        local.clone()
                    } else if let Some(method) = n.strip_prefix(&format!("{name}.")) {
                        format!("{local}.{method}")
                    } else {
                        continue;
                    };
                    added.push((summary.module.clone(), renamed, *index));
                }
            }
        }
        added.retain(|(m, n, _)| !known.contains(&(m.clone(), n.clone())));
        added.sort();
        added.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        if added.is_empty() {
            break;
        }
        names.extend(added);
    }
    LibraryIndex::new(functions, names)
}

/// The other package's function that the chain making `f` blocking ends in.
fn library_at_end(graph: &Graph, f: FnRef) -> Option<usize> {
    let mut current = f;
    let mut seen = HashSet::new();
    while seen.insert(current) {
        match graph.blocking.get(&current)? {
            crate::analysis::graph::Reason::Calls(next, _) => current = *next,
            crate::analysis::graph::Reason::Library(_, function) => return Some(*function),
            crate::analysis::graph::Reason::Runs(_) => return None,
        }
    }
    None
}

/// The async twin of function `index` of file `file`: a coroutine function of
/// the same module and class named `name_async`, `async_name` or `aname`, or
/// of the same qualified name in a parallel module, that accepts the same
/// arguments.
fn twin_of(
    files: &[&Parsed],
    by_module: &HashMap<&str, usize>,
    file: usize,
    index: usize,
) -> Option<Twin> {
    let summary = &files[file].summary;
    let function = &summary.functions[index];
    let sync = files[file].signatures.get(&function.name_range.start)?;
    let name = &function.name;
    let prefix = function
        .class
        .as_ref()
        .map_or(String::new(), |c| format!("{c}."));
    let mut candidates: Vec<(usize, String)> = [
        format!("{name}_async"),
        format!("async_{name}"),
        format!("a{name}"),
    ]
    .into_iter()
    .map(|n| (file, format!("{prefix}{n}")))
    .collect();
    for module in parallel_modules(&summary.module) {
        if let Some(&other) = by_module.get(module.as_str()) {
            candidates.push((other, function.qualname.clone()));
        }
    }
    candidates.into_iter().find_map(|(other, qualname)| {
        let parsed = files[other];
        let candidate = parsed
            .summary
            .functions
            .iter()
            .rev()
            .find(|f| f.qualname == qualname)?;
        if !candidate.is_async || candidate.is_generator || candidate.parent.is_some() {
            return None;
        }
        let twin = parsed.signatures.get(&candidate.name_range.start)?;
        let constructor_accepts = other != file
            && function
                .class
                .as_deref()
                .is_some_and(|class| constructor_accepts(files[file], parsed, class));
        accepts_same_arguments(sync, twin).then(|| Twin {
            module: parsed.summary.module.clone(),
            qualname,
            constructor_accepts,
        })
    })
}

/// Whether class `class` of `twin` is built by every call that builds class
/// `class` of `sync`: both `__init__`s accept the same arguments, or neither
/// class defines one and both have the same bases.
fn constructor_accepts(sync: &Parsed, twin: &Parsed, class: &str) -> bool {
    fn init<'p>(parsed: &'p Parsed, class: &str) -> Option<Option<&'p Vec<Param>>> {
        let qualname = format!("{class}.__init__");
        parsed
            .summary
            .functions
            .iter()
            .rev()
            .find(|f| f.qualname == qualname)
            .map(|f| parsed.signatures.get(&f.name_range.start))
    }
    let bases = |parsed: &Parsed| {
        parsed
            .summary
            .classes
            .iter()
            .find(|(c, _)| c == class)
            .map(|(_, bases)| bases.clone())
    };
    match (init(sync, class), init(twin, class)) {
        (Some(Some(a)), Some(Some(b))) => accepts_same_arguments(a, b),
        (None, None) => bases(sync).is_some() && bases(sync) == bases(twin),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signature_of(text: &str) -> Vec<Param> {
        let mut parser = crate::syntax::parse::new_parser();
        let tree = crate::syntax::parse::parse(&mut parser, text);
        let def = tree.root_node().named_child(0).unwrap();
        signature(def.child_by_field("parameters").unwrap(), text).unwrap()
    }

    fn accepts(sync: &str, twin: &str) -> bool {
        accepts_same_arguments(&signature_of(sync), &signature_of(twin))
    }

    #[test]
    fn a_twin_accepts_every_call_its_sibling_accepts() {
        assert!(accepts(
            "def f(self, a, b=1): ...",
            "async def g(self, a, b=1): ..."
        ));
        assert!(accepts(
            "def f(a, *, k=None, **kw): ...",
            "async def g(a, *, k=None, x=2, **kw): ..."
        ));
        assert!(accepts(
            "def f(a, k=None): ...",
            "async def g(a, k=None, *, extra=0): ..."
        ));
        // Renamed, missing, reordered or newly required parameters do not.
        assert!(!accepts("def f(a, b): ...", "async def g(a, c): ..."));
        assert!(!accepts("def f(a, b): ...", "async def g(b, a): ..."));
        assert!(!accepts("def f(a): ...", "async def g(a, b): ..."));
        assert!(!accepts("def f(a, **kw): ...", "async def g(a): ..."));
        assert!(!accepts("def f(*args): ...", "async def g(a): ..."));
    }
}
