"""``requests`` in a coroutine -> ``aiohttp``, with requests' behaviour kept
(docs/codemods/requests.md)."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
from libcst.codemod import CodemodContext

from codemods.core.base import LOCKED_REASON, AsyncCodemod
from codemods.core.build import dotted, kwarg
from codemods.core.problems import Problem
from codemods.requests import arguments, blocks, build
from codemods.requests.coroutine import CoroutinePlan, plan_coroutine
from codemods.requests.model import Form, Request, UserSession
from codemods.requests.spec import SPEC

#: requests decodes text/* without a charset as ISO-8859-1; aiohttp would use utf-8.
_CHARSET = """lambda resp, body: (
        "ISO-8859-1" if "text" in resp.content_type else "utf-8"
    )"""

Rebuild = Callable[[cst.CSTNode], cst.CSTNode]


class RequestsCommand(AsyncCodemod):
    """Rewrite requests calls made directly in coroutines into aiohttp requests."""

    SPEC = SPEC

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._replace: dict[cst.CSTNode, Rebuild] = {}
        self._ops: dict[cst.CSTNode, list[blocks.Op]] = {}
        self._indent: dict[cst.CSTNode, int] = {}
        self._dropped: dict[cst.CSTNode, set[int]] = {}
        self._calls: dict[cst.CSTNode, cst.Call] = {}
        self._taken: set[str] = set()
        self._dropping: set[str] = set()

    def visit_Module(self, node: cst.Module) -> None:
        self._taken = self.module_identifiers(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is None:
            return
        plan = plan_coroutine(self, node)
        self.report_problems(plan.references)
        for call in [r.call for r in plan.requests] + [s.call for s in plan.sessions]:
            if self.held_lock(call):
                plan.problems.append(
                    Problem(call, "AM220", "requests call left unchanged: " + LOCKED_REASON)
                )
        for node, code in _silenceable(plan):
            if code == "AM203" and not self.left_off(node, code):
                continue  # an except clause is rewritten with the requests it catches
            if self.suppressed(node, "AM201") or self.suppressed(node, code):
                # Silenced (by a comment, or its code left off by the run): not reported
                # itself, and the coroutine's other calls stay unchanged too (they share
                # one session), each reported as AM217.
                plan.problems.append(Problem(node, code, "silenced"))
        if not plan.requests and not plan.sessions and not plan.problems:
            return
        if plan.problems:
            self._refuse(plan)
        else:
            self._apply(plan)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[override]
        result = super().on_leave(original_node, updated_node)
        if original_node in self._calls:
            self._calls[original_node] = result  # type: ignore[assignment]
        rebuild = self._replace.get(original_node)
        if rebuild is not None and isinstance(result, cst.CSTNode):
            result = rebuild(result)
        ops = self._ops.get(original_node, [])
        dropped = self._dropped.get(original_node, set())
        if (ops or dropped) and isinstance(result, cst.IndentedBlock):
            blocks.nest(ops)
            indent = self._indent.get(original_node, 0)
            result = blocks.apply(result, ops, indent, dropped)
        return result

    # -- refusing ---------------------------------------------------------------

    def _refuse(self, plan: CoroutinePlan) -> None:
        seen = set()
        for problem in plan.problems:
            key = (id(problem.node), problem.code)
            if key not in seen:
                seen.add(key)
                self.report_problems([problem])
        lines = sorted({self._line(p.node) for p in plan.problems})
        where = ("line " if len(lines) == 1 else "lines ") + ", ".join(str(n) for n in lines)
        problem_nodes = {id(p.node) for p in plan.problems}
        for call in [r.call for r in plan.requests] + [s.call for s in plan.sessions]:
            if id(call) in problem_nodes or self._line(call) in lines:
                continue
            self.report(
                call,
                "AM217",
                f"requests call left unchanged because of the finding on {where} in the "
                "same coroutine; fix that and rerun",
            )

    def _line(self, node: cst.CSTNode) -> int:
        return self.input_line(node)

    # -- rewriting --------------------------------------------------------------

    def _drop(self, reference: cst.CSTNode) -> None:
        """Drop the import ``reference`` came through once unused (once per imported name:
        each request costs libcst a visitor)."""
        root = reference
        while isinstance(root, cst.Attribute):
            root = root.value
        key = root.value if isinstance(root, cst.Name) else str(id(root))
        if key not in self._dropping:
            self._dropping.add(key)
            self.drop_import_if_unused(reference)

    def _fresh(self, base: str, *others: str) -> str:
        """A name not used anywhere in the module (names the rewrite adds are per coroutine,
        so coroutines may share them)."""
        for name in (base, *others, *(f"{base}_{i}" for i in range(1, 100))):
            if name not in self._taken:
                return name
        raise AssertionError("no free name")

    def _apply(self, plan: CoroutinePlan) -> None:
        module_requests = [r for r in plan.requests if r.session is None]
        session = self._fresh("session", "http_session") if module_requests else ""
        response = ""
        if any(r.form in (Form.EXPR, Form.CHAINED) for r in plan.requests):
            response = self._fresh("resp", "response")
        for request in plan.requests:
            self._request(plan, request, request.session or session, request.target or response)
        for user_session in plan.sessions:
            self._user_session(plan, user_session)
        if module_requests:
            jar = None
            if len(module_requests) > 1 or any(plan.in_loop(r.stmt) for r in module_requests):  # type: ignore[arg-type]
                jar = "aiohttp.DummyCookieJar()"  # like separate requests.get calls
            text = _reads_text(module_requests)
            placed = plan.session_ops(lambda: _client_session(jar, text), session)
            assert placed is not None
            block, op = placed
            self._add_op(plan, block, op)
        handlers = plan.handlers
        for old, new in handlers.types.items():
            self._replace[old] = _constant(new)
            self.fixed(old, "AM203", "requests exception -> aiohttp exception")
        for old, new in handlers.statuses.items():
            self._replace[old] = _constant(new)
        for node in handlers.replaced:
            self._drop(node)
        for module in sorted(plan.modules):
            self.need_import(module)

    def _add_op(self, plan: CoroutinePlan, block: cst.IndentedBlock, op: blocks.Op) -> None:
        self._ops.setdefault(block, []).append(op)
        self._indent[block] = plan.indent_of(block)

    def _request(self, plan: CoroutinePlan, request: Request, session: str, name: str) -> None:
        call = request.call
        self._calls[call] = call

        form = self._fresh("form", "form_data")

        def aiohttp_call() -> cst.Call:
            return prepared()[0]

        def lost_comments() -> list[cst.Comment]:
            """Comments of the original call that the new call does not carry."""
            kept = {id(c) for c in _comments(prepared()[0])}
            return [c for c in _comments(self._calls[call]) if id(c) not in kept]

        def prepared() -> tuple[cst.Call, list[cst.BaseStatement]]:
            updated = self._calls[call]
            args, before = arguments.translate(
                updated, request.method, request.session is not None, form
            )
            return build.call(build.attr(cst.Name(session), request.method), args), before

        def header(stmt: cst.BaseStatement) -> tuple[cst.Call, str, list[cst.BaseStatement]]:
            item, before = prepared()
            return item, name, before

        for use in request.uses:
            self._replace[use.node] = _use(use.build, name)
        if request.form in (Form.ASSIGN, Form.EXPR):
            assert request.stmt is not None
            block, index = plan.block_of(request.stmt)
            end = request.end if request.form is Form.ASSIGN and request.in_block else index
            op = blocks.Op(
                index,
                max(end, index),
                blocks.Priority.REQUEST,
                True,
                header,
                lambda: [build.read_body(name)],
                lost_comments,
            )
            self._add_op(plan, block, op)
        elif request.form is Form.CHAINED:
            assert request.stmt is not None
            block, index = plan.block_of(request.stmt)
            op = blocks.Op(
                index,
                index,
                blocks.Priority.REQUEST,
                False,
                header,
                list,
                lost_comments,
            )
            self._add_op(plan, block, op)
        else:  # with
            indent = plan.column_of(request.stmt)  # type: ignore[arg-type]
            self._replace[request.stmt] = _async_with(  # type: ignore[index]
                aiohttp_call, indent, lost_comments
            )
        if request.session is None:
            self._drop(call.func)
        self.fixed(call, "AM201", f"requests {request.method} -> aiohttp {request.method}")

    def _user_session(self, plan: CoroutinePlan, session: UserSession) -> None:
        text = _reads_text(session.requests)
        jar = "aiohttp.CookieJar(unsafe=True)"  # requests keeps cookies from IP hosts too
        if session.form is Form.WITH:
            indent = plan.column_of(session.stmt)
            self._replace[session.stmt] = _async_with(lambda: _client_session(jar, text), indent)
        else:
            block, index = plan.block_of(session.stmt)
            op = blocks.Op(
                index,
                max(session.end, index),
                blocks.Priority.USER_SESSION,
                True,
                lambda s: (_client_session(jar, text), session.name, []),
                lambda: [build.statement(cst.Pass())],
            )
            self._add_op(plan, block, op)
        for assign in session.auth:
            self._replace[assign] = _session_auth
        for stmt in session.dropped:
            block, index = plan.block_of(stmt)
            self._dropped.setdefault(block, set()).add(index)
        self._drop(session.call.func)
        self.fixed(session.call, "AM202", "requests.Session -> aiohttp.ClientSession")


def _silenceable(plan: CoroutinePlan) -> list[tuple[cst.CSTNode, str]]:
    """What the coroutine's rewrite records, and under which code: a comment silencing a
    request or a session, or the run leaving one of these codes off, leaves the
    coroutine's requests alone."""
    return [
        *((r.call, "AM201") for r in plan.requests),
        *((s.call, "AM202") for s in plan.sessions),
        *((old, "AM203") for old in plan.handlers.types),
    ]


def _comments(call: cst.CSTNode) -> list[cst.Comment]:
    """The comments inside a call the rewrite rebuilds (they would be lost otherwise)."""
    import libcst.matchers as m

    return [c for c in m.findall(call, m.Comment()) if isinstance(c, cst.Comment)]


def _reads_text(requests: list[Request]) -> bool:
    return any(u.reads_text for r in requests for u in r.uses)


def _client_session(jar: str | None, text: bool) -> cst.Call:
    args = []
    if jar:
        args.append(kwarg("cookie_jar", build.expr(jar)))
    if text:
        args.append(kwarg("fallback_charset_resolver", build.expr(_CHARSET)))
    # requests never times out by default; aiohttp's default is 300 s in total.
    args.append(kwarg("timeout", build.expr("aiohttp.ClientTimeout(total=None)")))
    # requests reads proxies and .netrc from the environment; aiohttp only when asked.
    args.append(kwarg("trust_env", cst.Name("True")))
    return build.call(dotted("aiohttp.ClientSession"), args)


def _constant(new: cst.BaseExpression) -> Rebuild:
    return lambda n: new


def _use(rebuild: Callable[[cst.CSTNode, str], cst.CSTNode], name: str) -> Rebuild:
    return lambda n: rebuild(n, name)


def _async_with(
    item: Callable[[], cst.BaseExpression],
    indent: int,
    comments: Callable[[], list[cst.Comment]] = list,
) -> Rebuild:
    def rebuild(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.With)
        first = node.items[0].with_changes(item=build.fitted(item(), indent))
        lines = [*node.leading_lines, *(cst.EmptyLine(comment=c) for c in comments())]
        return node.with_changes(
            asynchronous=cst.Asynchronous(), items=[first], leading_lines=lines
        )

    return rebuild


def _session_auth(node: cst.CSTNode) -> cst.CSTNode:
    """``s.auth = (u, p)`` -> the Authorization header requests would send."""
    assert isinstance(node, cst.Assign) and isinstance(node.value, cst.Tuple)
    target = node.targets[0].target
    assert isinstance(target, cst.Attribute)
    user, password = (e.value for e in node.value.elements)
    header = cst.Subscript(
        value=build.attr(target.value, "headers"),
        slice=[cst.SubscriptElement(cst.Index(cst.SimpleString('"Authorization"')))],
    )
    value = build.call(
        dotted("aiohttp.encode_basic_auth"),
        [cst.Arg(user), cst.Arg(password), kwarg("encoding", cst.SimpleString('"latin-1"'))],
    )
    return node.with_changes(targets=[cst.AssignTarget(header)], value=value)
