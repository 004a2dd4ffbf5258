"""Slicing changes nothing: migrate real modules whole and sliced, and compare.

For every ``.py`` file under the given directories or wheels (``.whl`` files are read in
place) that reaches libcst, runs every codemod on the whole module and on the sliced one
(:mod:`async_migrate.engine.slicing`) and prints: files compared, files sliced, how much of them
libcst was spared, the time each way, sliced files whose slice gave no answer (the engine
then migrates the whole module), and every file whose result differs (must be none).

Usage: python benchmarks/slicing_equivalence.py PATH [PATH ...]
Exits 1 if any result differs.
"""

from __future__ import annotations

import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

from async_migrate.engine import migrate, slicing
from async_migrate.engine.migrate import Migration, SourceError, migrate_source
from codemods.registry import CODEMODS


def sources(paths: list[str]) -> Iterator[tuple[str, bytes]]:
    for raw in paths:
        path = Path(raw)
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as wheel:
                for name in sorted(wheel.namelist()):
                    if name.endswith(".py"):
                        yield f"{path.name}/{name}", wheel.read(name)
        elif path.is_dir():
            for file in sorted(path.rglob("*.py")):
                if "site-packages" not in file.parts and file.is_file():
                    yield str(file), file.read_bytes()
        else:
            yield str(path), path.read_bytes()


def run(data: bytes, name: str, sliced: bool) -> tuple[Migration | str, float]:
    migrate.SLICING = sliced
    start = time.perf_counter()
    try:
        result: Migration | str = migrate_source(data, filename=name)
    except (SourceError, migrate.InternalError) as e:
        result = f"{type(e).__name__}: {e}"
    return result, time.perf_counter() - start


def main() -> int:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), migrate.RECURSION_LIMIT))
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    compared = sliced_files = 0
    bytes_whole = bytes_sliced = 0
    time_whole = time_sliced = 0.0
    differ: list[str] = []
    fallbacks: list[str] = []
    for name, data in sources(sys.argv[1:]):
        if not migrate._active(data, list(CODEMODS), {}):
            continue
        compared += 1
        piece = slicing.slice_module(data)
        if piece is not None:
            sliced_files += 1
            bytes_whole += len(data)
            bytes_sliced += len(piece.code)
            migrate.SLICING = True
            try:
                answered = migrate._sliced(
                    data, migrate._active(data, list(CODEMODS), {}), name, {}
                )
            except Exception:  # noqa: BLE001 - reported below as a fallback
                answered = None
            if answered is None:
                fallbacks.append(name)
                print(f"FELL BACK to the whole module: {name}", flush=True)
        whole, t_whole = run(data, name, sliced=False)
        part, t_part = run(data, name, sliced=True)
        time_whole += t_whole
        time_sliced += t_part
        if whole != part:
            differ.append(name)
            print(f"DIFFERS: {name}", flush=True)
    spared = 1 - bytes_sliced / bytes_whole if bytes_whole else 0.0
    print(f"files reaching libcst: {compared}; sliced: {sliced_files}")
    print(f"bytes of the sliced files: {bytes_whole:,} -> {bytes_sliced:,} ({spared:.0%} spared)")
    print(f"time whole: {time_whole:.1f} s; time sliced: {time_sliced:.1f} s")
    print(f"sliced files that fell back to the whole module: {len(fallbacks)} (should be 0)")
    print(f"results that differ: {len(differ)} (must be 0)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
