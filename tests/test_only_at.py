"""``migrate_source(only_at=...)``: rewriting one site gives exactly what a run gives with
``# async-migrate: ignore`` on the lines of every other rewrite site (the comments taken
out again), on every fixture with rewrites on several lines. Where a codemod migrates a
coroutine's sites together (the requests of one session, the uses of one file, a redis
client and its calls), a site alone is left as it is or rewritten otherwise; then the
sites of its coroutine are rewritten together."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from async_migrate import Migration, OnlyAt, migrate_source
from tests.fixture_codes import cases, codes_path
from tests.fixture_codes import options_of as _options

IGNORE = "  # async-migrate: ignore (added by test_only_at)"

MODULE = """import os
import subprocess
import time

import requests


async def one(path):
    time.sleep(1)
    if os.path.exists(path):
        subprocess.run(["ls", path])
    data = input("name? ")
    return data


async def two(url):
    r = requests.get(url, timeout=5)
    return r.status_code


async def three(path):
    with open(path) as f:
        head = f.readline()
        return head + f.read()
"""


def _with_comments(source: str, lines: set[int]) -> str | None:
    """``source`` with :data:`IGNORE` at the end of ``lines``; None where a comment there
    would not be a comment (the line ends inside a string or after a backslash)."""
    out = source.splitlines(keepends=True)
    for number in lines:
        text = out[number - 1]
        body = text.rstrip("\r\n")
        out[number - 1] = body + IGNORE + text[len(body) :]
    commented = "".join(out)
    try:
        same = ast.dump(ast.parse(commented)) == ast.dump(ast.parse(source))
    except SyntaxError:
        return None
    return commented if same else None


def _coroutine_of(source: str, line: int) -> tuple[int, int]:
    """The first and last line of the innermost ``async def`` around ``line``."""
    spans = [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.AsyncFunctionDef)
        and node.lineno <= line <= (node.end_lineno or node.lineno)
    ]
    return max(spans)


def _compare(
    source: str,
    codemods: list[str] | None,
    options: dict,
    full: Migration,
    ends: bool = False,
    filename: str = "<string>",
) -> tuple[int, int]:
    """Rewrite each site of ``source`` alone or, where the codemod migrates the sites of a
    coroutine together (so that one alone is left as it is), with the other sites of its
    coroutine; compare with the comments. With ``ends``, only the first and the last site
    are tried (time). Returns (groups checked, groups skipped because comments cannot
    single them out)."""
    sites = sorted({(f.line, f.col) for f in full.rewrites})
    groups: set[frozenset[tuple[int, int]]] = set()
    results = {}
    rewrites = sorted(full.rewrites)
    for finding in [rewrites[0], rewrites[-1]] if ends else rewrites:
        site = (finding.line, finding.col)
        group = frozenset({site})
        only_at = OnlyAt.of(full.rewrites, group)
        result = migrate_source(source, codemods, filename, options, only_at=only_at)
        # Alone, a site may be left as it is, or rewritten otherwise (a file method the
        # fallback offloads when its file is not migrated): then with its coroutine.
        if finding not in result.rewrites:
            first, last = _coroutine_of(source, site[0])
            group = frozenset(s for s in sites if first <= s[0] <= last)
            only_at = OnlyAt.of(full.rewrites, group)
            result = migrate_source(source, codemods, filename, options, only_at=only_at)
            assert finding in result.rewrites
        assert set(result.rewrites) <= set(full.rewrites)
        groups.add(group)
        results[group] = result
    checked = skipped = 0
    for group in groups:
        lines = {line for line, _ in group}
        others = {line for line, _ in sites if (line, _) not in group}
        commented = _with_comments(source, others)
        if lines & others or commented is None:
            skipped += 1  # a comment cannot single the group out
            continue
        by_comments = migrate_source(commented, codemods, filename, options)
        if not group <= {(f.line, f.col) for f in by_comments.rewrites}:
            skipped += 1  # a comment on another site's line also silences one of these
            continue
        expected = by_comments.code.decode("utf-8")
        assert expected.count(IGNORE) == len(others)
        assert results[group].code.decode("utf-8") == expected.replace(IGNORE, ""), group
        checked += 1
    return checked, skipped


@pytest.mark.slow
def test_each_site_of_a_module_alone() -> None:
    checked, skipped = _compare(MODULE, None, {}, migrate_source(MODULE))
    assert (checked, skipped) == (7, 0)


def test_only_listed_sites_are_rewritten() -> None:
    full = migrate_source(MODULE)
    sites = frozenset((f.line, f.col) for f in full.rewrites if f.line < 15)
    some = migrate_source(MODULE, only_at=OnlyAt.of(full.rewrites, sites))
    assert {(f.line, f.col) for f in some.rewrites} == sites
    assert "requests.get(url, timeout=5)" in some.code.decode("utf-8")
    assert migrate_source(MODULE, only_at=OnlyAt.of(full.rewrites, ())).changed is False
    everything = frozenset((f.line, f.col) for f in full.rewrites)
    assert migrate_source(MODULE, only_at=OnlyAt.of(full.rewrites, everything)).code == full.code


def _rewrite_lines(case: Path) -> int:
    """How many lines hold a rewrite, as the fixture's ``.codes`` file states."""
    stated = codes_path(case)
    if not stated.exists():
        return 0
    rows = stated.read_text(encoding="utf-8").splitlines()
    return len({row.split(":")[0] for row in rows if row.endswith(" rewrite")})


def _converts_helpers(case: Path) -> bool:
    """The case runs the helpers codemod's async mode, which a quick fix never applies (it
    changes the helper's ``def`` and every call of it together)."""
    return _options(case).get("helpers", {}).get("helpers_mode") == "async"


# Only fixtures with rewrites on two lines or more: with one, there is nothing to single out.
@pytest.mark.parametrize(
    "case",
    [case for case in cases() if _rewrite_lines(case) >= 2 and not _converts_helpers(case)],
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_fixture_sites_alone(case: Path) -> None:
    source = case.read_text(encoding="utf-8")
    options = _options(case)
    full = migrate_source(source, [case.parent.name], str(case), options)
    assert len({f.line for f in full.rewrites}) >= 2
    checked, _ = _compare(source, [case.parent.name], options, full, ends=True, filename=str(case))
    assert checked
