"""The module-level process pool helper the ``cpu`` codemod adds once per module.

The pool is created on first use, not at import (so importing the module in a worker
process never starts another pool), and shut down at interpreter exit.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from codemods.core.build import code_of

BASE_NAME = "_process_pool"

_TEMPLATE = """\
{var} = None


def {func}():
    global {var}
    if {var} is None:
        import atexit

        {var} = concurrent.futures.ProcessPoolExecutor()
        atexit.register({var}.shutdown)
    return {var}
"""


def helper_names(index: int) -> tuple[str, str]:
    """(function name, global variable name) of the ``index``-th candidate helper."""
    func = BASE_NAME if index == 0 else f"{BASE_NAME}_{index + 1}"
    return func, func.upper()


def helper_statements(func: str, var: str) -> list[cst.BaseStatement]:
    """The helper's two statements, each preceded by two blank lines."""
    body = list(cst.parse_module(_TEMPLATE.format(func=func, var=var)).body)
    two_blank = [cst.EmptyLine(), cst.EmptyLine()]
    return [statement.with_changes(leading_lines=two_blank) for statement in body]


def _has_helper(module: cst.Module, func: str, var: str) -> bool:
    """True if ``module`` already holds this helper, exactly as the codemod writes it."""
    wanted = [code_of(s).strip() for s in helper_statements(func, var)]
    found = [code_of(s.with_changes(leading_lines=[])).strip() for s in module.body]
    return any(found[i : i + 2] == wanted for i in range(len(found) - 1))


def choose_helper(module: cst.Module, used: set[str]) -> tuple[str, str, bool]:
    """The helper to use: (function name, variable name, already present).

    The first candidate name that is either our helper already, or not used as any
    identifier anywhere in the module (so it can shadow nothing and be shadowed by
    nothing): ``used`` holds them all.
    """
    for index in _count():
        func, var = helper_names(index)
        if _has_helper(module, func, var):
            return func, var, True
        if func not in used and var not in used:
            return func, var, False
    raise AssertionError("unreachable")


def _count() -> Iterator[int]:
    index = 0
    while True:
        yield index
        index += 1


def insert_helper(module: cst.Module, func: str, var: str) -> cst.Module:
    """``module`` with the helper placed after its leading docstring and imports."""
    body = list(module.body)
    at = _after_leading_imports(body)
    helper = helper_statements(func, var)
    if at < len(body):
        body[at] = _with_two_blank_lines(body[at])
    return module.with_changes(body=[*body[:at], *helper, *body[at:]])


def _after_leading_imports(body: list[cst.BaseStatement]) -> int:
    at = 0
    for index, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        small = statement.body
        if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in small):
            at = index + 1
        elif index == 0 and len(small) == 1 and _is_docstring(small[0]):
            at = 1
        else:
            break
    return at


def _is_docstring(statement: cst.BaseSmallStatement) -> bool:
    return isinstance(statement, cst.Expr) and isinstance(
        statement.value, (cst.SimpleString, cst.ConcatenatedString)
    )


def _with_two_blank_lines(statement: cst.BaseStatement) -> cst.BaseStatement:
    lines = list(statement.leading_lines)
    blank = 0
    while blank < len(lines) and lines[blank].comment is None:
        blank += 1
    if blank >= 2:
        return statement
    return statement.with_changes(leading_lines=[cst.EmptyLine()] * (2 - blank) + lines)
