"""The ``sleep`` codemod on the statements holding its calls (without libcst on the rest of
the module) makes what the command makes on the whole module; where a call does not fit,
it says so and the command runs."""

from __future__ import annotations

import pytest

from async_migrate.engine.migrate import migrate_source
from codemods.sleep import units
from tests.both_ways import whole_and_sliced

#: name -> (module, whether the statements' path takes it)
CASES = {
    "the import removed": ("import time\n\n\nasync def f():\n    time.sleep(1)\n", True),
    "the import kept for another use": (
        "import time\n\n\nasync def f():\n    time.sleep(1)\n    return time.time()\n",
        True,
    ),
    "imports after code, removed with the blank line above": (
        "import sys\n\nsys.path.insert(0, '.')\n\nimport time\n\n\nasync def f():\n"
        "    time.sleep(1)\n",
        True,
    ),
    "the module imported between functions, twice": (
        "import time\n\n\nasync def f():\n    time.sleep(1)\n\n\n# the second\nimport time\n\n\n"
        "async def g():\n    x = [time.sleep(2)]\n",
        True,
    ),
    "a docstring, sorted imports and an attribute of the result": (
        '"""Doc."""\n\nimport os\nimport time\n\n\nasync def f():\n'
        "    return time.sleep(os.cpu_count()).real\n",
        True,
    ),
    "in headers": (
        "import time\n\n\nasync def f(xs):\n    for x in [time.sleep(1)]:\n        pass\n"
        "    while time.sleep(0):\n        break\n",
        True,
    ),
    "silenced, and kept with its import": (
        "import time\n\n\nasync def f():\n    time.sleep(1)  # noqa: ASYNC251\n    time.sleep(2)\n",
        True,
    ),
    "an argument the command reports": (
        "import time\n\n\nasync def f():\n    time.sleep(-1)\n    time.sleep(1)\n",
        True,
    ),
    "a sync function's call left alone": (
        "import time\n\n\ndef g():\n    time.sleep(1)\n\n\nasync def f():\n    time.sleep(1)\n",
        True,
    ),
    "CRLF": (
        "import time\r\n\r\n\r\nasync def f():\r\n    time.sleep(1)\r\n",
        True,
    ),
    "from time import sleep": (
        "from time import sleep\n\n\nasync def f():\n    sleep(1)\n",
        False,
    ),
    "an alias": ("import time as t\n\n\nasync def f():\n    t.sleep(1)\n", False),
    "a reference": (
        "import time\n\n\nasync def f(loop):\n"
        "    await loop.run_in_executor(None, time.sleep, 1)\n",
        False,
    ),
    "in a generator expression": (
        "import time\n\n\nasync def f(xs):\n    return list(time.sleep(x) for x in xs)\n",
        False,
    ),
    "under a lock": (
        "import time\n\n\nasync def f(lock):\n    with lock:\n        time.sleep(1)\n",
        False,
    ),
    "time bound in the coroutine": (
        "import time\n\n\nasync def f(time):\n    time.sleep(1)\n",
        False,
    ),
    "exported by name": (
        "import time\n\n__all__ = ['time']\n\n\nasync def f():\n    time.sleep(1)\n",
        False,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_statements_path_makes_what_the_command_makes(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, takes = CASES[name]
    data = source.encode("utf-8")
    assert (units.edited(data, "m.py", {}) is not None) is takes
    whole, by_statements = whole_and_sliced(data, "sleep", monkeypatch)
    assert by_statements == whole


def test_the_rewrite_as_an_expert_writes_it() -> None:
    source, _ = CASES["the module imported between functions, twice"]
    made = migrate_source(source, ["sleep"], filename="m.py")
    assert made.code.decode() == (
        "import asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)\n\n\n"
        "async def g():\n    x = [await asyncio.sleep(2)]\n"
    )
    assert [(f.line, f.col, f.code) for f in made.findings] == [(5, 5, "AM101"), (13, 10, "AM101")]
