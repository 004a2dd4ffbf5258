"""The ``helpers`` codemod on the statements holding its sites (without libcst on the rest of
the module) makes what the command makes on the whole module; where a site does not fit,
it says so and the command runs."""

from __future__ import annotations

import pytest

from async_migrate.engine.migrate import migrate_source
from codemods.helpers import units
from codemods.helpers.spec import SPEC
from tests.both_ways import whole_and_sliced

SLOW = "import time\n\n\ndef slow(x=0):\n    time.sleep(0.1)\n    return x\n\n\n"

#: name -> (module, whether the statements' path takes it)
CASES = {
    "plain statement": (SLOW + "async def handler():\n    slow()\n", True),
    "assigned, returned": (
        SLOW + "async def handler(a):\n    b = slow(a)\n    return slow(b) + 1\n",
        True,
    ),
    "an attribute of the result": (
        SLOW + "async def handler():\n    return slow().real\n",
        True,
    ),
    "nested sites": (SLOW + "async def handler():\n    return slow(slow(1))\n", True),
    "a call over lines, with comments": (
        SLOW + "async def handler():\n    slow(  # first\n        1,  # second\n    )\n",
        True,
    ),
    "silenced on its line": (
        SLOW + "async def handler():\n    slow()  # noqa: AM651\n    slow()\n",
        True,
    ),
    "silenced on the statement's last line": (
        SLOW + "async def handler():\n    x = [\n        slow(),\n    ]  # async-migrate: ignore\n",
        True,
    ),
    "a method of its class": (
        "import time\n\n\nclass Store:\n    def _write(self):\n        time.sleep(1)\n\n"
        "    async def put(self):\n        self._write()\n",
        True,
    ),
    "a docstring and sorted imports": (
        '"""Doc."""\n\nimport os\nimport time\n\n\ndef slow():\n    time.sleep(os.cpu_count())'
        "\n\n\nasync def handler():\n    slow()\n",
        True,
    ),
    "unsorted imports": (
        "import time\nimport os\n\n\ndef slow():\n    time.sleep(os.cpu_count())\n\n\n"
        "async def handler():\n    slow()\n",
        True,
    ),
    "asyncio already imported": (
        "import asyncio\n"
        + SLOW
        + "async def handler():\n    slow()\n    await asyncio.sleep(0)\n",
        True,
    ),
    "the coroutine right after the imports": (
        "import time\n\n\nasync def handler():\n    slow()\n\n\ndef slow():\n    time.sleep(1)\n",
        True,
    ),
    "a call over lines, right after the imports": (
        "import time\n\n\nasync def handler():\n    slow(  # first\n        1,\n    )\n\n\n"
        "def slow(x):\n    time.sleep(x)\n",
        True,
    ),
    "CRLF line ends": (
        (SLOW + "async def handler():\n    slow()\n").replace("\n", "\r\n"),
        True,
    ),
    "a generator helper, reported": (
        "import time\n\n\ndef ticks():\n    time.sleep(1)\n    yield 1\n\n\n"
        "async def handler():\n    return list(ticks())\n",
        True,
    ),
    "in an if test": (SLOW + "async def handler():\n    if slow():\n        return 1\n", True),
    "in a for loop's iterable, a comment before the body": (
        SLOW + "async def handler():\n    for x in [slow(\n        1)]:  # noqa: E1\n"
        "        # first\n        print(x)\n    else:\n        slow()\n",
        True,
    ),
    "in a while test, silenced on the line before the body": (
        SLOW + "async def handler():\n    while slow():\n        # noqa: AM651\n        break\n",
        True,
    ),
    "an async with item": (
        SLOW + "async def handler(f):\n    async with f(slow()):\n        pass\n",
        True,
    ),
    "in an elif test": (
        SLOW + "async def handler(a):\n    if a:\n        pass\n    elif slow():\n        pass\n",
        False,
    ),
    "a header with its body on its line": (
        SLOW + "async def handler():\n    while slow(): break\n",
        False,
    ),
    "sharing its line": (SLOW + "async def handler():\n    x = 1; slow()\n", False),
    "after a colon": (SLOW + "async def handler(a):\n    if a: slow()\n", False),
    "in a with block on a lock": (
        SLOW + "async def handler(lock):\n    with lock:\n        slow()\n",
        False,
    ),
    "in a with block on a lock made there": (
        "import threading\n"
        + SLOW
        + "async def handler():\n    with threading.Lock():\n        slow()\n",
        False,
    ),
    "in a with block on no lock, and a with item": (
        SLOW + "async def handler(f):\n    with open(f) as g, slow():\n        slow(g)\n",
        True,
    ),
    "in a generator expression": (
        SLOW + "async def handler(xs):\n    return list(slow(x) for x in xs)\n",
        False,
    ),
    "asyncio bound otherwise": (
        SLOW + "async def handler():\n    asyncio = None\n    slow()\n",
        False,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_statements_path_makes_what_the_command_makes(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, takes = CASES[name]
    data = source.encode("utf-8")
    options = SPEC.prepared(data, "m.py", {})
    assert options["sites"], "the case must hold a site"
    assert (units.edited(data, "m.py", options) is not None) is takes
    whole, by_statements = whole_and_sliced(data, "helpers", monkeypatch)
    assert by_statements == whole


def test_the_rewrite_as_an_expert_writes_it() -> None:
    source, _ = CASES["an attribute of the result"]
    made = migrate_source(source, ["helpers"], filename="m.py")
    assert made.code.decode() == (
        "import asyncio\n"
        + SLOW
        + "async def handler():\n    return (await asyncio.to_thread(slow)).real\n"
    )
    assert [(f.line, f.col, f.code, f.fixed) for f in made.findings] == [(10, 12, "AM651", True)]


def test_a_module_an_earlier_codemod_changed_is_left_to_the_command() -> None:
    """The sites' positions are the input's: after a rewrite, the command finds them."""
    source = SLOW + "async def handler():\n    time.sleep(1)\n    slow()\n"
    made = migrate_source(source, ["sleep", "helpers"], filename="m.py")
    assert "await asyncio.sleep(1)\n    await asyncio.to_thread(slow)\n" in made.code.decode()
