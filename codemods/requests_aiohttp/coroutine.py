"""Planning the rewrite of one coroutine: which requests calls, sessions, response uses and
``except`` clauses change, into what, and where the ``ClientSession`` goes.

Nothing is changed here: the plan is a set of node replacements and block ops that
:class:`~codemods.requests_aiohttp.command.RequestsCommand` applies while leaving the tree.
If anything in the coroutine cannot be migrated faithfully, nothing in it is planned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import PositionProvider, ScopeProvider

from codemods.requests_aiohttp import arguments, blocks, exceptions, responses
from codemods.requests_aiohttp.names import METHODS, MODULE_FUNCTIONS, SESSION_CLASSES

if TYPE_CHECKING:
    from codemods.requests_aiohttp.command import RequestsCommand

Problem = tuple[cst.CSTNode, str, str]
_LOOPS = (cst.For, cst.While)
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


@dataclass
class Request:
    call: cst.Call
    method: str
    session: str | None  # the user's session variable, or None for a module function
    form: str = ""  # assign | expr | chained | with
    stmt: cst.BaseStatement | None = None
    target: str | None = None
    info: arguments.CallInfo = field(default_factory=arguments.CallInfo)
    uses: list[responses.Use] = field(default_factory=list)
    in_block: bool = True
    end: int = -1  # the last statement of the block the response is used in


@dataclass
class UserSession:
    call: cst.Call
    name: str
    form: str  # with | assign
    stmt: cst.BaseStatement
    requests: list[Request] = field(default_factory=list)
    auth: list[cst.Assign] = field(default_factory=list)
    closes: list[cst.Call] = field(default_factory=list)
    dropped: list[cst.BaseStatement] = field(default_factory=list)
    end: int = -1


class CoroutinePlan:
    def __init__(self, command: RequestsCommand, func: cst.FunctionDef) -> None:
        self.cmd = command
        self.func = func
        self.problems: list[Problem] = []
        self.requests: list[Request] = []
        self.sessions: list[UserSession] = []
        self.handlers = exceptions.HandlerPlan()

    # -- helpers ----------------------------------------------------------------

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.cmd.parent_of(node)

    def resolve(self, node: cst.CSTNode) -> set[str]:
        return self.cmd.qualified_names(node)

    def refuse(self, node: cst.CSTNode, code: str, message: str) -> None:
        self.problems.append((node, code, message))

    def walk(self) -> Iterator[tuple[cst.CSTNode, bool]]:
        """Nodes that run directly in this coroutine, and whether in a generator expression."""
        stack: list[tuple[cst.CSTNode, bool]] = [(self.func.body, False)]
        while stack:
            node, in_genexp = stack.pop()
            yield node, in_genexp
            children = [c for c in node.children if not isinstance(c, _NESTED)]
            genexp = in_genexp or isinstance(node, cst.GeneratorExp)
            stack.extend((c, genexp) for c in reversed(children))

    def in_coroutine(self, node: cst.CSTNode, awaiting: bool) -> bool:
        """True if ``node`` runs in this coroutine (and, if ``awaiting``, can ``await``)."""
        current: cst.CSTNode | None = node
        while current is not None and current is not self.func:
            if isinstance(current, _NESTED):
                return False
            if awaiting and isinstance(current, cst.GeneratorExp):
                return False
            current = self.parent(current)
        return current is self.func

    def statement_of(self, node: cst.CSTNode) -> cst.BaseStatement | None:
        """The statement of an indented block that contains ``node``."""
        current: cst.CSTNode | None = node
        while current is not None and current is not self.func:
            up = self.parent(current)
            if isinstance(current, cst.SimpleStatementSuite):
                return None  # a one-line body: ``if x: call()``
            if isinstance(current, cst.BaseStatement):
                return current if isinstance(up, cst.IndentedBlock) else None
            current = up
        return None

    def block_of(self, stmt: cst.BaseStatement) -> tuple[cst.IndentedBlock, int]:
        block = self.parent(stmt)
        assert isinstance(block, cst.IndentedBlock)
        return block, _index(block, stmt)

    def path(self, stmt: cst.BaseStatement) -> list[tuple[cst.IndentedBlock, int]]:
        """(block, index) pairs from the function body down to ``stmt``."""
        out = []
        current: cst.BaseStatement | None = stmt
        while current is not None:
            block, index = self.block_of(current)
            out.append((block, index))
            if block is self.func.body:
                break
            current = self._block_statement(block)
        return list(reversed(out))

    def _block_statement(self, block: cst.IndentedBlock) -> cst.BaseStatement | None:
        """The statement of an outer indented block that owns ``block`` (through ``elif``
        and ``else`` chains too)."""
        current = self.parent(block)
        while current is not None and current is not self.func:
            up = self.parent(current)
            if isinstance(current, cst.BaseStatement) and isinstance(up, cst.IndentedBlock):
                return current
            current = up
        return None

    def inside(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        current: cst.CSTNode | None = node
        while current is not None and current is not self.func:
            if current is container:
                return True
            current = self.parent(current)
        return False

    # -- analysis -----------------------------------------------------------------

    def analyse(self) -> None:
        tries: list[cst.Try] = []
        pending: list[tuple[Request, bool]] = []
        for node, in_genexp in self.walk():
            if isinstance(node, cst.Try):
                tries.append(node)
            if isinstance(node, cst.Call):
                found = self.cmd.resolves_to(node.func, MODULE_FUNCTIONS)
                if found is not None:
                    pending.append((Request(node, MODULE_FUNCTIONS[found], None), in_genexp))
                elif self.cmd.resolves_to(node.func, SESSION_CLASSES):
                    self._session(node)
            elif isinstance(node, (cst.Name, cst.Attribute)):
                self._reference(node)
        for session in self.sessions:
            pending.extend((request, False) for request in session.requests)
        # every request's statement first: a response's block must not swallow another request
        self._request_statements = [self.statement_of(r.call) for r, _ in pending]
        for request, in_genexp in pending:
            self._request(request, in_genexp)
        for node in tries:
            self._try(node)
        self.problems.extend(self.handlers.problems)
        self._names()

    def _reference(self, node: cst.Name | cst.Attribute) -> None:
        if self.cmd.is_call_target(node):
            return
        found = self.cmd.resolves_to(node, (*MODULE_FUNCTIONS, *SESSION_CLASSES))
        if found is None:
            return
        up = self.parent(node)
        if isinstance(up, cst.Attribute) and up.attr is node:
            return
        if self._offloaded(node):
            return
        self.cmd.report(
            node,
            "AM218",
            f"{found} referenced but not called here; whoever calls it will block the loop",
        )

    def _offloaded(self, node: cst.CSTNode) -> bool:
        """True for ``asyncio.to_thread(requests.get, ...)`` and
        ``loop.run_in_executor(None, requests.get, ...)``: already off the event loop."""
        arg = self.parent(node)
        call = self.parent(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(call, cst.Call):
            return False
        if self.cmd.resolves_to(call.func, ("asyncio.to_thread",)):
            return True
        return isinstance(call.func, cst.Attribute) and call.func.attr.value == "run_in_executor"

    def _request(self, request: Request, in_genexp: bool) -> None:
        self.requests.append(request)
        call = request.call
        if in_genexp:
            self.refuse(
                call,
                "AM216",
                "request in a generator expression; awaiting there "
                "would turn it into an async generator",
            )
            return
        request.info = arguments.check(
            call, request.method, request.session is not None, self.resolve
        )
        self.problems.extend(request.info.problems)
        up = self.parent(call)
        stmt = self.statement_of(call)
        if stmt is None:
            self.refuse(
                call, "AM216", "request in a one-line block or an elif test; put it on its own line"
            )
            return
        request.stmt = stmt
        small = _only_small(stmt)
        if isinstance(small, cst.Assign) and small.value is call:
            if len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                request.form, request.target = "assign", small.targets[0].target.value
                self._variable_uses(request, small.targets[0].target)
            elif any(isinstance(t.target, (cst.Attribute, cst.Subscript)) for t in small.targets):
                self.refuse(
                    call,
                    "AM210",
                    "response stored on an attribute or in a container; "
                    "its users expect the sync API",
                )
            else:
                self.refuse(call, "AM216", "response assigned to something other than one name")
        elif isinstance(small, cst.AnnAssign) and small.value is call:
            self.refuse(
                call,
                "AM216",
                "annotated response (it names the sync Response type); "
                "drop the annotation and rerun",
            )
        elif isinstance(small, cst.Expr) and small.value is call:
            request.form = "expr"
            if request.info.stream:
                self.refuse(call, "AM216", "streamed response not used")
        elif isinstance(up, cst.WithItem) and isinstance(stmt, cst.With) and up.item is call:
            self._with_request(request, stmt, up)
        elif isinstance(up, cst.Attribute) and up.value is call:
            self._chained(request, stmt)
        else:
            self.refuse(
                call,
                "AM210",
                "response used as a value (returned, passed or stored); "
                "its users expect the sync API",
            )

    def _with_request(self, request: Request, stmt: cst.With, item: cst.WithItem) -> None:
        if len(stmt.items) != 1 or stmt.asynchronous is not None:
            self.refuse(request.call, "AM216", "request in a with statement with other items")
            return
        if item.asname is None or not isinstance(item.asname.name, cst.Name):
            self.refuse(request.call, "AM216", "with request(...) without 'as name'")
            return
        if any(a.keyword and a.keyword.value == "files" for a in request.call.args):
            self.refuse(
                request.call,
                "AM212",
                "files= in a with statement; assign the response to a name instead",
            )
            return
        request.form = "with"
        request.target = item.asname.name.value
        self._variable_uses(request, item.asname.name, body=stmt.body)

    def _chained(self, request: Request, stmt: cst.BaseStatement) -> None:
        call = request.call
        header = _header(stmt)
        if header is None or not self.inside(call, header):
            self.refuse(
                call,
                "AM216",
                "request in a statement the codemod cannot wrap "
                "(a while test, an elif, a compound body)",
            )
            return
        ancestors = []
        current: cst.CSTNode | None = call
        while current is not None and current is not header:
            up = self.parent(current)
            if isinstance(up, (cst.BooleanOperation, cst.IfExp, cst.Lambda, *_COMPREHENSIONS)):
                self.refuse(
                    call,
                    "AM216",
                    "request evaluated conditionally or in a "
                    "comprehension; assign it to a name first",
                )
                return
            ancestors.append(up)
            current = up
        others = [
            n
            for n in _descendants(header)
            if isinstance(n, (cst.Call, cst.Await, cst.Yield))
            and n is not call
            and not any(n is a for a in ancestors)
            and not self.inside(n, call)
        ]
        if others:
            self.refuse(
                call,
                "AM216",
                "other calls in the statement would change order; "
                "assign the response to a name first",
            )
            return
        if sum(1 for r in self.requests if r.stmt is stmt) > 1:
            self.refuse(call, "AM216", "two requests in one statement")
            return
        request.form = "chained"
        self._classify(request, call, True)

    def _variable_uses(
        self, request: Request, target: cst.Name, body: cst.BaseSuite | None = None
    ) -> None:
        scope = self.cmd.get_metadata(ScopeProvider, target, None)
        assignment = None
        if scope is not None:
            assignment = next(
                (a for a in scope.assignments[target.value] if getattr(a, "node", None) is target),
                None,
            )
        if assignment is None or scope is not self.cmd.get_metadata(
            ScopeProvider, self.func.body.body[0], None
        ):
            self.refuse(request.call, "AM210", "response stored outside the coroutine's locals")
            return
        accesses = [a.node for a in assignment.references]
        if not self._sole_binding(target, scope.assignments[target.value]):
            self.refuse(
                request.call,
                "AM216",
                f"'{target.value}' is also bound elsewhere (in a "
                "loop, or not to a response); give each response its own name",
            )
            return
        ambiguous = [a for a in assignment.references if len(a.referents) > 1]
        for access in ambiguous:
            self.refuse(
                access.node,
                "AM216",
                f"'{target.value}' may hold another value here; give each response its own name",
            )
        if ambiguous:
            return
        if body is not None:
            in_block = all(self.inside(a, body) for a in accesses)
            if not in_block:
                self.refuse(request.call, "AM216", "response of a with block used after it")
                return
        else:
            assert request.stmt is not None
            block, index = self.block_of(request.stmt)
            following = block.body[index + 1 :]
            in_block = all(any(self.inside(a, s) for s in following) for a in accesses)
            request.end = index + max(
                (
                    i + 1
                    for i, s in enumerate(following)
                    if any(self.inside(a, s) for a in accesses)
                ),
                default=0,
            )
            if not in_block and request.info.stream:
                self.refuse(
                    request.call,
                    "AM216",
                    "streamed response used outside the statements that follow the request",
                )
                return
        if in_block and body is None and self._swallows_request(request):
            # nesting one response's block in another's reads badly: read this body eagerly
            # unless a use needs the connection open
            probe = [responses.classify(a, self.parent, True) for a in accesses]
            if not any(isinstance(u, responses.Use) and u.needs_block for u in probe):
                in_block = False
        request.in_block = in_block
        for access in accesses:
            self._classify(request, access, in_block)

    def _sole_binding(self, target: cst.Name, assignments: object) -> bool:
        """True if libcst's (flow-sensitive, loop-blind) referents can be trusted for the name
        of a response: it is bound once, or only by requests outside any loop."""
        bindings = list(assignments)  # type: ignore[call-overload]
        if len(bindings) == 1:
            return True
        for binding in bindings:
            node = getattr(binding, "node", None)
            stmt = self.statement_of(node) if node is not None else None
            if stmt is None or not any(stmt is s for s in self._request_statements):
                return False
            if self.in_loop(stmt):
                return False
        return True

    def _swallows_request(self, request: Request) -> bool:
        """True if another request runs in the statements this response's block would wrap."""
        assert request.stmt is not None
        block, index = self.block_of(request.stmt)
        wrapped = block.body[index + 1 : request.end + 1]
        return any(
            other is not None
            and other is not request.stmt
            and any(self.inside(other, s) for s in wrapped)
            for other in self._request_statements
        )

    def _classify(self, request: Request, value: cst.CSTNode, in_block: bool) -> None:
        result = responses.classify(value, self.parent, in_block)
        if isinstance(result, responses.Refusal):
            self.refuse(result.node, result.code, result.message)
            return
        if not self.in_coroutine(result.node, result.awaits):
            self.refuse(
                result.node, "AM216", "response used in a nested function or a generator expression"
            )
            return
        request.uses.append(result)

    # -- sessions ---------------------------------------------------------------

    def _session(self, call: cst.Call) -> None:
        up = self.parent(call)
        stmt = self.statement_of(call)
        if call.args:
            self.refuse(call, "AM215", "requests.Session() with arguments")
            return
        if isinstance(up, cst.WithItem) and isinstance(stmt, cst.With) and up.item is call:
            if (
                len(stmt.items) != 1
                or up.asname is None
                or not isinstance(up.asname.name, cst.Name)
            ):
                self.refuse(call, "AM215", "with requests.Session() without one 'as name'")
                return
            session = UserSession(call, up.asname.name.value, "with", stmt)
            target = up.asname.name
        else:
            small = _only_small(stmt) if stmt is not None else None
            if not (
                isinstance(small, cst.Assign)
                and small.value is call
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
            ):
                self.refuse(
                    call,
                    "AM215",
                    "requests.Session() used other than in a with "
                    "statement or assigned to a local name",
                )
                return
            assert stmt is not None
            target = small.targets[0].target
            session = UserSession(call, target.value, "assign", stmt)
        self.sessions.append(session)
        scope = self.cmd.get_metadata(ScopeProvider, target, None)
        assignments = scope.assignments[target.value] if scope is not None else []
        if len(assignments) != 1:
            self.refuse(call, "AM215", f"session name '{target.value}' is assigned more than once")
            return
        accesses = [a.node for a in next(iter(assignments)).references]
        if session.form == "with":
            home = stmt.body  # type: ignore[union-attr]
            region = [home]
        else:
            home, index = self.block_of(stmt)  # type: ignore[arg-type]
            region = list(home.body[index + 1 :])
        for access in accesses:
            if not any(self.inside(access, r) for r in region) or not self.in_coroutine(
                access, False
            ):
                self.refuse(
                    access,
                    "AM215",
                    "session used outside the statements it was "
                    "opened for, or in a nested function",
                )
                continue
            self._session_use(session, access)
        self._closes(session, home, accesses)
        if session.form == "assign":
            used = [a for a in accesses if not any(self.inside(a, d) for d in session.dropped)]
            session.end = index + max(
                (i + 1 for i, s in enumerate(region) if any(self.inside(a, s) for a in used)),
                default=0,
            )

    def _closes(
        self, session: UserSession, home: cst.BaseSuite, accesses: list[cst.CSTNode]
    ) -> None:
        """``s.close()`` as the session's last use goes: the ``async with`` closes it, and
        closing earlier would break responses still being read (requests' would not)."""
        if not session.closes:
            return
        position = self.cmd.get_metadata
        last = max(
            accesses,
            key=lambda a: (
                position(PositionProvider, a).start.line,
                position(PositionProvider, a).start.column,
            ),
        )
        for close in session.closes:
            stmt = self.statement_of(close)
            if stmt is None or self.parent(stmt) is not home or not self.inside(last, stmt):
                self.refuse(
                    close,
                    "AM215",
                    "session closed other than by its last statement in the block that opened it",
                )
                continue
            session.dropped.append(stmt)

    def _session_use(self, session: UserSession, access: cst.CSTNode) -> None:
        up = self.parent(access)
        if not (isinstance(up, cst.Attribute) and up.value is access):
            self.refuse(
                access, "AM215", "session passed on or stored; its users expect the sync API"
            )
            return
        name = up.attr.value
        above = self.parent(up)
        called = isinstance(above, cst.Call) and above.func is up
        if name in METHODS and called:
            session.requests.append(Request(above, name, session.name))  # type: ignore[arg-type]
            return
        if name == "headers":
            target = self.parent(above) if above is not None else None
            if isinstance(above, cst.Attribute) and above.attr.value == "update":
                return
            if isinstance(above, cst.Subscript) and isinstance(target, cst.AssignTarget):
                return
        if name == "auth" and isinstance(above, cst.AssignTarget):
            assign = self.parent(above)
            if (
                isinstance(assign, cst.Assign)
                and len(assign.targets) == 1
                and isinstance(assign.value, cst.Tuple)
                and len(assign.value.elements) == 2
            ):
                session.auth.append(assign)
                return
        if name == "close" and called and isinstance(self.parent(above), cst.Expr):  # type: ignore[arg-type]
            session.closes.append(above)  # type: ignore[arg-type]
            return
        self.refuse(
            up, "AM215", f"session .{name} used in a way with no faithful aiohttp equivalent here"
        )

    # -- exceptions -------------------------------------------------------------

    def _try(self, node: cst.Try) -> None:
        raising = [r.call for r in self.requests] + [
            u.node for r in self.requests for u in r.uses if u.raises
        ]
        inside = [n for n in raising if self.inside(n, node.body)]
        if not inside:
            return
        runs_json = any(
            u.json and self.inside(u.node, node.body) for r in self.requests for u in r.uses
        )
        has_timeout = any(
            r.info.has_timeout and self.inside(r.call, node.body) for r in self.requests
        )
        before = len(self.handlers.types)
        exceptions.plan_try(node, self.resolve, runs_json, has_timeout, self.handlers)
        if len(self.handlers.types) == before:
            return
        for raised in _descendants(node.body):
            if isinstance(raised, (cst.Name, cst.Attribute)) and exceptions.requests_exception(
                raised, self.resolve
            ):
                up = self.parent(raised)
                if isinstance(up, cst.Attribute) and up.attr is raised:
                    continue
                self.refuse(
                    raised,
                    "AM214",
                    "a requests exception is raised or named in the "
                    "try body; its handlers would no longer catch it",
                )

    def _names(self) -> None:
        modules = {"aiohttp"} | self.handlers.modules
        if any(u.json for r in self.requests for u in r.uses):
            modules.add("json")
        anchor = self.func.body.body[0]
        for module in sorted(modules):
            if not self.cmd.module_name_free(anchor, module):
                self.refuse(
                    self.requests[0].call if self.requests else self.func,
                    "AM219",
                    f"the name '{module}' is bound to something else here",
                )
        self.modules = modules

    # -- placement ----------------------------------------------------------------

    def session_ops(
        self, header: Callable[[], cst.BaseExpression], name: str
    ) -> tuple[cst.IndentedBlock, blocks.Op] | None:
        """Where the coroutine's own ClientSession goes: around the smallest run of
        statements holding every module-level request, outside any loop."""
        stmts = [r.stmt for r in self.requests if r.session is None]
        if not stmts:
            return None
        paths = [self.path(s) for s in stmts]  # type: ignore[arg-type]
        depth = 0
        first = paths[0]
        while all(len(p) > depth + 1 for p in paths) and all(
            p[depth][1] == first[depth][1] and p[depth + 1][0] is first[depth + 1][0] for p in paths
        ):
            depth += 1
        for level in range(depth):
            block, index = first[level]
            if isinstance(block.body[index], _LOOPS):
                depth = level
                break
        block = first[depth][0]
        start = min(p[depth][1] for p in paths)
        end = max(p[depth][1] for p in paths)
        op = blocks.Op(start, end, blocks.SESSION, False, lambda s: (header(), name, []), list)
        return block, op

    def in_loop(self, stmt: cst.BaseStatement) -> bool:
        return any(isinstance(b.body[i], _LOOPS) for b, i in self.path(stmt)[:-1])

    def column_of(self, node: cst.CSTNode) -> int:
        return self.cmd.get_metadata(PositionProvider, node).start.column

    def indent_of(self, block: cst.IndentedBlock) -> int:
        return self.cmd.get_metadata(PositionProvider, block.body[0]).start.column


def _index(block: cst.IndentedBlock, stmt: cst.CSTNode) -> int:
    return next(i for i, s in enumerate(block.body) if s is stmt)


def _only_small(stmt: cst.BaseStatement | None) -> cst.BaseSmallStatement | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        return stmt.body[0]
    return None


def _header(stmt: cst.BaseStatement) -> cst.CSTNode | None:
    """The part of ``stmt`` evaluated once, before anything else in it runs."""
    small = _only_small(stmt)
    if small is not None:
        return small
    if isinstance(stmt, cst.If):
        return stmt.test
    if isinstance(stmt, cst.For) and stmt.asynchronous is None:
        return stmt.iter
    return None


def _descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, _NESTED):
            stack.extend(current.children)
