"""What the speed targets leave to spend, against what no Python implementation can avoid.

For each tree of the engine's targets (see ``engine.py``), the budget is the target times
ruff's wall time on the same tree (or times a bare libcst parse + codegen). The floor is
the CPU time of the steps any implementation in CPython pays, each measured alone in a
fresh interpreter:

  start    importing libcst (the tool's own imports cost more: the ``tool start`` line)
  read     reading every ``.py`` file of the tree
  parse    ``ast.parse`` of the files that define a coroutine: the coroutines' calls can
           only be found in a parsed tree, and CPython's parser is the fastest at hand
  units    libcst parse + codegen of only the innermost functions holding a change (a
           change outside any function: its top-level statement), dedented: the smallest
           rewrite a libcst engine can do; today's engine does whole files (``files``)

With two cores, the floor's wall time is at best half its CPU time (``start`` is paid by
the main process before any worker helps); the two targets set against a bare libcst run
are measured in one process. The last column is the floor's wall time over
the budget: above 1, the target cannot be met by finding with ``ast`` and rewriting with
libcst, however little else is done.

Usage: python benchmarks/floors.py --wheels DIR [--packages NAME ...]
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

# Run as a script: its directory is on sys.path.
from engine import ASYNC_FILE, PACKAGES, bare_libcst, many_coroutines, py_files, unpack
from scale import ASYNC_MIGRATE, RUFF, compile_tool, run

CORES = 2

_COROUTINE = re.compile(rb"async[ \t\\\r\n]+def\b")

#: Timed in a fresh interpreter: prints the CPU seconds of one step.
_STEP = {
    "start": "import time; t = time.process_time(); import ast, libcst\n"
    "print(time.process_time() - t)",
    "read": "import sys, time; t = time.process_time()\n"
    "[open(p, 'rb').read() for p in open(sys.argv[1]).read().split('\\0') if p]\n"
    "print(time.process_time() - t)",
    "parse": "import ast, sys, time\n"
    "data = [open(p, 'rb').read() for p in open(sys.argv[1]).read().split('\\0') if p]\n"
    "t = time.process_time()\n"
    "for d in data:\n"
    "    try: ast.parse(d)\n"
    "    except (SyntaxError, ValueError): pass\n"
    "print(time.process_time() - t)",
    "libcst": "import sys, time, libcst; sys.setrecursionlimit(10000)\n"
    "data = [open(p, 'rb').read() for p in open(sys.argv[1]).read().split('\\0') if p]\n"
    "t = time.process_time()\n"
    "for d in data: libcst.parse_module(d).bytes\n"
    "print(time.process_time() - t)",
}


_TOOL_START = (
    "import time; t = time.process_time(); import async_migrate.cli\n"
    "from codemods.registry import CODEMODS\n[c.load() for c in CODEMODS.values()]\n"
    "print(time.process_time() - t)"
)


@dataclass
class Row:
    name: str
    budget: float
    start: float
    read: float
    parse: float
    units: float
    files: float
    #: The cores the target's run may use.
    cores: int = CORES

    @property
    def floor(self) -> float:
        """Wall seconds at best: the start alone, the rest spread over the cores."""
        return self.start + (self.read + self.parse + self.units) / self.cores

    def show(self) -> str:
        return (
            f"  {self.name:<32} {self.budget:7.2f} {self.start:7.2f} {self.read:7.2f} "
            f"{self.parse:7.2f} {self.units:7.2f} {self.files:7.2f} {self.floor:7.2f} "
            f"{self.floor / self.budget:7.2f}"
        )


HEADER = (
    f"  {'tree':<32} {'budget':>7} {'start':>7} {'read':>7} {'parse':>7} {'units':>7} "
    f"{'files':>7} {'floor':>7} {'f/b':>7}"
)


def step(name: str, paths: list[Path] | list[str], work: Path) -> float:
    """CPU seconds of one step over ``paths`` (a list of files, or of source texts
    already written to files) in a fresh interpreter."""
    listing = work / f"{name}.list"
    listing.write_text("\0".join(map(str, paths)))
    out = subprocess.run(
        [sys.executable, "-c", _STEP[name], str(listing)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.split()[-1])


def ruff_wall(tree: Path, extra: list[str]) -> float:
    return statistics.median(
        run([RUFF, "check", "--select", "ASYNC", "--no-cache", "-q", *extra, str(tree)])
        for _ in range(3)
    )


def changed_units(tree: Path, extra: list[str], work: Path) -> tuple[list[Path], list[Path]]:
    """The files a ``--diff`` run changes, and the innermost function holding each change
    written, dedented, to a file of its own."""
    out = subprocess.run(
        [ASYNC_MIGRATE, "--diff", "--no-cache", *extra, str(tree)], capture_output=True
    ).stdout
    # The old line numbers each hunk removes, or inserts before.
    changed: dict[Path, set[int]] = {}
    current: Path | None = None
    old = 0
    for line in out.splitlines():
        if line.startswith(b"--- "):
            path = Path(line[4:].split(b"\t")[0].decode().removeprefix("a/"))
            current = path if path.is_absolute() else Path.cwd() / path
            changed.setdefault(current, set())
        elif line.startswith(b"+++ ") or current is None:
            continue
        elif line.startswith(b"@@ "):
            old = int(line.split()[1][1:].partition(b",")[0])
        elif line.startswith(b"-"):
            changed[current].add(old)
            old += 1
        elif line.startswith(b"+"):
            changed[current].add(max(old, 1))
        else:
            old += 1
    spans: set[tuple[Path, int, int]] = set()
    for path, lines in changed.items():
        tree = ast.parse(path.read_bytes())
        spans.update((path, *_innermost(tree, n)) for n in lines)
    units: list[Path] = []
    for path, first, last in sorted(spans):
        lines = path.read_text().splitlines(keepends=True)
        text = textwrap.dedent("".join(lines[first - 1 : last]))
        try:
            ast.parse(text)
        except SyntaxError:  # a string whose lines dedent cannot move: the whole statement
            tree = ast.parse("".join(lines))
            top = next(s for s in tree.body if s.lineno <= last <= (s.end_lineno or s.lineno))
            text = "".join(lines[top.lineno - 1 : top.end_lineno])
        unit = work / f"unit-{len(units)}.py"
        unit.write_text(text)
        units.append(unit)
    return list(changed), units


def _innermost(tree: ast.Module, number: int) -> tuple[int, int]:
    """The lines of the innermost function holding line ``number`` (else of the top-level
    statement holding it, else the line alone)."""
    best: tuple[int, int] | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            last = node.end_lineno or node.lineno
            if first <= number <= last and (best is None or last - first < best[1] - best[0]):
                best = (first, last)
    if best is not None:
        return best
    for statement in tree.body:
        if statement.lineno <= number <= (statement.end_lineno or statement.lineno):
            return statement.lineno, statement.end_lineno or statement.lineno
    return number, number


def measure(
    name: str, tree: Path, budget: float, extra: list[str], work: Path, cores: int = CORES
) -> Row:
    files = [p for p in py_files(tree) if not any(part in ("site-packages",) for part in p.parts)]
    coroutine_files = [p for p in files if _COROUTINE.search(p.read_bytes())]
    whole, units = changed_units(tree, extra, work)
    return Row(
        name,
        budget,
        step("start", [], work),
        step("read", files, work),
        step("parse", coroutine_files, work),
        step("libcst", units, work) if units else 0.0,
        step("libcst", whole, work) if whole else 0.0,
        cores,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, required=True, metavar="DIR")
    parser.add_argument("--packages", nargs="*", default=list(PACKAGES), metavar="NAME")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    compile_tool()
    print("seconds; budget and floor are wall times, the steps CPU times")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="async-migrate-floors-") as tmp:
        work = Path(tmp)
        stdlib = Path(sysconfig.get_paths()["stdlib"])
        skip = ["--exclude", "site-packages"]
        rows.append(measure("stdlib (2 x ruff)", stdlib, 2 * ruff_wall(stdlib, skip), skip, work))
        for wheel in sorted(args.wheels.glob("*.whl")):
            if wheel.name.split("-")[0] not in args.packages:
                continue
            tree = unpack(wheel, work / "trees")
            budget = 15 * ruff_wall(tree, [])
            rows.append(measure(f"{tree.name} (15 x ruff)", tree, budget, [], work))
        generated = work / "async-heavy"
        generated.mkdir()
        for i in range(200):
            (generated / f"mod_{i:03}.py").write_text(ASYNC_FILE.format(i=i) * 4)
        # These two targets are set against a bare libcst run in one process.
        bare = bare_libcst(py_files(generated))
        rows.append(
            measure("200 files (1.5 x libcst)", generated, 1.5 * bare, ["-j", "1"], work, 1)
        )
        one = many_coroutines(work)
        bare = bare_libcst([one])
        rows.append(measure("400 coroutines (1.5 x libcst)", one, 1.5 * bare, [], work, 1))
    tool = statistics.median(
        float(
            subprocess.run(
                [sys.executable, "-c", _TOOL_START], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    )
    print(f"tool start (its imports and every codemod's, CPU): {tool:.2f} s")
    print(HEADER)
    for row in rows:
        print(row.show())
    return 0


if __name__ == "__main__":
    sys.exit(main())
