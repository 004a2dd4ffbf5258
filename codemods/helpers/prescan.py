"""The ``helpers`` codemod's cheap stages: it applies to a file exactly when it has sites;
without a project (a module migrated on its own, through the library), the module's own
functions are its project."""

from __future__ import annotations

from typing import Any

from codemods.core import parsed
from codemods.core.index import index_module
from codemods.helpers.analysis import Project


def with_sites(data: bytes, filename: str, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with ``sites``: as given (the runner's, from the project index), or
    those of the module on its own."""
    if "sites" in options:
        return options
    record = index_module(data, "", filename)
    leave_alone = frozenset(options.get("leave_alone", ()))
    sites = Project([record], leave_alone).sites("") if record is not None else []
    return {**options, "sites": sites}


def may_apply(data: bytes, options: dict[str, Any]) -> bool:
    return bool(options.get("sites"))


def interest(data: bytes, options: dict[str, Any]) -> frozenset[int] | None:
    """The outermost coroutines (by the line of their ``async def``) that hold a site."""
    sites = options.get("sites") or ()
    tree = parsed.parse(data)
    if tree is None:
        return None
    lines = {site.line for site in sites}
    return frozenset(
        node.lineno
        for node in parsed.outermost_coroutines(tree)
        if any(node.lineno <= line <= (node.end_lineno or node.lineno) for line in lines)
    )
