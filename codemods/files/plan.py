"""Decide, for one coroutine, which file objects can be migrated and how.

A file object is migrated only if *every* use of it in the coroutine has a faithful
async form; otherwise none of its uses is touched and the reason is reported at the
call that opened it. The result is a :class:`Plan`: actions keyed by original nodes,
applied by the codemod as it leaves them, and refusals to report.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import Access, Assignment, BaseAssignment, FunctionScope

from codemods.core.lookups import Lookups
from codemods.core.names import identifiers
from codemods.core.navigation import encloses, holds_any
from codemods.core.paths import is_constructed_path
from codemods.core.problems import Problem, Refused
from codemods.files import facts, writers
from codemods.files.modes import UNKNOWN, FileMode, bound_arguments, file_mode, literal

# -- actions ------------------------------------------------------------------


@dataclass(frozen=True)
class Binding:
    """One place a file object is opened: ``with <call> as name`` or ``name = <call>``."""

    call: cst.Call
    factory: str  # "open", "path.open" or a tempfile factory's qualified name
    statement: cst.With | cst.Assign
    name: str | None
    mode: FileMode

    @property
    def is_directory(self) -> bool:
        return self.factory == facts.TEMP_DIRECTORY


@dataclass(frozen=True)
class OpenCall:
    """Replace the opening call with its aiofiles twin (awaited in the assignment form)."""

    binding: Binding


@dataclass(frozen=True)
class AwaitCall:
    """``f.read()`` -> ``await f.read()``."""


@dataclass(frozen=True)
class ReadLines:
    """Iterate over the whole content, read at once: ``io.StringIO(await f.read())``."""

    name: str
    binary: bool
    newline: str | None  # io.StringIO's newline argument; None for its default


class ConsumerKind(enum.Enum):
    """A stdlib function that uses a file object, by its qualified name."""

    JSON_LOAD = facts.JSON_LOAD
    JSON_DUMP = facts.JSON_DUMP
    PICKLE_LOAD = facts.PICKLE_LOAD
    PICKLE_DUMP = facts.PICKLE_DUMP
    CSV_READER = "csv.reader"  # csv.reader and csv.DictReader
    CSV_WRITER = facts.CSV_WRITER  # csv.writer and csv.DictWriter
    PRINT = facts.PRINT


@dataclass(frozen=True)
class Consumer:
    """A stdlib consumer of the file object translated to its in-memory form."""

    kind: ConsumerKind
    name: str
    newline: str | None = None  # csv readers: as ReadLines.newline
    buffer: str | None = None  # csv writers: the in-memory buffer they write into


@dataclass(frozen=True)
class CsvBuffer:
    """A ``with`` whose file ``name`` is written by csv writers, through a buffer.

    ``buffer = io.StringIO(newline="")`` goes before statement ``first`` of the body;
    statements ``first`` to ``last`` (those that use the writers) go in a ``try`` whose
    ``finally`` writes what the writers wrote: ``await name.write(buffer.getvalue())``.
    The file keeps its ``newline``/``encoding``, so that single write translates and
    encodes the text exactly as the writer's own writes would have.
    """

    name: str
    buffer: str
    first: int
    last: int


Action = OpenCall | AwaitCall | ReadLines | Consumer | CsvBuffer


@dataclass
class Plan:
    actions: dict[cst.CSTNode, Action] = field(default_factory=dict)
    async_withs: set[cst.With] = field(default_factory=set)
    refusals: list[Problem] = field(default_factory=list)
    #: Opening calls already accounted for (migrated or reported).
    seen_calls: set[cst.Call] = field(default_factory=set)


_SCOPE_BOUNDARIES = (
    cst.Lambda,
    cst.GeneratorExp,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.FunctionDef,
    cst.ClassDef,
)
_READERS = ("lines", facts.PICKLE_LOAD, "csv.reader")


# -- finding the places files are opened --------------------------------------


def opening_factory(call: cst.Call, lookups: Lookups) -> str | None:
    """``"open"``, ``"path.open"`` or a tempfile factory name if ``call`` opens a file."""
    if lookups.resolves_to(call.func, facts.OPEN):
        return "open"
    factory = lookups.resolves_to(call.func, frozenset(facts.TEMPFILE))
    if factory:
        return factory
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "open":
        if is_constructed_path(lookups, func.value):
            return "path.open"
    return None


def _mode_of(call: cst.Call, factory: str) -> FileMode | None:
    """The file's literal settings, or None if the arguments cannot be carried over."""
    if factory == "open":
        return file_mode(bound_arguments(call, facts.OPEN_PARAMS), "r")
    if factory == "path.open":
        return file_mode(bound_arguments(call, facts.PATH_OPEN_PARAMS), "r")
    params, accepted = facts.TEMPFILE[factory]
    arguments = bound_arguments(call, params)
    if arguments is None or not set(arguments) <= accepted:
        return None  # aiofiles.tempfile lacks the parameter (errors=, ...)
    return file_mode(arguments, "w+b")


def _statements(body: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Statements run directly by the coroutine (not those of nested defs/classes)."""
    for child in body.children:
        if isinstance(child, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(child, (cst.BaseStatement, cst.BaseSmallStatement)):
            yield child
        if isinstance(child, (cst.BaseSuite, cst.BaseStatement, cst.BaseSmallStatement)):
            yield from _statements(child)
        elif isinstance(child, (cst.ExceptHandler, cst.Else, cst.Finally, cst.MatchCase)):
            yield from _statements(child)


# -- the planner ----------------------------------------------------------------


class Planner:
    """Plans one coroutine (``function``) from the original tree, through ``lookups``."""

    def __init__(self, function: cst.FunctionDef, lookups: Lookups) -> None:
        self.function = function
        self.lookups = lookups
        self.plan = Plan()
        self.bindings: dict[str, list[Binding]] = {}
        self.unnamed: list[Binding] = []
        self.withs: dict[cst.With, list[Binding]] = {}
        self.declared: set[str] = set()  # global / nonlocal names
        self.deleted: set[str] = set()
        self._referents: dict[Access, set[BaseAssignment]] = {}
        self._orphaned: set[str] = set()
        self._writer_nodes: dict[cst.Call, list[cst.CSTNode]] = {}
        self._buffers: dict[cst.With, str] = {}
        self._csv_files: dict[cst.With, str] = {}
        self._names: set[str] | None = None  # the function's identifiers, when needed

    def run(self) -> Plan:
        scope = self._scope()
        if scope is None:
            return self.plan
        self._collect()
        groups = [g for name, bs in self.bindings.items() for g in self._groups(name, bs, scope)]
        accepted: dict[int, dict[cst.CSTNode, Action]] = {}
        refused: dict[int, tuple[str, str]] = {}
        for index, (name, bindings, assignments) in enumerate(groups):
            try:
                accepted[index] = self._group_actions(name, bindings, assignments, scope)
            except Refused as e:
                refused[index] = (e.code, e.reason)
        group_of = {b.call: i for i, (_, bs, _) in enumerate(groups) for b in bs}
        self._propagate(group_of, accepted, refused)
        self._emit(groups, accepted, refused)
        return self.plan

    def _scope(self) -> FunctionScope | None:
        body = self.function.body
        first = body.body[0] if body.body else None
        scope = self.lookups.scope_of(first) if first is not None else None
        return scope if isinstance(scope, FunctionScope) else None

    # -- collecting -------------------------------------------------------------

    def _collect(self) -> None:
        for statement in _statements(self.function.body):
            if isinstance(statement, cst.With) and statement.asynchronous is None:
                self._collect_with(statement)
            elif isinstance(statement, cst.Assign):
                self._collect_assign(statement)
            elif isinstance(statement, (cst.Global, cst.Nonlocal)):
                self.declared.update(n.name.value for n in statement.names)
            elif isinstance(statement, cst.Del):
                self.deleted.update(identifiers(statement.target))

    def _collect_with(self, statement: cst.With) -> None:
        bindings: list[Binding] = []
        others = []
        for item in statement.items:
            call = item.item
            factory = opening_factory(call, self.lookups) if isinstance(call, cst.Call) else None
            if factory is None:
                others.append(item)
                continue
            assert isinstance(call, cst.Call)
            self.plan.seen_calls.add(call)
            name: str | None = None
            if item.asname is not None:
                if not isinstance(item.asname.name, cst.Name):
                    self._refuse(call, "AM311", "the file is bound to a target that is not a name")
                    others.append(item)
                    continue
                name = item.asname.name.value
            mode = _mode_of(call, factory)
            if mode is None:
                self._refuse(call, "AM312", _TEMPFILE_ARGUMENTS)
                others.append(item)
                continue
            bindings.append(Binding(call, factory, statement, name, mode))
        if not bindings:
            return
        if others:
            for binding in bindings:
                self._refuse(
                    binding.call,
                    "AM316",
                    "this 'with' also enters a context manager that is not a file; "
                    "'async with' cannot enter it",
                )
            return
        self.withs[statement] = bindings
        for binding in bindings:
            self._add(binding)

    def _collect_assign(self, statement: cst.Assign) -> None:
        call = statement.value
        if not isinstance(call, cst.Call):
            return
        factory = opening_factory(call, self.lookups)
        if factory not in ("open", "path.open"):
            return
        assert factory is not None
        self.plan.seen_calls.add(call)
        targets = statement.targets
        if len(targets) != 1 or not isinstance(targets[0].target, cst.Name):
            self._refuse(call, "AM311", "the file is bound to a target that is not one name")
            return
        mode = _mode_of(call, factory)
        assert mode is not None
        self._add(Binding(call, factory, statement, targets[0].target.value, mode))

    def _add(self, binding: Binding) -> None:
        if binding.name is None:
            self.unnamed.append(binding)
        else:
            self.bindings.setdefault(binding.name, []).append(binding)

    # -- checking the uses of one name ------------------------------------------

    def _group_actions(
        self,
        name: str,
        bindings: list[Binding],
        assignments: list[BaseAssignment],
        scope: FunctionScope,
    ) -> dict[cst.CSTNode, Action]:
        if name in self.declared:
            raise Refused("AM315", f"'{name}' is declared global or nonlocal")
        if name in self.deleted:
            raise Refused("AM311", f"'{name}' is deleted with 'del'")
        if name in self._orphaned:
            raise Refused("AM315", f"'{name}' is used before the statement that binds it")
        by_target = {_target_of(b): b for b in bindings}
        if len(by_target) != len(assignments) or any(
            not isinstance(a, Assignment) or a.node not in by_target for a in assignments
        ):
            raise Refused("AM315", f"'{name}' may also be bound to something that is not a file")
        if any(b.is_directory for b in bindings):
            if not all(b.is_directory for b in bindings):
                raise Refused("AM315", f"'{name}' is bound to a directory and to a file")
            return {}
        actions: dict[cst.CSTNode, Action] = {}
        for assignment in assignments:
            assert isinstance(assignment, Assignment)
            binding = by_target[assignment.node]
            readers: list[str] = []
            others: list[str] = []
            for access in self._accesses_of(assignment):
                node, action, use = self._classify(access, name, binding, scope)
                if node in actions and actions[node] != action:
                    raise Refused("AM312", _MODES_DIFFER.format(name=name))
                if action is not None:
                    actions[node] = action
                (readers if use in _READERS else others).append(use)
            if facts.CSV_WRITER in others:
                self._csv_buffer(name, binding, others, actions)
            if readers and (len(readers) > 1 or set(others) - {"close", "attribute"}):
                raise Refused(
                    "AM314",
                    f"'{name}' is read by {readers[0]} and also used otherwise "
                    f"({', '.join(sorted(set(readers[1:] + others)))}); reading it whole "
                    "at once would change what the other uses see",
                )
        return actions

    # -- which binding an access sees ---------------------------------------------

    def _groups(
        self, name: str, bindings: list[Binding], scope: FunctionScope
    ) -> list[tuple[str, list[Binding], list[BaseAssignment]]]:
        """The bindings of ``name`` split into groups that no access connects.

        Two ``with open(...) as f`` blocks one after the other are independent: each
        access sees one of them. An access that may see several assignments (a loop, a
        branch) ties them into one group, which is migrated whole or not at all.
        """
        assignments = list(scope.assignments[name])
        targets = {_target_of(b): b for b in bindings}
        all_targets = {a.node for a in assignments}
        parent = {id(a): id(a) for a in assignments}

        def find(key: int) -> int:
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        accesses = {a for assignment in assignments for a in assignment.references}
        if set(scope.accesses[name]) - accesses:
            # A use no assignment reaches in source order (a loop that uses the file
            # before the statement that opens it): migrate none of them.
            self._orphaned.add(name)
            return [(name, list(bindings), assignments)]
        for access in accesses:
            seen = self._seen_by(access, name, assignments, all_targets)
            self._referents[access] = seen
            ids = [id(r) for r in seen]
            for other in ids[1:]:
                parent[find(other)] = find(ids[0])
        by_root: dict[int, list[BaseAssignment]] = {}
        for assignment in assignments:
            by_root.setdefault(find(id(assignment)), []).append(assignment)
        out = []
        for members in by_root.values():
            mine = [targets[a.node] for a in members if a.node in targets]
            if mine:
                out.append((name, mine, members))
        covered = {b.call for _, mine, _ in out for b in mine}
        stray = [b for b in bindings if b.call not in covered]  # e.g. a global's binding
        if stray:
            out.append((name, stray, []))
        return out

    def _accesses_of(self, assignment: BaseAssignment) -> list[Access]:
        return [a for a in assignment.references if assignment in self._referents.get(a, ())]

    def _seen_by(
        self,
        access: Access,
        name: str,
        assignments: list[BaseAssignment],
        all_targets: set[cst.CSTNode],
    ) -> set[BaseAssignment]:
        """The assignments ``access`` may see: one if the code proves it, else libcst's."""
        target = self._reaching_target(access.node, name, all_targets)
        if target is not None:
            return {a for a in assignments if a.node is target}
        return {r for r in access.referents if r in assignments}

    def _reaching_target(
        self, node: cst.CSTNode, name: str, all_targets: set[cst.CSTNode]
    ) -> cst.CSTNode | None:
        """The target of the only assignment that can reach ``node``, if provable.

        Walks outwards: inside a ``with open() as name`` body that assigns ``name``
        nowhere else, it is that binding; in a block, it is the closest earlier
        ``name = open(...)`` statement, if nothing in between (and no enclosing
        statement) assigns ``name``.
        """
        while True:
            parent = self.lookups.parent_of(node)
            if parent is None or isinstance(parent, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return None
            if isinstance(parent, cst.With) and node is parent.body:
                mine = [b for b in self.withs.get(parent, []) if b.name == name]
                if mine:
                    inner = holds_any(parent.body, all_targets)
                    return None if inner else _target_of(mine[0])
            if isinstance(parent, (cst.BaseSuite, cst.SimpleStatementLine)):
                siblings = list(parent.body)
                index = next(i for i, s in enumerate(siblings) if s is node)
                for sibling in reversed(siblings[:index]):
                    if holds_any(sibling, all_targets):
                        return self._bound_by(sibling, name)
            elif isinstance(parent, cst.BaseCompoundStatement) and holds_any(parent, all_targets):
                return None
            node = parent

    def _bound_by(self, statement: cst.CSTNode, name: str) -> cst.CSTNode | None:
        """The target if ``statement`` is ``name = open(...)`` for a binding we know."""
        line = statement
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            line = line.body[0]
        if isinstance(line, cst.Assign):
            for binding in self.bindings.get(name, []):
                if binding.statement is line:
                    return _target_of(binding)
        return None

    def _classify(
        self, access: Access, name: str, binding: Binding, scope: FunctionScope
    ) -> tuple[cst.CSTNode, Action | None, str]:
        """(node the action applies to, action or None for unchanged, kind of use)."""
        node = access.node
        if access.scope is not scope:
            raise Refused("AM310", f"'{name}' is used in a nested function, class or comprehension")
        parent = self.lookups.parent_of(node)
        mode = binding.mode
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return self._attribute_use(parent, name, mode)
        if isinstance(parent, cst.For) and parent.iter is node and parent.asynchronous is None:
            return parent, self._lines(name, mode), "lines"
        if isinstance(parent, cst.CompFor) and parent.iter is node:
            owner = self.lookups.parent_of(parent)
            if isinstance(owner, (cst.ListComp, cst.SetComp, cst.DictComp)) and (
                owner.for_in is parent and parent.asynchronous is None
            ):
                return parent, self._lines(name, mode), "lines"
            raise Refused("AM310", f"'{name}' is iterated in a generator expression")
        self._not_in_expression_scope(node, name)
        if isinstance(parent, cst.Arg) and parent.value is node:
            call = self.lookups.parent_of(parent)
            if isinstance(call, cst.Call):
                return self._argument_use(call, parent, name, binding, scope)
        raise Refused("AM310", f"'{name}' escapes: {_describe(parent)}")

    def _not_in_expression_scope(self, node: cst.CSTNode, name: str) -> None:
        """Refuse a use inside a lambda or comprehension, except in the iterable of a list,
        set or dict comprehension's first ``for``, which runs in the coroutine itself."""
        child, current = node, self.lookups.parent_of(node)
        while current is not None and not isinstance(current, cst.BaseStatement):
            if isinstance(current, cst.CompFor) and child is current.iter:
                owner = self.lookups.parent_of(current)
                if isinstance(owner, (cst.ListComp, cst.SetComp, cst.DictComp)) and (
                    owner.for_in is current
                ):
                    child, current = owner, self.lookups.parent_of(owner)
                    continue
            if isinstance(current, _SCOPE_BOUNDARIES):
                raise Refused("AM310", f"'{name}' is used inside a lambda or comprehension")
            child, current = current, self.lookups.parent_of(current)

    def _attribute_use(
        self, attribute: cst.Attribute, name: str, mode: FileMode
    ) -> tuple[cst.CSTNode, Action | None, str]:
        self._not_in_expression_scope(attribute, name)
        member = attribute.attr.value
        call = self.lookups.parent_of(attribute)
        if not (isinstance(call, cst.Call) and call.func is attribute):
            holder = call
            if member in facts.SYNC_ATTRIBUTES and not _is_target(holder, attribute):
                return attribute, None, "attribute"
            raise Refused("AM311", f"'{name}.{member}' is not modelled")
        if member in facts.AWAIT_ALWAYS:
            return call, AwaitCall(), member
        if member in facts.SYNC_METHODS:
            return call, None, "attribute"
        if member == facts.READABLE:
            if mode.binary is None:
                raise Refused("AM312", _NEEDS_MODE.format(name=name, what="readable()"))
            return call, (None if mode.binary else AwaitCall()), member
        if member in facts.AWAIT_BINARY_BUFFERED and mode.buffered_binary:
            return call, AwaitCall(), member
        if member in facts.AWAIT_BINARY_RAW and mode.raw_binary:
            return call, AwaitCall(), member
        if member in facts.AWAIT_BINARY_BUFFERED | facts.AWAIT_BINARY_RAW:
            raise Refused(
                "AM312",
                _NEEDS_MODE.format(name=name, what=f"{member}()") + " and buffering",
            )
        raise Refused("AM311", f"'{name}.{member}()' is not modelled")

    def _lines(self, name: str, mode: FileMode) -> ReadLines:
        if mode.binary is None:
            raise Refused("AM312", _NEEDS_MODE.format(name=name, what="iterating it"))
        if mode.binary:
            return ReadLines(name, True, None)
        return ReadLines(name, False, self._stringio_newline(name, mode))

    def _stringio_newline(self, name: str, mode: FileMode) -> str | None:
        if mode.newline is UNKNOWN or mode.newline not in facts.STRINGIO_NEWLINE:
            raise Refused(
                "AM312",
                f"'{name}' is split into lines but its newline= is not None, '' or '\\n' "
                "as a literal",
            )
        assert mode.newline is None or isinstance(mode.newline, str)
        return facts.STRINGIO_NEWLINE[mode.newline]

    def _argument_use(
        self, call: cst.Call, arg: cst.Arg, name: str, binding: Binding, scope: FunctionScope
    ) -> tuple[cst.CSTNode, Action | None, str]:
        mode = binding.mode
        consumer = self.lookups.resolves_to(
            call.func,
            {facts.JSON_LOAD, facts.JSON_DUMP, facts.PICKLE_LOAD, facts.PICKLE_DUMP, facts.PRINT}
            | facts.CSV_READERS
            | facts.CSV_WRITERS,
        )
        index = call.args.index(arg)
        statement = isinstance(self.lookups.parent_of(call), cst.Expr)
        if any(a.star for a in call.args if a is not arg and consumer != facts.PRINT):
            consumer = None
        if consumer == facts.JSON_LOAD and index == 0 and not arg.keyword:
            return call, Consumer(ConsumerKind.JSON_LOAD, name), "read"
        if consumer == facts.JSON_DUMP and statement and _is_param(arg, index, 1, "fp"):
            return call, Consumer(ConsumerKind.JSON_DUMP, name), "write"
        if consumer == facts.PICKLE_LOAD and index == 0 and not arg.keyword:
            self._require(mode.binary is True, name, "pickle.load")
            return call, Consumer(ConsumerKind.PICKLE_LOAD, name), facts.PICKLE_LOAD
        if consumer == facts.PICKLE_DUMP and statement and _is_param(arg, index, 1, "file"):
            self._require(mode.binary is True, name, "pickle.dump")
            return call, Consumer(ConsumerKind.PICKLE_DUMP, name), "write"
        if consumer in facts.CSV_READERS and index == 0 and not arg.keyword:
            self._require(mode.text, name, consumer)
            newline = self._stringio_newline(name, mode)
            return call, Consumer(ConsumerKind.CSV_READER, name, newline), "csv.reader"
        if consumer in facts.CSV_WRITERS and index == 0 and not arg.keyword:
            if not isinstance(binding.statement, cst.With):
                raise Refused(
                    "AM310",
                    f"'{name}' is written by {consumer}; migrated only for a file opened by "
                    "'with ... as name'",
                )
            self._writer_nodes[call] = writers.writer_nodes(
                call, binding.statement, name, scope, self.lookups, self.declared | self.deleted
            )
            return call, Consumer(ConsumerKind.CSV_WRITER, name), facts.CSV_WRITER
        if consumer == facts.PRINT and arg.keyword and arg.keyword.value == "file":
            self._require(statement and mode.text, name, "print(file=...)")
            _check_print(call, name)
            return call, Consumer(ConsumerKind.PRINT, name), "write"
        what = _dotted(call.func) or "a call"
        raise Refused("AM310", f"'{name}' is passed to {what}, which would use it synchronously")

    def _csv_buffer(
        self, name: str, binding: Binding, uses: list[str], actions: dict[cst.CSTNode, Action]
    ) -> None:
        """Route the csv writers on ``binding``'s file through one in-memory buffer."""
        statement = binding.statement
        assert isinstance(statement, cst.With) and isinstance(statement.body, cst.IndentedBlock)
        other = set(uses) - {facts.CSV_WRITER, "attribute"}
        if other:
            raise Refused(
                "AM314",
                f"'{name}' is written by a csv writer and also used otherwise "
                f"({', '.join(sorted(other))}); the writer's text is written to the file "
                "once, at the end, which would reorder it with the other uses",
            )
        mode = binding.mode
        if not mode.text:
            raise Refused(
                "AM312",
                f"'{name}' is written by a csv writer; migrated only for a file whose mode is "
                "a literal text mode",
            )
        assert isinstance(mode.mode, str)
        if not set(mode.mode) & set("wax+"):
            raise Refused("AM311", f"'{name}' is written by a csv writer but opened read-only")
        if self._csv_files.setdefault(statement, name) != name:
            raise Refused("AM311", "two files of one 'with' are written by csv writers")
        calls = [n for n, a in actions.items() if isinstance(a, Consumer) and a.name == name]
        calls = [c for c in calls if c in self._writer_nodes]
        nodes = [node for call in calls for node in self._writer_nodes[call]]
        indexes = [writers.top_index(n, statement.body, self.lookups) for n in nodes]
        if any(i is None for i in indexes):
            raise Refused("AM310", f"a csv writer on '{name}' is used outside its 'with' body")
        buffer = self._buffer_name(statement)
        for call in calls:
            actions[call] = Consumer(ConsumerKind.CSV_WRITER, name, buffer=buffer)
        known = [i for i in indexes if i is not None]
        actions[statement] = CsvBuffer(name, buffer, min(known), max(known))

    def _buffer_name(self, statement: cst.With) -> str:
        """``buf`` (or ``buf2``, ...): unused in the coroutine and by enclosing buffers."""
        nested = {
            other
            for w, other in self._buffers.items()
            if encloses(self.lookups, w, statement) or encloses(self.lookups, statement, w)
        }
        if self._names is None:
            self._names = identifiers(self.function)
        number = 1
        while True:
            candidate = "buf" if number == 1 else f"buf{number}"
            if candidate not in self._names and candidate not in nested:
                self._buffers[statement] = candidate
                return candidate
            number += 1

    def _require(self, condition: bool, name: str, what: str) -> None:
        if not condition:
            raise Refused(
                "AM312",
                f"'{name}' is used by {what}, which is migrated only as a statement on a "
                "file whose mode is a literal of the right kind (text or binary)",
            )

    # -- deciding ----------------------------------------------------------------

    def _propagate(
        self,
        group_of: dict[cst.Call, int],
        accepted: dict[int, dict[cst.CSTNode, Action]],
        refused: dict[int, tuple[str, str]],
    ) -> None:
        """A 'with' stays sync if one of its files is refused, and so do its other files."""
        changed = True
        while changed:
            changed = False
            for bindings in self.withs.values():
                groups = [group_of[b.call] for b in bindings if b.call in group_of]
                blocked = [g for g in groups if g in refused]
                if not blocked:
                    continue
                for group in groups:
                    if group in accepted:
                        del accepted[group]
                        refused[group] = (
                            "AM316",
                            "it is opened in the same 'with' as a file that cannot be migrated",
                        )
                        changed = True

    def _emit(
        self,
        groups: list[tuple[str, list[Binding], list[BaseAssignment]]],
        accepted: dict[int, dict[cst.CSTNode, Action]],
        refused: dict[int, tuple[str, str]],
    ) -> None:
        refused_calls: set[cst.Call] = set()
        for index, (code, reason) in refused.items():
            name, bindings, _ = groups[index]
            for binding in bindings:
                refused_calls.add(binding.call)
                self._refuse(binding.call, code, f"file '{name}' left unchanged: {reason}")
        refused_withs = {
            w for w, bs in self.withs.items() if any(b.call in refused_calls for b in bs)
        }
        for index, actions in accepted.items():
            for binding in groups[index][1]:
                self.plan.actions[binding.call] = OpenCall(binding)
            self.plan.actions.update(actions)
        for binding in self.unnamed:
            if binding.statement not in refused_withs:
                self.plan.actions[binding.call] = OpenCall(binding)
        for statement in self.withs:
            if statement not in refused_withs:
                self.plan.async_withs.add(statement)

    def _refuse(self, node: cst.CSTNode, code: str, message: str) -> None:
        self.plan.refusals.append(Problem(node, code, message))


# -- small helpers ------------------------------------------------------------------

_TEMPFILE_ARGUMENTS = (
    "tempfile call with arguments aiofiles.tempfile does not take (or hidden by * / **)"
)
_MODES_DIFFER = "'{name}' is bound to files whose modes call for different async forms"
_NEEDS_MODE = "'{name}' is used by {what}, which depends on its mode; the mode is not a literal"


def _check_print(call: cst.Call, name: str) -> None:
    starred = [a for a in call.args if a.star == "*"]
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if any(a.star == "**" for a in call.args) or (starred and (positional or len(starred) > 1)):
        raise Refused("AM311", f"print(..., file={name}) with arguments that are not modelled")
    for arg in call.args:
        if arg.keyword is None:
            continue
        key = arg.keyword.value
        if key in ("sep", "end"):
            value = literal(arg.value, UNKNOWN)
            if not (value is None or isinstance(value, str)):
                raise Refused("AM311", f"print(..., file={name}) with a {key}= that is not literal")
        elif key == "flush":
            if not (isinstance(arg.value, cst.Name) and arg.value.value == "False"):
                raise Refused("AM311", f"print(..., file={name}, flush=...) is not modelled")
        elif key != "file":
            raise Refused("AM311", f"print(..., file={name}) with an unknown keyword")


def _is_param(arg: cst.Arg, index: int, position: int, keyword: str) -> bool:
    if arg.keyword is not None:
        return arg.keyword.value == keyword
    return index == position


def _target_of(binding: Binding) -> cst.CSTNode:
    statement = binding.statement
    if isinstance(statement, cst.Assign):
        return statement.targets[0].target
    for item in statement.items:
        if item.item is binding.call and item.asname is not None:
            return item.asname.name
    raise AssertionError("a named binding has a target")


def _is_target(holder: cst.CSTNode | None, node: cst.CSTNode) -> bool:
    if isinstance(holder, (cst.AssignTarget, cst.Del)):
        return True
    if isinstance(holder, (cst.AugAssign, cst.AnnAssign)) and holder.target is node:
        return True
    return False


def _dotted(node: cst.BaseExpression) -> str | None:
    return cst.helpers.get_full_name_for_node(node)


def _describe(parent: cst.CSTNode | None) -> str:
    kinds = {
        cst.Return: "it is returned",
        cst.Yield: "it is yielded",
        cst.Assign: "it is stored in another name or attribute",
        cst.AnnAssign: "it is stored in another name or attribute",
        cst.AssignTarget: "it is rebound",
        cst.Element: "it is put in a container",
        cst.DictElement: "it is put in a container",
        cst.WithItem: "it is used as a context manager again",
    }
    for kind, text in kinds.items():
        if isinstance(parent, kind):
            return text
    return f"it is used in {type(parent).__name__ if parent else 'an expression'}"
