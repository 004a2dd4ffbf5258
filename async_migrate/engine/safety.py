"""The safety net run before anything is written: outside coroutines, nothing changed.

In the spirit of black's AST equivalence check: the input and the output are parsed
with ``ast``, the bodies of ``async def`` functions (where the rewrites are) and all
import statements (which rewrites add and remove) are masked, as are module-level
helpers a codemod declares it adds; what remains must be identical.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable

from codemods.core import parsed


def _defines_helper(statement: ast.stmt, helpers: frozenset[str]) -> bool:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return statement.name in helpers
    targets: Iterable[ast.expr] = ()
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    return bool(names) and all(n in helpers for n in names)


def _parsed(data: bytes) -> ast.Module:
    """``data``'s tree; the parse's error if it has none."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(data)


def _masked(
    tree: ast.Module, helpers: frozenset[str], coroutines: frozenset[str] = frozenset()
) -> str:
    """``tree`` masked (its module-level definitions of ``helpers`` left out too) and
    dumped, without changing it."""
    kept = [s for s in tree.body if not _defines_helper(s, helpers)]
    # Empty blocks left by removed imports would not compile, but they compare fine.
    return _dump(ast.Module(body=kept, type_ignores=tree.type_ignores), coroutines)


def changed_outside_coroutines(
    old: bytes, new: bytes, helpers: Iterable[str], converted: Iterable[str] = ()
) -> bool:
    """True if ``new`` differs from ``old`` anywhere but coroutine bodies, imports and
    module-level definitions the input did not have whose names match one of the
    ``helpers`` patterns (regular expressions, matched whole). ``converted`` names the
    sync functions of ``old`` (module-relative qualified names, ``Store.put``) made
    coroutines on purpose: they are compared as the coroutines they became, so that
    ``def`` turning into ``async def`` and their bodies changing are all they may do."""
    patterns = [re.compile(h) for h in helpers]
    # The engine's parses (the dependency check reads them next), left as they are.
    old_tree, new_tree = parsed.parse(old) or _parsed(old), parsed.parse(new) or _parsed(new)
    added = _top_level_names(new_tree) - _top_level_names(old_tree)  # one the input had stays
    new_helpers = frozenset(n for n in added if any(p.fullmatch(n) for p in patterns))
    if not converted:
        same = _same_by_statement(old_tree, new_tree, old, new, new_helpers)
        if same is not None:
            return not same
    return _masked(old_tree, frozenset(), frozenset(converted)) != _masked(new_tree, new_helpers)


def _same_by_statement(
    old_tree: ast.Module, new_tree: ast.Module, old: bytes, new: bytes, helpers: frozenset[str]
) -> bool | None:
    """What comparing the masked trees whole says, found one module-level statement at a
    time: a statement whose text is the same in both is the same tree, and only the others
    are masked and compared (a rewrite touches a few). None when the statements do not
    pair up (then the whole trees are compared), or the texts cannot be read as ``ast``
    reads them (an encoding other than UTF-8)."""
    old_lines, new_lines = _line_starts(old), _line_starts(new)
    if old_lines is None or new_lines is None:
        return None
    old_kept, new_kept = _kept(old_tree.body, frozenset()), _kept(new_tree.body, helpers)
    if len(old_kept) != len(new_kept):
        return None
    texts = (old, old_lines, new, new_lines)
    return all(
        _same(before, after, texts) for before, after in zip(old_kept, new_kept, strict=True)
    )


def _same(
    before: ast.stmt, after: ast.stmt, texts: tuple[bytes, list[int], bytes, list[int]]
) -> bool:
    """Whether two statements are the same once masked: by their text, else (two classes
    of the same name) by their heads and their bodies' statements, else masked whole."""
    old, old_lines, new, new_lines = texts
    if _text(before, old, old_lines) == _text(after, new, new_lines):
        return True
    if isinstance(before, ast.ClassDef) and isinstance(after, ast.ClassDef):
        old_body, new_body = _kept(before.body, frozenset()), _kept(after.body, frozenset())
        if len(old_body) == len(new_body) and _class_head(before) == _class_head(after):
            return all(_same(b, a, texts) for b, a in zip(old_body, new_body, strict=True))
    return _dump(before) == _dump(after)


def _class_head(node: ast.ClassDef) -> str:
    """A class masked and dumped without its body."""
    head = ast.ClassDef(**{**{f: getattr(node, f, None) for f in node._fields}, "body": []})
    return _dump(head)


def _kept(body: list[ast.stmt], helpers: frozenset[str]) -> list[ast.stmt]:
    """The statements of a body the mask keeps: not imports, nor added helpers."""
    return [
        statement
        for statement in body
        if not isinstance(statement, (ast.Import, ast.ImportFrom))
        and not _defines_helper(statement, helpers)
    ]


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _line_starts(data: bytes) -> list[int] | None:
    """The offset of each line's first byte, lines ending as ``ast`` ends them; None unless
    ``data`` is UTF-8 without a byte order mark (``ast``'s columns count its bytes then)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return None
    for line in data.split(b"\n", 2)[:2]:
        cookie = _CODING.match(line)
        if cookie and cookie.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
            return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return [0, *(m.end() for m in re.finditer(rb"\r\n|\r|\n", data))]


def _text(statement: ast.stmt, data: bytes, starts: list[int]) -> bytes:
    """The source of ``statement``, from its first decorator to its end."""
    first = min(
        [statement, *getattr(statement, "decorator_list", ())],
        key=lambda node: (node.lineno, node.col_offset),
    )
    begin = starts[first.lineno - 1] + first.col_offset
    end = starts[statement.end_lineno - 1] + statement.end_col_offset  # type: ignore[operator]
    return data[begin:end]


_PASS = [ast.Pass()]
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _dump(
    node: object, coroutines: frozenset[str] = frozenset(), scopes: tuple[str, ...] = ()
) -> str:
    """``node`` masked and dumped, without changing it: a coroutine's body as ``pass``
    (masked first: nothing in it is looked at; its decorators, defaults and annotations
    run outside), imports left out; the sync functions named in ``coroutines``
    (module-relative qualified names, ``scopes`` those around ``node``) seen as the
    coroutines they became. Two trees the same once masked dump the same."""
    if isinstance(node, ast.AST):
        cls = node.__class__
        if cls in _SCOPES:
            scopes = (*scopes, node.name)  # type: ignore[attr-defined]
            if cls is ast.FunctionDef and ".".join(scopes) in coroutines:
                cls = ast.AsyncFunctionDef
        parts = []
        for name in node._fields:
            value = getattr(node, name, None)
            if name == "body" and cls is ast.AsyncFunctionDef:
                value = _PASS
            parts.append(_dump(value, coroutines, scopes))
        return f"{cls.__name__}({', '.join(parts)})"
    if isinstance(node, list):
        kept = (
            _dump(item, coroutines, scopes)
            for item in node
            if not isinstance(item, (ast.Import, ast.ImportFrom))
        )
        return f"[{', '.join(kept)}]"
    return repr(node)


def _top_level_names(tree: ast.Module) -> frozenset[str]:
    names = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
    return frozenset(names)
