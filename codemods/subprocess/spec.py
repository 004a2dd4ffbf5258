"""The ``subprocess`` codemod, declared: subprocess and os process calls in a coroutine -> asyncio
subprocesses."""

from __future__ import annotations

from codemods.core.catalogue import Family, blocking_targets
from codemods.core.explanations import explained, offloading_off
from codemods.core.spec import Code, CodemodSpec, Example, Severity
from codemods.subprocess.helper_sources import RUN_SOURCE, SYSTEM_SOURCE

#: What AM501's example becomes: the helper, added once per module, then the call.
AM501_AFTER = (
    "import asyncio\nimport locale\nimport os\nimport subprocess\n\n"
    + RUN_SOURCE
    + '\n\nasync def build():\n    return (await _subprocess_run(["make", "-s"])).returncode\n'
)

_WHY = """Why it blocks: subprocess.run, call, check_output, os.system and the like wait for
the child process in the event loop's thread, and no other task runs until the child
exits. asyncio's subprocesses wait without blocking the loop."""

AM501 = Code(
    "AM501",
    Severity.REWRITE,
    "subprocess.run/call/check_call/check_output rewritten to await _subprocess_run(...) "
    "(asyncio subprocess, same result)",
    ruff=("ASYNC220", "ASYNC221", "ASYNC222"),
    explanation=explained(
        _WHY,
        """What the rewrite does: subprocess.run(args, ...) becomes `await
        _subprocess_run(args, ...)`; call, check_call and check_output become the same
        call, with check=True and stdout=subprocess.PIPE as they imply, and .returncode or
        .stdout taken from its result. _subprocess_run, added once per module, is built on
        asyncio's subprocesses: it returns the same CompletedProcess, decodes text as
        text=, encoding= and errors= do, raises the same errors, and kills and reaps the
        child when the task is cancelled. Other process calls are offloaded (AM503).""",
    ),
    example=Example(
        before="""\
import subprocess


async def build():
    return subprocess.call(["make", "-s"])
""",
        after=AM501_AFTER,
    ),
)

AM502 = Code(
    "AM502",
    Severity.REWRITE,
    "os.system(cmd) rewritten to await _os_system(cmd) (same wait status)",
    ruff=("ASYNC220", "ASYNC221", "ASYNC222"),
    explanation=explained(
        _WHY,
        """What the rewrite does: os.system(cmd) becomes `await _os_system(cmd)`, a helper
        added once per module that runs cmd in asyncio's shell and returns the same wait
        status (768 for `exit 3`, 15 for SIGTERM), not the exit code; it kills and reaps
        the child when the task is cancelled.""",
        """Known limit: a child killed with a core dump gives os.system 134 for SIGABRT,
        the helper 6 (asyncio does not show the core-dump bit).""",
    ),
    example=Example(
        before="""\
import os


async def build():
    return os.system("make -s")
""",
        after="import asyncio\n\n"
        + SYSTEM_SOURCE
        + '\n\nasync def build():\n    return await _os_system("make -s")\n',
    ),
)

AM503 = Code(
    "AM503",
    Severity.REWRITE,
    "a process call offloaded to a thread: await asyncio.to_thread(...)",
    ruff=("ASYNC220", "ASYNC221", "ASYNC222"),
    explanation=explained(
        _WHY,
        """What the rewrite does: every other process call runs in a thread, `await
        asyncio.to_thread(func, *args, **kwargs)`, the same callee and arguments evaluated
        in the same order: run and the others with timeout= (in a thread TimeoutExpired
        keeps the partial output, which asyncio's form loses) or with arguments the helper
        does not take, Popen and wait() or communicate() on a Popen object, getoutput,
        os.popen, os.spawn*, os.posix_spawn*, os.wait*. os.waitpid(pid, os.WNOHANG)
        returns at once and is left alone.""",
    ),
    example=Example(
        before="""\
import subprocess


async def build():
    return subprocess.run(["make", "-s"], timeout=60).returncode
""",
        after="""\
import asyncio
import subprocess


async def build():
    return (await asyncio.to_thread(subprocess.run, ["make", "-s"], timeout=60)).returncode
""",
    ),
)

AM504 = Code(
    "AM504",
    Severity.FINDING,
    "a blocking process call left as is because offloading is off",
    explanation=explained(_WHY, *offloading_off("process")),
    example=Example(
        before="""\
import subprocess


async def build():
    return subprocess.run(["make", "-s"], timeout=60).returncode
""",
        options={"offload": False},
    ),
)

AM505 = Code(
    "AM505",
    Severity.FINDING,
    "a blocking process call that cannot be rewritten here (generator expression, asyncio"
    " or a helper name bound to something else)",
    explanation=explained(
        _WHY,
        """Why it is refused: the call cannot be awaited where it is: inside a generator
        expression in a coroutine (await would turn it into an async generator its
        consumer cannot iterate), inside `with <thread lock>:` in a coroutine (await would
        hold the lock across it, and another coroutine taking the lock would block the
        loop's thread for good), or where a name the rewrite needs (asyncio, or a module
        the helper uses) is bound to something else.""",
        """What to do: use a loop instead of the generator expression, move the call out
        of the lock's block (or use an asyncio.Lock), or rename the other binding; then
        rerun.""",
    ),
    example=Example(
        before="""\
import subprocess


async def all_ok(commands):
    return all(subprocess.call(c) == 0 for c in commands)
"""
    ),
)

AM506 = Code(
    "AM506",
    Severity.FINDING,
    "a Popen object's pipe used, or its with block left (which waits), in a coroutine: "
    "blocks, migrate by hand",
    explanation=explained(
        _WHY,
        """Why it is reported: creating the Popen object is offloaded (AM503), but reading
        or writing its pipes (proc.stdout.read(), proc.stdin.write(...)) still blocks in
        the coroutine, and leaving `with subprocess.Popen(...)` waits for the child.""",
        """What to do: use asyncio.create_subprocess_exec, whose streams are async (`await
        proc.stdout.readline()`), and `await proc.wait()`.""",
    ),
    example=Example(
        before="""\
import subprocess


async def first_line(path):
    proc = subprocess.Popen(["cat", path], stdout=subprocess.PIPE)
    return proc.stdout.readline()
""",
        after="""\
import asyncio
import subprocess


async def first_line(path):
    proc = await asyncio.to_thread(subprocess.Popen, ["cat", path], stdout=subprocess.PIPE)
    return proc.stdout.readline()
""",
    ),
)

#: The blocking calls it handles (its command's ``FAMILIES``).
FAMILIES = frozenset({Family.SUBPROCESS})

SPEC = CodemodSpec(
    name="subprocess",
    owns=("subprocess",),
    description="subprocess and os process calls in a coroutine -> asyncio subprocesses",
    command="codemods.subprocess.command:SubprocessCommand",
    codes=(AM501, AM502, AM503, AM504, AM505, AM506),
    helpers=("_subprocess_run", "_os_system"),
    offloads=True,
    targets=blocking_targets(
        FAMILIES, (b"subprocess", b"os", b"Popen", b"spawn", b"wait", b"system")
    ),
)
