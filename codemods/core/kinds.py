"""The kind of object an expression evaluates to (a file, an httpx client, a sqlite3
connection, ...), read from the calls that make it and the annotations that declare it,
as a type checker and flake8-async read them; for ``self.<attribute>`` in a method, what
the class keeps there (see :mod:`codemods.core.attributes`)."""

from __future__ import annotations

import libcst as cst

from codemods.core.catalogue import ANNOTATIONS, CONSTRUCTORS, MEMBERS, RETURNS, ObjectKind
from codemods.core.lookups import Lookups
from codemods.core.navigation import assignments_of, instance_of


def kind_of(lookups: Lookups, node: cst.BaseExpression, depth: int = 0) -> ObjectKind | None:
    """The kind of object ``node`` (original tree) evaluates to, when it is known."""
    if depth > 8:
        return None
    if isinstance(node, cst.Call):
        for name in lookups.call_names(node.func):
            if name in CONSTRUCTORS:
                return CONSTRUCTORS[name]
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        receiver = kind_of(lookups, func.value, depth + 1)
        if receiver == ObjectKind.SQLITE and func.attr.value in {
            "cursor",
            "execute",
            "executemany",
            "executescript",
        }:
            return ObjectKind.SQLITE
        if receiver == ObjectKind.BOTO_RESOURCE and func.attr.value[:1].isupper():
            return receiver  # a sub-resource: s3.Bucket(name), made without I/O
        return RETURNS.get((receiver, func.attr.value)) if receiver is not None else None
    if isinstance(node, cst.Name):
        return _name_kind(lookups, node, depth)
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        owner = instance_of(lookups, node.value)  # ``self.log`` in a method
        if owner is not None:
            kept = lookups.attribute_kind(owner, node.attr.value)
            if kept is not None:
                return kept
    if isinstance(node, (cst.Attribute, cst.Subscript)):
        # ``client.db`` / ``client["db"]``: only kinds whose members are known objects
        # (an attribute of anything else may be a method or plain data).
        receiver = kind_of(lookups, node.value, depth + 1)
        return MEMBERS.get(receiver) if receiver is not None else None
    return None


def _name_kind(lookups: Lookups, name: cst.Name, depth: int) -> ObjectKind | None:
    """The declared kind of a name: its last annotation before ``name`` in its scope,
    else the value of its last assignment (as a type checker and flake8-async read it)."""
    assignments = assignments_of(lookups, name)
    if not assignments:
        return None
    scope = lookups.scope_of(name)
    use = lookups.position_of(name)
    local = [a for a in assignments if a.scope is scope]
    if local:
        before = [a for a in local if lookups.position_of(a.node) < use]
        if not before:
            return None
    else:  # a global or a closure variable: as bound where the coroutine is defined
        before = [a for a in assignments if lookups.position_of(a.node) < use] or assignments
    before.sort(key=lambda a: lookups.position_of(a.node))
    for assignment in reversed(before):
        declared = _declared_annotation(lookups, assignment.node)
        if declared is not None:
            return _annotation_kind(lookups, declared)
    return _assigned_kind(lookups, before[-1].node, depth)


def _declared_annotation(lookups: Lookups, node: cst.CSTNode) -> cst.BaseExpression | None:
    if isinstance(node, cst.Param):
        return node.annotation.annotation if node.annotation is not None else None
    parent = lookups.parent_of(node)
    if isinstance(parent, cst.AnnAssign) and parent.target is node:
        return parent.annotation.annotation
    return None


def _assigned_kind(lookups: Lookups, node: cst.CSTNode, depth: int) -> ObjectKind | None:
    parent = lookups.parent_of(node)
    if isinstance(parent, cst.AssignTarget) and parent.target is node:
        assign = lookups.parent_of(parent)
        if isinstance(assign, cst.Assign):
            return kind_of(lookups, assign.value, depth + 1)
    if isinstance(parent, cst.AsName) and parent.name is node:
        item = lookups.parent_of(parent)
        if isinstance(item, cst.WithItem):
            # files, clients, pools, connections and Popen all return self on enter
            return kind_of(lookups, item.item, depth + 1)
    return None


def _annotation_kind(lookups: Lookups, node: cst.BaseExpression) -> ObjectKind | None:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        sides = [node.left, node.right]
        others = [s for s in sides if not (isinstance(s, cst.Name) and s.value == "None")]
        return _annotation_kind(lookups, others[0]) if len(others) == 1 else None
    optional = {"typing.Optional", "Optional"}
    if isinstance(node, cst.Subscript) and lookups.call_names(node.value) & optional:
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            return _annotation_kind(lookups, node.slice[0].slice.value)
        return None
    for name in lookups.call_names(node):
        if name in ANNOTATIONS:
            return ANNOTATIONS[name]
    return None
