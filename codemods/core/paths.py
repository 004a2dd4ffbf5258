"""Recognising blocking file-system calls (the tables of
:mod:`codemods.core.filesystem`) through :class:`~codemods.core.lookups.Lookups`: proving
that an expression is a ``pathlib.Path`` (then ``p.open()`` opens a file and
``p.read_text()`` blocks), and the calls that block while their result is iterated."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import Assignment

from codemods.core.filesystem import (
    AIOFILES_OS,
    AIOFILES_OS_PATH,
    LAZY,
    PATH_CLASSES,
    PATH_CONSTRUCTORS,
    PATH_LAZY,
    PATH_TO_THREAD,
    TO_THREAD,
)
from codemods.core.lookups import Lookups


def lazy_call(lookups: Lookups, call: cst.Call) -> str | None:
    """The name to show for ``call`` (original tree) when it is one of the calls that
    block while their result is iterated (``os.walk``, ``glob.iglob``, ``Path.iterdir``,
    ``Path.glob``, ``Path.rglob``), else None."""
    name = lookups.resolves_to(call.func, LAZY)
    if name:
        return name
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and func.attr.value in PATH_LAZY
        and is_path(lookups, func.value, allow_parameters=True)
    ):
        return f"Path.{func.attr.value}"
    return None


def is_constructed_path(lookups: Lookups, expr: cst.BaseExpression) -> bool:
    """True if ``expr`` is proven a ``pathlib.Path`` by how it is built (a call of a Path
    class, ``/`` on one, or a name bound only to those)."""
    return is_path(lookups, expr, allow_parameters=False)


def is_path(
    lookups: Lookups, expr: cst.BaseExpression, allow_parameters: bool, depth: int = 0
) -> bool:
    """As :func:`is_constructed_path`; with ``allow_parameters``, a parameter annotated as a
    Path counts too."""
    if depth > 4:
        return False
    if isinstance(expr, cst.Call):
        func = expr.func
        if lookups.resolves_to(func, PATH_CLASSES):
            return True
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value in PATH_CONSTRUCTORS
            and lookups.resolves_to(func.value, PATH_CLASSES) is not None
        )
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
        return is_path(lookups, expr.left, allow_parameters, depth + 1)
    if isinstance(expr, cst.Name):
        return _name_is_path(lookups, expr, allow_parameters, depth)
    return False


def _name_is_path(lookups: Lookups, name: cst.Name, allow_parameters: bool, depth: int) -> bool:
    scope = lookups.scope_of(name)
    if scope is None:
        return False
    assignments = scope[name.value]
    if not assignments:
        return False
    for assignment in assignments:
        if not isinstance(assignment, Assignment):
            return False
        node = assignment.node
        if isinstance(node, cst.Param):
            annotation = node.annotation
            if not (
                allow_parameters
                and annotation is not None
                and lookups.resolves_to(annotation.annotation, PATH_CLASSES)
            ):
                return False
            continue
        target = lookups.parent_of(node)
        statement = lookups.parent_of(target) if target is not None else None
        if not (
            isinstance(target, cst.AssignTarget)
            and isinstance(statement, cst.Assign)
            and len(statement.targets) == 1
            and is_path(lookups, statement.value, allow_parameters, depth + 1)
        ):
            return False
    return True


def filesystem_call(lookups: Lookups, call: cst.Call) -> str | None:
    """The name to show for ``call`` (original tree) when it is a blocking file-system call
    of the tables of :mod:`codemods.core.filesystem` (a function of ``os``, ``os.path``,
    ``shutil`` or ``glob``, or a blocking method of a proven ``pathlib.Path``), else None."""
    name = lazy_call(lookups, call) or lookups.resolves_to(
        call.func, AIOFILES_OS | AIOFILES_OS_PATH | TO_THREAD
    )
    if name:
        return name
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and func.attr.value in PATH_TO_THREAD | {"open"}
        and is_path(lookups, func.value, allow_parameters=True)
    ):
        return f"Path.{func.attr.value}"
    return None
