"""The ``subprocess`` codemod, declared: subprocess and os process calls in a coroutine -> asyncio
subprocesses."""

from __future__ import annotations

from codemods.core.catalogue import SUBPROCESS, blocking_targets
from codemods.core.spec import Code, CodemodSpec, Severity

SPEC = CodemodSpec(
    name="subprocess",
    description="subprocess and os process calls in a coroutine -> asyncio subprocesses",
    command="codemods.subprocess.command:SubprocessCommand",
    codes=(
        Code(
            "AM501",
            Severity.REWRITE,
            "subprocess.run/call/check_call/check_output rewritten to await _subprocess_run(...) "
            "(asyncio subprocess, same result)",
            ruff=("ASYNC220", "ASYNC221", "ASYNC222"),
        ),
        Code(
            "AM502",
            Severity.REWRITE,
            "os.system(cmd) rewritten to await _os_system(cmd) (same wait status)",
            ruff=("ASYNC220", "ASYNC221", "ASYNC222"),
        ),
        Code(
            "AM503",
            Severity.REWRITE,
            "a process call offloaded to a thread: await asyncio.to_thread(...)",
            ruff=("ASYNC220", "ASYNC221", "ASYNC222"),
        ),
        Code(
            "AM504",
            Severity.FINDING,
            "a blocking process call left as is because offloading is off",
        ),
        Code(
            "AM505",
            Severity.FINDING,
            "a blocking process call that cannot be rewritten here (generator expression, asyncio"
            " or a helper name bound to something else)",
        ),
        Code(
            "AM506",
            Severity.FINDING,
            "a Popen object's pipe used, or its with block left (which waits), in a coroutine: "
            "blocks, migrate by hand",
        ),
    ),
    helpers=("_subprocess_run", "_os_system"),
    offloads=True,
    targets=blocking_targets(
        {SUBPROCESS}, (b"subprocess", b"os", b"Popen", b"spawn", b"wait", b"system")
    ),
)
