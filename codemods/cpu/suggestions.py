"""Which module-level sync functions look CPU-bound (loops, no I/O), so that calls to them
from coroutines are suggested for offloading. Pure syntax, on the stdlib ``ast``: the
prescan and the codemod ask the same question the same way.

Loop-heavy: a ``while`` loop, a loop (or comprehension) inside a loop, a comprehension with
several ``for`` clauses, or a ``for`` over ``range(...)`` of a non-constant. No I/O: every
call is to a pure builtin, a pure module, a pure method or another module-level function;
no ``with``, ``await``, ``yield``, ``global``/``nonlocal``, nested def, lambda or class.
"""

from __future__ import annotations

import ast

from codemods.core import parsed

# Calls a function may make and still count as doing no I/O (for suggestions only).
_PURE_BUILTINS = frozenset(
    "abs all any bin bool bytearray bytes chr complex dict divmod enumerate filter float "
    "frozenset hash hex int isinstance issubclass iter len list map max min next oct ord "
    "pow range reversed round set slice sorted str sum tuple zip".split()
)
_PURE_MODULES = frozenset(
    "math cmath itertools functools operator heapq bisect statistics fractions decimal "
    "collections string hashlib zlib struct array".split()
)
_PURE_METHODS = frozenset(
    "append extend insert pop remove clear sort reverse copy index count get items keys "
    "values update setdefault add discard union intersection difference join split rsplit "
    "strip lstrip rstrip lower upper replace startswith endswith find rfind format encode "
    "decode digest hexdigest to_bytes from_bytes bit_length is_integer conjugate".split()
)
_LOOPS = (
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)
_IMPURE = (
    ast.With,
    ast.AsyncWith,
    ast.Await,
    ast.Yield,
    ast.YieldFrom,
    ast.Global,
    ast.Nonlocal,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
)


def suggestible(tree: ast.Module, among: set[str] | None = None) -> set[str]:
    """The names of the module-level (not in a def or class, maybe in an ``if`` or ``try``),
    undecorated sync defs that look CPU-bound; only those named in ``among``, if given."""
    defs = _module_level_defs(tree)
    names = frozenset(d.name for d in defs)
    return {
        d.name
        for d in defs
        if (among is None or d.name in among)
        and not d.decorator_list
        and _looks_cpu_bound(d, names)
    }


def _module_level_defs(node: ast.AST) -> list[ast.FunctionDef]:
    """The sync defs in ``node``'s blocks and their nested blocks (an ``if``, a ``try``),
    not in a def or a class; in source order."""
    found: list[ast.FunctionDef] = []
    for child in parsed.block_items(node):
        if isinstance(child, ast.FunctionDef):
            found.append(child)
        elif not isinstance(child, (ast.AsyncFunctionDef, ast.ClassDef)):
            found.extend(_module_level_defs(child))
    return found


def _looks_cpu_bound(node: ast.FunctionDef, module_functions: frozenset[str]) -> bool:
    heavy = False
    for statement in node.body:
        found = _scan(statement, 0, module_functions)
        if found is None:
            return False
        heavy = heavy or found
    return heavy


def _scan(node: ast.AST, depth: int, module_functions: frozenset[str]) -> bool | None:
    """Whether ``node`` is loop-heavy; None if it may do I/O (or is too much to judge)."""
    if isinstance(node, _IMPURE):
        return None
    heavy = False
    if isinstance(node, ast.Call) and not _pure_call(node, module_functions):
        return None
    if isinstance(node, _LOOPS):
        if depth or isinstance(node, ast.While) or _several_fors(node):
            heavy = True
        if isinstance(node, ast.For) and _over_variable_range(node):
            heavy = True
        depth += 1
    for child in ast.iter_child_nodes(node):
        found = _scan(child, depth, module_functions)
        if found is None:
            return None
        heavy = heavy or found
    return heavy


def _pure_call(call: ast.Call, module_functions: frozenset[str]) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in _PURE_BUILTINS or func.id in module_functions
    if isinstance(func, ast.Attribute):
        if isinstance(func.value, ast.Name) and func.value.id in _PURE_MODULES:
            return True
        return func.attr in _PURE_METHODS
    return False


def _several_fors(node: ast.AST) -> bool:
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return len(node.generators) > 1
    return False


def _over_variable_range(node: ast.For) -> bool:
    it = node.iter
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name)):
        return False
    if it.func.id != "range":
        return False
    return any(not _is_number(arg) for arg in it.args)


def _is_number(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp):
        return True  # libcst's view: any unary operation counts as a constant bound
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
    )
