"""Where a run starts looking for its project: the common directory of the paths, and the
directories above it."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from functools import cache


def start_directory(paths: Sequence[str], stdin_filename: str | None = None) -> str:
    """The common directory of ``paths`` (standard input: of ``stdin_filename``; else the
    working directory)."""
    given = [p for p in paths if p != "-"]
    if not given and stdin_filename:
        given = [stdin_filename]
    if not given:
        return os.getcwd()
    directories = [
        os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in given
    ]
    return os.path.commonpath(directories)


def upward(directory: str) -> Iterator[str]:
    """``directory`` and each directory above it, up to the root."""
    while True:
        yield directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def nearest_with(directory: str, name: str) -> str | None:
    """The first of ``directory`` and those above it that holds a file ``name``."""
    for candidate in upward(directory):
        if os.path.isfile(os.path.join(candidate, name)):
            return candidate
    return None


@cache
def real_path(path: str) -> str:
    """:func:`os.path.realpath`, found once per path in a run (a run asks it of each file
    several times: discovery, the project index, the cheap stages, the jobs, each a
    ``lstat`` per part of the path); :func:`forget_real_paths` starts again."""
    return os.path.realpath(path)


def forget_real_paths() -> None:
    """Forget the real paths found (a new run, in a process that runs several: an
    editor's language server, where a link may have changed)."""
    real_path.cache_clear()
