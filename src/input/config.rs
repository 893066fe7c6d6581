//! Configuration, found as Ruff finds its own: the closest `unnest.toml` (keys
//! at the top) or `pyproject.toml` with a `[tool.unnest]` table, in the folder
//! of a path or above it. `--config PATH` names one; `--isolated` ignores all.
//!
//! ```toml
//! [tool.unnest]
//! exclude = ["build", "dist"]          # replaces the folders skipped by default
//! extend-exclude = ["generated/*"]     # adds to them
//! ignore = ["UNN004"]                  # rules not reported
//! unsafe-fixes = true                  # as --unsafe-fixes
//! per-file-ignores = { "tests/*" = ["UNN001"] }
//! # functions a framework calls on its event loop: `module glob:qualified-name glob`,
//! # or a table whose `async-ok = true` says the framework awaits a coroutine function
//! loop-entry-points = ["app.plugin:Plugin.on_*", { pattern = "app.nodes:*.generate", async-ok = true }]
//! ```
//!
//! Globs match paths relative to the folder of the configuration file, or
//! any single component of them (`build` skips every folder called build).
//! An unknown key or a value of the wrong kind is an error naming the file and
//! the key (exit 2).

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::error::Error;
use crate::registry::Rule;

#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from; `None` for the defaults.
    pub file: Option<PathBuf>,
    /// The folder globs are relative to.
    pub root: PathBuf,
    /// Replaces the default skipped folders when set.
    exclude: Option<GlobSet>,
    extend_exclude: GlobSet,
    pub ignore: Vec<Rule>,
    pub unsafe_fixes: Option<bool>,
    per_file_ignores: Vec<(GlobSet, Vec<Rule>)>,
    /// `loop-entry-points`: functions a framework calls on its running loop.
    pub loop_entry_points: Vec<DeclaredEntry>,
}

const KEYS: [&str; 6] = [
    "exclude",
    "extend-exclude",
    "ignore",
    "unsafe-fixes",
    "per-file-ignores",
    "loop-entry-points",
];

/// One `loop-entry-points` entry: the functions whose module name matches
/// `module` and whose qualified name (`Class.method`) matches `qualname` run
/// on the framework's event loop.
#[derive(Debug, Clone)]
pub struct DeclaredEntry {
    /// As written, `module glob:qualified-name glob`, for messages.
    pub pattern: String,
    /// The configuration file it comes from, for messages.
    pub file: PathBuf,
    module: globset::GlobMatcher,
    qualname: globset::GlobMatcher,
    /// The framework awaits a coroutine function given in its place, so the
    /// entry may become `async def`.
    pub async_ok: bool,
}

impl DeclaredEntry {
    pub fn matches_module(&self, module: &str) -> bool {
        self.module.is_match(module)
    }

    pub fn matches(&self, module: &str, qualname: &str) -> bool {
        self.module.is_match(module) && self.qualname.is_match(qualname)
    }
}

impl Config {
    /// The defaults, for `--isolated` or where no file is found.
    pub fn default_at(root: &Path) -> Self {
        Self {
            file: None,
            root: root.to_owned(),
            exclude: None,
            extend_exclude: GlobSet::empty(),
            ignore: Vec::new(),
            unsafe_fixes: None,
            per_file_ignores: Vec::new(),
            loop_entry_points: Vec::new(),
        }
    }

    /// The configuration that applies to `path`: the closest file at or above
    /// it, or the defaults.
    pub fn find(path: &Path) -> Result<Self, Error> {
        let start = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        let mut folder = if start.is_dir() {
            Some(start.as_path())
        } else {
            start.parent()
        };
        while let Some(dir) = folder {
            let standalone = dir.join("unnest.toml");
            if standalone.is_file() {
                return Self::read(&standalone);
            }
            let pyproject = dir.join("pyproject.toml");
            if pyproject.is_file() {
                let text = std::fs::read_to_string(&pyproject)
                    .map_err(|e| bad(&pyproject, &e.to_string()))?;
                if text.contains("unnest") && names_unnest(&text) {
                    return Self::read(&pyproject);
                }
            }
            folder = dir.parent();
        }
        Ok(Self::default_at(&start))
    }

    /// Read `file`: a `pyproject.toml` (its `[tool.unnest]` table) or a
    /// standalone file.
    pub fn read(file: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(file).map_err(|e| bad(file, &e.to_string()))?;
        let document: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| bad(file, &format!("invalid TOML: {}", e.message())))?;
        let is_pyproject = file.file_name().is_some_and(|n| n == "pyproject.toml");
        let table = if is_pyproject {
            match document.get("tool") {
                None => toml::Table::new(),
                Some(toml::Value::Table(tool)) => match tool.get("unnest") {
                    Some(toml::Value::Table(table)) => table.clone(),
                    Some(_) => return Err(bad(file, "`tool.unnest` must be a table")),
                    None => toml::Table::new(),
                },
                // `tool = 5` holds no `tool.unnest`; that is another tool's
                // business, as in Ruff.
                Some(_) => toml::Table::new(),
            }
        } else {
            document
        };
        let root = file
            .parent()
            .map(Path::to_owned)
            .unwrap_or_else(|| PathBuf::from("."));
        let mut config = Self::default_at(&root);
        config.file = Some(file.to_owned());
        for (key, value) in &table {
            let at = |what: &str| bad(file, &format!("`{key}` {what}"));
            match key.as_str() {
                "exclude" => {
                    config.exclude = Some(globs(
                        strings(value).ok_or_else(|| at("must be a list of globs"))?,
                        file,
                        key,
                    )?)
                }
                "extend-exclude" => {
                    config.extend_exclude = globs(
                        strings(value).ok_or_else(|| at("must be a list of globs"))?,
                        file,
                        key,
                    )?;
                }
                "ignore" => config.ignore = rules(value).map_err(|e| at(&e))?,
                "unsafe-fixes" => {
                    config.unsafe_fixes =
                        Some(value.as_bool().ok_or_else(|| at("must be true or false"))?);
                }
                "per-file-ignores" => {
                    let toml::Value::Table(entries) = value else {
                        return Err(at("must be a table of globs to lists of rule codes"));
                    };
                    for (glob, codes) in entries {
                        let set = globs(vec![glob.clone()], file, key)?;
                        let codes =
                            rules(codes).map_err(|e| bad(file, &format!("`{key}.{glob}` {e}")))?;
                        config.per_file_ignores.push((set, codes));
                    }
                }
                "loop-entry-points" => config.loop_entry_points = entry_points(value, file)?,
                _ => {
                    return Err(bad(
                        file,
                        &format!("unknown key `{key}`; the keys are {}", KEYS.join(", ")),
                    ));
                }
            }
        }
        Ok(config)
    }

    /// Whether the folder or file at `path` is excluded from walking.
    /// `default_skips` are the folder names skipped when `exclude` is not set.
    pub fn is_excluded(&self, path: &Path, is_dir: bool, default_skips: &[&str]) -> bool {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        let matches = |set: &GlobSet| set.is_match(relative) || set.is_match(&name);
        let excluded = match &self.exclude {
            Some(set) => matches(set),
            None => is_dir && default_skips.contains(&name.as_str()),
        };
        excluded || matches(&self.extend_exclude)
    }

    /// The rules not reported in `path`: `ignore`, and `per-file-ignores`
    /// entries whose glob matches it.
    pub fn ignored_rules(&self, path: &Path) -> Vec<Rule> {
        let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        let relative = absolute.strip_prefix(&self.root).unwrap_or(path);
        let mut rules = self.ignore.clone();
        for (set, codes) in &self.per_file_ignores {
            if set.is_match(relative) || path.file_name().is_some_and(|n| set.is_match(n)) {
                rules.extend(codes);
            }
        }
        rules
    }
}

/// Whether a `pyproject.toml` has a `tool.unnest` entry, however written
/// (`[tool.unnest]`, `[tool] unnest = ...`): reading it then says whether
/// it is valid. A file that is not TOML counts when it has the header, so
/// that the error is reported rather than the file passed over.
fn names_unnest(text: &str) -> bool {
    match text.parse::<toml::Table>() {
        Ok(document) => document
            .get("tool")
            .and_then(|tool| tool.as_table())
            .is_some_and(|tool| tool.contains_key("unnest")),
        Err(_) => text.contains("[tool.unnest"),
    }
}

fn bad(file: &Path, reason: &str) -> Error {
    Error::Config {
        path: file.display().to_string(),
        reason: reason.to_owned(),
    }
}

fn strings(value: &toml::Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn globs(patterns: Vec<String>, file: &Path, key: &str) -> Result<GlobSet, Error> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(&pattern).map_err(|e| {
            bad(
                file,
                &format!("`{key}` has an invalid glob `{pattern}`: {e}"),
            )
        })?;
        builder.add(glob);
        // `dir` also matches everything below it.
        if let Ok(below) = Glob::new(&format!("{}/**", pattern.trim_end_matches('/'))) {
            builder.add(below);
        }
    }
    builder
        .build()
        .map_err(|e| bad(file, &format!("`{key}`: {e}")))
}

/// `loop-entry-points`: a list of `"module:qualname"` strings or
/// `{ pattern = "module:qualname", async-ok = true }` tables.
fn entry_points(value: &toml::Value, file: &Path) -> Result<Vec<DeclaredEntry>, Error> {
    const KEY: &str = "loop-entry-points";
    let at = |what: String| bad(file, &format!("`{KEY}` {what}"));
    let Some(items) = value.as_array() else {
        return Err(at(
            "must be a list of `\"module:qualified.name\"` globs or `{ pattern = \"...\", async-ok = true }` tables".to_owned(),
        ));
    };
    let mut entries = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let (pattern, async_ok) = match item {
            toml::Value::String(pattern) => (pattern.clone(), false),
            toml::Value::Table(table) => {
                for key in table.keys() {
                    if key != "pattern" && key != "async-ok" {
                        return Err(at(format!(
                            "entry {} has an unknown key `{key}`; the keys are pattern, async-ok",
                            index + 1
                        )));
                    }
                }
                let pattern = match table.get("pattern") {
                    Some(toml::Value::String(p)) => p.clone(),
                    Some(_) => {
                        return Err(at(format!(
                            "entry {}: `pattern` must be a string",
                            index + 1
                        )));
                    }
                    None => return Err(at(format!("entry {} has no `pattern`", index + 1))),
                };
                let async_ok = match table.get("async-ok") {
                    None => false,
                    Some(value) => value.as_bool().ok_or_else(|| {
                        at(format!(
                            "entry {}: `async-ok` must be true or false",
                            index + 1
                        ))
                    })?,
                };
                (pattern, async_ok)
            }
            _ => {
                return Err(at(format!(
                    "entry {} must be a string or a table with `pattern`",
                    index + 1
                )));
            }
        };
        let Some((module, qualname)) = pattern.split_once(':') else {
            return Err(at(format!(
                "entry `{pattern}` must be `module glob:qualified-name glob`, as `app.nodes:*.generate`"
            )));
        };
        let glob = |text: &str| {
            if text.trim().is_empty() || text.contains(char::is_whitespace) {
                return Err(at(format!(
                    "entry `{pattern}` has an empty or spaced part `{text}`"
                )));
            }
            Glob::new(text).map(|g| g.compile_matcher()).map_err(|e| {
                at(format!(
                    "entry `{pattern}` has an invalid glob `{text}`: {e}"
                ))
            })
        };
        entries.push(DeclaredEntry {
            module: glob(module)?,
            qualname: glob(qualname)?,
            pattern: pattern.clone(),
            file: file.to_owned(),
            async_ok,
        });
    }
    Ok(entries)
}

fn rules(value: &toml::Value) -> Result<Vec<Rule>, String> {
    let codes = strings(value).ok_or("must be a list of rule codes")?;
    codes
        .iter()
        .map(|code| {
            Rule::ALL
                .iter()
                .copied()
                .find(|r| r.code().eq_ignore_ascii_case(code) || r.name() == code)
                .ok_or_else(|| format!("names an unknown rule `{code}`"))
        })
        .collect()
}
