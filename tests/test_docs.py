"""The documentation: docs/codes.md is what the declarations generate; every example
marked ``<!-- verified: FLAGS -->`` in README.md and docs/ is what the tool writes; every
relative link resolves; the README's options table lists exactly the options of
``async-migrate --help``."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from async_migrate import migrate_source
from async_migrate.docs import CODES_PAGE, REGENERATE, codes_markdown
from async_migrate.runner.config import load
from codemods.registry import CODEMODS
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FORBIDDEN = ("SPEC", "issue 9", "/work/shared", "../shared")

_FENCE = re.compile(r"^(```|~~~)")
_VERIFIED = re.compile(r"^<!-- verified: (.*?) -->$", re.MULTILINE)
_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
_LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)\)|<a [^>]*href=\"([^\"]+)\"")
_ANCHOR = re.compile(r"<a [^>]*(?:id|name)=\"([^\"]+)\"")


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_codes_page_is_generated_from_the_declarations() -> None:
    page = ROOT / CODES_PAGE
    assert page.exists(), f"{CODES_PAGE} is missing: run `{REGENERATE}`"
    assert page.read_text(encoding="utf-8") == codes_markdown(), (
        f"{CODES_PAGE} is out of date: run `{REGENERATE}` from the repository root"
    )


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_no_reference_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    mentioned = [word for word in FORBIDDEN if word in text]
    assert not mentioned, f"{_rel(page)} mentions {mentioned}"


# --- verified examples -------------------------------------------------------------


def _examples() -> list[tuple[str, str, str, str]]:
    """(where, flags, before, after) for each example marked verified."""
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for marker in _VERIFIED.finditer(text):
            where = f"{_rel(page)}:{text.count(chr(10), 0, marker.start()) + 1}"
            rest = text[marker.end() :].lstrip("\n")
            first = _BLOCK.match(rest)
            assert first, f"{where}: no python block after the marker"
            lines = first.group(1).splitlines()
            if "# after" in lines[0]:  # side by side: split at the column of "# after"
                column = lines[0].index("# after")
                before = "\n".join(line[:column].rstrip() for line in lines[1:]) + "\n"
                after = "\n".join(line[column:].rstrip() for line in lines[1:]) + "\n"
            else:
                second = _BLOCK.match(rest[first.end() :].lstrip("\n"))
                assert second, f"{where}: no 'after' block"
                before, after = _strip_label(first.group(1)), _strip_label(second.group(1))
            out.append((where, marker.group(1), before, after))
    return out


def _strip_label(block: str) -> str:
    lines = block.splitlines(keepends=True)
    return "".join(lines[1:]) if lines[0].startswith(("# before", "# after")) else block


def _run_flags(flags: str) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The codemods and their options for ``--select NAME --no-offload --cpu-bound F``
    (and ``--offload-compression``, ``--helpers-mode MODE``)."""
    words = shlex.split(flags)
    names: list[str] = []
    options: dict[str, Any] = {}
    while words:
        word = words.pop(0)
        if word == "--select":
            names += words.pop(0).split(",")
        elif word == "--no-offload":
            options["offload"] = False
        elif word == "--cpu-bound":
            options.setdefault("cpu_bound", []).append(words.pop(0))
        elif word == "--offload-compression":
            options["offload_compression"] = True
        elif word == "--helpers-mode":
            options["helpers_mode"] = words.pop(0)
        else:
            raise AssertionError(f"unknown flag in a verified example: {word}")
    names = names or list(CODEMODS)
    per_codemod = {
        name: {k: v for k, v in options.items() if k == "offload" or k in _option_names(name)}
        for name in names
    }
    return names, {name: o for name, o in per_codemod.items() if o}


def _option_names(name: str) -> set[str]:
    return {option.name for option in CODEMODS[name].options}


EXAMPLES = _examples()


def test_docs_have_verified_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e[0])
def test_verified_example(example: tuple[str, str, str, str]) -> None:
    where, flags, before, after = example
    names, options = _run_flags(flags)
    result = migrate_source(before, names, options=options)
    assert result.code.decode("utf-8") == after, where


def _toml_blocks() -> list[tuple[str, str]]:
    out = []
    for page in PAGES:
        for block in re.findall(r"```toml\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL):
            out.append((_rel(page), block))
    return out


@pytest.mark.parametrize("block", _toml_blocks(), ids=lambda b: b[0])
def test_configuration_examples_load(block: tuple[str, str], tmp_path: Path) -> None:
    """Every ``[tool.async-migrate]`` example in the docs is a configuration the tool
    accepts."""
    (tmp_path / "pyproject.toml").write_text(block[1], encoding="utf-8")
    config = load(str(tmp_path / "pyproject.toml"))
    assert config.select or config.exclude or config.options, block[0]


# --- links -----------------------------------------------------------------------


def _outside_code(text: str) -> str:
    """``text`` without fenced blocks and code spans (links there are not links)."""
    kept, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if not fenced:
            kept.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(kept)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = _outside_code(page.read_text(encoding="utf-8"))
    anchors: set[str] = set(_ANCHOR.findall(text))
    seen: dict[str, int] = {}
    for line in text.splitlines():
        match = re.match(r"#{1,6} (.*)", line)
        if match:
            slug = _slug(match.group(1))
            count = seen.get(slug, 0)
            anchors.add(slug if count == 0 else f"{slug}-{count}")
            seen[slug] = count + 1
    return anchors


def _links() -> list[tuple[Path, str]]:
    out = []
    for page in PAGES:
        for match in _LINK.finditer(_outside_code(page.read_text(encoding="utf-8"))):
            target = match.group(1) or match.group(2)
            if not re.match(r"[a-z]+:", target):
                out.append((page, target))
    return out


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_relative_links_resolve(page: Path) -> None:
    for source, target in _links():
        if source != page:
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.exists(), f"{_rel(page)}: link to missing {target}"
        if anchor:
            assert resolved.suffix == ".md", f"{_rel(page)}: anchor into a non-Markdown file"
            assert anchor in _anchors(resolved), f"{_rel(page)}: no anchor for {target}"


def test_links_are_found() -> None:
    assert len(_links()) >= 30


# --- the README's options table against --help -------------------------------------


def _long_options(text: str) -> set[str]:
    return set(re.findall(r"--[a-z][a-z-]*", text))


def test_readme_options_table_matches_help() -> None:
    help_text = run_cli("--help").stdout.decode()
    options = help_text[help_text.index("\nOptions:") :]
    in_help = set()
    for line in options.splitlines():
        match = re.match(r"  (-\S.*?)(?:\s{2,}|$)", line)
        if match:
            in_help |= _long_options(match.group(1))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `-")]
    in_readme = set()
    for row in rows:
        in_readme |= _long_options(row.split(" | ")[0])
    assert in_help, "no options found in --help"
    assert in_help - in_readme == set(), "options of --help missing from the README's table"
    assert in_readme - in_help == set(), "options in the README's table that --help lacks"
