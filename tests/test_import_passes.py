"""The import passes run libcst's adding and removal passes on part of the module only:
the result is what the passes give on the whole module."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from codemods.core.imports import _added, _removed

MODULES = {
    "docstring, imports, code": (
        '"""Doc."""\nimport os\nimport time\n\nx = 1\n\n\ndef f():\n    import time\n    return 2\n'
    ),
    "imports only": "import time\nimport os\n",
    "code first": "x = 1\nimport time\n\n\nasync def g():\n    return x\n",
    "two lines on one": "import time; import os\n\n\ndef h():\n    return os\n",
    "exported by name": "import time\n\n__all__ = ['time']\n",
    "in a string annotation": "import time\n\n\ndef k(a: 'time.struct_time'):\n    return a\n",
    "still used": "import time\n\n\ndef k():\n    return time.time()\n",
    "local only": "def k():\n    import time\n    return 1\n\n\nclass C:\n    import time\n",
    "aliased": "import time as t\nfrom os import path as p, sep\n\n\ndef k():\n    return sep\n",
    "comments above": '"""Doc."""\n\n# c\nimport time\nimport os\n\n# x\nx = 1\n',
    "flag first": "__strict__ = True\nimport os\n# note\nx = 1\n",
    "header comments": "#!/usr/bin/env python\n# comment\n\nimport time\n\nx = 1\n",
    "trailing comment, no code": "import os\nimport time  # t\n",
    "from imports": "from os.path import getsize\nfrom os import path as p\n\n\nasync def f():\n"
    "    return 1\n",
    "not a docstring": 'f"""{x}"""\nimport time\nx = 1\n',
    "dotted": "import os.path\nimport time\nx = 1\n",
    "future": "from __future__ import annotations\nimport time\n\nx = 1\n",
    "already imported": "import asyncio\nimport time\nx = 1\n",
    "imported under an alias": "import asyncio as aio\nimport aiofiles.os\nx = 1\n",
    "imported after code": "x = 1\nimport asyncio\n",
    "crlf": "import time\r\n\r\nx = 1\r\n",
    "imports only, the last removed": '"""Doc."""\nimport os\n\nimport time\n',
}

REMOVALS = [
    ("time", None, None),
    ("time", None, "t"),
    ("os", "path", "p"),
    ("os", None, None),
    ("os.path", None, None),
    ("os.path", "getsize", None),
]


@pytest.mark.parametrize("name", MODULES)
def test_removal_on_part_of_the_module_is_the_whole_pass(name: str) -> None:
    for removal in REMOVALS:
        tree = cst.parse_module(MODULES[name])
        ours, theirs = CodemodContext(), CodemodContext()
        for context in (ours, theirs):
            RemoveImportsVisitor.remove_unused_import(context, *removal)
        expected = RemoveImportsVisitor(theirs).transform_module(tree).code
        assert _removed(ours, tree).code == expected, removal


@pytest.mark.parametrize("name", MODULES)
def test_adding_on_the_first_statements_is_the_whole_pass(name: str) -> None:
    requests = [[("asyncio", None)], [("os", "sep")], [("aiofiles", None)]]
    requests += [[("aiofiles.os", None), ("asyncio", None)], [("asyncio", None), ("os", "sep")]]
    for wanted in requests:
        tree = cst.parse_module(MODULES[name])
        ours, theirs = CodemodContext(), CodemodContext()
        for context in (ours, theirs):
            for module, obj in wanted:
                AddImportsVisitor.add_needed_import(context, module, obj)
        expected = AddImportsVisitor(theirs).transform_module(tree).code
        assert _added(ours, tree).code == expected, wanted


def test_libcst_visitors_find_their_decorators_as_libcst_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """libcst's search for matcher decorators, remembered per class, gives each object what
    libcst's own search gives it, and the passes the same code as with libcst's search."""
    from libcst.codemod.visitors import GatherExportsVisitor, GatherImportsVisitor
    from libcst.matchers import _visitors

    from codemods.core.matcher_cache import ORIGINAL

    assert set(ORIGINAL) == {
        "_gather_constructed_visit_funcs",
        "_gather_constructed_leave_funcs",
        "_gather_matchers",
        "get_visitors",
    }
    searches = {k: v for k, v in ORIGINAL.items() if k != "get_visitors"}
    for cls in [
        AddImportsVisitor,
        RemoveImportsVisitor,
        GatherExportsVisitor,
        GatherImportsVisitor,
    ]:
        for _ in range(2):  # the first object fills the cache, the second reads it
            made = cls(CodemodContext())
            for name, search in searches.items():
                assert getattr(_visitors, name)(made) == search(made), (cls.__name__, name)

    def passes() -> list[str]:
        out = []
        for source in MODULES.values():
            context = CodemodContext()
            RemoveImportsVisitor.remove_unused_import(context, "time")
            AddImportsVisitor.add_needed_import(context, "asyncio")
            tree = cst.parse_module(source)
            tree = RemoveImportsVisitor(context).transform_module(tree)
            out.append(AddImportsVisitor(context).transform_module(tree).code)
        return out

    remembered = passes()
    for name, search in searches.items():
        monkeypatch.setattr(_visitors, name, search)
    monkeypatch.setattr(cst.BatchableCSTVisitor, "get_visitors", ORIGINAL["get_visitors"])
    assert passes() == remembered


def test_batched_visitors_list_their_methods_as_libcst_does() -> None:
    """The metadata providers' visitor methods, remembered per class, are what libcst's own
    listing gives each object, bound to that object."""
    from libcst.metadata import ExpressionContextProvider, ParentNodeProvider, ScopeProvider

    from codemods.core.matcher_cache import ORIGINAL

    for make in [ScopeProvider, ParentNodeProvider, ExpressionContextProvider]:
        for _ in range(2):  # the first object fills the cache, the second reads it
            made = make()
            listed = made.get_visitors()
            assert listed and listed == ORIGINAL["get_visitors"](made)
            assert all(method.__self__ is made for method in listed.values())
