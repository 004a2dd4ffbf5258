"""``[tool.async-migrate]`` in pyproject.toml: discovery, precedence, errors; through the
real command on temp trees (plus the option merge the cpu flags rely on, in process)."""

from __future__ import annotations

from pathlib import Path

from async_migrate.runner.config import load, merge_options
from tests.conftest import run_cli

BLOCKING = b"import time\n\n\nasync def poll():\n    time.sleep(1)\n"
MIGRATED = b"import asyncio\n\n\nasync def poll():\n    await asyncio.sleep(1)\n"


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)


def test_nearest_pyproject_with_the_table_is_used(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            # The outer file configures the tool; the inner one belongs to another tool.
            "pyproject.toml": '[tool.async-migrate]\nignore = ["sleep", "offload"]\n',
            "pkg/pyproject.toml": "[tool.black]\nline-length = 100\n",
            "pkg/src/app.py": BLOCKING,
        },
    )
    result = run_cli("--check", "pkg/src", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert b"0 would change" in result.stderr
    # Searched from the path, not from the working directory.
    result = run_cli("--check", str(tmp_path / "pkg" / "src" / "app.py"), cwd="/")
    assert result.returncode == 0, result.stderr


def test_nearer_table_wins_over_a_farther_one(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": '[tool.async-migrate]\nignore = ["sleep", "offload"]\n',
            "pkg/pyproject.toml": '[tool.async-migrate]\nselect = ["sleep"]\n',
            "pkg/app.py": BLOCKING,
        },
    )
    result = run_cli("--check", "pkg", cwd=tmp_path)
    assert result.returncode == 1
    assert b"1 would change" in result.stderr


def test_command_line_overrides_config(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": '[tool.async-migrate]\nignore = ["sleep", "offload"]\n',
            "app.py": BLOCKING,
        },
    )
    assert run_cli("--check", ".", cwd=tmp_path).returncode == 0
    result = run_cli("--check", "--ignore", "", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    result = run_cli("--check", "--no-config", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    result = run_cli(".", "--select", "sleep", "--ignore", "", cwd=tmp_path)
    assert result.returncode == 0
    assert (tmp_path / "app.py").read_bytes() == MIGRATED


def test_exclude_globs_are_relative_to_the_config_file(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": (
                "[tool.async-migrate]\n"
                'exclude = ["src/legacy/*"]\n'
                'extend-exclude = ["*_generated.py"]\n'
            ),
            "src/legacy/old.py": BLOCKING,
            "src/new.py": BLOCKING,
            "src/api_generated.py": BLOCKING,
        },
    )
    # Run from inside src/: the glob is still anchored at the pyproject.toml.
    result = run_cli("--check", "-v", ".", cwd=tmp_path / "src")
    assert result.returncode == 1
    assert b"1 file scanned" in result.stderr, result.stderr
    assert b"new.py: would change" in result.stderr
    # Files named on the command line (as pre-commit passes them) are excluded too.
    result = run_cli("--check", "src/legacy/old.py", "src/api_generated.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert b"no Python files found in src/legacy/old.py, src/api_generated.py" in result.stderr
    # --exclude replaces `exclude` but keeps `extend-exclude`.
    result = run_cli("--check", "--exclude", "new.py", ".", cwd=tmp_path / "src")
    assert b"1 file scanned" in result.stderr, result.stderr
    result = run_cli("--check", "-v", "--exclude", "new.py", ".", cwd=tmp_path / "src")
    assert b"old.py: would change" in result.stderr


def test_unknown_key_is_an_error_naming_key_and_file(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"pyproject.toml": '[tool.async-migrate]\nselekt = ["sleep"]\n', "app.py": BLOCKING},
    )
    result = run_cli(".", cwd=tmp_path)
    assert result.returncode == 2
    message = result.stderr.decode()
    assert "unknown key tool.async-migrate.selekt" in message
    assert str(tmp_path / "pyproject.toml") in message
    assert (tmp_path / "app.py").read_bytes() == BLOCKING


def test_unknown_codemod_option_is_an_error(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"pyproject.toml": "[tool.async-migrate.sleep]\nfast = true\n", "app.py": BLOCKING},
    )
    result = run_cli(".", cwd=tmp_path)
    assert result.returncode == 2
    assert b"unknown key tool.async-migrate.sleep.fast" in result.stderr


def test_bad_values_and_bad_toml_are_errors(tmp_path: Path) -> None:
    cases = {
        '[tool.async-migrate]\nselect = "sleep"\n': b"select must be a list of strings",
        '[tool.async-migrate]\nselect = ["nap"]\n': b"unknown codemod 'nap'",
        "[tool.async-migrate]\noffload-compression = 1\n": b"must be true or false",
        "[tool.async-migrate\n": b"invalid TOML",
    }
    (tmp_path / "app.py").write_bytes(BLOCKING)
    for text, message in cases.items():
        (tmp_path / "pyproject.toml").write_text(text)
        result = run_cli("--check", ".", cwd=tmp_path)
        assert result.returncode == 2, text
        assert message in result.stderr, (text, result.stderr)


def test_explicit_config_file(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "settings/custom.toml": '[tool.async-migrate]\nignore = ["sleep", "offload"]\n',
            "app.py": BLOCKING,
        },
    )
    assert run_cli("--check", ".", cwd=tmp_path).returncode == 1
    result = run_cli("--check", "--config", "settings/custom.toml", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_stdin_config_is_found_from_stdin_filename(tmp_path: Path) -> None:
    _write(
        tmp_path, {"pkg/pyproject.toml": '[tool.async-migrate]\nignore = ["sleep", "offload"]\n'}
    )
    result = run_cli("--stdin-filename", str(tmp_path / "pkg" / "app.py"), "-", stdin=BLOCKING)
    assert result.returncode == 0
    assert result.stdout == BLOCKING


def test_cpu_options_from_config_and_flags(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        "[tool.async-migrate]\n"
        'cpu-bound = ["mylib.crunch", "mylib.hash_all"]\n'
        "offload-compression = true\n"
    )
    config = load(str(path))
    assert config.options == {
        "cpu": {"cpu_bound": ["mylib.crunch", "mylib.hash_all"], "offload_compression": True}
    }
    merged = merge_options(config.options, {"cpu": {"offload_compression": False}})
    assert merged == {
        "cpu": {"cpu_bound": ["mylib.crunch", "mylib.hash_all"], "offload_compression": False}
    }
    assert config.options["cpu"]["offload_compression"] is True  # not mutated
