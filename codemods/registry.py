"""The codemods the tool knows: their declarations, in the order they run.

Each codemod declares itself once, in ``codemods/<name>/spec.py`` (see
:class:`~codemods.core.spec.CodemodSpec`); adding a codemod means adding its folder and
its line below. Nothing here imports libcst: a command class is imported only when a
file needs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from codemods import (
    concurrency,
    cpu,
    db,
    files,
    helpers,
    http,
    offload,
    redis,
    requests,
    sleep,
    subprocess,
)
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
    # Opt-in. After the codemods that make blocking calls awaitable, so that it sees
    # their awaits; before the fallback, whose threads it must not multiply.
    concurrency.SPEC,
    offload.SPEC,
)

CODEMODS: dict[str, CodemodSpec] = {spec.name: spec for spec in SPECS}


class UnknownCodemod(ValueError):
    pass


def choose(
    select: Iterable[str] = (), ignore: Iterable[str] = (), extend_select: Iterable[str] = ()
) -> list[str]:
    """The names of the codemods to run, in order: those on by default (or, when
    ``select`` names some, those), plus those in ``extend_select`` (how an opt-in
    codemod joins the default ones), minus those in ``ignore``."""
    chosen = _matching(select) or {spec.name for spec in SPECS if spec.default}
    chosen |= _matching(extend_select)
    ignored = _matching(ignore)
    return [name for name in CODEMODS if name in chosen and name not in ignored]


def _matching(selectors: Iterable[str]) -> set[str]:
    """The codemods a list of selectors names. A selector is a codemod's name today; this
    is the one place that reads them (codes and code prefixes would be matched here)."""
    names = set()
    for selector in selectors:
        if selector not in CODEMODS:
            known = ", ".join(CODEMODS)
            raise UnknownCodemod(f"unknown codemod {selector!r} (known: {known})")
        names.add(selector)
    return names


def offload_options(
    names: Iterable[str], offload: bool, ignore: Iterable[str] = ()
) -> dict[str, dict[str, Any]]:
    """Codemod options for ``--no-offload`` (the codemods that offload blocking calls to a
    thread report them instead) and for ignored codemods: the calls they are responsible
    for are left alone by every codemod (the ``offload`` fallback and the ``helpers``
    index included)."""
    options: dict[str, dict[str, Any]] = {}
    if not offload:
        options = {n: {"offload": False} for n in names if CODEMODS[n].offloads}
    families = sorted({f for n in ignore if n in CODEMODS for f in CODEMODS[n].owns})
    if families:
        for name in ("offload", "helpers"):
            options.setdefault(name, {})["leave_alone"] = families
    return options


def codemod_of(code: str) -> CodemodSpec | None:
    """The codemod that records ``code`` (``AM101``), if any."""
    for spec in SPECS:
        if any(declared.code == code for declared in spec.codes):
            return spec
    return None


def hint_codes() -> frozenset[str]:
    """The codes that are suggestions, not work left: they do not fail ``--check``."""
    return frozenset(c.code for spec in SPECS for c in spec.codes if c.severity is Severity.HINT)
