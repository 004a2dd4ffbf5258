"""Migrate one module's source: bytes in, bytes and findings out.

The stages, cheapest first (see :mod:`async_migrate.engine.prefilter`): a byte search for a
coroutine and for each codemod's tokens, an ``ast`` search for its names inside
coroutines, then libcst, imported only when a file gets that far. Output is compiled
before it is returned; output that does not compile is an internal error, never a result.

Before the codemods run, a codemod's ``convert`` step (the ``helpers`` codemod's async
mode) may make some sync functions coroutines: the codemods then see them as such, the
findings are mapped back to the input, and the safety net allows exactly those functions
to have become coroutines.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from async_migrate.engine.positions import PositionMap
from async_migrate.engine.prefilter import coroutine_interest, has_coroutine, needing_libcst
from async_migrate.engine.safety import changed_outside_coroutines
from async_migrate.engine.slicing import slice_module
from codemods.core import parsed
from codemods.core.attributes import AttributeKinds, attribute_kinds
from codemods.core.findings import Finding
from codemods.core.ignored import LeftAlone, Site
from codemods.core.only_at import OnlyAt, ToInput, same_position
from codemods.core.spec import CodemodSpec, Targets
from codemods.core.suppressions import skips_file
from codemods.registry import CODEMODS, merge_options, select_codes

Codemod = str | type  # a registered codemod's name, or any AsyncCodemod subclass


class SourceError(Exception):
    """The input cannot be processed (decoding, parsing); the file is left alone."""


class InternalError(Exception):
    """The tool produced something it must not write; a bug, the file is left alone."""


@dataclass
class Migration:
    """What migrating one module gave."""

    code: bytes
    changed: bool
    findings: list[Finding] = field(default_factory=list)
    #: The source opts out with ``# async-migrate: skip-file``.
    skipped: bool = False

    @property
    def rewrites(self) -> list[Finding]:
        return [f for f in self.findings if f.fixed]

    @property
    def left(self) -> list[Finding]:
        return [f for f in self.findings if not f.fixed]


# libcst's parser, visitors and code generation recurse once per nesting level; real
# modules (CPython's pydoc_data/topics.py) go deeper than Python's default limit of 1,000.
RECURSION_LIMIT = 10_000


def migrate_source(
    code: bytes | str,
    codemods: Sequence[Codemod] | None = None,
    filename: str = "<string>",
    options: dict[str, dict[str, Any]] | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
    extend_ignore: Iterable[str] = (),
    only_at: OnlyAt | None = None,
    coroutines: frozenset[int] | None = None,
) -> Migration:
    """Run codemods over one module's source and return the result; nothing is written.

    ``codemods`` lists registered names (``"sleep"``) or codemod classes (default:
    the codemods on by default, in registry order, as chosen by ``select``,
    ``extend_select``, ``ignore`` and ``extend_ignore`` as on the command line: codemod
    names, codes or code prefixes); given ``codemods``, the selectors narrow it down
    (an unknown selector raises :class:`~codemods.registry.UnknownCodemod`). Codes left
    off are neither made nor reported, and their sites are left alone by every codemod.
    ``options`` maps a codemod's name to keyword arguments for its constructor, e.g.
    ``{"cpu": {"cpu_bound": ["mylib.crunch"]}}``. ``filename`` only names the module
    in messages. A ``str`` comes back as UTF-8 bytes in :attr:`Migration.code`.

    ``only_at`` (an editor's quick fix for one call) rewrites only the sites it lists,
    as (line, col) of the input, both 1-based as in :class:`Finding`: the other rewrite
    sites of the module, which it lists too (``OnlyAt.of(full.rewrites, sites)``), are
    treated as silenced by a suppression comment. What is made at the listed sites comes
    with what the codemod makes together with it (the imports and helpers it needs, the
    method calls of a file opened there).

    ``coroutines`` (an editor's analysis after a change in some coroutines) names the
    outermost coroutines to migrate, by the line of their ``async def``: only their
    findings are made, and the code is not (the :class:`Migration` holds the input, its
    ``changed`` is False): a fix is made by a run without ``coroutines``, which checks
    the code it makes as every run does.

    Raises :class:`SourceError` when the source cannot be parsed, and
    :class:`InternalError` when the migrated code would not compile or changed code
    outside coroutines (a bug).
    """
    data = code.encode("utf-8") if isinstance(code, str) else code
    if skips_file(data):
        return Migration(data, False, skipped=True)
    selectors = (list(select), list(ignore), list(extend_select), list(extend_ignore))
    chosen, options = _selected(codemods, options or {}, *selectors)
    options = _prepared(data, filename, chosen, options)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
    try:
        start, made = _converted(data, filename, chosen, options)
        active = _active(_seen_within(start, coroutines), chosen, options, whole=start)
        if not active and start == data:
            return Migration(data, False)
        return _migrate(data, start, made, active, filename, options, only_at, coroutines)
    finally:
        sys.setrecursionlimit(limit)


def _selected(
    codemods: Sequence[Codemod] | None,
    options: dict[str, dict[str, Any]],
    select: list[str],
    ignore: list[str],
    extend_select: list[str],
    extend_ignore: list[str],
) -> tuple[list[Codemod], dict[str, dict[str, Any]]]:
    """The codemods to run and their options, as the selectors decide."""
    if codemods is not None and not (select or ignore or extend_select or extend_ignore):
        return list(codemods), options
    everything = list(CODEMODS) if codemods is not None else []
    selection = select_codes(select or everything, ignore, extend_select, extend_ignore)
    names = selection.codemods
    if codemods is None:
        chosen: list[Codemod] = list(names)
    else:
        chosen = [c for c in codemods if (c if isinstance(c, str) else c.NAME) in names]
    return chosen, merge_options(options, selection.options())


def _migrate(
    original: bytes,
    data: bytes,
    made: frozenset[str],
    active: list[Active],
    filename: str,
    options: dict[str, dict[str, Any]],
    only_at: OnlyAt | None = None,
    within: frozenset[int] | None = None,
) -> Migration:
    """Migrate ``data``: ``original``, or what a codemod's ``convert`` made of it (the
    functions ``made`` coroutines); findings point into ``original``. ``within``: only
    the outermost coroutines at those lines (see :func:`migrate_source`)."""
    to_original = None
    if data != original:
        to_original = PositionMap(_text(original), _text(data)).to_old
        if only_at is not None or within is not None:
            return Migration(original, False)  # a quick fix never converts a helper
    if active and within is not None:
        code, findings = _within(data, active, filename, options, within)
    elif active:
        sliced = (
            _sliced(data, active, filename, options, only_at)
            if only_at is not None
            else _by_codemod(data, active, filename, options)
        )
        code, findings = sliced or _transform(data, active, filename, options, only_at=only_at)[:2]
    else:
        code, findings = data, []
    findings = _to_input_positions(findings, to_original)
    if code == original or within is not None:
        return Migration(original, False, sorted(findings))
    _verify(original, code, filename)
    helpers = [h for c in active for h in (c.helpers if isinstance(c, CodemodSpec) else c.HELPERS)]
    if changed_outside_coroutines(original, code, helpers, made):
        raise InternalError("the rewrite changed code outside coroutines; file left unchanged")
    return Migration(code, True, sorted(findings))


def _within(
    data: bytes,
    active: list[Active],
    filename: str,
    options: dict[str, dict[str, Any]],
    within: frozenset[int],
) -> tuple[bytes, list[Finding]]:
    """What the codemods make of the outermost coroutines at the lines ``within``, the
    others stood in (those a slice cannot stand in for are migrated too), and their
    findings; when the module cannot be sliced, the whole is migrated. The findings
    outside those coroutines are dropped."""
    sliced = _sliced(data, active, filename, options, within=within)
    if sliced is None:
        sliced = _transform(data, active, filename, options)[:2]
    code, findings = sliced
    tree = parsed.parse(data)
    spans = [
        (c.lineno, c.end_lineno or c.lineno)
        for c in (parsed.outermost_coroutines(tree) if tree is not None else [])
        if c.lineno in within
    ]
    return code, [f for f in findings if any(a <= f.line <= b for a, b in spans)]


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def _converted(
    data: bytes, filename: str, chosen: Sequence[Codemod], options: dict[str, dict[str, Any]]
) -> tuple[bytes, frozenset[str]]:
    """``data`` after the ``convert`` step of the registered codemods chosen (the
    ``helpers`` codemod's async mode), and the functions made coroutines."""
    made: frozenset[str] = frozenset()
    for codemod in chosen:
        name = codemod if isinstance(codemod, str) else getattr(codemod, "NAME", "")
        spec = CODEMODS.get(name)
        if spec is None or spec.convert is None:
            continue
        if not isinstance(codemod, str) and spec.load() is not codemod:
            continue
        try:
            data, more = spec.converted(data, filename, options.get(spec.name, {}))
        except Exception as e:  # noqa: BLE001 - parse errors are reported as libcst's
            _parse(data)
            raise InternalError(f"converting helpers: {type(e).__name__}: {e}") from None
        made |= more
    return data, made


#: An active codemod: a registered codemod's declaration, or a command class given.
Active = type | CodemodSpec


#: Hand libcst the module with uninteresting sync function bodies stood in for (see
#: :mod:`async_migrate.engine.slicing`). Tests switch it off to compare.
SLICING = True


def _by_codemod(
    data: bytes, active: list[Active], filename: str, options: dict[str, dict[str, Any]]
) -> tuple[bytes, list[Finding]] | None:
    """What :func:`_transform` gives for ``data``, computed one codemod at a time, each on
    a slice that holds only the coroutines it may act in; None when the module is not
    sliced (then the whole is used).

    Each codemod sees the previous one's output, as in :func:`_transform`; its findings
    are mapped back to ``data``'s positions. A codemod whose slice gives no answer runs on
    the whole current module instead."""
    if not SLICING:
        return None
    try:
        encoding = _encoding(data)
        original_text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None  # libcst decides, and gives the error in its own words
    current = data
    findings: list[Finding] = []
    left: frozenset[Site] = frozenset()  # sites left alone, in the input's positions
    for codemod in active:
        if current != data and not _still_needed(codemod, current, options):
            continue  # an earlier codemod rewrote what this one would have looked at
        interest = _interest(current, [codemod], options)
        if interest is not None and not interest:
            continue  # no coroutine it may act in
        moved = None if current == data else PositionMap(original_text, current.decode(encoding))
        to_input = None if moved is None else moved.to_old
        edited = None if left else _edited(codemod, current, filename, options, moved)
        if edited is not None:  # made on the statements it changes, without the module
            current, found = edited
            findings = _merge(findings, _to_input_positions(found, to_input))
            continue
        decided = None if left else _decided(codemod, current, options)
        if decided is not None:  # told without libcst: it changes nothing
            findings = _merge(findings, _to_input_positions(decided, to_input))
            continue
        step = _on_slice(current, [codemod], filename, options, interest, left, to_input)
        if step is None:
            step = _transform(
                current, [codemod], filename, options, frozenset(), None, left, to_input
            )
        code, found, left = step
        findings = _merge(findings, _to_input_positions(found, to_input))
        current = code
    return current, findings


def _on_slice(
    data: bytes,
    active: list[Active],
    filename: str,
    options: dict[str, dict[str, Any]],
    interest: frozenset[int] | None,
    left_alone: frozenset[Site] = frozenset(),
    to_input: ToInput | None = None,
    only_at: OnlyAt | None = None,
    keep_callees: bool = False,
) -> tuple[bytes, list[Finding], frozenset[Site]] | None:
    """What :func:`_transform` gives for ``data``, computed on the slice of it that keeps
    the coroutines in ``interest`` (None: all; the slice has ``data``'s line numbers),
    and the bodies of the sync functions they name if an active codemod reads them or
    ``keep_callees``; None when it is not sliced or the slice gives no answer."""
    piece = slice_module(data, interest, keep_callees=keep_callees or _reads_callees(active))
    if piece is None:
        return None
    if only_at is not None:  # its sites on stood-in lines are not in the slice
        only_at = only_at.moved(piece.original_line)
    try:
        code, findings, left = _transform(
            piece.code,
            active,
            filename,
            options,
            piece.identifiers,
            only_at,
            left_alone,
            to_input,
            bound_left_out=piece.bound,
            kept_on_self=attribute_kinds(data),
        )
    except Exception:  # noqa: BLE001 - the whole module is migrated instead, and gives
        return None  # any error in its own words
    restored = piece.restore(code)
    if restored is None:
        return None
    mapped = []
    for finding in findings:
        line = piece.original_line(finding.line)
        if line is None:
            return None
        mapped.append(replace(finding, line=line))
    return restored, mapped, left


def _encoding(data: bytes) -> str:
    """The encoding Python (and libcst) reads ``data`` in."""
    return tokenize.detect_encoding(io.BytesIO(data).readline)[0]


def _sliced(
    data: bytes,
    active: list[Active],
    filename: str,
    options: dict[str, dict[str, Any]],
    only_at: OnlyAt | None = None,
    within: frozenset[int] | None = None,
) -> tuple[bytes, list[Finding]] | None:
    """What :func:`_transform` gives for ``data``, computed on one slice for every codemod
    (an editor's quick fix: only the coroutines that hold one of ``only_at``'s sites are
    kept; an editor's analysis: only the coroutines at the lines ``within``); None when
    the module is not sliced or the slice does not give an answer (then the whole is
    used)."""
    if not SLICING:
        return None
    interest = _interest(_seen_within(data, within), active, options, whole=data)
    if only_at is not None:
        interest = _holding(data, only_at.sites, interest)
    if within is not None:
        interest = within if interest is None else interest & within
    # Within some coroutines, the slice the prefilter saw is reused when it fits.
    keep = within is not None
    answer = _on_slice(
        data, active, filename, options, interest, only_at=only_at, keep_callees=keep
    )
    return None if answer is None else answer[:2]


def _seen_within(data: bytes, within: frozenset[int] | None) -> bytes:
    """What the cheap stages look at to decide for the coroutines at the lines ``within``
    (None: all): their slice, which keeps them at their lines with what they can see, and
    costs the prefilter a fraction of the whole module; ``data`` when not sliced."""
    if within is None or not SLICING:
        return data
    piece = slice_module(data, within, keep_callees=True)
    return data if piece is None else piece.code


def _registered(codemod: Active) -> CodemodSpec | None:
    """The declaration of a registered codemod (or of its command class); None for a
    class the registry does not hold (a test's own, say)."""
    if isinstance(codemod, CodemodSpec):
        return codemod
    spec = CODEMODS.get(getattr(codemod, "NAME", ""))
    return spec if spec is not None and spec.load() is codemod else None


def _decided(
    codemod: Active, data: bytes, options: dict[str, dict[str, Any]]
) -> list[Finding] | None:
    """A registered codemod's findings in ``data`` when its ``decide`` tells them without
    libcst (it would change nothing); None: run it."""
    spec = _registered(codemod)
    if spec is None or spec.decide is None:
        return None
    return spec.decided(data, options.get(spec.name, {}))


def _edited(
    codemod: Active,
    data: bytes,
    filename: str,
    options: dict[str, dict[str, Any]],
    moved: PositionMap | None = None,
) -> tuple[bytes, list[Finding]] | None:
    """What a registered codemod's ``edit`` makes of ``data``, and its findings (in
    ``data``'s positions), without running the codemod over the module; None: run it.
    ``moved``: how the input became ``data`` (earlier codemods changed it); the sites
    its options name are moved with it, and a site on a line they changed sends the
    module to the codemod."""
    spec = _registered(codemod)
    if spec is None or spec.edit is None:
        return None
    own = options.get(spec.name, {})
    if moved is not None and own.get("sites"):
        sites = []
        for site in own["sites"]:
            at = moved.to_new(site.line, site.col)
            if at is None:
                return None
            sites.append(replace(site, line=at[0], col=at[1]))
        own = {**own, "sites": sites}
    return spec.edited(data, filename, own)


def _reads_callees(active: list[Active]) -> bool:
    """Whether an active codemod reads the bodies of the sync functions coroutines name
    (an unregistered one may)."""
    for codemod in active:
        spec = _registered(codemod)
        if spec is None or spec.reads_callees:
            return True
    return False


def _holding(
    data: bytes, sites: frozenset[tuple[int, int]], interest: frozenset[int] | None
) -> frozenset[int] | None:
    """Of ``interest`` (None: every coroutine), the outermost coroutines that hold one of
    ``sites``: nothing is rewritten in the others, so they are stood in."""
    tree = parsed.parse(data)
    if tree is None:
        return interest
    holding = parsed.coroutines_holding(tree, {line for line, _ in sites})
    return holding if interest is None else holding & interest


def _interest(
    data: bytes,
    active: list[Active],
    options: dict[str, dict[str, Any]],
    whole: bytes | None = None,
) -> frozenset[int] | None:
    """The outermost coroutines (by the line of their ``async def``) some active codemod
    may act in; None: any of them. ``whole``: the module ``data`` is a slice of."""
    names = []
    for codemod in active:
        spec = _registered(codemod)
        if spec is None:
            return None  # unregistered: no cheap stage
        names.append(spec.name)
    told = _told.get(data)
    if told is not None and all(name in told[1] for name in names):
        return _union([told[1][name] for name in names])
    return _interest_of(data, names, options, None if whole == data else whole)


def _interest_of(
    data: bytes,
    names: list[str],
    options: dict[str, dict[str, Any]],
    whole: bytes | None = None,
) -> frozenset[int] | None:
    """What :func:`_interest` says of the registered codemods ``names``."""
    targets: dict[str, Targets] = {}
    kept: list[frozenset[int] | None] = []
    for name in names:
        spec = CODEMODS[name]
        if spec.prescan is None:
            targets[spec.name] = spec.targets
            continue
        lines = spec.coroutines_of_interest(data, options.get(spec.name, {}))
        if spec.targets.names:  # the coroutine must pass both
            named = coroutine_interest(data, {spec.name: spec.targets}, whole)
            lines = _both(lines, None if named is None else named[spec.name])
        kept.append(lines)
    interest = coroutine_interest(data, targets, whole)
    if interest is None:
        return None
    return _union([*kept, *interest.values()])


def _union(sets: list[frozenset[int] | None]) -> frozenset[int] | None:
    """The coroutines in any of ``sets`` (None: any coroutine)."""
    if any(lines is None for lines in sets):
        return None
    return frozenset().union(*sets)  # type: ignore[arg-type]


def _both(first: frozenset[int] | None, second: frozenset[int] | None) -> frozenset[int] | None:
    """The coroutines in both sets (None: any coroutine)."""
    if first is None or second is None:
        return second if first is None else first
    return first & second


def _transform(
    data: bytes,
    active: list[Active],
    filename: str,
    options: dict[str, dict[str, Any]],
    identifiers: frozenset[str] = frozenset(),
    only_at: OnlyAt | None = None,
    left_alone: frozenset[Site] = frozenset(),
    to_input: ToInput | None = None,
    *,
    bound_left_out: frozenset[str] = frozenset(),
    kept_on_self: AttributeKinds | None = None,
) -> tuple[bytes, list[Finding], frozenset[Site]]:
    """The code the codemods make of ``data``, their findings in ``data``'s lines, and the
    sites left alone (a code that is off), in the input's positions; ``identifiers`` are
    those of the parts of the module left out of ``data``, ``bound_left_out`` the names
    they bind at module level that ``data`` does not; under ``only_at`` (positions in
    ``data``) its other sites are silenced. ``left_alone`` are the sites earlier codemods
    left alone and ``to_input`` maps ``data``'s positions to the input's (None: the
    same); ``kept_on_self``: what the classes of the whole module keep on ``self``, when
    ``data`` is a slice of it (otherwise read from ``data`` as it is rewritten)."""
    import libcst  # only now: most files never get this far

    from codemods.core.interface import run_codemod

    module = _with_plain_default_indent(_parse(data))
    # libcst prints a module it parsed as it was given (the decoded bytes): not printed
    # again here, nor at the end when nothing changed.
    original_text = data.decode(module.encoding)
    findings: list[Finding] = []
    # Codemods that change nothing leave the tree as it was, with its metadata: the next
    # one reuses both. The parsed tree is not copied (no node appears twice in it); a tree
    # a codemod built is, as libcst does by default, and only when another codemod will
    # read it (None until then).
    wrapper: Any = libcst.metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    before_text = original_text
    left: set[Site] = set(left_alone)  # in the input's positions
    for codemod in map(_command, active):
        if before_text != original_text and not _still_needed(
            codemod, before_text.encode(module.encoding), options
        ):
            continue  # an earlier codemod rewrote what this one would have looked at
        if wrapper is None:
            wrapper = libcst.metadata.MetadataWrapper(module)
        to_data = (
            None if before_text == original_text else PositionMap(original_text, before_text).to_old
        )
        to_origin = _then(to_data, to_input)
        try:
            outcome = run_codemod(
                codemod,
                wrapper,
                filename=filename,
                options=options.get(codemod.NAME, {}),
                reserved_names=identifiers,
                bound_left_out=bound_left_out,
                only_at=(only_at.seen_through(to_data) if only_at and to_data else only_at),
                left_alone=LeftAlone(frozenset(left), to_origin or same_position),
                source=data if before_text == original_text else None,
                attribute_kinds=(
                    kept_on_self
                    if kept_on_self is not None
                    else attribute_kinds(before_text.encode(module.encoding))
                ),
            )
            after_text = outcome.module.code
        except RecursionError:
            raise SourceError("too deeply nested to process") from None
        found = _to_input_positions(outcome.findings, to_data)
        left |= {to_origin(*site) if to_origin else site for site in outcome.left_alone}
        findings = _merge(findings, found)
        if after_text != before_text:
            module, wrapper = outcome.module, None
            before_text = after_text
    return before_text.encode(module.encoding), findings, frozenset(left)


def _then(first: ToInput | None, second: ToInput | None) -> ToInput | None:
    """``first`` then ``second`` (None: a map that changes nothing)."""
    if first is None or second is None:
        return first or second
    return lambda line, col: second(*first(line, col))


def _still_needed(codemod: Active, data: bytes, options: dict[str, Any]) -> bool:
    """Whether a registered codemod's prefilter still lets ``data`` through (unregistered
    codemods always run)."""
    entry = _registered(codemod)
    if entry is None:
        return True
    return bool(_active(data, [entry.name], options))


#: For each codemod the cheap stages keep for a module: the outermost coroutines it may act
#: in, by the line of their ``async def`` (None: any of them).
Answers = dict[str, frozenset[int] | None]


def cheap_answers(data: bytes, codemods: Sequence[str], options: dict[str, Any]) -> Answers:
    """For each of the registered codemods named that the cheap stages keep for ``data``
    with ``options``: the outermost coroutines it may act in (by the line of their ``async
    def``; None: any of them); the codemods left out have nothing to change or report
    there. What a process that parsed ``data`` for another reason (the project index)
    tells the one that migrates it (see :func:`remember`)."""
    return {
        name: _interest_of(data, [name], options) for name in _active_names(data, codemods, options)
    }


#: What another process told of a module (see :func:`remember`): its bytes -> the
#: codemods asked about, and the answers.
_told: dict[bytes, tuple[frozenset[str], Answers]] = {}


def remember(data: bytes, asked: frozenset[str], answers: Answers) -> None:
    """Take ``answers``, what :func:`cheap_answers` gave for the codemods ``asked`` about,
    for the same bytes and the same options, in another process, instead of looking at
    ``data`` again for them; only the last module told is kept."""
    _told.clear()
    _told[data] = (asked, answers)


def _active(
    data: bytes, codemods: Sequence[Codemod], options: dict[str, Any], whole: bytes | None = None
) -> list[Active]:
    """The codemods that may change or report ``data`` (a slice of ``whole``, when given),
    in order: the classes given, and the declarations of those named (their command
    classes, and libcst, are imported when a path that needs them is taken)."""
    classes = {codemod.NAME: codemod for codemod in codemods if not isinstance(codemod, str)}
    names = _active_names(data, codemods, options, whole)
    return [classes.get(name) or CODEMODS[name] for name in names]


def _command(codemod: Active) -> type:
    """The command class of an active codemod."""
    return codemod.load() if isinstance(codemod, CodemodSpec) else codemod


def _active_names(
    data: bytes, codemods: Sequence[Codemod], options: dict[str, Any], whole: bytes | None = None
) -> list[str]:
    """The names of the codemods that may change or report ``data`` (a slice of
    ``whole``, when given: what its classes keep on ``self`` is read there), in order."""
    if whole == data:
        whole = None
    if not has_coroutine(data):
        return []
    targets: dict[str, Targets] = {}
    names: list[str] = []
    prescanned: set[str] = set()
    asked, answers = _told.get(data, (frozenset(), {}))
    for codemod in codemods:
        if isinstance(codemod, str):
            if codemod in asked:
                if codemod in answers:
                    names.append(codemod)
                    prescanned.add(codemod)
                continue
            entry = CODEMODS[codemod]
            names.append(entry.name)
            if entry.prescan is None:
                targets[entry.name] = entry.targets
            elif entry.targets.names and not needing_libcst(
                data, {entry.name: entry.targets}, whole
            ):
                continue  # its targets say no: the prescan need not look
            elif entry.may_apply(data, options.get(entry.name, {})):
                prescanned.add(entry.name)
        else:
            targets[codemod.NAME] = Targets()  # unknown to the registry: no cheap stage
            names.append(codemod.NAME)
    needed = set(needing_libcst(data, targets, whole)) | prescanned
    return [name for name in names if name in needed]


def _prepared(
    data: bytes, filename: str, chosen: Sequence[Codemod], options: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """``options``, with what registered codemods derive from the module itself."""
    if not has_coroutine(data):
        return options
    out = dict(options)
    for codemod in chosen:
        name = codemod if isinstance(codemod, str) else getattr(codemod, "NAME", "")
        spec = CODEMODS.get(name)
        if spec is None or (not isinstance(codemod, str) and spec.load() is not codemod):
            continue  # unregistered: nothing to prepare
        if spec.prepare is not None:
            out[spec.name] = spec.prepared(data, filename, options.get(spec.name, {}))
    return out


def _merge(earlier: list[Finding], later: list[Finding]) -> list[Finding]:
    """One account per call: a call an earlier codemod reported and a later one (the
    offload fallback) rewrote is no longer left for manual work, and a call already
    reported is not reported twice."""
    fixed_at = {(f.line, f.col) for f in later if f.fixed}
    reported_at = {(f.line, f.col) for f in earlier if not f.fixed}
    kept = [f for f in earlier if f.fixed or (f.line, f.col) not in fixed_at]
    return kept + [f for f in later if f.fixed or (f.line, f.col) not in reported_at]


def _parse(data: bytes) -> Any:
    import libcst as cst

    try:
        return cst.parse_module(data)
    except cst.ParserSyntaxError as e:
        # Python's own message points at the error more precisely than libcst's.
        python_error = _syntax_error(data)
        if python_error is not None:
            raise SourceError(f"cannot parse: {python_error}") from None
        raise SourceError(
            f"cannot parse (libcst): line {e.raw_line}, column {e.raw_column + 1}: "
            f"{_one_line(e.message)}"
        ) from None
    except (UnicodeDecodeError, LookupError, SyntaxError) as e:
        raise SourceError(f"cannot decode: {_one_line(str(e))}") from None
    except RecursionError:
        raise SourceError("too deeply nested to parse") from None


def _with_plain_default_indent(module: Any) -> Any:
    """``module``, printing the same, with a default indentation libcst can parse again.

    libcst takes the module's default indentation from its first indented line, and
    refuses to parse new code (the imports a codemod adds) with one that holds anything
    but spaces and tabs, such as a form feed. Blocks that use the default are given it
    explicitly, so that changing the default changes nothing in the output.
    """
    import libcst as cst

    indent = module.default_indent
    if indent.strip(" \t") == "":
        return module

    class PinIndent(cst.CSTTransformer):
        def leave_IndentedBlock(
            self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
        ) -> cst.IndentedBlock:
            if updated_node.indent is None:
                return updated_node.with_changes(indent=indent)
            return updated_node

    pinned = module.visit(PinIndent()).with_changes(default_indent="    ")
    if pinned.code != module.code:
        raise SourceError(f"cannot process the indentation {indent!r}")
    return pinned


def _to_input_positions(
    found: list[Finding], to_input: Callable[[int, int], tuple[int, int]] | None
) -> list[Finding]:
    if to_input is None:
        return list(found)
    out = []
    for f in found:
        line, col = to_input(f.line, f.col)
        out.append(replace(f, line=line, col=col))
    return out


def _verify(old: bytes, new: bytes, filename: str) -> None:
    """Refuse output that Python would not compile (from the engine's parse of it, which
    the safety net and the dependency check read next)."""
    tree = parsed.parse(new)
    error = _compile_error(new if tree is None else tree, filename)
    if error is None:
        return
    if _compile_error(old, filename) is not None:
        raise SourceError(f"cannot compile the input: {error}")
    raise InternalError(f"the migrated code does not compile ({error}); file left unchanged")


def _compile_error(data: bytes | ast.Module, filename: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        return _one_line(str(e))
    except RecursionError:
        return "too deeply nested to compile"
    return None


def _syntax_error(data: bytes) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except SyntaxError as e:
        if e.lineno is None:
            return _one_line(e.msg)
        return f"line {e.lineno}, column {e.offset}: {e.msg}"
    except (ValueError, RecursionError) as e:
        return _one_line(str(e))
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())
