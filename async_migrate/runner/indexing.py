"""The index records of a project's files, each read once per run and cached across runs
by size, modification time and content hash, so that a second run parses only what
changed. Many files at once are indexed by worker processes (see :meth:`Files.read`).

The parse that indexes a module of the run also answers the engine's cheap stages for it
(given :class:`CheapStages`): which codemods have something to do in it, and in which
coroutines. The answers travel with its job, kept for the run only, so that the worker
that migrates it does not look at it again for them: it does not parse a module where
nothing would change (most modules of a project), nor walk the others again.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from async_migrate import __version__
from async_migrate.engine.migrate import Answers, cheap_answers
from async_migrate.runner.concurrency import Mapper
from async_migrate.runner.places import real_path
from codemods.core.index import INDEX_FORMAT, ModuleRecord, index_module

_INDEX_FILE = f"index-{__version__}-{INDEX_FORMAT}.pickle"

#: A file's cache entry: modification time (ns), size, SHA-256 of the content, record.
Entry = tuple[int, int, str, ModuleRecord | None]
#: The cheap stages' answers for a module of the run as the index read it: the SHA-256 of
#: its content, and the answers.
Answered = tuple[str, Answers]


@dataclass(frozen=True)
class CheapStages:
    """What the index asks of the modules of the run it parses: what the engine's cheap
    stages say of ``codemods`` with ``options`` (see
    :func:`async_migrate.engine.migrate.cheap_answers`); ``paths`` are the run's files
    (real paths)."""

    codemods: tuple[str, ...]
    options: dict[str, dict[str, Any]]
    paths: frozenset[str]


#: Files per worker below which a batch is indexed in this process (one costs about
#: 10 ms; starting the workers and sending them the records back costs about as much as
#: a few).
_LEAST = 8


class Files:
    """The records of a project's files (real path -> record, None when the file cannot
    be read or parsed); ``overrides`` give the source of files not on disk as they are
    migrated (standard input, an editor's buffer). Used as a context manager: leaving it
    stops the workers.

    The cache is the one in ``cache_dir``, or ``memory`` (a process's own, kept between
    builds: a language server's), which also keeps the records of ``overrides``."""

    def __init__(
        self,
        roots: list[str],
        cache_dir: str | None,
        overrides: dict[str, bytes],
        workers: int = 1,
        memory: dict[str, Entry] | None = None,
        cheap: CheapStages | None = None,
    ) -> None:
        self.roots = roots
        self.cache_dir = cache_dir
        self.overrides = overrides
        self._memory = memory
        self.cached = memory if memory is not None else _load(cache_dir)
        #: The entries of the files read in this run: what the cache keeps.
        self.fresh: dict[str, Entry] = {}
        #: The cheap stages' answers for the modules of the run parsed in this run.
        self.told: dict[str, Answered] = {}
        self._records: dict[str, ModuleRecord | None] = {}
        self._cheap = cheap
        work = functools.partial(
            index_file,
            codemods=cheap.codemods if cheap else (),
            options=cheap.options if cheap else {},
        )
        self._mapper = Mapper(workers, work, _lost, least=_LEAST * workers)

    def __enter__(self) -> Files:
        self._mapper.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._mapper.__exit__(kind, error, traceback)

    def record(self, path: str) -> ModuleRecord | None:
        """The record of one file."""
        key = real_path(path)
        if key not in self._records:
            self.read([path])
        return self._records[key]

    def read(self, paths: list[str]) -> None:
        """Index the files not read yet: those the cache does not hold as they are now
        by the workers, when there are enough of them."""
        pending: dict[str, tuple[str, _Item]] = {}  # real path -> display, item
        for path in paths:
            key = real_path(path)
            if key in self._records or key in pending:
                continue
            display = os.path.relpath(path)
            if key in self.overrides:
                self._records[key] = self._override(key, path, display)
                continue
            try:
                st = os.stat(path)
            except OSError:
                self._records[key] = None
                continue
            entry = self.cached.get(key)
            if entry is not None and entry[0] == st.st_mtime_ns and entry[1] == st.st_size:
                self.fresh[key] = entry
                self._records[key] = _shown_as(entry[3], display)
                continue
            known = entry[2] if entry is not None else None
            ask = self._cheap is not None and key in self._cheap.paths
            item = (path, module_name(path, self.roots), display, known, ask)
            pending[key] = (display, item)
        with _no_cycle_collection():  # the records sent back are unpickled here too
            results = self._mapper.map([item for _, item in pending.values()])
        for (key, (display, _)), indexed in zip(pending.items(), results, strict=True):
            entry = self.cached.get(key)
            if indexed is None:
                self._records[key] = None
                continue
            result, answers = indexed
            if answers is not None:
                self.told[key] = (result[2], answers)
            record = result[3]
            if entry is not None and entry[2] == result[2]:  # touched, not changed
                record = _shown_as(entry[3], display)
            self.fresh[key] = (*result[:3], record)
            self._records[key] = record

    def _override(self, key: str, path: str, display: str) -> ModuleRecord | None:
        """The record of a file given as ``overrides`` holds it; from ``memory`` when it
        holds that text."""
        data, name = self.overrides[key], module_name(path, self.roots)
        content = hashlib.sha256(data).hexdigest() if self._memory is not None else ""
        entry = self.cached.get(key)
        if entry is not None and entry[:3] == (_GIVEN, len(data), content) and entry[3]:
            if entry[3].module == name:
                return _shown_as(entry[3], display)
        with _no_cycle_collection():
            record = index_module(data, name, display)
        if self._memory is not None:
            self.fresh[key] = (_GIVEN, len(data), content, record)
        return record

    def save(self) -> None:
        if self._memory is not None:
            self._memory.update(self.fresh)
        elif any(self.cached.get(key) is not entry for key, entry in self.fresh.items()):
            _save(self.cache_dir, {**self.cached, **self.fresh})
        # else: every file read was the cache's entry as it is: nothing to write


#: The modification time an entry of a file given as text (not read from disk) has.
_GIVEN = -1


#: What a worker is sent for one file: its path, module name, path as displayed, the
#: content hash of the record the cache holds for it (not indexed again if unchanged), and
#: whether to ask the cheap stages about it.
_Item = tuple[str, str, str, str | None, bool]


def index_file(
    item: _Item, codemods: tuple[str, ...] = (), options: dict[str, dict[str, Any]] | None = None
) -> tuple[Entry, Answers | None] | None:
    """The cache entry of one file (without a record when its content is the one the
    cache knows) and, when it was parsed and asked, what the cheap stages say of
    ``codemods`` (with ``options``) in it; None if it cannot be read."""
    path, module, display, known, ask = item
    try:
        st = os.stat(path)
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    content = hashlib.sha256(data).hexdigest()
    if content == known:
        return (st.st_mtime_ns, st.st_size, content, None), None
    with _no_cycle_collection():
        record = index_module(data, module, display)
        answers = None
        if ask and codemods and record is not None:
            # The cheap stages parse ``data`` again: a cache hit, the index just did.
            answers = cheap_answers(data, codemods, options or {})
    return (st.st_mtime_ns, st.st_size, content, record), answers


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Indexing makes many objects (an ``ast`` tree, the records) and no reference cycles:
    the cyclic garbage collector would only scan them, which costs a quarter of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lost(item: _Item, how: str) -> tuple[Entry, Answers | None] | None:
    """A file whose worker died (the out-of-memory killer, say) is indexed here instead:
    left out, it could hide a helper."""
    return index_file(item)


def module_name(path: str, roots: list[str]) -> str:
    """``shop.catalog`` for ``<root>/shop/catalog.py`` (``shop`` for its ``__init__``)."""
    absolute = os.path.abspath(path)
    for root in roots:
        if absolute.startswith(root.rstrip(os.sep) + os.sep):
            relative = os.path.relpath(absolute, root)
            parts = relative[: -len(".py")].split(os.sep)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            return ".".join(parts)
    return os.path.splitext(os.path.basename(absolute))[0]


def _shown_as(record: ModuleRecord | None, display: str) -> ModuleRecord | None:
    """``record``, naming its file ``display`` (cached records keep the name they had)."""
    if record is None or record.path == display:
        return record
    return dataclasses.replace(record, path=display)


def _load(cache_dir: str | None) -> dict[str, Entry]:
    if cache_dir is None:
        return {}
    try:
        with open(os.path.join(cache_dir, _INDEX_FILE), "rb") as handle:
            loaded = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a damaged or foreign cache only costs time
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _save(cache_dir: str | None, entries: dict[str, Entry]) -> None:
    if cache_dir is None:
        return
    try:
        os.makedirs(cache_dir, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, os.path.join(cache_dir, _INDEX_FILE))
    except OSError:
        pass
