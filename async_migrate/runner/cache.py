"""Remember what each file gave, so an unchanged tree is not read again.

A file is remembered with what a run found in it: whether it would change, the
findings (reported again on a hit), the third-party modules its migration imports,
and, once a ``--diff`` run has made it, the diff's hunks (the header, which names the
file as given on the command line, is made again). A file that would change is a hit
for ``--check``, and for ``--diff`` when its hunks are there; never for a run that
writes, which needs the new code. It counts as
unchanged when its size and modification time are the same, or, if only the time
differs, when its content hash is the same. The cache is one JSON file per tool
version and settings (codemods, options), replaced atomically, so concurrent runs
never corrupt it (the last one to finish wins) and a damaged file is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import asdict
from typing import Any, NamedTuple

from async_migrate import __version__
from codemods.core.findings import Finding

Fingerprint = tuple[int, int, str]

#: The layout of an entry; part of the cache file's key.
FORMAT = 2


class Hit(NamedTuple):
    """What the cache knows of an unchanged file."""

    changed: bool
    findings: list[Finding]
    #: The diff's hunks, without the header (empty when unchanged or not known).
    hunks: bytes | None
    modules: tuple[str, ...]


CACHE_DIR_ENV = "ASYNC_MIGRATE_CACHE_DIR"
PROJECT_CACHE = ".async_migrate_cache"


def cache_directory(paths: list[str]) -> str:
    """``$ASYNC_MIGRATE_CACHE_DIR``; else the project's ``.async_migrate_cache`` (the
    nearest directory above the first path holding ``pyproject.toml`` or ``.git``);
    else the user cache directory."""
    if os.environ.get(CACHE_DIR_ENV):
        return os.environ[CACHE_DIR_ENV]
    start = os.path.abspath(paths[0] if paths else ".")
    directory = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        if any(os.path.exists(os.path.join(directory, m)) for m in ("pyproject.toml", ".git")):
            return os.path.join(directory, PROJECT_CACHE)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "async-migrate")


class Cache:
    def __init__(self, directory: str, settings: Any) -> None:
        key = json.dumps([__version__, FORMAT, sys.version_info[:2], settings], sort_keys=True)
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        self.path = os.path.join(directory, f"cache-{__version__}-{digest}.json")
        self._entries: dict[str, list[Any]] = self._load()
        self._dirty = False

    def _load(self) -> dict[str, list[Any]]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                entries = json.load(handle)
        except (OSError, ValueError):
            return {}
        return entries if isinstance(entries, dict) else {}

    def lookup(self, path: str, need: str = "findings") -> Hit | None:
        """What an unchanged file gave, or None.

        ``need``: ``"findings"`` (``--check``), ``"diff"`` (a file that would change is
        a miss unless its hunks are known) or ``"code"`` (a file that would change is
        a miss: its new code must be made again).
        """
        key = os.path.abspath(path)
        entry = self._entries.get(key)
        if entry is None:
            return None
        try:
            mtime, size, digest, changed, findings, hunks, modules = entry
            if changed and (need == "code" or (need == "diff" and hunks is None)):
                return None
            st = os.stat(path)
            if st.st_size != size:
                return None
            if st.st_mtime_ns != mtime:
                if _digest(path) != digest:
                    return None
                entry[0] = st.st_mtime_ns
                self._dirty = True
            return Hit(
                bool(changed),
                [Finding(**f) for f in findings],
                None if hunks is None else hunks.encode("latin-1"),
                tuple(modules),
            )
        except (OSError, TypeError, ValueError):
            return None

    def remember(
        self,
        path: str,
        fingerprint: Fingerprint,
        changed: bool,
        findings: list[Finding],
        hunks: bytes | None = None,
        modules: tuple[str, ...] = (),
    ) -> None:
        """Remember what ``path``, as it was when read, gave."""
        mtime, size, digest = fingerprint
        self._entries[os.path.abspath(path)] = [
            mtime,
            size,
            digest,
            changed,
            [asdict(f) for f in findings],
            # Bytes to text and back without loss: one character per byte.
            None if hunks is None else hunks.decode("latin-1"),
            list(modules),
        ]
        self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            _ignore_in_git(os.path.dirname(self.path))
            fd, temporary = tempfile.mkstemp(dir=os.path.dirname(self.path), suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self._entries, handle)
            os.replace(temporary, self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time


def fingerprint(content: str, st: os.stat_result) -> Fingerprint:
    """What identifies a file's content: modification time, size, and ``content``, the
    SHA-256 of its bytes (hex)."""
    return (st.st_mtime_ns, st.st_size, content)


def _digest(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _ignore_in_git(directory: str) -> None:
    if os.path.basename(directory) == PROJECT_CACHE:
        marker = os.path.join(directory, ".gitignore")
        if not os.path.exists(marker):
            with open(marker, "w", encoding="utf-8") as handle:
                handle.write("*\n")
