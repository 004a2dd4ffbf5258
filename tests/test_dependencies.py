"""Undeclared dependencies (AM001): the packages the migrated code now imports that the
project does not declare, read from every manifest format; ``--add-dependencies``
adds them to pyproject.toml, keeping its formatting and comments."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from async_migrate.runner.dependencies import PACKAGES, added_modules, normalize
from async_migrate.runner.manifests import find_project
from tests.conftest import run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# The requests codemod makes it import aiohttp, the files codemod aiofiles.
APP = (
    b"import requests\n\n\nasync def fetch(url, path):\n    with open(path) as handle:\n"
    b"        handle.read()\n    return requests.get(url, timeout=5).text\n"
)

# Each manifest format, declaring aiohttp (spelled unlike its normalised name where the
# format allows) and not aiofiles.
MANIFESTS = {
    "project": {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["AIOHTTP>=3"]\n'},
    "project-extras": {
        "pyproject.toml": '[project]\nname = "x"\n[project.optional-dependencies]\n'
        "web = [\"aiohttp[speedups] ; python_version >= '3.8'\"]\n"
    },
    "poetry": {
        "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.10"\nAioHttp = "^3.9"\n'
    },
    "poetry-group": {"pyproject.toml": '[tool.poetry.group.web.dependencies]\naiohttp = "*"\n'},
    "pdm": {"pyproject.toml": '[tool.pdm.dev-dependencies]\nweb = ["aiohttp~=3.9"]\n'},
    "dependency-groups": {"pyproject.toml": '[dependency-groups]\nweb = ["aiohttp"]\n'},
    "requirements": {"requirements.txt": "# web\naiohttp==3.9.5 \\\n    --hash=sha256:00\n"},
    "requirements-include": {
        "requirements-dev.txt": "-r requirements/base.txt\npytest\n",
        "requirements/base.txt": "-e git+https://example.org/aiohttp.git#egg=aiohttp\n",
    },
    "setup.cfg": {"setup.cfg": "[options]\ninstall_requires =\n    aiohttp>=3.9\n    attrs\n"},
    "setup.cfg-extras": {"setup.cfg": "[options.extras_require]\nweb =\n    aiohttp\n"},
}


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())


@pytest.mark.parametrize("manifest", MANIFESTS)
def test_every_manifest_format_is_read(tmp_path: Path, manifest: str) -> None:
    _write(tmp_path, {**MANIFESTS[manifest], "src/app/main.py": APP})
    project = find_project([str(tmp_path / "src" / "app")])
    assert project.root == str(tmp_path)
    assert "aiohttp" in project.declared
    assert "aiofiles" not in project.declared


def test_the_nearest_directory_with_a_manifest_is_the_project(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": '[project]\nname = "outer"\ndependencies = ["a"]\n'})
    _write(tmp_path, {"sub/requirements.txt": "b\n", "sub/pkg/m.py": ""})
    project = find_project([str(tmp_path / "sub" / "pkg" / "m.py")])
    assert project.root == str(tmp_path / "sub") and project.declared == {"b"}
    assert find_project([str(tmp_path / "sub" / "pkg"), str(tmp_path)]).declared == {"a"}


def test_imports_added_by_a_migration() -> None:
    before = b"import os\nimport requests\nfrom . import x\n"
    after = b"import os\nimport asyncio\nimport aiohttp\nfrom aiofiles import os as aos\n"
    assert added_modules(before, after) == ["aiofiles", "aiohttp"]
    assert normalize("Foo__Bar.baz") == "foo-bar-baz"


def test_lower_bounds_are_those_of_this_project() -> None:
    pyproject = Path(__file__).parent.parent / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text())["project"]
    ours = [r.replace("[binary]", "") for r in project["optional-dependencies"]["test"]]
    ours += project["dependencies"]
    for module in ("aiohttp", "aiofiles", "aiosqlite", "psycopg", "aiomysql", "redis"):
        assert PACKAGES[module].requirement in ours, module


def test_text_and_json_name_each_undeclared_package(tmp_path: Path) -> None:
    _write(tmp_path, {**MANIFESTS["requirements"], "app.py": APP, "b.py": APP})
    text = run_cli("--check", ".", cwd=tmp_path)
    lines = text.stderr.decode().splitlines()
    assert [line for line in lines if "AM001" in line] == [
        "requirements.txt:1:1: AM001 the migrated code of app.py and 1 more file imports "
        "aiofiles, not declared in requirements.txt; add aiofiles>=23.1 to the dependencies, "
        "or rerun with --add-dependencies"
    ]
    as_json = run_cli("--check", "--output-format", "json", ".", cwd=tmp_path)
    (record,) = [r for r in json.loads(as_json.stdout) if r["code"] == "AM001"]
    assert record["package"] == "aiofiles" and record["requirement"] == "aiofiles>=23.1"
    assert record["files"] == ["app.py", "b.py"] and record["path"] == "requirements.txt"
    assert record["fixed"] is False
    # Once migrated, nothing is added any more: nothing is reported.
    assert run_cli(".", cwd=tmp_path).returncode == 0
    assert b"AM001" not in run_cli("--check", ".", cwd=tmp_path).stderr


def test_without_any_manifest_the_package_is_named_on_the_file(tmp_path: Path) -> None:
    _write(tmp_path, {"app.py": APP})
    result = run_cli("--diff", "app.py", cwd=tmp_path)
    lines = [line for line in result.stderr.decode().splitlines() if "AM001" in line]
    assert len(lines) == 2
    assert lines[0].startswith("app.py:1:1: AM001 the migrated app.py imports aiofiles, and no ")
    assert "add aiohttp>=3.9" in lines[1]


FORMATTED = """\
# The project.
[project]
name = "demo"
version = "1.0"
dependencies = [
    "requests>=2",   # kept as it was
    # the command line
    "typer",
]

[tool.black]   # another table
line-length = 88
"""

ADDED = FORMATTED.replace(
    '    "typer",\n]', '    "typer",\n    "aiofiles>=23.1",\n    "aiohttp>=3.9",\n]'
)


def test_add_dependencies_keeps_formatting_and_comments_and_is_idempotent(
    tmp_path: Path,
) -> None:
    _write(tmp_path, {"pyproject.toml": FORMATTED, "src/app.py": APP})
    result = run_cli("--add-dependencies", "src", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pyproject.toml").read_text() == ADDED
    assert (
        "pyproject.toml:1:1: AM001 added aiohttp>=3.9 to [project].dependencies: "
        "the migrated src/app.py imports it"
    ) in result.stderr.decode().splitlines()

    (tmp_path / "src" / "b.py").write_bytes(APP)  # more of the same: nothing to add
    again = run_cli("--add-dependencies", "src", cwd=tmp_path)
    assert again.returncode == 0 and b"AM001" not in again.stderr, again.stderr
    assert (tmp_path / "pyproject.toml").read_text() == ADDED


def test_add_dependencies_with_diff_shows_the_change_and_writes_nothing(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": FORMATTED, "app.py": APP})
    result = run_cli("--diff", "--add-dependencies", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pyproject.toml").read_text() == FORMATTED
    assert (tmp_path / "app.py").read_bytes() == APP
    diff = result.stdout.decode()
    assert "--- a/pyproject.toml\n+++ b/pyproject.toml\n" in diff
    assert '+    "aiofiles>=23.1",\n+    "aiohttp>=3.9",\n ]\n' in diff
    assert b"AM001 would add aiofiles>=23.1" in result.stderr
    # The diff applies: the same result as the in-place run.
    subprocess.run(["patch", "-s", "-p1"], input=result.stdout, cwd=tmp_path, check=True)
    assert (tmp_path / "pyproject.toml").read_text() == ADDED


def test_add_dependencies_needs_a_project_table(tmp_path: Path) -> None:
    _write(tmp_path, {**MANIFESTS["poetry"], "app.py": APP})
    result = run_cli("--add-dependencies", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        f"async-migrate: error: {tmp_path / 'pyproject.toml'}: no [project] table to add "
        "dependencies to"
    ) in result.stderr.decode()
    assert b"async with aiofiles.open" in (tmp_path / "app.py").read_bytes()  # still migrated
    usage = run_cli("--add-dependencies", "-", stdin=APP)
    assert usage.returncode == 2 and b"cannot be combined with -" in usage.stderr


def test_explain_am001() -> None:
    result = run_cli("--explain", "am001")
    assert result.returncode == 0
    text = result.stdout.decode()
    assert text.startswith("AM001 (engine): the migrated code imports a package the project ")
    assert "--add-dependencies" in text and "requirements*.txt" in text
