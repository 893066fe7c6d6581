//! The Python grammar tree-sitter parses with.

use tree_sitter::Language;

/// The bundled tree-sitter-python grammar.
pub fn language() -> Language {
    tree_sitter_python::LANGUAGE.into()
}
