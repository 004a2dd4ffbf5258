"""The ``iteration`` codemod, declared: a blocking iteration in a coroutine (a loop or a
comprehension over os.walk, Path.iterdir, os.scandir, ..., or a generator expression
that makes a blocking call) -> offloaded whole to a worker thread."""

from __future__ import annotations

from codemods.core.explanations import explained
from codemods.core.spec import Code, CodemodSpec, Example, Severity

_WHY = """Why it blocks: os.walk, os.fwalk, glob.iglob, os.scandir and Path.iterdir,
Path.glob and Path.rglob read the file system while their result is iterated, and a
generator expression runs its calls while it is consumed; in a coroutine both happen in
the event loop's thread, and no other task runs meanwhile. Neither can be awaited where
it stands: there is nothing to await in the middle of an iteration, and an await in a
generator expression makes it an async generator that sorted(), sum() or "".join()
cannot consume."""

_LIMITS = """Limits: changes the moved code makes to context variables stay in the
thread's copy; at most min(32, cores + 4) such calls run at once; on Ctrl-C,
asyncio.run waits for a call still running in a thread."""

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
        once (a call of sorted, list, tuple, set, frozenset, dict, sum, any, all, min, max
        or "sep".join on it, or a list, set or dict comprehension) runs in the loop's
        default thread pool, `await asyncio.to_thread(lambda: ...)`. The lambda runs at
        once, while the coroutine waits for it, so it reads the same values and returns
        or raises the same. It is left alone when it awaits, assigns with :=, calls
        locals(), vars(), dir(), eval(), exec(), next() or super(), uses asyncio, or
        holds a call that cannot go to a thread (AM663 says which).""",
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
        """What the rewrite does: the loop moves, unchanged, into a nested function
        (`scan`, or `scan_2` and so on when the name is taken), and the coroutine runs it
        with `await asyncio.to_thread(scan)`. A name the loop assigns that the coroutine
        uses elsewhere is declared nonlocal (or global, as the coroutine declares it), so
        it has the same value after the loop; the loop's exceptions propagate as before.
        It is left alone when its body awaits, yields or returns, declares a name global
        or nonlocal, holds a match statement, calls locals(), vars(), dir(), eval(),
        exec(), next() or super(), uses asyncio, or holds a call that cannot go to a
        thread (AM663 says which).""",
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
        """Why it is refused: running the loop or expression in a function of its own
        would not be the same code: it awaits (a later codemod may have made one of its
        calls awaitable), yields or returns from the coroutine, declares a name global or
        nonlocal, assigns with := in an expression, calls locals(), vars(), dir(),
        eval(), exec(), next() or super(), uses asyncio, whose objects belong to the
        event loop's thread, or holds a call that cannot go to a thread (a sqlite3
        connection, a call whose codemod the run ignores).""",
        """What to do: move the blocking part into a sync function (collect what the
        loop needs, then await outside it) and run that with `await
        asyncio.to_thread(...)`.""",
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

SPEC = CodemodSpec(
    name="iteration",
    description="a blocking iteration (a loop or comprehension over os.walk, Path.iterdir, "
    "...; a generator expression that blocks) -> offloaded whole to a thread",
    command="codemods.iteration.command:IterationCommand",
    codes=(AM661, AM662, AM663),
    offloads=True,
    prescan="codemods.iteration.prescan:may_apply",
    interest="codemods.iteration.prescan:interest",
)
