"""Recognising blocking file-system calls (the tables of
:mod:`codemods.core.filesystem`) through :class:`~codemods.core.lookups.Lookups`: proving
that an expression is a ``pathlib.Path`` (then ``p.open()`` opens a file and
``p.read_text()`` blocks), and the calls that block while their result is iterated."""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst
from libcst.metadata import Assignment, BaseAssignment

from codemods.core.catalogue import ObjectKind
from codemods.core.filesystem import (
    AIOFILES_OS,
    AIOFILES_OS_PATH,
    LAZY,
    PATH_CLASSES,
    PATH_CONSTRUCTORS,
    PATH_DERIVED,
    PATH_LAZY,
    PATH_TO_THREAD,
    TO_THREAD,
)
from codemods.core.lookups import Lookups
from codemods.core.name_proofs import NameProofs
from codemods.core.navigation import encloses, instance_of, own_class


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
    class, ``/`` on one, a method of one that returns one, its ``parent``, or a name bound
    only to those) or by an ``isinstance`` test that holds where it is."""
    return is_path(lookups, expr, allow_parameters=False)


def is_path(
    lookups: Lookups, expr: cst.BaseExpression, allow_parameters: bool, depth: int = 0
) -> bool:
    """As :func:`is_constructed_path`; with ``allow_parameters``, a parameter annotated as a
    Path counts too, and so does a call of a function of the module (or a method of the
    class) annotated to return one."""
    return _is_path(lookups, expr, allow_parameters, depth, NameProofs(True))


#: How many steps (a name, a call, an operator) a proof may take.
_DEPTH = 12


#: The names being proven Paths (a name bound again to ``name / "x"`` is a Path if its
#: other bindings are).
_Proof = NameProofs[bool]


def _is_path(
    lookups: Lookups, expr: cst.BaseExpression, allow_parameters: bool, depth: int, proof: _Proof
) -> bool:
    if depth > _DEPTH:
        return False
    if isinstance(expr, cst.Call):
        func = expr.func
        if lookups.resolves_to(func, PATH_CLASSES):
            return True
        if allow_parameters and _returns_path(lookups, func):
            return True  # declared, as a parameter's annotation declares it
        if not isinstance(func, cst.Attribute):
            return False
        if func.attr.value in PATH_CONSTRUCTORS:
            return lookups.resolves_to(func.value, PATH_CLASSES) is not None
        return func.attr.value in PATH_DERIVED and _is_path(
            lookups, func.value, allow_parameters, depth + 1, proof
        )
    if isinstance(expr, cst.Attribute) and expr.attr.value == "parent":
        return _is_path(lookups, expr.value, allow_parameters, depth + 1, proof)
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        owner = instance_of(lookups, expr.value)  # a Path the class keeps on ``self``
        if owner is not None and lookups.attribute_kind(owner, expr.attr.value) is ObjectKind.PATH:
            return True
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
        return _is_path(lookups, expr.left, allow_parameters, depth + 1, proof)
    if isinstance(expr, cst.Name):
        return _name_is_path(lookups, expr, allow_parameters, depth, proof) or _narrowed(
            lookups, expr
        )
    return False


def _returns_path(lookups: Lookups, func: cst.BaseExpression) -> bool:
    """Whether ``func`` is a function of the module, or a method of the class it is used
    in (called on ``self`` or ``cls``) or of a class of the module, every definition of
    which (plain ``def``) is annotated to return a Path."""
    definitions = _definitions(lookups, func)
    return bool(definitions) and all(
        definition.asynchronous is None
        and definition.returns is not None
        and lookups.resolves_to(definition.returns.annotation, PATH_CLASSES) is not None
        for definition in definitions
    )


def _definitions(lookups: Lookups, func: cst.BaseExpression) -> list[cst.FunctionDef]:
    """The ``def`` statements ``func`` (a name, or a method of ``self``, ``cls`` or a
    class of the module) may call; empty when any of its bindings is something else."""
    if isinstance(func, cst.Name):
        bound = _bound_to(lookups, func)
        return bound if all(isinstance(d, cst.FunctionDef) for d in bound) else []
    if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
        return []
    owner = own_class(lookups, func.value)
    if owner is None:
        classes = _bound_to(lookups, func.value)
        if len(classes) != 1 or not isinstance(classes[0], cst.ClassDef):
            return []
        owner = classes[0]
    if not isinstance(owner.body, cst.IndentedBlock):
        return []
    return [
        statement
        for statement in owner.body.body
        if isinstance(statement, cst.FunctionDef) and statement.name.value == func.attr.value
    ]


def _bound_to(lookups: Lookups, name: cst.Name) -> list[cst.CSTNode]:
    """The nodes that bind ``name`` where it is used (``def`` and ``class`` statements,
    targets); empty when one is not an assignment (an import, a builtin)."""
    scope = lookups.scope_of(name)
    if scope is None:
        return []
    assignments = scope[name.value]
    if not assignments or not all(isinstance(a, Assignment) for a in assignments):
        return []
    return [a.node for a in assignments if isinstance(a, Assignment)]


def _narrowed(lookups: Lookups, name: cst.Name) -> bool:
    """Whether ``name`` is used where an ``isinstance(name, Path)`` test holds: in the body
    of an ``if`` (or ``elif``) testing it, or right of an ``and`` after it, in the same
    function, with no binding of the name in that body."""
    child: cst.CSTNode = name
    node = lookups.parent_of(name)
    while node is not None and not isinstance(
        node, (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.Module)
    ):
        if isinstance(node, cst.If) and child is node.body:
            test = node.test
        elif (
            isinstance(node, cst.BooleanOperation)
            and isinstance(node.operator, cst.And)
            and child is node.right
        ):
            test = node.left
        else:
            test = None
        if test is not None and _tests_path(lookups, test, name.value):
            return not _bound_within(lookups, name, node)
        child, node = node, lookups.parent_of(node)
    return False


def _tests_path(lookups: Lookups, test: cst.BaseExpression, name: str) -> bool:
    """Whether ``test`` is ``isinstance(name, <a Path class>)``, alone or first of an
    ``and``."""
    while isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        if _tests_path(lookups, test.right, name):
            return True
        test = test.left
    return (
        isinstance(test, cst.Call)
        and lookups.resolves_to(test.func, {"builtins.isinstance"}) is not None
        and len(test.args) == 2
        and all(a.keyword is None and a.star == "" for a in test.args)
        and isinstance(test.args[0].value, cst.Name)
        and test.args[0].value.value == name
        and lookups.resolves_to(test.args[1].value, PATH_CLASSES) is not None
    )


def _bound_within(lookups: Lookups, name: cst.Name, region: cst.CSTNode) -> bool:
    """Whether a binding of ``name`` in its scope lies inside ``region``."""
    scope = lookups.scope_of(name)
    if scope is None:
        return True
    return any(
        encloses(lookups, region, assignment.node)
        for assignment in scope[name.value]
        if getattr(assignment, "node", None) is not None
    )


def _name_is_path(
    lookups: Lookups, name: cst.Name, allow_parameters: bool, depth: int, proof: _Proof
) -> bool:
    """Whether every binding of ``name`` makes it a Path: taking it for one in the
    bindings that use it (``path = path / name``), provided one binding does not."""
    scope = lookups.scope_of(name)
    if scope is None:
        return False
    return proof.name(
        (id(scope), name.value),
        lambda: _bindings_are_paths(lookups, scope[name.value], allow_parameters, depth, proof),
    )


def _bindings_are_paths(
    lookups: Lookups,
    assignments: Collection[BaseAssignment],
    allow_parameters: bool,
    depth: int,
    proof: _Proof,
) -> bool:
    """Whether each of a name's ``assignments`` binds a Path (a parameter annotated as one,
    with ``allow_parameters``), and one of them without taking the name for proven."""
    grounded = False
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
            grounded = True
            continue
        value = _assigned(lookups, node)
        if value is None:
            return False
        proven, alone = proof.binding(_is_path, lookups, value, allow_parameters, depth + 1, proof)
        grounded = grounded or (proven and alone)
        if not proven:
            return False
    return grounded


def _assigned(lookups: Lookups, name: cst.CSTNode) -> cst.BaseExpression | None:
    """The value ``name = value`` or ``name: annotation = value`` binds ``name`` to; None
    for any other binding."""
    target = lookups.parent_of(name)
    if isinstance(target, cst.AnnAssign) and target.target is name:
        return target.value
    statement = lookups.parent_of(target) if target is not None else None
    if (
        isinstance(target, cst.AssignTarget)
        and isinstance(statement, cst.Assign)
        and len(statement.targets) == 1
    ):
        return statement.value
    return None


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
