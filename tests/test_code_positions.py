"""The positions :mod:`codemods.core.code_positions` computes are libcst's own, node for
node, on every fixture and on the shapes where lines and columns are easy to get wrong."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from codemods.core.code_positions import positions

FIXTURES = Path(__file__).parent / "fixtures"

SHAPES = {
    "crlf and a lone cr": 'x = 1\r\ny = "a\\\r\nb"\rz = 2\r\n',
    "no final newline": "async def f():\n    return 1",
    "empty": "",
    "tabs and wide characters": 'def f():\n\tif x:\n\t\treturn "é😀"  # ç\n',
    "continuations and brackets": "x = (1 +\n     2) \\\n    + 3\nf(a,\n  b=[\n  1])\n",
    "decorators and comments": "# c\n\n@d  # e\n@g(\n    1)\nclass A(B):\n    '''doc\n    x'''\n",
    "semicolons and one-line bodies": "if a: b(); c()\nelse: d()\nwhile x: pass\n",
    "strings": 's = f"{a!r:>{w}}" r"\\x" """\n\n"""\n',
}


def _same(source: str) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    found = positions(module)
    assert set(found) == set(expected)
    for node, where in expected.items():
        assert found[node] == where, (type(node).__name__, where, found[node])


@pytest.mark.parametrize("source", SHAPES.values(), ids=SHAPES.keys())
def test_shapes(source: str) -> None:
    _same(source)


def test_every_fixture() -> None:
    sources = sorted(FIXTURES.rglob("*.py"))
    assert len(sources) > 400
    for path in sources:
        try:
            _same(path.read_bytes().decode("utf-8"))
        except cst.ParserSyntaxError:
            continue  # the fixtures of source libcst refuses


def test_asked_once_per_module() -> None:
    module = cst.parse_module("x = 1\n")
    assert positions(module) is positions(module)
    assert positions(cst.parse_module("x = 1\n")) is not positions(module)
