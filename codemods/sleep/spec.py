"""The ``sleep`` codemod, declared: time.sleep(x) in a coroutine -> await asyncio.sleep(x)."""

from __future__ import annotations

from codemods.core.spec import Code, CodemodSpec, Severity, Targets

_WHY_SLEEP = """\
Why it blocks: time.sleep suspends the whole thread, and the event loop runs every
coroutine in that one thread: while a coroutine sleeps, no other task, callback or
network I/O makes progress. asyncio.sleep suspends only the current coroutine and
hands control back to the loop."""

_AM101 = f"""\
{_WHY_SLEEP}

What the rewrite does: in code that runs directly in a coroutine, time.sleep(x)
becomes await asyncio.sleep(x), under every import form (import time, import time as t,
from time import sleep as nap), with parentheses where Python needs them. import
asyncio is added; the time import is removed once nothing else uses it.

Example:
    import time                         import asyncio

    async def poll():            ->     async def poll():
        time.sleep(0.5)                     await asyncio.sleep(0.5)

Silence it on one line with `# async-migrate: ignore[AM101]`, `# noqa: AM101`,
or ruff's / flake8-async's `# noqa: ASYNC251`."""

_AM102 = f"""\
{_WHY_SLEEP}

Why it is refused: time.sleep is referenced without being called, e.g. passed as a
callback (loop.call_soon(time.sleep, 1), cb = time.sleep). Whoever calls it later
calls it synchronously, and an awaitable cannot be dropped in its place: the callee
would get a coroutine object it never awaits.

Example (left unchanged, reported):
    async def f(loop):
        loop.call_soon(time.sleep, 1)     # AM102

What to do: move the code that has to wait into a coroutine, where it can
`await asyncio.sleep(1)`, and schedule that with asyncio.create_task."""

_AM103 = f"""\
{_WHY_SLEEP}

Why it is refused: the arguments would not mean the same to asyncio.sleep.
time.sleep(-1) raises ValueError while asyncio.sleep(-1) returns at once; a starred
argument, a keyword, or not exactly one argument cannot be carried over faithfully
(asyncio.sleep's second parameter is the result to return, not a duration).

Example (left unchanged, reported):
    async def f(args):
        time.sleep(*args)                 # AM103

What to do: rewrite the call by hand with one explicit, non-negative duration."""

_AM104 = f"""\
{_WHY_SLEEP}

Why it is refused: the call sits in a generator expression inside a coroutine.
Adding await there turns the generator expression into an async generator, which
the code consuming it (sum(), list(), a for loop) cannot iterate.

Example (left unchanged, reported):
    async def f(items):
        return sum(time.sleep(0.1) or x for x in items)    # AM104

What to do: use a list comprehension or an explicit loop, where await is allowed."""

_AM105 = f"""\
{_WHY_SLEEP}

Why it is refused: at the call, the name asyncio is bound to something other than
the asyncio module (a parameter, a local variable, import trio as asyncio), so an
inserted asyncio.sleep would call the wrong thing.

Example (left unchanged, reported):
    async def f(asyncio):
        time.sleep(1)                     # AM105

What to do: rename the other binding, or write the await by hand with a module
alias that is free."""

SPEC = CodemodSpec(
    name="sleep",
    description="time.sleep(x) in a coroutine -> await asyncio.sleep(x)",
    command="codemods.sleep.command:SleepCommand",
    codes=(
        Code(
            "AM101",
            Severity.REWRITE,
            "time.sleep(x) rewritten to await asyncio.sleep(x)",
            ruff=("ASYNC251",),
            explanation=_AM101,
        ),
        Code(
            "AM102",
            Severity.FINDING,
            "time.sleep referenced without being called (e.g. passed as a callback)",
            explanation=_AM102,
        ),
        Code(
            "AM103",
            Severity.FINDING,
            "time.sleep with arguments that asyncio.sleep would treat differently",
            ruff=("ASYNC251",),
            explanation=_AM103,
        ),
        Code(
            "AM104",
            Severity.FINDING,
            "time.sleep in a generator expression inside a coroutine",
            ruff=("ASYNC251",),
            explanation=_AM104,
        ),
        Code(
            "AM105",
            Severity.FINDING,
            "the name asyncio is bound to something other than the module-level module",
            ruff=("ASYNC251",),
            explanation=_AM105,
        ),
        Code(
            "AM106",
            Severity.FINDING,
            "time.sleep while a thread lock is held (with lock: in a coroutine)",
            ruff=("ASYNC251",),
        ),
    ),
    targets=Targets(tokens=(b"sleep",), names=frozenset({"time.sleep"})),
)
