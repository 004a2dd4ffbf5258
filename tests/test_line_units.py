"""The line edits (text, no libcst) against the statements path (libcst on the units): where
the line path takes a module, it makes the same code and findings, byte for byte."""

from __future__ import annotations

import itertools

import pytest

from codemods.sleep import lines, units
from tests.both_ways import whole_and_sliced
from tests.fixture_codes import cases

HEADS = [
    "",
    '"""Doc."""\n',
    '"""Doc."""\n\n',
    "#!/usr/bin/env python\n# a comment\n\n",
    "from __future__ import annotations\n\n",
    '"a" "b"\n',
    "__strict__ = True\n",
    "x = 1\n",
]
BLOCKS = [
    "import time\n",
    "import os\nimport time\n",
    "import time\nimport os\n",
    "import os\nimport sys\nimport time\n\nimport requests\n",
    "import os\n\n# the clock\nimport time\n",
    "import os\n# the clock\nimport time\n",
    "import time  # noqa: F401\n",
    "import time, os\n",
    "import zlib\nimport time\n",
    "import aiohttp\nimport time\n\nfrom . import local\n",
    "import time\n\nimport attr\n",
    "import attr\n\nfrom . import x\n\nimport time\n",
    "from os import path\nimport time\n",
    "import asyncio\nimport time\n",
    "import time\n# isort: skip_file\n",
    "import time\n\n\n# after\n",
    "import time\r\nimport os\r\n",
]
TAILS = [
    "\n\nif True:\n    pass\n    # the block's own\n\nx = 1\n\n\nasync def handler():\n"
    "    time.sleep(1)\n",
    "\n\nasync def handler():\n    time.sleep(1)\n",
    "\n\nasync def handler():\n    time.sleep(1)\n    return time.time()\n",
    "\n\ndef f():\n    pass\n\n    # indented\nimport time\n\n\n"
    "async def handler():\n    time.sleep(1)\n",
    "\n\nasync def handler():\n    x = time.sleep(0.5)  # noqa: ASYNC251\n    time.sleep(1)\n",
    "\n\nasync def handler():\n    time.sleep(-1)\n",
    "\n\nasync def handler():\n    time.sleep(1).hex()\n    y = [time.sleep(2)]\n",
    "\n\nasync def handler():\n    time.sleep(\n        1\n    )\n",
    "\n\nasync def handler():\n    print(time.sleep(1))\n"
    "    x = max(\n        time.sleep(1), 2,\n    )\n",
    "\n\nasync def handler():\n    x = max(  # a comment\n        time.sleep(1),\n    )\n",
    "\n\nasync def handler():\n    '''time is written here'''\n    time.sleep(1)\n",
]


def _modules() -> list[bytes]:
    made = []
    for head, block, tail in itertools.product(HEADS, BLOCKS, TAILS):
        text = head + block + tail
        if "\r\n" in block:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        made.append(text.encode())
    return made


def test_the_line_path_makes_what_the_statements_path_makes() -> None:
    taken = 0
    for data in _modules():
        made = lines.on_lines(data, "app.py", {})
        if made is None:
            continue
        taken += 1
        reference = units.edited(data, "app.py", {})
        assert reference is not None, data.decode()
        assert made[0] == reference[0], data.decode()
        assert sorted(made[1]) == sorted(reference[1]), data.decode()
    # Most shapes are taken: the comparison is not of a handful.
    assert taken > len(_modules()) // 2


@pytest.mark.parametrize(
    "case", [c for c in cases() if c.parent.name == "sleep"], ids=lambda c: c.stem
)
def test_the_line_path_on_the_sleep_fixtures(case) -> None:
    data = case.read_bytes()
    made = lines.on_lines(data, case.name, {})
    if made is None:
        return  # the statements path or the command decides: tested with the fixtures
    reference = units.edited(data, case.name, {})
    assert reference is not None
    assert made[0] == reference[0]
    assert sorted(made[1]) == sorted(reference[1])


def test_the_shapes_the_line_path_refuses() -> None:
    refused = [
        "import time\n\n\nasync def f():\n    print((time.sleep(1)))\n",  # in parentheses
        "import time\n\n\nasync def f():\n    print(f(x=time.sleep(1)))\n",  # a keyword's value
        "import time\n\n\nasync def f():\n    (time.sleep)(1)\n",  # a parenthesised callee
        "import time\n\n\nasync def f():\n    if time.sleep(1): pass\n",  # shares a line
        "import time\n\n\nasync def f():\n    x = f'{time.sleep(1)}'\n",  # in an f-string
        "import time, os\n\n\nasync def f():\n    time.sleep(1)\n",  # two imports on a line
    ]
    for text in refused:
        assert lines.on_lines(text.encode(), "app.py", {}) is None, text


def test_the_helpers_line_path_makes_what_its_statements_path_makes() -> None:
    from codemods.helpers import lines as helper_lines
    from codemods.helpers import units as helper_units
    from codemods.helpers.spec import SPEC
    from tests.test_helpers_units import CASES, SLOW

    more = {
        "over lines": SLOW + "async def handler():\n    x = slow(\n        1,\n    )\n",
        "arguments of a call": SLOW
        + "async def handler():\n    print(slow(1), slow(\n        2))\n",
        "a keyword's value": SLOW + "async def handler():\n    return dict(a=slow(1))\n",
        "no arguments, spaced": SLOW + "async def handler():\n    return [slow( )]\n",
        "a comment after the parenthesis": SLOW
        + "async def handler():\n    slow(  # a\n\n        # b\n        1,\n    )\n",
    }
    taken = []
    for name, source in {**{n: c[0] for n, c in CASES.items()}, **more}.items():
        data = source.encode()
        options = SPEC.prepared(data, "m.py", {})
        made = helper_lines.on_lines(data, "m.py", options)
        if made is None:
            continue
        taken.append(name)
        reference = helper_units.edited(data, "m.py", options)
        assert reference is not None, name
        assert made[0] == reference[0], name
        assert sorted(made[1]) == sorted(reference[1]), name
    # Plain statements, results used in expressions, nested sites, methods, each import
    # block: the shapes of the sites in real code.
    assert {
        "plain statement",
        "assigned, returned",
        "an attribute of the result",
        "a method of its class",
        "unsorted imports",
        "CRLF line ends",
        "over lines",
        "arguments of a call",
        "a comment after the parenthesis",
        "a call over lines, with comments",
    } <= set(taken)


FILES_BLOCKS = [
    "import os\nimport shutil\n",
    "import shutil\nimport os\n",
    "import os\nimport shutil\n\nimport attr\n",
    "import os.path\nimport shutil\n\nfrom . import local\n",
    "import shutil\nfrom os import path\n",
    "import os  # paths\nimport shutil\n",
    "import asyncio\nimport os\nimport shutil\n",
    "import os\nimport shutil\n\nimport aiofiles\n",
]
FILES_TAILS = [
    "\n\nasync def handler(p):\n    shutil.rmtree(p)\n    return os.path.exists(p)\n",
    "\n\nasync def handler(p):\n    if os.path.isdir(p):\n        shutil.rmtree(p)\n",
    "\n\nasync def handler(p):\n    return os.path.getsize(p), os.getcwd()\n",
]


def test_the_files_line_path_makes_what_its_statements_path_makes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from codemods.files import lines as file_lines
    from codemods.files import units as file_units
    from tests.test_files_units import CASES

    modules = {name: source for name, (source, _) in CASES.items()}
    for number, (head, block, tail) in enumerate(
        itertools.product(HEADS, FILES_BLOCKS, FILES_TAILS)
    ):
        text = head + block + tail
        if "path" in block and "from os import path" in block:
            text = text.replace("os.path.", "path.")
        modules[f"generated {number}"] = text
    taken = []
    for name, source in modules.items():
        data = source.encode()
        made = file_lines.on_lines(data, "m.py", {})
        if made is None:
            continue
        taken.append(name)
        reference = file_units.edited(data, "m.py", {})
        if reference is None:  # ``Path(p).exists()``: the statements path leaves it
            whole, _ = whole_and_sliced(data, "files", monkeypatch)
            reference = (whole.code, [f for f in whole.findings if f.code != "AM001"])
        assert made[0] == reference[0], source
        assert sorted(made[1]) == sorted(reference[1]), source
    assert len(taken) > len(modules) // 2
    assert {
        "shutil to a thread",
        "nested calls, the import removed",
        "an alias",
        "Path methods on a name bound to a Path",
        "a Path of the module's",
        "a Path method on a call that starts where it does",
    } <= set(taken)
