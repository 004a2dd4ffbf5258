"""Where each node of a libcst module starts and ends, as libcst's ``PositionProvider``
gives it, at a fraction of its cost.

libcst finds positions by generating the module's code while it tracks the line and
column after every token (a regular-expression split of each token) and makes two
position objects per node. Here the code generation records only character offsets, and a
node's offsets become a line and column when a codemod asks for that node: most ask for a
few nodes of a module, or none.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

#: What ends a line, as libcst counts lines.
_NEWLINE = re.compile(r"\r\n?|\n")


@dataclass
class _Offsets(CodegenState):
    """Code generation that records each node's start and end as character offsets, with
    libcst's rules: a node's syntactic position (recorded inside its own code generation)
    wins over the whole span of its tokens."""

    offset: int = 0
    spans: dict[cst.CSTNode, tuple[int, int]] = field(default_factory=dict)
    popped: str = ""
    _starts: list[int] = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._starts.pop()
        if node not in self.spans:
            self.spans[node] = (start, self.offset)

    def pop_trailing_newline(self) -> None:
        if self.tokens:
            self.popped = self.tokens.pop()

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.spans[start_node][0]
            if end_node is not None:
                end = self.spans[end_node][1]
            self.spans[node] = (start, end)


class Positions(Mapping[cst.CSTNode, CodeRange]):
    """Node -> its ``CodeRange``, as ``PositionProvider`` gives it, made on first read."""

    def __init__(self, spans: dict[cst.CSTNode, tuple[int, int]], text: str) -> None:
        self._spans = spans
        #: The offset where each line starts.
        self._lines = [0, *(m.end() for m in _NEWLINE.finditer(text))]
        self._made: dict[cst.CSTNode, CodeRange] = {}

    def _position(self, offset: int) -> CodePosition:
        line = bisect_right(self._lines, offset)
        return CodePosition(line, offset - self._lines[line - 1])

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self._made.get(node)
        if found is None:
            start, end = self._spans[node]
            found = self._made[node] = CodeRange(self._position(start), self._position(end))
        return found

    def get(self, node: cst.CSTNode, default: object = None) -> object:  # type: ignore[override]
        return self[node] if node in self._spans else default

    def __contains__(self, node: object) -> bool:
        return node in self._spans

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)


#: The last module asked about and its positions (codemods that share a module share them).
_last: tuple[cst.Module, Positions] | None = None


def positions(module: cst.Module) -> Positions:
    """Every node of ``module`` (the module included) to where it starts and ends."""
    global _last
    if _last is not None and _last[0] is module:
        return _last[1]
    state = _Offsets(default_indent=module.default_indent, default_newline=module.default_newline)
    module._codegen(state)
    found = Positions(state.spans, "".join(state.tokens) + state.popped)
    _last = (module, found)
    return found
