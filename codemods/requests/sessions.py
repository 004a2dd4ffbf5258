"""``requests.Session()`` in a coroutine: where it is opened, how it is used, how it ends."""

from __future__ import annotations

import libcst as cst

from codemods.core.catalogue import HTTP_METHODS
from codemods.requests.model import Form, Request, UserSession
from codemods.requests.tree import CoroutineTree, only_small


class SessionAnalysis(CoroutineTree):
    """Finds the user's sessions and the requests made through them."""

    sessions: list[UserSession]

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
            session = UserSession(call, up.asname.name.value, Form.WITH, stmt)
            target = up.asname.name
        else:
            small = only_small(stmt) if stmt is not None else None
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
            session = UserSession(call, target.value, Form.ASSIGN, stmt)
        self.sessions.append(session)
        scope = self.lookups.scope_of(target)
        assignments = scope.assignments[target.value] if scope is not None else []
        if len(assignments) != 1:
            self.refuse(call, "AM215", f"session name '{target.value}' is assigned more than once")
            return
        accesses = [a.node for a in next(iter(assignments)).references]
        if session.form is Form.WITH:
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
        if session.form is Form.ASSIGN:
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
        last = max(accesses, key=self.lookups.position_of)
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
        if name in HTTP_METHODS and called:
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
