"""Performance at scale: prints wall time, files/s, MB/s, peak RSS and ratios.

Workloads:
  1. the running interpreter's standard library (site-packages excluded), --check,
     against `ruff check --select ASYNC --no-cache` and libcst's own codemod runner;
     then a second, cached run;
  2. a generated async-heavy tree (2,000 files), --diff, -j 1 and -j 2, against a bare
     libcst parse + code generation of the same files;
  3. a generated 100,000-file mostly-sync tree: wall time and peak RSS.

Usage: python benchmarks/scale.py [--quick] [--skip-libcst-runner] [--runner-sample N]
Needs the `async-migrate` command and `ruff` installed next to this interpreter.
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
from pathlib import Path

BIN = Path(sys.executable).parent
ASYNC_MIGRATE = str(BIN / "async-migrate")
RUFF = str(BIN / "ruff") if (BIN / "ruff").exists() else shutil.which("ruff") or "ruff"


def compile_tool() -> None:
    """Write the bytecode of the tool's modules, as installing it does (pip compiles every
    module it installs). A working copy installed in development mode has none where
    ``PYTHONDONTWRITEBYTECODE`` is set, and each process of the tool would compile from
    source every module it imports (about 0.06 s to start, more in each worker that
    imports a codemod's command): a cost no installed copy pays."""
    code = (
        "import compileall, importlib.util, sys\n"
        "for name in ('async_migrate', 'codemods'):\n"
        "    for folder in importlib.util.find_spec(name).submodule_search_locations:\n"
        "        if not compileall.compile_dir(folder, quiet=1):\n"
        "            sys.exit(f'cannot compile {folder}')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    print("the tool's modules compiled to bytecode, as an install does")


def run(cmd: list[str], cwd: str | None = None, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def peak_rss_mb(cmd: list[str]) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of the largest process `cmd` ran, in a fresh child."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True)
    wall, rss_kb = out.stdout.split()
    return float(wall), int(rss_kb) / 1024


def tree_size(root: Path) -> tuple[int, float]:
    files = [p for p in root.rglob("*.py") if "site-packages" not in p.parts]
    return len(files), sum(p.stat().st_size for p in files) / 1e6


def line(name: str, wall: float, files: int, mb: float, extra: str = "") -> None:
    print(
        f"  {name:<38} {wall:7.2f} s  {files / wall:9.0f} files/s  {mb / wall:6.2f} MB/s  {extra}"
    )


def workload_stdlib(pairs: int, libcst_runner: bool, sample: int, work: Path) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files, mb = tree_size(stdlib)
    print(f"\n1. standard library {stdlib}: {files} files, {mb:.1f} MB (site-packages excluded)")
    env = dict(os.environ, ASYNC_MIGRATE_CACHE_DIR=str(work / "cache-stdlib"))
    ours, theirs = [], []
    for _ in range(pairs):
        ours.append(
            run([ASYNC_MIGRATE, "--check", "--no-cache", "--exclude", "site-packages", str(stdlib)])
        )
        theirs.append(
            run(
                [
                    RUFF,
                    "check",
                    "--select",
                    "ASYNC",
                    "--no-cache",
                    "--exclude",
                    "site-packages",
                    "--quiet",
                    str(stdlib),
                ]
            )
        )
    ours_median, ruff_median = statistics.median(ours), statistics.median(theirs)
    line("async-migrate --check --no-cache", ours_median, files, mb, f"(median of {pairs})")
    line("ruff check --select ASYNC --no-cache", ruff_median, files, mb, f"(median of {pairs})")
    print(f"  ratio async-migrate / ruff: {ours_median / ruff_median:.2f}  (target <= 2.0)")

    cmd = [ASYNC_MIGRATE, "--check", "--exclude", "site-packages", str(stdlib)]
    cold = run(cmd, env=env)
    warm = statistics.median(run(cmd, env=env) for _ in range(3))
    line("async-migrate --check (cache, first)", cold, files, mb)
    line("async-migrate --check (cache, warm)", warm, files, mb, "(median of 3)")
    print(f"  cache speed-up: {cold / warm:.1f}x  (target >= 5)")

    if libcst_runner:
        runner, share = libcst_runner_time(stdlib, work, sample)
        if share < 1:
            sampled = runner
            runner = sampled / share
            print(
                f"  python -m libcst.tool codemod, every {sample}th file ({share:.1%} of the "
                f"bytes): {sampled:.1f} s; extrapolated to the whole tree: {runner:.1f} s"
            )
        else:
            line("python -m libcst.tool codemod", runner, files, mb)
        print(f"  speed-up over libcst's runner: {runner / ours_median:.1f}x  (target >= 10)")


def libcst_runner_time(root: Path, work: Path, sample: int) -> tuple[float, float]:
    """libcst's own runner with the same codemods, one after the other, over a copy (it
    writes in place) of every ``sample``-th file of ``root``; the time, and the share of
    the tree's bytes the copy holds."""
    copy = work / "libcst-runner-tree"
    if copy.exists():
        shutil.rmtree(copy)
    files = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts)
    chosen = files[::sample]
    for path in chosen:
        target = copy / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    share = sum(p.stat().st_size for p in chosen) / sum(p.stat().st_size for p in files)
    config = work / ".libcst.codemod.yaml"
    repo = Path(__file__).resolve().parent.parent
    config.write_text(
        f"generated_code_marker: '@generated'\nformatter: []\nblacklist_patterns: []\n"
        f"modules:\n  - 'codemods'\nrepo_root: '{work}'\n"
    )
    env = dict(os.environ, PYTHONPATH=str(repo))
    from codemods.registry import CODEMODS

    total = 0.0
    for entry in CODEMODS.values():
        module, _, cls = entry.command.partition(":")
        name = f"{module.removeprefix('codemods.')}.{cls}"
        start = time.perf_counter()
        # "-j2" as one word: libcst.tool takes a separate "2" for the command name.
        done = subprocess.run(
            [sys.executable, "-m", "libcst.tool", "codemod", "--no-format", "-j2", name, str(copy)],
            cwd=str(work),
            env=env,
            capture_output=True,
            text=True,
        )
        total += time.perf_counter() - start
        # Files it cannot parse (the stdlib's deliberately broken test data) fail; the
        # run must still have gone through the tree.
        if "Finished codemodding" not in done.stderr:
            raise SystemExit(f"libcst's runner failed for {name}:\n{done.stderr[-2000:]}")
    return total, share


ASYNC_FILE = """import time
import requests


async def handler_{i}(api, ids):
    time.sleep(0.1)
    out = []
    for item in ids:
        time.sleep(0)
        out.append(item * {i})
    return out


async def poll_{i}():
    while True:
        time.sleep(1)
        if time.monotonic() > {i}:
            break


def sync_helper_{i}(x):
    time.sleep(x)
    return [y * 2 for y in range(x)]


class Service{i}:
    async def run(self):
        time.sleep(0.5)
        return await poll_{i}()
"""


def workload_async_heavy(count: int, work: Path) -> None:
    root = work / "async-heavy"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir()
    for i in range(count):
        (root / f"mod_{i:05}.py").write_text(ASYNC_FILE.format(i=i) * 4)
    files, mb = tree_size(root)
    print(f"\n2. generated async-heavy tree: {files} files, {mb:.1f} MB, --diff")
    times = {}
    for jobs in (1, 2):
        times[jobs] = run([ASYNC_MIGRATE, "--diff", "--no-cache", "-j", str(jobs), str(root)])
        line(f"async-migrate --diff -j {jobs}", times[jobs], files, mb)
    print(f"  -j 2 speed-up over -j 1: {times[1] / times[2]:.2f}x  (target >= 1.7)")
    bare = bare_libcst(root)
    line("bare libcst parse + codegen (1 process)", bare, files, mb)
    print(
        f"  per-file cost, async-migrate -j 1 / bare libcst: {times[1] / bare:.2f}  (target <= 1.5)"
    )


def bare_libcst(root: Path) -> float:
    code = (
        "import sys, time, pathlib, libcst\n"
        "t = time.perf_counter()\n"
        "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.py')):\n"
        "    libcst.parse_module(p.read_bytes()).bytes\n"
        "print(time.perf_counter() - t)\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(root)], check=True, capture_output=True)
    return time.perf_counter() - start


SYNC_FILE = """import os


def helper_{i}(path):
    with open(path) as f:
        return f.read()
"""


def workload_many_files(count: int, work: Path) -> None:
    root = work / "many-files"
    if root.exists():
        shutil.rmtree(root)
    for i in range(count):
        directory = root / f"pkg_{i // 1000:03}"
        if i % 1000 == 0:
            directory.mkdir(parents=True)
        text = SYNC_FILE.format(i=i)
        if i % 100 == 0:
            text += "\n\nasync def poll():\n    import time\n    time.sleep(1)\n"
        (directory / f"m_{i:06}.py").write_text(text)
    files, mb = tree_size(root)
    print(f"\n3. generated mostly-sync tree: {files} files, {mb:.1f} MB, --check")
    wall, rss = peak_rss_mb([ASYNC_MIGRATE, "--check", "--no-cache", str(root)])
    line(
        "async-migrate --check --no-cache",
        wall,
        files,
        mb,
        f"peak RSS {rss:.0f} MB (largest process; target < 300)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller trees, fewer pairs")
    parser.add_argument("--skip-libcst-runner", action="store_true")
    parser.add_argument(
        "--runner-sample",
        type=int,
        default=1,
        metavar="N",
        help="run libcst's runner on every Nth stdlib file only, and extrapolate by bytes",
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    compile_tool()
    with tempfile.TemporaryDirectory(prefix="async-migrate-bench-") as tmp:
        work = Path(tmp)
        workload_stdlib(
            3 if args.quick else 5, not args.skip_libcst_runner, args.runner_sample, work
        )
        workload_async_heavy(200 if args.quick else 2000, work)
        workload_many_files(10_000 if args.quick else 100_000, work)


if __name__ == "__main__":
    main()
