"""Ignoring a codemod leaves its calls alone: no codemod rewrites or reports them, the
offload fallback and the helpers index included."""

from __future__ import annotations

from pathlib import Path

import pytest

from async_migrate import migrate_source
from async_migrate.server.settings import Settings, client_settings
from codemods.core.spec import Code, CodemodSpec
from codemods.registry import CODEMODS, SPECS, codemod_of, parse_selector
from tests.conftest import run_cli

SOURCE = (
    "import time\n\n\n"
    "def backoff():\n    time.sleep(1)\n\n\n"
    "async def handler():\n    time.sleep(1)\n    backoff()\n"
)


def test_ignored_in_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.async-migrate]\nignore = ["sleep"]\n')
    (tmp_path / "m.py").write_text(SOURCE)
    result = run_cli("--check", "--no-cache", "m.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert b"0 rewrites, 0 findings" in result.stderr


def test_ignored_on_the_command_line_and_in_the_library(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SOURCE)
    result = run_cli("--check", "--no-cache", "--ignore", "sleep", "m.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert migrate_source(SOURCE, ignore=["sleep"]).findings == []
    # Not ignored: the sleep is rewritten and the helper offloaded.
    codes = sorted(f.code for f in migrate_source(SOURCE).findings)
    assert codes == ["AM101", "AM651"]


def test_only_the_fallback_selected_still_offloads(tmp_path: Path) -> None:
    """--select offload (the other codemods merely not selected, not ignored) offloads."""
    result = migrate_source(SOURCE, select=["offload"])
    assert [f.code for f in result.findings] == ["AM601"]


# --- selecting by codemod name, code or code prefix --------------------------------------

APP = (
    "import time\n\n\n"
    "async def handler(path):\n"
    "    time.sleep(1)\n"
    "    time.sleep(1, 2)\n"
    "    with open(path) as f:\n"
    "        return f.read()\n"
)
# The lines of APP once migrated by each codemod, or left as they are.
DEF = "\n\nasync def handler(path):\n"
# The imports once migrated: sorted as isort sorts them, as APP's are.
WITH_ASYNCIO = "import asyncio\nimport time\n" + DEF
WITH_AIOFILES = "import time\n\nimport aiofiles\n" + DEF
WITH_BOTH = "import asyncio\nimport time\n\nimport aiofiles\n" + DEF
SLEEP = "    await asyncio.sleep(1)\n"
SLEEP_LEFT = "    time.sleep(1)\n"
TWO_ARGUMENTS_OFFLOADED = "    await asyncio.to_thread(time.sleep, 1, 2)\n"
TWO_ARGUMENTS_LEFT = "    time.sleep(1, 2)\n"
FILE = "    async with aiofiles.open(path) as f:\n        return await f.read()\n"
FILE_LEFT = "    with open(path) as f:\n        return f.read()\n"
PROJECT = '[project]\nname = "app"\ndependencies = ["aiofiles>=23.1"]\n'


def _migrate(tmp_path: Path, *args: str, config: str = "") -> tuple[str, list[str]]:
    """APP migrated through the command's standard input, and the lines of its report
    (the summary line last)."""
    (tmp_path / "pyproject.toml").write_text(
        PROJECT + (f"\n[tool.async-migrate]\n{config}" if config else "")
    )
    result = run_cli("-", "--stdin-filename", "app.py", *args, cwd=tmp_path, stdin=APP.encode())
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode(), result.stderr.decode().splitlines()


def _summary(rewrites: int, left: int) -> str:
    return (
        f"async-migrate: 1 file scanned, {int(rewrites > 0)} changed, {rewrites} rewrite"
        f"{'' if rewrites == 1 else 's'}, {left} finding{'' if left == 1 else 's'} left for "
        "manual work, 0 errors"
    )


def test_by_default_every_default_codemod_runs(tmp_path: Path) -> None:
    code, report = _migrate(tmp_path)
    assert code == (WITH_BOTH + SLEEP + TWO_ARGUMENTS_OFFLOADED + FILE)
    assert report == [_summary(4, 0)]


def test_select_by_codemod_name(tmp_path: Path) -> None:
    code, report = _migrate(tmp_path, "--select", "sleep")
    assert code == WITH_ASYNCIO + (SLEEP + TWO_ARGUMENTS_LEFT + FILE_LEFT)
    assert report == ["app.py:6:5: AM103 time.sleep with 2 arguments; rewrite it by hand"] + [
        _summary(1, 1)
    ]


def test_select_by_code_runs_that_code_alone(tmp_path: Path) -> None:
    """AM101 alone: AM103 is off, so the call with two arguments is neither reported
    nor offloaded (offload is not selected)."""
    code, report = _migrate(tmp_path, "--select", "AM101")
    assert code == WITH_ASYNCIO + (SLEEP + TWO_ARGUMENTS_LEFT + FILE_LEFT)
    assert report == [_summary(1, 0)]


def test_select_by_code_prefix_case_insensitive(tmp_path: Path) -> None:
    code, report = _migrate(tmp_path, "--select", "am30")
    assert code == WITH_AIOFILES + (SLEEP_LEFT + TWO_ARGUMENTS_LEFT + FILE)
    assert report == [_summary(2, 0)]
    assert _migrate(tmp_path, "--select", "AM1") == _migrate(tmp_path, "--select", "sleep")


def test_ignoring_a_rewrite_code_leaves_its_calls_alone_for_every_codemod(
    tmp_path: Path,
) -> None:
    """--ignore AM101: time.sleep(1) is neither rewritten by sleep nor offloaded by the
    fallback; the call sleep refuses (two arguments) is still offloaded."""
    code, report = _migrate(tmp_path, "--ignore", "AM101")
    assert code == WITH_BOTH + (SLEEP_LEFT + TWO_ARGUMENTS_OFFLOADED + FILE)
    assert report == [_summary(3, 0)]


def test_ignoring_a_finding_code_leaves_its_call_alone(tmp_path: Path) -> None:
    """AM103 off: the fallback does not offload the call sleep refuses."""
    code, report = _migrate(tmp_path, "--select", "sleep,offload", "--ignore", "AM103")
    assert code == WITH_ASYNCIO + (
        SLEEP
        + TWO_ARGUMENTS_LEFT
        + "    with await asyncio.to_thread(open, path) as f:\n"
        + "        return await asyncio.to_thread(f.read)\n"
    )
    assert report == [_summary(3, 0)]


def test_extend_select_adds_codes_to_the_selection(tmp_path: Path) -> None:
    code, report = _migrate(tmp_path, "--select", "AM101", "--extend-select", "AM3")
    assert code == WITH_BOTH + (SLEEP + TWO_ARGUMENTS_LEFT + FILE)
    assert report == [_summary(3, 0)]


def test_extend_ignore_ignoring_a_use_leaves_the_whole_file_alone(tmp_path: Path) -> None:
    """AM302 (a file method awaited) off: the file is migrated whole or not at all, so it
    is left alone, said by AM321; the fallback does not offload its open()."""
    code, report = _migrate(tmp_path, "--extend-ignore", "AM302")
    assert code == WITH_ASYNCIO + (SLEEP + TWO_ARGUMENTS_OFFLOADED + FILE_LEFT)
    assert report == [
        "app.py:7:10: AM321 file left unchanged: a use of a file in this coroutine has its "
        "code ignored, and they are migrated together",
        _summary(2, 1),
    ]


def test_the_more_specific_selector_wins(tmp_path: Path) -> None:
    # A code over a codemod name: every sleep code but AM101.
    code, _ = _migrate(tmp_path, "--select", "sleep", "--ignore", "AM101")
    assert SLEEP_LEFT in code and "AM103" in _migrate(tmp_path, "--select", "sleep")[1][0]
    # A prefix over a codemod name, both ways.
    assert _migrate(tmp_path, "--select", "sleep", "--ignore", "AM1")[0] == APP
    code, _ = _migrate(tmp_path, "--ignore", "sleep", "--extend-select", "AM10")
    assert SLEEP in code
    # A codemod name over AM, every code; and equally specific, ignore wins.
    code, _ = _migrate(tmp_path, "--select", "AM", "--ignore", "sleep")
    assert SLEEP_LEFT in code and TWO_ARGUMENTS_LEFT in code and FILE in code
    code, _ = _migrate(tmp_path, "--select", "sleep", "--ignore", "AM")
    assert code == WITH_ASYNCIO + SLEEP + TWO_ARGUMENTS_LEFT + FILE_LEFT
    assert _migrate(tmp_path, "--select", "AM1", "--ignore", "AM1")[0] == APP


def test_the_command_line_and_the_configuration(tmp_path: Path) -> None:
    config = 'select = ["sleep"]\nignore = ["AM103"]\nextend-ignore = ["AM101"]\n'
    # The configuration alone: sleep, less AM101 and AM103: nothing left to do.
    assert _migrate(tmp_path, config=config) == (APP, [_summary(0, 0)])
    # --select replaces select; the configuration's ignore and extend-ignore still apply.
    code, report = _migrate(tmp_path, "--select", "sleep,files", config=config)
    assert code == WITH_AIOFILES + (SLEEP_LEFT + TWO_ARGUMENTS_LEFT + FILE)
    assert report == [_summary(2, 0)]
    # --ignore replaces ignore and extend-ignore; --extend-ignore adds to them.
    code, report = _migrate(tmp_path, "--ignore", "AM103", config=config)
    assert code.endswith(SLEEP + TWO_ARGUMENTS_LEFT + FILE_LEFT)
    code, report = _migrate(tmp_path, "--extend-ignore", "AM10", config=config)
    assert (code, report) == (APP, [_summary(0, 0)])
    # extend-select in the file adds to its select, and --select drops it.
    both = config + 'extend-select = ["AM3"]\n'
    assert FILE in _migrate(tmp_path, config=both)[0]
    assert FILE_LEFT in _migrate(tmp_path, "--select", "sleep", config=both)[0]


def test_unknown_selectors_are_errors(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    for flag in ("--select", "--extend-select", "--ignore", "--extend-ignore"):
        result = run_cli("--check", flag, "AM999", "app.py", cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.decode().splitlines()[-1] == (
            "Error: Invalid value for --select/--extend-select/--ignore/--extend-ignore: "
            "unknown code 'AM999' (no code starts with it; see --list-codemods)"
        )
    (tmp_path / "pyproject.toml").write_text('[tool.async-migrate]\nextend-ignore = ["slep"]\n')
    result = run_cli("--check", "app.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode() == (
        f"async-migrate: error: {tmp_path / 'pyproject.toml'}: "
        "tool.async-migrate.extend-ignore: unknown codemod 'slep' (known: iteration, requests, "
        "cpu, files, subprocess, http, sleep, db, redis, helpers, concurrency, offload; or a code "
        "such as AM101, or a code prefix such as AM1)\n"
    )
    assert (tmp_path / "app.py").read_text() == APP


def test_the_library_takes_the_same_selectors() -> None:
    assert migrate_source(APP, select=["AM101"]).code.decode() == (
        WITH_ASYNCIO + SLEEP + TWO_ARGUMENTS_LEFT + FILE_LEFT
    )
    ignored = migrate_source(APP, ignore=["AM10"], extend_ignore=["AM3", "offload"])
    assert ignored.code.decode() == APP and ignored.findings == []


def test_selectors_rank_as_ruff_ranks_them() -> None:
    ranks = [parse_selector(text).specificity for text in ("AM", "sleep", "AM1", "AM10", "am101")]
    assert ranks == [1, 2, 3, 4, 5]


def test_the_language_server_takes_the_same_selectors(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.async-migrate]\nextend-ignore = ["AM101"]\n')
    document = str(tmp_path / "app.py")
    settings = Settings()
    resolved = settings.resolve(document, None)
    assert "sleep" in resolved.codemods
    assert resolved.options["sleep"] == {"ignored_codes": ["AM101"]}
    settings.client, problems = client_settings({"select": ["AM30"], "ignore": ["AM302"]})
    assert problems == []
    resolved = settings.resolve(document, None)
    assert resolved.codemods == ("files",)
    files = [c.code for c in CODEMODS["files"].codes]
    off = sorted(c for c in files if not c.startswith("AM30") or c == "AM302")
    assert resolved.options["files"]["ignored_codes"] == off


_EXAMPLES = [(spec, code) for spec in SPECS for code in spec.codes if code.example is not None]


@pytest.mark.parametrize("case", _EXAMPLES, ids=lambda case: case[1].code)
def test_a_code_left_off_is_not_made_and_its_sites_are_left_alone(
    case: tuple[CodemodSpec, Code],
) -> None:
    """For every code's example: with the code ignored, its codemod records it nowhere,
    and neither it nor any codemod after it records anything where it was recorded."""
    spec, code = case
    assert code.example is not None
    options = {spec.name: dict(code.example.options)}
    full = migrate_source(code.example.before, [spec.name], options=options)
    sites = {(f.line, f.col) for f in full.findings if f.code == code.code}
    assert sites
    alone = migrate_source(code.example.before, [spec.name], options=options, ignore=[code.code])
    assert code.code not in {f.code for f in alone.findings}
    everything = migrate_source(
        code.example.before, options=options, ignore=[code.code], extend_select=["concurrency"]
    )
    order = [s.name for s in SPECS]
    later = {
        (f.line, f.col, f.code)
        for f in everything.findings
        if (codemod := codemod_of(f.code)) is not None
        and order.index(codemod.name) >= order.index(spec.name)
        and (f.line, f.col) in sites
    }
    assert later == set()
