"""The ``files`` codemod, declared: open()/os/shutil/pathlib/tempfile in a coroutine -> aiofiles /
to_thread."""

from __future__ import annotations

from codemods.core.spec import Code, CodemodSpec, Severity, Targets
from codemods.files.facts import PATH_CLASSES, PREFILTER_NAMES

SPEC = CodemodSpec(
    name="files",
    description="open()/os/shutil/pathlib/tempfile in a coroutine -> aiofiles / to_thread",
    command="codemods.files.command:FilesCommand",
    codes=(
        Code(
            "AM301",
            Severity.REWRITE,
            "open() (or Path.open(), tempfile) rewritten to aiofiles, as async with or await",
            ruff=("ASYNC230", "ASYNC101"),
        ),
        Code(
            "AM302",
            Severity.REWRITE,
            "a file method awaited (read, write, seek, close, ...)",
        ),
        Code(
            "AM303",
            Severity.REWRITE,
            "a line loop over a file rewritten to iterate the content read at once",
        ),
        Code(
            "AM304",
            Severity.REWRITE,
            "json/pickle/csv reader or writer/print on a file rewritten to an in-memory form + "
            "one read/write",
        ),
        Code(
            "AM305",
            Severity.REWRITE,
            "os / os.path call rewritten to await aiofiles.os / aiofiles.os.path",
            ruff=("ASYNC240",),
        ),
        Code(
            "AM306",
            Severity.REWRITE,
            "blocking filesystem call without aiofiles twin moved to asyncio.to_thread",
            ruff=("ASYNC240",),
        ),
        Code(
            "AM310",
            Severity.FINDING,
            "file object escapes the coroutine (returned, stored, passed on, nested use)",
        ),
        Code(
            "AM311",
            Severity.FINDING,
            "file object used in a way the codemod does not model",
        ),
        Code(
            "AM312",
            Severity.FINDING,
            "mode, buffering or newline not a literal where the async form depends on it",
        ),
        Code(
            "AM313",
            Severity.FINDING,
            "open() result not bound by 'with ... as name' or 'name = open(...)'",
        ),
        Code(
            "AM314",
            Severity.FINDING,
            "file read whole by a line loop/csv/pickle reader, or written by a csv writer, but "
            "also used otherwise",
        ),
        Code(
            "AM315",
            Severity.FINDING,
            "file name also bound to something else (or global/nonlocal)",
        ),
        Code(
            "AM316",
            Severity.FINDING,
            "'with' that also enters a non-file context manager",
        ),
        Code(
            "AM317",
            Severity.FINDING,
            "lazy filesystem iterator (os.walk, glob.iglob, Path.glob, ...)",
        ),
        Code(
            "AM319",
            Severity.FINDING,
            "blocking file call in a generator expression inside a coroutine",
        ),
        Code(
            "AM320",
            Severity.FINDING,
            "a name the rewrite needs (aiofiles, asyncio, io, json, ...) is bound to something "
            "else",
        ),
        Code(
            "AM321",
            Severity.FINDING,
            "a file left unchanged because another file of the same coroutine is silenced by a "
            "suppression comment",
        ),
        Code(
            "AM322",
            Severity.FINDING,
            "a file call left unchanged because a thread lock is held around it (or around "
            "another file call of the same coroutine)",
        ),
    ),
    # Path objects may be bound outside the coroutine (``DATA = Path(__file__).parent``).
    targets=Targets(
        tokens=(b"open", b"os", b"shutil", b"glob", b"tempfile", b"pathlib", b"Path"),
        names=PREFILTER_NAMES,
        anywhere=PATH_CLASSES,
    ),
)
