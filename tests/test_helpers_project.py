"""The ``helpers`` codemod over multi-module packages: ``tests/fixtures/helpers/<shape>/in``
becomes ``out`` when the real command runs over it, with the codes listed in ``codes``
(``path:line:col CODE rewrite|left``); single-file and standard-input runs still see the
project; a change in a module a file calls into changes that file's result.

A shape with a ``mode`` file runs with ``--helpers-mode`` set to what it says, and with
every codemod on by default (async mode's converted helpers are migrated by the others);
without one, ``--select helpers`` in the default mode."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli

SHAPES = sorted(p.parent for p in (FIXTURES / "helpers").glob("*/in"))


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".async_migrate_cache" not in p.parts
    }


def _codes(output: bytes) -> str:
    return "".join(
        f"{f['path']}:{f['line']}:{f['col']} {f['code']} {'rewrite' if f['fixable'] else 'left'}\n"
        for f in json.loads(output)
    )


def test_there_are_project_shapes() -> None:
    assert len(SHAPES) >= 4


@pytest.mark.parametrize("shape", SHAPES, ids=lambda p: p.name)
def test_project_shape(shape: Path, tmp_path: Path) -> None:
    work = tmp_path / "project"
    shutil.copytree(shape / "in", work)
    flags = _flags(shape)
    result = run_cli(*flags, "--no-cache", "--output-format", "json", ".", cwd=work)
    assert result.returncode == 0, result.stderr.decode()
    codes = (shape / "codes").read_text(encoding="utf-8")
    assert _codes(result.stdout) == codes
    assert _tree(work) == _tree(shape / "out")
    # A second run changes nothing; it exits 1 only for the findings left for manual work.
    again = run_cli(*flags, "--no-cache", "--check", ".", cwd=work)
    assert again.returncode == (1 if " left\n" in codes else 0), again.stderr.decode()
    assert b" 0 would change, 0 rewrites" in again.stderr, again.stderr.decode()


def _flags(shape: Path) -> list[str]:
    mode = shape / "mode"
    if not mode.exists():
        return ["--select", "helpers"]
    return ["--helpers-mode", mode.read_text(encoding="utf-8").strip()]


def _package(tmp_path: Path) -> Path:
    work = tmp_path / "project"
    shutil.copytree(FIXTURES / "helpers" / "package_chain" / "in", work)
    return work


def test_one_file_named_still_sees_the_other_modules(tmp_path: Path) -> None:
    work = _package(tmp_path)
    result = run_cli("--select", "helpers", "--no-cache", "shop/api.py", cwd=work)
    assert result.returncode == 0, result.stderr.decode()
    expected = FIXTURES / "helpers" / "package_chain" / "out" / "shop" / "api.py"
    assert (work / "shop" / "api.py").read_bytes() == expected.read_bytes()


def test_standard_input_named_in_the_project(tmp_path: Path) -> None:
    work = _package(tmp_path)
    source = (work / "shop" / "api.py").read_bytes()
    result = run_cli("--stdin-filename", "shop/api.py", "-", cwd=work, stdin=source)
    assert result.returncode == 0, result.stderr.decode()
    expected = FIXTURES / "helpers" / "package_chain" / "out" / "shop" / "api.py"
    assert result.stdout == expected.read_bytes()


def test_a_change_in_a_called_module_invalidates_the_cached_result(tmp_path: Path) -> None:
    work = _package(tmp_path)
    cache = {"ASYNC_MIGRATE_CACHE_DIR": str(tmp_path / "cache")}
    first = run_cli("--check", ".", cwd=work, extra_env=cache)
    assert first.returncode == 1 and b"3 rewrites" in first.stderr, first.stderr.decode()
    # backoff no longer blocks: nothing that calls it needs offloading any more.
    (work / "shop" / "util.py").write_text("def backoff(attempt):\n    return attempt\n")
    second = run_cli("--check", ".", cwd=work, extra_env=cache)
    assert second.returncode == 0, second.stderr.decode()
    assert b"0 rewrites" in second.stderr


# -- helpers-mode = "async" ------------------------------------------------------------


def _other_module(tmp_path: Path) -> Path:
    work = tmp_path / "project"
    shutil.copytree(FIXTURES / "helpers" / "async_other_module" / "in", work)
    return work


def test_async_mode_offloads_a_helper_whose_module_is_not_migrated(tmp_path: Path) -> None:
    work = _other_module(tmp_path)
    util = (work / "shop" / "util.py").read_bytes()
    result = run_cli(
        "--helpers-mode", "async", "--no-cache", "--output-format", "json", "shop/api.py", cwd=work
    )
    assert result.returncode == 0, result.stderr.decode()
    assert (work / "shop" / "util.py").read_bytes() == util
    api = (work / "shop" / "api.py").read_text(encoding="utf-8")
    assert "await asyncio.to_thread(backoff, n)" in api
    messages = {f["code"]: f["message"] for f in json.loads(result.stdout)}
    assert set(messages) == {"AM651"}
    assert "shop/util.py is not migrated in this run" in messages["AM651"]


def test_async_mode_from_the_configuration(tmp_path: Path) -> None:
    work = _other_module(tmp_path)
    pyproject = work / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.async-migrate]\nhelpers-mode = "async"\n')
    result = run_cli("--no-cache", ".", cwd=work)
    assert result.returncode == 0, result.stderr.decode()
    expected = FIXTURES / "helpers" / "async_other_module" / "out" / "shop"
    for name in ("api.py", "util.py"):
        assert (work / "shop" / name).read_bytes() == (expected / name).read_bytes()
    # The flag wins over the key.
    again = _other_module(tmp_path / "again")
    (again / "pyproject.toml").write_text(pyproject.read_text())
    result = run_cli("--no-cache", "--helpers-mode", "offload", "--diff", ".", cwd=again)
    assert b"await asyncio.to_thread(backoff, n)" in result.stdout, result.stderr.decode()


def test_an_unknown_helpers_mode_is_an_error(tmp_path: Path) -> None:
    work = _other_module(tmp_path)
    (work / "pyproject.toml").write_text('[tool.async-migrate.helpers]\nhelpers-mode = "fast"\n')
    result = run_cli("--no-cache", "--check", ".", cwd=work)
    assert result.returncode == 2
    assert b'helpers.helpers-mode must be one of "offload", "async"' in result.stderr
    flag = run_cli("--no-cache", "--check", "--helpers-mode", "fast", ".", cwd=work)
    assert flag.returncode == 2 and b"--helpers-mode" in flag.stderr


def test_async_mode_a_new_sync_caller_invalidates_the_cached_result(tmp_path: Path) -> None:
    work = _other_module(tmp_path)
    cache = {"ASYNC_MIGRATE_CACHE_DIR": str(tmp_path / "cache")}
    first = run_cli("--helpers-mode", "async", "--diff", ".", cwd=work, extra_env=cache)
    assert b"+async def backoff(attempt):" in first.stdout, first.stderr.decode()
    # A sync caller appears in a module no coroutine imports: backoff stays sync.
    (work / "shop" / "cli.py").write_text("from shop.util import backoff\n\nbackoff(1)\n")
    second = run_cli("--helpers-mode", "async", "--diff", ".", cwd=work, extra_env=cache)
    assert b"async def backoff" not in second.stdout, second.stdout.decode()
    assert b"await asyncio.to_thread(backoff, n)" in second.stdout


def test_async_mode_writes_the_files_of_a_plan_together_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helper's module fails (a stand-in for any error): the module that would await
    it is not written either."""
    import io

    from async_migrate.runner import concurrency
    from async_migrate.runner.output import Output
    from async_migrate.runner.processing import FileReport, Job, process
    from async_migrate.runner.report import Report
    from async_migrate.runner.run import Settings, run_paths
    from codemods.registry import choose

    work = _other_module(tmp_path)
    before = _tree(work)

    def failing(job: Job) -> FileReport:
        if job.path.endswith("util.py"):
            return FileReport(job.display, error="internal error: stand-in")
        return process(job)

    monkeypatch.setattr(concurrency, "process", failing)
    settings = Settings(
        codemods=tuple(choose([], [], [])),
        options={"helpers": {"helpers_mode": "async"}},
        workers=1,
    )
    out, err = io.BytesIO(), io.StringIO()
    report = Report()
    run_paths([str(work)], settings, Output(color="never", stdout=out, stderr=err), report)
    assert _tree(work) == before
    assert report.written == 0 and report.errors == 2, err.getvalue()
    assert "changes it together with" in err.getvalue() and "util.py" in err.getvalue()

    # The helper's module changes on disk once it is read: nothing is written either.
    def edited(job: Job) -> FileReport:
        result = process(job)
        if job.path.endswith("util.py"):
            Path(job.path).write_text(Path(job.path).read_text() + "# edited\n")
        return result

    monkeypatch.setattr(concurrency, "process", edited)
    report = Report()
    run_paths([str(work)], settings, Output(color="never", stdout=out, stderr=err), report)
    assert (work / "shop" / "api.py").read_bytes() == before["shop/api.py"]
    assert report.written == 0, err.getvalue()


def test_async_mode_leaves_a_module_that_opts_out_alone(tmp_path: Path) -> None:
    work = _other_module(tmp_path)
    util = work / "shop" / "util.py"
    util.write_text("# async-migrate: skip-file\n" + util.read_text())
    before = util.read_bytes()
    result = run_cli(
        "--helpers-mode", "async", "--no-cache", "--output-format", "json", ".", cwd=work
    )
    assert result.returncode == 0, result.stderr.decode()
    assert util.read_bytes() == before
    assert "await asyncio.to_thread(backoff, n)" in (work / "shop" / "api.py").read_text()
    messages = [f["message"] for f in json.loads(result.stdout) if f["code"] == "AM651"]
    assert messages and all("shop/util.py is not migrated in this run" in m for m in messages)
