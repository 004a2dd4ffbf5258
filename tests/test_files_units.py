"""The ``files`` codemod's plain calls on the statements holding them (without libcst on the
rest of the module) make what the command makes on the whole module; where a call does not
fit, the step says so and the command runs."""

from __future__ import annotations

import pytest

from async_migrate.engine.migrate import migrate_source
from codemods.files import units
from tests.both_ways import whole_and_sliced

#: name -> (module, whether the statements' path takes it)
CASES = {
    "os.path functions, the from import removed": (
        "import os.path\nfrom os.path import getsize\n\n\nasync def info(path):\n"
        "    if not os.path.exists(path):\n        return None\n"
        "    return os.path.isfile(path), getsize(path), os.path.basename(path)\n",
        True,
    ),
    "shutil to a thread": (
        "import shutil\n\n\nasync def f(a, b):\n    shutil.copy(a, b)\n    shutil.rmtree(a)\n",
        True,
    ),
    "nested calls, the import removed": (
        "import os\nimport shutil\n\n\nasync def f(a, b):\n"
        "    shutil.copy(a, os.path.abspath(b))\n",
        True,
    ),
    "an alias": ("import os.path as osp\n\n\nasync def f(p):\n    return osp.exists(p)\n", True),
    "a function imported under another name": (
        "from os.path import getsize as size_of\n\n\nasync def f(p):\n    return size_of(p)\n",
        True,
    ),
    "a module's function imported by name": (
        '"""Doc."""\n\nfrom os import path\n\n\nasync def f(p):\n    return path.isdir(p)\n',
        True,
    ),
    "the import kept for a sync function": (
        "import os\n\n\ndef g():\n    return os.getcwd()\n\n\nasync def f(p):\n    os.remove(p)\n",
        True,
    ),
    "string methods in a module that names no Path": (
        "import os\n\n\nasync def f(p, s):\n    s = s.replace('a', 'b')\n    os.remove(p)\n"
        "    return s\n",
        True,
    ),
    "silenced by ruff's code and by ours": (
        "import os\n\n\nasync def tidy(path):\n    os.remove(path)  # noqa: ASYNC240\n"
        "    return os.path.exists(path)  # noqa: AM305\n",
        True,
    ),
    "CRLF": ("import os\r\n\r\n\r\nasync def f(p):\r\n    os.unlink(p)\r\n", True),
    "CRLF, a call over lines": (
        "import shutil\r\n\r\n\r\nasync def f(a, b):\r\n    shutil.copy(\r\n        a,\r\n"
        "        b,\r\n    )\r\n",
        True,
    ),
    "asyncio and aiofiles.os already imported": (
        "import asyncio\nimport os\n\nimport aiofiles.os\n\n\nasync def f(p):\n"
        "    await asyncio.sleep(0)\n    os.chmod(p, 0o644)\n    os.mkdir(p)\n    return os\n",
        True,
    ),
    "a file opened": (
        "import os\n\n\nasync def f(p):\n    os.remove(p)\n    with open(p) as fh:\n"
        "        return fh.read()\n",
        False,
    ),
    "a Path method on a parameter annotated Path": (
        "import os\nfrom pathlib import Path\n\n\nasync def f(p: Path, q):\n    os.remove(q)\n"
        "    p.replace(q)\n",
        True,
    ),
    "Path methods on a name bound to a Path": (
        "from pathlib import Path\n\n\nasync def f(x):\n    p = Path(x)\n"
        "    if not p.exists():\n        p.mkdir(parents=True, exist_ok=True)\n"
        "    p.unlink(missing_ok=True)\n    return p.read_text()\n",
        True,
    ),
    "a name bound to a Path made of itself": (
        "from pathlib import Path\n\n\nasync def f(x, name):\n    p = Path(x)\n"
        "    p = p / name\n    return p.is_file()\n",
        True,
    ),
    "a Path of the module's": (
        "import pathlib\n\nBASE = pathlib.Path(__file__).parent\n\n\nasync def f(name):\n"
        "    text = (BASE / name).read_text()\n    return text, (BASE / name).is_dir()\n",
        True,
    ),
    "a Path method on a call that starts where it does": (
        "import pathlib\n\n\nasync def f(name):\n    return pathlib.Path(name).exists()\n",
        False,
    ),
    "a Path method on a Path method's result": (
        "from pathlib import Path\n\n\nasync def f(x):\n    here = Path.cwd().resolve()\n"
        "    return Path(x).resolve().exists(), here\n",
        False,
    ),
    "a method of something else in a module that names Path": (
        "import os\nfrom pathlib import Path\n\n\nasync def f(store, x: str, y=Path()):\n"
        "    store.exists(x)\n    x.replace('a', 'b')\n    os.remove(x)\n"
        "    for p in store:\n        p.unlink()\n    return y\n",
        True,
    ),
    "a Path method on a name an isinstance test proves": (
        "import os\nfrom pathlib import Path\n\n\nasync def f(p, q):\n    os.remove('x')\n"
        "    if isinstance(p, Path):\n        p.unlink()\n"
        "    if q and isinstance(q, Path) and q.exists():\n        return q\n",
        True,
    ),
    "a name an isinstance test does not prove where it is used": (
        "import os\nfrom pathlib import Path\n\n\nasync def f(p, q):\n    os.remove('x')\n"
        "    if not isinstance(p, Path):\n        return None\n    else:\n"
        "        p.unlink()\n    if isinstance(q, (str, Path)):\n        q.replace('a', 'b')\n"
        "    if isinstance(p, Path):\n        p = str(p)\n        p.replace('a', 'b')\n",
        True,
    ),
    "nothing to change: methods spelled like a Path's on other objects": (
        "from pathlib import Path\n\n\nasync def f(name: str, store, rows):\n"
        "    name.replace('a', 'b')\n    store.exists(name)\n"
        "    return [Path(r) for r in rows]\n",
        True,
    ),
    "a Path opened": (
        "import os\nfrom pathlib import Path\n\n\nasync def f(x):\n    os.remove(x)\n"
        "    return Path(x).open()\n",
        False,
    ),
    "a Path listed while iterated": (
        "from pathlib import Path\n\n\nasync def f(x):\n    return list(Path(x).iterdir())\n",
        False,
    ),
    "a Path the class keeps": (
        "import os\nfrom pathlib import Path\n\n\nclass Store:\n    def __init__(self, x):\n"
        "        self.root = Path(x)\n\n    async def clear(self):\n        os.remove('x')\n"
        "        self.root.unlink()\n",
        True,
    ),
    "a Path from a method of the class annotated to return one": (
        "from pathlib import Path\n\n\nclass Store:\n    def _file(self) -> Path:\n"
        "        return Path('x')\n\n    async def read(self):\n        f = self._file()\n"
        "        return f.read_bytes()\n",
        True,
    ),
    "a method of the class not annotated so": (
        "import os\nfrom pathlib import Path\n\n\nclass Store:\n    def _file(self):\n"
        "        return Path('x')\n\n    async def read(self):\n        os.remove('y')\n"
        "        f = self._file()\n        return f.read_bytes()\n",
        True,
    ),
    "a global statement for another name": (
        "import os\nfrom pathlib import Path\n\nCOUNT = 0\n\n\ndef g():\n    global COUNT\n"
        "    COUNT += 1\n\n\nasync def f(x):\n    os.remove(x)\n    p = Path(x)\n"
        "    return p.exists()\n",
        True,
    ),
    "a function of the module that may return a Path": (
        "import os\nfrom pathlib import Path\n\n\ndef base() -> Path:\n    return Path('.')\n"
        "\n\nasync def f():\n    os.remove('x')\n    return base().exists()\n",
        False,
    ),
    "a Path method in a list comprehension": (
        "import os\nfrom pathlib import Path\n\n\nasync def f(xs):\n    os.remove('x')\n"
        "    return [Path(x).exists() for x in xs]\n",
        False,
    ),
    "a module with a global statement": (
        "import os\nfrom pathlib import Path\n\nP = None\n\n\ndef g():\n    global P\n"
        "    P = Path('.')\n\n\nasync def f():\n    os.remove('x')\n    return P.exists()\n",
        False,
    ),
    "a call that blocks while iterated": (
        "import os\n\n\nasync def f(p):\n    for entry in os.walk(p):\n        os.remove(entry)\n",
        False,
    ),
    "in a generator expression": (
        "import os\n\n\nasync def f(ps):\n    return any(os.path.exists(p) for p in ps)\n",
        False,
    ),
    "under a lock": (
        "import os\n\n\nasync def f(lock, p):\n    with lock:\n        os.remove(p)\n",
        False,
    ),
    "in a nested function": (
        "import os\n\n\nasync def f(p):\n    def g():\n        os.remove(p)\n    g()\n",
        False,
    ),
    "the module's name bound in the coroutine": (
        "import os\n\n\nasync def f(os, p):\n    os.remove(p)\n",
        False,
    ),
    "aiofiles bound to something else": (
        "import os\n\naiofiles = None\n\n\nasync def f(p):\n    os.remove(p)\n",
        False,
    ),
    "spelled like one on a name bound at the top": (
        "import os\n\nfs = os\n\n\nasync def f(p):\n    fs.remove(p)\n    os.remove(p)\n",
        False,
    ),
    "a module imported in the coroutine": (
        "import os\n\n\nasync def f(p):\n    os.remove(p)\n    import shutil\n\n"
        "    shutil.rmtree(p)\n",
        False,
    ),
    "spelled like one on another object": (
        "import os\n\n\nasync def f(fs, p):\n    fs.remove(p)\n    os.remove(p)\n",
        True,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_statements_path_makes_what_the_command_makes(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, takes = CASES[name]
    data = source.encode("utf-8")
    assert (units.edited(data, "m.py", {}) is not None) is takes
    whole, by_statements = whole_and_sliced(data, "files", monkeypatch)
    assert by_statements == whole
    if takes:
        assert whole.code != data or name.startswith(("silenced", "nothing")), (
            "a case that changes nothing"
        )


def test_the_rewrite_as_an_expert_writes_it() -> None:
    source, _ = CASES["nested calls, the import removed"]
    made = migrate_source(source, ["files"], filename="m.py")
    assert made.code.decode() == (
        "import asyncio\nimport shutil\n\nimport aiofiles.os\n\n\nasync def f(a, b):\n"
        "    await asyncio.to_thread(shutil.copy, a, await aiofiles.os.path.abspath(b))\n"
    )
    assert [(f.line, f.col, f.code) for f in made.findings] == [(6, 5, "AM306"), (6, 20, "AM305")]
