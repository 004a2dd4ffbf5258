"""Module-level helper functions a codemod adds once to a module it rewrites
(``_subprocess_run``, ...), placed after the module's leading imports."""

from __future__ import annotations

import libcst as cst


def parse_helper(source: str) -> cst.FunctionDef:
    statement = cst.parse_statement(source)
    assert isinstance(statement, cst.FunctionDef)
    return statement


def same_helper(existing: cst.FunctionDef, source: str) -> bool:
    """True if ``existing`` is the helper ``source`` defines, whatever the module's line
    endings (a docstring spanning lines holds them)."""
    code = cst.Module(body=[]).code_for_node(existing.with_changes(leading_lines=[]))
    return code.replace("\r\n", "\n").strip() == source.strip()


def defined_helpers(module: cst.Module) -> dict[str, cst.FunctionDef]:
    """Module-level function definitions, by name."""
    return {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}


def insert_helpers(module: cst.Module, helpers: list[cst.FunctionDef]) -> cst.Module:
    """``module`` with ``helpers`` after its docstring and leading imports, two blank
    lines around each, in the module's line endings (down to those inside a docstring)."""
    if module.default_newline != "\n":
        helpers = [_with_newline(helper, module) for helper in helpers]
    body = list(module.body)
    index = 0
    while index < len(body) and _is_header(body[index], index):
        index += 1
    spaced = [h.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()]) for h in helpers]
    if index < len(body):
        following = body[index]
        if len(following.leading_lines) < 2:
            blank = [cst.EmptyLine()] * (2 - len(following.leading_lines))
            body[index] = following.with_changes(leading_lines=[*blank, *following.leading_lines])
    if index == 0:
        spaced[0] = spaced[0].with_changes(leading_lines=[])
    return module.with_changes(body=[*body[:index], *spaced, *body[index:]])


def _with_newline(helper: cst.FunctionDef, module: cst.Module) -> cst.FunctionDef:
    code = cst.Module(body=[]).code_for_node(helper).replace("\n", module.default_newline)
    statement = cst.parse_statement(code, config=module.config_for_parsing)
    assert isinstance(statement, cst.FunctionDef)
    return statement


def _is_header(statement: cst.BaseStatement, index: int) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    if index == 0 and _is_docstring(statement):
        return True
    return all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)


def _is_docstring(statement: cst.SimpleStatementLine) -> bool:
    return (
        len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
