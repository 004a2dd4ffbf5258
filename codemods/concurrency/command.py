"""Independent awaits in a loop -> the calls run together (opt-in).

A ``for`` loop in a coroutine whose every iteration awaits one call, or a list or dict
comprehension of awaited calls, becomes one ``await _await_all([...])`` when the codemod
can prove the iterations independent (see ``docs/codemods/concurrency.md`` for the exact rules);
other loops that await in each iteration are reported, with the reason, as hints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import ComprehensionScope, PositionProvider, Scope, ScopeProvider

from codemods.concurrency.analysis import (
    Shape,
    body_shape,
    call_problem,
    carried,
    comprehension_call,
    condition_problem,
    control_flow,
    loop_parts,
    own_nodes,
    suspensions,
    target_names,
)
from codemods.concurrency.helpers import DICT_HELPER, HELPER, NEEDS, SOURCES
from codemods.concurrency.spec import SPEC
from codemods.core.base import AsyncCodemod
from codemods.core.build import code_of
from codemods.core.insert import defined_helpers, insert_after_header, parse_helper, same_helper
from codemods.core.names import dotted_name, is_plain_module_import

#: Calls that pace a loop: a loop that makes one sleeps on purpose between its calls.
SLEEPS = ("asyncio.sleep", "anyio.sleep", "trio.sleep")
#: Calls that run their function in a thread: together, they would run in several threads.
THREADED = ("asyncio.to_thread",)
#: Builtins that may be called for every item up front (in the arguments, as ``str(i)``).
PURE = tuple(
    f"builtins.{name}"
    for name in ("abs", "bool", "float", "format", "hex", "int", "len", "repr", "round", "str")
)
#: Context managers whose exit never swallows an exception: a loop in their body can be
#: rewritten even when the list it builds is read after the block.
NEVER_SUPPRESS = ("aiohttp.ClientSession", "httpx.AsyncClient", "asyncio.timeout")
#: Black's line length: a rewritten statement longer than this is split over lines.
LINE_LENGTH = 88

_Comprehension = cst.ListComp | cst.DictComp
#: Line breaks as Python counts them (a form feed is none).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BARE_LF = re.compile(r"(?<!\r)\n")


@dataclass(frozen=True)
class _Taken:
    """An independent loop left as it is: a name the rewrite needs is taken (AM803)."""

    reason: str


@dataclass(frozen=True)
class _Plan:
    """A loop the codemod rewrites."""

    shape: Shape
    #: The statement creating the list or dict right before the loop (list/dict shapes).
    creation: cst.SimpleStatementLine | None = None


class ConcurrencyCommand(AsyncCodemod):
    """Run the independent awaited calls of a loop together."""

    SPEC = SPEC

    def __init__(self, context: CodemodContext, concurrency_limit: int | None = None) -> None:
        super().__init__(context)
        if concurrency_limit is not None and (
            isinstance(concurrency_limit, bool) or int(concurrency_limit) < 1
        ):
            raise ValueError(f"concurrency_limit must be at least 1, not {concurrency_limit!r}")
        self.limit = None if concurrency_limit is None else int(concurrency_limit)
        self._module = cst.Module(body=[])
        self._lines: list[str] = []
        self._plans: dict[int, _Plan] = {}  # id(original loop or comprehension) -> plan
        self._needed: dict[str, None] = {}  # helpers to add, in order

    # -- module ---------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        self._module = node
        self._lines = _LINE_BREAK.split(node.code)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        existing = defined_helpers(updated_node)
        missing = [parse_helper(SOURCES[n]) for n in SOURCES if n in self._needed]
        missing = [h for h in missing if h.name.value not in existing]
        if not missing:
            return updated_node
        # When the helpers open the module, libcst puts ``import asyncio`` above them.
        return insert_after_header(
            updated_node, missing, space_at_top=not _imports_asyncio(updated_node)
        )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        # The helpers' own loop (``for finished in asyncio.as_completed(...)``) is theirs.
        return not (node.name.value in SOURCES and isinstance(self.parent_of(node), cst.Module))

    # -- for loops --------------------------------------------------------------

    def visit_For(self, node: cst.For) -> None:
        if not self.in_coroutine() or self.suppressed(node, "AM801"):
            return
        self._judge(node, self._for_verdict(node), "loop")

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if not any(id(s) in self._plans for s in original_node.body):
            return updated_node
        body: list[cst.BaseStatement] = []
        for original, updated in zip(original_node.body, updated_node.body, strict=True):
            plan = self._plans.get(id(original))
            if plan is None or not isinstance(original, cst.For):
                body.append(updated)
                continue
            if plan.creation is not None:
                body.pop()  # the statement creating the list: the rewrite assigns it
            body.append(self._rewritten_loop(original, updated, plan))
        return updated_node.with_changes(body=body)

    def _judge(self, node: cst.CSTNode, verdict: _Plan | _Taken | str | None, what: str) -> None:
        """Rewrite ``node`` later (a plan), or report why it stays sequential."""
        if isinstance(verdict, _Plan):
            self._accept(node, verdict)
        elif isinstance(verdict, _Taken):
            self.report(node, "AM803", f"{what} left sequential: {verdict.reason}")
        elif verdict is not None:
            self.report(node, "AM802", f"{what} left sequential: {verdict}")

    def _for_verdict(self, loop: cst.For) -> _Plan | _Taken | str | None:
        """The plan for rewriting ``loop``, why it stays sequential, or None when it awaits
        nothing of its own (there is nothing to say about it)."""
        if not suspensions(loop_parts(loop)):
            return None
        if loop.asynchronous is not None:
            return "async for: the items come one at a time from an async iterator"
        if self._sleeps(loop):
            return "the loop sleeps (pacing)"
        targets = target_names(loop.target)
        fresh = [n.value for n in targets] if targets else []
        name = carried(loop.body, fresh)
        if name is not None:
            return f"each iteration reads {name!r}, written by the previous one"
        reason = control_flow(loop.body)
        if reason is not None:
            return reason
        if loop.orelse is not None:
            return "else on the loop"
        count = len(suspensions(loop_parts(loop)))
        if count > 1:
            return f"{count} awaits in each iteration, which run one after another"
        if targets is None:
            return "the loop target is not a name or a tuple of names"
        shape = body_shape(loop)
        if isinstance(shape, str):
            return shape
        reason = self._call_problem(shape.call, set(fresh)) or _iterable_passed(
            loop.iter, shape.call
        )
        if reason is not None:
            return reason
        creation = None
        if shape.accumulator is not None:
            creation, reason = self._creation(loop, shape)
            if reason is not None:
                return reason
            if shape.key is not None and shape.key.value not in fresh:
                return f"the key {shape.key.value!r} is not a loop variable"
        reason = self._scope_problem(loop, targets)
        if reason is not None:
            return reason
        taken = self._names_taken(loop, DICT_HELPER if shape.kind == "dict" else HELPER)
        return _Plan(shape, creation) if taken is None else _Taken(taken)

    def _sleeps(self, node: cst.CSTNode) -> bool:
        return any(
            isinstance(n, cst.Call) and self.resolves_to(n.func, SLEEPS) is not None
            for n in own_nodes(loop_parts(node))  # type: ignore[arg-type]
        )

    def _call_problem(self, call: cst.Call, variables: set[str]) -> str | None:
        threaded = self.resolves_to(call.func, THREADED)
        if threaded is not None or (
            isinstance(call.func, cst.Attribute) and call.func.attr.value == "run_in_executor"
        ):
            return (
                f"{threaded or 'run_in_executor'} runs its function in a thread: together, "
                "the calls would run in several threads at once"
            )
        return call_problem(call, variables, self._pure)

    def _pure(self, call: cst.Call) -> bool:
        return self.resolves_to(call.func, PURE) is not None

    def _creation(
        self, loop: cst.For, shape: Shape
    ) -> tuple[cst.SimpleStatementLine | None, str | None]:
        """The statement right before the loop that creates the list or dict empty."""
        assert shape.accumulator is not None
        name = shape.accumulator.value
        empty = "[]" if shape.kind == "list" else "{}"
        refused = f"{name!r} is not created empty ({name} = {empty}) right before the loop"
        block = self.parent_of(loop)
        if not isinstance(block, cst.IndentedBlock):
            return None, refused
        index = next(i for i, s in enumerate(block.body) if s is loop)
        previous = block.body[index - 1] if index else None
        if not isinstance(previous, cst.SimpleStatementLine) or len(previous.body) != 1:
            return None, refused
        statement = previous.body[0]
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0].target, statement.value
        elif isinstance(statement, cst.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            return None, refused
        if not (isinstance(target, cst.Name) and target.value == name):
            return None, refused
        if shape.kind == "list" and not (isinstance(value, cst.List) and not value.elements):
            return None, refused
        if shape.kind == "dict" and not (isinstance(value, cst.Dict) and not value.elements):
            return None, refused
        return previous, self._accumulator_problem(loop, target, shape.accumulator)

    def _accumulator_problem(self, loop: cst.For, created: cst.Name, used: cst.Name) -> str | None:
        """Where else the list or dict is read that the rewrite would change: in the loop
        (an iteration would see what the earlier ones added), in a nested function, or
        after an exception caught around the loop (it would not hold the results so far)."""
        name = created.value
        scope = self.get_metadata(ScopeProvider, created, None)
        if scope is None or self._declared_outside(loop, name):
            return f"{name!r} is not a local variable"
        guards = self._guards(loop)
        for access in self._accesses(scope, name):
            if access is used:
                continue
            if self._inside(access, loop):
                return f"{name!r} is read in the loop"
            where = self.get_metadata(ScopeProvider, access, None)
            if where is not scope and not isinstance(where, ComprehensionScope):
                return f"{name!r} is used in a nested function"
            for guard, body in guards:
                if not self._inside(access, body):
                    return (
                        f"{name!r} is read outside the {guard} around the loop: after an "
                        "exception it would not hold the results so far"
                    )
        return None

    def _scope_problem(self, loop: cst.For, targets: list[cst.Name]) -> str | None:
        """The loop variables must be local, and not read after the loop: the
        comprehension the rewrite makes does not leave them bound."""
        for target in targets:
            name = target.value
            scope = self.get_metadata(ScopeProvider, target, None)
            if scope is None or self._declared_outside(loop, name):
                return f"the loop variable {name!r} is not a local variable"
            for access in self._accesses(scope, name):
                if self._inside(access, loop) or self._rebound(access, name, loop):
                    continue
                return (
                    f"the loop variable {name!r} is read after the loop (the rewrite would "
                    "not set it)"
                )
        return None

    def _names_taken(self, node: cst.CSTNode, helper: str) -> str | None:
        """Why the helpers cannot be used here (a name taken), or None."""
        if not self.global_module_free(node, "asyncio"):
            return "the name 'asyncio' is bound to something else at module level"
        existing = defined_helpers(self._module)
        used = self.module_identifiers(self._module)
        for name in (helper, *NEEDS[helper]):
            if name in existing:
                if not same_helper(existing[name], SOURCES[name]):
                    return f"the name {name!r} is already defined in the module"
            elif name in used:
                return f"the name {name!r} is already used in the module"
        return None

    def _accept(self, node: cst.CSTNode, plan: _Plan) -> None:
        helper = DICT_HELPER if plan.shape.kind == "dict" else HELPER
        for name in (*NEEDS[helper], helper):
            self._needed[name] = None
        self.need_import("asyncio")
        self._plans[id(node)] = plan
        at_once = f", at most {self.limit} at once" if self.limit else ""
        self.fixed(
            node,
            "AM801",
            f"independent awaits -> await {helper}([...]): the calls run together{at_once}",
        )

    # -- comprehensions ---------------------------------------------------------

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._visit_comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._visit_comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        if self.in_coroutine() and suspensions(loop_parts(node)):
            self.report(
                node,
                "AM802",
                "comprehension left sequential: a set comprehension (only list and dict "
                "comprehensions are rewritten)",
            )

    def _visit_comprehension(self, node: _Comprehension) -> None:
        if not self.in_coroutine() or self.suppressed(node, "AM801"):
            return
        self._judge(node, self._comprehension_verdict(node), "comprehension")

    def _comprehension_verdict(self, node: _Comprehension) -> _Plan | _Taken | str | None:
        count = len(suspensions(loop_parts(node)))
        if not count:
            return None
        clause = node.for_in
        if clause.asynchronous is not None:
            return "async for: the items come one at a time from an async iterator"
        if self._sleeps(node):
            return "it sleeps (pacing)"
        if clause.inner_for_in is not None:
            return "more than one for clause"
        if count > 1:
            return f"{count} awaits for each item, which run one after another"
        for condition in clause.ifs:
            reason = condition_problem(condition.test, self._pure)
            if reason is not None:
                return reason
        targets = target_names(clause.target)
        if targets is None:
            return "the target is not a name or a tuple of names"
        variables = {n.value for n in targets}
        call = comprehension_call(node)
        if isinstance(call, str):
            return call
        if isinstance(node, cst.DictComp) and node.key.value not in variables:  # type: ignore[attr-defined]
            return "the key is not a variable of the comprehension"
        reason = self._call_problem(call, variables) or _iterable_passed(clause.iter, call)
        if reason is not None:
            return reason
        kind = "dict" if isinstance(node, cst.DictComp) else "list"
        taken = self._names_taken(node, DICT_HELPER if kind == "dict" else HELPER)
        return _Plan(Shape(kind, call)) if taken is None else _Taken(taken)

    def leave_ListComp(
        self, original_node: cst.ListComp, updated_node: cst.ListComp
    ) -> cst.BaseExpression:
        if id(original_node) not in self._plans:
            return updated_node
        assert isinstance(updated_node.elt, cst.Await)
        calls = updated_node.with_changes(
            elt=updated_node.elt.expression.with_changes(lpar=[], rpar=[]), lpar=[], rpar=[]
        )
        return self.awaited(original_node, self._helper_call(HELPER, calls))

    def leave_DictComp(
        self, original_node: cst.DictComp, updated_node: cst.DictComp
    ) -> cst.BaseExpression:
        if id(original_node) not in self._plans:
            return updated_node
        assert isinstance(updated_node.value, cst.Await)
        call = updated_node.value.expression.with_changes(lpar=[], rpar=[])
        pair = cst.Tuple(
            [
                cst.Element(
                    updated_node.key, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                ),
                cst.Element(call),
            ]
        )
        pairs = cst.ListComp(
            elt=pair,
            for_in=updated_node.for_in,
            lbracket=cst.LeftSquareBracket(whitespace_after=updated_node.lbrace.whitespace_after),
            rbracket=cst.RightSquareBracket(
                whitespace_before=updated_node.rbrace.whitespace_before
            ),
        )
        return self.awaited(original_node, self._helper_call(DICT_HELPER, pairs))

    def _helper_call(self, helper: str, calls: cst.ListComp) -> cst.Call:
        args = [cst.Arg(calls)]
        if self.limit is not None:
            args[0] = args[0].with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
            args.append(
                cst.Arg(
                    cst.Integer(str(self.limit)),
                    keyword=cst.Name("limit"),
                    equal=cst.AssignEqual(
                        whitespace_before=cst.SimpleWhitespace(""),
                        whitespace_after=cst.SimpleWhitespace(""),
                    ),
                )
            )
        return cst.Call(func=cst.Name(helper), args=args)

    # -- the rewritten loop -------------------------------------------------------

    def _rewritten_loop(
        self, original: cst.For, updated: cst.For, plan: _Plan
    ) -> cst.SimpleStatementLine:
        """``out = await _await_all([f(x) for x in xs])`` in place of the list's creation
        and the loop; the comments of both go on lines above it."""
        module = self._module
        unit = updated.body.indent if isinstance(updated.body, cst.IndentedBlock) else None
        unit = unit or module.default_indent
        first = self._lines[self.get_metadata(PositionProvider, original).start.line - 1]
        indent = first[: len(first) - len(first.lstrip(" \t"))]

        shape = plan.shape
        # Nodes print their continuation lines relative to their block (and with "\n"),
        # and the block the statement goes in adds its own indentation to them.
        call = code_of(shape.call)
        element = f"({shape.key.value}, {call})" if shape.key is not None else call
        target = code_of(original.target)
        iterable = code_of(original.iter)
        if _needs_parentheses_as_iterable(original.iter):
            iterable = f"({iterable})"
        helper = DICT_HELPER if shape.kind == "dict" else HELPER
        head = f"{self._assigned(plan)}await {helper}("
        limit = f", limit={self.limit}" if self.limit is not None else ""
        comprehension = f"[{element} for {target} in {iterable}]"

        text = f"{head}{comprehension}{limit})"
        if "\n" in text or len(indent) + len(text) > LINE_LENGTH:
            inner = f"{comprehension}{limit}"
            if "\n" not in inner and len(indent + unit) + len(inner) <= LINE_LENGTH:
                text = f"{head}\n{unit}{inner}\n)"
            else:
                deeper = unit + unit
                if not _multiline_string(shape.call):
                    element = element.replace("\n", "\n" + unit)  # was in the body
                if not _multiline_string(original.iter):
                    iterable = iterable.replace("\n", "\n" + deeper)
                text = (
                    f"{head}\n{unit}[\n{deeper}{element}\n"
                    f"{deeper}for {target} in {iterable}\n{unit}]"
                )
                if self.limit is not None:
                    text += f",\n{unit}limit={self.limit},"
                text += "\n)"
        # In the module's line endings (those inside a string spanning lines already are).
        text = _BARE_LF.sub(module.default_newline, text + "\n")
        statement = cst.parse_statement(text, config=module.config_for_parsing)
        assert isinstance(statement, cst.SimpleStatementLine)
        return statement.with_changes(leading_lines=self._leading_lines(original, plan))

    def _assigned(self, plan: _Plan) -> str:
        """``out = `` (or ``out: list[int] = ``) when the loop built a list or dict."""
        if plan.creation is None:
            return ""
        statement = plan.creation.body[0]
        if isinstance(statement, cst.AnnAssign):
            declaration = statement.with_changes(value=None, equal=cst.MaybeSentinel.DEFAULT)
            return code_of(declaration).rstrip() + " = "
        assert isinstance(statement, cst.Assign)
        return code_of(statement.targets[0].target) + " = "

    def _leading_lines(self, loop: cst.For, plan: _Plan) -> list[cst.EmptyLine]:
        """The lines above the creation and the loop, then every comment of theirs that
        the rewritten statement does not carry (on the loop's header, its body, the
        creation's line), in order, each on a line of its own."""
        lines: list[cst.EmptyLine] = []
        kept: set[int] = set()
        for part in (plan.shape.call, loop.target, loop.iter):
            kept |= {id(c) for c in _comments(part)}
        moved: list[cst.Comment] = []
        if plan.creation is not None:
            lines += plan.creation.leading_lines
            moved += _comments(plan.creation.with_changes(leading_lines=[]))
            moved += [e.comment for e in loop.leading_lines if e.comment is not None]
        else:
            lines += loop.leading_lines
        moved += [c for c in _comments(loop.with_changes(leading_lines=[])) if id(c) not in kept]
        return lines + [cst.EmptyLine(indent=True, comment=c) for c in moved]

    # -- scopes -----------------------------------------------------------------

    def _accesses(self, scope: Scope, name: str) -> list[cst.CSTNode]:
        """Every place that may read ``name`` of ``scope``, nested scopes included."""
        found: dict[int, cst.CSTNode] = {}
        for assignment in scope.assignments[name]:
            for access in assignment.references:
                found[id(access.node)] = access.node
        for access in scope.accesses[name]:
            found[id(access.node)] = access.node
        return list(found.values())

    def _inside(self, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
        current: cst.CSTNode | None = node
        while current is not None:
            if current is ancestor:
                return True
            current = self.parent_of(current)
        return False

    def _function_of(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        current = self.parent_of(node)
        while current is not None and not isinstance(current, cst.FunctionDef):
            current = self.parent_of(current)
        return current

    def _declared_outside(self, loop: cst.CSTNode, name: str) -> bool:
        """``global name`` or ``nonlocal name`` in the function holding ``loop``."""
        function = self._function_of(loop)
        if function is None:
            return True
        for node in own_nodes([function.body]):
            if isinstance(node, (cst.Global, cst.Nonlocal)):
                if any(item.name.value == name for item in node.names):
                    return True
        return False

    def _guards(self, loop: cst.For) -> list[tuple[str, cst.CSTNode]]:
        """The ``try`` and ``with`` statements whose body holds the loop, in its function:
        they may catch an exception from it and go on (not a ``with`` on a context
        manager known never to swallow one)."""
        guards: list[tuple[str, cst.CSTNode]] = []
        child: cst.CSTNode = loop
        parent = self.parent_of(loop)
        while parent is not None and not isinstance(parent, (cst.FunctionDef, cst.Lambda)):
            if isinstance(parent, (cst.Try, cst.TryStar)) and child is parent.body:
                guards.append(("try", parent.body))
            elif isinstance(parent, cst.With) and child is parent.body:
                if not all(self._never_suppresses(item.item) for item in parent.items):
                    guards.append(("with", parent.body))
            child, parent = parent, self.parent_of(parent)
        return guards

    def _never_suppresses(self, manager: cst.BaseExpression) -> bool:
        return isinstance(manager, cst.Call) and (
            self.resolves_to(manager.func, NEVER_SUPPRESS) is not None
        )

    def _rebound(self, access: cst.CSTNode, name: str, loop: cst.For) -> bool:
        """True if ``access`` is in the body of another ``for`` loop that binds ``name``
        itself: it reads that loop's value, never the rewritten loop's."""
        child, parent = access, self.parent_of(access)
        while parent is not None and not isinstance(parent, (cst.FunctionDef, cst.Lambda)):
            if isinstance(parent, cst.For) and parent is not loop and child is parent.body:
                names = target_names(parent.target) or []
                if any(n.value == name for n in names):
                    return True
            child, parent = parent, self.parent_of(parent)
        return False


def _iterable_passed(iterable: cst.BaseExpression, call: cst.Call) -> str | None:
    """Why the calls may change what the loop goes over: the iterable itself (``jobs``,
    ``self.jobs``) is passed to them or is what they are called on."""
    name = dotted_name(iterable)
    if name is None:
        return None
    callee = dotted_name(call.func) or ""
    if callee.startswith(name + ".") or any(dotted_name(a.value) == name for a in call.args):
        return (
            f"the loop's iterable {name!r} goes to every call, which may change what the "
            "loop goes over"
        )
    return None


def _imports_asyncio(module: cst.Module) -> bool:
    """True if a statement of the module's top level is ``import asyncio``."""
    return any(
        isinstance(line, cst.SimpleStatementLine)
        and any(
            isinstance(small, cst.Import) and is_plain_module_import(small, "asyncio")
            for small in line.body
        )
        for line in module.body
    )


def _comments(node: cst.CSTNode) -> list[cst.Comment]:
    found: list[cst.Comment] = []

    class Collect(cst.CSTVisitor):
        def visit_Comment(self, node: cst.Comment) -> None:
            found.append(node)

    node.visit(Collect())
    return found


def _multiline_string(node: cst.CSTNode) -> bool:
    """True if ``node`` holds a string literal spanning lines (re-indenting its lines
    would change the string)."""
    found = False

    class Find(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            nonlocal found
            found = found or "\n" in node.value

        def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
            nonlocal found
            found = found or "\n" in node.value

    node.visit(Find())
    return found


def _needs_parentheses_as_iterable(node: cst.BaseExpression) -> bool:
    """A comprehension's iterable is a disjunction: a conditional expression, a lambda, an
    assignment expression or a tuple without parentheses needs them there."""
    if node.lpar:
        return False
    return isinstance(node, (cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Tuple, cst.Yield))
