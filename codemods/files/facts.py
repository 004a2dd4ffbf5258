"""What the ``files`` codemod knows about blocking file APIs and their async forms (free of
libcst, so that the engine's prefilter can use the names).

Every table here is checked against aiofiles 25.1 and CPython (docs/codemods/files.md) and
exercised by ``tests/test_files_behaviour.py``.
"""

from __future__ import annotations

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

# os functions with a coroutine twin of the same name in aiofiles.os.
AIOFILES_OS = frozenset(
    f"os.{name}"
    for name in (
        "access",
        "getcwd",
        "link",
        "listdir",
        "makedirs",
        "mkdir",
        "readlink",
        "remove",
        "removedirs",
        "rename",
        "renames",
        "replace",
        "rmdir",
        "scandir",
        "sendfile",
        "stat",
        "statvfs",
        "symlink",
        "unlink",
    )
)
# os.path functions with a coroutine twin in aiofiles.os.path.
AIOFILES_OS_PATH = frozenset(
    f"os.path.{name}"
    for name in (
        "abspath",
        "exists",
        "getatime",
        "getctime",
        "getmtime",
        "getsize",
        "isdir",
        "isfile",
        "islink",
        "ismount",
        "samefile",
        "sameopenfile",
    )
)
# Blocking calls that return a finished result and have no aiofiles twin:
# ``await asyncio.to_thread(func, *args, **kwargs)`` gives the same result.
TO_THREAD = frozenset(
    {
        "os.chmod",
        "os.chown",
        "os.lchown",
        "os.lstat",
        "os.utime",
        "os.truncate",
        "os.mkfifo",
        "os.path.lexists",
        "os.path.realpath",
        "glob.glob",
        *(
            f"shutil.{name}"
            for name in (
                "copy",
                "copy2",
                "copyfile",
                "copymode",
                "copystat",
                "copytree",
                "rmtree",
                "move",
                "disk_usage",
                "make_archive",
                "unpack_archive",
                "chown",
                "which",
            )
        ),
    }
)
# Blocking calls that return a lazy iterator: the I/O happens while the caller
# iterates, so moving the call to a thread would not move the blocking.
LAZY = frozenset({"os.walk", "os.fwalk", "glob.iglob"})

# pathlib.Path and what proves an expression is one.
PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath"})
PATH_CONSTRUCTORS = frozenset({"home", "cwd"})
# Path methods that block and return a finished result -> asyncio.to_thread.
PATH_TO_THREAD = frozenset(
    {
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "exists",
        "is_file",
        "is_dir",
        "is_symlink",
        "stat",
        "lstat",
        "unlink",
        "mkdir",
        "rmdir",
        "rename",
        "replace",
        "touch",
        "chmod",
        "resolve",
        "samefile",
        "symlink_to",
        "hardlink_to",
        "readlink",
        "owner",
        "group",
    }
)
PATH_LAZY = frozenset({"iterdir", "glob", "rglob"})

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
