"""Mentions of identifiers (what keeps a helper sync in the ``helpers`` codemod's async
mode): every name, attribute and string, wherever it stands, with what it resolves to."""

from __future__ import annotations

from codemods.core.mentions import Mention, mentions

SOURCE = b"""\
from shop.util import backoff
from shop.util import backoff as pause
import shop.util as u

__all__ = ["backoff"]
HOOKS = [backoff]
TASKS = {"retry": "shop.util:backoff", "other": "shop.util.backoff_more"}


def sync():
    pause()
    obj.backoff()
    return lambda x=backoff: x


class C(Base):
    @deco(backoff)
    class D:
        pass

    def backoff(self):  # noqa: AM655
        pass

    async def run(self):
        self.backoff()
        u.backoff(1)  # async-migrate: ignore[AM655]
"""


def _found() -> list[tuple[str, tuple[str, ...], int, bool, bool, bool]]:
    return [
        (m.name, m.names, m.line, m.called, m.string, m.suppressed)
        for m in mentions(SOURCE, "app", "app.py", frozenset({"backoff"}))
    ]


def test_every_kind_of_mention_is_found() -> None:
    util = ("shop.util.backoff",)
    assert sorted(_found(), key=lambda m: m[2]) == [
        ("backoff", (), 5, False, True, False),  # a string: __all__, getattr
        ("backoff", util, 6, False, False, False),  # a reference
        ("backoff", (), 7, False, True, False),  # a module:name path in a string
        ("pause", util, 11, True, False, False),  # a call, under an alias
        ("backoff", (), 12, True, False, False),  # an object of unknown type
        ("backoff", util, 13, False, False, False),  # a lambda's default
        ("backoff", util, 17, False, False, False),  # a nested class's decorator
        ("backoff", ("app.C.backoff",), 21, False, False, True),  # a def, silenced
        ("backoff", ("app.C.backoff",), 25, True, False, False),  # self.backoff()
        ("backoff", util, 26, True, False, True),  # u.backoff(1), silenced
    ]


def test_nothing_from_a_module_without_the_names_or_that_does_not_parse() -> None:
    assert mentions(b"y = 1\n", "app", "app.py", frozenset({"backoff"})) == []
    assert mentions(b"def backoff(:\n", "app", "app.py", frozenset({"backoff"})) == []
    # A name the module binds otherwise than by def or import is not known: it may be any.
    assert mentions(b"x = 1\n", "app", "app.py", frozenset({"x"})) == [
        Mention("x", (), 1, 1, called=False, end_line=1)
    ]


def test_columns_count_characters_on_the_right_line_after_a_form_feed() -> None:
    """A form feed does not end a line for Python: the mention's column is counted in the
    characters of its own line, not of the line before it."""
    source = (
        "from shop.util import backoff\n\x0c\ndef f():\n    x = 1\n    y = 'é'; backoff()\n"
    ).encode()
    (found,) = [m for m in mentions(source, "app", "app.py", frozenset({"backoff"})) if m.called]
    assert (found.line, found.col) == (5, 14)
