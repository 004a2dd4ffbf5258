"""Slicing changes nothing: migrate real modules whole and sliced, and compare.

For every ``.py`` file under the given directories or wheels (``.whl`` files are read in
place) that reaches libcst, runs every codemod on the whole module and (each codemod on its
own slice, :mod:`async_migrate.engine.slicing`) sliced, and prints: files compared, files
sliced, how much of them libcst was spared, the time each way, files where a codemod's slice
gave no answer (it then ran on the whole module), and every file whose result differs (must
be none).

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


#: The codemods whose slice of the current file gave no answer (they ran on the whole module).
unanswered: list[str] = []
_on_slice = migrate._on_slice


def _watched_on_slice(data: bytes, active: list[type], *args: object) -> object:
    answer = _on_slice(data, active, *args)  # type: ignore[arg-type]
    if answer is None and slicing.slice_module(data, args[-1]) is not None:  # type: ignore[arg-type]
        unanswered.extend(c.NAME for c in active)
    return answer


migrate._on_slice = _watched_on_slice  # type: ignore[assignment]


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
        whole, t_whole = run(data, name, sliced=False)
        unanswered.clear()
        part, t_part = run(data, name, sliced=True)
        if unanswered:
            fallbacks.append(name)
            print(f"FELL BACK to the whole module: {name} ({', '.join(unanswered)})", flush=True)
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
