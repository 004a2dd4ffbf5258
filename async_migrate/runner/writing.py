"""Write a file atomically, keeping its permission bits."""

from __future__ import annotations

import os
import secrets
import stat


def write_atomically(path: str, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` so that a crash at any point leaves
    either the old file or the new one, never a mix.

    The new content goes to a temporary file in the same directory, is flushed to
    disk, takes the old file's permission bits, and is renamed over the old file.
    A symbolic link is followed: its target is what gets replaced.
    """
    target = os.path.realpath(path) if os.path.islink(path) else path
    mode = stat.S_IMODE(os.stat(target).st_mode)
    # Paths stay as given (relative ones too): no directory above them is touched.
    temporary = os.path.join(
        os.path.dirname(target),
        f".{os.path.basename(target)}.{secrets.token_hex(6)}.async-migrate.tmp",
    )
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
