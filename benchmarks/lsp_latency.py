"""Latency of ``async-migrate server``: time from ``didChange`` to ``publishDiagnostics``.

Starts the real server over stdio, opens a generated coroutine-heavy module (1,000 lines
by default), changes it several times within a line of one coroutine (each change a new
text) and prints the median; then the same for a change that adds a line to a coroutine
(the lines after it move), and for a change back to a text seen before (undo: the result
is remembered). After a change, the server migrates only the coroutines that changed.
The debounce pause is part of every figure. With ``--profile``,
also where the time of one migration goes: each codemod alone on the module, and a bare
libcst parse.

    python benchmarks/lsp_latency.py [--lines 1000] [--runs 5] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TARGET_MS = 150

BLOCK = """

async def handler_{i}(api, ids):
    time.sleep(0.1)
    out = []
    for item in ids:
        with open(f"/tmp/{{item}}.txt") as f:
            out.append(f.read())
    return out


async def fetch_{i}(url):
    r = requests.get(url, timeout=5)
    return r.status_code


async def run_{i}(cmd):
    subprocess.run(cmd, check=True)
    return os.path.exists(cmd[0])


def sync_helper_{i}(x):
    time.sleep(x)
    return [y * 2 for y in range(x)]
"""


def module(lines: int) -> str:
    """A module of about ``lines`` lines: blocks of coroutines with blocking calls."""
    parts = ["import os\nimport subprocess\nimport time\n\nimport requests\n"]
    count = 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(BLOCK.format(i=count))
        count += 1
    return "".join(parts)


def server_command() -> list[str]:
    script = Path(sys.executable).parent / "async-migrate"
    if script.exists():
        return [str(script), "server"]
    return [sys.executable, "-m", "async_migrate", "server"]


async def measure(text: str, runs: int) -> tuple[float, list[float], list[float], list[float], int]:
    client = LanguageClient("lsp-latency", "1")
    arrived: dict[int, float] = {}
    counts: dict[int, int] = {}
    event = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            arrived[params.version] = time.perf_counter()
            counts[params.version] = len(params.diagnostics)
            event.set()

    await client.start_io(*server_command())
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    uri = Path("/tmp/lsp_latency_module.py").as_uri()

    async def until(version: int) -> None:
        while version not in arrived:
            event.clear()
            await event.wait()

    start = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=text
            )
        )
    )
    await until(1)
    cold = arrived[1] - start

    def change(version: int, new: str) -> float:
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=new)],
            )
        )
        return sent

    fresh, moved, cached = [], [], []
    version = 1
    for run in range(runs):
        version += 1
        sent = change(version, text.replace("time.sleep(0.1)", f"time.sleep(0.{run + 2})", 1))
        await until(version)
        fresh.append(arrived[version] - sent)
        version += 1
        new_line = f"time.sleep(0.1)\n    print({run})"  # every later line moves
        sent = change(version, text.replace("time.sleep(0.1)", new_line, 1))
        await until(version)
        moved.append(arrived[version] - sent)
        version += 1
        sent = change(version, text)  # back to the text opened: remembered
        await until(version)
        cached.append(arrived[version] - sent)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return cold, fresh, moved, cached, counts[1]


def profile(text: str) -> None:
    """Wall and CPU time of one migration, each codemod alone, and a bare libcst parse (CPU
    time tells what the machine's load adds to the wall time)."""
    import libcst

    from async_migrate import migrate_source
    from codemods.registry import CODEMODS

    def timed(label: str, run: Callable[[], object]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        found = getattr(result, "findings", None)
        extra = f", {len(found)} findings" if found is not None else ""
        print(f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU{extra}")

    timed("bare libcst parse + code generation", lambda: libcst.parse_module(text).code)
    timed("migrate_source, every codemod", lambda: migrate_source(text))
    for name in CODEMODS:
        timed(f"migrate_source, {name} alone", lambda n=name: migrate_source(text, select=[n]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="time each codemod alone too")
    args = parser.parse_args()
    text = module(args.lines)
    cold, fresh, moved, cached, found = asyncio.run(measure(text, args.runs))
    lines = text.count("\n")
    print(f"module: {lines} lines, {found} diagnostics")
    print(f"didOpen -> publishDiagnostics (cold, libcst imported): {cold * 1000:.0f} ms")
    median = statistics.median(fresh) * 1000
    verdict = "met" if median <= TARGET_MS else "NOT met"
    print(
        f"didChange -> publishDiagnostics, new text: median {median:.0f} ms over {len(fresh)}"
        f" runs (min {min(fresh) * 1000:.0f}, max {max(fresh) * 1000:.0f});"
        f" target <= {TARGET_MS} ms: {verdict}"
    )
    print(
        f"didChange -> publishDiagnostics, a line added (the lines after it move): median "
        f"{statistics.median(moved) * 1000:.0f} ms (min {min(moved) * 1000:.0f}, max "
        f"{max(moved) * 1000:.0f})"
    )
    print(
        f"didChange -> publishDiagnostics, text seen before (undo): median "
        f"{statistics.median(cached) * 1000:.0f} ms (the debounce pause is part of it)"
    )
    if args.profile:
        print("where one migration's time goes:")
        profile(text)


if __name__ == "__main__":
    main()
