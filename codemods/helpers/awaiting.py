"""The libcst half of :mod:`codemods.helpers.convert`: functions named by their
module-relative qualified names become ``async def``, and calls named as sites are
(function, callee as written, occurrence) get ``await``, parenthesised where needed."""

from __future__ import annotations

from collections import defaultdict

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider

from codemods.core.build import await_expression, needs_parentheses
from codemods.helpers.command import normalised


def apply(
    data: bytes, convert: frozenset[str], awaits: frozenset[tuple[str, str, int]]
) -> tuple[bytes, frozenset[str]]:
    """``data`` converted, and the functions made coroutines."""
    transformer = _Convert(convert, awaits)
    result = MetadataWrapper(cst.parse_module(data)).visit(transformer)
    return result.bytes, frozenset(transformer.made)


class _Convert(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (ParentNodeProvider,)

    def __init__(self, convert: frozenset[str], awaits: frozenset[tuple[str, str, int]]) -> None:
        super().__init__()
        self.convert = convert
        self.awaits = awaits
        self.made: set[str] = set()
        self._scopes: list[str] = []
        self._seen: list[dict[str, int]] = []
        self._lambdas = 0
        self._await: set[int] = set()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._scopes.append(node.name.value)

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self._scopes.pop()
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append(node.name.value)
        self._seen.append(defaultdict(int))

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        qualname = ".".join(self._scopes)
        self._scopes.pop()
        self._seen.pop()
        if qualname in self.convert and original_node.asynchronous is None:
            self.made.add(qualname)
            return updated_node.with_changes(asynchronous=cst.Asynchronous())
        return updated_node

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._lambdas += 1  # the index does not follow calls in a lambda

    def leave_Lambda(self, original_node: cst.Lambda, updated_node: cst.Lambda) -> cst.Lambda:
        self._lambdas -= 1
        return updated_node

    # Counted in visit order, as the helpers command counts its sites.
    def visit_Call(self, node: cst.Call) -> None:
        if not self._seen or self._lambdas:
            return
        callee = normalised(node.func)
        if callee is None:
            return
        occurrence = self._seen[-1][callee]
        self._seen[-1][callee] += 1
        if (".".join(self._scopes), callee, occurrence) in self.awaits:
            self._await.add(id(node))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if id(original_node) not in self._await:
            return updated_node
        if original_node.lpar:  # the parentheses written around the call stay
            return await_expression(updated_node).with_changes(
                lpar=original_node.lpar, rpar=original_node.rpar
            )
        parent = self.get_metadata(ParentNodeProvider, original_node, None)
        return await_expression(
            updated_node, parenthesised=needs_parentheses(original_node, parent)
        )
