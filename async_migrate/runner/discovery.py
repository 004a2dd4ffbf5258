"""Find the Python files a run covers.

A file named on the command line is taken as it is (unless ``--exclude`` matches it).
A directory is searched recursively for ``*.py`` files, skipping hidden directories,
virtual environments, build output and, inside a git work tree, whatever git ignores.
Symbolic links found while searching are not followed, so link loops cannot hang a
run and no file is reached (or rewritten) twice.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

from async_migrate.runner.places import real_path

# Besides these, every hidden directory and every virtual environment is skipped.
SKIPPED_DIRECTORIES = frozenset(
    {"__pycache__", "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules", "venv"}
)


@dataclass(frozen=True)
class Source:
    """A file to process: where it is, and how messages and diffs name it."""

    path: str
    display: str
    #: Named on the command line, not found in a directory.
    explicit: bool = False


@dataclass(frozen=True)
class Excludes:
    """Globs that skip files: ``globs`` (from the command line) match paths relative to
    the PATH argument; ``project`` globs (from the configuration) match paths relative
    to ``root``, the directory of the configuration file. Both also match any file or
    directory name.
    """

    globs: tuple[str, ...] = ()
    project: tuple[str, ...] = ()
    root: str | None = None

    def matches(self, relative: str, path: str) -> bool:
        if _excluded(relative, self.globs):
            return True
        if not self.project:
            return False
        if self.root is not None:
            from_root = os.path.relpath(os.path.abspath(path), self.root)
            if not from_root.startswith(".."):
                relative = from_root
        return _excluded(relative, self.project)


@dataclass(frozen=True)
class Missing:
    """A command-line path that does not exist or is not a file or directory."""

    display: str
    reason: str


def discover(
    paths: Iterable[str], excludes: Iterable[str] | Excludes = ()
) -> Iterator[Source | Missing]:
    """Every source file under ``paths``, each once, in a stable order per path."""
    if not isinstance(excludes, Excludes):
        excludes = Excludes(globs=tuple(excludes))
    seen: set[str] = set()
    for given in paths:
        explicit = not os.path.isdir(given)
        if not explicit:
            found: Iterable[str] = sorted(
                os.path.normpath(p) for p in _directory_sources(given, excludes)
            )
        elif os.path.isfile(given):
            name = os.path.basename(given)
            skip = excludes.matches(name, given) or excludes.matches(given, given)
            found = [] if skip else [given]
        elif os.path.lexists(given):
            yield Missing(given, "not a regular file or directory")
            continue
        else:
            yield Missing(given, "no such file or directory")
            continue
        for path in found:
            key = real_path(path)
            if key in seen:
                continue
            seen.add(key)
            yield Source(path=path, display=path, explicit=explicit)


def _directory_sources(root: str, excludes: Excludes) -> Iterator[str]:
    listed = _git_listed(root)
    if listed is None:
        yield from _walk(root, excludes)
        return
    venv_cache: dict[str, bool] = {}
    for relative in listed:
        if not relative.endswith(".py"):
            continue
        parts = relative.split("/")
        if any(_skipped_directory(root, parts[: i + 1], venv_cache) for i in range(len(parts) - 1)):
            continue
        path = os.path.join(root, *parts)
        if excludes.matches(relative, path):
            continue
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        yield path


def _git_listed(root: str) -> list[str] | None:
    """Files git does not ignore under ``root`` (tracked and untracked), or None
    when ``root`` is not in a git work tree, git is not available, or ``root``
    itself is ignored (a directory named on the command line is searched even so,
    by walking it)."""
    try:
        ignored = subprocess.run(
            ["git", "-C", root, "check-ignore", "-q", os.path.abspath(root)],
            capture_output=True,
            check=False,
        )
        if ignored.returncode != 1:  # 0: ignored; 128: not a work tree
            return None
        result = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None
    names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted({name for name in names if name})


def _walk(root: str, excludes: Excludes) -> Iterator[str]:
    """Regular ``*.py`` files below ``root``, depth first, in name order.

    ``DirEntry`` types come from the directory listing itself, so the walk costs no
    extra ``stat`` per file; links, sockets and FIFOs (reading one would block) are
    never taken.
    """
    pending = [(root, "")]
    while pending:
        directory, relative_dir = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        subdirectories = []
        for entry in entries:
            relative = f"{relative_dir}/{entry.name}" if relative_dir else entry.name
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if not (
                    entry.name.startswith(".")
                    or entry.name in SKIPPED_DIRECTORIES
                    or _is_virtualenv(entry.path)
                    or excludes.matches(relative, entry.path)
                ):
                    subdirectories.append((entry.path, relative))
            elif entry.name.endswith(".py") and entry.is_file():
                if not excludes.matches(relative, entry.path):
                    yield entry.path
        pending.extend(reversed(subdirectories))


def _skipped_directory(root: str, parts: list[str], venv_cache: dict[str, bool]) -> bool:
    name = parts[-1]
    if name.startswith(".") or name in SKIPPED_DIRECTORIES:
        return True
    path = os.path.join(root, *parts)
    if path not in venv_cache:
        venv_cache[path] = os.path.islink(path) or _is_virtualenv(path)
    return venv_cache[path]


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def _excluded(relative: str, excludes: tuple[str, ...]) -> bool:
    """True if a glob matches the path, its name, or any directory above it.

    Paths are relative to the command-line directory, with ``/`` separators.
    """
    if not excludes:
        return False
    parts = PurePosixPath(relative.replace(os.sep, "/")).parts
    candidates = set(parts)
    candidates.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return any(fnmatchcase(c, glob) for glob in excludes for c in candidates)
