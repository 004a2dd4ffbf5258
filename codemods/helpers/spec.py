"""The ``helpers`` codemod, declared: calls in coroutines to the project's own sync
functions that block, one or more calls away."""

from __future__ import annotations

from codemods.core.spec import Code, CodemodSpec, Severity

SPEC = CodemodSpec(
    name="helpers",
    description="a call to a project function that blocks (to any depth) -> "
    "await asyncio.to_thread(func, *args)",
    command="codemods.helpers.command:HelpersCommand",
    codes=(
        Code(
            "AM651",
            Severity.REWRITE,
            "a call to a project function that blocks, offloaded to a thread: "
            "await asyncio.to_thread(func, *args)",
        ),
        Code(
            "AM652",
            Severity.FINDING,
            "a call to a project function that blocks, left as is because offloading is off",
        ),
        Code(
            "AM653",
            Severity.FINDING,
            "a call to a project function that blocks, which cannot be offloaded faithfully "
            "(a generator function, thread-bound state, a generator expression, a thread lock)",
        ),
        Code(
            "AM654",
            Severity.FINDING,
            "a call to a project function that blocks, not found again after earlier "
            "rewrites of its coroutine, or where the name 'asyncio' is bound to something else",
        ),
    ),
    # Decided by the project index: the runner gives each module its sites.
    prescan="codemods.helpers.prescan:may_apply",
    interest="codemods.helpers.prescan:interest",
    prepare="codemods.helpers.prescan:with_sites",
    offloads=True,
)
