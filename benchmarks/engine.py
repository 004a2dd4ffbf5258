"""The engine's performance targets: every figure measured, printed beside its target.

  1. CPython's standard library (site-packages excluded), `--check --no-cache`, against
     `ruff check --select ASYNC --no-cache` (median of alternating pairs)      <= 2.0 x ruff
  2. real async packages (300+ files each), cold `--diff --no-cache`, against ruff on the
     same tree, each                                                            <= 15 x ruff
  3. the whole corpus in place, `-j 2`, every package one after the other       <= 60 s
  4. 200 generated async-heavy files, `--diff`: per file against a bare libcst parse +
     code generation of the same files                                          <= 1.5 x
     and `-j 2` against `-j 1`                                                  >= 1.7 x faster
  5. one generated file of 400 small coroutines each with a blocking call, and the largest
     module with a coroutine in the packages: against a bare libcst parse + codegen <= 1.5 x
     and the peak RSS of the process                                            < 300 MB
  6. a cached rerun of (2)'s first package against the cold run                 >= 5 x faster

The packages come from the wheels in ``--wheels DIR`` (unpacked to a temporary directory;
`python benchmarks/corpus.py --wheels DIR` downloads the corpus there), never from this
repository. Figures are wall times
on this machine: run it on an idle one (the machine's cores and load are printed first).

Usage: python benchmarks/engine.py --wheels DIR [--packages NAME ...] [--corpus] [--pairs N]
Exits 1 if a measured target does not hold.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

# Run as a script: its directory is on sys.path.
from scale import ASYNC_MIGRATE, RUFF, compile_tool, peak_rss_mb, run

#: Packages of the corpus with 300+ files, the default for (2).
PACKAGES = ("agno", "langchain_community", "prefect", "langbot", "camel_ai")


@dataclass
class Figure:
    name: str
    value: float
    target: float
    #: "max": the value must be at most the target; "min": at least.
    sense: str
    unit: str = "x"

    @property
    def holds(self) -> bool:
        return self.value <= self.target if self.sense == "max" else self.value >= self.target

    def show(self) -> str:
        bound = "<=" if self.sense == "max" else ">="
        verdict = "holds" if self.holds else "MISSED"
        return (
            f"  {self.name:<62} {self.value:9.2f} {self.unit:<3} "
            f"target {bound} {self.target:g} {self.unit}  {verdict}"
        )


def bare_libcst(paths: list[Path]) -> float:
    """Seconds a fresh interpreter takes to parse ``paths`` with libcst and print them."""
    code = (
        "import sys, time, libcst\n"
        "sys.setrecursionlimit(10000)\n"
        "t = time.perf_counter()\n"
        "for p in sys.argv[1:]:\n"
        "    libcst.parse_module(open(p, 'rb').read()).bytes\n"
        "print(time.perf_counter() - t)\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *map(str, paths)], check=True, capture_output=True)
    return time.perf_counter() - start


def unpack(wheel: Path, into: Path) -> Path:
    """The ``.py`` files of ``wheel`` under ``into/<distribution>``."""
    tree = into / wheel.name.split("-")[0]
    tree.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.endswith(".py"):
                archive.extract(name, tree)
    return tree


def py_files(tree: Path) -> list[Path]:
    return sorted(p for p in tree.rglob("*.py") if p.is_file())


def stdlib(pairs: int) -> list[Figure]:
    root = sysconfig.get_paths()["stdlib"]
    ratios = []
    for _ in range(pairs):
        ours = run([ASYNC_MIGRATE, "--check", "--no-cache", "--exclude", "site-packages", root])
        theirs = run(
            [
                RUFF,
                "check",
                "--select",
                "ASYNC",
                "--no-cache",
                "-q",
                "--exclude",
                "site-packages",
                root,
            ]
        )
        ratios.append(ours / theirs)
        print(f"    stdlib pair: async-migrate {ours:.2f} s, ruff {theirs:.2f} s")
    return [
        Figure("1. stdlib --check, median ratio to ruff", statistics.median(ratios), 2.0, "max")
    ]


def packages(trees: list[Path]) -> list[Figure]:
    figures = []
    for tree in trees:
        ours = run([ASYNC_MIGRATE, "--diff", "--no-cache", str(tree)])
        theirs = run([RUFF, "check", "--select", "ASYNC", "--no-cache", "-q", str(tree)])
        count = len(py_files(tree))
        print(f"    {tree.name}: {count} files, async-migrate {ours:.2f} s, ruff {theirs:.2f} s")
        figures.append(Figure(f"2. {tree.name} --diff, ratio to ruff", ours / theirs, 15.0, "max"))
    return figures


def cached_rerun(tree: Path, work: Path) -> Figure:
    env = {**os.environ, "ASYNC_MIGRATE_CACHE_DIR": str(work / "cache")}
    command = [ASYNC_MIGRATE, "--diff", str(tree)]
    cold = run(command, env=env)
    warm = run(command, env=env)
    print(f"    {tree.name}: cold {cold:.2f} s, cached {warm:.2f} s")
    return Figure(f"6. {tree.name} cached rerun, times faster than cold", cold / warm, 5.0, "min")


def corpus(trees: list[Path], work: Path) -> Figure:
    total = 0.0
    for tree in trees:
        copy = work / "in-place" / tree.name
        shutil.copytree(tree, copy)
        spent = run([ASYNC_MIGRATE, "--no-cache", "-j", "2", str(copy)])
        print(f"    {tree.name}: {spent:.2f} s in place")
        total += spent
    return Figure(f"3. the corpus ({len(trees)} packages) in place, -j 2", total, 60.0, "max", "s")


ASYNC_FILE = """import time


async def handler_{i}(api, ids):
    time.sleep(0.1)
    out = []
    for item in ids:
        out.append(item * {i})
    return out


def sync_helper_{i}(x):
    return [y * 2 for y in range(x)]


class Service{i}:
    async def run(self):
        time.sleep(0.5)
        return await handler_{i}(self, [])
"""


def generated_tree(work: Path) -> list[Figure]:
    root = work / "async-heavy"
    root.mkdir()
    for i in range(200):
        (root / f"mod_{i:03}.py").write_text(ASYNC_FILE.format(i=i) * 4)
    one = run([ASYNC_MIGRATE, "--diff", "--no-cache", "-j", "1", str(root)])
    two = run([ASYNC_MIGRATE, "--diff", "--no-cache", "-j", "2", str(root)])
    bare = bare_libcst(py_files(root))
    print(f"    200 files: -j 1 {one:.2f} s, -j 2 {two:.2f} s, bare libcst {bare:.2f} s")
    return [
        Figure("4. 200 async-heavy files, -j 1 to bare libcst", one / bare, 1.5, "max"),
        Figure("4. 200 async-heavy files, -j 2 speed-up over -j 1", one / two, 1.7, "min"),
    ]


def single_module(path: Path, label: str) -> list[Figure]:
    wall, rss = peak_rss_mb([ASYNC_MIGRATE, "--diff", "--no-cache", "-j", "1", str(path)])
    bare = bare_libcst([path])
    size = path.stat().st_size / 1024
    print(f"    {label} ({size:.0f} KB): {wall:.2f} s, {rss:.0f} MB; bare libcst {bare:.2f} s")
    return [
        Figure(f"5. {label}, ratio to bare libcst", wall / bare, 1.5, "max"),
        Figure(f"5. {label}, peak RSS", rss, 300.0, "max", "MB"),
    ]


def many_coroutines(work: Path) -> Path:
    path = work / "coroutines.py"
    body = "".join(
        f"\n\nasync def handler_{i}(x):\n    time.sleep(0.01)\n    return x + {i}\n"
        for i in range(400)
    )
    path.write_text("import time\n" + body)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, required=True, metavar="DIR")
    parser.add_argument("--packages", nargs="*", default=list(PACKAGES), metavar="NAME")
    parser.add_argument("--corpus", action="store_true", help="also run every wheel in place")
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load {load:.2f}; python {sys.version.split()[0]}")
    compile_tool()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="async-migrate-engine-") as tmp:
        work = Path(tmp)
        trees = {
            tree.name: tree
            for tree in (unpack(w, work / "trees") for w in sorted(args.wheels.glob("*.whl")))
        }
        chosen = [trees[name] for name in args.packages if name in trees]
        missing = sorted(set(args.packages) - set(trees))
        if missing:
            print(f"    no wheel for: {', '.join(missing)}")
        print("1. standard library")
        figures += stdlib(args.pairs)
        print("2. packages")
        figures += packages(chosen)
        if args.corpus:
            print("3. corpus in place")
            figures.append(corpus(list(trees.values()), work))
        print("4. generated tree")
        figures += generated_tree(work)
        print("5. single modules")
        figures += single_module(many_coroutines(work), "400 coroutines in one file")
        modules = [
            p for tree in trees.values() for p in py_files(tree) if b"async def" in p.read_bytes()
        ]
        if modules:
            largest = max(modules, key=lambda p: p.stat().st_size)
            figures += single_module(largest, f"largest module ({largest.name})")
        if chosen:
            print("6. cache")
            figures.append(cached_rerun(chosen[0], work))
    print("\nfigure" + " " * 60 + "measured      target")
    for figure in figures:
        print(figure.show())
    return 0 if all(f.holds for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
