"""The ``http`` codemod, declared: httpx/urllib/urllib3 requests in a coroutine ->
httpx.AsyncClient or to_thread."""

from __future__ import annotations

from codemods.core.catalogue import HTTP, blocking_targets
from codemods.core.spec import Code, CodemodSpec, Severity

SPEC = CodemodSpec(
    name="http",
    description="httpx/urllib/urllib3 requests in a coroutine -> httpx.AsyncClient or to_thread",
    command="codemods.http.command:HttpCommand",
    codes=(
        Code(
            "AM521",
            Severity.REWRITE,
            "httpx.<verb>(...) rewritten to a request on an httpx.AsyncClient",
            ruff=("ASYNC210", "ASYNC211", "ASYNC212"),
        ),
        Code(
            "AM522",
            Severity.REWRITE,
            "with httpx.Client() as c rewritten to async with httpx.AsyncClient() as c",
        ),
        Code(
            "AM523",
            Severity.REWRITE,
            "an HTTP call offloaded to a thread: await asyncio.to_thread(...)",
            ruff=("ASYNC210", "ASYNC211", "ASYNC212"),
        ),
        Code(
            "AM524",
            Severity.FINDING,
            "a blocking HTTP call left as is because offloading is off",
        ),
        Code(
            "AM525",
            Severity.FINDING,
            "a blocking HTTP call that cannot be rewritten here (streaming, generator expression,"
            " asyncio bound to something else)",
        ),
    ),
    offloads=True,
    targets=blocking_targets(
        {HTTP}, (b"httpx", b"urllib", b"urlopen", b"requests", b"Client", b"Pool")
    ),
)
