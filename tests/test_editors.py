"""The editor set-ups documented in docs/integrations.md, read FROM that page: the command
each runs is run for real, and the documented pattern must find exactly the findings in
its output, pointing at the right file, line and column."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from tests.conftest import command_path

PAGE = Path(__file__).resolve().parent.parent / "docs" / "integrations.md"
SOURCE = (
    "import time\n\n\nasync def f(loop):\n"
    "    x = 1; g = (time.sleep(i) for i in (1,))\n"
    "    loop.call_soon(time.sleep, 1)\n"
    "    time.sleep(2)\n"
)
# (line, col, code) of what is left for manual work, and what each points at.
LEFT = {(5, 17, "AM104"): "time.sleep(i)", (6, 20, "AM102"): "time.sleep, 1)"}

# IntelliJ's RegexpFilter macros (com.intellij.execution.filters.RegexpFilter), in Python.
INTELLIJ_MACROS = {
    "$FILE_PATH$": r"(?P<file>(?:[A-Za-z]:)?[0-9 a-z_A-Z\-\\./]+)",
    "$LINE$": r"(?P<line>[0-9]+)",
    "$COLUMN$": r"(?P<column>[0-9]+)",
}


def _section(title: str) -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(f"### {title}")
    end = text.find("\n## ", start)
    return text[start:end]


def _table_value(section: str, field: str) -> str:
    match = re.search(rf"^\| {re.escape(field)} \| `([^`]*)` \|$", section, re.MULTILINE)
    assert match, f"{PAGE.name}: no '{field}' row"
    return match.group(1)


def _intellij_regex(filter_text: str) -> re.Pattern[str]:
    pattern = ""
    for part in re.split(r"(\$[A-Z_]+\$)", filter_text):
        pattern += INTELLIJ_MACROS[part] if part in INTELLIJ_MACROS else part
    return re.compile(pattern)


def _javascript_regex(source: str) -> re.Pattern[str]:
    # The pattern uses no JavaScript-only syntax but named groups; translate those.
    return re.compile(
        source.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")
    )


def _project(root: Path) -> Path:
    path = root / "project dir" / "pkg" / "app.py"  # a space: IntelliJ's class allows it
    path.parent.mkdir(parents=True)
    path.write_text(SOURCE)
    return path


def _points_at(path: Path, line: int, column: int, code: str) -> None:
    text = path.read_text().splitlines()[line - 1]
    assert text[column - 1 :].startswith(LEFT[(line, column, code)]), (text, column)


def test_pycharm_external_tool(tmp_path: Path) -> None:
    section = _section("PyCharm")
    program = _table_value(section, "Program")
    arguments = _table_value(section, "Arguments")
    workdir = _table_value(section, "Working directory")
    output_filter = _table_value(section, "Output filters")
    assert program == "$PyInterpreterDirectory$/async-migrate"
    path = _project(tmp_path)
    interpreter_dir = os.path.dirname(command_path())
    macros = {
        "$PyInterpreterDirectory$": interpreter_dir,
        "$FilePath$": str(path),
        "$ProjectFileDir$": str(tmp_path / "project dir"),
    }
    for macro, value in macros.items():
        program, workdir = program.replace(macro, value), workdir.replace(macro, value)
    # PyCharm splits the arguments on spaces and then expands each macro.
    args = [macros.get(word, word) for word in arguments.split()]
    result = subprocess.run(
        [program, *args], cwd=workdir, capture_output=True, timeout=120, check=False
    )
    assert result.returncode == 1  # --check: something is left to do
    regex = _intellij_regex(output_filter)
    shown = (result.stdout + result.stderr).decode().splitlines()
    found = set()
    for line in shown:
        match = regex.search(line)
        if match is None:
            continue
        assert match.group("file") == str(path), line
        code = line.split(": ", 1)[1].split()[0]
        _points_at(path, int(match.group("line")), int(match.group("column")), code)
        found.add((int(match.group("line")), int(match.group("column")), code))
    assert found == set(LEFT)


def test_vscode_task_problem_matcher(tmp_path: Path) -> None:
    section = _section("VS Code")
    block = re.search(r"```json\n(.*?)```", section, re.DOTALL)
    assert block, f"{PAGE.name}: no tasks.json block"
    (task,) = json.loads(block.group(1))["tasks"]
    matcher = task["problemMatcher"]
    pattern = matcher["pattern"]
    path = _project(tmp_path)
    workspace = tmp_path / "project dir"

    def expand(value: str) -> str:
        return value.replace("${workspaceFolder}", str(workspace)).replace("${file}", str(path))

    command = task["command"]
    assert command == "async-migrate"
    result = subprocess.run(
        [command_path(), *map(expand, task["args"])],
        cwd=expand(task["options"]["cwd"]),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    regex = _javascript_regex(pattern["regexp"])
    found = set()
    # VS Code matches the pattern against each line of the task's terminal output.
    for line in (result.stdout + result.stderr).decode().splitlines():
        match = regex.search(line)
        if match is None:
            continue
        file = match.group(pattern["file"])
        # fileLocation autoDetect: absolute as is, else relative to the workspace folder.
        assert matcher["fileLocation"][0] == "autoDetect"
        assert Path(workspace, file).resolve() == path.resolve(), line
        line_number, column = int(match.group(pattern["line"])), int(match.group(pattern["column"]))
        code = match.group(pattern["code"])
        _points_at(path, line_number, column, code)
        assert match.group(pattern["message"]).startswith("time.sleep")
        found.add((line_number, column, code))
    assert found == set(LEFT)
