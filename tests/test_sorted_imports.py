"""New imports go where isort puts them when the module's imports are sorted as isort sorts
them: ruff's I001 finds nothing to re-sort in the migrated fixtures whose input it finds
sorted, and the unsorted ones keep libcst's placement (after the last import)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixture_codes import cases, migrate_case

RUFF = Path(sys.executable).with_name("ruff")
SORTED = [case for case in cases() if case.stem.startswith("sorted_imports")]


def _unsorted_imports(source: bytes, name: str, directory: Path) -> str:
    """What ruff's I001 (isort's rules, ruff's defaults) says about ``source``: '' when its
    imports are sorted."""
    (directory / name).write_bytes(source)
    result = subprocess.run(
        [str(RUFF), "check", "--isolated", "--select", "I001", "--output-format", "concise", name],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if result.returncode == 0 else result.stdout


def test_the_sorted_fixtures_are_there() -> None:
    assert {f"{c.parent.name}/{c.stem}" for c in SORTED} >= {
        "sleep/sorted_imports",
        "files/sorted_imports",
        "files/sorted_imports_new_section",
    }


@pytest.mark.parametrize("case", SORTED, ids=lambda c: f"{c.parent.name}/{c.stem}")
def test_migrated_sorted_imports_stay_sorted(case: Path, tmp_path: Path) -> None:
    assert _unsorted_imports(case.read_bytes(), case.name, tmp_path) == "", "input not sorted"
    result = migrate_case(case)
    assert result.changed
    assert _unsorted_imports(result.code, case.name, tmp_path) == ""


def test_unsorted_imports_keep_the_placement_after_the_last_import(tmp_path: Path) -> None:
    case = next(c for c in cases() if f"{c.parent.name}/{c.stem}" == "sleep/unsorted_imports")
    assert "I001" in _unsorted_imports(case.read_bytes(), case.name, tmp_path)
    assert b"import json\nimport asyncio\n" in migrate_case(case).code
