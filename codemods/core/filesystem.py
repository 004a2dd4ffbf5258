"""The file-system calls that block: those with a coroutine twin in ``aiofiles.os``,
those that return a finished result, those that block while their result is iterated
(free of libcst, so that the engine's prefilter can use the names; the calls are
recognised in :mod:`codemods.core.paths`).

Every table here is checked against aiofiles 25.1 and CPython (docs/codemods/files.md)
and exercised by ``tests/test_files_behaviour.py``.
"""

from __future__ import annotations

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

# pathlib.Path and what proves an expression is one.
PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath"})
PATH_CONSTRUCTORS = frozenset({"home", "cwd"})
#: Methods of a Path that return a Path (``resolve`` and ``readlink`` block while they do).
PATH_DERIVED = frozenset(
    {
        "absolute",
        "expanduser",
        "joinpath",
        "readlink",
        "relative_to",
        "resolve",
        "with_name",
        "with_segments",
        "with_stem",
        "with_suffix",
    }
)

# Blocking calls that return a lazy iterator: the I/O happens while the caller
# iterates, so moving the call to a thread would not move the blocking.
LAZY = frozenset({"os.walk", "os.fwalk", "glob.iglob"})
PATH_LAZY = frozenset({"iterdir", "glob", "rglob"})
