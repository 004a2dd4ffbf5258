"""The language server: LSP requests and notifications, wired to the analysis.

Documents are analysed on open, and after a pause of :data:`DEBOUNCE` seconds in their
changes, in one worker thread (the event loop stays free to answer); diagnostics are
published only for the version they were computed for. The server reads buffers, never
files, and writes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from async_migrate import __version__
from async_migrate.runner.collector import fewer_collections
from async_migrate.runner.config import ConfigError
from async_migrate.server import actions, diagnostics
from async_migrate.server.analysis import Engine
from async_migrate.server.debounce import Debouncer
from async_migrate.server.document import Snapshot, analyse
from async_migrate.server.settings import Settings, client_settings

log = logging.getLogger(__name__)

#: Seconds without a change before a changed document is analysed.
DEBOUNCE = 0.05
#: libcst recurses once per nesting level (the engine raises the recursion limit): give
#: the worker thread a stack that holds it.
WORKER_STACK = 256 * 1024 * 1024


class AsyncMigrateServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "async-migrate",
            __version__,
            # Whole texts: pygls splits lines for incremental changes with str.splitlines,
            # which also breaks at the form feeds Python files may hold.
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
        )
        self.engine = Engine()
        self.settings = Settings()
        self.debouncer = Debouncer(DEBOUNCE)
        self.snapshots: dict[str, Snapshot] = {}
        threading.stack_size(WORKER_STACK)
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="async-migrate")
        threading.stack_size(0)

    # -- documents -----------------------------------------------------------------

    def snapshot(self, uri: str) -> Snapshot:
        """The document as it is now, with its settings (not analysed yet)."""
        document = self.workspace.get_text_document(uri)
        path = _path(uri)
        snapshot = Snapshot(
            uri=uri,
            version=document.version,
            text=document.source,
            path=path,
            encoding=str(self.workspace.position_encoding or "utf-16"),
        )
        try:
            resolved = self.settings.resolve(path, _path(self.workspace.root_uri or ""))
        except ConfigError as e:
            snapshot.diagnostics = [diagnostics.failure(f"configuration error: {e}")]
            return snapshot
        if not resolved.excluded(path):
            snapshot.resolved = resolved
        return snapshot

    async def analysed(self, uri: str) -> Snapshot:
        """The document as it is now, analysed (at once when its text was analysed last)."""
        last = self.snapshots.get(uri)
        current = self.workspace.get_text_document(uri)
        if last is not None and last.text == current.source and last.version == current.version:
            return last
        snapshot = self.snapshot(uri)
        return await asyncio.get_running_loop().run_in_executor(
            self.worker, analyse, snapshot, self.engine
        )

    def schedule(self, uri: str, delay: float | None = None) -> None:
        async def job() -> None:
            snapshot = await self.analysed(uri)
            current = self.workspace.text_documents.get(uri)
            if current is None or current.version != snapshot.version:
                return  # closed or changed meanwhile: its own job publishes
            self.snapshots[uri] = snapshot
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=uri, version=snapshot.version, diagnostics=snapshot.diagnostics
                )
            )

        self.debouncer.schedule(uri, job, delay)

    def reanalyse_all(self) -> None:
        self.snapshots.clear()
        for uri in list(self.workspace.text_documents):
            self.schedule(uri, 0)

    def apply_settings(self, value: object) -> None:
        self.settings.client, problems = client_settings(value)
        for problem in problems:
            self.window_log_message(
                types.LogMessageParams(
                    type=types.MessageType.Warning, message=f"async-migrate: {problem}"
                )
            )

    @property
    def versioned_edits(self) -> bool:
        workspace = self.client_capabilities.workspace
        edit = workspace.workspace_edit if workspace else None
        return bool(edit and edit.document_changes)

    @property
    def resolves_edits(self) -> bool:
        document = self.client_capabilities.text_document
        action = document.code_action if document else None
        support = action.resolve_support if action else None
        return bool(support and "edit" in support.properties)


def _path(uri: str) -> str | None:
    """The file a ``file:`` URI names; None for other schemes (an unsaved buffer)."""
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return os.path.normpath(path) if path else None


def create() -> AsyncMigrateServer:
    server = AsyncMigrateServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: AsyncMigrateServer, params: types.InitializeParams) -> None:
        ls.apply_settings(params.initialization_options)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AsyncMigrateServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AsyncMigrateServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: AsyncMigrateServer, params: types.DidSaveTextDocumentParams) -> None:
        # The buffer has not changed, but pyproject.toml or the modules it imports may have.
        ls.snapshots.pop(params.text_document.uri, None)
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AsyncMigrateServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.debouncer.cancel(uri)
        ls.snapshots.pop(uri, None)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(
        ls: AsyncMigrateServer, params: types.DidChangeConfigurationParams
    ) -> None:
        if params.settings is None:
            return  # "changed, ask for them": the settings come pushed or not at all
        ls.apply_settings(params.settings)
        ls.reanalyse_all()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL],
            resolve_provider=True,
        ),
    )
    async def code_action(
        ls: AsyncMigrateServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        snapshot = await ls.analysed(uri)
        offered = actions.offered(snapshot, params.range, params.context.only, ls.versioned_edits)
        if ls.resolves_edits:
            return offered
        # The client cannot resolve: every edit now, and only the actions that have one.
        loop = asyncio.get_running_loop()
        complete = [
            action
            if action.edit is not None
            else await loop.run_in_executor(
                ls.worker, actions.resolve, action, snapshot, ls.engine, ls.versioned_edits
            )
            for action in offered
        ]
        return [action for action in complete if action.edit is not None]

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(
        ls: AsyncMigrateServer, action: types.CodeAction
    ) -> types.CodeAction:
        data: Any = action.data
        if action.edit is not None or not isinstance(data, dict) or "uri" not in data:
            return action
        if data["uri"] not in ls.workspace.text_documents:
            return action
        snapshot = await ls.analysed(data["uri"])
        return await asyncio.get_running_loop().run_in_executor(
            ls.worker, actions.resolve, action, snapshot, ls.engine, ls.versioned_edits
        )

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: AsyncMigrateServer, params: None) -> None:
        ls.debouncer.cancel_all()
        ls.worker.shutdown(wait=False, cancel_futures=True)

    return server


def serve() -> None:
    logging.basicConfig(level=logging.WARNING, format="async-migrate server: %(message)s")
    with fewer_collections():
        create().start_io()
