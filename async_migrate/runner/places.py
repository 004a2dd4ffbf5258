"""Where a run starts looking for its project: the common directory of the paths, and the
directories above it."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence


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
