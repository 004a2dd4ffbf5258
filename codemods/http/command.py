"""HTTP clients in coroutines other than ``requests``.

- ``r = httpx.get(url, ...)`` (any verb, ``httpx.request``) ->
  ``async with httpx.AsyncClient(...) as client: r = await client.get(url, ...)``;
- ``with httpx.Client(...) as c:`` whose every use is a request ->
  ``async with httpx.AsyncClient(...) as c:`` with each request awaited;
- everything else in the family (other httpx shapes, ``httpx.Client`` methods,
  ``urllib.request.urlopen`` and reads of its response, ``urllib3``) ->
  ``await asyncio.to_thread(...)``; ``client.stream(...)`` is reported.

Only non-streaming responses are involved: httpx reads them eagerly, so ``.text``,
``.content``, ``.json()``, ``.raise_for_status()`` stay sync. The one response method
that differs is ``close()`` (it raises on an async response), so a response that is
closed, used in ``with`` or escapes the statement's names is offloaded instead.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import Assignment

from codemods.core.blocking import Blocking
from codemods.core.catalogue import HTTP_METHODS
from codemods.core.names import identifiers
from codemods.core.navigation import assignments_of, runs_directly_in
from codemods.core.offloading import OffloadingCodemod
from codemods.http.spec import FAMILIES, SPEC

_MODULES = ("httpx", "httpx2")
# httpx.request(): what goes to the Client and what to client.request().
_CLIENT_KEYWORDS = ("cookies", "proxy", "verify", "timeout", "trust_env")
_REQUEST_KEYWORDS = (
    "params",
    "headers",
    "auth",
    "follow_redirects",
    "content",
    "data",
    "files",
    "json",
)
# Keywords of httpx.Client(...) that mean the same on AsyncClient.
_SAME_ON_ASYNC_CLIENT = {
    "headers",
    "cookies",
    "params",
    "timeout",
    "follow_redirects",
    "verify",
    "cert",
    "trust_env",
    "base_url",
    "max_redirects",
    "http1",
    "http2",
    "proxy",
    "limits",
    "default_encoding",
    "auth",
}
_CLIENT_METHODS = {*HTTP_METHODS, "send", "close"}
# Response attributes that behave differently (or are async) on an AsyncClient response.
_RESPONSE_DIFFERS = {"close", "stream", "aclose", "aread", "aiter_bytes", "aiter_text"}
_RESPONSE_DIFFERS |= {"aiter_lines", "aiter_raw", "__enter__", "__exit__"}


class HttpCommand(OffloadingCodemod):
    """Take HTTP requests off the event loop: httpx.AsyncClient, or a worker thread."""

    SPEC = SPEC
    FAMILIES = FAMILIES
    OFFLOADED = "AM523"
    NOT_OFFLOADED = "AM524"
    THREAD_BOUND = "AM525"  # never emitted: HTTP clients are not thread-bound
    CANNOT_HERE = "AM525"

    def __init__(self, context: CodemodContext, offload: bool = True) -> None:
        super().__init__(context, offload)
        # module-function calls to move onto a client, by the statement that gets wrapped
        self._wrap: dict[cst.SimpleStatementLine, tuple[cst.Call, str]] = {}
        self._async_withs: set[cst.With] = set()
        self._awaited_methods: set[cst.Call] = set()
        self._function_stack: list[cst.FunctionDef] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._function_stack.append(node)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self._function_stack.pop()
        return updated_node

    # -- with httpx.Client() as c ---------------------------------------------

    def visit_With(self, node: cst.With) -> None:
        if not self.in_coroutine() or node.asynchronous is not None or len(node.items) != 1:
            return
        item = node.items[0]
        call = item.item
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return
        if self.resolves_to(call.func, [f"{m}.Client" for m in _MODULES]) is None:
            return
        if item.asname is None or not isinstance(item.asname.name, cst.Name):
            return
        if not _keywords_only(call, _SAME_ON_ASYNC_CLIENT) or not _plain_auth(call):
            return
        methods = self._client_requests(node, item.asname.name)
        if methods is None or self.suppressed(node, "AM522"):
            return
        self._async_withs.add(node)
        self._awaited_methods.update(methods)

    def _client_requests(self, with_node: cst.With, name: cst.Name) -> list[cst.Call] | None:
        """The calls on the client ``name`` in the block, if they are all requests whose
        responses behave the same from an AsyncClient."""
        assignment = self._sole_assignment(name)
        if assignment is None or assignment.node is not name:
            return None
        calls = []
        for access in assignment.references:
            attribute = self.parent_of(access.node)
            if not isinstance(attribute, cst.Attribute) or attribute.value is not access.node:
                return None
            call = self.parent_of(attribute)
            if not isinstance(call, cst.Call) or call.func is not attribute:
                return None
            if attribute.attr.value not in _CLIENT_METHODS:
                return None
            if not runs_directly_in(self, call, with_node.body, awaiting=True):
                return None
            if not self._response_kept(call):
                return None
            calls.append(call)
        return calls

    def leave_With(self, original_node: cst.With, updated_node: cst.With) -> cst.BaseStatement:
        if original_node not in self._async_withs:
            return updated_node
        item = updated_node.items[0]
        call = item.item
        assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
        new_call = call.with_changes(func=call.func.with_changes(attr=cst.Name("AsyncClient")))
        self.fixed(original_node, "AM522", "with httpx.Client() -> async with httpx.AsyncClient()")
        return updated_node.with_changes(
            asynchronous=cst.Asynchronous(), items=[item.with_changes(item=new_call)]
        )

    # -- calls ------------------------------------------------------------------

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if original_node in self._awaited_methods:
            func = updated_node.func
            assert isinstance(func, cst.Attribute)
            if func.attr.value == "close":
                updated_node = updated_node.with_changes(
                    func=func.with_changes(attr=cst.Name("aclose"))
                )
            return self.awaited(original_node, updated_node)
        return super().leave_Call(original_node, updated_node)

    def idiomatic(
        self, original: cst.Call, updated: cst.Call, found: Blocking
    ) -> cst.BaseExpression | None:
        """``await client.<verb>(...)`` for a module-level httpx request whose statement
        can be wrapped in ``async with httpx.AsyncClient(...) as client:``."""
        name = found.name
        module, _, verb = name.partition(".")
        if module not in _MODULES or verb not in HTTP_METHODS:
            return None
        statement = self._statement_of(original)
        if statement is None or statement in self._wrap:
            return None
        positional = 2 if verb == "request" else 1
        if not _simple_arguments(updated) or not _plain_auth(updated):
            return None
        if len([a for a in updated.args if a.keyword is None]) != positional:
            return None
        if not _keywords_only(updated, {*_CLIENT_KEYWORDS, *_REQUEST_KEYWORDS}):
            return None
        if not self._response_kept(original) or not self.module_name_free(original, module):
            return None
        client = self._free_name(original, "client")
        if client is None or self.suppressed(original, "AM521"):
            return None
        request_args = [
            a for a in updated.args if a.keyword is None or a.keyword.value in _REQUEST_KEYWORDS
        ]
        client_args = [a for a in updated.args if a not in request_args]
        client_call = cst.Call(
            func=cst.Attribute(value=cst.Name(module), attr=cst.Name("AsyncClient")),
            args=_tidy(client_args),
        )
        self._wrap[statement] = (client_call, client)
        self.fixed(original, "AM521", f"{name} -> await {client}.{verb} on an httpx.AsyncClient")
        method_call = updated.with_changes(
            func=cst.Attribute(value=cst.Name(client), attr=cst.Name(verb)),
            args=_tidy(request_args),
        )
        return self.awaited(original, method_call)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        wrap = self._wrap.get(original_node)
        if wrap is None:
            return updated_node
        client_call, client = wrap
        return cst.With(
            asynchronous=cst.Asynchronous(),
            items=[cst.WithItem(item=client_call, asname=cst.AsName(name=cst.Name(client)))],
            body=cst.IndentedBlock(body=[updated_node.with_changes(leading_lines=[])]),
            leading_lines=updated_node.leading_lines,
        )

    def _statement_of(self, call: cst.Call) -> cst.SimpleStatementLine | None:
        """The one-statement line ``call`` stands in as ``x = call``, ``call`` or
        ``... call.attr ...`` (the response used on the spot), in an indented block."""
        parent = self.parent_of(call)
        if isinstance(parent, cst.Attribute) and parent.value is call:
            parent = self.parent_of(parent)
            if isinstance(parent, cst.Call):
                parent = self.parent_of(parent)
        if not isinstance(parent, (cst.Assign, cst.Expr, cst.Return)):
            return None
        line = self.parent_of(parent)
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return None
        if not isinstance(self.parent_of(line), cst.IndentedBlock):
            return None
        return line

    def _response_kept(self, call: cst.Call) -> bool:
        """The response of ``call`` is used only where an AsyncClient response behaves
        the same: discarded, an attribute used at once, or bound to a name whose every
        use is such an attribute."""
        parent = self.parent_of(call)
        if isinstance(parent, cst.Expr):
            return True
        if isinstance(parent, cst.Attribute) and parent.value is call:
            return parent.attr.value not in _RESPONSE_DIFFERS | {"raise_for_status"}
        if not isinstance(parent, cst.Assign) or len(parent.targets) != 1:
            return False
        target = parent.targets[0].target
        if not isinstance(target, cst.Name):
            return False
        assignment = self._sole_assignment(target)
        if assignment is None:
            return False
        for access in assignment.references:
            use = self.parent_of(access.node)
            if not isinstance(use, cst.Attribute) or use.value is not access.node:
                return False
            if use.attr.value in _RESPONSE_DIFFERS:
                return False
        return True

    def _sole_assignment(self, name: cst.Name) -> Assignment | None:
        """The assignment of ``name`` in its scope, if it is the only one."""
        assignments = assignments_of(self, name)
        return assignments[0] if len(assignments) == 1 else None

    def _free_name(self, node: cst.CSTNode, base: str) -> str | None:
        scope = self.scope_of(node)
        if scope is None or not self._function_stack:
            return None
        for candidate in (base, f"{base}_", f"{base}_1", f"{base}_2"):
            if (
                not scope[candidate]
                and not self.bound_where_left_out(candidate)
                and candidate not in identifiers(self._function_stack[-1])
            ):
                return candidate
        return None


def _keywords_only(call: cst.Call, allowed: set[str] | tuple[str, ...]) -> bool:
    """Every keyword argument is one of ``allowed`` and nothing is starred."""
    for arg in call.args:
        if arg.star:
            return False
        if arg.keyword is not None and arg.keyword.value not in allowed:
            return False
    return True


def _plain_auth(call: cst.Call) -> bool:
    """``auth=`` absent or a (user, password) tuple: a custom httpx.Auth might only
    implement the sync flow."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "auth":
            return isinstance(arg.value, cst.Tuple)
        if arg.keyword is not None and arg.keyword.value == "content":
            if not isinstance(arg.value, (cst.SimpleString, cst.ConcatenatedString)):
                return False  # a sync iterator would fail on an AsyncClient
    return True


def _simple_arguments(call: cst.Call) -> bool:
    """Arguments whose evaluation has no effect that creating the client first could
    reorder: names, literals, attribute chains, f-strings and containers of those."""
    return all(_simple(arg.value) for arg in call.args)


def _simple(node: cst.CSTNode) -> bool:
    if isinstance(node, (cst.Name, cst.SimpleString, cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.Attribute):
        return _simple(node.value)
    if isinstance(node, cst.BinaryOperation):
        return _simple(node.left) and _simple(node.right)
    if isinstance(node, cst.ConcatenatedString):
        return _simple(node.left) and _simple(node.right)
    if isinstance(node, cst.FormattedString):
        return all(
            _simple(p.expression) if isinstance(p, cst.FormattedStringExpression) else True
            for p in node.parts
        )
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return all(_simple(e.value) for e in node.elements)
    if isinstance(node, cst.Dict):
        return all(
            isinstance(e, cst.DictElement) and _simple(e.key) and _simple(e.value)
            for e in node.elements
        )
    return False


def _tidy(args: list[cst.Arg]) -> list[cst.Arg]:
    """``args`` with the last one's comma dropped (it may have lost its follower)."""
    if not args:
        return []
    return [*args[:-1], args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
