"""Which iterations in a coroutine block the event loop, and whether running one whole in
a worker thread is faithful, seen through :class:`~codemods.core.lookups.Lookups`.

An iteration blocks when something it iterates does its I/O while it is iterated
(``os.walk``, ``glob.iglob``, ``os.scandir``, ``Path.iterdir``/``glob``/``rglob``, ``map``
or ``filter`` of a blocking function, a file ``open`` makes), or when a generator
expression it consumes makes a blocking call: neither can be awaited
where it stands. Three shapes hold such an iteration and consume it at once, so that
running the shape in a thread runs exactly the same code, only elsewhere:

- a call of ``sorted``, ``list``, ``tuple``, ``set``, ``frozenset``, ``dict``, ``sum``,
  ``any``, ``all``, ``min``, ``max`` or ``"sep".join`` on it;
- a list, set or dict comprehension;
- a ``for`` statement (the iteration in its header).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterator
from dataclasses import dataclass

import libcst as cst

from codemods.core.blocking import WAITS_BY_OPTION, Blocking, classify, function_blocking
from codemods.core.catalogue import CONSTRUCTORS, FUNCTIONS, Family, ObjectKind
from codemods.core.filesystem import AIOFILES_OS, AIOFILES_OS_PATH, TO_THREAD
from codemods.core.lookups import Lookups
from codemods.core.paths import filesystem_call, lazy_call

#: Calls that consume the iterable they are given before they return.
CONSUMERS = frozenset(
    f"builtins.{name}"
    for name in (
        "sorted",
        "list",
        "tuple",
        "set",
        "frozenset",
        "dict",
        "sum",
        "any",
        "all",
        "min",
        "max",
    )
)
#: Iterated lazily, besides the calls :func:`~codemods.core.paths.lazy_call` knows:
#: ``os.scandir``'s iterator reads the directory while it is iterated.
_ALSO_LAZY = frozenset({"os.scandir"})
#: Calls that open a file: iterated, it reads the file line by line.
_OPENERS = frozenset(name for name, kind in CONSTRUCTORS.items() if kind == ObjectKind.FILE)
#: Builtins that call their first argument on each item while they are iterated.
_MAPPING = frozenset({"builtins.map", "builtins.filter"})
#: The blocking functions that block whatever their arguments (``os.waitpid`` may be
#: given ``WNOHANG``), named as ``map``'s or ``filter``'s function.
_MAPPED = (frozenset(FUNCTIONS) | AIOFILES_OS | AIOFILES_OS_PATH | TO_THREAD) - WAITS_BY_OPTION
#: Calls that mean something else inside a nested function or a lambda: they read the
#: frame they run in (and ``super()`` without arguments, which reads its function's).
_FRAME_SENSITIVE = frozenset({"locals", "vars", "dir", "eval", "exec"})
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp)
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


class Shape(enum.Enum):
    """What is offloaded whole."""

    EXPRESSION = "expression"  # -> await asyncio.to_thread(lambda: <expression>)
    LOOP = "loop"  # -> def scan(): <loop>; await asyncio.to_thread(scan)


@dataclass(frozen=True)
class Site:
    """A blocking call the offloaded iteration holds, and the name to show for it."""

    call: cst.Call
    name: str
    #: The family of blocking calls it belongs to (a ``Family`` value).
    family: str = Family.FILES.value


@dataclass(frozen=True)
class Iteration:
    """An iteration to offload whole: its blocking calls, and for a loop the names it
    binds that the coroutine uses elsewhere (declared ``nonlocal``, or ``global`` when the
    coroutine declares them so)."""

    shape: Shape
    sites: tuple[Site, ...]
    declarations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Refusal:
    """A blocking iteration that stays where it is, and why."""

    reason: str


def shape_of(lookups: Lookups, node: cst.CSTNode) -> Shape | None:
    """The shape ``node`` is, if it is one that consumes an iteration at once."""
    if isinstance(node, cst.For):
        return Shape.LOOP if node.asynchronous is None else None
    if isinstance(node, _COMPREHENSIONS):
        return Shape.EXPRESSION
    if isinstance(node, cst.Call) and _consumes(lookups, node):
        return Shape.EXPRESSION
    return None


def _consumes(lookups: Lookups, call: cst.Call) -> bool:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if not positional:
        return False
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "join":
        return isinstance(func.value, (cst.SimpleString, cst.ConcatenatedString))
    return lookups.resolves_to(func, CONSUMERS) is not None


def triggers(lookups: Lookups, node: cst.CSTNode, shape: Shape) -> list[Site]:
    """The calls that make the iteration ``node`` block where it stands: a call iterated
    lazily, or a blocking call in a generator expression. For a loop, only its header's
    iteration counts (its body's calls can each be awaited)."""
    region = node.iter if isinstance(node, cst.For) else node
    found = []
    for call, in_generator in _calls(region):
        name = _lazy(lookups, call)
        mapped = None if name is not None else _mapped(lookups, call)
        if name is not None:
            found.append(Site(call, name))
        elif mapped is not None:
            family = FUNCTIONS.get(mapped, Family.FILES)
            found.append(Site(call, mapped.removeprefix("builtins."), family.value))
        elif in_generator:
            site = blocking_site(lookups, call)
            if site is not None:
                found.append(site)
    return found


def _lazy(lookups: Lookups, call: cst.Call) -> str | None:
    name = lazy_call(lookups, call) or lookups.resolves_to(call.func, _ALSO_LAZY | _OPENERS)
    return name.removeprefix("builtins.") if name else None


def _mapped(lookups: Lookups, call: cst.Call) -> str | None:
    """The blocking function ``f`` of ``map(f, items)`` or ``filter(f, items)``, named
    there: it is called, and blocks, on each item while the result is iterated."""
    if lookups.resolves_to(call.func, _MAPPING) is None:
        return None
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if len(positional) < 2:
        return None
    return lookups.resolves_to(positional[0].value, _MAPPED)


def blocking_site(lookups: Lookups, call: cst.Call) -> Site | None:
    """``call``, if it is any blocking call the codemods know."""
    found = classify(lookups, call)
    if found is not None:
        return Site(call, found.name, found.family.value)
    name = filesystem_call(lookups, call)
    return None if name is None else Site(call, name)


def plan(
    lookups: Lookups, node: cst.CSTNode, shape: Shape, leave_alone: frozenset[str]
) -> Iteration | Refusal:
    """Whether the iteration ``node`` (which :func:`triggers` found blocking) can run whole
    in a worker thread, faithfully: nothing in it awaits, yields, returns or changes
    meaning in a nested function, and each blocking call in it may go to a thread."""
    why = _unfaithful(lookups, node, shape)
    if why:
        return Refusal(why)
    sites = []
    for call, _ in _calls(node):
        mapped = _mapped(lookups, call)
        found: Blocking | None = None
        if mapped is not None and mapped in FUNCTIONS:
            found = function_blocking(mapped)
        elif mapped is not None:
            if "files" in leave_alone:
                return Refusal(f"{mapped}() is left alone in this run")
            sites.append(Site(call, mapped))
            continue
        else:
            found = classify(lookups, call)
        if found is not None:
            if found.family.value in leave_alone:
                return Refusal(f"{found.name}() is left alone in this run")
            reason = found.thread_reason or found.async_instead or found.not_offloadable
            if found.thread_bound or reason:
                why = reason or "its object is bound to the thread that made it"
                return Refusal(f"{found.name}() cannot go to a worker thread: {why}")
            sites.append(Site(call, found.name, found.family.value))
            continue
        name = filesystem_call(lookups, call)
        if name is not None:
            if "files" in leave_alone:
                return Refusal(f"{name}() is left alone in this run")
            sites.append(Site(call, name))
    declarations: tuple[tuple[str, str], ...] = ()
    if isinstance(node, cst.For):
        coroutine = coroutine_of(lookups, node)
        if coroutine is None:
            return Refusal("the loop is not directly in a coroutine")
        declarations, why = _declarations(lookups, coroutine, node)
        if why:
            return Refusal(why)
    return Iteration(shape, tuple(sites), declarations)


def _calls(node: cst.CSTNode, in_generator: bool = False) -> Iterator[tuple[cst.Call, bool]]:
    """Every call in ``node`` that runs when it does (not in a nested ``def``, ``class`` or
    ``lambda``), and whether it is in a generator expression."""
    if isinstance(node, cst.Call):
        yield node, in_generator
    inside = in_generator or isinstance(node, cst.GeneratorExp)
    for child in node.children:
        if not isinstance(child, _NESTED):
            yield from _calls(child, inside)


def _unfaithful(lookups: Lookups, node: cst.CSTNode, shape: Shape) -> str:
    """Why running ``node`` in a function of its own would not be the same ('' if it
    would)."""
    for child in _walk(node, into_nested=True):
        if isinstance(child, cst.Await):
            return "it awaits"
        if isinstance(child, cst.Yield):
            return "it yields"
        if isinstance(child, cst.CompFor) and child.asynchronous is not None:
            return "it iterates asynchronously"
        if isinstance(child, (cst.For, cst.With)) and child.asynchronous is not None:
            return "it iterates or enters a context asynchronously"
        if isinstance(child, cst.Call) and isinstance(child.func, cst.Name):
            called = child.func.value
            if called == "next":
                return (
                    "it calls next(), whose StopIteration would reach the coroutine as a TypeError"
                )
            if called in _FRAME_SENSITIVE or (called == "super" and not child.args):
                return f"it calls {called}(), which reads the frame it runs in"
        if isinstance(child, cst.Name) and _from_asyncio(lookups, child):
            return "it uses asyncio, whose objects belong to the event loop's thread"
    for child in _walk(node, into_nested=False):
        if isinstance(child, cst.NamedExpr) and shape is Shape.EXPRESSION:
            return "it assigns with :="
        if isinstance(child, cst.Return):
            return "it returns from the coroutine"
        if isinstance(child, (cst.Global, cst.Nonlocal)):
            return "it declares a name global or nonlocal"
        if isinstance(child, cst.Match):
            return "it holds a match statement"
    return ""


def _from_asyncio(lookups: Lookups, name: cst.Name) -> bool:
    if name.value == "asyncio":
        return True
    return any(q == "asyncio" or q.startswith("asyncio.") for q in lookups.qualified_names(name))


def _walk(
    node: cst.CSTNode, into_nested: bool, skipped: Collection[cst.CSTNode] = ()
) -> Iterator[cst.CSTNode]:
    """``node`` and every node it holds, but those in ``skipped`` and what they hold;
    without ``into_nested``, nested ``def``, ``class`` and ``lambda`` themselves (their
    names bind where they stand), not what they hold."""
    if node in skipped:
        return
    yield node
    for child in node.children:
        if into_nested or not isinstance(child, _NESTED):
            yield from _walk(child, into_nested, skipped)
        elif child not in skipped:
            yield child


def coroutine_of(lookups: Lookups, node: cst.CSTNode) -> cst.FunctionDef | None:
    """The coroutine ``node`` runs in directly (no nested ``def``, ``class`` or ``lambda``
    between them), if any."""
    current = lookups.parent_of(node)
    while current is not None and not isinstance(current, _NESTED):
        current = lookups.parent_of(current)
    if isinstance(current, cst.FunctionDef) and current.asynchronous is not None:
        return current
    return None


def _declarations(
    lookups: Lookups, coroutine: cst.FunctionDef, loop: cst.For
) -> tuple[tuple[tuple[str, str], ...], str]:
    """How the nested function declares the names ``loop`` binds that the coroutine also
    has (``nonlocal``; ``global`` as the coroutine declares it), so that they stay the
    coroutine's; and why the loop cannot move ('' if it can).

    A name the loop binds is the coroutine's after the move only if the code that stays in
    the coroutine (outside every loop that may move) binds it too, or it is a parameter or
    declared there. A name that staying code only reads would lose its binding: refused.
    A name the loop shares only with other loops that may move is left to each loop's
    own function when each binds it as its ``for`` target and no ``else`` clause reads it
    (each run of a body then reads its own loop's value); refused otherwise.
    """
    bound = list(dict.fromkeys(_bound_names(_walk(loop, into_nested=False))))
    if not bound:
        return (), ""
    declared: dict[str, str] = {}
    for child in _walk(coroutine.body, into_nested=False):
        if isinstance(child, (cst.Global, cst.Nonlocal)):
            kind = "global" if isinstance(child, cst.Global) else "nonlocal"
            for item in child.names:
                declared[item.name.value] = kind
    moving = {
        child
        for child in _walk(coroutine.body, into_nested=False)
        if isinstance(child, cst.For) and triggers(lookups, child, Shape.LOOP)
    }
    moving.add(loop)
    staying_binds = set(_bound_names(_walk(coroutine.body, into_nested=False, skipped=moving)))
    staying_binds |= _parameter_names(coroutine.params) | set(declared)
    staying_reads = set(_names_read(coroutine.body, moving))
    annotated = {
        name
        for child in _walk(loop, into_nested=False)
        if isinstance(child, cst.AnnAssign)
        for name in _target_names(child.target)
    }
    out = []
    for name in bound:
        if name in staying_binds:
            if name in annotated:  # Python refuses a nonlocal or global annotated name
                return (), f"it annotates '{name}', which the coroutine has too"
            out.append((declared.get(name, "nonlocal"), name))
            continue
        if name in staying_reads:
            return (), f"it assigns '{name}', which the coroutine reads and assigns only there"
        sharing = [m for m in moving if m is not loop and _occurs(name, m)]
        if sharing and not all(_own_target(name, m) for m in [loop, *sharing]):
            return (), f"it shares '{name}' with another loop that moves"
    return tuple(out), ""


def _occurs(name: str, node: cst.CSTNode) -> bool:
    return any(isinstance(n, cst.Name) and n.value == name for n in _walk(node, True))


def _own_target(name: str, loop: cst.For) -> bool:
    """Whether ``loop`` binds ``name`` as its ``for`` target and its ``else`` clause does
    not mention it."""
    if name not in set(_target_names(loop.target)):
        return False
    return loop.orelse is None or not _occurs(name, loop.orelse)


def _names_read(node: cst.CSTNode, skipped: set[cst.CSTNode]) -> Iterator[str]:
    """The names ``node`` may read outside ``skipped``, nested functions included: every
    ``Name`` but an attribute's, a keyword argument's, one only assigned to, and one
    read in the body of a ``for`` or in a comprehension whose own target binds it (a
    superset of its reads)."""
    stored = {id(name) for name in _stored_names(node)}
    for name in _names(node, skipped, frozenset()):
        if id(name) not in stored:
            yield name.value


def _names(node: cst.CSTNode, skipped: set[cst.CSTNode], own: frozenset[str]) -> Iterator[cst.Name]:
    """The ``Name`` nodes of ``node`` outside ``skipped`` that may read a variable, but
    those in ``own`` (names a loop around them binds for each of its runs)."""
    if node in skipped:
        return
    if isinstance(node, cst.Name):
        if node.value not in own:
            yield node
    elif isinstance(node, (cst.Attribute, cst.Arg)):
        yield from _names(node.value, skipped, own)
    elif isinstance(node, cst.For):
        yield from _names(node.iter, skipped, own)
        yield from _names(node.body, skipped, own | set(_target_names(node.target)))
        if node.orelse is not None:
            yield from _names(node.orelse, skipped, own)
    elif isinstance(node, (*_COMPREHENSIONS, cst.GeneratorExp)):
        # The first iterable is evaluated where the comprehension stands.
        yield from _names(node.for_in.iter, skipped, own)
        inner = set(own)
        loop: cst.CompFor | None = node.for_in
        while loop is not None:
            inner.update(_target_names(loop.target))
            loop = loop.inner_for_in
        for child in node.children:
            if child is node.for_in:
                yield from _comprehension_names(node.for_in, skipped, frozenset(inner))
            else:
                yield from _names(child, skipped, frozenset(inner))
    else:
        for child in node.children:
            yield from _names(child, skipped, own)


def _comprehension_names(
    loop: cst.CompFor, skipped: set[cst.CSTNode], own: frozenset[str]
) -> Iterator[cst.Name]:
    """As :func:`_names` for a comprehension's ``for`` clauses, but the first iterable."""
    for clause in loop.ifs:
        yield from _names(clause, skipped, own)
    inner = loop.inner_for_in
    if inner is not None:
        yield from _names(inner.iter, skipped, own)
        yield from _comprehension_names(inner, skipped, own)


def _stored_names(node: cst.CSTNode) -> Iterator[cst.Name]:
    """The ``Name`` nodes in ``node`` that are only assigned to."""
    for child in _walk(node, into_nested=True):
        if isinstance(child, (cst.For, cst.CompFor, cst.AssignTarget, cst.NamedExpr)):
            yield from _target_nodes(child.target)
        elif isinstance(child, cst.AnnAssign) and child.value is not None:
            yield from _target_nodes(child.target)
        elif isinstance(child, cst.AsName):
            yield from _target_nodes(child.name)
        elif isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Param)):
            yield child.name
        elif isinstance(child, cst.ImportAlias):
            yield from (n for n in _walk(child, into_nested=True) if isinstance(n, cst.Name))


def _target_nodes(target: cst.BaseExpression) -> Iterator[cst.Name]:
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_nodes(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_nodes(target.value)


def _parameter_names(params: cst.Parameters) -> set[str]:
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            every.append(star)
    return {param.name.value for param in every}


def _bound_names(nodes: Iterator[cst.CSTNode]) -> Iterator[str]:
    """The names ``nodes`` bind in the function they run in, in order."""
    for child in nodes:
        if isinstance(child, (cst.FunctionDef, cst.ClassDef)):
            yield child.name.value
        elif isinstance(child, cst.For):
            yield from _target_names(child.target)
        elif isinstance(child, cst.AssignTarget):
            yield from _target_names(child.target)
        elif isinstance(child, (cst.AnnAssign, cst.AugAssign)):
            yield from _target_names(child.target)
        elif isinstance(child, cst.AsName):
            yield from _target_names(child.name)
        elif isinstance(child, cst.NamedExpr):
            yield from _target_names(child.target)
        elif isinstance(child, cst.Del):
            yield from _target_names(child.target)
        elif isinstance(child, cst.ImportAlias) and child.asname is None:
            name = child.name
            while isinstance(name, cst.Attribute):
                name = name.value
            if isinstance(name, cst.Name):
                yield name.value


def _target_names(target: cst.BaseExpression) -> Iterator[str]:
    return (name.value for name in _target_nodes(target))
