"""Hand libcst only the part of a module a codemod can change.

libcst's cost grows with the whole module: every codemod resolves scopes and positions over
every node. The codemods only rewrite coroutines (and the imports and helpers at the top),
so before libcst sees the module, each sync function that neither contains a coroutine nor
is read by a codemod that needs it, each coroutine the codemod has no interest in, and the
body of each class that neither contains a kept coroutine nor defines a name one mentions,
is replaced by a stand-in that defines and reads the same module-level names, as high as
what it replaced::

    @cache                                    def helper(_=(cache, Path,)): (json, load,); \"\"\"
    def helper(path: Path) -> dict:    ->
        data = load(path)                     \"\"\"  # <mark>-0
        return json.loads(data)

A module's or class body's assignment of a literal made of constants only, over several
lines (a table of models, a dict of settings), becomes the same names bound to an empty
literal of the same type (``MODELS = []``, padded the same way): it reads no name, calls
nothing and makes no object a codemod knows, so none of them learns anything from what it
holds. Special names (``__all__``) keep their lines.

So what the codemods ask of the module stays true: which imports are still used, which
module names are bound where, what a coroutine's names are bound to, which functions are
coroutines, and every other line keeps its number (so do the line numbers codemods put in
their messages). The identifiers the replaced lines held travel beside the slice
(:attr:`Slice.identifiers`), so that a name a codemod invents avoids them as before. After
the codemod ran, each stand-in is put back as the lines it replaced. The result is then
checked on the whole module like any other (it compiles; nothing outside coroutines
changed), and if a stand-in did not come back whole, exactly once, the codemod runs on the
whole module instead.

A module without a final newline is sliced with one added (the line ending its first line
ends with), taken off again when the stand-ins are put back.

A function with ``global`` statements in its own scope stands in with the same ones and
the same names bound (by assignment), when no kept coroutine mentions those names and it
binds none of them by an import or a ``del``.

Not sliced: modules with a lone carriage return as a line ending, functions and class
bodies that start on the ``def``/``class`` line or after a backslash continuation, those
that hold a ``nonlocal`` statement or an ``async-migrate`` comment, class bodies holding
a ``global`` statement, and functions holding one otherwise than as above.
"""

from __future__ import annotations

import ast
import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from async_migrate.engine.prefilter import coroutine_lines
from codemods.core import parsed
from codemods.registry import CODEMODS

#: Bodies shorter than this many lines are left in place: not worth a stand-in.
MIN_LINES = 3

#: The module-level helpers codemods add and look for by name (``_process_pool``): each
#: keeps a stand-in of its own that is a function.
_HELPER = re.compile("|".join(p for spec in CODEMODS.values() for p in spec.helpers) or "(?!)")


@dataclass(frozen=True)
class Slice:
    """A module with some functions and class bodies replaced by stand-ins as high as what
    they replaced (one line, padded with an empty string literal spanning the others):
    every other line keeps its number, and so do the line numbers codemods put in their
    messages."""

    code: bytes
    #: For each stand-in: its first line (1-based, in ``code`` as in the input), its
    #: lines, and the original lines it replaced (as many).
    stand_ins: tuple[tuple[int, tuple[bytes, ...], tuple[bytes, ...]], ...]
    #: Every identifier the replaced lines held: names the codemods invent must avoid them
    #: as if they were still there.
    identifiers: frozenset[str] = frozenset()
    #: The module-level names of the functions a shared stand-in replaced: ``code`` no
    #: longer binds them, the codemods take them for bound.
    bound: frozenset[str] = frozenset()
    #: The line ending added at the end of a module that had no final newline.
    added: bytes = b""

    def restore(self, new: bytes) -> bytes | None:
        """``new`` (the migrated ``code``) with what every stand-in replaced put back; None
        if a stand-in is not in ``new`` exactly once, whole."""
        by_last = {stand_in[-1]: (stand_in, body) for _, stand_in, body in self.stand_ins}
        out: list[bytes] = []
        seen = 0
        for line in new.splitlines(keepends=True):
            found = by_last.get(line)
            if found is None:
                out.append(line)
                continue
            stand_in, body = found
            before = len(stand_in) - 1
            if before and tuple(out[-before:]) != stand_in[:-1]:
                return None
            del out[len(out) - before :]
            out.extend(body)
            seen += 1
        if seen != len(self.stand_ins):
            return None
        restored = b"".join(out)
        if self.added:
            if not restored.endswith(self.added):
                return None
            return restored[: -len(self.added)]
        return restored

    def original_line(self, line: int) -> int | None:
        """The line of the input that ``line`` of ``code`` is (the same); None for a
        stand-in or its blank lines."""
        starts = [at for at, _, _ in self.stand_ins]
        index = bisect_right(starts, line)
        if index:
            at, _, body = self.stand_ins[index - 1]
            if line < at + len(body):
                return None
        return line


@lru_cache(maxsize=4)  # an editor's analysis slices the same way twice (see migrate)
def slice_module(
    data: bytes, coroutines_kept: frozenset[int] | None = None, *, keep_callees: bool = True
) -> Slice | None:
    """``data`` with the bodies of uninteresting sync functions stood in for, and of the
    outermost coroutines not in ``coroutines_kept`` (lines of their ``async def``; None: all
    are kept); None if there is nothing worth slicing or the module is not one this can
    slice safely. ``keep_callees``: keep the bodies of the sync functions a kept coroutine
    names (a codemod reads them)."""
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    added = b""
    if not data.endswith(b"\n"):
        first_line, newline, _ = data.partition(b"\n")
        if not newline or _continued(data.rpartition(b"\n")[2]):
            return None
        added = b"\r\n" if first_line.endswith(b"\r") else b"\n"
        data += added
    tree = parsed.parse(data)
    if tree is None:
        return None
    lines = data.splitlines(keepends=True)
    coroutines = coroutine_lines(data) if coroutines_kept is None else sorted(coroutines_kept)
    used = _named_in_coroutines(tree, coroutines_kept)
    module_names = _module_names(tree)
    identifiers: set[str] = set()
    mark = _mark(data)
    # first line, last line (1-based), the stand-in's lines
    regions: list[tuple[int, int, tuple[bytes, ...]]] = []
    # The functions stood in that are statements of the module or of a class body, by their
    # region's first line; those no other code names share stand-ins (see _merged).
    mergeable: dict[int, _Mergeable] = {}

    def stand_in(
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, owner: ast.AST | None = None
    ) -> tuple[int, int, tuple[bytes, ...]] | None:
        """The region ``node`` gives up to a stand-in (first and last line, the stand-in's
        lines), or None: a function whole, a class its body. ``owner``: the module or the
        class whose statement ``node`` is (None: any other place)."""
        whole = not isinstance(node, ast.ClassDef)
        start = node if whole else node.body[0]
        first, last = parsed.first_line(start), node.end_lineno or node.lineno
        if any(first <= c <= last for c in coroutines) or last - first + 1 < MIN_LINES:
            return None
        if isinstance(node, ast.ClassDef):
            if used & ({node.name} | _defined_in_class(node)):
                return None
        elif keep_callees and node.name in used and not isinstance(node, ast.AsyncFunctionDef):
            return None
        indent = _indent(lines[first - 1])
        if len(indent) != start.col_offset:
            return None  # the body starts on the def line
        if whole and not lines[node.lineno - 1].startswith(indent):
            return None
        if first >= 2 and _continued(lines[first - 2]):
            return None
        body = b"".join(lines[first - 1 : last])
        if b"async-migrate" in body:
            return None
        declared: frozenset[str] = frozenset()
        if _declares_global(node, body):
            found = None if isinstance(node, ast.ClassDef) else _own_globals(node)
            if found is None or found & used or any(_HELPER.fullmatch(n) for n in found):
                return None
            declared = found
        comment = f"  # {mark}-{len(regions)}".encode("ascii")
        if isinstance(node, ast.ClassDef):
            text = _class_stand_in(node, module_names, identifiers)
        else:
            text, reads = _function_stand_in(node, module_names, identifiers, declared)
            if owner is not None and not declared and _may_share(node, owner, reads):
                mergeable[first] = _Mergeable(node, reads, id(owner), indent)
        return _region(first, last, indent + text.encode("ascii"), comment, lines)

    def literal_stand_in(statement: ast.Assign) -> tuple[int, int, tuple[bytes, ...]] | None:
        """The region a module's or class body's ``name = <literal>`` gives up to a
        stand-in binding the same names to an empty literal of the same type, or None."""
        empty = _EMPTY.get(statement.value.__class__)
        first, last = statement.lineno, statement.end_lineno or statement.lineno
        if empty is None or last - first + 1 < MIN_LINES:
            return None
        names = [t.id for t in statement.targets if isinstance(t, ast.Name)]
        if len(names) != len(statement.targets) or any(n.startswith("__") for n in names):
            return None  # ``__all__``, ``__slots__``: read by name
        indent = _indent(lines[first - 1])
        if len(indent) != statement.col_offset or (first >= 2 and _continued(lines[first - 2])):
            return None
        after = lines[last - 1][statement.end_col_offset :].strip()  # type: ignore[misc]
        if after and not after.startswith(b"#"):
            return None  # another statement on its last line
        body = b"".join(lines[first - 1 : last])
        if b"async-migrate" in body or not _pure_literal(statement.value):
            return None
        comment = f"  # {mark}-{len(regions)}".encode("ascii")
        text = indent + " = ".join([*names, empty]).encode("ascii")
        return _region(first, last, text, comment, lines)

    def visit(node: ast.AST) -> None:
        owner = node if node is tree or isinstance(node, ast.ClassDef) else None
        for child in parsed.children(node):
            if owner is not None and isinstance(child, ast.Assign):
                region = literal_stand_in(child)
                if region is not None:
                    regions.append(region)
                    continue
            if isinstance(child, ast.AsyncFunctionDef):
                # A coroutine is migrated whole, or (no codemod may act in it) stood in.
                if coroutines_kept is not None and child.lineno not in coroutines_kept:
                    region = stand_in(child, owner)
                    if region is not None:
                        regions.append(region)
                continue
            if isinstance(child, (ast.FunctionDef, ast.ClassDef)):
                region = stand_in(child, owner)
                if region is not None:
                    regions.append(region)
                    continue
            visit(child)

    try:
        visit(tree)
    except UnicodeEncodeError:  # a non-ASCII identifier: not worth handling encodings
        return None
    if not regions:
        return None
    named = _named_outside(tree, [entry.node for entry in mergeable.values()])
    mergeable = {at: entry for at, entry in mergeable.items() if entry.name not in named}
    regions, bound = _merged(sorted(regions), mergeable, lines, mark)
    out: list[bytes] = []
    stand_ins: list[tuple[int, tuple[bytes, ...], tuple[bytes, ...]]] = []
    position = 1
    for first, last, stand_in in regions:
        out.extend(lines[position - 1 : first - 1])
        stand_ins.append((first, stand_in, tuple(lines[first - 1 : last])))
        out.extend(stand_in)
        position = last + 1
    out.extend(lines[position - 1 :])
    code = b"".join(out)
    if parsed.parse(code) is None:  # a stand-in this module does not allow: a bug
        return None
    return Slice(code, tuple(stand_ins), frozenset(identifiers), bound, added)


#: The empty literal a stand-in binds in place of a literal of each type.
_EMPTY = {ast.List: "[]", ast.Tuple: "()", ast.Dict: "{}"}


def _pure_literal(node: ast.AST) -> bool:
    """Whether ``node`` is made of constants only (in lists, tuples, sets and dicts): it
    reads no name and calls nothing, so no codemod learns anything from what it holds."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Constant):
            continue
        if isinstance(current, (ast.List, ast.Tuple, ast.Set)):
            stack.extend(current.elts)
        elif isinstance(current, ast.Dict) and None not in current.keys:
            stack.extend(current.keys)  # type: ignore[arg-type]
            stack.extend(current.values)
        elif (
            isinstance(current, ast.UnaryOp)
            and isinstance(current.op, (ast.USub, ast.UAdd))
            and isinstance(current.operand, ast.Constant)
        ):
            continue
        else:
            return False
    return True


def _region(
    first: int, last: int, head: bytes, comment: bytes, lines: list[bytes]
) -> tuple[int, int, tuple[bytes, ...]]:
    """Lines ``first`` to ``last`` given up to the stand-in ``head``: one line ending in
    ``comment``, padded over the others with an empty string literal, so that every other
    line keeps its number."""
    ending = b"\r\n" if lines[last - 1].endswith(b"\r\n") else b"\n"
    if first == last:
        return first, last, (head + comment + ending,)
    padding = (ending,) * (last - first - 1)
    return first, last, (head + b'; """' + ending, *padding, b'"""' + comment + ending)


def _indent(line: bytes) -> bytes:
    """The whitespace ``line`` starts with."""
    return line[: len(line) - len(line.lstrip(b" \t\f"))]


def _continued(line: bytes) -> bool:
    """Whether ``line`` ends with a backslash continuation."""
    return line.rstrip(b"\r\n").endswith(b"\\")


@dataclass(frozen=True)
class _Mergeable:
    """A function stood in that may share its stand-in with its neighbours."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    reads: set[str]
    owner: int  # id() of the module or class whose statement it is
    indent: bytes

    @property
    def name(self) -> str:
        return self.node.name


def _may_share(
    node: ast.FunctionDef | ast.AsyncFunctionDef, owner: ast.AST, reads: set[str]
) -> bool:
    """Whether ``node``'s stand-in may be one statement with its neighbours': not a helper
    a codemod looks for by name, and in a class, not a special method (Python calls those
    by itself) and reading no name the class body binds (read from the class body, it would
    be the class's)."""
    if not isinstance(owner, ast.ClassDef):
        return not _HELPER.fullmatch(node.name)
    if node.name.startswith("__") and node.name.endswith("__"):
        return False
    return not reads & _defined_in_class(owner)


def _merged(
    regions: list[tuple[int, int, tuple[bytes, ...]]],
    mergeable: dict[int, _Mergeable],
    lines: list[bytes],
    mark: str,
) -> tuple[list[tuple[int, int, tuple[bytes, ...]]], frozenset[str]]:
    """``regions`` (sorted), with each run of two or more functions of the same module or
    class body that no other code names, with nothing but blank and comment lines between
    them, given one stand-in that reads what they read, ``(reads,); \"\"\" ... \"\"\"``;
    and the names of the module-level ones. No codemod asks what those names are bound to,
    only whether the module binds them (the codemods are told, see :attr:`Slice.bound`);
    libcst then walks one short statement instead of one per function (an editor's analysis
    of one coroutine of a module of hundreds; a method of a class of hundreds)."""
    runs: list[list[tuple[int, int, tuple[bytes, ...]]]] = []
    for region in regions:
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and previous[0] in mergeable
            and region[0] in mergeable
            and mergeable[previous[0]].owner == mergeable[region[0]].owner
            and mergeable[previous[0]].indent == mergeable[region[0]].indent
            and all(_blank_or_comment(line) for line in lines[previous[1] : region[0] - 1])
        ):
            runs[-1].append(region)
        else:
            runs.append([region])
    out: list[tuple[int, int, tuple[bytes, ...]]] = []
    bound: set[str] = set()
    for run in runs:
        if len(run) == 1:
            out.append(run[0])
            continue
        first, last = run[0][0], run[-1][1]
        entries = [mergeable[region[0]] for region in run]
        names = {entry.name for entry in entries}
        if entries[0].indent == b"":  # the module's: it no longer binds them
            bound |= names
        reads = set().union(*(entry.reads for entry in entries)) - names
        head = entries[0].indent + _line(set(), reads).encode("ascii")
        out.append(_region(first, last, head, f"  # {mark}-L{first}".encode("ascii"), lines))
    return out, frozenset(bound)


def _named_outside(tree: ast.Module, left_out: list[ast.AST]) -> set[str]:
    """Every identifier named (as a name or an attribute) outside the nodes ``left_out``."""
    skipped = set(map(id, left_out))
    named: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in parsed.children(node):
            if id(child) in skipped:
                continue
            if isinstance(child, ast.Name):
                named.add(child.id)
            elif isinstance(child, ast.Attribute):
                named.add(child.attr)
            stack.append(child)
    return named


def _own_globals(function: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str] | None:
    """The names ``function`` declares ``global`` in its own scope, when that is all it
    does of the kind: None if a scope nested in it declares any, it declares a name
    ``nonlocal``, or binds one it declares global by an import or a ``del`` (a stand-in
    binds them by assignment)."""
    declared: set[str] = set()
    stack: list[tuple[ast.AST, bool]] = [(child, True) for child in parsed.children(function)]
    while stack:
        node, own = stack.pop()
        if isinstance(node, ast.Nonlocal):
            return None
        if isinstance(node, ast.Global):
            if not own:
                return None
            declared.update(node.names)
        nested = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))
        stack.extend((child, own and not nested) for child in parsed.children(node))
    for node in parsed.walk(function):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if {(a.asname or a.name).split(".")[0] for a in node.names} & declared:
                return None
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Del):
            if node.id in declared:
                return None
    return frozenset(declared)


def _declares_global(node: ast.AST, text: bytes) -> bool:
    """Whether ``node`` (its source ``text``) holds a ``global`` or ``nonlocal``
    statement: what it binds there is not its own (the words in a name, a string or a
    comment do not count)."""
    if b"global" not in text and b"nonlocal" not in text:
        return False
    return parsed.declares_outside(node)


def _blank_or_comment(line: bytes) -> bool:
    text = line.strip()
    return not text or (text.startswith(b"#") and b"async-migrate" not in text)


def _named_in_coroutines(tree: ast.Module, kept: frozenset[int] | None) -> set[str]:
    """Every identifier a coroutine that is kept mentions, as a name or an attribute
    (``self.helper``)."""
    used: set[str] = set()
    for node in parsed.outermost_coroutines(tree):
        if kept is None or node.lineno in kept:
            for inner in parsed.walk(node):
                if isinstance(inner, ast.Name):
                    used.add(inner.id)
                elif isinstance(inner, ast.Attribute):
                    used.add(inner.attr)
    return used


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _module_names(tree: ast.Module) -> set[str]:
    """Every name the module may bind globally (a superset): what module-level code binds,
    outside function bodies, and what any function declares ``global``."""
    names: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in parsed.children(node):
            if isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Load):
                names.add(child.id)
            elif isinstance(child, ast.alias):
                names.add((child.asname or child.name).split(".")[0])
            elif isinstance(child, ast.Global):
                names.update(child.names)
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(child.name)
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in parsed.statements(child):  # a global statement is a statement
                    if isinstance(inner, ast.Global):
                        names.update(inner.names)
                continue
            if isinstance(child, ast.Lambda):
                continue  # holds no statement
            stack.append(child)
    return names


def _defined_in_class(node: ast.ClassDef) -> set[str]:
    """The names a class body defines directly: methods, nested classes, attributes."""
    names: set[str] = set()
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        else:
            names.update(
                n.id
                for n in parsed.walk(statement)
                if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
            )
    return names


def _function_stand_in(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    module_names: set[str],
    identifiers: set[str],
    declared: frozenset[str] = frozenset(),
) -> tuple[str, set[str]]:
    """One line that defines the function again (``async`` or not, same name, the same
    return annotation when it is a dotted name), reads the module's names its decorators,
    defaults and annotations read (as a default, evaluated where the original header is),
    and, in its body, declares ``global`` the names it
    declares so, binds the module's names the body binds in the function's own scope (those
    declared global: at module level, as it does) and reads those it may read from outside;
    and the module's names it reads. Every identifier of the function is added to
    ``identifiers``."""
    identifiers.add(function.name)
    arguments = function.args
    parameters = parsed.parameter_names(arguments)
    header: set[str] = set()
    for part in [*function.decorator_list, arguments, function.returns]:
        if part is not None:
            header |= _loads(part, identifiers)
    bound, read = _function_names(function, identifiers)
    read -= parameters
    keyword = "async def" if isinstance(function, ast.AsyncFunctionDef) else "def"
    header_reads = header & module_names
    signature = f"(_=({', '.join(sorted(header_reads))},))" if header_reads else "()"
    declaration = f"global {', '.join(sorted(declared))}; " if declared else ""
    returns = parsed.dotted(function.returns)  # what a codemod may read of a call of it
    annotation = f" -> {returns}" if returns else ""
    line = f"{keyword} {function.name}{signature}{annotation}: {declaration}" + _line(
        bound & module_names, read & module_names
    )
    return line, header_reads | (read & module_names)


def _class_stand_in(node: ast.ClassDef, module_names: set[str], identifiers: set[str]) -> str:
    """One line that reads the module's names the class body and its methods may read
    (a class body binds nothing its methods or the module see)."""
    return _line(set(), _class_reads(node, identifiers) & module_names)


def _class_reads(node: ast.ClassDef, identifiers: set[str]) -> set[str]:
    read: set[str] = set()
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            identifiers.add(statement.name)
            header = [*statement.decorator_list, statement.args]
            if statement.returns is not None:
                header.append(statement.returns)
            for part in header:
                read |= _loads(part, identifiers)
            bound, inner = _function_names(statement, identifiers)
            read |= inner - bound
        elif isinstance(statement, ast.ClassDef):
            identifiers.add(statement.name)
            for part in [*statement.decorator_list, *statement.bases, *statement.keywords]:
                read |= _loads(part, identifiers)
            read |= _class_reads(statement, identifiers)
        else:
            read |= _loads(statement, identifiers)
    return read


def _loads(node: ast.AST, identifiers: set[str]) -> set[str]:
    """Every name ``node`` reads, anywhere in it; its identifiers go to ``identifiers``."""
    read: set[str] = set()
    for inner in parsed.walk(node):
        if isinstance(inner, ast.Name):
            identifiers.add(inner.id)
            if isinstance(inner.ctx, ast.Load):
                read.add(inner.id)
        else:
            identifiers.update(_identifiers_of(inner))
    return read


def _identifiers_of(node: ast.AST) -> list[str]:
    """The identifiers a node other than a Name spells (libcst makes each a Name)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.keyword):
        return [node.arg] if node.arg else []
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.alias):
        return [*node.name.split("."), *((node.asname,) if node.asname else ())]
    if isinstance(node, ast.ImportFrom):
        return node.module.split(".") if node.module else []
    if isinstance(node, (ast.MatchAs, ast.MatchStar)):
        return [node.name] if node.name else []
    if isinstance(node, ast.MatchMapping):
        return [node.rest] if node.rest else []
    return []


#: The node classes other than Name that spell identifiers (see :func:`_identifiers_of`).
_SPELLING = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Attribute,
    ast.keyword,
    ast.arg,
    ast.alias,
    ast.ImportFrom,
    ast.MatchAs,
    ast.MatchStar,
    ast.MatchMapping,
)


def _line(bound: set[str], read: set[str]) -> str:
    parts = []
    if bound:
        parts.append(" = ".join(sorted(bound)) + " = None")
    if read:
        parts.append("(" + ", ".join(sorted(read)) + ",)")
    return "; ".join(parts) or "pass"


def _function_names(function: ast.FunctionDef, identifiers: set[str]) -> tuple[set[str], set[str]]:
    """The names the body binds in the function's own scope, and those any part of it may
    read from outside it; every identifier in the body is added to ``identifiers``."""
    bound: set[str] = set()
    read: set[str] = set()

    def bind(name: str, own: bool) -> None:
        identifiers.add(name)
        if own:
            bound.add(name)

    # (node, in the function's own scope, in a comprehension), one loop for the whole body
    stack: list[tuple[ast.AST, bool, bool]] = [(s, True, False) for s in function.body]
    pop, push = stack.pop, stack.append
    fields_of = parsed.node_fields
    while stack:
        node, own, comprehension = pop()
        cls = node.__class__
        if cls is ast.Name:
            identifiers.add(node.id)  # type: ignore[attr-defined]
            if node.ctx.__class__ is ast.Load:  # type: ignore[attr-defined]
                read.add(node.id)  # type: ignore[attr-defined]
            else:
                bind(node.id, own and not comprehension)  # type: ignore[attr-defined]
            continue
        if cls in _SPELLING:
            identifiers.update(_identifiers_of(node))
        if cls is ast.NamedExpr:  # binds in the function, even in a comprehension
            bind(node.target.id, own)  # type: ignore[attr-defined]
            push((node.value, own, comprehension))  # type: ignore[attr-defined]
            continue
        if cls in _SCOPES:
            if cls is not ast.Lambda:
                bind(node.name, own and not comprehension)  # type: ignore[attr-defined]
            for field in fields_of(cls):
                value = getattr(node, field, None)
                for child in value if value.__class__ is list else (value,):
                    if isinstance(child, ast.AST):
                        # the body runs in a scope of its own; decorators, defaults,
                        # annotations and bases are evaluated here
                        push(
                            (child, False, False)
                            if field == "body"
                            else (child, own, comprehension)
                        )
            continue
        if cls in _COMPREHENSIONS:
            comprehension = True
        else:
            local = own and not comprehension
            if cls is ast.alias:
                bind((node.asname or node.name).split(".")[0], local)  # type: ignore[attr-defined]
            elif cls is ast.ExceptHandler or cls is ast.MatchAs or cls is ast.MatchStar:
                if node.name:  # type: ignore[attr-defined]
                    bind(node.name, local)  # type: ignore[attr-defined]
            elif cls is ast.MatchMapping and node.rest:  # type: ignore[attr-defined]
                bind(node.rest, local)  # type: ignore[attr-defined]
        for child in parsed.children(node):
            push((child, own, comprehension))
    return bound, read - bound


def _mark(data: bytes) -> str:
    """A comment text that does not occur in ``data``."""
    digest = hashlib.sha256(data).hexdigest()[:12]
    mark = f"async-migrate-sliced-{digest}"
    while mark.encode() in data:
        mark += "x"
    return mark
