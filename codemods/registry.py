"""The codemods the tool knows: their declarations, in the order they run.

Each codemod declares itself once, in ``codemods/<name>/spec.py`` (see
:class:`~codemods.core.spec.CodemodSpec`); adding a codemod means adding its folder and
its line below. Nothing here imports libcst: a command class is imported only when a
file needs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from codemods import cpu, db, files, helpers, http, offload, redis, requests, sleep, subprocess
from codemods.core.spec import CodemodSpec, Severity

# Order matters: codemods run one after the other on the same module, in this order.
# ``requests`` comes first and ``sleep`` late: retry loops mix requests and time.sleep,
# and both apply in one run. ``helpers`` comes after the codemods that rewrite blocking
# calls directly (a project function the cpu codemod sends to a process pool is no longer
# a plain call by then); so does ``db``, whose migrated connections are awaited, no longer
# blocking calls. The ``offload`` fallback runs last: it offloads only what
# every codemod before it left blocking.
SPECS: tuple[CodemodSpec, ...] = (
    requests.SPEC,
    cpu.SPEC,
    files.SPEC,
    subprocess.SPEC,
    http.SPEC,
    sleep.SPEC,
    db.SPEC,
    redis.SPEC,
    helpers.SPEC,
    offload.SPEC,
)

CODEMODS: dict[str, CodemodSpec] = {spec.name: spec for spec in SPECS}


class UnknownCodemod(ValueError):
    pass


def choose(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[str]:
    """The names of the codemods to run, in order: those on by default, or those
    selected, minus those ignored."""
    select, ignore = list(select), list(ignore)
    for name in (*select, *ignore):
        if name not in CODEMODS:
            known = ", ".join(CODEMODS)
            raise UnknownCodemod(f"unknown codemod {name!r} (known: {known})")
    chosen = select or [spec.name for spec in SPECS if spec.default]
    return [name for name in CODEMODS if name in chosen and name not in ignore]


def offload_options(names: Iterable[str], offload: bool) -> dict[str, dict[str, Any]]:
    """Codemod options for ``--no-offload``: the codemods that offload blocking calls to
    a thread report them instead."""
    if offload:
        return {}
    return {n: {"offload": False} for n in names if CODEMODS[n].offloads}


def codemod_of(code: str) -> CodemodSpec | None:
    """The codemod that records ``code`` (``AM101``), if any."""
    for spec in SPECS:
        if any(declared.code == code for declared in spec.codes):
            return spec
    return None


def hint_codes() -> frozenset[str]:
    """The codes that are suggestions, not work left: they do not fail ``--check``."""
    return frozenset(c.code for spec in SPECS for c in spec.codes if c.severity is Severity.HINT)
