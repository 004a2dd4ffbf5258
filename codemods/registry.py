"""The codemods the tool knows: their declarations, in the order they run.

Each codemod declares itself once, in ``codemods/<name>/spec.py`` (see
:class:`~codemods.core.spec.CodemodSpec`); adding a codemod means adding its folder and
its line below. Nothing here imports libcst: a command class is imported only when a
file needs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from codemods import (
    concurrency,
    cpu,
    db,
    files,
    helpers,
    http,
    iteration,
    offload,
    redis,
    requests,
    sleep,
    subprocess,
)
from codemods.core.ignored import IGNORED_CODES
from codemods.core.spec import CodemodSpec, Severity

# Order matters: codemods run one after the other on the same module, in this order.
# ``iteration`` comes first: a loop whose iteration blocks moves whole to a thread only
# while nothing in it awaits, so before any codemod makes one of its calls awaitable.
# ``requests`` comes next and ``sleep`` late: retry loops mix requests and time.sleep,
# and both apply in one run. ``helpers`` comes after the codemods that rewrite blocking
# calls directly (a project function the cpu codemod sends to a process pool is no longer
# a plain call by then); so does ``db``, whose migrated connections are awaited, no longer
# blocking calls. The ``offload`` fallback runs last: it offloads only what
# every codemod before it left blocking.
SPECS: tuple[CodemodSpec, ...] = (
    iteration.SPEC,
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
    """A selector that is neither a codemod's name nor a code or code prefix it records."""


def choose(
    select: Iterable[str] = (), ignore: Iterable[str] = (), extend_select: Iterable[str] = ()
) -> list[str]:
    """The names of the codemods to run, in order (see :func:`select_codes`)."""
    return select_codes(select, ignore, extend_select).codemods


#: A code, or a code prefix: ``AM101``, ``AM1``, ``AM``.
_CODE_PREFIX = re.compile(r"AM[0-9]*", re.IGNORECASE)
#: Specificities (see :class:`Selector`): the default selection is the least specific.
_DEFAULT, _ALL_CODES, _NAME = 0, 1, 2


@dataclass(frozen=True)
class Selector:
    """One entry of ``select`` / ``ignore``: a codemod's name, a code or a code prefix."""

    text: str
    codes: frozenset[str]
    #: As ruff ranks its selectors: a code (5) over a longer prefix over a shorter one
    #: (``AM10``: 4, ``AM1``: 3) over a codemod's name (2) over ``AM``, every code (1).
    specificity: int
    #: A code or a prefix, not a name: a hint selected so fails ``--check``.
    by_code: bool


def parse_selector(text: str) -> Selector:
    """``text`` as a selector; raises :class:`UnknownCodemod` when it matches nothing."""
    spec = CODEMODS.get(text)
    if spec is not None:
        return Selector(text, _codes_of(spec), _NAME, False)
    if _CODE_PREFIX.fullmatch(text):
        prefix = text.upper()
        codes = frozenset(code for code in _all_codes() if code.startswith(prefix))
        if not codes:
            raise UnknownCodemod(
                f"unknown code {text!r} (no code starts with it; see --list-codemods)"
            )
        specificity = len(prefix) if len(prefix) > len("AM") else _ALL_CODES
        return Selector(text, codes, specificity, True)
    known = ", ".join(CODEMODS)
    raise UnknownCodemod(
        f"unknown codemod {text!r} (known: {known}; or a code such as AM101, "
        "or a code prefix such as AM1)"
    )


@dataclass(frozen=True)
class Selection:
    """Which codes are on: each code is decided by the most specific selector that
    matches it, and between a selected and an ignored one equally specific, by the
    ignored one."""

    #: The codes on.
    codes: frozenset[str]
    #: The codes an ``ignore`` selector turned off.
    ignored: frozenset[str] = frozenset()
    #: Of the codes on, those selected by a code or a prefix rather than a name.
    by_code: frozenset[str] = frozenset()

    @property
    def codemods(self) -> list[str]:
        """The codemods that run, in order: those with a code on."""
        return [spec.name for spec in SPECS if self.codes & _codes_of(spec)]

    @property
    def ignored_codemods(self) -> list[str]:
        """The codemods that do not run because of an ``ignore`` selector: no codemod
        touches the calls they are responsible for."""
        running = set(self.codemods)
        return [
            spec.name
            for spec in SPECS
            if spec.name not in running and self.ignored & _codes_of(spec)
        ]

    def off_in(self, name: str) -> frozenset[str]:
        """The codes of a running codemod that are off: the codemod neither makes nor
        reports them, and leaves their sites alone for every later codemod."""
        return _codes_of(CODEMODS[name]) - self.codes

    @property
    def failing_hints(self) -> frozenset[str]:
        """The hints that fail ``--check``: those selected by a code or a prefix."""
        return hint_codes() & self.by_code

    def options(self) -> dict[str, dict[str, Any]]:
        """Codemod options that carry the selection out: the codes off in each running
        codemod, and the families of the ignored codemods, left alone by every codemod."""
        options = offload_options((), True, self.ignored_codemods)
        for name in self.codemods:
            off = self.off_in(name)
            if off:
                options.setdefault(name, {})[IGNORED_CODES] = sorted(off)
        return options


def select_codes(
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
    extend_ignore: Iterable[str] = (),
) -> Selection:
    """The codes on, as ruff decides rules: ``select`` (default: the codemods on by
    default) and ``extend_select`` turn codes on, ``ignore`` and ``extend_ignore`` off;
    for each code, the most specific selector matching it wins, and an ignored one
    over a selected one equally specific. Raises :class:`UnknownCodemod`."""
    select = list(select)
    selectors = [(parse_selector(text), False) for text in [*select, *extend_select]]
    if not select:
        selectors += [(_default(spec), False) for spec in SPECS if spec.default]
    selectors += [(parse_selector(text), True) for text in [*ignore, *extend_ignore]]
    on: set[str] = set()
    ignored: set[str] = set()
    by_code: set[str] = set()
    for code in _all_codes():
        deciding = [(s.specificity, off, s.by_code) for s, off in selectors if code in s.codes]
        if not deciding:
            continue
        _, off, coded = max(deciding)
        if off:
            ignored.add(code)
            continue
        on.add(code)
        if coded:
            by_code.add(code)
    return Selection(frozenset(on), frozenset(ignored), frozenset(by_code))


def _default(spec: CodemodSpec) -> Selector:
    """The codemod, selected by default: less specific than any selector given."""
    return Selector(spec.name, _codes_of(spec), _DEFAULT, False)


def _codes_of(spec: CodemodSpec) -> frozenset[str]:
    return frozenset(c.code for c in spec.codes)


def _all_codes() -> list[str]:
    return [c.code for spec in SPECS for c in spec.codes]


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
        for name in ("iteration", "offload", "helpers"):
            options.setdefault(name, {})["leave_alone"] = families
    return options


def merge_options(
    base: dict[str, dict[str, Any]], overrides: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Codemod options with ``overrides`` winning key by key."""
    merged = {name: dict(values) for name, values in base.items()}
    for name, values in overrides.items():
        merged.setdefault(name, {}).update(values)
    return merged


def codemod_of(code: str) -> CodemodSpec | None:
    """The codemod that records ``code`` (``AM101``), if any."""
    for spec in SPECS:
        if any(declared.code == code for declared in spec.codes):
            return spec
    return None


def hint_codes() -> frozenset[str]:
    """The codes that are suggestions, not work left: they do not fail ``--check``."""
    return frozenset(c.code for spec in SPECS for c in spec.codes if c.severity is Severity.HINT)
