"""Where the node being visited runs: directly in a coroutine, in sync code, in a
generator expression inside a coroutine, in an annotation, or under a thread lock.

:class:`CoroutineContext` is a mixin of :class:`~codemods.core.base.AsyncCodemod`: its
visitor hooks keep a stack of where the current node runs.
"""

from __future__ import annotations

import enum

import libcst as cst

from codemods.core.catalogue import LOCK_NAME, THREAD_LOCKS
from codemods.core.plain_names import lock_spellings


class _Where(enum.Enum):
    """Where a node runs, seen from the innermost enclosing body."""

    COROUTINE = "coroutine"  # directly in an ``async def`` body
    SYNC = "sync"  # a ``def``, ``lambda`` or ``class`` body
    GENEXP = "genexp"  # a generator expression inside a coroutine: ``await`` would change it
    ANNOTATION = "annotation"  # evaluated late or never (PEP 563/649, local variables)
    #: In a coroutine, inside ``with <thread lock>:``. An ``await`` there would suspend the
    #: coroutine while it holds the lock; another coroutine taking the same lock would then
    #: block the event loop's thread, and the first could never resume: a deadlock.
    LOCKED = "locked"


#: Why a call under a thread lock is left for manual work (every codemod's message ends so).
LOCKED_REASON = (
    "a thread lock is held around it: awaiting there would keep the lock across the await, "
    "and a coroutine waiting for that lock would block the event loop (deadlock); move the "
    "call out of the 'with' block or use an asyncio.Lock"
)


class CoroutineContext:
    """Tracks where the node being visited runs (a mixin of the codemods' base class, which
    provides ``parent_of`` and ``qualified_names``)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._where: list[_Where] = []
        self._locks: list[bool] = []  # per ``with`` body: whether it pushed _Where.LOCKED
        self._first_iterables: dict[int, _Where] = {}  # id(CompFor) -> where it is evaluated

    # Attribute hooks (``visit_<Node>_<field>``) make defaults, decorators and
    # annotations of a nested ``def`` belong to the enclosing body, as they do
    # at run time; only the nested body is sync.

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._where.append(_Where.COROUTINE if node.asynchronous is not None else _Where.SYNC)

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._where.pop()

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self._where.append(_Where.SYNC)

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self._where.pop()

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._where.append(_Where.SYNC)

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._where.pop()

    # An annotation is never coroutine code: under ``from __future__ import annotations``
    # (and from Python 3.14 on) it is evaluated lazily, if ever, and ``await`` there does
    # not compile; a local variable's annotation is never evaluated at all.
    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._where.append(_Where.ANNOTATION)

    def leave_Annotation(
        self, original_node: cst.Annotation, updated_node: cst.Annotation
    ) -> cst.Annotation:
        self._where.pop()
        return updated_node

    # A generator expression's first iterable is evaluated where the expression stands,
    # at once; only the rest runs lazily, in the generator.
    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        enclosing = self._where[-1] if self._where else _Where.SYNC
        self._where.append(_Where.GENEXP if enclosing == _Where.COROUTINE else enclosing)
        self._first_iterables[id(node.for_in)] = enclosing

    def visit_CompFor_iter(self, node: cst.CompFor) -> None:
        if id(node) in self._first_iterables:
            self._where.append(self._first_iterables[id(node)])

    def leave_CompFor_iter(self, node: cst.CompFor) -> None:
        if id(node) in self._first_iterables:
            self._where.pop()

    def leave_GeneratorExp(
        self, original_node: cst.GeneratorExp, updated_node: cst.GeneratorExp
    ) -> cst.BaseExpression:
        self._where.pop()
        return updated_node

    def in_coroutine(self) -> bool:
        """True while visiting code that runs directly in a coroutine."""
        return bool(self._where) and self._where[-1] == _Where.COROUTINE

    def under_thread_lock(self) -> bool:
        """True inside ``with <thread lock>:`` in a coroutine, where nothing may be awaited
        (:meth:`in_coroutine` is then False: codemods leave such calls alone, and the
        offloading ones report them)."""
        return bool(self._where) and self._where[-1] == _Where.LOCKED

    def visit_With_body(self, node: cst.With) -> None:
        locked = self.in_coroutine() and self._holds_thread_lock(node)
        self._locks.append(locked)
        if locked:
            self._where.append(_Where.LOCKED)

    def leave_With_body(self, node: cst.With) -> None:
        if self._locks.pop():
            self._where.pop()

    def held_lock(self, node: cst.CSTNode) -> bool:
        """True if ``node`` (original tree) runs inside ``with <thread lock>:`` within its
        function: for codemods that plan a whole coroutine instead of asking
        :meth:`under_thread_lock` while they visit it."""
        child, parent = node, self.parent_of(node)
        while parent is not None and not isinstance(
            parent, (cst.FunctionDef, cst.Lambda, cst.ClassDef)
        ):
            if (
                isinstance(parent, cst.With)
                and child is parent.body
                and self._holds_thread_lock(parent)
            ):
                return True
            child, parent = parent, self.parent_of(parent)
        return False

    def _holds_thread_lock(self, node: cst.With) -> bool:
        """A plain ``with`` (an ``asyncio.Lock`` needs ``async with``) on a thread lock."""
        return node.asynchronous is None and any(
            self._is_thread_lock(item.item) for item in node.items
        )

    def _is_thread_lock(self, expression: cst.BaseExpression) -> bool:
        """``lock``, ``self._lock``, ``threading.Lock()``: a lock, by its name or type."""
        if isinstance(expression, cst.Call):
            func = expression.func
            last = func.attr if isinstance(func, cst.Attribute) else func
            source: bytes | None = getattr(self, "source", None)
            spellings = lock_spellings(source) if source is not None else None
            if isinstance(last, cst.Name) and spellings is not None:
                if last.value not in spellings:
                    return False  # no lock class is spelled so in the module
            return bool(self.qualified_names(func) & THREAD_LOCKS)
        if isinstance(expression, cst.Attribute):
            return bool(LOCK_NAME.search(expression.attr.value))
        if isinstance(expression, cst.Name):
            return bool(LOCK_NAME.search(expression.value))
        return False

    def in_generator_expression(self) -> bool:
        """True inside a generator expression that is itself inside a coroutine."""
        return bool(self._where) and self._where[-1] == _Where.GENEXP

    # Import statements name things without using them.
    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False
