"""The answers read from a module's source that spare libcst's scope analysis: which names
it binds otherwise than by a plain top-level import, and how a thread lock's class may be
spelled; and that the ``helpers`` codemod resolves the scope analysis only when one of them
does not settle the question."""

from __future__ import annotations

import pytest
from libcst.metadata.scope_provider import ScopeVisitor

from async_migrate import migrate_source
from codemods.core.plain_names import bound_otherwise, lock_spellings

_BOUND = {
    "import asyncio as asyncio\n": True,
    "def f():\n    import asyncio\n": True,
    "def f(asyncio):\n    pass\n": True,
    "f = lambda asyncio: 1\n": True,
    "from trio import asyncio\n": True,
    "try:\n    pass\nexcept E as asyncio:\n    pass\n": True,
    "for asyncio in x:\n    pass\n": True,
    "def f():\n    global asyncio\n": True,
    "class C:\n    asyncio = 1\n": True,
    "y = [asyncio for asyncio in x]\n": True,
    "(asyncio := 1)\n": True,
    "match x:\n    case {'a': 1, **asyncio}:\n        pass\n": True,
    "match x:\n    case [asyncio]:\n        pass\n": True,
    "def asyncio():\n    pass\n": True,
    "del asyncio\n": True,
    "import asyncio\n": False,
    "import asyncio.subprocess\n": False,
    "if TYPE_CHECKING:\n    import asyncio\nelse:\n    import asyncio, os\n": False,
    "x = asyncio.run\n": False,
}


@pytest.mark.parametrize("source", list(_BOUND))
def test_a_name_bound_otherwise_than_by_a_plain_top_level_import(source: str) -> None:
    found = bound_otherwise(source.encode())
    assert found is not None
    assert ("asyncio" in found) is _BOUND[source]


def test_no_answer_without_a_parse() -> None:
    assert bound_otherwise(b"def f(:\n") is None
    assert lock_spellings(b"def f(:\n") is None


def test_a_lock_class_is_spelled_by_its_name_or_the_name_it_is_imported_under() -> None:
    spellings = lock_spellings(b"from threading import RLock as Guard, Event as Flag\n")
    assert spellings is not None
    assert {"Lock", "RLock", "Guard"} <= spellings and "Flag" not in spellings


_HELPER = "import time\n\n\ndef slow():\n    time.sleep(1)\n\n\n"


@pytest.mark.parametrize(
    ("coroutine", "resolved"),
    [
        ("import asyncio\n\n\nasync def f():\n    slow()\n    await asyncio.sleep(0)\n", 0),
        ("async def f():\n    with open('p') as handle:\n        slow()\n", 0),
        (
            "from threading import Lock as Guard\n\n\nasync def f():\n    with Guard():\n"
            "        slow()\n",
            1,
        ),
        ("async def f(asyncio):\n    slow()\n", 1),
    ],
)
def test_helpers_resolves_the_scope_analysis_only_when_asked(
    coroutine: str, resolved: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    original = ScopeVisitor.infer_accesses

    def counted(self: ScopeVisitor) -> None:
        calls.append(self)
        original(self)

    monkeypatch.setattr(ScopeVisitor, "infer_accesses", counted)
    result = migrate_source(_HELPER + coroutine, ["helpers"])
    assert result.findings  # offloaded, or reported
    assert len(calls) == resolved
