"""Every fixture: ``<codemod>/<shape>.py`` becomes ``<shape>.expected.py`` (or stays as it
is when there is no expected file); it produces exactly the codes ``<shape>.codes`` lists
(rewrites and findings, at their positions); findings left for manual work sit on the
lines marked ``# expect: CODE``; and a second run changes nothing.

A codemod's options (constructor keyword arguments) come from ``<shape>.options.json``
beside the case, else from ``options.json`` in the codemod's directory, else none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from async_migrate import migrate_source
from async_migrate.engine import migrate, slicing
from codemods.core import parsed
from codemods.registry import CODEMODS
from tests.conftest import FIXTURES
from tests.fixture_codes import cases as _cases
from tests.fixture_codes import codes_path, codes_text
from tests.fixture_codes import options_of as _options

_EXPECT = re.compile(r"#\s*expect:\s*(AM\d+(?:\s*,\s*AM\d+)*)")


def _expected_findings(source: str) -> set[tuple[int, str]]:
    out = set()
    for number, line in enumerate(source.splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            out.update((number, code.strip()) for code in match.group(1).split(","))
    return out


@pytest.mark.parametrize("case", _cases(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture(case: Path) -> None:
    entry = CODEMODS[case.parent.name]
    codemod = entry.load()
    source = case.read_text(encoding="utf-8")
    expected_path = case.with_name(case.stem + ".expected.py")
    expected = expected_path.read_text(encoding="utf-8") if expected_path.exists() else source

    options = _options(case)
    result = migrate_source(source, [entry.name], filename=str(case), options=options)
    unfiltered = migrate_source(source, [codemod], filename=str(case), options=options)
    assert unfiltered == result, "the cheap prefilter must never drop work libcst would do"

    assert result.code.decode("utf-8") == expected
    assert result.changed == (expected != source)
    assert {f.code for f in result.findings} <= set(codemod.CODES)
    stated = codes_path(case)
    assert stated.exists(), f"{stated.name} is missing: write it with python -m tests.fixture_codes"
    assert codes_text(result) == stated.read_text(encoding="utf-8")
    left = {(f.line, f.code) for f in result.left}
    assert left == _expected_findings(source)
    if result.changed:
        assert result.rewrites, "a change must be accounted for by recorded rewrites"
        compile(result.code, str(case), "exec")
    again = migrate_source(result.code, [entry.name], filename=str(case), options=options)
    assert again.code == result.code, "a second run must change nothing"


def test_every_codemod_has_fixtures() -> None:
    for name in CODEMODS:
        assert list((FIXTURES / name).glob("*.expected.py")), name


def test_opt_in_codemods_are_exercised() -> None:
    """Each case names its codemod, so codemods that are off by default run here too."""
    opt_in = {name for name, spec in CODEMODS.items() if not spec.default}
    assert opt_in and opt_in <= {case.parent.name for case in _cases()}


def test_codes_page_lists_every_code() -> None:
    """docs/codes.md has a row and a section (its anchor) for every code a codemod's
    command records; tests/test_docs.py checks the page is exactly what the declarations
    generate."""
    page = (FIXTURES.parent.parent / "docs" / "codes.md").read_text(encoding="utf-8")
    for entry in CODEMODS.values():
        for code in entry.load().CODES:
            assert f"| [{code}](#{code.lower()}) |" in page, code
            assert f"\n### {code}\n" in page, code


@pytest.mark.parametrize("case", _cases(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_sliced_as_whole(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Slicing (sync function bodies stood in for) gives exactly what the whole module
    gives: same code, same findings at the same places; and an editor's analysis of one
    coroutine (the others stood in) finds what the whole module finds in it."""
    source = case.read_text(encoding="utf-8")
    name, options = case.parent.name, _options(case)
    monkeypatch.setattr(migrate, "SLICING", False)
    whole = migrate_source(source, [name], filename=str(case), options=options)
    monkeypatch.setattr(migrate, "SLICING", True)
    monkeypatch.setattr(slicing, "MIN_LINES", 1)
    sliced = migrate_source(source, [name], filename=str(case), options=options)
    assert sliced == whole
    if options.get("helpers", {}).get("helpers_mode") == "async":
        return  # converts helpers: always analysed whole
    tree = parsed.parse(source.encode("utf-8"))
    assert tree is not None
    for coroutine in parsed.outermost_coroutines(tree):
        first, last = coroutine.lineno, coroutine.end_lineno or coroutine.lineno
        alone = migrate_source(
            source, [name], filename=str(case), options=options, coroutines=frozenset({first})
        )
        assert alone.findings == [f for f in whole.findings if first <= f.line <= last]


def test_slicing_is_exercised_by_the_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slicing, "MIN_LINES", 1)
    sliced = [c for c in _cases() if slicing.slice_module(c.read_bytes()) is not None]
    assert len(sliced) >= 10, len(sliced)
