//! Which runs happen when their module is imported: module-level code of a
//! `.py` file (its own statements, class bodies and comprehensions among
//! them, not functions, lambdas or generator expressions, which run when
//! called), outside `if __name__ == "__main__":`. A notebook's module level
//! is not this: its cells run under the kernel's loop.

use tree_sitter::Node;

use super::runs::{Checker, NestedRun};
use super::scope::ScopeKind;
use crate::syntax::parents::Up;

/// Whether `run` runs when its module is imported.
pub fn runs_at_import(run: &NestedRun, checker: &Checker) -> bool {
    !checker.top_level_await
        && run.scopes.iter().all(|s| {
            matches!(
                s.kind,
                ScopeKind::Module
                    | ScopeKind::Class
                    | ScopeKind::Comprehension { generator: false }
            )
        })
        && !run.is_guarded(checker)
        && !under_main_guard(run.call, checker.source)
}

/// Whether `node` sits in the body of `if __name__ == "__main__":` (either
/// operand first), which an import does not run.
pub fn under_main_guard(node: Node, source: &str) -> bool {
    let mut child = node;
    for parent in node.ancestors() {
        if parent.kind_str() == "if_statement"
            && parent
                .child_by_field("consequence")
                .is_some_and(|c| c.id() == child.id())
            && parent
                .child_by_field("condition")
                .is_some_and(|c| is_main_test(c, source))
        {
            return true;
        }
        child = parent;
    }
    false
}

/// `__name__ == "__main__"` or `"__main__" == __name__`, in parentheses or not.
fn is_main_test(mut condition: Node, source: &str) -> bool {
    while condition.kind_str() == "parenthesized_expression" && condition.named_child_count() == 1 {
        match condition.named_child(0) {
            Some(inner) => condition = inner,
            None => return false,
        }
    }
    if condition.kind_str() != "comparison_operator" || condition.named_child_count() != 2 {
        return false;
    }
    let mut cursor = condition.walk();
    let equals = condition
        .children(&mut cursor)
        .filter(|c| !c.is_named())
        .all(|c| c.kind_str() == "==");
    let (Some(left), Some(right)) = (condition.named_child(0), condition.named_child(1)) else {
        return false;
    };
    let is_name = |n: Node| n.kind_str() == "identifier" && &source[n.byte_range()] == "__name__";
    let is_main = |n: Node| {
        n.kind_str() == "string" && matches!(&source[n.byte_range()], "\"__main__\"" | "'__main__'")
    };
    equals && ((is_name(left) && is_main(right)) || (is_main(left) && is_name(right)))
}
