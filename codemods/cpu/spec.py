"""The ``cpu`` codemod, declared: CPU-bound calls in coroutines -> await
loop.run_in_executor(process pool)."""

from __future__ import annotations

from codemods.core.explanations import (
    RENAME,
    USE_A_LOOP,
    explained,
    in_generator_expression,
    name_taken,
    thread_lock,
)
from codemods.core.spec import Code, CodemodSpec, Example, Option, Severity

_WHY = """Why it blocks: a CPU-bound function computes in the event loop's thread, so every
other task waits until it returns; a thread does not help while the function holds the
GIL. In a process pool it runs in another process: the loop keeps serving other tasks and
several cores work at once."""

_NAMED = """A function is CPU-bound when you name it: --cpu-bound NAME, `cpu-bound = [...]` in
the configuration, or a `# async-migrate: cpu-bound` comment on its def line."""

AM401 = Code(
    "AM401",
    Severity.REWRITE,
    "CPU-bound call rewritten to await loop.run_in_executor(<process pool>, ...)",
    explanation=explained(
        _WHY,
        f"""What the rewrite does: a call to a function named CPU-bound becomes `await
        asyncio.get_running_loop().run_in_executor(_process_pool(), func, *args)`, with
        keywords through functools.partial. One helper per module, added after the
        imports, creates the pool on first use and shuts it down at exit. {_NAMED}""",
        """Limits: the arguments and the result travel by pickle, and changes the function
        makes to its arguments or to globals stay in the worker process.""",
    ),
    example=Example(
        before="""\
def checksum(data):  # async-migrate: cpu-bound
    return sum(data) % 65521


async def handle_upload(data):
    digest = checksum(data)
    return {"size": len(data), "checksum": digest}
""",
        after="""\
import asyncio
import concurrent.futures


_PROCESS_POOL = None


def _process_pool():
    global _PROCESS_POOL
    if _PROCESS_POOL is None:
        import atexit

        _PROCESS_POOL = concurrent.futures.ProcessPoolExecutor()
        atexit.register(_PROCESS_POOL.shutdown)
    return _PROCESS_POOL


def checksum(data):  # async-migrate: cpu-bound
    return sum(data) % 65521


async def handle_upload(data):
    digest = await asyncio.get_running_loop().run_in_executor(
        _process_pool(), checksum, data
    )
    return {"size": len(data), "checksum": digest}
""",
    ),
)

AM402 = Code(
    "AM402",
    Severity.REWRITE,
    "call rewritten to await asyncio.to_thread(...)",
    explanation=explained(
        _WHY,
        """What the rewrite does: the call runs in a thread, `await asyncio.to_thread(func,
        *args, **kwargs)`: hashlib.pbkdf2_hmac and hashlib.scrypt (they release the GIL,
        so threads run them in parallel with nothing to pickle); zlib, gzip, bz2 and lzma
        compress and decompress with --offload-compression; and a function named
        CPU-bound that cannot be shown to pickle (also reported as AM403).""",
    ),
    example=Example(
        before="""\
import hashlib


async def derive(password, salt):
    return hashlib.pbkdf2_hmac("sha256", password, salt, 600_000)
""",
        after="""\
import asyncio
import hashlib


async def derive(password, salt):
    return await asyncio.to_thread(
        hashlib.pbkdf2_hmac, "sha256", password, salt, 600_000
    )
""",
    ),
)

AM403 = Code(
    "AM403",
    Severity.FINDING,
    "CPU-bound call sent to a thread, not a process: it cannot be shown to pickle "
    "(responsive, but no parallel speed-up)",
    explanation=explained(
        _WHY,
        """Why a thread: a process pool can only run a module-level function found by name
        in an importable module. Lambdas, nested functions, parameters and other local
        names, methods, decorated functions, names bound by an assignment, names that
        cannot be resolved, calls with a lambda argument, and functions that visibly change
        their arguments or globals go to a thread (AM402): the loop stays responsive, but
        the GIL allows no parallel speed-up.""",
        """What to do: if the speed-up matters, make it a plain module-level function that
        returns its result, then rerun.""",
    ),
    example=Example(
        before="""\
import functools


@functools.cache
def crunch(n):  # async-migrate: cpu-bound
    return n * n


async def handler(n):
    return crunch(n)
""",
        after="""\
import asyncio
import functools


@functools.cache
def crunch(n):  # async-migrate: cpu-bound
    return n * n


async def handler(n):
    return await asyncio.to_thread(crunch, n)
""",
    ),
)

AM404 = Code(
    "AM404",
    Severity.FINDING,
    "CPU-bound call in a generator expression inside a coroutine",
    explanation=explained(_WHY, in_generator_expression("the call"), USE_A_LOOP),
    example=Example(
        before="""\
def crunch(n):  # async-migrate: cpu-bound
    return n * n


async def total(items):
    return sum(crunch(i) for i in items)
"""
    ),
)

AM405 = Code(
    "AM405",
    Severity.FINDING,
    "a name the rewrite needs (asyncio, functools, concurrent) is bound to something else",
    explanation=explained(
        _WHY, name_taken("the modules asyncio, functools and concurrent.futures"), RENAME
    ),
    example=Example(
        before="""\
import trio as asyncio


def crunch(n):  # async-migrate: cpu-bound
    return n * n


async def handler(n):
    return crunch(n)
"""
    ),
)

AM406 = Code(
    "AM406",
    Severity.HINT,
    "suggestion: a sync function that looks CPU-bound (loops, no I/O) is called from a coroutine",
    explanation=explained(
        _WHY,
        """Why it is suggested: the coroutine calls an undecorated sync function of the
        same module whose body is loop-heavy (a while loop, nested loops, or a loop over
        range(n)) and calls nothing that may do I/O (builtins such as len, math and
        itertools functions, common methods such as append, functions of the module). It
        may hold the loop for as long as it computes. Nothing is rewritten.""",
        """What to do: check the function. If it is CPU-bound, name it (the message gives
        the flag) and rerun; if not, silence the suggestion.""",
    ),
    example=Example(
        before="""\
def primes_below(n):
    found = []
    for candidate in range(2, n):
        if all(candidate % p for p in found):
            found.append(candidate)
    return found


async def handler(n):
    return primes_below(n)
"""
    ),
)

AM407 = Code(
    "AM407",
    Severity.FINDING,
    "a function marked CPU-bound is a coroutine or generator function, or is awaited",
    explanation=explained(
        _WHY,
        """Why it is refused: the function named CPU-bound is a coroutine function or a
        generator function, or its call is awaited (await crunch(x)). It returns an
        awaitable or a generator, not a result computed when it is called, so a worker
        process would compute nothing.""",
        """What to do: unmark it, and name the sync function that does the work
        instead.""",
    ),
    example=Example(
        before="""\
async def crunch(n):  # async-migrate: cpu-bound
    return n * n


async def handler(n):
    return await crunch(n)
"""
    ),
)

AM408 = Code(
    "AM408",
    Severity.FINDING,
    "a CPU-bound call left unchanged because a thread lock is held around it",
    explanation=explained(_WHY, *thread_lock("the call")),
    example=Example(
        before="""\
import threading

lock = threading.Lock()


def crunch(values):  # async-migrate: cpu-bound
    return sorted(values)


async def handler(values):
    with lock:
        return crunch(values)
"""
    ),
)

SPEC = CodemodSpec(
    name="cpu",
    description="CPU-bound calls in coroutines -> await loop.run_in_executor(process pool)",
    command="codemods.cpu.command:CpuCommand",
    codes=(AM401, AM402, AM403, AM404, AM405, AM406, AM407, AM408),
    helpers=("_process_pool(_\\d+)?", "_PROCESS_POOL(_\\d+)?"),
    prescan="codemods.cpu.prescan:may_apply",
    interest="codemods.cpu.prescan:interest",
    decide="codemods.cpu.decided:findings",
    reads_callees=True,
    options=(
        Option(
            "cpu_bound",
            list,
            (),
            "A function the cpu codemod offloads to a process pool (repeatable): a name, "
            "pkg.mod.func or pkg.mod:func.",
        ),
        Option(
            "offload_compression",
            bool,
            False,
            "cpu codemod: offload zlib/gzip/bz2/lzma compression calls too.",
        ),
    ),
)
