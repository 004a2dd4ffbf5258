"""New imports go where isort puts them when the module's imports are sorted as isort sorts
them: ruff's I001 finds nothing to re-sort in the migrated fixtures whose input it finds
sorted, and the unsorted ones keep libcst's placement (after the last import)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest

from codemods.core.sorted_imports import with_sorted_import
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


# -- shapes of sorted blocks found in published packages ----------------------------------------
# Each: the block, the module to import, the migrated module's own top package (first-party
# for ruff too: its modules the block imports sit beside the file), and where isort puts it.

SHAPES = {
    "comment at the end of an import's line": (
        """\
from __future__ import annotations

import os
import shutil

import fsspec  # pyright: ignore[reportMissingTypeStubs]
from anyio import run_process
""",
        "asyncio",
        None,
        """\
from __future__ import annotations

import asyncio
import os
import shutil

import fsspec  # pyright: ignore[reportMissingTypeStubs]
from anyio import run_process
""",
    ),
    "a module imported twice, once with an alias": (
        """\
import json

import anyio

from pkg.lease_storage import (
    ConcurrencyLeaseHolder,
    ConcurrencyLimitLeaseMetadata,
)
from pkg.lease_storage import (
    ConcurrencyLeaseStorage as _ConcurrencyLeaseStorage,
)
from pkg.settings import get_current_settings
""",
        "aiofiles",
        "pkg",
        """\
import json

import aiofiles
import anyio

from pkg.lease_storage import (
    ConcurrencyLeaseHolder,
    ConcurrencyLimitLeaseMetadata,
)
from pkg.lease_storage import (
    ConcurrencyLeaseStorage as _ConcurrencyLeaseStorage,
)
from pkg.settings import get_current_settings
""",
    ),
    "comments above the import that opens a section": (
        """\
\"\"\"Flows.\"\"\"

from __future__ import annotations

# This file requires type-checking with pyright
# (the other checker cannot follow it)
import ast
import os
import tempfile

import pydantic
from rich.console import Console
""",
        "aiofiles.tempfile",
        None,
        """\
\"\"\"Flows.\"\"\"

from __future__ import annotations

# This file requires type-checking with pyright
# (the other checker cannot follow it)
import ast
import os
import tempfile

import aiofiles.tempfile
import pydantic
from rich.console import Console
""",
    ),
    "new import before the comments above the import that opens a section": (
        """\
from __future__ import annotations

# about ast
import ast
import os
""",
        "abc",
        None,
        """\
from __future__ import annotations

import abc

# about ast
import ast
import os
""",
    ),
    "star import": (
        """\
from .exceptions import *
from .rpc_error import UnknownError
""",
        "asyncio",
        None,
        """\
import asyncio

from .exceptions import *
from .rpc_error import UnknownError
""",
    ),
    "new import before the comments above an import inside a section": (
        """\
import os

# about sys
import sys

import requests
""",
        "re",
        None,
        """\
import os
import re

# about sys
import sys

import requests
""",
    ),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_new_import_in_a_sorted_block(shape: str, tmp_path: Path) -> None:
    source, name, own, expected = SHAPES[shape]
    for node in ast.walk(ast.parse(source)):
        if own and isinstance(node, ast.ImportFrom) and (node.module or "").startswith(own):
            module = tmp_path.joinpath(*node.module.split(".")).with_suffix(".py")
            module.parent.mkdir(parents=True, exist_ok=True)
            module.touch()
    assert _unsorted_imports(source.encode(), "m.py", tmp_path) == "", "input not sorted"
    placed = with_sorted_import(cst.parse_module(source), name, own)
    assert placed is not None, "the block was not recognised as sorted"
    assert placed.code == expected
    assert _unsorted_imports(expected.encode(), "m.py", tmp_path) == ""


@pytest.mark.parametrize(
    "source",
    [
        "import os\n# about sys\nimport sys\n",  # isort sets the comment off by a blank line
        "import os\n\n# about sys\n\nimport sys\n",  # and takes out the one below it
        "import os\nimport sys  # isort: skip\n",
    ],
)
def test_blocks_isort_would_change_are_left_to_libcst(source: str, tmp_path: Path) -> None:
    assert "I001" in _unsorted_imports(source.encode(), "m.py", tmp_path)
    assert with_sorted_import(cst.parse_module(source), "asyncio") is None
