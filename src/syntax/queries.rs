//! The tree-sitter queries under `queries/`, compiled once and shared by every
//! thread.

use std::sync::LazyLock;

use tree_sitter::{Node, Query, QueryMatch};

use super::grammar::language;

/// A compiled query with its capture indexes looked up by name.
pub struct Compiled {
    pub query: Query,
}

impl Compiled {
    fn new(name: &str, source: &str) -> Self {
        let query = Query::new(&language(), source)
            .unwrap_or_else(|err| panic!("queries/{name}.scm does not compile: {err}"));
        Self { query }
    }

    /// The index of capture `@name`; panics on a name the query does not have,
    /// which a unit test below catches for every name the code uses.
    pub fn capture(&self, name: &str) -> u32 {
        self.query
            .capture_index_for_name(name)
            .unwrap_or_else(|| panic!("query has no capture @{name}"))
    }
}

/// The node captured as `index` in `m`, if the pattern captured it.
pub fn captured<'t>(m: &QueryMatch<'_, 't>, index: u32) -> Option<Node<'t>> {
    m.captures()
        .iter()
        .find(|c| c.index == index)
        .map(|c| c.node)
}

pub static CALLS: LazyLock<Compiled> =
    LazyLock::new(|| Compiled::new("calls", include_str!("../../queries/calls.scm")));

/// Compile every query now.
pub fn compile_all() {
    LazyLock::force(&CALLS);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_compiles_with_the_captures_the_code_uses() {
        for name in ["call", "receiver", "method", "arguments", "function"] {
            CALLS.capture(name);
        }
    }
}
