"""The codemods' import passes as edits of whole lines, decided on the module's ``ast``
tree: ``import m`` added where the passes put it, and import lines that nothing uses any
more removed, with what libcst's passes, as :func:`codemods.core.imports.run_import_passes`
runs them, make of the module, byte for byte.

The module is read as libcst reads it: the lines above its first statement are its header;
each later top-level statement (several on one line are one) owns the blank and comment
lines above it, unless they follow a compound statement and are indented (libcst may give
those to the block above: a statement whose lines above are such is never moved, removed or
read here). Then, as the passes run:

1. When the import block is not sorted as isort sorts it, the new imports go where libcst's
   adding pass puts plain imports: after the first run of one-import lines (after a
   docstring or a ``__strict__`` flag), sorted, the statement after them set off by a blank
   line.
2. Each statement binding a name to remove is removed with the lines above it; it must be
   one import all of whose names go (anything else: the passes run).
3. When the block was sorted, each new import goes where isort puts it
   (:mod:`codemods.core.import_order`), or as in step 1 when the block left is empty or no
   longer sorted.

:func:`with_imports` says None for anything else, and the libcst passes run.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field

from codemods.core import parsed
from codemods.core.import_names import Removal, all_removed, binds, bound_name
from codemods.core.import_order import Entry, entry, own_top_package, placement, sorted_sections
from codemods.core.sites import module_newline

_BLANK = re.compile(r"[ \t]*(?:\r\n|\r|\n)?")
_COMMENT = re.compile(r"[ \t]*#[^\r\n]*(?:\r\n|\r|\n)?")


@dataclass
class _Statement:
    """A top-level statement line as libcst groups them, with the lines above it."""

    #: The blank and comment lines above it that are its own; None when libcst may give
    #: some of them to the block above (then it is neither moved nor read here).
    leading: list[str] | None
    #: Its own lines, as the new text has them.
    own: list[str]
    #: The ``ast`` statements on those lines.
    nodes: list[ast.stmt] = field(default_factory=list)
    #: The lines between it and the statement above, as written (its leading lines, or,
    #: when they cannot be read, those and what the block above may own).
    gap: list[str] = field(default_factory=list)

    @property
    def single(self) -> ast.stmt | None:
        return self.nodes[0] if len(self.nodes) == 1 else None


@dataclass
class _Module:
    header: list[str]
    statements: list[_Statement]
    footer: list[str]
    newline: str

    def text(self) -> list[str]:
        out = list(self.header)
        for statement in self.statements:
            out += statement.gap if statement.leading is None else statement.leading
            out += statement.own
        return out + self.footer


def with_imports(
    tree: ast.Module,
    lines: Sequence[str],
    chunks: list[str],
    filename: str,
    add: Sequence[str] = (),
    remove: Sequence[Removal] = (),
) -> list[str] | None:
    """``chunks`` (the new text by line of the input ``lines``, whose top-level statements
    are ``tree``'s, changed only inside them) with ``import m`` for each module of ``add``
    (none of them imported at the top level yet) and the import lines of ``remove`` (none of
    them used any more, by a name or in a string) taken out, as the import passes make
    them; None where the passes may do otherwise."""
    module = _read(tree, lines, chunks)
    if module is None:
        return None
    own = own_top_package(filename)
    sortable = bool(add) and _sorted(module, own) is not None
    if add and not sortable and not _plainly_added(module, add):
        return None
    if remove and not _removed(module, remove):
        return None
    if sortable:
        left = []
        for name in add:
            if not _sorted_added(module, name, own):
                left.append(name)
        if left and not _plainly_added(module, left):
            return None
    return module.text()


# -- reading -----------------------------------------------------------------------------


def _read(tree: ast.Module, lines: Sequence[str], chunks: list[str]) -> _Module | None:
    if not tree.body or len(chunks) != len(lines):
        return None
    groups: list[tuple[int, int, list[ast.stmt]]] = []
    for node in tree.body:
        first, last = parsed.first_line(node), node.end_lineno or node.lineno
        if groups and first <= groups[-1][1]:
            groups[-1] = (groups[-1][0], max(groups[-1][1], last), [*groups[-1][2], node])
        else:
            groups.append((first, last, [node]))
    statements = []
    above = 0  # the last line of the statement above
    compound_above = False
    for first, last, nodes in groups:
        gap = chunks[above : first - 1]
        leading: list[str] | None = gap if above else []
        if above and not all(_fits(line, compound_above) for line in gap):
            leading = None
        statements.append(_Statement(leading, chunks[first - 1 : last], nodes, gap))
        above = last
        compound_above = isinstance(nodes[-1], parsed.COMPOUND_STATEMENTS)
    return _Module(
        chunks[: groups[0][0] - 1],
        statements,
        chunks[above:],
        module_newline(lines),
    )


def _fits(line: str, after_compound: bool) -> bool:
    """Whether ``line``, between two top-level statements, is a blank or comment line of
    the statement below as libcst reads it."""
    if "\f" in line or not (_BLANK.fullmatch(line) or _COMMENT.fullmatch(line)):
        return False
    return not (after_compound and line[:1] in (" ", "\t"))


def _is_comment(line: str) -> bool:
    return line.lstrip(" \t").startswith("#")


# -- adding as libcst's pass does -------------------------------------------------------


def _plainly_added(module: _Module, names: Sequence[str]) -> bool:
    """Add ``import m`` for ``names`` where libcst's adding pass puts plain imports;
    False when a statement it reads is one this model cannot read."""
    statements = module.statements
    at = 1 if statements and _kept_first(statements[0]) else 0
    present = set()
    while at < len(statements) and _import_line(statements[at]):
        node = statements[at].single
        if isinstance(node, ast.Import):
            present |= {a.name for a in node.names if a.asname is None}
        at += 1
    wanted = sorted({n for n in names if n not in present})
    if not wanted:
        return True
    if at < len(statements):
        after = statements[at]
        if after.leading is None:
            return False
        if not after.leading or _is_comment(after.leading[0]):
            after.leading = [module.newline, *after.leading]
    elif not _ends_a_line(module):
        return False
    new = [_new_import(module, name) for name in wanted]
    statements[at:at] = new
    return True


def _new_import(module: _Module, name: str) -> _Statement:
    """The statement ``import name``, as the passes write it, read as the others are."""
    node = ast.Import(names=[ast.alias(name=name, asname=None)])
    return _Statement([], [f"import {name}{module.newline}"], [node])


def _kept_first(statement: _Statement) -> bool:
    """A first statement libcst's adding pass never puts an import above: a docstring (one
    plain string) or a ``__strict__`` flag."""
    node = statement.single
    if isinstance(node, ast.Expr):
        value = node.value
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str | bytes)):
            return False
        return _one_string("".join(statement.own))
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == "__strict__"
    )


def _one_string(code: str) -> bool:
    """Whether ``code`` (a statement) is one string literal, not several side by side."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return False
    strings = [t for t in tokens if t.type == tokenize.STRING]
    return len(strings) == 1


def _import_line(statement: _Statement) -> bool:
    return isinstance(statement.single, (ast.Import, ast.ImportFrom))


def _ends_a_line(module: _Module) -> bool:
    last = module.statements[-1].own if module.statements else module.header
    return bool(last) and last[-1].endswith(("\n", "\r"))


# -- removing ------------------------------------------------------------------------------


def _removed(module: _Module, remove: Sequence[Removal]) -> bool:
    """Remove the import lines of ``remove`` with the lines above them; False when a
    statement binding one of their names is not such a line."""
    plain = [name for name, obj, _ in remove if obj is None]
    if len(plain) != len(set(plain)):
        return False  # several aliases of a module: the passes run again
    names = {bound_name(r) for r in remove}
    kept = []
    for statement in module.statements:
        if not any(binds(node, names) for top in statement.nodes for node in _all(top)):
            kept.append(statement)
            continue
        node = statement.single
        if statement.leading is None or not _dropped(node, remove):
            return False
    module.statements = kept
    return bool(kept)


def _all(statement: ast.stmt) -> list[ast.stmt]:
    return [statement, *parsed.statements(statement)]


def _dropped(node: ast.stmt | None, remove: Sequence[Removal]) -> bool:
    """Whether the removal pass removes the whole import ``node``."""
    if isinstance(node, ast.Import):
        return all_removed(remove, False, None, [(a.name, a.asname) for a in node.names])
    if isinstance(node, ast.ImportFrom):
        star = any(a.name == "*" for a in node.names)
        module = None if node.level or star else node.module
        return all_removed(remove, True, module, [(a.name, a.asname) for a in node.names])
    return False


# -- adding where isort puts it ---------------------------------------------------------------


def _block(module: _Module) -> list[Entry] | None:
    """The first run of top-level import statements (after a docstring), read as
    :func:`codemods.core.sorted_imports.is_sorted` reads them; None where it says the
    block is not sorted, or a statement's lines above it cannot be read."""
    statements = module.statements
    start = 1 if statements and _is_docstring(statements[0]) is True else 0
    if statements and _is_docstring(statements[0]) is None:
        return None
    entries: list[Entry] = []
    for index in range(start, len(statements)):
        statement = statements[index]
        if not any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in statement.nodes):
            break
        node = statement.single
        leading = statement.leading
        if node is None or leading is None:
            return None
        if "isort:" in "".join(leading + statement.own):
            return None
        comments = [_is_comment(line) for line in leading]
        if isinstance(node, ast.Import):
            names = [(a.name, a.asname) for a in node.names]
            found = entry(index, False, names[0][0], 0, names, comments, not entries)
        else:
            assert isinstance(node, ast.ImportFrom)
            names = [(a.name, a.asname) for a in node.names]
            found = entry(index, True, node.module or "", node.level, names, comments, not entries)
        if found is None:
            return None
        entries.append(found)
    return entries


def _is_docstring(statement: _Statement) -> bool | None:
    """Whether the statement is a docstring as libcst's tree shows one (one string, or
    strings side by side); None for an f-string beside other strings, which libcst reads
    as strings side by side and ``ast`` as one f-string."""
    node = statement.single
    if not isinstance(node, ast.Expr):
        return False
    if isinstance(node.value, ast.Constant):
        return isinstance(node.value.value, str | bytes)
    if isinstance(node.value, ast.JoinedStr):
        return False if _one_string("".join(statement.own)) else None
    return False


def _sorted(module: _Module, own: str | None) -> object | None:
    block = _block(module)
    return None if block is None else sorted_sections(block, own)


def _sorted_added(module: _Module, name: str, own: str | None) -> bool:
    """Add ``import name`` where isort puts it; False when the block is empty or not
    sorted (then it is added as libcst's pass adds it)."""
    block = _block(module)
    groups = None if block is None else sorted_sections(block, own)
    if groups is None:
        return False
    where = placement(groups, name)
    new = _new_import(module, name)
    statements = module.statements
    if where.blank_above:
        new.leading = [module.newline]
    before = where.before
    if before is not None:
        statement = statements[before.index]
        lines = statement.leading or []
        own_lines = lines[before.above :]
        statement.leading = [module.newline, *own_lines] if where.new_group or own_lines else []
        new.leading = lines[: before.above]
    if where.index == len(statements) and not _ends_a_line(module):
        return False
    statements.insert(where.index, new)
    return True
