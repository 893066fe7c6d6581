//! What a name or attribute at a call refers to, from the file's own
//! bindings: a local function, a method of a class of the file (through
//! `self`/`cls`), or a symbol of another module through an import. What it
//! cannot tell stays [`Callee::Unknown`]; the graph never guesses.

use crate::syntax::parents::Up;
use std::collections::HashMap;

use tree_sitter::Node;

use super::imports::import_bindings;
use super::nodes::qualname_of;
use super::summary::{Callee, ImportTarget};
use crate::analysis::bindings::Meaning;
use crate::analysis::runs::Checker;
use crate::analysis::scope::{ScopeKind, scopes_of};
use crate::analysis::threads::callee_name;

/// A class by its module and name.
type ClassRef = (String, String);

/// Resolves what a name or attribute at some place refers to.
/// How deep receivers are followed (`c = f.Client()` where `f` is itself an
/// instance); deeper, the callee stays unknown.
const MAX_RECEIVERS: u32 = 8;

pub(super) struct Resolver<'a, 't> {
    pub(super) checker: &'a Checker<'t>,
    pub(super) by_node: &'a HashMap<usize, usize>,
    pub(super) module: &'a str,
    pub(super) is_package: bool,
    /// The module has `from m import *` statements that may bind names.
    pub(super) stars: bool,
    /// What `self.field` holds in a class, by (class node, field): see
    /// [`Resolver::self_field_instance`].
    pub(super) self_fields: std::cell::RefCell<HashMap<(usize, String), Option<ClassRef>>>,
    /// How many receivers [`Resolver::instance_of`] is following at once:
    /// `a = b.X()` and `b = a.Y()` name each other, and the chain of
    /// receivers must end.
    pub(super) receivers: std::cell::Cell<u32>,
}

impl<'t> Resolver<'_, 't> {
    pub(super) fn callee(
        &self,
        function: Node<'t>,
        scopes: &[crate::analysis::scope::Scope<'t>],
    ) -> Callee {
        let source = self.checker.source;
        let text = &source[function.byte_range()];
        let last = text.rsplit('.').next().unwrap_or(text).trim().to_owned();
        let unknown = || Callee::Unknown(last.clone());
        match function.kind_str() {
            "identifier" => self.name(text, scopes).unwrap_or_else(unknown),
            "attribute" => {
                let (Some(object), Some(attribute)) = (
                    function.child_by_field("object"),
                    function.child_by_field("attribute"),
                ) else {
                    return unknown();
                };
                let attribute = source[attribute.byte_range()].to_owned();
                self.attribute(object, &attribute, scopes)
                    .unwrap_or_else(unknown)
            }
            _ => unknown(),
        }
    }

    /// The callee a plain reference (a name, `self.m`, `functools.partial(f)`)
    /// stands for.
    pub(super) fn callee_of_reference(&self, node: Node<'t>) -> Option<Callee> {
        let source = self.checker.source;
        if node.kind_str() == "call" && callee_name(node, source) == Some("partial") {
            let first = node.child_by_field("arguments")?.named_child(0)?;
            return self.callee_of_reference(first);
        }
        let scopes = scopes_of(node);
        match self.callee(node, &scopes) {
            Callee::Unknown(_) => None,
            callee => Some(callee),
        }
    }

    pub(super) fn name(
        &self,
        name: &str,
        scopes: &[crate::analysis::scope::Scope<'t>],
    ) -> Option<Callee> {
        let (meaning, bindings) = self.checker.bindings.lookup(name, scopes);
        if meaning == Meaning::Unbound && self.stars {
            return Some(Callee::Star(name.to_owned()));
        }
        if meaning != Meaning::Other || bindings.len() != 1 {
            return None;
        }
        let binding = bindings[0].node;
        let parent = binding.up()?;
        match parent.kind_str() {
            "function_definition" => self.by_node.get(&parent.id()).map(|&i| Callee::Local(i)),
            _ => match self.import_target(binding)? {
                ImportTarget::Symbol(module, name) => Some(Callee::Symbol(module, name)),
                ImportTarget::Module(_) => None,
            },
        }
    }

    pub(super) fn attribute(
        &self,
        object: Node<'t>,
        attribute: &str,
        scopes: &[crate::analysis::scope::Scope<'t>],
    ) -> Option<Callee> {
        let source = self.checker.source;
        match object.kind_str() {
            "identifier" => {
                let name = &source[object.byte_range()];
                if let Some(class) = self_class(object, scopes, source) {
                    return Some(Callee::Method(class, attribute.to_owned()));
                }
                let (meaning, bindings) = self.checker.bindings.lookup(name, scopes);
                if meaning != Meaning::Other || bindings.len() != 1 {
                    return None;
                }
                let binding = bindings[0].node;
                let parent = binding.up()?;
                if let Some(instance) = self.instance_of(binding, attribute, scopes) {
                    return Some(instance);
                }
                if parent.kind_str() == "class_definition" {
                    return Some(Callee::Method(
                        qualname_of(parent, source),
                        attribute.to_owned(),
                    ));
                }
                match self.import_target(binding)? {
                    ImportTarget::Module(module) => {
                        Some(Callee::Symbol(module, attribute.to_owned()))
                    }
                    ImportTarget::Symbol(module, name) => Some(Callee::Symbol(
                        format!("{module}.{name}"),
                        attribute.to_owned(),
                    )),
                }
            }
            // `a.b.f()` after `import a.b`
            "attribute" => {
                if let Some(instance) = self.self_field_instance(object, attribute, scopes) {
                    return Some(instance);
                }
                let text = &source[object.byte_range()];
                let root = text.split('.').next()?;
                let (meaning, bindings) = self.checker.bindings.lookup(root, scopes);
                if meaning != Meaning::Other || bindings.len() != 1 {
                    return None;
                }
                match self.import_target(bindings[0].node)? {
                    ImportTarget::Module(module) if module == root => {
                        Some(Callee::Symbol(text.to_owned(), attribute.to_owned()))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `c.m()` where `c` is bound once, in the same scope, to an instance of
    /// a class imported from another module: `c = Class(...)`, or a parameter
    /// annotated `c: Class`.
    fn instance_of(
        &self,
        binding: Node<'t>,
        attribute: &str,
        scopes: &[crate::analysis::scope::Scope<'t>],
    ) -> Option<Callee> {
        let source = self.checker.source;
        let parent = binding.up()?;
        let class = match parent.kind_str() {
            "assignment" if parent.child_by_field("left") == Some(binding) => {
                let right = parent.child_by_field("right")?;
                if right.kind_str() != "call" {
                    return None;
                }
                right.child_by_field("function")?
            }
            "typed_parameter" | "typed_default_parameter" => {
                let annotation = parent.child_by_field("type")?;
                let inner = annotation.named_child(0).unwrap_or(annotation);
                match inner.kind_str() {
                    "identifier" | "attribute" => inner,
                    _ => return None,
                }
            }
            _ => return None,
        };
        if !matches!(class.kind_str(), "identifier" | "attribute") {
            return None;
        }
        let depth = self.receivers.get();
        if depth >= MAX_RECEIVERS {
            return None;
        }
        self.receivers.set(depth + 1);
        let callee = self.callee(class, scopes);
        self.receivers.set(depth);
        match callee {
            Callee::Symbol(module, name) => {
                Some(Callee::Instance(module, name, attribute.to_owned()))
            }
            _ => {
                let _ = source;
                None
            }
        }
    }

    /// `self.field.m()` in a method, where every assignment to
    /// `self.field` in the class is `self.field = Class(...)` of one class
    /// imported from another module.
    fn self_field_instance(
        &self,
        object: Node<'t>,
        attribute: &str,
        scopes: &[crate::analysis::scope::Scope<'t>],
    ) -> Option<Callee> {
        let source = self.checker.source;
        let receiver = object.child_by_field("object")?;
        let field = &source[object.child_by_field("attribute")?.byte_range()];
        if receiver.kind_str() != "identifier" || &source[receiver.byte_range()] != "self" {
            return None;
        }
        self_class(receiver, scopes, source)?;
        let function = scopes
            .iter()
            .find(|s| matches!(s.kind, ScopeKind::Function { .. }))?;
        let class = scopes_of(function.node)
            .first()
            .filter(|s| s.kind == ScopeKind::Class)?
            .node;
        let key = (class.id(), field.to_owned());
        if let Some(known) = self.self_fields.borrow().get(&key) {
            return known
                .clone()
                .map(|(m, c)| Callee::Instance(m, c, attribute.to_owned()));
        }
        // Unknown while it is being worked out: `self.a = self.b.X()` with
        // `self.b = self.a.Y()` asks for this field again from inside.
        self.self_fields.borrow_mut().insert(key.clone(), None);
        let wanted = format!("self.{field}");
        let mut found: Option<ClassRef> = None;
        let mut consistent = true;
        let mut cursor = class.walk();
        'walk: loop {
            let node = cursor.node();
            if node.kind_str() == "assignment"
                && let Some(left) = node.child_by_field("left")
                && source[left.byte_range()] == *wanted
            {
                let class_of = node
                    .child_by_field("right")
                    .filter(|r| r.kind_str() == "call")
                    .and_then(|r| r.child_by_field("function"))
                    .and_then(|f| match self.callee(f, &scopes_of(f)) {
                        Callee::Symbol(m, c) => Some((m, c)),
                        _ => None,
                    });
                match (&found, class_of) {
                    (_, None) => consistent = false,
                    (None, Some(c)) => found = Some(c),
                    (Some(a), Some(b)) if *a != b => consistent = false,
                    _ => {}
                }
            } else if node.kind_str() == "augmented_assignment"
                && node
                    .child_by_field("left")
                    .is_some_and(|l| source[l.byte_range()] == *wanted)
            {
                consistent = false;
            }
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() || cursor.node().id() == class.id() {
                    break 'walk;
                }
            }
        }
        let result = found.filter(|_| consistent);
        self.self_fields.borrow_mut().insert(key, result.clone());
        result.map(|(m, c)| Callee::Instance(m, c, attribute.to_owned()))
    }

    /// What an identifier bound by an import points at.
    pub(super) fn import_target(&self, binding: Node) -> Option<ImportTarget> {
        let mut node = binding;
        let statement = loop {
            node = node.up()?;
            if matches!(
                node.kind_str(),
                "import_statement" | "import_from_statement"
            ) {
                break node;
            }
        };
        import_bindings(statement, self.checker.source, self.module, self.is_package)
            .into_iter()
            .find(|(name, _)| *name == self.checker.source[binding.byte_range()])
            .map(|(_, target)| target)
    }
}

/// The class of `self`/`cls` when `object` is the first parameter of a method
/// directly in a class body.
pub(super) fn self_class(
    object: Node,
    scopes: &[crate::analysis::scope::Scope],
    source: &str,
) -> Option<String> {
    let function = scopes.iter().find(|s| {
        s.kind != ScopeKind::Comprehension { generator: false }
            && s.kind != ScopeKind::Comprehension { generator: true }
    })?;
    if !matches!(function.kind, ScopeKind::Function { .. }) {
        return None;
    }
    // The name first: most receivers are not `self`, and the class is found
    // by a walk up.
    let first_parameter = function
        .node
        .child_by_field("parameters")?
        .named_child(0)
        .filter(|p| p.kind_str() == "identifier")?;
    if source[first_parameter.byte_range()] != source[object.byte_range()] {
        return None;
    }
    let class = scopes_of(function.node)
        .first()
        .filter(|s| s.kind == ScopeKind::Class)
        .map(|s| s.node)?;
    Some(qualname_of(class, source))
}
