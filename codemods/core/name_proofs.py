"""The bookkeeping of a proof about names whose bindings may use the name itself
(``path = path / "x"``): while a name is being proven, a step that meets it takes it for
proven, and the name's answer counts only when some binding holds without that
assumption. The ``files`` codemod's Path proof uses it twice, over libcst's scope
analysis (:mod:`codemods.core.paths`) and over the ``ast`` tree
(:mod:`codemods.files.path_proof`); both must reach the same answers. Free of libcst.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

Answer = TypeVar("Answer")


class NameProofs(Generic[Answer]):
    """The names being proven, and whether a step took one of them for proven."""

    def __init__(self, assumed: Answer) -> None:
        #: What a name being proven is taken for when a step meets it again.
        self._assumed_answer = assumed
        self._pending: set[Hashable] = set()
        self._assumed = False
        #: What was found of the names proven or refuted without an assumption.
        self._known: dict[Hashable, Answer] = {}

    def name(self, key: Hashable, prove: Callable[..., Answer], *arguments: Any) -> Answer:
        """The answer for the name ``key`` stands for (a scope and a name), which
        ``prove(*arguments)`` finds from its bindings; taken for proven while it is being
        proven."""
        if key in self._pending:
            self._assumed = True
            return self._assumed_answer
        if key in self._known:
            return self._known[key]
        outer, self._assumed = self._assumed, False
        self._pending.add(key)
        try:
            found = prove(*arguments)
        finally:
            self._pending.discard(key)
        if not self._assumed:
            self._known[key] = found
        self._assumed = outer or self._assumed
        return found

    def binding(self, prove: Callable[..., Answer], *arguments: Any) -> tuple[Answer, bool]:
        """What ``prove(*arguments)`` finds of one binding's value, and whether it found
        that without taking a name being proven for proven (then the binding grounds the
        name)."""
        before, self._assumed = self._assumed, False
        found = prove(*arguments)
        alone = not self._assumed
        self._assumed = before or self._assumed
        return found, alone
