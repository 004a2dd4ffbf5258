"""``async-migrate server``: the real server over stdio, driven by pygls' LSP client.

The edits the server returns are applied here as a client applies them (positions in
UTF-16 code units), and the result is compared with what the command line writes.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from async_migrate import migrate_source
from async_migrate.runner.config import tomllib
from async_migrate.server.diagnostics import CODE_DOCS
from async_migrate.server.edits import line_edits
from async_migrate.server.positions import lines_of, to_units
from tests.conftest import FIXTURES

T = TypeVar("T")

BIN = Path(sys.executable).parent
COMMAND = (
    [str(BIN / "async-migrate")]
    if (BIN / "async-migrate").exists()
    else [
        sys.executable,
        "-m",
        "async_migrate",
    ]
)
TIMEOUT = 60
HOMEPAGE = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"][
    "urls"
]["Homepage"]
IGNORE = "  # async-migrate: ignore"

MODULE = """import os
import time

import requests


def crunch(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


async def handler(path):
    time.sleep(1)
    if os.path.exists(path):
        return input("name? ")
    label = "héllo 😀"; time.sleep(2)
    callback = time.sleep
    return label, callback, crunch(10)


async def fetch(url, other):
    first = requests.get(url, timeout=5)
    second = requests.get(other, timeout=5)
    return first.status_code + second.status_code
"""

#: (LSP range as (line, char, end line, end char), code, severity) of MODULE's diagnostics.
EXPECTED = [
    ((14, 4, 14, 17), "AM101", types.DiagnosticSeverity.Warning),
    ((15, 7, 15, 27), "AM305", types.DiagnosticSeverity.Warning),
    ((16, 15, 16, 30), "AM601", types.DiagnosticSeverity.Warning),
    # "héllo 😀" is 8 characters and 9 UTF-16 code units: the emoji counts twice.
    ((17, 24, 17, 37), "AM101", types.DiagnosticSeverity.Warning),
    ((18, 15, 18, 25), "AM102", types.DiagnosticSeverity.Warning),
    ((19, 28, 19, 38), "AM406", types.DiagnosticSeverity.Information),
    ((23, 12, 23, 40), "AM201", types.DiagnosticSeverity.Warning),
    ((24, 13, 24, 43), "AM201", types.DiagnosticSeverity.Warning),
]


# -- a client, on an event loop of its own, shared by the tests of this module --------


class Session:
    """A started and initialized server, and what it published."""

    def __init__(self, options: Any = None, resolves: bool = True) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = LanguageClient("async-migrate-tests", "1")
        self.published: dict[str, list[types.PublishDiagnosticsParams]] = {}
        self.stderr = b""
        self._arrived = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, []).append(params)
            self._arrived.set()

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def on_log(params: types.LogMessageParams) -> None:
            self.logged.append(params.message)

        self.logged: list[str] = []
        self.run(self._start(options, resolves))

    async def _start(self, options: Any, resolves: bool) -> None:
        await self.client.start_io(*COMMAND, "server")
        process = self.client._server
        assert process is not None and process.stderr is not None
        self._stderr_task = asyncio.ensure_future(process.stderr.read())
        resolve = types.ClientCodeActionResolveOptions(properties=["edit"])
        capabilities = types.ClientCapabilities(
            text_document=types.TextDocumentClientCapabilities(
                code_action=types.CodeActionClientCapabilities(
                    resolve_support=resolve if resolves else None
                )
            )
        )
        await self.client.initialize_async(
            types.InitializeParams(capabilities=capabilities, initialization_options=options)
        )
        self.client.initialized(types.InitializedParams())

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coroutine, TIMEOUT))

    def diagnostics(self, uri: str, version: int) -> list[types.Diagnostic]:
        """The diagnostics published for ``version`` of ``uri`` (waits for them)."""

        async def wait() -> list[types.Diagnostic]:
            while True:
                for params in self.published.get(uri, []):
                    if params.version == version:
                        return list(params.diagnostics)
                self._arrived.clear()
                await self._arrived.wait()

        return self.run(wait())

    def open(self, uri: str, text: str, version: int = 1) -> list[types.Diagnostic]:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=version, text=text
                )
            )
        )
        return self.diagnostics(uri, version)

    def change(self, uri: str, version: int, text: str) -> None:
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    def actions(
        self, uri: str, where: types.Range, only: list[str] | None = None
    ) -> list[types.CodeAction]:
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=where,
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
        found = self.run(self.client.text_document_code_action_async(params)) or []
        return [a for a in found if isinstance(a, types.CodeAction)]

    def resolve(self, action: types.CodeAction) -> types.CodeAction:
        return self.run(self.client.code_action_resolve_async(action))

    def shutdown(self) -> int:
        async def stop() -> int:
            await self.client.shutdown_async(None)
            self.client.exit(None)
            await self.client.stop()
            self.stderr = await self._stderr_task
            process = self.client._server
            assert process is not None
            return await process.wait()

        try:
            return self.run(stop())
        finally:
            self.loop.close()


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    # The documents live in temporary directories: no pyproject.toml above may apply.
    root = tmp_path_factory.getbasetemp()
    assert not any((p / "pyproject.toml").exists() for p in [root, *root.parents])
    started = Session()
    yield started
    assert started.shutdown() == 0
    assert b"Traceback" not in started.stderr, started.stderr.decode()


# -- helpers --------------------------------------------------------------------------


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def lsp_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def offset(text: str, position: types.Position) -> int:
    """A UTF-16 position as an index into ``text``, as an editor computes it."""
    lines = lsp_lines(text)
    starts = [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    start = 0 if position.line == 0 else starts[position.line - 1]
    line = lines[position.line]
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return start + index
        units += 2 if ord(char) > 0xFFFF else 1
    return start + len(line)


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """``edits`` (ranges in ``text``, not overlapping) applied to ``text``."""
    spans = sorted((offset(text, e.range.start), offset(text, e.range.end), e) for e in edits)
    for (_, end, _), (start, _, _) in zip(spans, spans[1:], strict=False):
        assert end <= start, "overlapping edits"
    for start, end, edit in reversed(spans):
        text = text[:start] + edit.new_text + text[end:]
    return text


def applied(text: str, action: types.CodeAction, uri: str) -> str:
    assert action.edit is not None and action.edit.changes is not None, action.title
    assert list(action.edit.changes) == [uri]
    return apply(text, list(action.edit.changes[uri]))


def command_line(tmp_path: Path, sources: dict[str, str]) -> dict[str, str]:
    """What ``async-migrate FILE`` writes for each source (one run over a directory)."""
    directory = tmp_path / "cli"
    directory.mkdir()
    for name, text in sources.items():
        (directory / f"{name}.py").write_text(text, encoding="utf-8")
    subprocess.run(
        [*COMMAND, "-q", "--no-cache", "--no-config", "-j", "1", str(directory)],
        check=True,
        capture_output=True,
    )
    return {name: (directory / f"{name}.py").read_text(encoding="utf-8") for name in sources}


def with_ignore(text: str, lines: set[int]) -> str:
    """``text`` with :data:`IGNORE` at the end of ``lines`` (0-based)."""
    out = text.splitlines(keepends=True)
    for line in lines:
        out[line] = out[line].rstrip("\n") + IGNORE + "\n"
    return "".join(out)


def as_tuple(r: types.Range) -> tuple[int, int, int, int]:
    return (r.start.line, r.start.character, r.end.line, r.end.character)


# -- diagnostics ----------------------------------------------------------------------


def test_diagnostics_on_open(session: Session, tmp_path: Path) -> None:
    uri = uri_of(tmp_path / "app.py")
    found = session.open(uri, MODULE)
    assert [(as_tuple(d.range), d.code, d.severity) for d in found] == EXPECTED
    for diagnostic in found:
        assert diagnostic.source == "async-migrate"
        assert diagnostic.code_description is not None
        assert diagnostic.code_description.href == CODE_DOCS.format(
            homepage=HOMEPAGE, anchor=str(diagnostic.code).lower()
        )
    library = migrate_source(MODULE)
    assert [(d.range.start.line + 1, d.code) for d in found] == [
        (f.line, f.code) for f in library.findings
    ]
    fixable = [d.data["fixable"] for d in found]
    assert fixable == [f.fixed for f in library.findings]
    assert found[0].message == "time.sleep -> await asyncio.sleep (fixable)"
    session.close(uri)
    assert session.diagnostics(uri, None) == []  # type: ignore[arg-type]


def test_change_updates_diagnostics_after_a_pause(session: Session, tmp_path: Path) -> None:
    uri = uri_of(tmp_path / "app.py")
    assert len(session.open(uri, MODULE)) == len(EXPECTED)
    one_sleep = "import time\n\n\nasync def f():\n    time.sleep(1)\n"
    # A burst of changes: only the last version is analysed and published.
    session.change(uri, 2, MODULE.replace("time.sleep(1)", "pass"))
    session.change(uri, 3, MODULE.replace("time.sleep(2)", "pass"))
    session.change(uri, 4, one_sleep)
    found = session.diagnostics(uri, 4)
    assert [(as_tuple(d.range), d.code) for d in found] == [((4, 4, 4, 17), "AM101")]
    assert [p.version for p in session.published[uri]] == [1, 4]
    session.close(uri)


def test_malformed_buffer_clears_diagnostics(session: Session, tmp_path: Path) -> None:
    uri = uri_of(tmp_path / "app.py")
    assert session.open(uri, MODULE)
    session.change(uri, 2, MODULE.replace("async def fetch(url, other):", "async def fetch(url"))
    assert session.diagnostics(uri, 2) == []
    session.change(uri, 3, MODULE)
    assert len(session.diagnostics(uri, 3)) == len(EXPECTED)
    session.close(uri)


def test_unsaved_buffer_with_a_coding_cookie(session: Session) -> None:
    text = "# -*- coding: latin-1 -*-\nimport time\n\n\nasync def f():\n    time.sleep(1)  # é\n"
    uri = "untitled:Untitled-1"
    (found,) = session.open(uri, text)
    assert (as_tuple(found.range), found.code) == ((5, 4, 5, 17), "AM101")
    (fix_all,) = session.actions(uri, found.range, only=["source.fixAll"])
    expected = migrate_source(text.encode("latin-1")).code.decode("latin-1")
    assert applied(text, session.resolve(fix_all), uri) == expected
    assert "await asyncio.sleep(1)  # é\n" in expected
    session.close(uri)


def test_project_modules_seen_from_disk(session: Session, tmp_path: Path) -> None:
    shape = FIXTURES / "helpers" / "package_chain"
    work = tmp_path / "project"
    shutil.copytree(shape / "in", work)
    uri = uri_of(work / "shop" / "api.py")
    text = (work / "shop" / "api.py").read_text(encoding="utf-8")
    found = session.open(uri, text)
    # The coroutines call shop.util.backoff, which sleeps: found through the project.
    assert [(d.range.start.line + 1, d.range.start.character + 1, d.code) for d in found] == [
        (7, 12, "AM651"),
        (11, 12, "AM651"),
        (15, 5, "AM651"),
    ]
    (fix_all,) = session.actions(uri, found[0].range, only=["source.fixAll"])
    expected = (shape / "out" / "shop" / "api.py").read_text(encoding="utf-8")
    assert applied(text, session.resolve(fix_all), uri) == expected
    # The other modules are read from disk: once backoff no longer blocks, nothing is left.
    (work / "shop" / "util.py").write_text("def backoff(attempt):\n    pass\n", encoding="utf-8")
    session.change(uri, 2, text)
    assert session.diagnostics(uri, 2) == []
    session.close(uri)


# -- code actions ---------------------------------------------------------------------


def test_quick_fixes_make_what_the_command_line_makes(session: Session, tmp_path: Path) -> None:
    uri = uri_of(tmp_path / "app.py")
    found = session.open(uri, MODULE)
    fixed: dict[str, str] = {}
    expected_sources: dict[str, str] = {}
    sites = [d for d in found if d.data["fixable"]]
    for index, diagnostic in enumerate(sites):
        offered = session.actions(uri, diagnostic.range, only=["quickfix"])
        fixes = [a for a in offered if a.title.startswith(f"Fix {diagnostic.code}")]
        assert len(fixes) == 1, [a.title for a in offered]
        assert fixes[0].edit is None  # computed on resolve
        action = session.resolve(fixes[0])
        fixed[f"site{index}"] = applied(MODULE, action, uri)
        if diagnostic.range.start.line in (23, 24):
            # The two requests of fetch() share one session: fixed together, as said.
            assert action.title == "Fix AM201 with the other 1 rewrites of 'fetch' (made together)"
            together = {23, 24}
        else:
            assert action.title == fixes[0].title
            together = {diagnostic.range.start.line}
        others = {d.range.start.line for d in sites} - together
        expected_sources[f"site{index}"] = with_ignore(MODULE, others)
    expected = command_line(tmp_path, expected_sources)
    for name, text in fixed.items():
        assert text == expected[name].replace(IGNORE, ""), name
    assert len(set(fixed.values())) == len(sites) - 1  # the two requests: one fix
    session.close(uri)


def test_fix_all_makes_what_the_command_line_makes(session: Session, tmp_path: Path) -> None:
    uri = uri_of(tmp_path / "app.py")
    session.open(uri, MODULE)
    everywhere = types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
    )
    offered = session.actions(uri, everywhere, only=["source.fixAll"])
    assert [a.kind for a in offered] == ["source.fixAll.async-migrate"]
    result = applied(MODULE, session.resolve(offered[0]), uri)
    assert result == command_line(tmp_path, {"app": MODULE})["app"]
    assert session.actions(uri, everywhere, only=["quickfix"]) == []
    session.close(uri)


def test_ignore_comment_silences_one_code(session: Session, tmp_path: Path) -> None:
    uri = uri_of(tmp_path / "app.py")
    found = session.open(uri, MODULE)
    referenced = next(d for d in found if d.code == "AM102")
    offered = session.actions(uri, referenced.range, only=["quickfix"])
    assert [a.title for a in offered] == [
        "Silence AM102 on line 19: # async-migrate: ignore[AM102]"
    ]
    text = applied(MODULE, offered[0], uri)
    assert "    callback = time.sleep  # async-migrate: ignore[AM102]\n" in text
    session.change(uri, 2, text)
    assert [d.code for d in session.diagnostics(uri, 2)] == [
        d.code for d in found if d.code != "AM102"
    ]
    # A second code on a line that has a comment: merged into it.
    sleep = next(d for d in session.diagnostics(uri, 2) if d.range.start.line == 17)
    commented = text.replace("time.sleep(2)\n", "time.sleep(2)  # async-migrate: ignore[AM999]\n")
    session.change(uri, 3, commented)
    session.diagnostics(uri, 3)
    silence = [a for a in session.actions(uri, sleep.range) if a.title.startswith("Silence")]
    merged = applied(commented, silence[0], uri)
    assert "time.sleep(2)  # async-migrate: ignore[AM999, AM101]\n" in merged
    session.change(uri, 4, merged)
    left = {(d.range.start.line, d.code) for d in session.diagnostics(uri, 4)}
    # A code silences only itself: the offload fallback now offers its own rewrite there.
    assert (17, "AM101") not in left and (17, "AM601") in left
    session.close(uri)


# -- configuration --------------------------------------------------------------------


def test_configuration_from_pyproject_and_client(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[tool.async-migrate]\nselect = ["sleep", "offload"]\n', encoding="utf-8"
    )
    uri = uri_of(project / "src" / "app.py")
    # A client that cannot resolve code actions: it gets their edits at once.
    started = Session(options={"async-migrate": {"offload": False}}, resolves=False)
    try:
        found = started.open(uri, MODULE)
        # sleep and offload only (the file), offloading off (the client): the blocking
        # calls the offload codemod would send to a thread are reported instead.
        codes = [d.code for d in found]
        assert codes == ["AM101", "AM602", "AM602", "AM101", "AM102", "AM602", "AM602"]
        (fix,) = [
            a
            for a in started.actions(uri, found[0].range, only=["quickfix"])
            if a.title.startswith("Fix")
        ]
        expected = migrate_source(
            with_ignore(MODULE, {17}), ["sleep", "offload"], options={"offload": {"offload": False}}
        )
        assert applied(MODULE, fix, uri) == expected.code.decode().replace(IGNORE, "")
        started.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"select": ["files"], "colour": 1})
        )
        started.change(uri, 2, MODULE)
        assert [d.code for d in started.diagnostics(uri, 2)] == ["AM305"]
        assert any("unknown setting 'colour'" in m for m in started.logged)
        (project / "pyproject.toml").write_text(
            '[tool.async-migrate]\nexclude = ["src/*"]\n', encoding="utf-8"
        )
        started.change(uri, 3, MODULE)
        assert started.diagnostics(uri, 3) == []  # excluded
        (project / "pyproject.toml").write_text(
            "[tool.async-migrate]\nselekt = 1\n", encoding="utf-8"
        )
        started.change(uri, 4, MODULE)
        (error,) = started.diagnostics(uri, 4)
        assert error.severity == types.DiagnosticSeverity.Error
        assert "configuration error" in error.message and "selekt" in error.message
    finally:
        assert started.shutdown() == 0
    assert b"Traceback" not in started.stderr


# -- the command ----------------------------------------------------------------------


def test_server_help() -> None:
    done = subprocess.run([*COMMAND, "server", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    assert "language server" in done.stdout
    assert "server" in subprocess.run([*COMMAND, "--help"], capture_output=True, text=True).stdout


def test_server_ends_when_its_input_ends() -> None:
    done = subprocess.run([*COMMAND, "server"], input=b"", capture_output=True, timeout=TIMEOUT)
    assert b"Traceback" not in done.stderr


# -- edits ----------------------------------------------------------------------------

_text = st.lists(
    st.sampled_from(["a\n", "b\n", "é😀\n", "x = 1\r\n", "\n", "tail", "\x0c\n", "c\r"]),
    max_size=8,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(_text, _text)
def test_line_edits_turn_one_text_into_the_other(old: str, new: str) -> None:
    edits = line_edits(old, new, "utf-16")
    assert apply(old, edits) == new
    assert (edits == []) == (old == new)


def test_line_edits_touch_only_changed_lines() -> None:
    old = "a\nb\nc\nd\n"
    (edit,) = line_edits(old, "a\nB\nc\nd\n", "utf-16")
    assert as_tuple(edit.range) == (1, 0, 2, 0) and edit.new_text == "B\n"


def test_columns_in_each_position_encoding() -> None:
    line = 'x = "é😀"; time.sleep(1)'
    column = line.index("time")  # 10 characters: é is 2 bytes in UTF-8, 😀 4 and 2 units
    assert [to_units(line, column, e) for e in ("utf-8", "utf-16", "utf-32")] == [14, 11, 10]
    assert lines_of("a\r\nb\x0cc\rd\n") == ["a", "b\x0cc", "d", ""]
