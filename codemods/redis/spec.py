"""The ``redis`` codemod, declared: redis-py's sync client -> ``redis.asyncio``."""

from __future__ import annotations

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

SPEC = CodemodSpec(
    name="redis",
    description="redis-py's sync client in a coroutine -> redis.asyncio, commands awaited",
    command="codemods.redis.command:RedisCommand",
    codes=(
        Code(
            "AM901",
            Severity.REWRITE,
            "a redis-py client made and used only in one coroutine rewritten to "
            "redis.asyncio (redis.asyncio.Redis(...), redis.asyncio.from_url(...))",
            explanation="Every command of redis-py's sync client waits for the server's "
            "reply and blocks the event loop meanwhile. A client created in a coroutine, "
            "used only there (never passed on, returned or stored) and closed there "
            "('with', or close()), becomes a redis.asyncio client with the same "
            "arguments (the host, port, db... given by position become keywords: "
            "redis.asyncio.Redis takes keywords only). A client made elsewhere may also "
            "be used by sync code and stays sync: its calls are offloaded (AM904).",
            example=_MIGRATED,
        ),
        Code(
            "AM902",
            Severity.REWRITE,
            "a command of a migrated client awaited; close() -> await aclose(); a "
            "pipeline's execute(), watch(), reset() and the commands between watch() and "
            "multi() awaited",
            explanation="On a pipeline, commands are buffered and return the pipeline: "
            "they are not awaited; only 'await pipe.execute()' talks to the server. "
            "After pipe.watch(...) and until pipe.multi(), commands run at once and "
            "return their results, so they are awaited. multi() stays a plain call.",
            example=_MIGRATED,
        ),
        Code(
            "AM903",
            Severity.REWRITE,
            "with on a migrated client or on its pipeline -> async with",
        ),
        Code(
            "AM904",
            Severity.REWRITE,
            "a call on a redis-py client that stays sync offloaded to a thread: "
            "await asyncio.to_thread(r.get, key)",
            explanation="redis-py's client may be shared between threads: it takes a "
            "connection from its pool for each command and gives it back after. "
            "Offloading one call at a time is therefore faithful. A pipeline is not "
            "thread-safe, but it is used by one call at a time here.",
        ),
        Code(
            "AM905",
            Severity.FINDING,
            "a blocking redis-py call left as is because offloading is off (--no-offload)",
        ),
        Code(
            "AM906",
            Severity.FINDING,
            "a blocking redis-py call that cannot be rewritten here (generator expression, "
            "asyncio bound to something else, a thread lock held, a pipeline command that "
            "may run at once or be buffered)",
        ),
        Code(
            "AM907",
            Severity.FINDING,
            "a redis-py object whose async form differs (lock, pubsub, scan_iter, monitor, "
            "register_script, module commands): the async API to use is named",
            explanation="redis-py's Lock keeps its token in thread-local storage, PubSub "
            "and Monitor read later, and scan_iter is a generator that does its I/O while "
            "iterated: none can be offloaded one call at a time or awaited as it is.",
        ),
    ),
    targets=Targets(
        tokens=(b"redis",),
        names=frozenset({"redis.*"}),
        anywhere=_CLIENT_NAMES,
    ),
    offloads=True,
)
