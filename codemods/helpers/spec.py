"""The ``helpers`` codemod, declared: calls in coroutines to the project's own sync
functions that block, one or more calls away."""

from __future__ import annotations

from codemods.core.explanations import RENAME, explained, name_taken, offloading_off
from codemods.core.spec import Code, CodemodSpec, Example, Option, Severity

_WHY = """Why it blocks: the coroutine calls a sync function of the project that makes a
blocking call itself or through other functions (the message names the chain down to
it). It runs in the event loop's thread like a direct call, and linters only see the
calls written in the `async def`."""

_SLOW = """\
import time


def slow():
    time.sleep(1)

"""

AM651 = Code(
    "AM651",
    Severity.REWRITE,
    "a call to a project function that blocks, offloaded to a thread: "
    "await asyncio.to_thread(func, *args)",
    explanation=explained(
        _WHY,
        """What the rewrite does: the call runs in a thread, `await asyncio.to_thread(func,
        *args, **kwargs)`; the function and its other callers are untouched. The project is
        indexed with ast (the modules a coroutine's module imports, under the project's
        roots), and calls are followed to module-level functions, functions imported from
        project modules, self.m() and cls.m() on the class and its project base classes,
        ClassName.m() and ClassName() (its __init__), to any depth.""",
    ),
    example=Example(
        before="""\
import time


def backoff(attempt):
    time.sleep(0.1 * attempt)


def load_item(base, i):
    backoff(i)
    return base + i


async def handler(base):
    return load_item(base, 1)
""",
        after="""\
import asyncio
import time


def backoff(attempt):
    time.sleep(0.1 * attempt)


def load_item(base, i):
    backoff(i)
    return base + i


async def handler(base):
    return await asyncio.to_thread(load_item, base, 1)
""",
    ),
)

AM652 = Code(
    "AM652",
    Severity.FINDING,
    "a call to a project function that blocks, left as is because offloading is off",
    explanation=explained(_WHY, *offloading_off("project function")),
    example=Example(
        before=_SLOW
        + """
async def handler():
    slow()
""",
        options={"offload": False},
    ),
)

AM653 = Code(
    "AM653",
    Severity.FINDING,
    "a call to a project function that blocks, which cannot be offloaded faithfully "
    "(a generator function; it, or a function it calls, needs the event loop's thread: "
    "thread-bound state, a change to a context variable, asyncio.get_event_loop() and the "
    "like; a generator expression; a thread lock)",
    explanation=explained(
        _WHY,
        """Why it is refused: offloading would not be faithful. The function is a generator
        (it blocks while iterated), or it or a function it calls needs the loop's thread:
        thread-bound state (threading.local, a sqlite3 connection), an object unsafe to
        share between threads (a requests.Session, a boto3 session), a change to a context
        variable (lost in the thread's copy), or asyncio loop calls; or the call is in a
        generator expression or under a thread lock. The message names the chain.""",
        """What to do: migrate the function itself (or what it calls) to async code, or
        move the call out of the generator expression or the lock's block; then rerun.""",
    ),
    example=Example(
        before="""\
import time


def ticks(n):
    for i in range(n):
        time.sleep(0.1)
        yield i


async def handler():
    return list(ticks(3))
"""
    ),
)

AM654 = Code(
    "AM654",
    Severity.FINDING,
    "a call to a project function that blocks, not found again after earlier "
    "rewrites of its coroutine, or where the name 'asyncio' is bound to something else",
    explanation=explained(
        _WHY,
        name_taken("the module asyncio", several=False),
        f"""{RENAME} The call may also have been changed by an earlier codemod of the same
        run, so that it could not be found again: a second run looks at the new code.""",
    ),
    example=Example(
        before=_SLOW
        + """
async def handler(asyncio):
    slow()
"""
    ),
)

AM655 = Code(
    "AM655",
    Severity.REWRITE,
    "a project function that blocks, called only from coroutines, made async def "
    "(helpers-mode async): reported at its def and at each call, now awaited",
    explanation=explained(
        _WHY,
        """What the rewrite does (helpers-mode = "async" only): a helper that blocks and
        is only ever called directly from coroutines, anywhere in the project, becomes
        `async def`, each call becomes `await helper(...)`, and the other codemods then
        migrate its body like any coroutine's (`time.sleep` becomes `await asyncio.sleep`).
        A helper with any other use (a sync caller, a reference, `__all__`, a decorator, an
        override) stays sync and is offloaded where a coroutine calls it (AM651).""",
    ),
    example=Example(
        before="""\
import time


def backoff(attempt):
    time.sleep(0.1 * attempt)


async def handler(attempt):
    backoff(attempt)
""",
        after="""\
import asyncio


async def backoff(attempt):
    await asyncio.sleep(0.1 * attempt)


async def handler(attempt):
    await backoff(attempt)
""",
        options={"helpers_mode": "async"},
        with_codemods=("sleep",),
    ),
)

SPEC = CodemodSpec(
    name="helpers",
    description="a call to a project function that blocks (to any depth) -> "
    "await asyncio.to_thread(func, *args), or (helpers-mode async) the function made async",
    command="codemods.helpers.command:HelpersCommand",
    codes=(AM651, AM652, AM653, AM654, AM655),
    # Decided by the project index: the runner gives each module its sites.
    prescan="codemods.helpers.prescan:may_apply",
    interest="codemods.helpers.prescan:interest",
    prepare="codemods.helpers.prescan:with_sites",
    # The sites rewritten in the statements that hold them, without libcst on the module.
    edit="codemods.helpers.lines:edited",
    offloads=True,
    options=(
        Option(
            "helpers_mode",
            str,
            "offload",
            "helpers codemod: offload (default) runs a blocking helper called from a "
            "coroutine in a thread; async makes it async def when coroutines are its only "
            "callers, and awaits it.",
            metavar="MODE",
            choices=("offload", "async"),
        ),
    ),
    # Before any codemod runs, ``helpers-mode = "async"`` makes the planned helpers
    # coroutines and awaits their calls (see convert.py).
    convert="codemods.helpers.convert:converted",
)
