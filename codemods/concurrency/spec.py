"""The ``concurrency`` codemod, declared (opt-in): a loop whose iterations each await one
independent call -> the calls run together, results in order, the first error
propagating as itself."""

from __future__ import annotations

from codemods.concurrency.helpers import DICT_HELPER, HELPER, HELPER_SOURCE
from codemods.core.spec import Code, CodemodSpec, Example, Option, Severity

_WHY = """\
Why: in a loop such as

    for item_id in ids:
        out.append(await get_item(session, item_id))

each call starts only when the previous one has finished, so five requests of 0.2 s
take 1 s. When the iterations do not depend on one another, the calls can run
together and take about 0.2 s."""

_AM801 = f"""\
{_WHY}

What the rewrite does: the loop (or list or dict comprehension) becomes one call of a
helper added once to the module, _await_all (or _await_all_dict for a dict built by
the loop):

    out = await _await_all([get_item(session, item_id) for item_id in ids])

The helper runs the calls as tasks and returns their results in the loop's order. The
first exception a call raises propagates as itself (never wrapped in an
ExceptionGroup, so `except` clauses around the loop still match), after the calls
still running have been cancelled and have finished. With --concurrency-limit N (or
concurrency-limit = N in the configuration), at most N calls run at once.

What differs from the loop: the calls after the failing one may already have started
(and had effects) before they were cancelled; the iterable is read to its end and
every call's arguments are evaluated before the first call starts; each call runs in
a task, with a copy of the context variables. See docs/concurrency.md.

The codemod is off by default: enable it with --extend-select concurrency."""

_AM802 = f"""\
{_WHY}

Why this loop is left sequential: the codemod rewrites a loop only when it can prove
the iterations independent, and the message says what it could not prove: a name an
iteration writes and a later one reads (each iteration reads 'cursor', written by the
previous one), a sleep (pacing), break/continue/return/yield, try or with in the
loop, more than one await per iteration, a list that is not built empty right before
the loop or is read inside it, calls in the arguments (they would all run before the
first call), an object that serves one operation at a time (a connection, a cursor, a
stream, a websocket), an async iterator.

This is a hint, not work left: --check does not fail on it. If the iterations are in
fact independent, restructure the loop into one of the shapes the codemod rewrites
(out.append(await f(x)), await f(x), d[k] = await f(k)), or silence the hint with
`# noqa: AM802` on the loop's first line."""

_AM803 = f"""\
{_WHY}

Why this loop is left sequential: its iterations are independent, but a name the
rewrite needs is taken: asyncio (bound to something else than the module at module
level) or the helper's name (_await_all, _await_all_dict) used for something else in
the module. Rename it and run the tool again.

This is a hint, not work left: --check does not fail on it."""

SPEC = CodemodSpec(
    name="concurrency",
    description="independent awaits in a loop -> await _await_all([...]): the calls run "
    "together (opt-in)",
    command="codemods.concurrency.command:ConcurrencyCommand",
    codes=(
        Code(
            "AM801",
            Severity.REWRITE,
            "a loop (or list/dict comprehension) of independent awaited calls rewritten to "
            f"run them together: await {HELPER}([...])",
            explanation=_AM801,
            example=Example(
                before="""\
async def titles(session, ids):
    out = []
    for item_id in ids:
        out.append(await get_title(session, item_id))
    return out
""",
                after=f"""\
import asyncio


{HELPER_SOURCE}

async def titles(session, ids):
    out = await {HELPER}([get_title(session, item_id) for item_id in ids])
    return out
""",
            ),
        ),
        Code(
            "AM802",
            Severity.HINT,
            "a loop that awaits in each iteration, left sequential: its iterations are not "
            "proved independent (the message says why)",
            explanation=_AM802,
            example=Example(
                before="""\
async def pages(client):
    cursor, out = None, []
    for _ in range(10):
        cursor = await client.page(cursor)
    return out
""",
            ),
        ),
        Code(
            "AM803",
            Severity.HINT,
            f"an independent loop left sequential: a name the rewrite needs (asyncio, {HELPER}) "
            "is bound to something else",
            explanation=_AM803,
        ),
    ),
    options=(
        Option(
            "concurrency_limit",
            int,
            None,
            "concurrency codemod: at most N calls of a rewritten loop run at once "
            "(an asyncio.Semaphore); default: no limit.",
            metavar="N",
            minimum=1,
        ),
    ),
    prescan="codemods.concurrency.prescan:may_apply",
    interest="codemods.concurrency.prescan:interest",
    default=False,
    helpers=(HELPER, DICT_HELPER),
)
