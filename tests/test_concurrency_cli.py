"""The opt-in ``concurrency`` codemod through the real command: off by default, enabled by
``--extend-select`` / ``extend-select`` or run alone with ``--select``, its limit as a flag
and a configuration key, its hints under ``--check``, ``--list-codemods``, ``--explain``
and interactive review; its helpers in CRLF modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from async_migrate import migrate_source
from async_migrate.runner.config import ConfigError, load
from codemods.registry import UnknownCodemod, choose
from tests.conftest import run_cli

# A sleep the default codemods rewrite, and a loop only `concurrency` rewrites.
APP = b"""import time


async def titles(session, ids):
    time.sleep(0.1)
    out = []
    for item_id in ids:
        out.append(await get_title(session, item_id))
    return out
"""
LOOP = b"    out = await _await_all([get_title(session, item_id) for item_id in ids])\n"
# A loop that is only reported (a hint).
PAGED = b"""async def pages(client):
    cursor = None
    for _ in range(3):
        cursor = await client.page(cursor)
    return cursor
"""


def _app(tmp_path: Path, config: str = "") -> Path:
    (tmp_path / "app.py").write_bytes(APP)
    if config:
        (tmp_path / "pyproject.toml").write_text(f"[tool.async-migrate]\n{config}\n")
    return tmp_path / "app.py"


def test_default_runs_do_not_touch_loops(tmp_path: Path) -> None:
    app = _app(tmp_path)
    done = run_cli("app.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    migrated = app.read_bytes()
    assert b"await asyncio.sleep(0.1)" in migrated
    assert b"for item_id in ids:" in migrated and b"_await_all" not in migrated
    assert b"AM8" not in done.stderr
    assert migrate_source(APP).findings == migrate_source(APP, select=["sleep"]).findings
    extended = migrate_source(APP, extend_select=["concurrency"])
    assert {f.code for f in extended.rewrites} == {"AM101", "AM801"} and LOOP in extended.code


def test_extend_select_runs_it_with_the_default_codemods(tmp_path: Path) -> None:
    app = _app(tmp_path)
    done = run_cli("--extend-select", "concurrency", "app.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    migrated = app.read_bytes()
    assert b"await asyncio.sleep(0.1)" in migrated and LOOP in migrated
    assert b"2 rewrites" in done.stderr
    compile(migrated, "app.py", "exec")
    again = run_cli("--extend-select", "concurrency", "--check", "app.py", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_extend_select_from_the_configuration(tmp_path: Path) -> None:
    app = _app(tmp_path, 'extend-select = ["concurrency"]')
    assert run_cli("app.py", cwd=tmp_path).returncode == 0
    assert LOOP in app.read_bytes() and b"asyncio.sleep" in app.read_bytes()
    # As in ruff, --select replaces the configuration's select and extend-select.
    app = _app(tmp_path, 'extend-select = ["concurrency"]')
    assert run_cli("--select", "sleep", "app.py", cwd=tmp_path).returncode == 0
    assert b"for item_id in ids:" in app.read_bytes()
    # --extend-select adds to the configuration's select.
    app = _app(tmp_path, 'select = ["sleep"]')
    assert run_cli("--extend-select", "concurrency", "app.py", cwd=tmp_path).returncode == 0
    assert LOOP in app.read_bytes()
    # ignore wins.
    app = _app(tmp_path, 'extend-select = ["concurrency"]\nignore = ["concurrency"]')
    assert run_cli("app.py", cwd=tmp_path).returncode == 0
    assert b"for item_id in ids:" in app.read_bytes()


def test_select_runs_it_alone(tmp_path: Path) -> None:
    app = _app(tmp_path)
    done = run_cli("--select", "concurrency", "app.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    migrated = app.read_bytes()
    assert LOOP in migrated and b"time.sleep(0.1)" in migrated


def test_unknown_names_are_usage_errors(tmp_path: Path) -> None:
    _app(tmp_path)
    bad = run_cli("--extend-select", "concurrenc", "app.py", cwd=tmp_path)
    assert bad.returncode == 2 and b"unknown codemod 'concurrenc'" in bad.stderr
    _app(tmp_path, 'extend-select = ["nope"]')
    bad = run_cli("app.py", cwd=tmp_path)
    assert bad.returncode == 2 and b"tool.async-migrate.extend-select" in bad.stderr
    assert (tmp_path / "app.py").read_bytes() == APP
    with pytest.raises(UnknownCodemod):
        choose(extend_select=["nope"])


def test_choose_keeps_the_registry_order() -> None:
    default = choose()
    assert "concurrency" not in default
    assert choose(extend_select=["concurrency"]) == [*default[:-1], "concurrency", "offload"]
    assert choose(["concurrency"]) == ["concurrency"]
    assert choose(["sleep"], ["sleep"], ["concurrency"]) == ["concurrency"]


def test_list_codemods_shows_it_off_by_default() -> None:
    listed = run_cli("--list-codemods").stdout.decode()
    assert "\nconcurrency: " in listed
    assert "\n  off by default: enable it with --extend-select concurrency\n" in listed
    assert listed.count("off by default") == 1
    for code in ("AM801", "AM802", "AM803"):
        assert code in listed


def test_explain() -> None:
    explained = run_cli("--explain", "AM801").stdout.decode()
    assert explained.startswith("AM801 (concurrency codemod): ")
    assert "ExceptionGroup" in explained and "--concurrency-limit" in explained


def test_limit_flag_and_configuration_key(tmp_path: Path) -> None:
    app = _app(tmp_path)
    done = run_cli("--select", "concurrency", "--concurrency-limit", "4", "app.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert b"_await_all([get_title(session, item_id) for item_id in ids], limit=4)" in (
        app.read_bytes()
    )
    app = _app(tmp_path, 'select = ["concurrency"]\nconcurrency-limit = 2')
    assert run_cli("app.py", cwd=tmp_path).returncode == 0
    assert b"for item_id in ids], limit=2)" in app.read_bytes()
    app = _app(
        tmp_path,
        'select = ["concurrency"]\n[tool.async-migrate.concurrency]\nconcurrency-limit = 3',
    )
    assert run_cli("app.py", cwd=tmp_path).returncode == 0
    assert b"for item_id in ids], limit=3)" in app.read_bytes()


def test_a_limit_below_one_is_refused(tmp_path: Path) -> None:
    _app(tmp_path)
    flag = run_cli(
        "--extend-select", "concurrency", "--concurrency-limit", "0", "app.py", cwd=tmp_path
    )
    assert flag.returncode == 2 and b"--concurrency-limit" in flag.stderr
    for value in ("0", "true", '"3"'):
        _app(tmp_path, f"concurrency-limit = {value}")
        bad = run_cli("app.py", cwd=tmp_path)
        assert bad.returncode == 2 and b"tool.async-migrate.concurrency-limit" in bad.stderr
        with pytest.raises(ConfigError):
            load(str(tmp_path / "pyproject.toml"))
    assert (tmp_path / "app.py").read_bytes() == APP


def test_hints_do_not_fail_check(tmp_path: Path) -> None:
    (tmp_path / "paged.py").write_bytes(PAGED)
    check = run_cli("--check", "--extend-select", "concurrency", "paged.py", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert (
        b"paged.py:3:5: AM802 loop left sequential: each iteration reads 'cursor', "
        b"written by the previous one" in check.stderr
    )
    assert b"0 findings left for manual work, 1 hint, 0 errors" in check.stderr
    verbose = run_cli("--check", "-v", "--extend-select", "concurrency", "paged.py", cwd=tmp_path)
    assert b"paged.py: unchanged, 1 hint\n" in verbose.stderr
    # A rewrite pending still fails it.
    _app(tmp_path)
    pending = run_cli("--check", "--select", "concurrency", "app.py", cwd=tmp_path)
    assert pending.returncode == 1 and b"1 would change" in pending.stderr


def test_interactive_review_shows_the_helper_and_the_loop(tmp_path: Path) -> None:
    app = _app(tmp_path)
    done = run_cli(
        "-i", "--select", "concurrency", "--color", "never", "app.py", cwd=tmp_path, stdin=b"y\n"
    )
    assert done.returncode == 0, done.stderr
    shown = done.stdout.decode()
    assert "+async def _await_all(calls, limit=None):" in shown
    assert "-    for item_id in ids:" in shown and "+" + LOOP.decode() in shown
    assert LOOP in app.read_bytes()


def test_configuration_reads_extend_select(tmp_path: Path) -> None:
    _app(tmp_path, 'extend-select = ["concurrency"]\nconcurrency-limit = 5')
    config = load(str(tmp_path / "pyproject.toml"))
    assert config.extend_select == ["concurrency"] and config.select is None
    assert config.options == {"concurrency": {"concurrency_limit": 5}}


def test_helpers_take_the_modules_line_endings() -> None:
    """The helper's docstring spans lines: in a CRLF module it must hold CRLF too, and a
    second run must know the helper for its own (the subprocess helpers alike)."""
    crlf = APP.replace(b"\n", b"\r\n")
    migrated = migrate_source(crlf, ["concurrency"]).code
    assert b"\n" not in migrated.replace(b"\r\n", b"")
    more = (
        migrated
        + b"\r\n\r\nasync def more(api, ids):\r\n    return [await api.get(i) for i in ids]\r\n"
    )
    again = migrate_source(more, ["concurrency"])
    assert [f.code for f in again.findings] == ["AM801"]
    assert again.code.count(b"async def _await_all(") == 1
    split = (
        b"async def f(client, ids):\r\n    out = []\r\n    for i in ids:\r\n"
        b"        out.append(\r\n            await client.get_json(\r\n"
        b'                f"/items/{i}",  # path\r\n                params={"lang": "en"},\r\n'
        b"            )\r\n        )\r\n    return out\r\n"
    )
    migrated = migrate_source(split, ["concurrency"]).code
    assert b"            for i in ids\r\n" in migrated
    assert b"\n" not in migrated.replace(b"\r\n", b"")
    process = b"import os\r\n\r\n\r\nasync def f():\r\n    return os.system('true')\r\n"
    migrated = migrate_source(process, ["subprocess"]).code
    assert b"_os_system" in migrated and b"\n" not in migrated.replace(b"\r\n", b"")
    assert not migrate_source(migrated, ["subprocess"]).changed
