"""What the ``files`` codemod knows about blocking file APIs and their async forms (free of
libcst, so that the engine's prefilter can use the names).

Every table here is checked against aiofiles 25.1 and CPython (docs/codemods/files.md) and
exercised by ``tests/test_files_behaviour.py``.
"""

from __future__ import annotations

from codemods.core.filesystem import (
    AIOFILES_OS,
    AIOFILES_OS_PATH,
    LAZY,
    TO_THREAD,
)

OPEN = frozenset({"builtins.open", "io.open"})

# Methods of an aiofiles file object that are coroutines whatever the mode.
AWAIT_ALWAYS = frozenset(
    {
        "read",
        "readline",
        "readlines",
        "write",
        "writelines",
        "seek",
        "tell",
        "truncate",
        "flush",
        "close",
        "isatty",
        "seekable",
        "writable",
    }
)
# Coroutines in binary mode only (buffered, i.e. ``buffering`` is not 0).
AWAIT_BINARY_BUFFERED = frozenset({"read1", "readinto", "peek"})
# A coroutine only in unbuffered binary mode (``buffering=0``).
AWAIT_BINARY_RAW = frozenset({"readall", "readinto"})
# ``readable()`` is a coroutine in text mode and a plain method in binary mode.
READABLE = "readable"
# Methods that stay plain calls on an aiofiles object.
SYNC_METHODS = frozenset({"fileno"})
# Attributes read the same way on an aiofiles object.
SYNC_ATTRIBUTES = frozenset(
    {"name", "mode", "closed", "encoding", "errors", "newlines", "line_buffering"}
)

# ``open`` parameters by position, to find them in a call.
OPEN_PARAMS = ("file", "mode", "buffering", "encoding", "errors", "newline", "closefd", "opener")
PATH_OPEN_PARAMS = ("mode", "buffering", "encoding", "errors", "newline")

# tempfile factories -> (parameters by position, parameters aiofiles.tempfile accepts).
_TEMP_FILE_PARAMS = ("mode", "buffering", "encoding", "newline", "suffix", "prefix", "dir")
TEMPFILE = {
    "tempfile.TemporaryFile": (_TEMP_FILE_PARAMS, frozenset(_TEMP_FILE_PARAMS)),
    "tempfile.NamedTemporaryFile": (
        (*_TEMP_FILE_PARAMS, "delete"),
        frozenset((*_TEMP_FILE_PARAMS, "delete")),
    ),
    "tempfile.TemporaryDirectory": (
        ("suffix", "prefix", "dir"),
        frozenset({"suffix", "prefix", "dir"}),
    ),
}
TEMP_DIRECTORY = "tempfile.TemporaryDirectory"

# Newline settings of a text file whose line splitting io.StringIO reproduces on the
# text ``read()`` returns: None (translated to "\n"), "" and "\n". With "\r" or "\r\n"
# StringIO would translate "\n" in the text it is given, so those are refused.
# Maps the file's newline to the StringIO ``newline`` argument (None: the default).
STRINGIO_NEWLINE: dict[str | None, str | None] = {None: None, "\n": None, "": ""}

JSON_LOAD, JSON_DUMP = "json.load", "json.dump"
PICKLE_LOAD, PICKLE_DUMP = "pickle.load", "pickle.dump"
CSV_READERS = frozenset({"csv.reader", "csv.DictReader"})
CSV_WRITERS = frozenset({"csv.writer", "csv.DictWriter"})
CSV_WRITER = "csv.writer"  # the consumer kind of both writers
PRINT = "builtins.print"

#: The dotted names whose use in a coroutine may give the ``files`` codemod work, for the
#: engine's prefilter (json, pickle, csv and print matter only beside an ``open``).
PREFILTER_NAMES = frozenset(
    OPEN | set(TEMPFILE) | AIOFILES_OS | AIOFILES_OS_PATH | TO_THREAD | LAZY | {"pathlib.*"}
)
