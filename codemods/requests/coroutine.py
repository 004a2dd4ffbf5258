"""Planning the rewrite of one coroutine: which requests calls, sessions, response uses and
``except`` clauses change, into what, and where the ``ClientSession`` goes.

Nothing is changed here: the plan is a set of node replacements and block ops that
:class:`~codemods.requests.command.RequestsCommand` applies while leaving the tree.
If anything in the coroutine cannot be migrated faithfully, nothing in it is planned.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from codemods.core.lookups import Lookups
from codemods.core.offloaded import is_offloaded
from codemods.core.problems import Problem
from codemods.requests import arguments, blocks, exceptions, responses
from codemods.requests.model import Form, Request, UserSession
from codemods.requests.names import MODULE_FUNCTIONS, SESSION_CLASSES
from codemods.requests.sessions import SessionAnalysis
from codemods.requests.tree import (
    COMPREHENSIONS,
    LOOPS,
    descendants,
    only_small,
    statement_header,
)


def plan_coroutine(lookups: Lookups, func: cst.FunctionDef) -> CoroutinePlan:
    """The plan for the coroutine ``func``, made from the original tree through ``lookups``."""
    plan = CoroutinePlan(lookups, func)
    plan.analyse()
    return plan


class CoroutinePlan(SessionAnalysis):
    """What changes in one coroutine; ``problems`` says why nothing may, and ``references``
    are findings reported whatever happens to the rest."""

    def __init__(self, lookups: Lookups, func: cst.FunctionDef) -> None:
        super().__init__(lookups, func)
        self.requests: list[Request] = []
        self.sessions: list[UserSession] = []
        self.handlers = exceptions.HandlerPlan()
        self.modules: set[str] = set()
        #: requests functions referenced but not called (AM218)
        self.references: list[Problem] = []

    # -- analysis -----------------------------------------------------------------

    def analyse(self) -> None:
        tries: list[cst.Try] = []
        pending: list[tuple[Request, bool]] = []
        for node, in_genexp in self.walk():
            if isinstance(node, cst.Try):
                tries.append(node)
            if isinstance(node, cst.Call):
                found = self.lookups.resolves_to(node.func, MODULE_FUNCTIONS)
                if found is not None:
                    pending.append((Request(node, MODULE_FUNCTIONS[found], None), in_genexp))
                elif self.lookups.resolves_to(node.func, SESSION_CLASSES):
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
        if self.lookups.is_call_target(node):
            return
        found = self.lookups.resolves_to(node, (*MODULE_FUNCTIONS, *SESSION_CLASSES))
        if found is None:
            return
        up = self.parent(node)
        if isinstance(up, cst.Attribute) and up.attr is node:
            return
        if is_offloaded(node, self.lookups.parent_of, self.lookups.qualified_names):
            return  # handed to a worker thread: already the fix
        self.references.append(
            Problem(
                node,
                "AM218",
                f"{found} referenced but not called here; whoever calls it will block the loop",
            )
        )

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
            call, request.method, request.session is not None, self.lookups
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
        small = only_small(stmt)
        if isinstance(small, cst.Assign) and small.value is call:
            if len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                request.form, request.target = Form.ASSIGN, small.targets[0].target.value
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
            request.form = Form.EXPR
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
        request.form = Form.WITH
        request.target = item.asname.name.value
        self._variable_uses(request, item.asname.name, body=stmt.body)

    def _chained(self, request: Request, stmt: cst.BaseStatement) -> None:
        call = request.call
        header = statement_header(stmt)
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
            if isinstance(up, (cst.BooleanOperation, cst.IfExp, cst.Lambda, *COMPREHENSIONS)):
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
            for n in descendants(header)
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
        request.form = Form.CHAINED
        self._classify(request, call, True)

    def _variable_uses(
        self, request: Request, target: cst.Name, body: cst.BaseSuite | None = None
    ) -> None:
        scope = self.lookups.scope_of(target)
        assignment = None
        if scope is not None:
            assignment = next(
                (a for a in scope.assignments[target.value] if getattr(a, "node", None) is target),
                None,
            )
        if assignment is None or scope is not self.lookups.scope_of(self.func.body.body[0]):
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
            probe = [responses.classify(a, self.lookups, True) for a in accesses]
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
        result = responses.classify(value, self.lookups, in_block)
        if isinstance(result, Problem):
            self.problems.append(result)
            return
        if not self.in_coroutine(result.node, result.awaits):
            self.refuse(
                result.node, "AM216", "response used in a nested function or a generator expression"
            )
            return
        request.uses.append(result)

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
        exceptions.plan_try(node, self.lookups, runs_json, has_timeout, self.handlers)
        if len(self.handlers.types) == before:
            return
        for raised in descendants(node.body):
            if isinstance(raised, (cst.Name, cst.Attribute)) and exceptions.requests_exception(
                raised, self.lookups
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
            if not self.lookups.module_name_free(anchor, module):
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
            if isinstance(block.body[index], LOOPS):
                depth = level
                break
        block = first[depth][0]
        start = min(p[depth][1] for p in paths)
        end = max(p[depth][1] for p in paths)
        op = blocks.Op(
            start, end, blocks.Priority.SESSION, False, lambda s: (header(), name, []), list
        )
        return block, op
