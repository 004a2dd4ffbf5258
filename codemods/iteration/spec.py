"""The ``iteration`` codemod, declared: a blocking iteration in a coroutine (a loop or a
comprehension over os.walk, Path.iterdir, os.scandir, ..., or a generator expression
that makes a blocking call) -> offloaded whole to a worker thread."""

from __future__ import annotations

from codemods.core.catalogue import Family, blocking_targets
from codemods.core.explanations import explained
from codemods.core.filesystem import (
    AIOFILES_OS,
    AIOFILES_OS_PATH,
    LAZY,
    PATH_CLASSES,
    TO_THREAD,
)
from codemods.core.spec import Code, CodemodSpec, Example, Severity, Targets

_WHY = """Why it blocks: os.walk, glob.iglob, os.scandir, Path.iterdir/glob/rglob and a
file open() makes read the file system while they are iterated, map(f, items) and
filter(f, items) call a blocking f as they are iterated, and a generator expression runs
its calls while it is consumed; an await cannot go in the middle of any of them."""

_LIMITS = """Limits: as for asyncio.to_thread (context variables set in the thread stay there;
at most min(32, cores + 4) threads at once)."""

_RUFF = ("ASYNC210", "ASYNC220", "ASYNC221", "ASYNC222", "ASYNC230", "ASYNC240", "ASYNC251")

AM661 = Code(
    "AM661",
    Severity.REWRITE,
    "a blocking iteration consumed at once (sorted, list, sum, any, ... of a generator "
    "expression; a comprehension) offloaded whole: await asyncio.to_thread(lambda: ...)",
    ruff=_RUFF,
    explanation=explained(
        _WHY,
        """What the rewrite does: the smallest expression that consumes the iteration at
        once (sorted, list, sum, any, "sep".join, ... of it; a list, set or dict
        comprehension) runs in a thread, `await asyncio.to_thread(lambda: ...)`. The lambda
        runs while the coroutine waits, so it reads the same values and returns or raises
        the same. When that would not hold, AM663 says why.""",
        _LIMITS,
    ),
    example=Example(
        before="""\
import os
from pathlib import Path


async def sizes(root: Path):
    return sorted(os.path.getsize(p) for p in root.iterdir())
""",
        after="""\
import asyncio
import os
from pathlib import Path


async def sizes(root: Path):
    return await asyncio.to_thread(lambda: sorted(os.path.getsize(p) for p in root.iterdir()))
""",
    ),
)

AM662 = Code(
    "AM662",
    Severity.REWRITE,
    "a for loop whose iteration blocks (os.walk, Path.iterdir, os.scandir, ...) "
    "offloaded whole: a nested function run with await asyncio.to_thread",
    ruff=_RUFF,
    explanation=explained(
        _WHY,
        """What the rewrite does: the loop moves, unchanged, into a nested function `scan`
        run with `await asyncio.to_thread(scan)`. A name the loop assigns that the
        coroutine reads elsewhere is declared nonlocal (or global), so it has the same
        value after the loop; exceptions propagate as before. When that would not hold,
        AM663 says why.""",
        _LIMITS,
    ),
    example=Example(
        before="""\
from pathlib import Path


async def python_files(root: Path):
    found = []
    for p in root.iterdir():
        if p.suffix == ".py":
            found.append(p.name)
    return found
""",
        after="""\
import asyncio
from pathlib import Path


async def python_files(root: Path):
    found = []

    def scan():
        for p in root.iterdir():
            if p.suffix == ".py":
                found.append(p.name)

    await asyncio.to_thread(scan)
    return found
""",
    ),
)

AM663 = Code(
    "AM663",
    Severity.FINDING,
    "a blocking iteration that cannot move whole to a worker thread (it awaits, returns, "
    "uses asyncio, ...): the message says why",
    explanation=explained(
        _WHY,
        """Why it is refused: in a function of its own it would not be the same code: it
        awaits, yields or returns, declares a name global or nonlocal, assigns with :=,
        calls locals(), next(), super() or the like, uses asyncio, or holds a call that
        cannot go to a thread (a sqlite3 connection).""",
        """What to do: move the blocking part into a sync function and run that with
        `await asyncio.to_thread(...)`.""",
    ),
    example=Example(
        before="""\
import os


async def upload_all(client, top):
    for folder, _, names in os.walk(top):
        for name in names:
            await client.upload(os.path.join(folder, name))
"""
    ),
)

_CATALOGUE = blocking_targets(frozenset(Family), ())

#: Besides the prescan's shapes, a coroutine must use a name the catalogue or the
#: file-system tables know to block (or an object made or annotated as one): a generator
#: expression calling ``d.get(k)`` is of no interest.
_TARGETS = Targets(
    names=_CATALOGUE.names  # builtins.open, io.open among them
    | AIOFILES_OS
    | AIOFILES_OS_PATH
    | TO_THREAD
    | LAZY
    | {"os.scandir", "pathlib.*"},  # pathlib.* holds PATH_CLASSES
    anywhere=_CATALOGUE.anywhere | PATH_CLASSES,
)

SPEC = CodemodSpec(
    name="iteration",
    description="a blocking iteration (a loop or comprehension over os.walk, Path.iterdir, "
    "...; a generator expression that blocks) -> offloaded whole to a thread",
    command="codemods.iteration.command:IterationCommand",
    codes=(AM661, AM662, AM663),
    offloads=True,
    targets=_TARGETS,
    prescan="codemods.iteration.prescan:may_apply",
    interest="codemods.iteration.prescan:interest",
)
