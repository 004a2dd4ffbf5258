"""The ``cpu`` codemod, declared: CPU-bound calls in coroutines -> await
loop.run_in_executor(process pool)."""

from __future__ import annotations

from codemods.core.spec import Code, CodemodSpec, Option, Severity

SPEC = CodemodSpec(
    name="cpu",
    description="CPU-bound calls in coroutines -> await loop.run_in_executor(process pool)",
    command="codemods.cpu.command:CpuCommand",
    codes=(
        Code(
            "AM401",
            Severity.REWRITE,
            "CPU-bound call rewritten to await loop.run_in_executor(<process pool>, ...)",
        ),
        Code(
            "AM402",
            Severity.REWRITE,
            "call rewritten to await asyncio.to_thread(...)",
        ),
        Code(
            "AM403",
            Severity.FINDING,
            "CPU-bound call sent to a thread, not a process: it cannot be shown to pickle "
            "(responsive, but no parallel speed-up)",
        ),
        Code(
            "AM404",
            Severity.FINDING,
            "CPU-bound call in a generator expression inside a coroutine",
        ),
        Code(
            "AM405",
            Severity.FINDING,
            "a name the rewrite needs (asyncio, functools, concurrent) is bound to something else",
        ),
        Code(
            "AM406",
            Severity.HINT,
            "suggestion: a sync function that looks CPU-bound (loops, no I/O) is called from a "
            "coroutine",
        ),
        Code(
            "AM407",
            Severity.FINDING,
            "a function marked CPU-bound is a coroutine or generator function, or is awaited",
        ),
        Code(
            "AM408",
            Severity.FINDING,
            "a CPU-bound call left unchanged because a thread lock is held around it",
        ),
    ),
    helpers=("_process_pool(_\\d+)?", "_PROCESS_POOL(_\\d+)?"),
    prescan="codemods.cpu.prescan:may_apply",
    interest="codemods.cpu.prescan:interest",
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
