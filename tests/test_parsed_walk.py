"""The engine's own ``ast`` walk finds what :func:`ast.walk` finds, less the load, store
and delete markers of names, on every fixture's input and output."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from codemods.core import parsed

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = sorted(FIXTURES.rglob("*.py"))


def _marker(node: ast.AST) -> bool:
    return isinstance(node, ast.expr_context)


@pytest.mark.parametrize("path", SOURCES[::7], ids=lambda p: str(p.relative_to(FIXTURES)))
def test_walk_and_children_match_the_standard_library(path: Path) -> None:
    tree = parsed.parse(path.read_bytes())
    if tree is None:
        pytest.skip("not Python")
    expected = [n for n in ast.walk(tree) if not _marker(n)]
    assert sorted(map(id, parsed.walk(tree))) == sorted(map(id, expected))
    for node in expected:
        assert parsed.children(node) == [c for c in ast.iter_child_nodes(node) if not _marker(c)]


def test_every_kind_of_node_is_searched() -> None:
    source = (
        "import a.b as c\nfrom .d import e\nglobal g\n"
        "@dec\nasync def f(x: int = 1, *a, k=2, **kw) -> T:\n"
        "    async with m() as (p, q):\n        y: list[int] = [i async for i in z if i]\n"
        "    match v:\n        case {'k': [1, *rest]} | C(a=1) as w: del w\n"
        "        case None: pass\n"
        "    return f'{x!r:>{y}}', {**kw}, lambda s=1: s, (await g) if t else ...\n"
        "class K(B, metaclass=M):\n    try: raise E from None\n"
        "    except* (OSError, ValueError) as err: nonlocal_ = 1\n"
    )
    tree = ast.parse(source)
    found = {type(n) for n in parsed.walk(tree)}
    assert found == {type(n) for n in ast.walk(tree)} - {ast.Load, ast.Store, ast.Del}
