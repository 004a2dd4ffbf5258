"""Migrating a buffer: :func:`~async_migrate.migrate_source` on its bytes, as the command
migrates standard input named by ``--stdin-filename`` (the ``helpers`` codemod sees the
project's modules on disk, and the buffer instead of its file); the result kept for the
buffers seen last (an unchanged buffer is not migrated again: undo, a code action after
the diagnostics, a fix-all on save).

Nothing here is written to disk. Calls block (libcst); the server makes them in a
worker thread.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from async_migrate.engine.migrate import InternalError, Migration, SourceError, migrate_source
from async_migrate.runner.project import build as build_project
from async_migrate.runner.run import HELPERS
from async_migrate.server.codec import EncodingError, decode, encode
from async_migrate.server.settings import Resolved
from codemods.core.findings import Finding
from codemods.core.only_at import OnlyAt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Analysis:
    """What migrating one buffer gave: the migration, or why there is none."""

    text: str
    #: The file the buffer stands for; None for a buffer never saved.
    path: str | None = None
    migration: Migration | None = None
    #: The migrated buffer (``text`` when nothing changed).
    new_text: str = ""
    #: The input cannot be parsed or decoded: nothing to report (the editor's Python
    #: support shows the syntax error).
    unparsable: str | None = None
    #: The tool failed on this input (a bug): reported as one diagnostic.
    failure: str | None = None

    @property
    def findings(self) -> list[Finding]:
        return self.migration.findings if self.migration else []


class Engine:
    """Migrates buffers, remembering the last ``size`` results."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._results: OrderedDict[tuple[Any, ...], Analysis] = OrderedDict()
        self._lock = threading.Lock()

    def analyse(
        self, text: str, resolved: Resolved, path: str | None, only_at: OnlyAt | None = None
    ) -> Analysis:
        """Migrate ``text``, the buffer of the file at ``path``, with ``resolved``'s
        codemods (only at ``only_at`` if given)."""
        try:
            data, encoding = encode(text)
        except EncodingError as e:
            return Analysis(text, path, new_text=text, unparsable=str(e))
        options, project = _with_project(data, resolved, path)
        key = (text, resolved.key, path, project, only_at)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        result = _run(text, data, encoding, path, resolved, options, only_at)
        with self._lock:
            self._results[key] = result
            while len(self._results) > self._size:
                self._results.popitem(last=False)
        return result


def _with_project(
    data: bytes, resolved: Resolved, path: str | None
) -> tuple[dict[str, dict[str, Any]], str]:
    """The options, with the ``helpers`` codemod's sites from the project around ``path``
    (the buffer standing for its file), and a digest of what the project says."""
    if HELPERS not in resolved.codemods:
        return resolved.options, ""
    named = path or os.path.join(os.getcwd(), "<buffer>.py")
    try:
        project = build_project([named], resolved.excludes, None, resolved.src, {named: data})
    except Exception:  # noqa: BLE001 - without the project, the module is its own
        log.exception("indexing the project failed")
        return resolved.options, ""
    options = dict(resolved.options)
    options[HELPERS] = {**options.get(HELPERS, {}), "sites": project.of(named)}
    return options, project.digest


def _run(
    text: str,
    data: bytes,
    encoding: str,
    path: str | None,
    resolved: Resolved,
    options: dict[str, dict[str, Any]],
    only_at: OnlyAt | None,
) -> Analysis:
    try:
        migration = migrate_source(
            data, list(resolved.codemods), path or "<buffer>", options, only_at=only_at
        )
        return Analysis(text, path, migration, decode(migration.code, encoding))
    except SourceError as e:
        return Analysis(text, path, new_text=text, unparsable=str(e))
    except InternalError as e:
        return Analysis(text, path, new_text=text, failure=f"internal error: {e}")
    except Exception as e:  # noqa: BLE001 - a bug in a codemod must not stop the server
        log.exception("migrating the buffer failed")
        failure = f"internal error: {type(e).__name__}: {e}"
        return Analysis(text, path, new_text=text, failure=failure)
