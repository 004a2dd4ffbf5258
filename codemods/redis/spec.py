"""The ``redis`` codemod, declared: redis-py's sync client -> ``redis.asyncio``."""

from __future__ import annotations

from codemods.core.explanations import explained, offloading_off
from codemods.core.spec import Code, CodemodSpec, Example, Severity, Targets

_CLIENT_NAMES = frozenset(
    f"redis.{name}"
    for name in (
        "Redis",
        "StrictRedis",
        "client.Redis",
        "client.StrictRedis",
        "from_url",
        "utils.from_url",
        "Redis.from_url",
        "StrictRedis.from_url",
        "client.Pipeline",
        "Pipeline",
    )
)

_MIGRATED = Example(
    before="""\
import redis


async def visit(url, page):
    r = redis.from_url(url)
    try:
        r.incr(f"visits:{page}")
        return int(r.get(f"visits:{page}"))
    finally:
        r.close()
""",
    after="""\
import redis
import redis.asyncio


async def visit(url, page):
    r = redis.asyncio.from_url(url)
    try:
        await r.incr(f"visits:{page}")
        return int(await r.get(f"visits:{page}"))
    finally:
        await r.aclose()
""",
)

AM903_EXAMPLE = Example(
    before="""\
import redis


async def counts(url, keys):
    with redis.Redis.from_url(url) as r:
        with r.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.incr(key)
            return pipe.execute()
""",
    after="""\
import redis
import redis.asyncio


async def counts(url, keys):
    async with redis.asyncio.Redis.from_url(url) as r:
        async with r.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.incr(key)
            return await pipe.execute()
""",
)

AM904_EXAMPLE = Example(
    before="""\
import redis


async def remember(r: redis.Redis, key, value):
    r.set(key, value)
    return r.get(key)
""",
    after="""\
import asyncio

import redis


async def remember(r: redis.Redis, key, value):
    await asyncio.to_thread(r.set, key, value)
    return await asyncio.to_thread(r.get, key)
""",
)

AM905_EXAMPLE = Example(
    before="""\
import redis

r = redis.Redis()


async def read(key):
    return r.get(key)
""",
    options={"offload": False},
)

AM906_EXAMPLE = Example(
    before="""\
import redis

r = redis.Redis()


async def total(keys):
    return sum(int(r.get(k) or 0) for k in keys)
""",
)

AM907_EXAMPLE = Example(
    before="""\
import redis

r = redis.Redis()


async def users():
    return [key for key in r.scan_iter("user:*")]
""",
)

_WHY = """Why it blocks: every command of redis-py's sync client waits for the server's
reply in the event loop's thread, and no other task runs meanwhile."""

AM901 = Code(
    "AM901",
    Severity.REWRITE,
    "a redis-py client made and used only in one coroutine rewritten to "
    "redis.asyncio (redis.asyncio.Redis(...), redis.asyncio.from_url(...))",
    explanation=explained(
        _WHY,
        """What the rewrite does: a client created in a coroutine, used only there (never
        passed on, returned or stored) and closed there (`with`, or close()), becomes a
        redis.asyncio client with the same arguments (the host, port, db... given by
        position become keywords: redis.asyncio.Redis takes keywords only). A client made
        elsewhere may also be used by sync code and stays sync: its calls are offloaded
        (AM904).""",
    ),
    example=_MIGRATED,
)

AM902 = Code(
    "AM902",
    Severity.REWRITE,
    "a command of a migrated client awaited; close() -> await aclose(); a "
    "pipeline's execute(), watch(), reset() and the commands between watch() and "
    "multi() awaited",
    explanation=explained(
        _WHY,
        """What the rewrite does: each command of a migrated client is awaited, and
        close() becomes `await r.aclose()`. On a pipeline, commands are buffered and
        return the pipeline: they are not awaited; only `await pipe.execute()` talks to the
        server. After pipe.watch(...) and until pipe.multi(), commands run at once and
        return their results, so they are awaited. multi() stays a plain call.""",
    ),
    example=_MIGRATED,
)

AM903 = Code(
    "AM903",
    Severity.REWRITE,
    "with on a migrated client or on its pipeline -> async with",
    explanation=explained(
        _WHY,
        """What the rewrite does: `with` on a migrated client, or on one of its
        pipelines, becomes `async with`: both close the client (or reset the pipeline) on
        exit, as the sync forms do.""",
    ),
    example=AM903_EXAMPLE,
)

AM904 = Code(
    "AM904",
    Severity.REWRITE,
    "a call on a redis-py client that stays sync offloaded to a thread: "
    "await asyncio.to_thread(r.get, key)",
    explanation=explained(
        _WHY,
        """What the rewrite does: a client made elsewhere (module-level, a parameter, one
        that escapes the coroutine or is never closed) stays sync, and each of its calls
        runs in a thread. redis-py's client may be shared between threads: it takes a
        connection from its pool for each command and gives it back after, so offloading
        one call at a time is faithful. A pipeline is not thread-safe, but it is used by
        one call at a time here.""",
    ),
    example=AM904_EXAMPLE,
)

AM905 = Code(
    "AM905",
    Severity.FINDING,
    "a blocking redis-py call left as is because offloading is off (--no-offload)",
    explanation=explained(_WHY, *offloading_off("redis-py")),
    example=AM905_EXAMPLE,
)

AM906 = Code(
    "AM906",
    Severity.FINDING,
    "a blocking redis-py call that cannot be rewritten here (generator expression, "
    "asyncio bound to something else, a thread lock held, a pipeline command that "
    "may run at once or be buffered)",
    explanation=explained(
        _WHY,
        """Why it is refused: the call is inside a generator expression (await would make
        it an async generator), under a thread lock (await would hold the lock across it),
        or where asyncio is bound to something else; or it is a pipeline command that runs
        at once on one path through the coroutine (after watch()) and is buffered on
        another, so it can be neither always awaited nor never.""",
        """What to do: use a loop instead of the generator expression, move the call out
        of the lock's block, rename the other binding, or make the pipeline's mode the
        same on every path; then rerun.""",
    ),
    example=AM906_EXAMPLE,
)

AM907 = Code(
    "AM907",
    Severity.FINDING,
    "a redis-py object whose async form differs (lock, pubsub, scan_iter, monitor, "
    "register_script, module commands): the async API to use is named",
    explanation=explained(
        _WHY,
        """Why it is refused: redis-py's Lock keeps its token in thread-local storage,
        PubSub and Monitor read later, and scan_iter is a generator that does its I/O while
        iterated: none can be offloaded one call at a time or awaited as it is.""",
        """What to do: use the redis.asyncio form the message names (`async for key in
        r.scan_iter(...)`, redis.asyncio's lock and pubsub), then rerun.""",
    ),
    example=AM907_EXAMPLE,
)

SPEC = CodemodSpec(
    name="redis",
    owns=("redis",),
    description="redis-py's sync client in a coroutine -> redis.asyncio, commands awaited",
    command="codemods.redis.command:RedisCommand",
    codes=(AM901, AM902, AM903, AM904, AM905, AM906, AM907),
    # The sync client's names only: a coroutine naming redis.asyncio or redis.exceptions
    # alone has nothing for it.
    targets=Targets(
        tokens=(b"redis",),
        names=_CLIENT_NAMES,
        anywhere=_CLIENT_NAMES,
    ),
    offloads=True,
)
