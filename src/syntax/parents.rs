//! Fast parent lookups. tree-sitter finds a node's parent by walking down from
//! the root, so asking for parents in a loop (every scope lookup does) costs
//! the depth times the breadth of the tree each time; in large files that
//! dominated the run. [`ParentMap::install`] walks the tree once and records
//! where every node is in the walk, for the trees being analysed on this
//! thread; [`Up::up`] and [`Up::ancestors`] answer from that record, and the
//! analyses of the file read the walk itself ([`ParentMap::nodes`]) rather
//! than walk the tree again. A large module's functions are
//! summarised on several threads: [`ParentMap::enter`] lends the record to
//! another thread for as long as the tree lives.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use tree_sitter::{Node, Tree};

thread_local! {
    /// The indexes of the trees being analysed on this thread (a stack:
    /// analyses may nest).
    static MAPS: RefCell<Vec<Arc<Index>>> = const { RefCell::new(Vec::new()) };
}

/// A tree's [`walk`], and where each node is in it.
struct Index {
    /// The walk, its nodes' lifetime set aside: they are read only while
    /// their tree lives (see `ParentMap`).
    nodes: Vec<Visit<'static>>,
    /// Node ids (addresses) to their places in `nodes`. The keys are
    /// trusted, so the hash need not resist attacks: a fast one halves the
    /// cost of a lookup.
    places: HashMap<usize, u32, foldhash::fast::FixedState>,
}

impl Index {
    /// The node at `place`'s parent, and its place.
    fn parent(&self, place: u32) -> Option<(u32, Node<'static>)> {
        let parent = self.nodes[place as usize].parent;
        let visit = self.nodes.get(parent as usize)?;
        Some((parent, visit.node))
    }
}

/// Keeps a tree's parent map installed on this thread while it lives.
pub struct ParentMap<'t> {
    _tree: &'t Tree,
    index: Arc<Index>,
}

impl<'t> ParentMap<'t> {
    /// Walk `tree` once ([`ParentMap::nodes`]) and record every node's place
    /// in the walk for this thread, until the returned guard is dropped.
    pub fn install(tree: &'t Tree) -> Self {
        let nodes = walk(tree);
        // SAFETY: only the lifetime changes; the guard keeps `tree` borrowed
        // while the index can be read, and hands the nodes out as `'t` only.
        let nodes: Vec<Visit<'static>> = unsafe { std::mem::transmute(nodes) };
        let mut places = HashMap::with_capacity_and_hasher(nodes.len(), Default::default());
        for (place, visit) in nodes.iter().enumerate() {
            places.insert(visit.node.id(), place as u32);
        }
        let index = Arc::new(Index { nodes, places });
        MAPS.with(|maps| maps.borrow_mut().push(index.clone()));
        Self { _tree: tree, index }
    }

    /// Every node of the tree, in the order of its one walk (see [`walk`]).
    pub fn nodes(&self) -> &[Visit<'t>] {
        &self.index.nodes
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
    /// The node's kind, by tree-sitter's id: read from the node at each
    /// question, it is a call into tree-sitter, and every analysis asks for
    /// every node.
    kind: u16,
}

const NO_PARENT: u32 = u32::MAX;

impl<'t> Visit<'t> {
    /// The visit of the node's parent, in the walk `nodes` this one is from.
    pub fn parent<'a>(&self, nodes: &'a [Visit<'t>]) -> Option<&'a Visit<'t>> {
        nodes.get(self.parent as usize)
    }

    /// Where the node's parent is in the walk; `None` for the root. A node's
    /// descendants follow it in the walk, each with its parent at its place
    /// or after: the first node whose parent is before it is past them.
    pub fn parent_place(&self) -> Option<usize> {
        (self.parent != NO_PARENT).then_some(self.parent as usize)
    }

    /// The field of its parent the node is in, as [`tree_sitter::TreeCursor::field_name`]
    /// names it.
    pub fn field(&self) -> Option<&'static str> {
        FIELDS.get(self.field as usize).copied().flatten()
    }

    /// The node's kind, as [`Up::kind_str`] names it.
    pub fn kind(&self) -> &'static str {
        kind_name(self.kind)
    }
}

/// Every node of `tree`, named or not, a node before its children and
/// children in order: what a walk with a cursor meets. The analyses of a file
/// read this one walk rather than each walking the tree (in a large file a
/// walk costs about as much as a tenth of the parse).
fn walk(tree: &Tree) -> Vec<Visit<'_>> {
    let mut nodes = Vec::with_capacity(tree.root_node().descendant_count());
    let mut cursor = tree.walk();
    // The indexes of the visits of the current node's ancestors.
    let mut ancestors: Vec<u32> = Vec::new();
    loop {
        let node = cursor.node();
        nodes.push(Visit {
            node,
            parent: ancestors.last().copied().unwrap_or(NO_PARENT),
            field: cursor.field_id().map_or(0, |id| id.get()),
            kind: node.kind_id(),
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
        let root = tree.root_node().id();
        let index = MAPS.with(|maps| {
            maps.borrow()
                .iter()
                .rev()
                .find(|index| index.places.contains_key(&root))
                .cloned()
        })?;
        MAPS.with(|maps| maps.borrow_mut().push(index.clone()));
        Some(Self { _tree: tree, index })
    }

    /// Install the same map on the current thread (another one, in a
    /// parallel loop), until the returned guard is dropped.
    pub fn enter(&self) -> ParentMap<'t> {
        MAPS.with(|maps| maps.borrow_mut().push(self.index.clone()));
        ParentMap {
            _tree: self._tree,
            index: self.index.clone(),
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

/// Field ids by name, for [`Up::child_by_field`].
static FIELD_IDS: std::sync::LazyLock<HashMap<&'static str, u16, foldhash::fast::FixedState>> =
    std::sync::LazyLock::new(|| {
        FIELDS
            .iter()
            .enumerate()
            .filter_map(|(id, name)| Some(((*name)?, id as u16)))
            .collect()
    });

/// The name of the node kind `id`.
fn kind_name(id: u16) -> &'static str {
    // Every id of the one grammar is in the table, but for tree-sitter's own
    // error symbol, the last id.
    KINDS.get(id as usize).copied().unwrap_or("ERROR")
}

pub trait Up<'t> {
    /// The node's kind, as [`Node::kind`] names it, from a table: `kind`
    /// measures and checks the name's C string on every call, and the
    /// analyses ask millions of times in a large file.
    fn kind_str(&self) -> &'static str;

    /// The node's parent, from the installed map when there is one.
    fn up(&self) -> Option<Node<'t>>;

    /// The child in field `name`, as [`Node::child_by_field_name`] finds
    /// it, with the field's id from a table: tree-sitter finds the id by
    /// comparing the name with each field's in turn, and the analyses ask
    /// at most nodes they look at.
    fn child_by_field(&self, name: &str) -> Option<Node<'t>>;

    /// The node's ancestors, its parent first: from the installed map, with
    /// one lookup for them all.
    fn ancestors(&self) -> Ancestors<'t>;
}

/// The ancestors of a node, its parent first (see [`Up::ancestors`]).
pub struct Ancestors<'t> {
    /// The installed index, and the place in it of the last node given.
    index: Option<(Arc<Index>, u32)>,
    /// Without an index: the last node given.
    node: Option<Node<'t>>,
}

impl<'t> Iterator for Ancestors<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        match &mut self.index {
            Some((index, place)) => {
                let (parent, node) = index.parent(*place)?;
                *place = parent;
                Some(node)
            }
            None => {
                self.node = self.node?.parent();
                self.node
            }
        }
    }
}

/// The index installed on this thread that holds the node `id`, with its
/// place there.
fn placed(id: usize) -> Option<(Arc<Index>, u32)> {
    MAPS.with(|maps| {
        maps.borrow().iter().rev().find_map(|index| {
            let place = *index.places.get(&id)?;
            Some((index.clone(), place))
        })
    })
}

impl<'t> Up<'t> for Node<'t> {
    fn kind_str(&self) -> &'static str {
        kind_name(self.kind_id())
    }

    fn up(&self) -> Option<Node<'t>> {
        let id = self.id();
        // The maps hold only nodes of trees whose guard is alive on this
        // thread, and node ids are addresses within their tree: the parent
        // found belongs to the tree of `self`, which lives for `'t`.
        let found = MAPS.with(|maps| {
            maps.borrow().iter().rev().find_map(|index| {
                let place = *index.places.get(&id)?;
                Some(index.parent(place).map(|(_, node)| node))
            })
        });
        match found {
            Some(parent) => parent,
            None => self.parent(),
        }
    }

    fn child_by_field(&self, name: &str) -> Option<Node<'t>> {
        self.child_by_field_id(*FIELD_IDS.get(name)?)
    }

    fn ancestors(&self) -> Ancestors<'t> {
        match placed(self.id()) {
            Some(index) => Ancestors {
                index: Some(index),
                node: None,
            },
            None => Ancestors {
                index: None,
                node: Some(*self),
            },
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
        let parents = ParentMap::install(&tree);
        let nodes = parents.nodes();
        let mut cursor = tree.walk();
        let mut index = 0;
        'walk: loop {
            let visit = &nodes[index];
            assert_eq!(visit.node.id(), cursor.node().id());
            assert_eq!(visit.field(), cursor.field_name());
            assert_eq!(visit.kind(), cursor.node().kind());
            for name in FIELDS.iter().flatten().chain([&"no_such_field"]) {
                assert_eq!(
                    visit.node.child_by_field(name),
                    visit.node.child_by_field_name(name)
                );
            }
            assert_eq!(
                visit.parent(nodes).map(|p| p.node.id()),
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
        let _map = ParentMap::install(&tree);
        let mut stack = vec![tree.root_node()];
        let mut checked = 0;
        while let Some(node) = stack.pop() {
            assert_eq!(node.up().map(|n| n.id()), node.parent().map(|n| n.id()));
            let mut expected = Vec::new();
            let mut current = node;
            while let Some(parent) = current.parent() {
                expected.push(parent.id());
                current = parent;
            }
            assert_eq!(
                node.ancestors().map(|n| n.id()).collect::<Vec<_>>(),
                expected
            );
            checked += 1;
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
        assert!(checked > 30);
    }
}
