//! Fast parent lookups. tree-sitter finds a node's parent by walking down from
//! the root, so asking for parents in a loop (every scope lookup does) costs
//! the depth times the breadth of the tree each time; in large files that
//! dominated the run. [`ParentMap::install`] records every node's parent once,
//! in one walk, for the trees being analysed on this thread, and
//! [`Up::up`] answers from that record. A large module's functions are
//! summarised on several threads: [`ParentMap::enter`] lends the record to
//! another thread for as long as the tree lives.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use tree_sitter::{Node, Tree, ffi::TSNode};

thread_local! {
    /// The parent maps of the trees being analysed on this thread (a stack:
    /// analyses may nest).
    static MAPS: RefCell<Vec<Arc<Map>>> = const { RefCell::new(Vec::new()) };
}

/// Node ids (addresses) to parents. The keys are trusted, so the hash need
/// not resist attacks: a fast one halves the cost of a lookup.
type Map = HashMap<usize, Parent, foldhash::fast::FixedState>;

/// A parent node as tree-sitter's raw value.
#[derive(Clone, Copy)]
struct Parent(TSNode);

// SAFETY: a `TSNode` is a read-only view into a tree that tree-sitter's own
// `Node` (the same value) declares `Send` and `Sync`; the map is read only
// while its tree lives (see `ParentMap`).
unsafe impl Send for Parent {}
unsafe impl Sync for Parent {}

/// Keeps a tree's parent map installed on this thread while it lives.
pub struct ParentMap<'t> {
    _tree: &'t Tree,
    map: Arc<Map>,
}

impl<'t> ParentMap<'t> {
    /// Record the parent of every node of `tree` for this thread, until the
    /// returned guard is dropped. `nodes` is the tree's [`walk`]: the map
    /// is made from it, without walking the tree again.
    pub fn install(tree: &'t Tree, nodes: &[Visit<'t>]) -> Self {
        let mut map = Map::with_capacity_and_hasher(nodes.len(), Default::default());
        for visit in nodes {
            if let Some(parent) = visit.parent(nodes) {
                map.insert(visit.node.id(), Parent(parent.node.into_raw()));
            }
        }
        let map = Arc::new(map);
        MAPS.with(|maps| maps.borrow_mut().push(map.clone()));
        Self { _tree: tree, map }
    }
}

/// A node met on the [`walk`] of a whole tree, with where it sits.
#[derive(Clone, Copy)]
pub struct Visit<'t> {
    pub node: Node<'t>,
    /// The index of the parent's visit, `NO_PARENT` for the root.
    parent: u32,
    /// The field of the parent the node is in, by tree-sitter's id (0: none).
    field: u16,
}

const NO_PARENT: u32 = u32::MAX;

impl<'t> Visit<'t> {
    /// The visit of the node's parent, in the walk `nodes` this one is from.
    pub fn parent<'a>(&self, nodes: &'a [Visit<'t>]) -> Option<&'a Visit<'t>> {
        nodes.get(self.parent as usize)
    }

    /// The field of its parent the node is in, as [`tree_sitter::TreeCursor::field_name`]
    /// names it.
    pub fn field(&self) -> Option<&'static str> {
        FIELDS.get(self.field as usize).copied().flatten()
    }
}

/// Every node of `tree`, named or not, a node before its children and
/// children in order: what a walk with a cursor meets. The analyses of a file
/// read this one walk rather than each walking the tree (in a large file a
/// walk costs about as much as a tenth of the parse).
pub fn walk(tree: &Tree) -> Vec<Visit<'_>> {
    let mut nodes = Vec::with_capacity(tree.root_node().descendant_count());
    let mut cursor = tree.walk();
    // The indexes of the visits of the current node's ancestors.
    let mut ancestors: Vec<u32> = Vec::new();
    loop {
        nodes.push(Visit {
            node: cursor.node(),
            parent: ancestors.last().copied().unwrap_or(NO_PARENT),
            field: cursor.field_id().map_or(0, |id| id.get()),
        });
        if cursor.goto_first_child() {
            ancestors.push(nodes.len() as u32 - 1);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return nodes;
            }
            ancestors.pop();
        }
    }
}

impl<'t> ParentMap<'t> {
    /// The map installed on this thread for `tree`, installed once more
    /// (to [`ParentMap::enter`] on other threads), or `None` when there is
    /// none.
    pub fn installed(tree: &'t Tree) -> Option<Self> {
        let first = tree.root_node().child(0)?.id();
        let map = MAPS.with(|maps| {
            maps.borrow()
                .iter()
                .rev()
                .find(|map| map.contains_key(&first))
                .cloned()
        })?;
        MAPS.with(|maps| maps.borrow_mut().push(map.clone()));
        Some(Self { _tree: tree, map })
    }

    /// Install the same map on the current thread (another one, in a
    /// parallel loop), until the returned guard is dropped.
    pub fn enter(&self) -> ParentMap<'t> {
        MAPS.with(|maps| maps.borrow_mut().push(self.map.clone()));
        ParentMap {
            _tree: self._tree,
            map: self.map.clone(),
        }
    }
}

impl Drop for ParentMap<'_> {
    fn drop(&mut self) {
        MAPS.with(|maps| maps.borrow_mut().pop());
    }
}

/// Node kinds by id, for [`Up::kind_str`].
static LANGUAGE: std::sync::LazyLock<tree_sitter::Language> =
    std::sync::LazyLock::new(crate::syntax::grammar::language);
static KINDS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let language: &'static tree_sitter::Language = &LANGUAGE;
    (0..language.node_kind_count())
        .map(|id| language.node_kind_for_id(id as u16).unwrap_or(""))
        .collect()
});
/// Field names by id, for [`Visit::field`].
static FIELDS: std::sync::LazyLock<Vec<Option<&'static str>>> = std::sync::LazyLock::new(|| {
    let language: &'static tree_sitter::Language = &LANGUAGE;
    (0..=language.field_count())
        .map(|id| language.field_name_for_id(id as u16))
        .collect()
});

pub trait Up<'t> {
    /// The node's kind, as [`Node::kind`] names it, from a table: `kind`
    /// measures and checks the name's C string on every call, and the
    /// analyses ask millions of times in a large file.
    fn kind_str(&self) -> &'static str;

    /// The node's parent, from the installed map when there is one.
    fn up(&self) -> Option<Node<'t>>;
}

impl<'t> Up<'t> for Node<'t> {
    fn kind_str(&self) -> &'static str {
        // Every id of the one grammar is in the table, but for tree-sitter's
        // own error symbol, the last id.
        KINDS
            .get(self.kind_id() as usize)
            .copied()
            .unwrap_or("ERROR")
    }

    fn up(&self) -> Option<Node<'t>> {
        let id = self.id();
        let found = MAPS.with(|maps| {
            maps.borrow()
                .iter()
                .rev()
                .find_map(|map| map.get(&id).map(|parent| parent.0))
        });
        match found {
            // SAFETY: the map holds only nodes of trees whose guard is alive on
            // this thread, and node ids are addresses within their tree, so a
            // node with this id belongs to the same tree as `self`, which lives
            // for `'t`.
            Some(raw) => Some(unsafe { Node::from_raw(raw) }),
            None => self.parent(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_str_is_kind() {
        let source = "import asyncio\nasync def f(x=1):\n    return [await g(i) for i in x] if x else (yield)\nclass C(B, metaclass=M): pass\nx = (1 +\n";
        let mut parser = crate::syntax::parse::new_parser();
        let tree = crate::syntax::parse::parse(&mut parser, source);
        assert!(tree.root_node().has_error());
        let mut stack = vec![tree.root_node()];
        let mut checked = 0;
        while let Some(node) = stack.pop() {
            assert_eq!(node.kind_str(), node.kind());
            checked += 1;
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
        assert!(checked > 50);
    }

    #[test]
    fn walk_is_a_cursor_walk() {
        let source = "import asyncio as aio\nclass C(B):\n    def f(self, x=1, *a):\n        y: int = x\n        return aio.run(g(y))\n";
        let mut parser = crate::syntax::parse::new_parser();
        let tree = crate::syntax::parse::parse(&mut parser, source);
        let nodes = walk(&tree);
        let mut cursor = tree.walk();
        let mut index = 0;
        'walk: loop {
            let visit = &nodes[index];
            assert_eq!(visit.node.id(), cursor.node().id());
            assert_eq!(visit.field(), cursor.field_name());
            assert_eq!(
                visit.parent(&nodes).map(|p| p.node.id()),
                cursor.node().parent().map(|p| p.id())
            );
            index += 1;
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        assert_eq!(index, nodes.len());
        assert!(nodes.iter().filter(|v| v.field().is_some()).count() > 10);
    }

    #[test]
    fn agrees_with_tree_sitter() {
        let source =
            "import asyncio\nasync def f(x=1):\n    return [asyncio.run(g(i)) for i in x]\n";
        let mut parser = crate::syntax::parse::new_parser();
        let tree = crate::syntax::parse::parse(&mut parser, source);
        let nodes = walk(&tree);
        let _map = ParentMap::install(&tree, &nodes);
        let mut stack = vec![tree.root_node()];
        let mut checked = 0;
        while let Some(node) = stack.pop() {
            assert_eq!(node.up().map(|n| n.id()), node.parent().map(|n| n.id()));
            checked += 1;
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
        assert!(checked > 30);
    }
}
