"""The ``helpers`` codemod's cheap stages: it applies to a file exactly when it has sites;
without a project (a module migrated on its own, through the library), the module's own
functions are its project."""

from __future__ import annotations

from typing import Any

from codemods.core import parsed
from codemods.core.ignored import is_off
from codemods.core.index import index_module
from codemods.core.mentions import mentions
from codemods.helpers.analysis import Project
from codemods.helpers.planning import candidate_names, plan


def with_sites(data: bytes, filename: str, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with ``sites``: as given (the runner's, from the project index), or
    those of the module on its own."""
    if "sites" in options:
        return options
    record = index_module(data, "", filename)
    if record is None:
        return {**options, "sites": []}
    project = Project([record], frozenset(options.get("leave_alone", ())))
    if options.get("helpers_mode", "offload") != "async":
        return {**options, "sites": project.sites("")}
    editable = frozenset({""})
    found = {"": mentions(data, "", filename, candidate_names(project, editable))}
    chosen = plan(project, found, editable)
    if is_off(options, "AM655"):  # what would be made coroutines is left alone
        return {**options, "sites": chosen.sites(project, "")}
    return {
        **options,
        "sites": chosen.sites(project, ""),
        "convert": chosen.convert(project, ""),
        "awaits": chosen.awaits(project, ""),
    }


def may_apply(data: bytes, options: dict[str, Any]) -> bool:
    return bool(options.get("sites") or options.get("awaits") or options.get("convert"))


def interest(data: bytes, options: dict[str, Any]) -> frozenset[int] | None:
    """The outermost coroutines (by the line of their ``async def``) that hold a site, by
    name: ``data`` may be the module after earlier codemods moved its lines, and the
    sites' lines are the input's."""
    sites = options.get("sites") or ()
    tree = parsed.parse(data)
    if tree is None:
        return None
    names = {site.coroutine for site in sites} | {key[0] for key in options.get("awaits") or ()}
    names |= {key[0] for key in options.get("convert") or ()}
    return parsed.coroutines_named(tree, names)
