"""Write a file atomically, keeping its permission bits."""

from __future__ import annotations

import os
import stat
import tempfile


def write_atomically(path: str, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` so that a crash at any point leaves
    either the old file or the new one, never a mix.

    The new content goes to a temporary file in the same directory, is flushed to
    disk, takes the old file's permission bits, and is renamed over the old file.
    A symbolic link is followed: its target is what gets replaced.
    """
    target = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(target).st_mode)
    directory = os.path.dirname(target) or "."
    fd, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.", suffix=".async-migrate.tmp", dir=directory
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
