"""The ``concurrency`` codemod, declared (opt-in): a loop whose iterations each await one
independent call -> the calls run together, results in order, the first error
propagating as itself."""

from __future__ import annotations

from codemods.concurrency.helpers import DICT_HELPER, HELPER, HELPER_SOURCE
from codemods.core.explanations import RENAME, explained
from codemods.core.spec import Code, CodemodSpec, Example, Option, Severity

_HOW = """the calls run together as tasks (`out = await _await_all([f(x) for x in xs])`),
the results come back in the loop's order, and the first exception a call raises propagates
as itself (never in an ExceptionGroup) once the calls still running are cancelled and
finished"""

AM801 = Code(
    "AM801",
    Severity.REWRITE,
    "a loop (or list/dict comprehension) of independent awaited calls rewritten to run them "
    f"together: await {HELPER}([...])",
    explanation=explained(
        f"""What the rewrite does: a for loop (or list or dict comprehension) in a coroutine
        whose every iteration awaits one call, proved independent of the others: {_HOW}.
        The helper {HELPER} is added once per module; --concurrency-limit N runs at most
        N calls at once. The codemod is off by default: --extend-select concurrency.""",
        """Known difference: the calls after a failing one may already have started, and had
        effects, before they are cancelled; the iterable and every call's arguments are
        evaluated before the first call; each call runs in a task, with a copy of the
        context variables.""",
    ),
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
)

AM802 = Code(
    "AM802",
    Severity.HINT,
    "a loop that awaits in each iteration, left sequential: its iterations are not proved "
    "independent (the message says why)",
    explanation=explained(
        """Why it is suggested: the loop awaits in each iteration, so its calls run one
        after another, but the codemod could not prove the iterations independent. The
        message says why: a name an iteration writes and a later one reads, a sleep that
        paces the loop, break, return, try or with in the loop, several awaits per
        iteration, a list read in the loop, an object that serves one call at a time (a
        connection, a cursor, a stream), an async iterator.""",
        """What to do: if the iterations are independent, write the loop as
        `out.append(await f(x))`, `await f(x)` or `d[k] = await f(k)` and rerun; if not,
        leave it: a hint does not fail --check.""",
    ),
    example=Example(
        before="""\
async def pages(client, count):
    cursor = None
    for _ in range(count):
        cursor = await client.page(cursor)
    return cursor
""",
    ),
)

AM803 = Code(
    "AM803",
    Severity.HINT,
    f"an independent loop left sequential: a name the rewrite needs (asyncio, {HELPER}) is "
    "bound to something else",
    explanation=explained(
        f"""Why it is refused: the loop's iterations are independent, but the rewrite needs
        the module-level name asyncio and its helper {HELPER} (or {DICT_HELPER}), and one
        of them is bound to something else in the module (`import trio as asyncio`, a
        function of the same name), so the inserted code would use the wrong object.""",
        RENAME,
    ),
    example=Example(
        before="""\
import trio as asyncio


async def ping_all(client, hosts):
    for host in hosts:
        await client.ping(host)
""",
    ),
)

SPEC = CodemodSpec(
    name="concurrency",
    description="independent awaits in a loop -> await _await_all([...]): the calls run "
    "together (opt-in)",
    command="codemods.concurrency.command:ConcurrencyCommand",
    codes=(AM801, AM802, AM803),
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
