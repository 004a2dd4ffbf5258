"""Migrate one module's source: bytes in, bytes and findings out.

The stages, cheapest first: a byte search for a coroutine, each codemod's own byte
prefilter, then libcst. Output is compiled before it is returned; output that does
not compile is an internal error, never a result.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext

from async_migrate.positions import PositionMap
from async_migrate.registry import CODEMODS
from codemods.common import AsyncCodemod, Finding, findings_of

_COROUTINE = re.compile(rb"async[ \t\\\r\n]+def\b")


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

    @property
    def rewrites(self) -> list[Finding]:
        return [f for f in self.findings if f.fixed]

    @property
    def left(self) -> list[Finding]:
        return [f for f in self.findings if not f.fixed]


def migrate_source(
    code: bytes | str,
    codemods: Sequence[type[AsyncCodemod]] | None = None,
    filename: str = "<string>",
    options: dict[str, dict[str, Any]] | None = None,
) -> Migration:
    """Run ``codemods`` (default: all) over ``code``.

    ``options`` maps a codemod's name to keyword arguments for its constructor.
    A ``str`` is returned as UTF-8 bytes in :attr:`Migration.code`.
    """
    data = code.encode("utf-8") if isinstance(code, str) else code
    chosen = list(CODEMODS.values()) if codemods is None else list(codemods)
    active = [c for c in chosen if _may_apply(c, data)]
    if not active or not _COROUTINE.search(data):
        return Migration(data, False)
    module = _parse(data)
    try:
        original_text = module.code
    except RecursionError:
        raise SourceError("too deeply nested to process") from None
    findings: list[Finding] = []
    for codemod in active:
        before_text = module.code
        context = CodemodContext(filename=filename)
        kwargs = (options or {}).get(codemod.NAME, {})
        try:
            module = codemod(context, **kwargs).transform_module(module)
        except RecursionError:
            raise SourceError("too deeply nested to process") from None
        found = _to_input_positions(findings_of(context), original_text, before_text)
        findings = _merge(findings, found)
    new = module.bytes
    if new == data:
        return Migration(data, False, sorted(findings))
    _verify(data, new, filename)
    return Migration(new, True, sorted(findings))


def _merge(earlier: list[Finding], later: list[Finding]) -> list[Finding]:
    """One account per call: a call an earlier codemod reported and a later one (the
    offload fallback) rewrote is no longer left for manual work, and a call already
    reported is not reported twice."""
    fixed_at = {(f.line, f.col) for f in later if f.fixed}
    reported_at = {(f.line, f.col) for f in earlier if not f.fixed}
    kept = [f for f in earlier if f.fixed or (f.line, f.col) not in fixed_at]
    return kept + [f for f in later if f.fixed or (f.line, f.col) not in reported_at]


def _may_apply(codemod: type[AsyncCodemod], data: bytes) -> bool:
    return not codemod.PREFILTER or any(token in data for token in codemod.PREFILTER)


def _parse(data: bytes) -> cst.Module:
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


def _to_input_positions(
    found: list[Finding], original_text: str, before_text: str
) -> list[Finding]:
    if before_text == original_text:
        return list(found)
    mapping = PositionMap(original_text, before_text)
    out = []
    for f in found:
        line, col = mapping.to_old(f.line, f.col)
        out.append(replace(f, line=line, col=col))
    return out


def _verify(old: bytes, new: bytes, filename: str) -> None:
    """Refuse output that Python would not compile."""
    error = _compile_error(new, filename)
    if error is None:
        return
    if _compile_error(old, filename) is not None:
        raise SourceError(f"cannot compile the input: {error}")
    raise InternalError(f"the migrated code does not compile ({error}); file left unchanged")


def _compile_error(data: bytes, filename: str) -> str | None:
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
        return f"line {e.lineno}, column {e.offset}: {e.msg}"
    except (ValueError, RecursionError) as e:
        return _one_line(str(e))
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())
