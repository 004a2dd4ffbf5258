"""How a codemod declares itself: one :class:`CodemodSpec`, in ``codemods/<name>/spec.py``.

A declaration holds everything the rest of the tool needs to know about a codemod
without running it: its name and one-line description, every code it records (with
its severity, summary, explanation and a verified example), the ruff / flake8-async
codes each answers, its options, what its prefilter looks for, and where its command
class lives. The registry (:mod:`codemods.registry`) is an ordered list of these; the
CLI's options and ``--explain``, the configuration keys and the docs' codes table all
derive from them.

This module imports neither libcst nor any codemod, so reading a declaration is cheap.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.Enum):
    """What a code records."""

    #: A rewrite made: the call no longer blocks.
    REWRITE = "rewrite"
    #: A blocking call left for manual work: ``--check`` fails while one is left.
    FINDING = "finding"
    #: A suggestion ("may be CPU-bound", "these awaits may run together"): never a
    #: rewrite; printed like a finding but counted apart, and ``--check`` fails on it
    #: only when it is selected by its code or a prefix of it, not by its codemod's
    #: name (``registry.hint_codes()`` lists them).
    HINT = "hint"


@dataclass(frozen=True)
class Example:
    """A short module before and after the codemod; ``after`` is None when the codemod
    must leave ``before`` unchanged (and report the code). ``tests/test_examples.py``
    runs the codemod on every ``before`` and compares."""

    before: str
    after: str | None = None
    #: Keyword arguments for the codemod's command, when the example needs some:
    #: ``{"offload": False}`` is ``--no-offload``, ``{"cpu_bound": ["crunch"]}`` is
    #: ``--cpu-bound crunch``.
    options: dict[str, Any] = field(default_factory=dict)
    #: Other codemods the example runs with (``--select helpers,sleep``), in the
    #: registry's order with its own.
    with_codemods: tuple[str, ...] = ()


@dataclass(frozen=True)
class Code:
    """One code a codemod records (``AM101``)."""

    code: str
    severity: Severity
    #: One line: the codes table and ``--list-codemods``.
    summary: str
    #: ``--explain``: why the call blocks, what the rewrite does or why it is refused,
    #: what to do instead. Plain text, wrapped at 88 columns.
    explanation: str = ""
    example: Example | None = None
    #: ruff / flake8-async codes meaning the same: a noqa comment with one of them
    #: (ASYNC251) silences this code too.
    ruff: tuple[str, ...] = ()


@dataclass(frozen=True)
class Option:
    """A codemod option: a keyword argument of its command's constructor, a CLI flag
    (``--`` + the key) and a configuration key, all derived from ``name``."""

    #: The keyword argument (``cpu_bound``).
    name: str
    #: ``list`` (of strings; the flag repeats), ``bool`` (a ``--x/--no-x`` flag), ``str``,
    #: or ``int`` (the flag takes one integer; the configuration key, a TOML integer).
    type: type
    default: Any
    help: str
    #: The CLI metavar for ``list``, ``str`` and ``int`` options.
    metavar: str = "NAME"
    #: For ``int`` options: the smallest value accepted (flag and configuration alike).
    minimum: int | None = None
    #: For ``str`` options: the values accepted (flag and configuration alike); empty:
    #: any string.
    choices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The flag without its dashes, and the configuration key: ``cpu-bound``."""
        return self.name.replace("_", "-")


@dataclass(frozen=True)
class Targets:
    """What a codemod's prefilter looks for (see :mod:`async_migrate.engine.prefilter`).

    ``tokens``: byte strings, one of which a file must contain.
    ``names``: dotted names as libcst's QualifiedNameProvider spells them
    (``time.sleep``, ``builtins.open``, or a bare ``crunch`` for a module-level
    function); ``*.attr`` matches an attribute ``attr`` on anything, and ``mod.*``
    anything below ``mod`` (``os.*`` matches ``os.remove`` and ``os.path.exists``). Empty
    means "no ast stage": any file passing the byte stage goes to libcst.
    ``markers``: byte strings that, when present, send the file to libcst anyway
    (comments such as ``# async-migrate: cpu-bound``).
    ``anywhere``: like ``names``, but matched anywhere in the file, not only inside
    coroutines (``pool = urllib3.PoolManager()`` at module level makes ``pool.request``
    blocking).
    ``methods`` and ``gated``: when ``methods`` is given, a coroutine that spells none of
    these attribute names is of no interest through the names in ``gated`` nor through
    ``anywhere`` (a ``pathlib.Path`` matters only with a method that blocks called on it).
    ``calls_only``: the codemod acts on calls of its ``names`` only, never on a mention
    (``asyncio.to_thread(os.path.getsize, p)`` is of no interest to it); the names in
    ``anywhere`` (objects, known from their constructors and annotations) still count
    wherever they appear.
    ``object_methods``: for some names of ``anywhere``, the attribute names one of which a
    coroutine must spell for that object to count in it (the methods that block: a
    ``threading.Event`` matters only where ``wait`` is called).
    ``made_by_calls``: names of ``anywhere`` that are blocking functions too, and no
    annotation (``urllib.request.urlopen``): with ``calls_only``, only a call of one counts
    in a coroutine (merely named there, it makes no object the codemod can follow); bound
    outside, the objects they made count as any.
    ``objects_from_arguments``: a name bound to a call an object is passed to counts as
    that object (``reader = csv.reader(f)``); False for a codemod that knows an object
    only from the call that makes it, the method of an object that returns it, a member of
    one, or an annotation (``kinds.kind_of``), never from a call's arguments.
    """

    tokens: tuple[bytes, ...] = ()
    names: frozenset[str] = frozenset()
    markers: tuple[bytes, ...] = ()
    anywhere: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()
    gated: frozenset[str] = frozenset()
    calls_only: bool = False
    object_methods: dict[str, frozenset[str]] = field(default_factory=dict)
    made_by_calls: frozenset[str] = frozenset()
    objects_from_arguments: bool = True

    def bytes_may_match(self, data: bytes) -> bool:
        return not self.tokens or any(token in data for token in self.tokens)


#: A prescan of a codemod's own: ``(source bytes, its options) -> may it apply?``
Prescan = Callable[[bytes, dict[str, Any]], bool]


@dataclass(frozen=True)
class CodemodSpec:
    """One codemod, declared once."""

    #: The name users select it by, and its folder's name: ``codemods/<name>/``.
    name: str
    description: str
    #: Where its command class lives, ``"module:Class"``; imported only when a file
    #: needs it (the class imports libcst).
    command: str
    codes: tuple[Code, ...]
    options: tuple[Option, ...] = ()
    #: The prefilter: ``targets``, or a ``prescan`` (``"module:function"``, in a module
    #: that does not import libcst) that decides by itself, or both: then a file, and a
    #: coroutine, must pass both (the prescan looks for the shapes the codemod acts on,
    #: the targets for the blocking names that make them matter).
    targets: Targets = Targets()
    prescan: str | None = None
    #: With a ``prescan``: ``"module:function"``, ``(source bytes, its options) ->
    #: frozenset[int] | None``, the outermost coroutines (by the line of their ``async
    #: def``) the codemod may act in; None, or no function: any of them. The engine hands
    #: libcst only those (see ``async_migrate/engine/slicing.py``).
    interest: str | None = None
    #: ``"module:function"``, ``(source bytes, its options) -> list[Finding] | None``, in a
    #: module that does not import libcst: the codemod's findings when they can be told
    #: without running it (it would change nothing); None: run it. The fixture tests
    #: compare them with the codemod's own on every fixture.
    decide: str | None = None
    #: ``"module:function"``, ``(source bytes, filename, its options) -> (source bytes,
    #: list[Finding]) | None``: what the codemod makes of the module and its findings,
    #: made without running it over the module (libcst on the statements it changes
    #: only); None: run it. Asked only of a module no earlier codemod changed. The fixture
    #: tests compare the two on every fixture.
    edit: str | None = None
    #: ``"module:function"``, ``(source bytes, filename, its options) -> its options``, in a
    #: module that does not import libcst: options the codemod derives from the module
    #: itself when the caller did not give them (before the prefilter runs).
    prepare: str | None = None
    #: ``"module:function"``, ``(source bytes, filename, its prepared options) -> (source
    #: bytes, qualified names)``: a rewrite made before any codemod runs, which turns the
    #: sync functions it names into coroutines (and awaits their calls), so that every
    #: codemod migrates them as coroutines; the safety net treats those functions as
    #: coroutines of the input. Imports libcst only when it changes something.
    convert: str | None = None
    #: The families of blocking calls it is responsible for (``Family`` values of the
    #: catalogue): when it is ignored, no codemod touches or reports those calls.
    owns: tuple[str, ...] = ()
    #: It offloads blocking calls to threads; ``--no-offload`` makes it report them.
    offloads: bool = False
    #: Run unless deselected; an opt-in codemod runs only when selected (by its name, or
    #: by one of its codes or a prefix of them).
    default: bool = True
    #: Regular expressions for the module-level names it may define (helpers added after
    #: the imports); the safety net lets only new definitions matching one appear
    #: outside coroutines.
    helpers: tuple[str, ...] = ()
    #: It reads the bodies of the module's sync functions a coroutine names (to judge the
    #: call): the engine's slicing keeps those bodies for it.
    reads_callees: bool = False
    _loaded: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def load(self) -> type:
        """The command class (imports libcst)."""
        return self._hook("command")

    def _hook(self, name: str) -> Any:
        """The object the field ``name`` (``"module:function"``) names, imported on first
        use; None when the codemod declares none."""
        path = getattr(self, name)
        if path is None:
            return None
        if name not in self._loaded:
            self._loaded[name] = _load(path)
        return self._loaded[name]

    def may_apply(self, data: bytes, options: dict[str, Any]) -> bool | None:
        """The prescan's verdict, or None when the codemod declares ``targets`` instead."""
        check: Prescan | None = self._hook("prescan")
        return None if check is None else check(data, options)

    def coroutines_of_interest(self, data: bytes, options: dict[str, Any]) -> frozenset[int] | None:
        """What ``interest`` says (None without one)."""
        interest = self._hook("interest")
        return None if interest is None else interest(data, options)

    def decided(self, data: bytes, options: dict[str, Any]) -> list[Any] | None:
        """What ``decide`` says (None without one)."""
        decide = self._hook("decide")
        return None if decide is None else decide(data, options)

    def edited(
        self, data: bytes, filename: str, options: dict[str, Any]
    ) -> tuple[bytes, list[Any]] | None:
        """What ``edit`` makes (None without one)."""
        edit = self._hook("edit")
        return None if edit is None else edit(data, filename, options)

    def prepared(self, data: bytes, filename: str, options: dict[str, Any]) -> dict[str, Any]:
        """The codemod's options for ``data`` (see ``prepare``)."""
        prepare = self._hook("prepare")
        return options if prepare is None else prepare(data, filename, options)

    def converted(
        self, data: bytes, filename: str, options: dict[str, Any]
    ) -> tuple[bytes, frozenset[str]]:
        """What ``convert`` makes of ``data``: the source, and the functions it made
        coroutines (``data`` and nothing without a ``convert``)."""
        convert = self._hook("convert")
        return (data, frozenset()) if convert is None else convert(data, filename, options)

    def code(self, code: str) -> Code:
        for declared in self.codes:
            if declared.code == code:
                return declared
        raise KeyError(code)

    @property
    def summaries(self) -> dict[str, str]:
        """Code -> its one-line summary."""
        return {c.code: c.summary for c in self.codes}

    @property
    def ruff_codes(self) -> dict[str, tuple[str, ...]]:
        """Code -> the ruff / flake8-async codes meaning the same (only codes with some)."""
        return {c.code: c.ruff for c in self.codes if c.ruff}


def _load(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)
