"""Module-level helpers a codemod adds once to a module it rewrites (``_subprocess_run``,
the ``cpu`` codemod's process pool, ...), placed after the module's docstring and
leading imports."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

#: A statement of a module's body.
_Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


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


def insert_after_header(
    module: cst.Module,
    statements: Sequence[_Statement],
    *,
    space_at_top: bool = False,
    comments_are_space: bool = True,
) -> cst.Module:
    """``module`` with ``statements`` after its docstring and leading imports, two blank
    lines before each of them and before the statement that follows them, in the
    module's line endings (down to those inside a docstring).

    ``space_at_top``: keep the blank lines before the first statement also when nothing
    precedes it. ``comments_are_space``: comment lines above the following statement
    count towards its two lines (else only the blank lines above its first comment do).
    """
    if module.default_newline != "\n":
        statements = [_with_newline(statement, module) for statement in statements]
    body = list(module.body)
    index = 0
    while index < len(body) and _is_header(body[index], index):
        index += 1
    two_blank = [cst.EmptyLine(), cst.EmptyLine()]
    spaced = [statement.with_changes(leading_lines=two_blank) for statement in statements]
    if index < len(body):
        body[index] = _two_lines_before(body[index], comments_are_space)
    if index == 0 and not space_at_top:
        spaced[0] = spaced[0].with_changes(leading_lines=[])
    return module.with_changes(body=[*body[:index], *spaced, *body[index:]])


def _with_newline(statement: _Statement, module: cst.Module) -> _Statement:
    code = cst.Module(body=[]).code_for_node(statement).replace("\n", module.default_newline)
    parsed = cst.parse_statement(code, config=module.config_for_parsing)
    assert isinstance(parsed, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    return parsed


def _is_header(statement: _Statement, index: int) -> bool:
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


def _two_lines_before(statement: _Statement, comments_are_space: bool) -> _Statement:
    lines = list(statement.leading_lines)
    space = len(lines)
    if not comments_are_space:
        space = next((i for i, line in enumerate(lines) if line.comment is not None), len(lines))
    if space >= 2:
        return statement
    return statement.with_changes(leading_lines=[cst.EmptyLine()] * (2 - space) + lines)
