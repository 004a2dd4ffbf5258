"""Generated programs and the oracles they are checked against (issue 8).

Two sources of programs, shared by ``tests/test_fuzz.py`` (a bounded run) and
``benchmarks/fuzz_long.py`` (a long one):

* hypothesmith modules (arbitrary grammar-valid code), checked for: no exception but
  :class:`SourceError`, output that compiles when changed, a second run that changes nothing;
* *shaped* modules: the calls the codemods handle (:data:`SHAPES`) put into random
  contexts (nested functions, comprehensions, generator expressions, decorators, defaults,
  lambdas, class bodies and bases, match statements, walrus, f-strings, try/except*/finally,
  async generators, annotations...). Besides the checks above, each call site is classified
  from the *input's* ``ast`` (independently of the codemods' own context tracking) and the
  output must agree site by site: a call that runs directly in a coroutine is rewritten, a
  call in a generator expression inside a coroutine is reported, every other call is left
  alone; the findings sit on the sites' lines; the imports each shape needs are there, and
  those it left unused are gone; and, with the rewritten calls put back, the module is the
  same ``ast`` as the input apart from its import statements.

Adding a codemod's shapes: append :class:`Shape` entries to :data:`SHAPES`; shapes of
codemods that are not registered are skipped.
"""

from __future__ import annotations

import ast
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hypothesis import assume
from hypothesis import strategies as st

from async_migrate import migrate_source
from async_migrate.engine.migrate import Migration, SourceError
from codemods.registry import CODEMODS


@dataclass(frozen=True)
class Shape:
    """A call a codemod rewrites, as it is written and as it must come out."""

    codemod: str
    imports: tuple[str, ...]  # module-level import lines the call needs
    binds: str  # the name those imports bind that the call uses (each shape its own)
    call: str  # the call, with ``{arg}`` for its single argument
    rewritten: str  # what the call must become in a coroutine, same ``{arg}``
    needs: str  # the module the rewrite uses, imported at module level afterwards
    rewrite_code: str  # the code of the rewrite finding
    generator_code: str  # the code left for the call in a generator expression


def _sleep(imports: str, binds: str, call: str) -> Shape:
    rewritten = "await asyncio.sleep({arg})"
    return Shape("sleep", (imports,), binds, call, rewritten, "asyncio", "AM101", "AM104")


SHAPES: tuple[Shape, ...] = (
    _sleep("import time", "time", "time.sleep({arg})"),
    _sleep("import time as tm", "tm", "tm.sleep({arg})"),
    _sleep("from time import sleep", "sleep", "sleep({arg})"),
    _sleep("from time import sleep as nap", "nap", "nap({arg})"),
)


def registered_shapes() -> tuple[Shape, ...]:
    return tuple(shape for shape in SHAPES if shape.codemod in CODEMODS)


# -- generation ------------------------------------------------------------------------

# Expression contexts with one hole: (template, result is an atom, hole needs an atom).
# The simplest first: hypothesis shrinks towards index 0.
EXPRESSIONS: tuple[tuple[str, bool, bool], ...] = (
    ("{e}", True, False),
    ("[{e} for _i in range(2)]", True, False),
    ("{{{e} for _i in range(2)}}", True, False),
    ("{{_i: {e} for _i in range(2)}}", True, False),
    ("[_i for _i in [{e}] if _i]", True, False),
    ("[_i for _i in range(2) if {e}]", True, False),
    ("[_j for _i in range(2) for _j in [{e}]]", True, False),
    ("({e} for _i in range(2))", True, False),
    ("(_i for _i in [{e}])", True, False),
    ("(_i for _i in range(2) if {e})", True, False),
    ("(_j for _i in range(2) for _j in [{e}])", True, False),
    ("_f(({e} for _i in range(2)))", True, False),
    ("(lambda: {e})", True, False),
    ("(lambda _a={e}: _a)", True, False),
    ("(lambda *, _k={e}: _k)", True, False),
    ('f"{{{e}}}"', True, False),
    ("f'{{{e}!r:>8}}'", True, False),
    ("f'{{_x:{{{e}}}}}'", True, False),
    ("(_w := {e})", True, False),
    ("({e} if _c else 0)", True, False),
    ("(0 if {e} else 1)", True, False),
    ("(_c or {e})", True, False),
    ("(_c and not {e})", True, False),
    ("1 + {e} * 2", False, True),
    ("-{e}", False, True),
    ("{e} ** 2", False, True),
    ("2 ** {e}", False, True),
    ("0 < {e} < 1", False, True),
    ("{e}.real", True, True),
    ("{e}[0]", True, True),
    ("{e}()", True, True),
    ("_f(_x, key={e})", True, False),
    ("_f(*{e})", True, True),
    ("_f(**{e})", True, True),
    ("[*{e}]", True, True),
    ("({e}, 1)", True, False),
    ("{{1: {e}}}", True, False),
    ("_x[{e}:]", True, False),
    ("_x[{e}]", True, False),
)

# Statements with one expression hole ``{e}``; ``{body}`` is a nested block.
# Each: (template lines, scopes it is valid in, creates: scope of the nested block or None)
MODULE, CLASS, DEF, CORO, AGEN = "module", "class", "def", "coro", "agen"
ANY = frozenset({MODULE, CLASS, DEF, CORO, AGEN})
FUNCTIONS = frozenset({DEF, CORO, AGEN})
ASYNC = frozenset({CORO, AGEN})


@dataclass
class Program:
    """A generated module and the shape of each call site, by its unique argument."""

    source: str
    sites: dict[int, Shape] = field(default_factory=dict)


class _Builder:
    def __init__(
        self, choose: Callable[[int], int], shapes: list[Shape], max_depth: int, width: int
    ) -> None:
        self.choose = choose
        self.max_depth = max_depth
        self.width = width
        self.shapes = shapes
        self.sites: dict[int, Shape] = {}
        self.names = 0

    def pick(self, options: list):  # type: ignore[no-untyped-def]
        return options[self.choose(len(options))]

    def site(self) -> str:
        arg = 10000 + len(self.sites)
        shape = self.pick(self.shapes)
        self.sites[arg] = shape
        return shape.call.format(arg=arg)

    def expr(self, depth: int) -> tuple[str, bool]:
        if depth <= 0:
            return self.site(), True
        template, atom, tight = self.pick(list(EXPRESSIONS))
        if template == "{e}":
            return self.site(), True
        inner, inner_atom = self.expr(depth - 1)
        if tight and not inner_atom:
            inner = f"({inner})"
        return template.format(e=inner), atom

    def e(self) -> str:
        """An expression holding one call site, nested up to ``max_depth`` contexts deep."""
        return self.expr(self.choose(self.max_depth + 1))[0]

    def fresh(self, prefix: str) -> str:
        self.names += 1
        return f"{prefix}{self.names}"

    def block(self, scope: str, depth: int) -> list[str]:
        lines: list[str] = []
        for _ in range(1 + self.choose(self.width)):
            lines += self.statement(scope, depth)
        return lines

    def nested(self, scope: str, depth: int) -> list[str]:
        return ["    " + line for line in self.block(scope, depth - 1)]

    def function(self, scope: str, depth: int) -> list[str]:
        kind = self.pick([CORO, DEF, AGEN])
        lines = []
        if self.choose(2):
            lines.append(f"@_deco({self.e()})")
        name = self.fresh("_f")
        keyword = "async def" if kind in ASYNC else "def"
        params = self.pick(["", "_a={e}", "_a: {e} = 1", "*, _k={e}"]).format(e=self.e())
        returns = self.pick(["", " -> {e}"]).format(e=self.e())
        lines.append(f"{keyword} {name}({params}){returns}:")
        body = self.nested(kind, depth)
        if kind == AGEN:
            body.append(f"    yield {self.e()}")
        return lines + body

    def statement(self, scope: str, depth: int) -> list[str]:
        e = self.e()
        simple = [
            [e],
            [f"_x = {e}"],
            [f"_x: int = {e}"],
            [f"_x: {e} = 1"],
            [f"assert {e}"],
            [f"_x += {e}"],
            [f"del _x[{e}]"],
        ]
        if scope in FUNCTIONS - {AGEN}:
            simple.append([f"return {e}"])
        if scope in {DEF, AGEN}:
            simple.append([f"yield {e}"])
        if scope in ASYNC:
            simple.append([f"await _g({e})"])
        if depth <= 0:
            return self.pick(simple)
        compound = [
            lambda: [f"if {e}:", *self.nested(scope, depth), "else:", *self.nested(scope, depth)],
            lambda: [f"while {e}:", *self.nested(scope, depth)],
            lambda: [f"for _i in {e}:", *self.nested(scope, depth)],
            lambda: [f"with {e} as _v:", *self.nested(scope, depth)],
            lambda: [
                "try:",
                *self.nested(scope, depth),
                "except Exception:",
                *self.nested(scope, depth),
                "else:",
                *self.nested(scope, depth),
                "finally:",
                *self.nested(scope, depth),
            ],
            lambda: [
                f"match {e}:",
                "    case 0:",
                *["    " + line for line in self.nested(scope, depth)],
                f"    case [_p, *_] if {self.e()}:",
                *["    " + line for line in self.nested(scope, depth)],
                "    case _:",
                *["    " + line for line in self.nested(scope, depth)],
            ],
            lambda: self.function(scope, depth),
            lambda: [
                *([f"@_deco({e})"] if self.choose(2) else []),
                f"class {self.fresh('_C')}(_Base, metaclass={self.e()}):",
                *self.nested(CLASS, depth),
            ],
        ]
        if sys.version_info >= (3, 11):
            compound.append(
                lambda: (
                    ["try:", *self.nested(scope, depth), "except* ValueError:"]
                    + self.nested(scope, depth)
                )
            )
        if scope in ASYNC:
            compound.append(lambda: [f"async for _i in {e}:", *self.nested(scope, depth)])
            compound.append(lambda: [f"async with {e} as _v:", *self.nested(scope, depth)])
        if self.choose(3) == 0:
            return self.pick(simple)
        return self.pick(compound)()


@st.composite
def shaped_modules(draw: st.DrawFn, max_depth: int = 3, width: int = 3) -> Program:
    """A module that puts registered shapes into random contexts: statements nest up to
    ``max_depth`` deep, expressions as deep, blocks hold up to ``width`` statements."""
    shapes = list(registered_shapes())
    assume(shapes)

    def choose(n: int) -> int:
        return draw(st.integers(0, n - 1)) if n > 1 else 0

    used = draw(st.lists(st.sampled_from(shapes), min_size=1, max_size=len(shapes), unique=True))
    builder = _Builder(choose, used, max_depth, width)
    head: list[str] = []
    if choose(2):
        head.append('"""A generated module."""')
    if choose(2):
        head.append("from __future__ import annotations")
    if choose(4) == 0:
        head.append("_c = 0")  # code before the imports
    imports = [line for shape in used for line in shape.imports]
    if choose(3) == 0:
        imports.append("import asyncio")
    head += [imports[i] for i in draw(st.permutations(range(len(imports))))]
    body = builder.function(MODULE, max_depth)  # at least one function, often a coroutine
    for _ in range(choose(width)):
        body += builder.statement(MODULE, max_depth)
    source = "\n".join(head + ["", ""] + body) + "\n"
    assume(_compiles(source))  # e.g. walrus in a comprehension iterable, nested f-strings
    # Some drawn expressions went unused (a statement that took none): keep the placed ones.
    placed = classify(ast.parse(source), builder.sites)
    assume(placed)
    return Program(source, {arg: builder.sites[arg] for arg in placed})


# -- oracles ---------------------------------------------------------------------------

COROUTINE, GENEXP, OTHER = "coroutine", "generator expression in a coroutine", "other"


def _compiles(source: str | bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<fuzz>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _site_arg(node: ast.AST, sites: dict[int, Shape], as_written: bool = True) -> int | None:
    """The argument of call site ``node`` (the call as generated, or any call with it)."""
    if not isinstance(node, ast.Call) or len(node.args) != 1 or node.keywords:
        return None
    arg = node.args[0]
    if not (isinstance(arg, ast.Constant) and type(arg.value) is int and arg.value in sites):
        return None
    if not as_written:
        return arg.value
    written = ast.parse(sites[arg.value].call.format(arg=arg.value), mode="eval").body
    return arg.value if ast.dump(node) == ast.dump(written) else None


def classify(tree: ast.Module, sites: dict[int, Shape]) -> dict[int, tuple[str, int]]:
    """Where each call site runs, and its line, from the input's ``ast``."""
    found: dict[int, tuple[str, int]] = {}

    def visit(node: ast.AST, where: str) -> None:
        arg = _site_arg(node, sites)
        if arg is not None:
            found[arg] = (where, node.lineno)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for item in node.decorator_list:
                visit(item, where)
            _arguments(node.args, where)
            if node.returns is not None:
                visit(node.returns, OTHER)  # annotations: evaluated lazily or never
            inner = COROUTINE if isinstance(node, ast.AsyncFunctionDef) else OTHER
            for statement in node.body:
                visit(statement, inner)
        elif isinstance(node, ast.Lambda):
            _arguments(node.args, where)
            visit(node.body, OTHER)
        elif isinstance(node, ast.ClassDef):
            for item in [*node.decorator_list, *node.bases, *node.keywords]:
                visit(item, where)
            for statement in node.body:
                visit(statement, OTHER)
        elif isinstance(node, ast.GeneratorExp):
            # The first iterable is evaluated where the expression stands; the rest lazily.
            visit(node.generators[0].iter, where)
            lazy = GENEXP if where == COROUTINE else where
            visit(node.elt, lazy)
            for number, generator in enumerate(node.generators):
                visit(generator.target, lazy)
                if number:
                    visit(generator.iter, lazy)
                for condition in generator.ifs:
                    visit(condition, lazy)
        elif isinstance(node, ast.AnnAssign):
            visit(node.target, where)
            visit(node.annotation, OTHER)
            if node.value is not None:
                visit(node.value, where)
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, where)

    def _arguments(args: ast.arguments, where: str) -> None:
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                visit(default, where)
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        for parameter in every:
            if parameter is not None and parameter.annotation is not None:
                visit(parameter.annotation, OTHER)

    visit(tree, OTHER)
    return found


def _module_imports(tree: ast.Module) -> set[str]:
    """Names bound by module-level import statements, as ``module`` or ``module:name``."""
    out = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            out.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            out.update(alias.asname or alias.name for alias in node.names)
    return out


class _PutBack(ast.NodeTransformer):
    """Replace each rewritten site in the output by the call it was in the input."""

    def __init__(self, sites: dict[int, Shape]) -> None:
        self.sites = sites
        self.put_back: Counter[int] = Counter()

    def visit_Await(self, node: ast.Await) -> ast.AST:
        arg = _site_arg(node.value, self.sites, as_written=False)
        if arg is not None:
            shape = self.sites[arg]
            expected = ast.parse(shape.rewritten.format(arg=arg), mode="eval").body
            if ast.dump(node) == ast.dump(expected):
                self.put_back[arg] += 1
                return ast.parse(shape.call.format(arg=arg), mode="eval").body
        self.generic_visit(node)
        return node


def _without_imports(tree: ast.Module) -> str:
    body = [
        node
        for node in tree.body
        if not isinstance(node, (ast.Import, ast.ImportFrom))
        or getattr(node, "module", None) == "__future__"
    ]
    return ast.dump(ast.Module(body=body, type_ignores=[]))


def probe_module() -> str:
    """Source to append to any module so that every registered codemod has work in it."""
    lines = [""]
    for number, shape in enumerate(registered_shapes()):
        lines += [*shape.imports, f"async def _probe{number}():"]
        lines.append("    " + shape.call.format(arg=number))
    return "\n".join(lines) + "\n"


def migrate_all(code: str | bytes, codemods: Iterable[str] | None = None) -> Migration:
    return migrate_source(code, None if codemods is None else list(codemods), filename="<fuzz>")


def check_stable(code: str | bytes, result: Migration, codemods: list | None = None) -> None:
    """What every run must give: output that compiles when changed, and a fixed point."""
    if result.changed:
        assert _compiles(result.code), "changed output must compile"
        assert result.rewrites, "a change must be accounted for by rewrites"
    again = migrate_source(result.code, codemods, filename="<fuzz>")
    assert not again.changed, "a second run must change nothing"
    assert not again.rewrites
    left, left_again = Counter(f.code for f in result.left), Counter(f.code for f in again.left)
    assert left_again == left, f"a second run reports {left_again}, the first {left}"


def check_arbitrary(source: str, every_way: bool = True) -> None:
    """Arbitrary code through the registered codemods: all together as bare classes (no
    prefilter: libcst sees every module with a coroutine); with ``every_way``, also each
    codemod and all of them through the registry, as the command runs them."""
    runs: list[list] = [[CODEMODS[name].load() for name in CODEMODS]]
    if every_way:
        runs += [[name] for name in CODEMODS] + [list(CODEMODS)]
    for codemods in runs:
        try:
            result = migrate_source(source, codemods, filename="<fuzz>")
        except SourceError:
            continue
        check_stable(source, result, codemods)


def check_program(program: Program) -> dict[str, int]:
    """Every oracle for a shaped module; how many sites of each kind it had."""
    source, sites = program.source, program.sites
    where = classify(ast.parse(source), sites)

    check_stable(source, migrate_all(source))  # every codemod on by default
    # The oracles below model calls rewritten or left where they stand: they run without
    # the iteration codemod, which moves whole loops and expressions into a thread.
    others = [name for name, spec in CODEMODS.items() if spec.default and name != "iteration"]
    result = migrate_all(source, others)
    check_stable(source, result, others)
    out = ast.parse(result.code)

    expected: Counter[tuple[int, str]] = Counter()
    for arg, (kind, line) in where.items():
        if kind == COROUTINE:
            expected[(line, sites[arg].rewrite_code)] += 1
        elif kind == GENEXP:
            expected[(line, sites[arg].generator_code)] += 1
    got = Counter((f.line, f.code) for f in result.findings)
    assert got == expected, f"findings {sorted(got.items())} != expected {sorted(expected.items())}"

    restore = _PutBack(sites)
    restored = restore.visit(ast.parse(result.code))
    rewritten = {arg for arg, (kind, _) in where.items() if kind == COROUTINE}
    assert set(restore.put_back) == rewritten and all(n == 1 for n in restore.put_back.values()), (
        f"rewritten sites {sorted(restore.put_back)} != sites in coroutines {sorted(rewritten)}"
    )
    assert _without_imports(restored) == _without_imports(ast.parse(source)), (
        "the output differs from the input beyond the rewritten calls and the imports"
    )

    imported = _module_imports(out)
    before = _module_imports(ast.parse(source))
    for shape in {sites[arg] for arg in sites}:
        still_used = any(sites[a] == shape and where[a][0] != COROUTINE for a in sites)
        assert (shape.binds in imported) == still_used, (
            f"import of {shape.binds!r}: present={shape.binds in imported}, needed={still_used}"
        )
    needed = {sites[arg].needs for arg in rewritten}
    for module in needed | (before & {s.needs for s in sites.values()}):
        assert module in imported, f"{module!r} must be imported at module level"
    return Counter(kind for kind, _ in where.values())
