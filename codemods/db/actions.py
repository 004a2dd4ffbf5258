"""What the planner decides for one node of the original tree; the command applies it
while leaving that node."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from codemods.db.drivers import Driver


@dataclass(frozen=True)
class Connect:
    """The connect call -> the async driver's, awaited unless ``awaited`` is False (the
    item of an ``async with``: aiosqlite's and aiomysql's connect)."""

    driver: Driver
    awaited: bool = True


@dataclass(frozen=True)
class Await:
    """``conn.commit()`` -> ``await conn.commit()``; ``rename``: the method's new name."""

    code: str
    rename: str | None = None


@dataclass(frozen=True)
class Cursor:
    """``conn.cursor(...)``: its cursor class mapped, awaited when ``awaited``."""

    driver: Driver
    awaited: bool


@dataclass(frozen=True)
class AsyncFor:
    """``for`` (or a comprehension's ``for``) over a cursor -> ``async for``."""

    code: str


@dataclass(frozen=True)
class AsyncWith:
    """``with`` -> ``async with`` (the connection or cursor closes as before)."""

    code: str


@dataclass(frozen=True)
class Transaction:
    """``with conn:`` (a transaction that leaves the connection open) ->
    ``try: ...; await conn.commit()`` / ``except BaseException: await conn.rollback(); raise``.

    ``connect``: the ``with`` bound the connection itself (``with connect() as conn``):
    ``conn = await <async connect>`` goes first, unless the statement is wrapped (see
    :class:`Wrap`), where the ``async with`` header binds it.
    """

    code: str
    name: str
    connect: cst.Call | None = None
    result: str = "result"


@dataclass(frozen=True)
class CommitAtEnd:
    """``with sqlite3.connect(p) as conn:`` used nowhere after the block ->
    ``async with aiosqlite.connect(p) as conn:`` with ``await conn.commit()`` at the end of
    the body (on an exception the close discards the transaction: the rollback)."""

    code: str
    name: str
    result: str = "result"


@dataclass(frozen=True)
class SetAutocommit:
    """``conn.autocommit = x`` -> ``await conn.set_autocommit(x)`` (psycopg 3)."""

    code: str


@dataclass(frozen=True)
class Rename:
    """A name or attribute -> a dotted name (exception classes, ``e.pgcode``)."""

    code: str
    dotted: str
    #: The import the new name needs: (module, object or None).
    needs: tuple[str, str | None] | None = None


@dataclass
class Wrap:
    """Statements ``first`` to ``last`` of ``block`` go into ``async with <connect> as
    name:``, which closes the connection when they are done (aiosqlite's worker thread
    must be stopped; sqlite3 closed the connection when it was garbage-collected).
    ``first`` is ``name = sqlite3.connect(...)`` (replaced by the header) or a ``with``
    binding the connection (kept, turned into a transaction)."""

    code: str
    block: cst.BaseSuite
    first: cst.BaseStatement
    last: cst.BaseStatement
    name: str
    connect: cst.Call
    drop_first: bool


Action = (
    Connect | Await | Cursor | AsyncFor | AsyncWith | Transaction | CommitAtEnd | SetAutocommit
) | Rename


@dataclass
class Plan:
    actions: dict[cst.CSTNode, Action] = field(default_factory=dict)
    wraps: list[Wrap] = field(default_factory=list)
    #: (node, code, message): rewrites recorded as findings, once each.
    rewrites: list[tuple[cst.CSTNode, str, str]] = field(default_factory=list)
    refusals: list[tuple[cst.CSTNode, str, str]] = field(default_factory=list)
    #: Imports the rewrite needs: (module, object or None).
    imports: set[tuple[str, str | None]] = field(default_factory=set)
    #: Original references whose import may go once unused.
    dropped: list[cst.CSTNode] = field(default_factory=list)
