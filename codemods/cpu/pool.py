"""The module-level process pool helper the ``cpu`` codemod adds once per module.

The pool is created on first use, not at import (so importing the module in a worker
process never starts another pool), and shut down at interpreter exit.
"""

from __future__ import annotations

import itertools

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


def helper_statements(
    func: str, var: str
) -> list[cst.SimpleStatementLine | cst.BaseCompoundStatement]:
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
    for index in itertools.count():
        func, var = helper_names(index)
        if _has_helper(module, func, var):
            return func, var, True
        if func not in used and var not in used:
            return func, var, False
    raise AssertionError("unreachable")
