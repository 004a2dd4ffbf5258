"""A directory scan migrated by the default codemods: the loop and the expression that
iterate the directory run whole in a thread, give the same results on real files, and
no longer hold the event loop; four scans run together in well under the original's time.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from async_migrate import migrate_source
from tests.behaviour import fixture_modules, load, with_heartbeat
from tests.conftest import FIXTURES

SOURCE = """\
import json
import os
import time
from pathlib import Path


async def load_configs(root):
    configs = {}
    for path in sorted(Path(root).glob("*.json")):
        time.sleep(0.02)  # a slow network file system
        with open(path, encoding="utf-8") as f:
            configs[path.stem] = json.load(f)
    return configs


async def sizes(root):
    return sorted((p.name, os.path.getsize(p)) for p in Path(root).iterdir())


async def scan(root):
    return await load_configs(root), await sizes(root)
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for number in range(10):
        (tmp_path / f"service{number}.json").write_text(
            json.dumps({"name": f"service{number}", "port": 8000 + number}), encoding="utf-8"
        )
    (tmp_path / "notes.txt").write_text("not a config\n", encoding="utf-8")
    return tmp_path


def _migrated() -> bytes:
    migrated = migrate_source(SOURCE)
    assert {f.code for f in migrated.findings} == {"AM661", "AM662"}
    assert not migrated.left
    code = migrated.code.decode()
    assert "await asyncio.to_thread(scan)" not in code  # the module's own scan() is kept
    assert "    await asyncio.to_thread(scan_2)\n" in code
    assert "await asyncio.to_thread(lambda: sorted((p.name, os.path.getsize(p))" in code
    return migrated.code


@pytest.mark.timing
def test_a_directory_scan_gives_the_same_results_and_the_loop_keeps_running(root: Path) -> None:
    outcomes = [
        asyncio.run(with_heartbeat(lambda m=load(code, name): m.scan(str(root))))
        for code, name in ((SOURCE, "original"), (_migrated(), "migrated"))
    ]
    (before, before_ticks), (after, after_ticks) = outcomes
    assert before == after
    configs, sizes = after
    assert configs["service3"] == {"name": "service3", "port": 8003}
    assert len(configs) == 10 and len(sizes) == 11
    # 0.2 s of slow reads: the original freezes the loop, the migrated code does not.
    assert before_ticks <= 2
    assert after_ticks >= 10


@pytest.mark.timing
def test_four_scans_run_together(root: Path) -> None:
    def elapsed(code: str | bytes, name: str) -> float:
        module = load(code, name)

        async def four() -> None:
            await asyncio.gather(*(module.load_configs(str(root)) for _ in range(4)))

        start = time.perf_counter()
        asyncio.run(four())
        return time.perf_counter() - start

    before = elapsed(SOURCE, "original")
    after = elapsed(_migrated(), "migrated")
    # Four scans of 0.2 s each: one after another before, together after (ratio ~0.25).
    assert after / before < 0.6, (before, after)


def test_an_error_in_the_moved_loop_propagates_as_itself(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    for code, name in ((SOURCE, "original"), (_migrated(), "migrated")):
        module = load(code, name)
        with pytest.raises(json.JSONDecodeError):
            asyncio.run(module.load_configs(str(tmp_path)))


def test_names_the_moved_loops_assign_keep_their_values(tmp_path: Path) -> None:
    """The fixture's loops, original and migrated, on a real tree: the names they assign
    (nonlocal, global) have the same values afterwards."""
    for number in range(3):
        folder = tmp_path / f"d{number}"
        folder.mkdir()
        for name in ("a.txt", "b.txt")[: number + 1]:
            (folder / name).write_text("x", encoding="utf-8")
    case = FIXTURES / "iteration" / "loop_names_used_after.py"
    results = [
        (
            asyncio.run(module.count(str(tmp_path))),
            asyncio.run(module.count_all(str(tmp_path))),
            asyncio.run(module.limited(str(tmp_path))),
        )
        for module in fixture_modules(case)
    ]
    assert results[0] == results[1] == ((5, "b.txt"), 5, None)


def test_map_and_filter_of_a_blocking_function_give_the_same_results(tmp_path: Path) -> None:
    """The fixture's ``map(os.path.getsize, ...)`` and ``filter(os.path.isdir, ...)``,
    original and migrated, on a real tree."""
    (tmp_path / "sub").mkdir()
    files = []
    for number in range(3):
        path = tmp_path / f"f{number}.bin"
        path.write_bytes(b"x" * (number + 1) * 10)
        files.append(str(path))
    paths = [*files, str(tmp_path / "sub")]
    case = FIXTURES / "iteration" / "map_and_filter_of_a_blocking_function.py"
    results = [
        (
            asyncio.run(module.sizes(files)),
            asyncio.run(module.directories(paths)),
            asyncio.run(module.total(files)),
        )
        for module in fixture_modules(case)
    ]
    assert results[0] == results[1] == ([10, 20, 30], [str(tmp_path / "sub")], 60)


@pytest.mark.timing
def test_four_mapped_pauses_run_together() -> None:
    source = "import time\n\n\nasync def pause(delays):\n    return list(map(time.sleep, delays))\n"
    migrated = migrate_source(source)
    assert [f.code for f in migrated.findings] == ["AM661"]

    def elapsed(code: str | bytes, name: str) -> float:
        module = load(code, name)

        async def four() -> None:
            await asyncio.gather(*(module.pause([0.05] * 4) for _ in range(4)))

        start = time.perf_counter()
        asyncio.run(four())
        return time.perf_counter() - start

    before = elapsed(source, "original")
    after = elapsed(migrated.code, "migrated")
    # Four pauses of 0.2 s each: one after another before, together after (ratio ~0.25).
    assert after / before < 0.6, (before, after)


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # the files are left to be collected
def test_a_file_iterated_where_it_is_opened_gives_the_same_results(tmp_path: Path) -> None:
    """The fixture's loop, comprehension and ``sorted(open(...))``, original and migrated,
    on a real file."""
    path = tmp_path / "records.jsonl"
    path.write_text("".join(f"[{', '.join(['1'] * n)}]\n" for n in (3, 1, 2, 5)), "utf-8")
    case = FIXTURES / "iteration" / "file_iterated_where_it_is_opened.py"
    results = [
        (
            asyncio.run(module.count(str(path))),
            asyncio.run(module.lines(str(path))),
            asyncio.run(module.first_lines(str(path))),
        )
        for module in fixture_modules(case)
    ]
    assert results[0] == results[1]
    assert results[0][0] == 11 and results[0][1][1] == "[1]"
