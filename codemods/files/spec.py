"""The ``files`` codemod, declared: open()/os/shutil/pathlib/tempfile in a coroutine -> aiofiles /
to_thread."""

from __future__ import annotations

from codemods.core.explanations import (
    OFFLOADED_INSTEAD,
    RENAME,
    USE_A_LOOP,
    explained,
    in_generator_expression,
    name_taken,
    thread_lock,
)
from codemods.core.filesystem import PATH_CLASSES, PATH_LAZY, PATH_TO_THREAD
from codemods.core.spec import Code, CodemodSpec, Example, Severity, Targets
from codemods.files.facts import PREFILTER_NAMES

_WHY = """Why it blocks: file and filesystem calls (open, read, write, os.stat, shutil.copy,
...) wait for the disk in the event loop's thread, and no other task runs meanwhile.
aiofiles runs them in a thread behind awaitables; asyncio.to_thread does the same for any
call."""

_WHOLE = """A file object is migrated whole or not at all: when one use of its name has no
async form, every use stays as it was and the open() is reported."""

AM301 = Code(
    "AM301",
    Severity.REWRITE,
    "open() (or Path.open(), tempfile) rewritten to aiofiles, as async with or await",
    ruff=("ASYNC230", "ASYNC101"),
    explanation=explained(
        _WHY,
        """What the rewrite does: `with open(p, ...) as f:` becomes `async with
        aiofiles.open(p, ...) as f:`, and `f = open(p, ...)` becomes `f = await
        aiofiles.open(p, ...)`, every argument kept (mode, buffering, encoding, errors,
        newline, closefd, opener). Path(...).open() on a Path built in the coroutine, and
        tempfile's TemporaryFile, NamedTemporaryFile and TemporaryDirectory in a `with`,
        are rewritten likewise. The file's uses are rewritten too (AM302-AM304).""",
        _WHOLE,
    ),
    example=Example(
        before="""\
async def load(path):
    with open(path, encoding="utf-8") as f:
        return f.read()
""",
        after="""\
import aiofiles

async def load(path):
    async with aiofiles.open(path, encoding="utf-8") as f:
        return await f.read()
""",
    ),
)

AM302 = Code(
    "AM302",
    Severity.REWRITE,
    "a file method awaited (read, write, seek, close, ...)",
    explanation=explained(
        _WHY,
        """What the rewrite does: the methods of a migrated file that do I/O are awaited:
        read, readline, readlines, write, writelines, seek, tell, truncate, flush, close,
        isatty, seekable, writable (readable() only in text mode, where aiofiles makes it
        a coroutine; read1, readinto and peek on buffered binary files). Attributes such
        as f.name, f.mode and f.closed, and f.fileno(), stay as they are.""",
    ),
    example=Example(
        before="""\
async def append(path, line):
    f = open(path, "a")
    f.write(line)
    f.close()
""",
        after="""\
import aiofiles

async def append(path, line):
    f = await aiofiles.open(path, "a")
    await f.write(line)
    await f.close()
""",
    ),
)

AM303 = Code(
    "AM303",
    Severity.REWRITE,
    "a line loop over a file rewritten to iterate the content read at once",
    explanation=explained(
        _WHY,
        """What the rewrite does: `for line in f:`, and list, set and dict comprehensions
        over f, iterate io.StringIO(await f.read()) (io.BytesIO in binary mode): the same
        lines, split as the file splits them, for one thread hop instead of one per line
        (`async for` over an aiofiles file costs about 900 times the sync loop).""",
        """Limits: the whole file is read, decoded and held in memory before the first
        line, even when the loop stops early; meant for files of reasonable size, not for
        FIFOs or endless streams.""",
    ),
    example=Example(
        before="""\
async def count(path):
    n = 0
    with open(path) as f:
        for line in f:
            n += 1
    return n
""",
        after="""\
import aiofiles
import io

async def count(path):
    n = 0
    async with aiofiles.open(path) as f:
        for line in io.StringIO(await f.read()):
            n += 1
    return n
""",
    ),
)

AM304 = Code(
    "AM304",
    Severity.REWRITE,
    "json/pickle/csv reader or writer/print on a file rewritten to an in-memory form + "
    "one read/write",
    explanation=explained(
        _WHY,
        """What the rewrite does: json.load/dump, pickle.load/dump, csv readers and
        writers and print(..., file=f) on a migrated file work on an in-memory form with
        one awaited read or write: json.loads(await f.read()), await
        f.write(json.dumps(obj)); a csv reader reads io.StringIO(await f.read()); a csv
        writer writes into an io.StringIO buffer that a `finally` writes to the file
        once.""",
        """Known difference: an exception while serialising leaves nothing of that call in
        the file, where the original could leave part of it.""",
    ),
    example=Example(
        before="""\
import json


async def load(path):
    with open(path) as f:
        return json.load(f)
""",
        after="""\
import json

import aiofiles


async def load(path):
    async with aiofiles.open(path) as f:
        return json.loads(await f.read())
""",
    ),
)

AM305 = Code(
    "AM305",
    Severity.REWRITE,
    "os / os.path call rewritten to await aiofiles.os / aiofiles.os.path",
    ruff=("ASYNC240",),
    explanation=explained(
        _WHY,
        """What the rewrite does: an os or os.path call that aiofiles.os has a twin for is
        awaited there, with the same arguments: os.remove(p) -> await
        aiofiles.os.remove(p), os.path.exists(p) -> await aiofiles.os.path.exists(p)
        (likewise stat, rename, replace, listdir, scandir, makedirs, getsize, isfile,
        ...). Pure string functions such as os.path.join stay as they are.""",
    ),
    example=Example(
        before="""\
import os


async def cleanup(path):
    if os.path.exists(path):
        os.remove(path)
""",
        after="""\
import aiofiles.os


async def cleanup(path):
    if await aiofiles.os.path.exists(path):
        await aiofiles.os.remove(path)
""",
    ),
)

AM306 = Code(
    "AM306",
    Severity.REWRITE,
    "blocking filesystem call without aiofiles twin moved to asyncio.to_thread",
    ruff=("ASYNC240",),
    explanation=explained(
        _WHY,
        """What the rewrite does: a filesystem call with no aiofiles twin runs in a thread:
        `await asyncio.to_thread(func, *args, **kwargs)`, the same callee and arguments,
        evaluated in the same order: shutil (copy, rmtree, ...), os.chmod, glob.glob, and
        the methods of a pathlib.Path (read_text, exists, mkdir, ...) proven one: built in
        the coroutine (a Path called, /, parent, resolve(), ...), a parameter annotated
        Path, a call of a function annotated -> Path, a name where isinstance(name, Path)
        holds.""",
    ),
    example=Example(
        before="""\
import shutil


async def backup(src, dst):
    shutil.copy2(src, dst)
""",
        after="""\
import asyncio
import shutil


async def backup(src, dst):
    await asyncio.to_thread(shutil.copy2, src, dst)
""",
    ),
)

AM310 = Code(
    "AM310",
    Severity.FINDING,
    "file object escapes the coroutine (returned, stored, passed on, nested use)",
    explanation=explained(
        _WHY,
        """Why it is refused: the file object leaves the coroutine or is used where it
        must stay synchronous: returned, yielded, stored, passed to a function, or used in
        a nested function, lambda or generator expression (a csv writer likewise). Whoever
        gets it would call methods that have become coroutines.""",
        """What to do: read or write what is needed inside the coroutine and pass the
        data on, or migrate the file's users first; then rerun.""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
async def opener(path):
    f = open(path)
    return f
"""
    ),
)

AM311 = Code(
    "AM311",
    Severity.FINDING,
    "file object used in a way the codemod does not model",
    explanation=explained(
        _WHY,
        """Why it is refused: the file is used in a way with no async form here: f.buffer,
        f.raw, print(..., flush=True), a `with` target that is not a plain name,
        Path.open() on what only an annotation says is a Path (of a parameter, or of the
        function called), or a csv writer on a read-only file, in a one-line `with` body,
        or on two files of one `with`.""",
        f"""What to do: migrate this file by hand, or rewrite that use into one of the
        forms the codemod handles and rerun. {_WHOLE}""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
async def raw(path):
    with open(path, "rb") as f:
        return f.raw.read()
"""
    ),
)

AM312 = Code(
    "AM312",
    Severity.FINDING,
    "mode, buffering or newline not a literal where the async form depends on it",
    explanation=explained(
        _WHY,
        """Why it is refused: the async form depends on the file's mode, buffering or
        newline (readable(), line loops, csv, pickle), and that argument is not a literal;
        or a line loop reads a file opened with newline="\\r" or "\\r\\n", which
        io.StringIO would translate; or tempfile gets arguments aiofiles does not take.""",
        """What to do: write the mode (or buffering, newline) as a literal, then
        rerun.""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
async def lines(path, mode):
    with open(path, mode) as f:
        return [line for line in f]
"""
    ),
)

AM313 = Code(
    "AM313",
    Severity.FINDING,
    "open() result not bound by 'with ... as name' or 'name = open(...)'",
    explanation=explained(
        _WHY,
        """Why it is refused: the result of open() is not bound to a name, by `with open(p)
        as f:` or `f = open(p)` (json.load(open(p))), so there is no name whose methods
        could be awaited.""",
        """What to do: bind it (`with open(p) as f: return json.load(f)`), then rerun.""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
import json


async def load(path):
    return json.load(open(path))
"""
    ),
)

AM314 = Code(
    "AM314",
    Severity.FINDING,
    "file read whole by a line loop/csv/pickle reader, or written by a csv writer, but "
    "also used otherwise",
    explanation=explained(
        _WHY,
        """Why it is refused: the file is read whole at once (for a line loop, a csv
        reader, pickle.load) and also read or written some other way, or written by a csv
        writer (through a buffer written at the end) and also written, read, flushed or
        closed directly. Reading or writing it in one go would reorder it with the other
        uses.""",
        """What to do: use one way to read (or write) the file, e.g. f.read() then split,
        and rerun.""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
async def header_and_body(path):
    with open(path) as f:
        header = f.readline()
        body = [line for line in f]
    return header, body
"""
    ),
)

AM315 = Code(
    "AM315",
    Severity.FINDING,
    "file name also bound to something else (or global/nonlocal)",
    explanation=explained(
        _WHY,
        """Why it is refused: the name holding the file is also bound to something else in
        the coroutine, or declared global or nonlocal, so the codemod cannot tell which
        uses are the file's and must be awaited.""",
        """What to do: give the file a name of its own, then rerun.""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
async def swap(path, other):
    f = open(path)
    data = f.read()
    f = other
    f.read()
    return data
"""
    ),
)

AM316 = Code(
    "AM316",
    Severity.FINDING,
    "'with' that also enters a non-file context manager",
    explanation=explained(
        _WHY,
        """Why it is refused: the same `with` statement also enters a context manager that
        is not a file (a lock, a database transaction, ...). `async with` can only enter
        asynchronous context managers, so the statement cannot become one.""",
        """What to do: split it into two nested `with` statements, then rerun.""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
import threading

LOCK = threading.Lock()


async def guarded(path):
    with LOCK, open(path) as f:
        return f.read()
"""
    ),
)

AM317 = Code(
    "AM317",
    Severity.FINDING,
    "lazy filesystem iterator (os.walk, glob.iglob, Path.glob, ...)",
    explanation=explained(
        _WHY,
        """Why it is refused: os.walk, os.fwalk, glob.iglob, Path.iterdir, Path.glob and
        Path.rglob do their blocking I/O while they are iterated, so moving the call alone
        to a thread would not help, and reading them into a list first would change what a
        loop that modifies the tree sees.""",
        """What to do: move the whole loop into a sync function and run that with `await
        asyncio.to_thread(...)`.""",
    ),
    example=Example(
        before="""\
import os


async def names(top):
    return [n for _, _, ns in os.walk(top) for n in ns]
"""
    ),
)

AM319 = Code(
    "AM319",
    Severity.FINDING,
    "blocking file call in a generator expression inside a coroutine",
    explanation=explained(_WHY, in_generator_expression("the call"), USE_A_LOOP),
    example=Example(
        before="""\
import os


async def total_size(paths):
    return sum(os.path.getsize(p) for p in paths)
"""
    ),
)

AM320 = Code(
    "AM320",
    Severity.FINDING,
    "a name the rewrite needs (aiofiles, asyncio, io, json, ...) is bound to something else",
    explanation=explained(
        _WHY,
        name_taken("the modules aiofiles, asyncio, io, json and pickle"),
        RENAME,
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
async def load(path, aiofiles):
    with open(path) as f:
        return f.read()
"""
    ),
)

AM321 = Code(
    "AM321",
    Severity.FINDING,
    "a file left unchanged because another file of the same coroutine is silenced by a "
    "suppression comment, or a use of a file has its code ignored",
    explanation=explained(
        _WHY,
        """Why it is refused: the files of one coroutine are migrated together, and
        another file of this coroutine is silenced by a suppression comment (`#
        async-migrate: ignore`, `# noqa`), or the run ignores the code of one of their
        uses (`--ignore AM302`: a method call would not be awaited), so this one is left
        as it is too.""",
        """What to do: remove the comment, or stop ignoring the code, if the files may be
        migrated; or silence this one as well.""",
        OFFLOADED_INSTEAD,
    ),
    example=Example(
        before="""\
async def load(path, other):
    with open(path) as f:  # async-migrate: ignore
        data = f.read()
    with open(other) as g:
        return data + g.read()
"""
    ),
)

AM322 = Code(
    "AM322",
    Severity.FINDING,
    "a file call left unchanged because a thread lock is held around it (or around "
    "another file call of the same coroutine)",
    explanation=explained(_WHY, *thread_lock("the file call (or another of this file's)")),
    example=Example(
        before="""\
import threading

lock = threading.Lock()


async def append(path, line):
    with lock:
        with open(path, "a") as f:
            f.write(line)
"""
    ),
)

SPEC = CodemodSpec(
    name="files",
    owns=("files",),
    description="open()/os/shutil/pathlib/tempfile in a coroutine -> aiofiles / to_thread",
    command="codemods.files.command:FilesCommand",
    edit="codemods.files.lines:edited",
    codes=(
        AM301,
        AM302,
        AM303,
        AM304,
        AM305,
        AM306,
        AM310,
        AM311,
        AM312,
        AM313,
        AM314,
        AM315,
        AM316,
        AM317,
        AM319,
        AM320,
        AM321,
        AM322,
    ),
    # Path objects may be bound outside the coroutine (``DATA = Path(__file__).parent``).
    targets=Targets(
        tokens=(b"open", b"os", b"shutil", b"glob", b"tempfile", b"pathlib", b"Path"),
        names=PREFILTER_NAMES | PATH_CLASSES,
        anywhere=PATH_CLASSES,
        # A Path matters only through its methods that open or block.
        methods=PATH_TO_THREAD | PATH_LAZY | {"open"},
        gated=frozenset({"pathlib.*"}) | PATH_CLASSES,
        # It rewrites calls (and the files they open): a function only named
        # (``asyncio.to_thread(os.makedirs, path)``) is of no interest to it; a Path
        # class counts where it is named (an annotation says what a parameter is).
        calls_only=True,
    ),
)
