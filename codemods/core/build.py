"""Small libcst builders every codemod uses: where ``await`` needs parentheses, the
source of a node, keyword arguments."""

from __future__ import annotations

import libcst as cst

_EMPTY_MODULE = cst.Module(body=[])


def needs_parentheses(node: cst.CSTNode, parent: cst.CSTNode | None) -> bool:
    """True when ``await <node>`` must be parenthesised where ``node`` stands.

    ``await`` binds tighter than every operator but less tightly than a primary
    (attribute access, subscription, call), so only those, and another ``await``,
    need parentheses around it.
    """
    if isinstance(parent, cst.Attribute) and parent.value is node:
        return True
    if isinstance(parent, cst.Subscript) and parent.value is node:
        return True
    if isinstance(parent, cst.Call) and parent.func is node:
        return True
    return isinstance(parent, cst.Await)


def code_of(node: cst.CSTNode) -> str:
    """The source code of ``node`` on its own."""
    return _EMPTY_MODULE.code_for_node(node)
