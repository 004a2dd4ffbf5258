"""The ``sleep`` codemod, declared: time.sleep(x) in a coroutine -> await asyncio.sleep(x)."""

from __future__ import annotations

from codemods.core.explanations import (
    OFFLOADED_INSTEAD,
    RENAME,
    USE_A_LOOP,
    explained,
    in_generator_expression,
    name_taken,
    thread_lock,
)
from codemods.core.spec import Code, CodemodSpec, Example, Severity, Targets

_WHY = """Why it blocks: time.sleep suspends the whole thread, and the event loop runs every
coroutine in that one thread: while a coroutine sleeps, no other task, callback or network
I/O makes progress. asyncio.sleep suspends only the current coroutine."""

AM101 = Code(
    "AM101",
    Severity.REWRITE,
    "time.sleep(x) rewritten to await asyncio.sleep(x)",
    ruff=("ASYNC251",),
    explanation=explained(
        _WHY,
        """What the rewrite does: in code that runs directly in a coroutine, time.sleep(x)
        becomes await asyncio.sleep(x), under every import form (import time, import time
        as t, from time import sleep as nap) and anywhere in an expression, with
        parentheses where Python needs them. import asyncio is added; the time import is
        removed once nothing else uses it.""",
        """Known limit: a negative duration computed at run time raises ValueError before
        the rewrite and returns at once after it.""",
    ),
    example=Example(
        before="""\
from time import sleep as pause


async def poll():
    pause(0.5)
""",
        after="""\
import asyncio


async def poll():
    await asyncio.sleep(0.5)
""",
    ),
)

AM102 = Code(
    "AM102",
    Severity.FINDING,
    "time.sleep referenced without being called (e.g. passed as a callback)",
    explanation=explained(
        _WHY,
        """Why it is refused: time.sleep is referenced without being called, e.g. passed as
        a callback (loop.call_soon(time.sleep, 1), cb = time.sleep). Whoever calls it later
        calls it synchronously, and an awaitable cannot take its place: the callee would
        get a coroutine object it never awaits.""",
        """What to do: move the code that has to wait into a coroutine, where it can `await
        asyncio.sleep(1)`, and schedule that with asyncio.create_task.""",
    ),
    example=Example(
        before="""\
import time


async def later(loop):
    loop.call_soon(time.sleep, 1)
"""
    ),
)

AM103 = Code(
    "AM103",
    Severity.FINDING,
    "time.sleep with arguments that asyncio.sleep would treat differently",
    ruff=("ASYNC251",),
    explanation=explained(
        _WHY,
        """Why it is refused: the arguments would not mean the same to asyncio.sleep.
        time.sleep(-1) raises ValueError while asyncio.sleep(-1) returns at once; a starred
        argument, a keyword, or not exactly one argument cannot be carried over faithfully
        (asyncio.sleep's second parameter is the result to return, not a duration).""",
        "What to do: rewrite the call by hand with one explicit, non-negative duration.",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
import time


async def backoff(delays):
    time.sleep(*delays)
"""
    ),
)

AM104 = Code(
    "AM104",
    Severity.FINDING,
    "time.sleep in a generator expression inside a coroutine",
    ruff=("ASYNC251",),
    explanation=explained(
        _WHY,
        in_generator_expression("the call"),
        """The first iterable of a generator expression is the exception: it is evaluated
        at once, in the coroutine, so (x for x in [time.sleep(1)]) is rewritten.""",
        USE_A_LOOP,
    ),
    example=Example(
        before="""\
import time


async def total(items):
    return sum(time.sleep(0.1) or x for x in items)
"""
    ),
)

AM105 = Code(
    "AM105",
    Severity.FINDING,
    "the name asyncio is bound to something other than the module-level module",
    ruff=("ASYNC251",),
    explanation=explained(
        _WHY,
        name_taken("the name asyncio, bound to the module at module level", False)[0],
        """An `import asyncio` inside a function counts as something else too: it leaves
        the name unbound until that line runs.""",
        RENAME,
    ),
    example=Example(
        before="""\
import time


async def poll(asyncio):
    time.sleep(1)
"""
    ),
)

AM106 = Code(
    "AM106",
    Severity.FINDING,
    "time.sleep while a thread lock is held (with lock: in a coroutine)",
    ruff=("ASYNC251",),
    explanation=explained(_WHY, *thread_lock("the call")),
    example=Example(
        before="""\
import threading
import time

lock = threading.Lock()


async def worker():
    with lock:
        time.sleep(0.1)
"""
    ),
)

SPEC = CodemodSpec(
    name="sleep",
    owns=("sleep",),
    description="time.sleep(x) in a coroutine -> await asyncio.sleep(x)",
    command="codemods.sleep.command:SleepCommand",
    codes=(AM101, AM102, AM103, AM104, AM105, AM106),
    targets=Targets(tokens=(b"sleep",), names=frozenset({"time.sleep"})),
    # time.sleep(...) calls rewritten in the statements that hold them, without libcst on
    # the module, where the module spells them one way only (see units.py).
    edit="codemods.sleep.lines:edited",
)
