"""What the ``helpers`` codemod decides at its sites without libcst, shared by its line
path (:mod:`codemods.helpers.lines`) and its statements path
(:mod:`codemods.helpers.units`): which statements hold the sites, when every site runs
directly in its coroutine and ``asyncio`` is free (:func:`held_sites`), and the finding
each site gets (:func:`site_finding`)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from codemods.core.findings import Finding
from codemods.core.ignored import IGNORED_CODES
from codemods.core.index import source_lines
from codemods.core.sites import (
    LINE,
    CallSite,
    asyncio_only_imported,
    calls_in_coroutines,
    holding_statements,
    source_text,
)
from codemods.helpers.analysis import Site, describe


@dataclass
class HeldSites:
    tree: ast.Module
    #: The source's lines (:data:`~codemods.core.sites.LINE`).
    lines: list[str]
    sites: Sequence[Site]
    #: Each call in the coroutines, by its position (those of ``sites`` among them).
    calls: dict[tuple[int, int], CallSite]
    #: The statements (or compound headers) holding the sites.
    statements: list[ast.stmt]
    #: Offloading is on (off: the sites are reported).
    offload: bool


def held_sites(data: bytes, options: dict[str, Any]) -> HeldSites | None:
    """The module's sites (from the project index, in ``options``) and the statements
    holding them; None when the command must decide: no site, async mode, codes left
    off, ``asyncio`` bound otherwise (the command asks the scope analysis, and may refuse
    with AM654), a site that does not run directly in its coroutine."""
    sites: Sequence[Site] = options.get("sites", ())
    if (
        not sites
        or options.get("helpers_mode", "offload") != "offload"
        or any(options.get(key) for key in ("convert", "awaits", IGNORED_CODES))
    ):
        return None
    source = source_text(data)
    if source is None or not asyncio_only_imported(data):
        return None
    text, tree = source
    calls = calls_in_coroutines(tree, source_lines(data), {site.line for site in sites})
    statements = holding_statements(calls.get((site.line, site.col)) for site in sites)
    if statements is None:
        return None
    offload = bool(options.get("offload", True))
    return HeldSites(tree, LINE.findall(text), sites, calls, statements, offload)


def site_finding(
    site: Site, offload: bool, silenced: Callable[[str], bool]
) -> tuple[Finding | None, bool]:
    """The finding at ``site`` (None when a comment silences its code, as ``silenced``
    tells) and whether its call is offloaded: reported with its refusal, or as left alone
    when offloading is off, or offloaded."""
    at, what = (site.line, site.col), describe(site)
    if site.refusal:
        if silenced("AM653"):
            return None, False
        return Finding(*at, "AM653", f"{what}; not offloaded: {site.refusal}", False), False
    if not offload:
        if silenced("AM652"):
            return None, False
        return Finding(*at, "AM652", f"{what}; left as is (offloading is off)", False), False
    if silenced("AM651"):
        return None, False
    kept = f" (kept sync in async mode: {site.kept})" if site.kept else ""
    return Finding(*at, "AM651", f"{what}; offloaded{kept}", True), True
