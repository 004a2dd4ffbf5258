"""How much of what flake8-async's blocking-call rules flag does async-migrate fix or report?

Downloads flake8-async's source distribution (``pip download --no-deps --no-binary :all:
flake8-async``) into a temporary directory, copies its detector fixtures
(``tests/eval_files/``) for ASYNC210/211/212/22x/23x/232/250/251 to a scratch tree (they
are never copied into this repository), runs flake8-async over the copy, runs the real
``async-migrate`` command over it, runs flake8-async again and prints:

- files, calls flagged before and after, the share fixed;
- unreported: calls still flagged after the run that async-migrate left without a
  finding on the same (input) line; the target is 0;
- whether every migrated file compiles, whether a second run changes nothing, crashes.

The same figures are printed for ruff's ASYNC2xx rules over the same files when ruff is
installed next to this interpreter (it is a test dependency). ruff resolves imports, so it
flags only the calls whose module is imported in these fixtures.

Which files count: the asyncio set is every fixture of those rules that flake8-async runs
for asyncio (the ``*_asyncio.py`` variant where one exists, and the library-neutral ones:
async210, async211, async212, async250, async251). The trio/anyio variants
(async22x.py, async23x.py, async232.py, async250_multi_library.py,
async251_multi_library.py) hold the same calls with other messages; they are measured
separately.

Figures are printed per family too. A second pass with
``--no-offload`` shows that everything not rewritten idiomatically is still reported.

Needs ``flake8`` and ``flake8-async`` in this interpreter's environment
(``pip install -e '.[bench]'``) and PyPI reachable through pip.

    python benchmarks/flake8_async_coverage.py
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from async_migrate.engine.positions import PositionMap

ASYNCIO_FILES = (
    "async210.py",
    "async211.py",
    "async212.py",
    "async22x_asyncio.py",
    "async23x_asyncio.py",
    "async232_asyncio.py",
    "async250.py",
    "async251.py",
)
OTHER_LIBRARY_FILES = (
    "async22x.py",
    "async23x.py",
    "async232.py",
    "async250_multi_library.py",
    "async251_multi_library.py",
)
FAMILY = {
    "ASYNC210": "http functions (requests.*, httpx.*, urlopen)",
    "ASYNC211": "http",
    "ASYNC212": "http",
    "ASYNC220": "subprocess",
    "ASYNC221": "subprocess",
    "ASYNC222": "subprocess",
    "ASYNC230": "files",
    "ASYNC231": "files",
    "ASYNC232": "files",
    "ASYNC250": "input",
    "ASYNC251": "sleep",
}
_FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>ASYNC\d+) ")
_FINDING = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>AM\d+) ")


@dataclass
class Figures:
    files: int = 0
    before: Counter[str] = field(default_factory=Counter)
    after: Counter[str] = field(default_factory=Counter)
    unreported: list[str] = field(default_factory=list)
    not_compiling: list[str] = field(default_factory=list)
    unstable: bool = False
    crashes: list[str] = field(default_factory=list)


def main() -> int:
    for module in ("flake8", "flake8_async"):
        try:
            __import__(module)
        except ImportError:
            print(f"needs {module}: pip install -e '.[bench]'", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        eval_files = _download(Path(tmp))
        for title, names in (
            ("asyncio fixtures", ASYNCIO_FILES),
            ("trio/anyio variants", OTHER_LIBRARY_FILES),
        ):
            for offload in (True, False):
                work = Path(tmp) / f"work-{len(title)}-{offload}"
                work.mkdir()
                for name in names:
                    shutil.copy(eval_files / name, work / name)
                figures = _measure(work, offload)
                _print(f"{title}, {'default' if offload else '--no-offload'}", figures)
    return 0


def _download(tmp: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
        + ["flake8-async", "-d", str(tmp)],
        check=True,
    )
    (archive,) = tmp.glob("flake8_async-*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp, filter="data")
    (eval_dir,) = tmp.glob("flake8_async-*/tests/eval_files")
    return eval_dir


def _flagged(work: Path) -> dict[tuple[str, int, int], str]:
    """flake8-async's ASYNC2xx findings, plus ruff's (``ruff-ASYNCnnn``) when ruff is
    installed: ruff resolves imports, so it flags fewer of these fixtures."""
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "ASYNC2", "."],
        cwd=work,
        capture_output=True,
        text=True,
    )
    flagged = {}
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is not None:
        checked = subprocess.run(
            [ruff, "check", "--isolated", "--no-cache", "--select", "ASYNC2"]
            + ["--output-format", "concise", "."],
            cwd=work,
            capture_output=True,
            text=True,
        )
        for line in checked.stdout.splitlines():
            match = _FLAKE8_LINE.match(line)
            if match and match["code"] != "ASYNC240":
                key = (match["path"].removeprefix("./"), int(match["line"]), -int(match["col"]))
                flagged[key] = "ruff-" + match["code"]
    for line in result.stdout.splitlines():
        match = _FLAKE8_LINE.match(line)
        if match and match["code"] != "ASYNC240":
            key = (match["path"].removeprefix("./"), int(match["line"]), int(match["col"]))
            flagged[key] = match["code"]
    return flagged


def _migrate(work: Path, offload: bool, *extra: str) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).parent / "async-migrate"
    flags = [] if offload else ["--no-offload"]
    return subprocess.run(
        [str(command), *flags, *extra, "."], cwd=work, capture_output=True, text=True
    )


def _measure(work: Path, offload: bool) -> Figures:
    figures = Figures(files=len(list(work.glob("*.py"))))
    originals = {p.name: p.read_text(encoding="utf-8") for p in work.glob("*.py")}
    before = _flagged(work)
    run = _migrate(work, offload)
    if run.returncode not in (0, 1) or "Traceback" in run.stderr:
        figures.crashes.append(f"exit {run.returncode}: {run.stderr[-500:]}")
    figures.crashes += [line for line in run.stderr.splitlines() if ": error: " in line]
    reported = set()
    for line in run.stderr.splitlines():
        match = _FINDING.match(line)
        if match:
            reported.add((match["path"].removeprefix("./"), int(match["line"])))
    after = _flagged(work)
    for path in work.glob("*.py"):
        try:
            compile(path.read_bytes(), str(path), "exec")
        except SyntaxError as e:
            figures.not_compiling.append(f"{path.name}: {e}")
    for (path, line, col), code in sorted(after.items()):
        old_line, _ = PositionMap(originals[path], (work / path).read_text("utf-8")).to_old(
            line, abs(col)
        )
        if (path, old_line) not in reported:
            source = originals[path].splitlines()[old_line - 1].strip()
            figures.unreported.append(f"{path}:{old_line}: {code}: {source}")
    second = _migrate(work, offload, "--diff")
    figures.unstable = bool(second.stdout.strip())
    figures.before = Counter(before.values())
    figures.after = Counter(after.values())
    return figures


def _print(title: str, f: Figures) -> None:
    for detector in ("flake8-async", "ruff"):
        _print_detector(f"{title}, {detector}", f, detector == "ruff")


def _print_detector(title: str, f: Figures, ruff: bool) -> None:
    before = Counter({c: n for c, n in f.before.items() if c.startswith("ruff-") == ruff})
    after = Counter({c: n for c, n in f.after.items() if c.startswith("ruff-") == ruff})
    unreported = [u for u in f.unreported if (": ruff-" in u) == ruff]
    flagged_before, flagged_after = sum(before.values()), sum(after.values())
    fixed = 100 * (flagged_before - flagged_after) / flagged_before if flagged_before else 0
    print(f"== {title}")
    print(f"files: {f.files}")
    print(f"flagged before: {flagged_before}")
    print(f"flagged after: {flagged_after}")
    print(f"fixed: {fixed:.1f}%")
    print(f"unreported still-flagged calls: {len(unreported)}")
    for item in unreported:
        print(f"    {item}")
    print(f"output compiles: {'yes' if not f.not_compiling else f.not_compiling}")
    print(f"second run stable: {'no' if f.unstable else 'yes'}")
    print(f"crashes: {len(f.crashes)}")
    for item in f.crashes:
        print(f"    {item}")
    families: dict[str, list[int]] = {}
    for code in sorted(set(before) | set(after)):
        family = FAMILY.get(code.removeprefix("ruff-").split("_")[0], "other")
        counts = families.setdefault(family, [0, 0])
        counts[0] += before[code]
        counts[1] += after[code]
    for family, (b, a) in sorted(families.items()):
        share = 100 * (b - a) / b if b else 0
        print(f"    {family:<40} before {b:>3}  after {a:>3}  fixed {share:5.1f}%")
    print()


if __name__ == "__main__":
    sys.exit(main())
