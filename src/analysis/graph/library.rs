//! What the project's graph knows of installed libraries: the public
//! functions and methods of the environment's packages that run an event loop
//! unguarded, each with its package, version, place and async twin, by every
//! name a project can import it as. Built and cached by `crate::environment`;
//! here it is plain data that resolution looks names up in.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// One library function that runs a loop when called.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LibraryFunction {
    /// The distribution's name and version, from its `METADATA`.
    pub package: String,
    pub version: String,
    /// The module that defines it, and its qualified name there
    /// (`Client.execute` for a method).
    pub module: String,
    pub qualname: String,
    /// Where it is defined: the file and the line of its name.
    pub path: String,
    pub line: usize,
    /// What it runs, in the library's words: "`asyncio.run()` (file:line)",
    /// through the library's own helpers when it does not run it directly.
    pub runs: String,
    pub twin: Option<Twin>,
}

/// A coroutine function that takes every argument its sync sibling takes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Twin {
    pub module: String,
    pub qualname: String,
    /// For a method of a class of a parallel module (`Client.get` of
    /// `pkg.aio.client` for `Client.get` of `pkg.client`): whether that
    /// class's constructor accepts every argument the sync class's does, so
    /// that a receiver built in place can be built from it instead.
    #[serde(default)]
    pub constructor_accepts: bool,
}

impl Twin {
    /// The name it is called by (`execute_async` for `Client.execute_async`).
    pub fn name(&self) -> &str {
        self.qualname.rsplit('.').next().unwrap_or(&self.qualname)
    }

    /// A method twin is reached through the same receiver (or, for a class
    /// twin, one of its class).
    pub fn is_method(&self) -> bool {
        self.qualname.contains('.')
    }

    /// The class whose instance the twin needs, when it is not the sync
    /// method's own: `Client` of `pkg.aio.client` for a method of `pkg.client`.
    pub fn other_class(&self, sync_module: &str) -> Option<&str> {
        if self.module == sync_module {
            return None;
        }
        self.qualname.rsplit_once('.').map(|(class, _)| class)
    }
}

impl LibraryFunction {
    pub fn name(&self) -> &str {
        self.qualname.rsplit('.').next().unwrap_or(&self.qualname)
    }

    /// "`gql.client.Client.execute()` (gql 4.4.0, .../gql/client.py:451)".
    pub fn describe(&self) -> String {
        format!(
            "`{}.{}()` ({} {}, {}:{})",
            self.module, self.qualname, self.package, self.version, self.path, self.line
        )
    }
}

/// The loop-running functions of the libraries a project imports, by the
/// names they can be reached as: `(module, name)` for a function (its own
/// module, and every module that re-exports it), `(module, "Class.method")`
/// for a method of a class that module defines or re-exports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LibraryIndex {
    pub functions: Vec<LibraryFunction>,
    pub names: Vec<(String, String, usize)>,
    #[serde(skip)]
    lookup: HashMap<(String, String), usize>,
}

impl LibraryIndex {
    pub fn new(functions: Vec<LibraryFunction>, names: Vec<(String, String, usize)>) -> Self {
        let mut index = LibraryIndex {
            functions,
            names,
            lookup: HashMap::new(),
        };
        index.reindex();
        index
    }

    /// Several indexes as one (one per package).
    pub fn merge(parts: impl IntoIterator<Item = LibraryIndex>) -> Self {
        let mut functions = Vec::new();
        let mut names = Vec::new();
        for part in parts {
            let offset = functions.len();
            functions.extend(part.functions);
            names.extend(part.names.into_iter().map(|(m, n, i)| (m, n, i + offset)));
        }
        Self::new(functions, names)
    }

    /// Rebuild the lookup table after deserializing.
    pub fn reindex(&mut self) {
        self.lookup = self
            .names
            .iter()
            .map(|(m, n, i)| ((m.clone(), n.clone()), *i))
            .collect();
    }

    pub fn is_empty(&self) -> bool {
        self.functions.is_empty()
    }

    /// The function `name` (or `Class.method`) of module `module`.
    pub fn get(&self, module: &str, name: &str) -> Option<usize> {
        self.lookup
            .get(&(module.to_owned(), name.to_owned()))
            .copied()
    }

    pub fn function(&self, index: usize) -> &LibraryFunction {
        &self.functions[index]
    }

    /// The words a project file must name to call one of these: function,
    /// method and class names (for the triage that decides what to parse).
    pub fn words(&self) -> Vec<String> {
        let mut words: Vec<String> = self
            .names
            .iter()
            .flat_map(|(_, name, _)| name.split('.').map(str::to_owned))
            .collect();
        words.sort();
        words.dedup();
        words
    }
}
