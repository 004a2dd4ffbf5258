"""An offloaded call that returns an object whose uses still block is no fix.

``with await asyncio.to_thread(open, path) as f: yaml.safe_load(f)`` still reads the file
on the event loop: ``yaml.safe_load`` uses ``f`` synchronously. Offloading such a call
would drop the finding while a blocking use remains, so it is left as it was and reported.

A use that is a method call (``f.read()``) or an attribute (``f.name``) is not counted:
the offloading codemods offload such calls themselves, one by one. What is counted: the
object iterated, returned, or passed to a function known to read or write it on the spot
(``json.load``, ``yaml.safe_load``, ``pickle.dump``, ``csv.reader``, ...) or to iterate it
(``list``, ``sorted``, ...), bound to a name or right where it is made
(``json.load(open(path))``). A function
the catalogue does not know may hand the object to a thread itself (aiohttp reads a file
given to ``FormData.add_field`` in its executor), so passing it on is not counted.
"""

from __future__ import annotations

import libcst as cst

from codemods.core.catalogue import CONSTRUCTORS
from codemods.core.lookups import Lookups
from codemods.core.names import dotted_name

#: Functions that read or write the file object they are given before they return.
_READERS_AND_WRITERS = frozenset(
    {
        *(f"json.{f}" for f in ("load", "dump")),
        *(f"pickle.{f}" for f in ("load", "dump")),
        *(f"marshal.{f}" for f in ("load", "dump")),
        "tomllib.load",
        "plistlib.load",
        "plistlib.dump",
        *(
            f"yaml.{f}"
            for f in (
                "load",
                "safe_load",
                "full_load",
                "unsafe_load",
                "load_all",
                "safe_load_all",
                "dump",
                "safe_dump",
                "dump_all",
                "safe_dump_all",
            )
        ),
        *(f"csv.{f}" for f in ("reader", "writer", "DictReader", "DictWriter")),
        "shutil.copyfileobj",
    }
)


#: Builtins that iterate the object they are given before they return.
_ITERATING = frozenset(
    f"builtins.{name}"
    for name in ("list", "tuple", "set", "frozenset", "sorted", "sum", "any", "all", "min", "max")
)


def synchronous_use(lookups: Lookups, call: cst.Call) -> str | None:
    """How the object ``call`` returns is used synchronously in its function, or None.

    Only calls that build an object of the catalogue (``open``, ``urlopen``, ``Popen``,
    an HTTP client, ...), bound to a name by ``with ... as name`` or ``name = ...``, or
    used where they stand (``json.load(open(path))``, ``for line in open(path)``)."""
    if not lookups.qualified_names(call.func) & set(CONSTRUCTORS):
        return None
    name = _bound_name(lookups, call)
    if name is None:
        return _used_where_it_stands(lookups, call)
    function = _enclosing_function(lookups, call)
    if function is None:
        return None
    found: list[str] = []

    class Uses(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value != name or found:
                return
            parent = lookups.parent_of(node)
            if isinstance(parent, cst.Attribute) and parent.value is node:
                return  # f.read(), f.name
            if isinstance(parent, (cst.AsName, cst.AssignTarget)):
                return  # the binding itself
            described = _described(lookups, node, parent)
            if described:
                found.append(described)

    function.body.visit(Uses())
    return found[0] if found else None


def _used_where_it_stands(lookups: Lookups, call: cst.Call) -> str | None:
    """How the object ``call`` returns is used synchronously right where it is made: passed
    to a function that reads or writes it, or to one that iterates it, or iterated."""
    parent = lookups.parent_of(call)
    if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is call:
        return "its result is iterated where it stands, which reads it synchronously"
    if isinstance(parent, cst.Arg) and parent.keyword is None and not parent.star:
        outer = lookups.parent_of(parent)
        if isinstance(outer, cst.Call):
            names = lookups.qualified_names(outer.func)
            if names & (_READERS_AND_WRITERS | _ITERATING):
                callee = dotted_name(outer.func) or "a function"
                return f"its result is passed to {callee}, which would use it synchronously"
    return None


def _bound_name(lookups: Lookups, call: cst.Call) -> str | None:
    parent = lookups.parent_of(call)
    if isinstance(parent, cst.WithItem) and parent.asname is not None:
        target = parent.asname.name
        return target.value if isinstance(target, cst.Name) else None
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
        target = parent.targets[0].target
        return target.value if isinstance(target, cst.Name) else None
    return None


def _enclosing_function(lookups: Lookups, node: cst.CSTNode) -> cst.FunctionDef | None:
    current = lookups.parent_of(node)
    while current is not None and not isinstance(current, cst.FunctionDef):
        current = lookups.parent_of(current)
    return current


def _described(lookups: Lookups, node: cst.Name, parent: cst.CSTNode | None) -> str:
    if isinstance(parent, cst.Arg):
        call = lookups.parent_of(parent)
        if isinstance(call, cst.Call) and lookups.qualified_names(call.func) & _READERS_AND_WRITERS:
            callee = dotted_name(call.func) or "a function"
            return f"'{node.value}' is passed to {callee}, which would use it synchronously"
    if isinstance(parent, (cst.For, cst.CompFor)):
        return f"'{node.value}' is iterated, which reads it synchronously"
    if isinstance(parent, cst.Return):
        return f"'{node.value}' is returned, and its caller would use it synchronously"
    return ""
