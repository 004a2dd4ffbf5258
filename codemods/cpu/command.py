"""CPU-bound calls in coroutines -> ``run_in_executor`` on a process pool (or a thread).

Which calls: functions the user names (``cpu_bound``: ``crunch``, ``pkg.mod.func``,
``pkg.mod:func``) or marks with ``# async-migrate: cpu-bound`` on the ``def`` line, the
GIL-releasing key derivation functions of ``hashlib``, and, on request
(``offload_compression``), ``zlib``/``gzip``/``bz2``/``lzma`` compress and decompress.
Calls to sync functions of the module that look CPU-bound are only suggested.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import (
    Assignment,
    BaseAssignment,
    GlobalScope,
    PositionProvider,
    QualifiedNameSource,
)

from codemods.core.base import LOCKED_REASON, AsyncCodemod
from codemods.core.build import code_of
from codemods.core.insert import insert_after_header
from codemods.cpu.analysis import ModuleFacts, is_generator, module_facts, state_change
from codemods.cpu.decided import suggestion_message
from codemods.cpu.names import COMPRESSION, GIL_RELEASING, CpuBoundNames
from codemods.cpu.pool import choose_helper, helper_statements
from codemods.cpu.prescan import candidate_names, may_call_candidate
from codemods.cpu.spec import SPEC

#: Black's line length: a rewritten call longer than this gets its arguments on a new line.
LINE_LENGTH = 88


class Offload(enum.Enum):
    """What becomes of a call."""

    POOL = "pool"  # run_in_executor on the process pool
    THREAD = "thread"  # asyncio.to_thread: it releases the GIL
    FALLBACK = "fallback"  # asyncio.to_thread, as the pool cannot take it (the reason says why)
    REFUSE = "refuse"  # left unchanged and reported (the reason says why)
    SUGGEST = "suggest"  # left unchanged: it only looks CPU-bound


@dataclass(frozen=True)
class Verdict:
    kind: Offload
    reason: str = ""


class CpuCommand(AsyncCodemod):
    """Offload CPU-bound calls made directly in coroutines to a process pool or a thread."""

    SPEC = SPEC

    def __init__(
        self,
        context: CodemodContext,
        cpu_bound: Sequence[str] | None = None,
        offload_compression: bool = False,
    ) -> None:
        super().__init__(context)
        self.cpu_bound = CpuBoundNames.parse(cpu_bound)
        self.offload_compression = bool(offload_compression)
        self._facts = ModuleFacts(set(), set(), set())
        self._module: cst.Module | None = None
        self._lines: list[str] = []
        self._helper: tuple[str, str, bool] | None = None
        self._pool_used = False

    # -- module -------------------------------------------------------------

    def transform_module(self, tree: cst.Module) -> cst.Module:
        # Resolving metadata costs far more than this look for candidates.
        names = candidate_names(self.cpu_bound, self.offload_compression)
        names |= {d.name.value for d in module_facts(tree).suggestible}
        if not may_call_candidate(tree.code, names, loop_defs=False):
            return tree
        return super().transform_module(tree)

    def visit_Module(self, node: cst.Module) -> None:
        self._module = node
        self._facts = module_facts(node)
        self._lines = node.code.splitlines()

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self._pool_used or self._helper is None:
            return updated_node
        func, var, present = self._helper
        self.need_import("concurrent.futures")
        if present:
            return updated_node
        # Two blank lines before the pool even at the top of the module, as always here.
        helper = helper_statements(func, var)
        return insert_after_header(
            updated_node, helper, space_at_top=True, comments_are_space=False
        )

    # -- calls ----------------------------------------------------------------

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        in_genexp = self.in_generator_expression()
        if self.under_thread_lock():
            verdict = self._classify(original_node)
            if verdict is not None and verdict.kind is not Offload.SUGGEST:
                self.report(
                    original_node,
                    "AM408",
                    f"{code_of(original_node.func).strip()} left unchanged: {LOCKED_REASON}",
                )
            return updated_node
        if not (self.in_coroutine() or in_genexp):
            return updated_node
        verdict = self._classify(original_node)
        if verdict is None:
            return updated_node
        name = code_of(original_node.func).strip()
        if verdict.kind is Offload.SUGGEST:
            if not in_genexp:
                self.report(original_node, "AM406", suggestion_message(name))
            return updated_node
        if isinstance(self.parent_of(original_node), cst.Await):
            verdict = Verdict(Offload.REFUSE, "is awaited here, so it returns an awaitable")
        if verdict.kind is Offload.REFUSE:
            self.report(original_node, "AM407", f"{name} {verdict.reason}; not offloaded")
            return updated_node
        if in_genexp:
            self.report(
                original_node,
                "AM404",
                f"{name} in a generator expression inside a coroutine; awaiting it there "
                "would turn the generator into an async generator",
            )
            return updated_node
        if verdict.kind is Offload.POOL:
            lambda_arg = any(isinstance(a.value, cst.Lambda) for a in original_node.args)
            if lambda_arg:
                verdict = Verdict(Offload.FALLBACK, "a lambda argument cannot be pickled")
        if verdict.kind is Offload.POOL:
            if self.suppressed(original_node, "AM401"):
                return updated_node
            return self._to_pool(original_node, updated_node, name)
        if self.suppressed(original_node, "AM402"):
            return updated_node
        return self._to_thread(original_node, updated_node, name, verdict)

    def _missing_name(self, original: cst.Call, names: Sequence[str]) -> str | None:
        for module in names:
            node: cst.CSTNode | None = self._module if module == "concurrent" else original
            if node is None or not self.module_name_free(node, module):
                return module
        return None

    def _to_pool(self, original: cst.Call, updated: cst.Call, name: str) -> cst.BaseExpression:
        keywords = any(a.keyword is not None or a.star == "**" for a in updated.args)
        needed = ["asyncio", "concurrent"] + (["functools"] if keywords else [])
        clash = self._missing_name(original, needed)
        helper = self._pool_helper()
        if clash is None and not self._helper_visible(original, helper[0]):
            clash = helper[0]
        if clash is not None:
            self.report(
                original,
                "AM405",
                f"{name} is CPU-bound, but the name {clash!r} is bound to something else "
                "here; offload it by hand",
            )
            return updated
        self._pool_used = True
        self.need_import("asyncio")
        pool = cst.Arg(cst.Call(func=cst.Name(helper[0])))
        func = cst.Arg(updated.func)
        if keywords:
            self.need_import("functools")
            partial = cst.Call(
                func=cst.Attribute(cst.Name("functools"), cst.Name("partial")),
                args=[func, *updated.args],
            )
            args = [pool, cst.Arg(partial)]
        else:
            args = [pool, func, *updated.args]
        run = cst.parse_expression("asyncio.get_running_loop().run_in_executor")
        self.fixed(
            original,
            "AM401",
            f"{name} -> await loop.run_in_executor({helper[0]}(), ...) in a process pool",
        )
        return self.awaited(original, self._wrapped(original, cst.Call(func=run, args=args)))

    def _to_thread(
        self, original: cst.Call, updated: cst.Call, name: str, verdict: Verdict
    ) -> cst.BaseExpression:
        if not self.module_name_free(original, "asyncio"):
            self.report(
                original,
                "AM405",
                f"{name} blocks the loop, but the name 'asyncio' is bound to something else "
                "here; offload it by hand",
            )
            return updated
        if verdict.kind is Offload.FALLBACK:
            self.report(
                original,
                "AM403",
                f"{name} runs in a thread, not a process pool: {verdict.reason}; the loop "
                "stays responsive but there is no parallel speed-up",
            )
            if self.left_alone_here(original):
                return updated  # AM403 is off in this run: the call is left alone
        self.need_import("asyncio")
        self.fixed(original, "AM402", f"{name} -> await asyncio.to_thread({name}, ...)")
        call = cst.Call(
            func=cst.Attribute(cst.Name("asyncio"), cst.Name("to_thread")),
            args=[cst.Arg(updated.func), *updated.args],
        )
        return self.awaited(original, self._wrapped(original, call))

    def _pool_helper(self) -> tuple[str, str, bool]:
        if self._helper is None:
            assert self._module is not None
            self._helper = choose_helper(self._module, self.module_identifiers(self._module))
        return self._helper

    def _helper_visible(self, original: cst.Call, func: str) -> bool:
        scope = self.scope_of(original)
        if scope is None:
            return False
        return all(isinstance(a.scope, GlobalScope) for a in scope[func])

    def _wrapped(self, original: cst.Call, call: cst.Call) -> cst.Call:
        """``call``, with its arguments on a line of their own when one line is too long."""
        old = code_of(original)
        if "\n" in old or not call.args:
            return call
        position = self.get_metadata(PositionProvider, original)
        line = self._lines[position.start.line - 1]
        rest = line[position.end.column :].strip()
        if rest and not rest.startswith("#"):
            return call  # only a call that ends its line is split, as black would
        if len(line) - len(old) + len("await ") + len(code_of(call)) <= LINE_LENGTH:
            return call
        indent = line[: len(line) - len(line.lstrip())]
        args = list(call.args)
        args[-1] = args[-1].with_changes(
            comma=cst.MaybeSentinel.DEFAULT,
            whitespace_after_arg=_newline(indent),
        )
        step = self._module.default_indent if self._module is not None else "    "
        return call.with_changes(args=args, whitespace_before_args=_newline(indent + step))

    # -- which calls ------------------------------------------------------------

    def _classify(self, call: cst.Call) -> Verdict | None:
        func = call.func
        qualified = self.qualified_names_of(func)
        names = {q.name for q in qualified}
        if names & GIL_RELEASING:
            return Verdict(Offload.THREAD)
        if names & COMPRESSION and (self.offload_compression or names & self.cpu_bound.dotted):
            return Verdict(Offload.THREAD)
        imported = {q.name for q in qualified if q.source is QualifiedNameSource.IMPORT}
        if isinstance(func, cst.Name):
            return self._classify_name(call, func, names, imported)
        if isinstance(func, cst.Attribute):
            return self._classify_attribute(func, names, imported)
        return None

    def _named(self, imported: set[str], names: set[str]) -> bool:
        if names & self.cpu_bound.dotted:
            return True
        return any(q.rsplit(".", 1)[-1] in self.cpu_bound.bare for q in imported)

    def _classify_name(
        self, call: cst.Call, func: cst.Name, names: set[str], imported: set[str]
    ) -> Verdict | None:
        scope = self.scope_of(call)
        assignments = list(scope[func.value]) if scope is not None else []
        marked = any(getattr(a, "node", None) in self._facts.marked for a in assignments)
        named = (
            func.value in self.cpu_bound.bare
            or self._named(imported, names)
            or self._this_module_names(func.value, assignments)
        )
        if not (marked or named):
            if len(assignments) == 1 and _global_def(assignments[0]) in self._facts.suggestible:
                return Verdict(Offload.SUGGEST)
            return None
        if not assignments:
            return Verdict(Offload.FALLBACK, "it cannot be resolved to a module-level function")
        reason = None
        for assignment in assignments:
            if not isinstance(assignment.scope, GlobalScope):
                return Verdict(Offload.FALLBACK, _local_kind(assignment))
            node = getattr(assignment, "node", None)
            if isinstance(node, (cst.Import, cst.ImportFrom)):
                continue  # an attribute of another, importable module
            if not isinstance(node, cst.FunctionDef):
                reason = "it is bound by an assignment, not a def, so it may not pickle"
            elif node.asynchronous is not None:
                return Verdict(Offload.REFUSE, "is a coroutine function")
            elif is_generator(node):
                return Verdict(
                    Offload.REFUSE, "is a generator function (calling it computes nothing)"
                )
            elif node.decorators:
                reason = "it is decorated, and the decorator may make it unpicklable"
            else:
                changes = state_change(node)
                if changes:
                    reason = f"{changes}, which a worker process would not pass back"
        return Verdict(Offload.FALLBACK, reason) if reason else Verdict(Offload.POOL)

    def _classify_attribute(
        self, func: cst.Attribute, names: set[str], imported: set[str]
    ) -> Verdict | None:
        if self._named(imported, names):
            return Verdict(Offload.POOL)  # a module attribute reached through an import
        attr = func.attr.value
        if attr in self.cpu_bound.bare or attr in self._facts.marked_methods:
            return Verdict(
                Offload.FALLBACK, "it is a method or attribute of an object that may not pickle"
            )
        return None

    def _this_module_names(self, name: str, assignments: list[BaseAssignment]) -> bool:
        """True if a dotted target names ``name`` in the module being migrated."""
        if not assignments or not all(isinstance(a.scope, GlobalScope) for a in assignments):
            return False
        path = PurePath(self.context.filename or "").with_suffix("").parts
        if path and path[-1] == "__init__":
            path = path[:-1]
        for target in self.cpu_bound.dotted:
            module, _, last = target.rpartition(".")
            parts = tuple(module.split("."))
            if last == name and path[-len(parts) :] == parts:
                return True
        return False


def _global_def(assignment: BaseAssignment) -> cst.FunctionDef | None:
    node = getattr(assignment, "node", None)
    if isinstance(assignment.scope, GlobalScope) and isinstance(node, cst.FunctionDef):
        return node
    return None


def _local_kind(assignment: BaseAssignment) -> str:
    node = getattr(assignment, "node", None)
    if isinstance(assignment, Assignment) and isinstance(node, cst.FunctionDef):
        what = "a nested function"
    elif isinstance(node, cst.Param):
        what = "a parameter"
    else:
        what = "a local name (a lambda, closure or other object)"
    return f"it is {what}, and only module-level functions can be pickled"


def _newline(indent: str) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(),
        empty_lines=[],
        indent=False,
        last_line=cst.SimpleWhitespace(indent),
    )
