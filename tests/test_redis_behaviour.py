"""The redis codemod against a real redis-server: the migrated code returns the same
results and leaves the same keys as the original, WATCH transactions retry the same way,
and coroutines that wait on the server no longer wait for one another."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import redis.asyncio

from async_migrate import migrate_source
from codemods.core.catalogue import REDIS_ASYNC_SHAPES, REDIS_LOCAL_METHODS
from codemods.redis.pipeline import ALWAYS_AWAITED, NEVER_AWAITED
from codemods.redis.plan import SAME_KEYWORDS
from tests.behaviour import load

SOURCE = """
import redis
from redis import Redis


async def counters(url, page):
    r = redis.from_url(url, decode_responses=True)
    try:
        r.set(f"visits:{page}", 10, ex=100)
        r.incr(f"visits:{page}")
        r.hset("pages", mapping={page: "seen", "other": "x"})
        r.rpush("log", "a", "b", "c")
        return r.get(f"visits:{page}").zfill(4), r.hgetall("pages"), r.lrange("log", 0, -1)
    finally:
        r.close()


async def positional(host, port, key):
    with Redis(host, port, 0, socket_timeout=5) as r:
        r.expire(key, 60) if r.exists(key) else r.set(key, 0, ex=60)
        return r.incr(key), r.ttl(key) > 0


async def buffered(url, items):
    r = redis.Redis.from_url(url)
    pipe = r.pipeline()
    for key, value in items.items():
        pipe.set(key, value)
    pipe.expire("index", 60)
    pipe.get("missing")
    written = pipe.execute()
    r.close()
    return written


async def chained(url):
    r = redis.from_url(url)
    values = r.pipeline().set("a", 1).incr("a").get("a").execute()
    r.close()
    return values


async def counts(url, keys):
    with redis.Redis.from_url(url) as r:
        with r.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.incr(key)
            return pipe.execute()


async def transfer(url, source, target, amount, interfere):
    r = redis.from_url(url)
    attempts = 0
    try:
        with r.pipeline() as pipe:
            while True:
                attempts += 1
                try:
                    pipe.watch(source, target)
                    balance = int(pipe.get(source) or 0)
                    if balance < amount:
                        pipe.unwatch()
                        return False, attempts
                    interfere(attempts)
                    pipe.multi()
                    pipe.decrby(source, amount)
                    pipe.incrby(target, amount)
                    done = pipe.execute()
                    return done, attempts
                except redis.WatchError:
                    continue
    finally:
        r.close()
"""

SHARED = """
import redis

CLIENT = None


def connect(url):
    global CLIENT
    CLIENT = redis.from_url(url)


async def hit(key):
    CLIENT.incr(key)
    pipe = CLIENT.pipeline()
    pipe.watch(key)
    hits = int(pipe.get(key))
    pipe.multi()
    pipe.set(key, hits + 10)
    return pipe.execute(), CLIENT.get(key)


async def wait(key, timeout):
    return CLIENT.blpop(key, timeout=timeout)
"""

WAIT = """
import redis


async def wait(url, key, timeout):
    r = redis.from_url(url)
    try:
        return r.blpop(key, timeout=timeout)
    finally:
        r.close()
"""


@pytest.fixture
def server(redis_url: str) -> Iterator[tuple[str, Any]]:
    """The server's URL and a sync client on it; the database is emptied before and after."""
    client = redis.from_url(redis_url)
    client.flushdb()
    yield redis_url, client
    client.flushdb()
    client.close()


def _dump(client: Any) -> dict[bytes, Any]:
    """Every key with its type, value and whether it expires."""
    out = {}
    for key in sorted(client.keys("*")):
        kind = client.type(key)
        value: Any
        if kind == b"string":
            value = client.get(key)
        elif kind == b"hash":
            value = client.hgetall(key)
        elif kind == b"list":
            value = client.lrange(key, 0, -1)
        else:
            value = kind
        out[key] = (kind, value, client.ttl(key) > 0)
    return out


def _migrate(source: str, codes: set[str]) -> str:
    result = migrate_source(source, ["redis"])
    assert {f.code for f in result.findings} == codes, result.findings
    assert not result.left, result.left
    return result.code.decode()


def test_migrated_clients_give_the_same_results_and_keys(server: tuple[str, Any]) -> None:
    url, client = server
    migrated = _migrate(SOURCE, {"AM901", "AM902", "AM903"})
    assert "redis.asyncio.Redis(host=host, port=port, db=0, socket_timeout=5)" in migrated
    host, port = (
        client.connection_pool.connection_kwargs["host"],
        client.connection_pool.connection_kwargs["port"],
    )
    outcomes = []
    for code in (SOURCE, migrated):
        client.flushdb()
        module = load(code, "m")

        async def run(m: Any = module) -> list[Any]:
            return [
                await m.counters(url, "home"),
                await m.positional(host, port, "seen"),
                await m.positional(host, port, "seen"),
                await m.buffered(url, {"index": "1", "b": "2"}),
                await m.chained(url),
                await m.counts(url, ["x", "y", "x"]),
            ]

        outcomes.append((asyncio.run(run()), _dump(client)))
    assert outcomes[0] == outcomes[1]
    results, keys = outcomes[0]
    assert results[0] == ("0011", {"home": "seen", "other": "x"}, ["a", "b", "c"])
    assert results[3] == [True, True, True, None]
    assert keys[b"index"] == (b"string", b"1", True)


def test_watch_transactions_retry_the_same_way(server: tuple[str, Any]) -> None:
    """Another client changes a watched key between WATCH and EXEC on the first attempt:
    both versions get a WatchError, retry, and move the money once."""
    url, client = server
    migrated = _migrate(SOURCE, {"AM901", "AM902", "AM903"})

    def interfere(attempt: int) -> None:
        if attempt == 1:
            client.incrby("alice", 5)

    outcomes = []
    for code in (SOURCE, migrated):
        client.flushdb()
        client.set("alice", 100)
        module = load(code, "m")
        result = asyncio.run(module.transfer(url, "alice", "bob", 30, interfere))
        refused = asyncio.run(module.transfer(url, "bob", "alice", 1000, interfere))
        outcomes.append((result, refused, _dump(client)))
    assert outcomes[0] == outcomes[1]
    (done, attempts), refused, keys = outcomes[0]
    assert (done, attempts) == ([75, 30], 2)
    assert refused == (False, 1)
    assert keys[b"alice"][1] == b"75"


def test_commands_after_watch_run_at_once_and_are_awaited() -> None:
    """What the pipeline rewrite relies on, in redis.asyncio's own classes: after watch()
    a command returns an awaitable result, before it the pipeline itself."""
    pipe = redis.asyncio.Redis().pipeline()
    assert pipe.set("k", 1) is pipe
    assert inspect.iscoroutinefunction(redis.asyncio.client.Pipeline.watch)
    pipe.watching = True
    pending = pipe.get("k")
    assert inspect.isawaitable(pending) and pending is not pipe
    pending.close()
    for method in ALWAYS_AWAITED:
        assert inspect.iscoroutinefunction(getattr(redis.asyncio.client.Pipeline, method))
    for method in NEVER_AWAITED:
        assert not inspect.iscoroutinefunction(getattr(redis.asyncio.client.Pipeline, method))


def test_the_method_tables_match_redis_py() -> None:
    """Every public method of the sync client is either a command (its redis.asyncio twin
    returns an awaitable), a local method that is a plain call in both, or listed with
    its different async form; every keyword carried over exists on redis.asyncio.Redis."""
    sync_methods = {
        n for n in dir(redis.Redis) if not n.startswith("_") and callable(getattr(redis.Redis, n))
    }
    for name in sorted(REDIS_LOCAL_METHODS):
        twin = getattr(redis.asyncio.Redis, name)
        assert not inspect.iscoroutinefunction(twin), name
        assert "execute_command" not in inspect.getsource(twin), name
    for name in sorted(sync_methods - REDIS_LOCAL_METHODS - set(REDIS_ASYNC_SHAPES)):
        twin = getattr(redis.asyncio.Redis, name, None)
        assert twin is not None, name
        if inspect.iscoroutinefunction(twin):
            continue
        source = inspect.getsource(twin)
        assert (
            "execute_command" in source
            or "return self." in source
            or ("NotImplementedError" in source)
        ), name
    parameters = inspect.signature(redis.asyncio.Redis.__init__).parameters
    assert SAME_KEYWORDS <= set(parameters)
    assert all(parameters[k].kind is inspect.Parameter.KEYWORD_ONLY for k in SAME_KEYWORDS)


def test_a_shared_sync_client_is_offloaded_and_behaves_the_same(server: tuple[str, Any]) -> None:
    url, client = server
    result = migrate_source(SHARED, ["redis"])
    assert {f.code for f in result.findings} == {"AM904"} and not result.left
    migrated = result.code.decode()
    assert "await asyncio.to_thread(pipe.get, key)" in migrated
    assert "    pipe.set(key, hits + 10)\n" in migrated  # buffered after multi()
    outcomes = []
    for code in (SHARED, migrated):
        client.flushdb()
        module = load(code, "m")
        module.connect(url)
        outcomes.append((asyncio.run(module.hit("k")), _dump(client)))
        module.CLIENT.close()
    assert outcomes[0] == outcomes[1] == (([True], b"11"), {b"k": (b"string", b"11", False)})


async def _four_waits(wait: Any, *args: Any) -> float:
    start = time.perf_counter()
    results = await asyncio.gather(*(wait(*args, f"empty:{i}", 0.3) for i in range(4)))
    assert results == [None] * 4
    return time.perf_counter() - start


@pytest.mark.timing
@pytest.mark.parametrize("shape", ["migrated", "offloaded"])
def test_waiting_coroutines_no_longer_wait_for_each_other(
    server: tuple[str, Any], shape: str
) -> None:
    """Four coroutines each BLPOP an empty list with a 0.3 s timeout (the server holds the
    connection for the whole timeout): one after another before, together after."""
    url, _ = server
    source = WAIT if shape == "migrated" else SHARED
    migrated = migrate_source(source, ["redis"]).code.decode()
    timings = []
    for code in (source, migrated):
        module = load(code, "m")
        if shape == "migrated":
            timings.append(asyncio.run(_four_waits(module.wait, url)))
        else:
            module.connect(url)
            timings.append(asyncio.run(_four_waits(module.wait)))
            module.CLIENT.close()
    before, after = timings
    print(
        f"redis BLPOP x4 ({shape}): before {before:.3f} s, after {after:.3f} s, "
        f"ratio {after / before:.2f}"
    )
    assert before >= 1.1
    assert after <= 0.6 * before


def test_the_declared_examples_are_what_the_codemod_writes_and_run_alike(
    server: tuple[str, Any],
) -> None:
    from codemods.redis.spec import SPEC

    # The examples of the rewrites that build a client of their own: ``visit(url, key)``.
    examples = [
        c.example
        for c in SPEC.codes
        if c.example is not None and c.example.after is not None and "def visit" in c.example.before
    ]
    assert len(examples) >= 2
    url, client = server
    for example in examples:
        assert example.after is not None
        assert migrate_source(example.before, ["redis"]).code.decode() == example.after
        results = []
        for code in (example.before, example.after):
            client.flushdb()
            module = load(code, "m")
            results.append((asyncio.run(module.visit(url, "home")), _dump(client)))
        assert results[0] == results[1]
