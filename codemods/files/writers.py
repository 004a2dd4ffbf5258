"""Prove that a csv writer on a file can write into an in-memory buffer instead.

``csv.writer(f)`` / ``csv.DictWriter(f, ...)`` call ``f.write`` synchronously, so the
migrated code gives them an ``io.StringIO(newline="")`` buffer and writes its content to
the aiofiles file once, in a ``finally`` at the end of the statements that use the writer
(see :class:`codemods.files.plan.CsvBuffer`). That is faithful only when the writer is
provably used nowhere else: it is used inline (``csv.writer(f).writerows(rows)``) or bound
by a plain ``w = csv.writer(f)`` statement of the ``with`` body, and every use of ``w``
that this binding reaches is a ``writerow``/``writerows``/``writeheader`` call (or a read
of ``dialect``/``fieldnames``) later in the same ``with`` body.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import FunctionScope

from codemods.core.lookups import Lookups
from codemods.core.navigation import encloses, holds_any
from codemods.core.problems import Refused

WRITER_METHODS = frozenset({"writerow", "writerows", "writeheader"})
WRITER_ATTRIBUTES = frozenset({"dialect", "fieldnames"})

_BOUNDARIES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def top_index(node: cst.CSTNode, body: cst.BaseSuite, lookups: Lookups) -> int | None:
    """The index of the statement of ``body`` that holds ``node``; None if outside it."""
    child, current = node, lookups.parent_of(node)
    while current is not None and not isinstance(current, _BOUNDARIES):
        if current is body:
            assert isinstance(body, cst.IndentedBlock)
            return next(i for i, s in enumerate(body.body) if s is child)
        child, current = current, lookups.parent_of(current)
    return None


def writer_nodes(
    call: cst.Call,
    statement: cst.With,
    file: str,
    scope: FunctionScope,
    lookups: Lookups,
    unsafe_names: set[str],
) -> list[cst.CSTNode]:
    """The nodes through which the writer built by ``call`` is used (``call`` included).

    Raises :class:`Refused` unless every use is proven to stay in ``statement``'s body.
    """
    body = statement.body
    if not isinstance(body, cst.IndentedBlock):
        raise Refused("AM311", f"'{file}' is written by a csv writer in a one-line 'with' body")
    if top_index(call, body, lookups) is None:
        raise Refused("AM310", f"'{file}' is given to a csv writer outside its 'with' body")
    parent = lookups.parent_of(call)
    if _is_method_use(call, parent, lookups):
        return [call]
    line = lookups.parent_of(parent) if isinstance(parent, cst.Assign) else None
    if not (
        isinstance(parent, cst.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0].target, cst.Name)
        and isinstance(line, cst.SimpleStatementLine)
        and len(line.body) == 1
        and lookups.parent_of(line) is body
    ):
        raise Refused(
            "AM310",
            f"the csv writer on '{file}' is neither used inline nor bound by a plain "
            "'name = csv.writer(...)' statement of the 'with' body",
        )
    writer = parent.targets[0].target.value
    if writer in unsafe_names:
        raise Refused("AM310", f"the csv writer '{writer}' is global, nonlocal or deleted")
    return [call, *_writer_accesses(writer, line, scope, lookups)]


def _writer_accesses(
    writer: str, line: cst.SimpleStatementLine, scope: FunctionScope, lookups: Lookups
) -> list[cst.CSTNode]:
    targets = {a.node for a in scope.assignments[writer]}
    mine = [a for a in scope.assignments[writer] if encloses(lookups, line, a.node)]
    accesses = set(scope.accesses[writer])
    for assignment in mine:
        accesses.update(assignment.references)  # also those of nested functions
    out: list[cst.CSTNode] = []
    for access in accesses:
        reaching = _reaching_line(access.node, targets, lookups)
        if reaching is None:
            raise Refused(
                "AM310",
                f"the csv writer '{writer}' may be used where its binding cannot be proven "
                "(outside its 'with' body, before it, in a nested function or loop)",
            )
        if reaching is not line:
            continue  # another binding of the name, not this writer
        use = lookups.parent_of(access.node)
        if access.scope is not scope or not _is_method_use(access.node, use, lookups):
            raise Refused(
                "AM310",
                f"the csv writer '{writer}' escapes or is used other than by writerow/"
                "writerows/writeheader in the coroutine",
            )
        out.append(access.node)
    return out


def _is_method_use(node: cst.CSTNode, parent: cst.CSTNode | None, lookups: Lookups) -> bool:
    """``node.writerow(...)`` (or writerows/writeheader), or a read of ``node.dialect``."""
    if not (isinstance(parent, cst.Attribute) and parent.value is node):
        return False
    holder = lookups.parent_of(parent)
    member = parent.attr.value
    if isinstance(holder, cst.Call) and holder.func is parent:
        return member in WRITER_METHODS
    return member in WRITER_ATTRIBUTES and not isinstance(
        holder, (cst.AssignTarget, cst.Del, cst.AugAssign, cst.AnnAssign)
    )


def _reaching_line(
    node: cst.CSTNode, targets: set[cst.CSTNode], lookups: Lookups
) -> cst.CSTNode | None:
    """The ``name = ...`` line whose binding is the only one that can reach ``node``.

    Walks outwards: in each block, the closest earlier statement that assigns the name
    must be a plain one-target assignment line; a compound statement on the way out that
    assigns the name (a loop rebinding it) makes it unprovable.
    """
    child, current = node, lookups.parent_of(node)
    while current is not None and not isinstance(current, _BOUNDARIES):
        if isinstance(current, (cst.IndentedBlock, cst.Module)):
            siblings = list(current.body)
            index = next(i for i, s in enumerate(siblings) if s is child)
            if holds_any(child, targets):
                return None  # the statement holding the use also rebinds the name
            for sibling in reversed(siblings[:index]):
                if holds_any(sibling, targets):
                    return sibling if _plain_assignment(sibling, targets) else None
        elif isinstance(current, cst.BaseCompoundStatement) and holds_any(current, targets):
            return None
        child, current = current, lookups.parent_of(current)
    return None


def _plain_assignment(statement: cst.CSTNode, targets: set[cst.CSTNode]) -> bool:
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return False
    assign = statement.body[0]
    return (
        isinstance(assign, cst.Assign)
        and len(assign.targets) == 1
        and assign.targets[0].target in targets
    )
