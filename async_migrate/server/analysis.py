"""Migrating a buffer: :func:`~async_migrate.migrate_source` on its bytes, the result
kept for the buffers seen last (an unchanged buffer is not migrated again: undo, a
code action after the diagnostics, a fix-all on save).

Nothing here is written to disk. Calls block (libcst); the server makes them in a
worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from async_migrate.engine.migrate import InternalError, Migration, SourceError, migrate_source
from async_migrate.server.codec import EncodingError, decode, encode
from async_migrate.server.settings import Resolved
from codemods.core.findings import Finding

log = logging.getLogger(__name__)

Sites = frozenset[tuple[int, int]]


@dataclass(frozen=True)
class Analysis:
    """What migrating one buffer gave: the migration, or why there is none."""

    text: str
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
        self._results: OrderedDict[tuple[str, str, Sites | None], Analysis] = OrderedDict()
        self._lock = threading.Lock()

    def cached(
        self, text: str, resolved: Resolved, only_at: Sites | None = None
    ) -> Analysis | None:
        with self._lock:
            return self._results.get((text, resolved.key, only_at))

    def analyse(self, text: str, resolved: Resolved, only_at: Sites | None = None) -> Analysis:
        """Migrate ``text`` with ``resolved``'s codemods (only at ``only_at`` if given)."""
        key = (text, resolved.key, only_at)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        result = self._run(text, resolved, only_at)
        with self._lock:
            self._results[key] = result
            while len(self._results) > self._size:
                self._results.popitem(last=False)
        return result

    @staticmethod
    def _run(text: str, resolved: Resolved, only_at: Sites | None) -> Analysis:
        try:
            data, encoding = encode(text)
            migration = migrate_source(
                data, list(resolved.codemods), options=resolved.options, only_at=only_at
            )
            return Analysis(text, migration, decode(migration.code, encoding))
        except (SourceError, EncodingError) as e:
            return Analysis(text, new_text=text, unparsable=str(e))
        except InternalError as e:
            return Analysis(text, new_text=text, failure=f"internal error: {e}")
        except Exception as e:  # noqa: BLE001 - a bug in a codemod must not stop the server
            log.exception("migrating the buffer failed")
            return Analysis(text, new_text=text, failure=f"internal error: {type(e).__name__}: {e}")
