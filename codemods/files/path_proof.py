"""Whether the object of a method call in a coroutine is a ``pathlib.Path``, read from the
``ast`` tree: the proof of :func:`codemods.core.paths.is_path` (with parameters annotated
as Paths), step for step, where the steps need only what ``ast`` shows plainly.

Each answer is one of three: the proof holds (``p = Path(x)`` then ``p.exists()``;
``Path.cwd().resolve()``; a parameter annotated ``Path``), it fails (``self.store.exists()``
where the class keeps no Path, a name bound by a ``for``, a string), or it cannot be told
here (a name bound by a ``global`` statement, an ``isinstance`` test on the name, a call
of a function of the module that may be annotated to return a Path, a coroutine nested
in a function): then the caller leaves the module to the command, whose libcst proof
decides.
"""

from __future__ import annotations

import ast
import enum
from collections.abc import Iterator

from codemods.core import parsed
from codemods.core.attributes import attribute_kinds
from codemods.core.catalogue import ObjectKind
from codemods.core.filesystem import PATH_CLASSES, PATH_CONSTRUCTORS, PATH_DERIVED
from codemods.core.name_proofs import NameProofs
from codemods.core.plain_names import NEW_SCOPES


class Verdict(enum.Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


YES, NO, UNKNOWN = Verdict.YES, Verdict.NO, Verdict.UNKNOWN

#: How many steps (a name, a call, an operator) a proof may take, as libcst's proof.
_DEPTH = 12

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _any(verdicts: list[Verdict]) -> Verdict:
    if YES in verdicts:
        return YES
    return UNKNOWN if UNKNOWN in verdicts else NO


class PathProof:
    """The proofs for the coroutines of one module."""

    def __init__(self, tree: ast.Module, data: bytes) -> None:
        self._tree = tree
        self._data = data
        self._top = _scope_bindings(tree.body)
        #: The names of the module's functions, anywhere.
        self._defined: set[str] = set()
        #: Names a ``global`` or ``nonlocal`` statement declares: bound in other scopes.
        self._declared: set[str] = set()
        #: The names bound in a class's body: a method does not see them, but whether a
        #: name is the class's or the module's is left to libcst's scope analysis.
        self._inner: set[str] = set()
        for node in parsed.walk(tree):
            if isinstance(node, _DEFINITIONS):
                self._defined.add(node.name)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                self._declared.update(node.names)
            elif isinstance(node, ast.ClassDef):
                self._inner.update(name for child in node.body for name, _ in _targets(child))
        self._kinds: dict[tuple[str, str], ObjectKind] | None = None
        self._local: dict[int, dict[str, list[ast.AST]]] = {}
        self._narrowing: dict[int, set[str]] = {}
        self._calls: dict[int, set[int]] = {}
        self._parent_map: dict[int, ast.AST] | None = None
        self._outer = {id(node) for node in _outer_coroutines(tree.body)}
        #: The class a coroutine is a method of (directly in its body), and the class's
        #: name in the module (dotted for nested classes).
        self._owners = dict(_methods(tree.body, []))

    def of(self, call: ast.Call, coroutine: ast.AsyncFunctionDef) -> Verdict:
        """Whether the object of ``call``, a method call written in ``coroutine``, is a
        Path as the command's proof finds it with parameters allowed."""
        if id(coroutine) not in self._outer:
            return UNKNOWN  # scopes around it
        if id(call) not in self._direct(coroutine):
            return UNKNOWN  # in a comprehension, a lambda or a function of its own
        assert isinstance(call.func, ast.Attribute)
        return self._is_path(call.func.value, coroutine, 0, NameProofs(YES))

    def _direct(self, coroutine: ast.AsyncFunctionDef) -> set[int]:
        """The calls made in the coroutine's own scope (not in a comprehension's)."""
        found = self._calls.get(id(coroutine))
        if found is None:
            found = self._calls[id(coroutine)] = set()
            stack: list[ast.AST] = list(coroutine.body)
            while stack:
                node = stack.pop()
                if isinstance(node, NEW_SCOPES):
                    continue
                if isinstance(node, ast.Call):
                    found.add(id(node))
                stack.extend(parsed.children(node))
        return found

    # -- the steps of the command's proof ----------------------------------------------

    def _is_path(
        self, expr: ast.expr, coroutine: ast.AsyncFunctionDef, depth: int, proof: _Proof
    ) -> Verdict:
        if depth > _DEPTH:
            return NO
        if isinstance(expr, ast.Call):
            func = expr.func
            steps = [
                self._resolves_to_path(func, coroutine),
                self._returns_path(func, coroutine),
            ]
            if isinstance(func, ast.Attribute):
                if func.attr in PATH_CONSTRUCTORS:
                    steps.append(self._resolves_to_path(func.value, coroutine))
                elif func.attr in PATH_DERIVED:
                    steps.append(self._is_path(func.value, coroutine, depth + 1, proof))
            return _any(steps)
        if isinstance(expr, ast.Attribute) and expr.attr == "parent":
            return self._is_path(expr.value, coroutine, depth + 1, proof)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            owner = self._instance_of(expr.value, coroutine)
            if owner is UNKNOWN:
                return UNKNOWN
            if isinstance(owner, str) and self._kept(owner, expr.attr) is ObjectKind.PATH:
                return YES  # a Path the class keeps on ``self``
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            return self._is_path(expr.left, coroutine, depth + 1, proof)
        if isinstance(expr, ast.Name):
            found = self._name_is_path(expr.id, coroutine, depth, proof)
            if found is not YES and expr.id in self._narrowed(coroutine):
                return _any([found, self._narrowed_here(expr, coroutine)])
            return found
        return NO

    def _name_is_path(
        self, name: str, coroutine: ast.AsyncFunctionDef, depth: int, proof: _Proof
    ) -> Verdict:
        if name in self._declared:
            return UNKNOWN  # bound in another scope too
        local = self._locals(coroutine)
        if name in local:
            key, bindings = (id(coroutine), name), local[name]
        elif name in self._inner:
            return UNKNOWN  # bound in a class's body too: which scope, libcst knows
        else:
            key, bindings = (0, name), self._top.get(name, [])
        at_top = key[0] == 0
        return proof.name(key, self._bindings_are_paths, bindings, coroutine, at_top, depth, proof)

    def _bindings_are_paths(
        self,
        bindings: list[ast.AST],
        coroutine: ast.AsyncFunctionDef,
        at_top: bool,
        depth: int,
        proof: _Proof,
    ) -> Verdict:
        if not bindings:
            return NO  # a builtin, or unbound: no assignment of the module's
        grounded, unsure = False, False
        for binding in bindings:
            if isinstance(binding, ast.arg):
                annotation = binding.annotation
                if annotation is None:
                    return NO
                found = self._annotated_path(annotation)
                if found is NO:
                    return NO
                unsure = unsure or found is UNKNOWN
                grounded = True
                continue
            value = _assigned(binding)
            if value is _UNSURE:
                unsure = True
                continue
            if value is None:
                return NO
            where = _MODULE_LEVEL if at_top else coroutine
            proven, alone = proof.binding(self._is_path, value, where, depth + 1, proof)
            grounded = grounded or (proven is YES and alone)
            if proven is NO:
                return NO
            unsure = unsure or proven is UNKNOWN
        if unsure:
            return UNKNOWN
        return YES if grounded else NO

    def _resolves_to_path(self, func: ast.expr, coroutine: ast.AsyncFunctionDef) -> Verdict:
        """Whether ``func``'s qualified name is a Path class's, as libcst's names give it:
        an import binds the name to what it imports; any other binding to the name itself
        (``pathlib.Path`` then only where the name bound so is ``pathlib``)."""
        spelled = parsed.dotted(func)
        if spelled is None:
            return NO
        root, _, rest = spelled.partition(".")
        local = self._locals(coroutine)
        if root in self._declared or (root not in local and root in self._inner):
            return UNKNOWN
        binders = local[root] if root in local else self._top.get(root, [])
        verdicts = set()
        for binder in binders:
            target = _imported_as(binder, root)
            if target is None:
                verdicts.add(UNKNOWN if root == "pathlib" else NO)
            else:
                verdicts.add(
                    YES if (f"{target}.{rest}" if rest else target) in PATH_CLASSES else NO
                )
        if not verdicts:
            return NO  # a builtin, or unbound
        return verdicts.pop() if len(verdicts) == 1 else UNKNOWN

    def _annotated_path(self, annotation: ast.expr) -> Verdict:
        if not isinstance(annotation, (ast.Name, ast.Attribute)):
            return NO
        return self._resolves_to_path(annotation, _MODULE_LEVEL)

    def _returns_path(self, func: ast.expr, coroutine: ast.AsyncFunctionDef) -> Verdict:
        """Whether ``func`` is a function of the module, or a method of the class (called
        on ``self`` or ``cls``), every definition of which is a ``def`` annotated to return
        a Path: read here for a method of the coroutine's own class, else known to fail
        only where no function of the module has that name."""
        if isinstance(func, ast.Name):
            return UNKNOWN if func.id in self._defined else NO
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return NO
        if func.attr not in self._defined:
            return NO
        owner = self._own_class(func.value, coroutine)
        if not isinstance(owner, ast.ClassDef):
            return UNKNOWN
        definitions = [
            node for node in owner.body if isinstance(node, _DEFINITIONS) and node.name == func.attr
        ]
        if not definitions:
            return NO
        verdicts = [
            NO
            if isinstance(node, ast.AsyncFunctionDef) or node.returns is None
            else self._annotated_path(node.returns)
            for node in definitions
        ]
        if NO in verdicts:
            return NO
        return UNKNOWN if UNKNOWN in verdicts else YES

    def _own_class(self, name: ast.Name, coroutine: ast.AsyncFunctionDef) -> object:
        """The class whose method the coroutine is, when ``name`` is its first parameter
        and it is not a static method (libcst's ``own_class``); UNKNOWN where a decorator
        may be one under another name."""
        if coroutine is _MODULE_LEVEL or name.id != _first_parameter(coroutine):
            return None
        static = self._decorated(coroutine, {"staticmethod"})
        if static is not NO:
            return None if static is YES else UNKNOWN
        return self._owners.get(id(coroutine), (None, None))[0]

    def _instance_of(self, name: ast.Name, coroutine: ast.AsyncFunctionDef) -> object:
        """The qualified name of the class whose instance ``name`` is, as libcst's
        ``instance_of`` finds it: the coroutine's first parameter, in a method that is
        neither static nor a class method; None otherwise, UNKNOWN where unsure."""
        if coroutine is _MODULE_LEVEL or name.id != _first_parameter(coroutine):
            return None
        special = self._decorated(coroutine, {"staticmethod", "classmethod"})
        if special is not NO:
            return None if special is YES else UNKNOWN
        return self._owners.get(id(coroutine), (None, None))[1]

    def _decorated(self, coroutine: ast.AsyncFunctionDef, names: set[str]) -> Verdict:
        """Whether a decorator of the coroutine is one of the builtins ``names``."""
        found = NO
        for decorator in coroutine.decorator_list:
            spelled = parsed.dotted(decorator)
            if spelled is None or spelled.rsplit(".", 1)[-1] not in names:
                continue
            if spelled in names and not (
                spelled in self._top or spelled in self._inner or spelled in self._declared
            ):
                return YES
            found = UNKNOWN  # ``builtins.staticmethod``, or the name bound otherwise
        return found

    def _kept(self, owner: str, attribute: str) -> ObjectKind | None:
        if self._kinds is None:
            self._kinds = attribute_kinds(self._data)
        return self._kinds.get((owner, attribute))

    def _locals(self, coroutine: ast.AsyncFunctionDef) -> dict[str, list[ast.AST]]:
        found = self._local.get(id(coroutine))
        if found is None:
            found = self._local[id(coroutine)] = (
                {} if coroutine is _MODULE_LEVEL else _own_bindings(coroutine)
            )
        return found

    def _narrowed_here(self, name: ast.Name, coroutine: ast.AsyncFunctionDef) -> Verdict:
        """Whether ``name`` is used where an ``isinstance(name, Path)`` test holds (libcst's
        ``_narrowed``): in the body of an ``if`` testing it, or right of an ``and`` after
        it, in the same function, with no binding of the name in that region."""
        parents = self._parents()
        child: ast.AST = name
        node = parents.get(id(name))
        while node is not None and not isinstance(
            node, (*_DEFINITIONS, ast.Lambda, ast.ClassDef, ast.Module)
        ):
            tests: list[ast.expr] = []
            if isinstance(node, ast.If) and any(child is s for s in node.body):
                tests = [node.test]
            elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
                at = next(i for i, value in enumerate(node.values) if value is child)
                tests = node.values[:at]
            found = _any([self._tests_path(test, name.id, coroutine) for test in tests])
            if found is YES:
                bound = self._bound_within(name.id, node, coroutine)
                return UNKNOWN if bound is None else NO if bound else YES
            if found is UNKNOWN:
                return UNKNOWN
            child, node = node, parents.get(id(node))
        return NO

    def _tests_path(self, test: ast.expr, name: str, coroutine: ast.AsyncFunctionDef) -> Verdict:
        """Whether ``test`` is ``isinstance(name, <a Path class>)``, or an ``and`` of which
        one part is."""
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            return _any([self._tests_path(value, name, coroutine) for value in test.values])
        if (
            isinstance(test, ast.Call)
            and isinstance(test.func, ast.Attribute)
            and test.func.attr == "isinstance"
        ):
            return UNKNOWN  # ``builtins.isinstance``, maybe
        if not (
            isinstance(test, ast.Call)
            and isinstance(test.func, ast.Name)
            and test.func.id == "isinstance"
            and len(test.args) == 2
            and not test.keywords
            and not any(isinstance(a, ast.Starred) for a in test.args)
            and isinstance(test.args[0], ast.Name)
            and test.args[0].id == name
        ):
            return NO
        if "isinstance" in self._top or "isinstance" in self._declared:
            return UNKNOWN
        if "isinstance" in self._locals(coroutine) or "isinstance" in self._inner:
            return UNKNOWN
        return self._resolves_to_path(test.args[1], coroutine)

    def _bound_within(
        self, name: str, region: ast.AST, coroutine: ast.AsyncFunctionDef
    ) -> bool | None:
        """Whether a binding of ``name`` in the scope it is read from lies in ``region``;
        None when one has no position to tell (a ``with`` item)."""
        start = (region.lineno, region.col_offset)  # type: ignore[attr-defined]
        end = (region.end_lineno, region.end_col_offset)  # type: ignore[attr-defined]
        local = self._locals(coroutine)
        bindings = local[name] if name in local else self._top.get(name, [])
        if any(not hasattr(binding, "lineno") for binding in bindings):
            return None
        return any(
            start <= (binding.lineno, binding.col_offset) <= end  # type: ignore[attr-defined]
            for binding in bindings
        )

    def _parents(self) -> dict[int, ast.AST]:
        if self._parent_map is None:
            self._parent_map = {
                id(child): node
                for node in parsed.walk(self._tree)
                for child in parsed.children(node)
            }
        return self._parent_map

    def _narrowed(self, coroutine: ast.AsyncFunctionDef) -> set[str]:
        """The names an ``isinstance`` call in the coroutine tests."""
        found = self._narrowing.get(id(coroutine))
        if found is None:
            found = self._narrowing[id(coroutine)] = {
                node.args[0].id
                for node in parsed.walk(self._tree if coroutine is _MODULE_LEVEL else coroutine)
                if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "isinstance"
                and node.args
                and isinstance(node.args[0], ast.Name)
            }
        return found


#: Stands for the module's level where a coroutine is asked for.
_MODULE_LEVEL = ast.AsyncFunctionDef(
    name="",
    args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
    body=[],
    decorator_list=[],
)


#: The names being proven Paths (see :mod:`codemods.core.name_proofs`).
_Proof = NameProofs[Verdict]


#: Said of a binding whose value the command's proof may read otherwise.
_UNSURE = ast.Constant(value=None)


def _assigned(binding: ast.AST) -> ast.expr | None:
    """The value ``name = value`` or ``name: annotation = value`` binds (None for any other
    binding: the command's proof fails there)."""
    if isinstance(binding, ast.Assign):
        return binding.value if len(binding.targets) == 1 else None
    if isinstance(binding, ast.AnnAssign):
        return binding.value
    if isinstance(binding, _UNSURE_BINDINGS):
        return _UNSURE  # whether libcst counts it as a binding is not relied on
    return None


_UNSURE_BINDINGS = (
    ast.Delete,
    ast.AugAssign,
    ast.MatchAs,
    ast.MatchStar,
    ast.MatchMapping,
)


def _imported_as(binder: ast.AST, root: str) -> str | None:
    """What an import binding ``root`` binds it to; None for any other binding."""
    if isinstance(binder, ast.Import):
        for alias in binder.names:
            if alias.asname == root:
                return alias.name
            if alias.asname is None and alias.name.split(".")[0] == root:
                return root
    if isinstance(binder, ast.ImportFrom) and binder.level == 0 and binder.module:
        for alias in binder.names:
            if (alias.asname or alias.name) == root and alias.name != "*":
                return f"{binder.module}.{alias.name}"
    return None


def _targets(node: ast.AST) -> list[tuple[str, ast.AST]]:
    """The names a statement or node binds, each with what binds it: the statement for
    ``=``, ``:`` and ``del``, the node itself otherwise."""
    if isinstance(node, ast.Assign):
        found = []
        for target in node.targets:
            if isinstance(target, ast.Name):
                found.append((target.id, node))
            else:
                found += [(n.id, target) for n in _names_in(target)]
        return found
    if isinstance(node, ast.AnnAssign):
        if isinstance(node.target, ast.Name) and node.simple:
            return [(node.target.id, node)]
        return []
    if isinstance(node, ast.Delete):
        return [(n.id, node) for t in node.targets for n in _names_in(t)]
    if isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
        return [(n.id, node) for n in _names_in(node.target)]
    if isinstance(node, ast.withitem) and node.optional_vars is not None:
        return [(n.id, node) for n in _names_in(node.optional_vars)]
    if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
        return [(node.target.id, node)]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [
            (alias.asname or alias.name.split(".")[0], node)
            for alias in node.names
            if alias.name != "*"
        ]
    if isinstance(node, (*_DEFINITIONS, ast.ClassDef)):
        return [(node.name, node)]
    if isinstance(node, ast.arg):
        return [(node.arg, node)]
    if isinstance(node, ast.alias):
        return []  # its import binds it
    name = getattr(node, "name", None)  # except ... as e, match captures
    rest = getattr(node, "rest", None)
    return [(n, node) for n in (name, rest) if isinstance(n, str)]


def _names_in(target: ast.AST) -> list[ast.Name]:
    return [
        n
        for n in parsed.walk(target)
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
    ]


def _own_bindings(coroutine: ast.AsyncFunctionDef) -> dict[str, list[ast.AST]]:
    """The bindings in a coroutine's own scope, by name (its parameters first)."""
    found: dict[str, list[ast.AST]] = {}
    arguments = coroutine.args
    for argument in (
        *arguments.posonlyargs,
        *arguments.args,
        *([arguments.vararg] if arguments.vararg else []),
        *arguments.kwonlyargs,
        *([arguments.kwarg] if arguments.kwarg else []),
    ):
        found.setdefault(argument.arg, []).append(argument)
    for name, bindings in _scope_bindings(coroutine.body).items():
        found.setdefault(name, []).extend(bindings)
    return found


def _scope_bindings(body: list[ast.stmt]) -> dict[str, list[ast.AST]]:
    """The bindings the statements ``body`` make in their own scope (a module's, or a
    function's besides its parameters), by name."""
    found: dict[str, list[ast.AST]] = {}
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        for name, binding in _targets(node):
            found.setdefault(name, []).append(binding)
        if isinstance(node, (*_DEFINITIONS, ast.ClassDef, ast.Lambda)):
            continue  # its own scope (its decorators and defaults do not bind)
        if isinstance(node, NEW_SCOPES):
            # A comprehension binds its variables in its own scope, but ``:=`` in it
            # binds in the enclosing one.
            stack.extend(n for n in parsed.walk(node) if isinstance(n, ast.NamedExpr))
            continue
        stack.extend(parsed.children(node))
    return found


def _outer_coroutines(body: list[ast.stmt]) -> list[ast.AsyncFunctionDef]:
    """The coroutines defined at the module's level or in a class there (in blocks too),
    not in a function: their names are their own, then the module's."""
    found: list[ast.AsyncFunctionDef] = []
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.AsyncFunctionDef):
            found.append(node)
        elif not isinstance(node, ast.FunctionDef):
            stack.extend(parsed.block_items(node))
    return found


def _first_parameter(function: ast.AsyncFunctionDef) -> str | None:
    parameters = [*function.args.posonlyargs, *function.args.args]
    return parameters[0].arg if parameters else None


def _methods(
    body: list[ast.stmt], classes: list[str]
) -> Iterator[tuple[int, tuple[ast.ClassDef, str]]]:
    """The coroutines directly in a class's body (not in a block of it), by id, with the
    class and its name, for the classes not in a function."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ClassDef):
            names = [*classes, node.name]
            for child in node.body:
                if isinstance(child, ast.AsyncFunctionDef):
                    yield id(child), (node, ".".join(names))
            yield from _methods(node.body, names)
        elif not isinstance(node, _DEFINITIONS):
            stack.extend(parsed.block_items(node))
