"""``helpers-mode = "async"``: which blocking helpers become ``async def``, and which of
their calls get ``await``.

A project function that blocks is made a coroutine when every mention of it in the
project is a direct call (not in a generator expression, not under a thread lock, not
already awaited) from a coroutine or from a function made a coroutine too; and it is a
plain sync function of a module being migrated: not a generator, not bound to the loop's
or its own thread, not marked CPU-bound, not a dunder, decorated by nothing but
``staticmethod`` or ``classmethod``, not in ``__all__``, and, for a method, neither
overriding nor overridden in the project, in a class whose bases are all project classes.
The set is the largest that meets the rule (so helpers calling each other in a cycle
convert together). Every other helper stays sync, offloaded where coroutines call it as
in the default mode, with the reason it stayed.

Works on index records and mentions (:mod:`codemods.core.mentions`): no libcst.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from codemods.core.index import Call, Function, ModuleRecord
from codemods.core.mentions import Mention
from codemods.helpers.analysis import Project, Site, qualified

#: Decorators a converted function may carry: they do not care what the function returns.
TRANSPARENT_DECORATORS = frozenset({"staticmethod", "classmethod"})

#: A call to await, found again like a site: (function, callee as written, occurrence),
#: with its line in the input and what it calls (``load_item() blocks: load_item ->
#: time.sleep (shop/catalog.py:5:5)``).
AwaitKey = tuple[str, str, int, int, str]
#: A function to make a coroutine: (module-relative qualified name, line of its ``def``,
#: what the rewrite says at its name).
ConvertKey = tuple[str, int, str]


@dataclass
class Plan:
    """What async mode does to the project."""

    #: Qualified names of the functions made coroutines.
    converted: frozenset[str] = frozenset()
    #: Qualified name -> why a blocking function called from a coroutine stays sync.
    kept: dict[str, str] = field(default_factory=dict)

    def convert(self, project: Project, module: str) -> tuple[ConvertKey, ...]:
        """``module``'s functions made coroutines: module-relative qualified name, line of
        the ``def``, and what the rewrite says there."""
        record = project.modules.get(module)
        if record is None:
            return ()
        found = []
        for qualname, function in record.functions.items():
            key = qualified(module, qualname)
            if key in self.converted:
                what = f"{qualname}() blocks: {project.blocking[key].describe()}"
                message = f"{what}; made a coroutine: only coroutines call it, and await it"
                found.append((qualname, function.line, message))
        return tuple(found)

    def awaits(self, project: Project, module: str) -> tuple[AwaitKey, ...]:
        """The calls in ``module``'s coroutines (converted ones included) to converted
        functions: each gets ``await``."""
        record = project.modules.get(module)
        if record is None or not self.converted:
            return ()
        found: list[AwaitKey] = []
        for function in record.functions.values():
            if not _runs_as_coroutine(project, module, function, self.converted):
                continue
            seen: dict[str, int] = defaultdict(int)
            for call in sorted(function.calls, key=lambda c: (c.line, c.col)):
                occurrence = seen[call.text]
                seen[call.text] += 1
                target = project.resolve(call.names)
                if _direct(call) and target in self.converted:
                    _, called = project.functions[target]
                    what = f"{called.qualname}() blocks: {project.blocking[target].describe()}"
                    found.append((function.qualname, call.text, occurrence, call.line, what))
        return tuple(found)

    def sites(self, project: Project, module: str) -> list[Site]:
        return project.sites(module, self.converted, self.kept)


def plan(
    project: Project,
    mentions: Mapping[str, Iterable[Mention]],
    editable: frozenset[str],
) -> Plan:
    """The plan for a project: ``mentions`` by module (of the candidates' names, see
    :func:`candidate_names`), ``editable`` the modules this run migrates."""
    kept: dict[str, str] = {}
    candidates: set[str] = set()
    for key in _called_from_coroutines(project):
        why = _why_not(project, key, editable)
        if why:
            kept[key] = why
        else:
            candidates.add(key)
    # Every blocking helper a candidate calls is a candidate too, once its caller is one.
    frontier = list(candidates)
    while frontier:
        _, function = project.functions[frontier.pop()]
        for call in function.calls:
            target = project.resolve(call.names)
            if target is None or target not in project.blocking or target in candidates:
                continue
            if target in kept:
                continue
            why = _why_not(project, target, editable)
            if why:
                kept[target] = why
            else:
                candidates.add(target)
                frontier.append(target)
    calls = _calls_by_position(project)
    uses = _uses(project, mentions, candidates)
    for key in sorted(candidates):
        if not uses[key]:  # a coroutine's call to it at least: its module was not read
            candidates.discard(key)
            kept[key] = "its uses could not be read"
    converted = set(candidates)
    changed = True
    while changed:
        changed = False
        for key in sorted(converted):
            bad = next(
                (
                    _describe(project, module, mention, calls, editable)
                    for module, mention in uses[key]
                    if not _ok(project, key, module, mention, calls, converted, editable)
                ),
                None,
            )
            if bad is not None:
                converted.discard(key)
                kept[key] = bad
                changed = True
    return Plan(frozenset(converted), kept)


def candidate_names(project: Project, editable: frozenset[str]) -> frozenset[str]:
    """The identifiers whose mentions :func:`plan` needs: the names of the blocking
    functions that could be converted."""
    names = set()
    for key, (_, function) in project.functions.items():
        if key in project.blocking and not _why_not(project, key, editable):
            names.add(function.qualname.rsplit(".", 1)[-1])
    return frozenset(names)


# -- the static rule ------------------------------------------------------------------


def _called_from_coroutines(project: Project) -> set[str]:
    found = set()
    for record in project.modules.values():
        for function in record.functions.values():
            if not function.is_async:
                continue
            for call in function.calls:
                target = project.resolve(call.names)
                if target is not None and target in project.blocking and not call.awaited:
                    found.add(target)
    return found


def _why_not(project: Project, key: str, editable: frozenset[str]) -> str:
    """Why the blocking function ``key`` cannot be made a coroutine, whatever its uses
    ("" if it can)."""
    record, function = project.functions[key]
    name = function.qualname.rsplit(".", 1)[-1]
    if record.module not in editable:
        return f"{record.path} is not migrated in this run"
    if function.is_generator:
        return "it is a generator function"
    if key in project.bound:
        return "it must run in the event loop's thread or its own"
    if function.cpu_bound_marker:
        return "it is marked CPU-bound"
    if name.startswith("__") and name.endswith("__"):
        return f"{name} is a special method"
    odd = [d for d in function.decorators if d not in TRANSPARENT_DECORATORS]
    if odd:
        return f"it is decorated with @{odd[0]}"
    if function.owner is None and name in record.exported:
        return f"it is in __all__ of {record.path}"
    if function.owner is not None:
        return _why_not_method(project, record, function.owner, name)
    return ""


def _why_not_method(project: Project, record: ModuleRecord, owner: str, name: str) -> str:
    """Why a method cannot change: it overrides one (or its class has a base outside the
    project, which may define it), or a project subclass overrides it."""
    for base in record.classes.get(owner, ()):
        if base in ("builtins.object", "object"):
            continue
        found = project.class_named(base)
        if found is None:
            return f"{owner} has a base class outside the project ({base})"
        if project.method(found, name) is not None:
            return f"it overrides {base}.{name}"
    below = _hierarchy(project).defining_below((record.module, owner), name)
    if below is not None:
        return f"{qualified(*below)}.{name} overrides it"
    return ""


class _Hierarchy:
    """The project's classes and, for each, the project classes that derive from it."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.subclasses: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for record in project.modules.values():
            for klass, bases in record.classes.items():
                for base in bases:
                    found = project.class_named(base)
                    if found is not None:
                        parent = (found[0].module, found[1])
                        self.subclasses[parent].append((record.module, klass))

    def defining_below(self, klass: tuple[str, str], name: str) -> tuple[str, str] | None:
        """A project class deriving from ``klass``, at any depth, that defines ``name``."""
        seen = {klass}
        order = list(self.subclasses.get(klass, ()))
        while order:
            current = order.pop(0)
            if current in seen:
                continue
            seen.add(current)
            module, qualname = current
            if f"{qualname}.{name}" in self.project.modules[module].functions:
                return current
            order.extend(self.subclasses.get(current, ()))
        return None


_HIERARCHIES: weakref.WeakKeyDictionary[Project, _Hierarchy] = weakref.WeakKeyDictionary()


def _hierarchy(project: Project) -> _Hierarchy:
    if project not in _HIERARCHIES:
        _HIERARCHIES[project] = _Hierarchy(project)
    return _HIERARCHIES[project]


# -- the uses -----------------------------------------------------------------------


def _calls_by_position(project: Project) -> dict[tuple[str, int, int], tuple[str, Call]]:
    """(module, line, col) -> the function making the call there, and the call."""
    found = {}
    for module, record in project.modules.items():
        for function in record.functions.values():
            for call in function.calls:
                found[(module, call.line, call.col)] = (qualified(module, function.qualname), call)
    return found


def _uses(
    project: Project, mentions: Mapping[str, Iterable[Mention]], candidates: set[str]
) -> dict[str, list[tuple[str, Mention]]]:
    """Candidate -> the mentions that are, or may be, of it."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for key in candidates:
        by_name[project.functions[key][1].qualname.rsplit(".", 1)[-1]].append(key)
    uses: dict[str, list[tuple[str, Mention]]] = defaultdict(list)
    for module, found in mentions.items():
        for mention in found:
            if mention.names:  # what it resolves to (under an alias too), if a candidate
                target = project.resolve(mention.names)
                if target in candidates:
                    uses[target].append((module, mention))
            else:  # unknown: it may be any candidate of that name
                for key in by_name.get(mention.name, ()):
                    uses[key].append((module, mention))
    return uses


def _ok(
    project: Project,
    key: str,
    module: str,
    mention: Mention,
    calls: dict[tuple[str, int, int], tuple[str, Call]],
    converted: set[str],
    editable: frozenset[str],
) -> bool:
    """Whether ``mention`` is a direct call to ``key`` from a coroutine (or from a
    function being converted) of a module being migrated."""
    if mention.suppressed or not mention.names or not mention.called or module not in editable:
        return False
    found = calls.get((module, mention.line, mention.col))
    if found is None:
        return False
    caller, call = found
    if not _direct(call) or project.resolve(call.names) != key:
        return False
    _, function = project.functions[caller]
    return function.is_async or caller in converted


def _direct(call: Call) -> bool:
    return not call.awaited and call.where == ""


def _runs_as_coroutine(
    project: Project, module: str, function: Function, converted: frozenset[str]
) -> bool:
    return function.is_async or qualified(module, function.qualname) in converted


def _describe(
    project: Project,
    module: str,
    mention: Mention,
    calls: dict[tuple[str, int, int], tuple[str, Call]],
    editable: frozenset[str],
) -> str:
    """Why ``mention`` keeps its function sync, for the message."""
    path = project.modules[module].path
    where = f"{path}:{mention.line}:{mention.col}"
    if mention.suppressed:
        return f"a comment silences AM655 at {where}"
    if module not in editable:
        return f"it is used in {path}, which is not migrated in this run"
    if mention.string:
        return f"the string {mention.name!r} names it (__all__, getattr) at {where}"
    if not mention.names:
        return f"a use the index cannot resolve ({mention.name!r} at {where})"
    if not mention.called:
        return f"a reference to it, not a call ({where})"
    found = calls.get((module, mention.line, mention.col))
    if found is None:
        return (
            "a call the index does not follow (in a lambda, a nested function, a class "
            f"body or at module level: {where})"
        )
    caller, call = found
    if call.awaited:
        return f"a call awaits it already ({where})"
    if call.where == "generator":
        return f"it is called in a generator expression ({where})"
    if call.where == "locked":
        return f"it is called under a thread lock ({where})"
    return f"it has a sync caller, {project.functions[caller][1].qualname} ({where})"
