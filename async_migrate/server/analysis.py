"""Migrating a buffer: :func:`~async_migrate.migrate_source` on its bytes, as the command
migrates standard input named by ``--stdin-filename`` (the ``helpers`` codemod sees the
project's modules on disk, and the buffer instead of its file); the result kept for the
buffers seen last (an unchanged buffer is not migrated again: undo, a code action after
the diagnostics, a fix-all on save).

After a change inside coroutines, only the coroutines that changed are migrated (see
:mod:`async_migrate.server.layout`): the others keep the findings of the last analysis.
Such an analysis is *partial*: it has every finding, but not the migrated text, which a
fix-all asks for with ``whole=True``.

Nothing here is written to disk. Calls block (libcst); the server makes them in a
worker thread.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from async_migrate.engine.migrate import InternalError, Migration, SourceError, migrate_source
from async_migrate.runner.indexing import Entry
from async_migrate.runner.project import build as build_project
from async_migrate.runner.run import HELPERS
from async_migrate.server.codec import EncodingError, decode, encode
from async_migrate.server.layout import Coroutine, Layout, Part, layout
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
    #: Only some coroutines were migrated (the others' findings are those of an earlier
    #: analysis): ``new_text`` is not the migrated buffer.
    partial: bool = False

    @property
    def findings(self) -> list[Finding]:
        return self.migration.findings if self.migration else []


class Engine:
    """Migrates buffers, remembering the last ``size`` results."""

    def __init__(self, size: int = 32, parts: int = 4096) -> None:
        self._size = size
        self._results: OrderedDict[tuple[Any, ...], Analysis] = OrderedDict()
        self._lock = threading.Lock()
        #: Findings outside coroutines, by surroundings (and settings, file, project), with
        #: the digest of where the lines were.
        self._outside: OrderedDict[tuple[Any, ...], tuple[str, list[Finding]]] = OrderedDict()
        #: Findings of one coroutine, by the same and the coroutine's text.
        self._parts: OrderedDict[tuple[Any, ...], Part] = OrderedDict()
        self._parts_size = parts
        #: The project index, kept between analyses: a file is indexed again only when it
        #: changed on disk, the buffer only when its text did.
        self._index: dict[str, Entry] = {}

    def analyse(
        self,
        text: str,
        resolved: Resolved,
        path: str | None,
        only_at: OnlyAt | None = None,
        whole: bool = False,
    ) -> Analysis:
        """Migrate ``text``, the buffer of the file at ``path``, with ``resolved``'s
        codemods (only at ``only_at`` if given). Unless ``whole``, only the coroutines
        that changed since an analysis of the same surroundings are migrated."""
        try:
            data, encoding = encode(text)
        except EncodingError as e:
            return Analysis(text, path, new_text=text, unparsable=str(e))
        options, project = _with_project(data, resolved, path, self._index)
        key = (text, resolved.key, path, project, only_at)
        with self._lock:
            found = self._results.get(key)
            if found is not None and not (whole and found.partial):
                self._results.move_to_end(key)
                return found
        shape = None if only_at is not None or _converts(resolved) else layout(data)
        context = (shape.surroundings if shape else None, resolved.key, path, project)
        result = None
        if shape is not None and not whole:
            result = self._partial(text, data, path, resolved, options, shape, context)
        if result is None:
            result = _run(text, data, encoding, path, resolved, options, only_at)
            if shape is not None and result.migration is not None:
                self._remember(shape, context, result.migration.findings)
        with self._lock:
            self._results[key] = result
            while len(self._results) > self._size:
                self._results.popitem(last=False)
        return result

    def _partial(
        self,
        text: str,
        data: bytes,
        path: str | None,
        resolved: Resolved,
        options: dict[str, dict[str, Any]],
        shape: Layout,
        context: tuple[Any, ...],
    ) -> Analysis | None:
        """The analysis made of the remembered findings of the coroutines that did not
        change and a migration of those that did; None when the surroundings are new, or
        their findings moved, or that migration fails (the whole buffer is then migrated,
        and gives any error in its own words)."""
        with self._lock:
            outside = self._outside.get(context)
            known = {c: self._parts.get((context, c.digest)) for c in shape.coroutines}
        if outside is None or (outside[0] != shape.lines and outside[1]):
            return None
        findings = list(outside[1])
        changed = []
        for coroutine, part in known.items():
            found = part.at(coroutine, shape.lines) if part is not None else None
            if found is None:
                changed.append(coroutine)
            else:
                findings.extend(found)
        if changed:
            try:
                migration = migrate_source(
                    data,
                    list(resolved.codemods),
                    path or "<buffer>",
                    options,
                    coroutines=frozenset(c.first for c in changed),
                )
            except Exception:  # noqa: BLE001 - the whole migration reports it
                return None
            _, inside = dataclasses.replace(shape, coroutines=tuple(changed)).split(
                migration.findings
            )
            self._store(context, shape, inside)
            findings.extend(f for found in inside.values() for f in found)
        findings.sort()
        migration = Migration(data, any(f.fixed for f in findings), findings)
        return Analysis(text, path, migration, new_text=text, partial=True)

    def _remember(self, shape: Layout, context: tuple[Any, ...], findings: list[Finding]) -> None:
        outside, inside = shape.split(findings)
        with self._lock:
            self._outside[context] = (shape.lines, outside)
            while len(self._outside) > self._size:
                self._outside.popitem(last=False)
        self._store(context, shape, inside)

    def _store(
        self, context: tuple[Any, ...], shape: Layout, inside: dict[Coroutine, list[Finding]]
    ) -> None:
        with self._lock:
            for coroutine, found in inside.items():
                part = Part(coroutine.first, shape.lines, tuple(found))
                self._parts[(context, coroutine.digest)] = part
                self._parts.move_to_end((context, coroutine.digest))
            while len(self._parts) > self._parts_size:
                self._parts.popitem(last=False)


def _converts(resolved: Resolved) -> bool:
    """Whether the ``helpers`` codemod's async mode is on: the helpers it converts depend
    on every coroutine's calls, so the buffer is always migrated whole."""
    return resolved.options.get(HELPERS, {}).get("helpers_mode") == "async"


def _with_project(
    data: bytes, resolved: Resolved, path: str | None, index: dict[str, Entry]
) -> tuple[dict[str, dict[str, Any]], str]:
    """The options, with the ``helpers`` codemod's sites from the project around ``path``
    (the buffer standing for its file), and a digest of what the sites say."""
    if HELPERS not in resolved.codemods:
        return resolved.options, ""
    named = path or os.path.join(os.getcwd(), "<buffer>.py")
    try:
        project = build_project(
            [named], resolved.excludes, None, resolved.src, {named: data}, memory=index
        )
    except Exception:  # noqa: BLE001 - without the project, the module is its own
        log.exception("indexing the project failed")
        return resolved.options, ""
    options = dict(resolved.options)
    sites = project.of(named)
    options[HELPERS] = {**options.get(HELPERS, {}), "sites": sites}
    # What the sites say, not where they are: a line added above a site moves it, and
    # the coroutines that did not change keep their findings.
    said = repr([dataclasses.replace(site, line=0, col=0) for site in sites])
    return options, hashlib.blake2b(said.encode(), digest_size=16).hexdigest()


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
