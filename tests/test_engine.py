"""The engine's guarantees, in process: output that would not compile is never written,
and positions reported by a later codemod point into the input."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from async_migrate import InternalError, migrate_source
from async_migrate.engine.positions import PositionMap
from async_migrate.engine.safety import changed_outside_coroutines
from async_migrate.runner.processing import Job, process
from codemods.core.base import AsyncCodemod
from codemods.core.spec import Code, CodemodSpec, Severity
from codemods.registry import CODEMODS
from tests.conftest import FIXTURES


class AwaitEverywhere(AsyncCodemod):
    """A deliberately broken codemod: awaits every call, even in sync code."""

    NAME = "broken"

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        self.fixed(original_node, "AM999", "broken rewrite")
        return self.awaited(original_node, updated_node)


SOURCE = b"async def f():\n    pass\n\n\ndef g():\n    print(1)\n"


def test_output_that_does_not_compile_is_an_internal_error() -> None:
    with pytest.raises(InternalError, match="does not compile"):
        migrate_source(SOURCE, [AwaitEverywhere])


def test_file_is_left_byte_identical_on_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = CodemodSpec(
        "broken",
        "broken",
        "tests.test_engine:AwaitEverywhere",
        (Code("AM999", Severity.REWRITE, "broken rewrite"),),
    )
    monkeypatch.setitem(CODEMODS, "broken", entry)
    path = tmp_path / "m.py"
    path.write_bytes(SOURCE)
    report = process(Job(str(path), "m.py", ("broken",), write=True, diff=False))
    assert report.error is not None and report.error.startswith("internal error:")
    assert path.read_bytes() == SOURCE
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]


def test_position_map_follows_inserted_lines() -> None:
    old = "import time\nx = 1\nasync def f():\n    time.sleep(1)\n"
    new = "import asyncio\nimport time\nx = 1\nasync def f():\n    await asyncio.sleep(1)\n"
    mapping = PositionMap(old, new)
    assert mapping.to_old(3, 1) == (2, 1)  # x = 1
    assert mapping.to_old(4, 7) == (3, 7)  # async def f
    assert mapping.to_old(1, 1) == (1, 1)  # an inserted line maps to where it went


def test_files_without_a_coroutine_are_not_parsed() -> None:
    # Not even valid Python: the byte prefilter decides before any parsing.
    result = migrate_source(b"def f(:\n    time.sleep(1)\n")
    assert not result.changed and result.findings == []


class RenameSyncFunction(AsyncCodemod):
    """A deliberately broken codemod: changes sync code while rewriting a coroutine."""

    NAME = "renamer"

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        if original_node.asynchronous is None:
            self.fixed(original_node, "AM999", "broken rewrite")
            return updated_node.with_changes(name=cst.Name("renamed"))
        return updated_node


def test_a_change_outside_coroutines_is_an_internal_error() -> None:
    with pytest.raises(InternalError, match="outside coroutines"):
        migrate_source(SOURCE, [RenameSyncFunction])


def test_safety_net_masks_coroutines_imports_and_declared_helpers() -> None:
    old = b"import time\n\n\nasync def f():\n    time.sleep(1)\n\n\ndef g():\n    return 1\n"
    new = (
        b"import asyncio\n\n_POOL = None\n\n\ndef _pool():\n    return _POOL\n\n\n"
        b"async def f():\n    await asyncio.sleep(1)\n\n\ndef g():\n    return 1\n"
    )
    helpers = (r"_POOL", r"_pool(_\d+)?")
    assert not changed_outside_coroutines(old, new, helpers)
    assert changed_outside_coroutines(old, new, ())
    assert changed_outside_coroutines(old, new, (r"_pool",))
    assert changed_outside_coroutines(old, new.replace(b"return 1", b"return 2"), helpers)
    # A name the input already defined is not a helper the codemod may add.
    assert changed_outside_coroutines(b"_pool = 1\n" + old, new, helpers)


def test_safety_net_lets_exactly_the_converted_helpers_become_coroutines() -> None:
    old = (
        b"import time\n\n\nclass S:\n    def put(self):\n        time.sleep(1)\n\n"
        b"    def get(self):\n        return 1\n\n\ndef h():\n    time.sleep(1)\n"
    )
    new = (
        b"import asyncio\n\n\nclass S:\n    async def put(self):\n"
        b"        await asyncio.sleep(1)\n\n    def get(self):\n        return 1\n\n\n"
        b"async def h():\n    await asyncio.sleep(1)\n"
    )
    assert not changed_outside_coroutines(old, new, (), converted=("S.put", "h"))
    assert changed_outside_coroutines(old, new, ())  # not declared: refused
    assert changed_outside_coroutines(old, new, (), converted=("h",))
    assert changed_outside_coroutines(old, new, (), converted=("put", "h"))  # not S.put
    # Declared, but something else changed too: refused.
    changed = new.replace(b"return 1", b"return 2")
    assert changed_outside_coroutines(old, changed, (), converted=("S.put", "h"))
    # A decorator or a parameter of a converted helper is outside its body: refused.
    renamed = new.replace(b"async def h():", b"async def h(x=1):")
    assert changed_outside_coroutines(old, renamed, (), converted=("S.put", "h"))


def test_async_mode_through_the_library_converts_and_awaits() -> None:
    source = b"import time\n\n\ndef pause():\n    time.sleep(1)\n\n\nasync def f():\n    pause()\n"
    result = migrate_source(source, options={"helpers": {"helpers_mode": "async"}})
    assert result.code == (
        b"import asyncio\n\n\nasync def pause():\n    await asyncio.sleep(1)\n\n\n"
        b"async def f():\n    await pause()\n"
    )
    found = [(f.line, f.col, f.code) for f in result.findings]
    assert found == [(4, 5, "AM655"), (5, 5, "AM101"), (9, 5, "AM655")]
    default = migrate_source(source)
    assert b"await asyncio.to_thread(pause)" in default.code


def test_positions_after_an_earlier_rewrite_count_lines_as_python_does() -> None:
    """A form feed is not a line break: findings of later codemods land on the calls, and a
    call one codemod reported and the fallback offloaded is accounted for once."""
    source = (
        "import time\nimport subprocess\n\n# a form feed follows:\x0c\n"
        "async def main():\n"
        "    time.sleep(1)\n"
        '    subprocess.run(["true"])\n'
        '    open("x").read()\n'
    )
    plain = migrate_source(source.replace("\x0c", ""))
    with_form_feed = migrate_source(source)
    assert [(f.line, f.col, f.code) for f in with_form_feed.findings] == [
        (f.line, f.col, f.code) for f in plain.findings
    ]
    assert not with_form_feed.left


def test_line_numbers_in_messages_are_the_inputs_when_code_before_is_stood_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sync function above the coroutine is stood in for libcst; the line a message
    names (the ``return`` on line 13) is still the input's, and the same as without
    slicing."""
    from async_migrate.engine import migrate

    source = (
        "import sqlite3\n\n\ndef audit(conn):\n    a = 1\n    b = 2\n    c = 3\n"
        '    conn.execute("INSERT INTO log VALUES (1)")\n\n\n'
        "async def opened(path):\n    conn = sqlite3.connect(path)\n    return conn\n"
    )
    sliced = migrate_source(source, ["db"])
    assert [f.message[-9:] for f in sliced.findings] == ["(line 13)"]
    monkeypatch.setattr(migrate, "SLICING", False)
    assert migrate_source(source, ["db"]) == sliced


def test_messages_and_later_codemods_see_the_input_lines_after_earlier_rewrites() -> None:
    """Earlier codemods add lines (imports, a loop moved into a function): a message that
    names a line names the input's, and the helpers codemod still finds its sites."""
    source = (
        "import os\n"
        "import sqlite3\n"
        "\n"
        "\n"
        "def load(path):\n"
        "    return open(path).read()\n"
        "\n"
        "\n"
        "async def names(top):\n"
        "    out = []\n"
        "    for _, _, found in os.walk(top):\n"
        "        out.extend(found)\n"
        "    return out\n"
        "\n"
        "\n"
        "async def count(path):\n"
        "    conn = sqlite3.connect(path)\n"
        "    return conn\n"
        "\n"
        "\n"
        "async def item(path):\n"
        "    return load(path)\n"
    )
    result = migrate_source(source)
    by_code = {f.code: f for f in result.findings}
    assert by_code["AM710"].message.endswith("(line 18)")
    assert (by_code["AM651"].line, by_code["AM651"].col) == (22, 12)
    assert "await asyncio.to_thread(load, path)" in result.code.decode()


def test_iteration_reaches_libcst_only_with_a_name_that_blocks() -> None:
    """The iteration codemod's prescan finds the shapes (a generator expression consumed
    at once, a loop over a lazy iterator), its targets the blocking names: a coroutine
    needs both to be handed to libcst."""
    from async_migrate.engine.migrate import _active, _interest

    dict_reads = b"async def f(d, keys):\n    return sorted(d.get(k) for k in keys)\n"
    requests_reads = (
        b"import requests\n\n\nasync def g(urls):\n"
        b"    return sorted(requests.get(u).status_code for u in urls)\n"
    )
    directory = (
        b"from pathlib import Path\n\n\nasync def h(root: Path):\n"
        b"    for p in root.iterdir():\n        print(p)\n"
    )
    iteration = CODEMODS["iteration"].load()
    assert _active(dict_reads, ["iteration"], {}) == []
    assert _active(requests_reads, ["iteration"], {}) == [CODEMODS["iteration"]]
    assert _active(directory, ["iteration"], {}) == [CODEMODS["iteration"]]
    both = requests_reads + b"\n\n" + dict_reads
    assert _interest(both, [iteration], {}) == frozenset({4})


def test_adjacent_functions_no_other_code_names_share_one_stand_in() -> None:
    """An editor's analysis of one coroutine: the functions around it that nothing else
    names become one stand-in that reads what they read; the names they bound travel
    beside the slice, and restoring gives the module back byte for byte."""
    from async_migrate.engine.slicing import slice_module

    source = (
        b"import os\nimport time\n\n\n"
        b"async def kept():\n    time.sleep(1)\n    return named()\n\n\n"
        b"def named():\n    x = 1\n    return x\n\n\n"
        b"async def first():\n    a = 1\n    return os.getcwd()\n\n\n"
        b"# a comment between them\n"
        b"def second():\n    b = 2\n    return time.time()\n\n\n"
        b"def _subprocess_run():\n    c = 3\n    return c\n"
    )
    piece = slice_module(source, frozenset({5}))
    assert piece is not None
    assert piece.bound == frozenset({"first", "second"})
    code = piece.code.decode()
    assert "def named():" in code  # the kept coroutine names it
    assert "def _subprocess_run" in code  # a helper a codemod looks for by name
    assert "(os, time,)" in code and "def first" not in code and "def second" not in code
    assert code.count("\n") == source.decode().count("\n")
    assert piece.restore(piece.code) == source


def test_position_map_matches_a_change_between_many_equal_lines() -> None:
    old = "import time\n" + "\n" * 500 + "time.sleep(1)\n" + "\n" * 500 + "x = 1\n"
    new = "import asyncio\nimport time\n" + "\n" * 500 + "await asyncio.sleep(1)\n"
    new += "\n" * 500 + "x = 1\n"
    positions = PositionMap(old, new)
    assert positions.to_old(2, 1) == (1, 1)
    assert positions.to_old(1004, 1) == (1003, 1)
    assert positions.to_old(503, 1) == (502, 1)


def test_no_codemod_uses_a_matcher_decorator() -> None:
    """The codemods' base skips libcst's search for matcher decorators on every
    construction; that holds only while none of them uses one."""
    from libcst.codemod import CodemodContext
    from libcst.matchers._visitors import (
        _gather_constructed_leave_funcs,
        _gather_constructed_visit_funcs,
        _gather_matchers,
    )

    for spec in CODEMODS.values():
        codemod = spec.load()(CodemodContext())
        assert _gather_matchers(codemod) == {}, spec.name
        assert _gather_constructed_visit_funcs(codemod) == {}, spec.name
        assert _gather_constructed_leave_funcs(codemod) == {}, spec.name


def test_a_relative_import_is_not_the_package_of_that_name() -> None:
    """``from ..requests import get`` is the project's own module (libcst's qualified name
    is ``..requests.get``): the ``requests`` codemod has nothing to do there."""
    from async_migrate.engine.migrate import _active

    relative = b"from ..requests import get\n\n\nasync def f(u):\n    return get(u)\n"
    absolute = relative.replace(b"..requests", b"requests")
    assert _active(relative, ["requests"], {}) == []
    assert _active(absolute, ["requests"], {}) == [CODEMODS["requests"]]


def test_a_parameter_named_like_a_module_is_not_that_module() -> None:
    """A coroutine's own ``redis`` or ``time`` (a parameter, an assignment) is not the
    module of that name: libcst names it ``f.<locals>.redis``, and no codemod acts on it."""
    from async_migrate.engine.migrate import _active

    parameter = b"async def f(redis, time):\n    redis.from_url('redis://')\n    time.sleep(1)\n"
    assert _active(parameter, ["redis", "sleep"], {}) == []
    imported = b"import redis\nimport time\n\n\n" + parameter.replace(b"redis, time", b"")
    assert _active(imported, ["redis", "sleep"], {}) == [CODEMODS["redis"], CODEMODS["sleep"]]


def test_methods_no_other_code_names_share_one_stand_in() -> None:
    """In a class that holds the coroutine analysed, the methods around it that nothing
    else names share a stand-in; a special method, one the coroutine names, and one that
    reads a name the class body binds keep their own."""
    from async_migrate.engine.slicing import slice_module

    source = (
        b"import os\nimport time\n\nLIMIT = 3\n\n\n"
        b"class Service:\n"
        b"    LIMIT = 5\n\n"
        b"    async def run(self):\n        time.sleep(1)\n        return self.named()\n\n"
        b"    def named(self):\n        x = 1\n        return x\n\n"
        b"    def first(self):\n        a = 1\n        return os.getcwd()\n\n"
        b"    def second(self):\n        b = 2\n        return time.time()\n\n"
        b"    def __enter__(self):\n        c = 3\n        return self\n\n"
        b"    def limited(self):\n        d = 4\n        return LIMIT\n"
    )
    piece = slice_module(source, frozenset({10}))
    assert piece is not None
    code = piece.code.decode()
    assert "    def named(" in code and "    def __enter__(" in code
    assert "    def limited(" in code  # reads LIMIT, which the class body binds
    assert "    def first" not in code and "    def second" not in code
    assert "    (os, time,)" in code
    assert piece.bound == frozenset()  # methods are not the module's names
    assert piece.restore(piece.code) == source


def test_a_long_literal_stands_in_as_an_empty_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A module's or class body's ``name = [...]`` made of constants only becomes
    ``name = []`` as high as it was: it reads no name and calls nothing. One that reads a
    name, a special name, a literal sharing its line with another statement, and an
    annotated one keep their lines; the migrated module is the one a whole run gives."""
    from async_migrate.engine import migrate
    from async_migrate.engine.slicing import slice_module

    long_list = b"[\n    {'id': 1, 'ok': True},\n    (-2, None),\n]\n"
    source = (
        b"import time\n\nLIMIT = 3\nMODELS = "
        + long_list
        + b"READS = [\n    LIMIT,\n    2,\n]\n"
        + b"__all__ = [\n    'Service',\n    'MODELS',\n]\n"
        + b"x = 1; SHARED = [\n    1,\n    2,\n]\n"
        + b"ANNOTATED: list = [\n    1,\n    2,\n]\n\n\n"
        + b"class Service:\n    TABLE = {\n        'a': 1,\n        'b': 2,\n    }\n\n"
        + b"    async def run(self):\n        time.sleep(1)\n        return self.TABLE, MODELS\n"
    )
    piece = slice_module(source, None)
    assert piece is not None
    code = piece.code.decode()
    assert 'MODELS = []; """' in code and '    TABLE = {}; """' in code
    for kept in ("    LIMIT,", "    'MODELS',", "x = 1; SHARED = [", "ANNOTATED: list = ["):
        assert kept in code
    assert code.count("\n") == source.decode().count("\n")
    assert piece.restore(piece.code) == source
    sliced = migrate_source(source, ["sleep"], filename="m.py")
    monkeypatch.setattr(migrate, "SLICING", False)
    assert sliced == migrate_source(source, ["sleep"], filename="m.py")
    assert sliced.changed


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_module_without_a_final_newline_is_sliced(
    newline: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module whose last line has no line ending is sliced with one added, and the
    module put back has none, as a whole run gives it."""
    from async_migrate.engine import migrate
    from async_migrate.engine.slicing import slice_module

    source = newline.join(
        [
            "import time",
            "",
            "",
            "def helper():",
            "    a = 1",
            "    return a",
            "",
            "",
            "async def run():",
            "    time.sleep(1)",
            "    return helper()",
        ]
    ).encode()
    piece = slice_module(source, None, keep_callees=False)
    assert piece is not None and b"a = 1" not in piece.code
    assert piece.code.endswith(newline.encode()) and piece.restore(piece.code) == source
    sliced = migrate_source(source, ["sleep"], filename="m.py")
    assert sliced.changed and sliced.code.endswith(
        b"(1)" + newline.encode() + b"    return helper()"
    )
    monkeypatch.setattr(migrate, "SLICING", False)
    assert sliced == migrate_source(source, ["sleep"], filename="m.py")


def test_an_object_matters_to_offload_only_where_a_method_of_it_that_blocks_is_called() -> None:
    """A ``threading.Event`` set, or an executor handed to ``run_in_executor``, gives the
    offload codemod nothing to do: only the coroutines that call ``wait``, or ``result`` on
    what ``submit`` gave, are handed to libcst; kinds whose every method blocks (files) or
    whose ``with`` block blocks on leaving (SMTP) are not narrowed."""
    from async_migrate.engine.migrate import _interest
    from codemods.core.catalogue import ObjectKind, methods_that_block

    assert methods_that_block(ObjectKind.EXECUTOR) == {"shutdown", "result", "exception"}
    assert methods_that_block(ObjectKind.FILE) is None
    assert methods_that_block(ObjectKind.SMTP_CLIENT) is None
    fixture = FIXTURES / "offload" / "object_without_a_blocking_method_call_left.py"
    offload = CODEMODS["offload"].load()
    assert _interest(fixture.read_bytes(), [offload], {}) == frozenset({22, 27})


def test_a_function_naming_global_is_stood_in_one_declaring_it_is_not() -> None:
    """Only a ``global`` or ``nonlocal`` statement binds what is not the function's own;
    the words in a name, a string or a comment do not keep a function out of a stand-in."""
    from async_migrate.engine.slicing import slice_module

    source = (
        b"import time\n\nCOUNT = 0\n\n\n"
        b"def named():\n    global_settings = {'scope': 'global'}  # not nonlocal\n"
        b"    return global_settings\n\n\n"
        b"def declared():\n    global COUNT\n    COUNT += 1\n    return COUNT\n\n\n"
        b"async def run():\n    time.sleep(1)\n    return COUNT\n"
    )
    piece = slice_module(source, None, keep_callees=False)
    assert piece is not None
    code = piece.code.decode()
    assert "global_settings = " not in code and "    global COUNT\n" in code
    assert piece.restore(piece.code) == source


def test_a_function_declaring_globals_no_kept_coroutine_names_stands_in_with_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its stand-in declares the same names global and binds those it binds, so the module
    still binds them; one that imports a name it declares global, or declares one a kept
    coroutine mentions, keeps its lines, and so does one whose nested function declares
    one (that function stands in by itself)."""
    from async_migrate.engine import migrate
    from async_migrate.engine.slicing import slice_module

    source = (
        b"import time\n\nWARNED = False\n\n\n"
        b"def warn_once():\n    global WARNED, asyncio\n    if not WARNED:\n"
        b"        WARNED = True\n        print('once')\n\n\n"
        b"def lazily():\n    global json\n    import json\n    return json\n\n\n"
        b"def outer():\n    def inner():\n        global LATER\n        LATER = 1\n"
        b"    return inner\n\n\n"
        b"def counted():\n    global COUNT\n    COUNT = 1\n    return COUNT\n\n\n"
        b"async def run():\n    time.sleep(1)\n    return COUNT\n"
    )
    piece = slice_module(source, None, keep_callees=False)
    assert piece is not None
    code = piece.code.decode()
    assert "def warn_once(): global WARNED, asyncio; WARNED = None;" in code
    assert "    import json\n" in code
    # outer keeps its lines (a function nested in it declares a global), inner stands in
    assert "def outer():\n" in code and "def inner(): global LATER; LATER = None;" in code
    assert "    global COUNT\n" in code  # the coroutine reads COUNT
    assert piece.restore(piece.code) == source
    sliced = migrate_source(source, ["sleep"], filename="m.py")
    monkeypatch.setattr(migrate, "SLICING", False)
    assert sliced == migrate_source(source, ["sleep"], filename="m.py")
    assert sliced.changed


_CLASS = (
    "import time\n\n\n"
    "@decorated(1)\n"
    "class Service(Base):\n"
    "    LIMIT = 3\n\n"
    "    def sync(self):\n"
    "        import os\n"
    "        return os.getcwd()\n\n"
    "    async def run(self, x=LIMIT):\n"
    "        time.sleep(1)\n"
    "        return x\n\n"
    "    def outer(self):\n"
    "        async def inner():\n"
    "            time.sleep(2)\n"
    "        return inner\n\n\n"
    "x = 1; y = 'é'\n"
)


@pytest.mark.parametrize(
    "edit",
    [
        ("time.sleep(1)", "await asyncio.sleep(1)"),  # in a coroutine
        ("time.sleep(2)", "await asyncio.sleep(2)"),  # in one nested in a sync method
        ("import os\n", "import os, sys\n"),  # an import inside a sync method
        ("import time\n", "import asyncio\nimport time\n"),  # a new import
        ("return os.getcwd()", "return os.getcwd() + '/'"),  # in a sync method
        ("x=LIMIT", "x=LIMIT + 1"),  # a coroutine's default runs outside it
        ("@decorated(1)", "@decorated(2)"),
        ("(Base)", "(Base, Mixin)"),
        ("LIMIT = 3", "LIMIT = 4"),
        ("y = 'é'", "y = 'e'"),
        ("x = 1; ", ""),
        ("    def outer", "    @staticmethod\n    def outer"),
        ("    LIMIT = 3\n", "    LIMIT = 3\n    import sys\n"),  # an import in the class
        ("    LIMIT = 3\n", "    LIMIT = 3\n    EXTRA = 1\n"),  # a statement more in it
    ],
)
def test_the_safety_net_statement_by_statement_agrees_with_the_whole_trees(
    edit: tuple[str, str],
) -> None:
    """Statements with the same text are skipped, the others masked and compared: the
    answer is the one the whole masked trees give, change by change."""
    from async_migrate.engine import safety

    old = _CLASS.encode()
    new = _CLASS.replace(*edit).encode()
    assert new != old
    whole = safety._masked(safety._parsed(old), frozenset()) != safety._masked(
        safety._parsed(new), frozenset()
    )
    same = safety._same_by_statement(
        safety._parsed(old), safety._parsed(new), old, new, frozenset()
    )
    if edit[0] == "x = 1; ":  # a statement fewer: the whole trees are compared
        assert same is None
    else:
        assert same is not None and (not same) == whole
    assert changed_outside_coroutines(old, new, ()) == whole


def test_the_safety_net_leaves_the_engines_parses_as_they_were() -> None:
    """The safety net compares the trees the engine parsed (the dependency check reads
    them next): masking coroutine bodies and imports does not change them."""
    import ast

    from codemods.core import parsed

    old = _CLASS.encode()
    new = (
        _CLASS.replace("time.sleep(1)", "await asyncio.sleep(1)")
        .replace("import time\n", "import asyncio\nimport time\n")
        .encode()
    )
    before = [ast.dump(parsed.parse(data)) for data in (old, new)]
    assert not changed_outside_coroutines(old, new, ())
    assert [ast.dump(parsed.parse(data)) for data in (old, new)] == before


def test_a_blocking_function_that_makes_an_object_counts_for_offload_only_called() -> None:
    """``urllib.request.urlopen`` blocks when called and makes a response whose reads
    block: handed to ``asyncio.to_thread`` by name, it makes no object the offload codemod
    could follow in the coroutine, which is not handed to libcst; called, it is."""
    from async_migrate.engine.migrate import _interest

    source = (
        b"import asyncio\nimport urllib.request\n\n\n"
        b"async def passed(url):\n    return await asyncio.to_thread(urllib.request.urlopen, url)\n"
        b"\n\nasync def called(url):\n    return urllib.request.urlopen(url).read()\n"
    )
    offload = CODEMODS["offload"].load()
    assert _interest(source, [offload], {}) == frozenset({9})


def test_a_comprehensions_own_variable_is_bound_to_nothing_outside_it() -> None:
    """A coroutine that names ``item`` only as a comprehension's variable (``item.get`` of
    a dict) does not use the module's ``item``, a queue: it is not handed to the offload
    codemod; the one that calls the queue's ``item.get()`` is."""
    from async_migrate.engine.migrate import _interest

    fixture = FIXTURES / "offload" / "comprehension_variable_named_like_an_object.py"
    offload = CODEMODS["offload"].load()
    assert _interest(fixture.read_bytes(), [offload], {}) == frozenset({14})


def test_only_a_sync_function_that_declares_a_name_global_binds_it_for_coroutines() -> None:
    """What a sync function binds is its own unless it declares the name ``global``: the
    word in a comment does not make a local sqlite3 connection the module's ``conn``; a
    ``global`` statement does."""
    from async_migrate.engine.migrate import _interest

    offload = CODEMODS["offload"].load()
    local = (
        b"import sqlite3\n\nconn = None  # the global connection, set by start()\n\n\n"
        b"def size(path):\n    conn = sqlite3.connect(path)\n    return conn.total_changes\n"
        b"\n\nasync def count():\n    return conn.execute('select 1')\n"
    )
    assert _interest(local, [offload], {}) == frozenset()
    declared = local.replace(b"    conn = sqlite3", b"    global conn\n    conn = sqlite3")
    assert _interest(declared, [offload], {}) == frozenset({12})


def test_files_acts_on_calls_and_named_path_classes_only() -> None:
    """A coroutine that hands ``os.makedirs`` to ``asyncio.to_thread`` by name, or names
    ``Path`` without calling a method that blocks, is not handed to the files codemod; one
    that calls ``os.remove`` is."""
    from async_migrate.engine.migrate import _interest

    fixture = FIXTURES / "files" / "functions_named_but_not_called.py"
    files = CODEMODS["files"].load()
    assert _interest(fixture.read_bytes(), [files], {}) == frozenset({16})
    annotated = b"from pathlib import Path\n\n\nasync def f(p: Path):\n    return p.read_text()\n"
    assert _interest(annotated, [files], {}) == frozenset({4})


def test_a_method_of_a_comprehensions_own_variable_or_of_a_literal_is_not_a_blocking_call() -> None:
    """``doc.get(k) for doc in documents``, ``(row or {}).get(k)`` and ``", ".join(...)``
    call methods whose names the catalogue lists (a session's ``get``, a thread's
    ``join``) on objects whose kind no codemod can know, and ``self.folder.iterdir()`` a
    lazy method of an attribute no codemod proves a Path: such a coroutine is not handed
    to the iteration codemod. A variable an ``isinstance`` test proves a Path still
    counts, and so does a Path's ``parent``."""
    from async_migrate.engine.migrate import _interest

    fixture = FIXTURES / "iteration" / "methods_of_its_own_variables.py"
    iteration = CODEMODS["iteration"].load()
    assert _interest(fixture.read_bytes(), [iteration], {}) == frozenset({10})
    other = (
        b"from pathlib import Path\n\n\nasync def f(self, root: Path, rows):\n"
        b"    found = all((row or {}).get('error') for row in rows)\n"
        b"    return found, list(self.folder.iterdir()), list(root.parent.glob('*'))\n"
    )
    assert _interest(other, [iteration], {}) == frozenset({4})
    assert _interest(other.replace(b", list(root.parent.glob('*'))", b""), [iteration], {}) == (
        frozenset()
    )


def test_redis_asyncio_and_redis_exceptions_give_the_redis_codemod_nothing() -> None:
    """The redis codemod migrates redis-py's sync client: a coroutine naming only the
    async client and the exceptions is not handed to it."""
    from async_migrate.engine.migrate import _interest

    fixture = FIXTURES / "redis" / "async_client_and_exceptions_untouched.py"
    redis = CODEMODS["redis"].load()
    assert _interest(fixture.read_bytes(), [redis], {}) == frozenset()
    sync = fixture.read_bytes().replace(b"redis.asyncio.from_url", b"redis.from_url")
    assert _interest(sync, [redis], {}) == frozenset({5})


def test_an_object_matters_to_offload_where_a_blocking_method_is_called_not_named() -> None:
    """``asyncio.to_thread(READY.wait, 1)`` names the event's blocking method without
    calling it in the coroutine: only the coroutine that calls ``READY.wait(1)`` is handed
    to the offload codemod."""
    from async_migrate.engine.migrate import _interest

    fixture = FIXTURES / "offload" / "blocking_method_only_named_left.py"
    offload = CODEMODS["offload"].load()
    assert _interest(fixture.read_bytes(), [offload], {}) == frozenset({11})


def test_offload_follows_no_object_into_a_calls_arguments() -> None:
    """The ``offload`` codemod knows an object from the call that makes it (or the method
    of one that returns it), never from a call it is passed to, and from an annotation
    through ``Optional`` only: a name bound to such a call, or annotated ``list[T]`` or
    ``Union[T, U]``, is not that object for its prefilter, and the codemod itself leaves it
    alone."""
    from async_migrate.engine import migrate
    from async_migrate.engine.migrate import _active_names

    passed = (
        b"import threading\n\nevent = threading.Event()\nwaiter = Waiter(event)\n\n\n"
        b"async def f():\n    waiter.wait()\n"
    )
    same = passed.replace(b"waiter = Waiter(event)", b"waiter = event")
    assert _active_names(passed, ["offload"], {}) == []
    assert _active_names(same, ["offload"], {}) == ["offload"]
    # An annotation declares an object through Optional and Union only.
    declared = (
        b"import threading\nfrom typing import Optional\n\n\nclass C:\n"
        b"    def __init__(self):\n        self.event: Optional[threading.Event] = None\n\n"
        b"    async def f(self):\n        self.event.wait()\n"
    )
    listed = declared.replace(b"Optional[threading.Event] = None", b"list[threading.Event] = []")
    either = declared.replace(b"[threading.Event]", b"[Union[threading.Event, Lock]]")
    either = either.replace(b"import Optional", b"import Optional, Union")
    assert _active_names(declared, ["offload"], {}) == ["offload"]
    assert _active_names(listed, ["offload"], {}) == []
    assert _active_names(either, ["offload"], {}) == []
    assert b"to_thread(waiter.wait)" in migrate_source(same, ["offload"]).code
    old = migrate.SLICING
    migrate.SLICING = False  # the command on the whole module: it finds nothing either
    try:
        for source in (passed, listed, either):
            found = migrate._transform(source, [CODEMODS["offload"].load()], "m.py", {})
            assert found[:2] == (source, [])
    finally:
        migrate.SLICING = old


def test_an_edit_path_runs_on_a_module_an_earlier_codemod_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A codemod's text edits run on what the codemods before it made (their findings
    mapped back to the input's positions), as its command on a slice would, and so do a
    project helper's sites, moved with the lines; a site on a line an earlier codemod
    changed sends the module to the command."""
    from async_migrate.engine import migrate
    from codemods.helpers.analysis import Blocking, Site

    data = (
        b"import os\nimport time\n\n\nasync def f(p):\n    time.sleep(1)\n    os.remove(p)\n"
        b"    return load(p)\n\n\ndef load(p):\n    return open(p).read()\n"
    )
    blocking = Blocking(("load", "open"), "m.py", 12, 12)
    site = Site("f", "load", 0, 8, 12, "load", blocking)
    options = {"helpers": {"sites": [site]}}
    sliced: list[str] = []
    on_slice = migrate._on_slice

    def recorded(data, active, *args, **kwargs):  # type: ignore[no-untyped-def]
        sliced.extend(getattr(c, "name", getattr(c, "NAME", "?")) for c in active)
        return on_slice(data, active, *args, **kwargs)

    monkeypatch.setattr(migrate, "_on_slice", recorded)
    codemods = ["sleep", "files", "helpers"]
    made = migrate_source(data, codemods, filename="m.py", options=options)
    assert sliced == []  # each codemod took its text edits, after the one before
    monkeypatch.setattr(migrate, "SLICING", False)
    whole = migrate_source(data, codemods, filename="m.py", options=options)
    assert made.code == whole.code
    assert b"await asyncio.to_thread(load, p)" in made.code
    assert sorted(made.findings) == sorted(whole.findings)
    assert {(f.line, f.col) for f in made.findings} >= {(6, 5), (7, 5), (8, 12)}
    # A site on a line an earlier codemod rewrote: the command finds it.
    monkeypatch.setattr(migrate, "SLICING", True)
    same_line = data.replace(b"    return load(p)\n", b"    return load(p) or os.remove(p)\n")
    made = migrate_source(same_line, codemods, filename="m.py", options=options)
    assert sliced == ["helpers"]
    monkeypatch.setattr(migrate, "SLICING", False)
    assert made.code == migrate_source(same_line, codemods, filename="m.py", options=options).code
