"""Write a file atomically, keeping its permission bits."""

from __future__ import annotations

import hashlib
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


def replace_contents(path: str, new: bytes, old_digest: str | None) -> str | None:
    """Write ``new`` to ``path`` (atomically) if the file still holds the bytes whose
    SHA-256 is ``old_digest``; the error message when it holds something else, or
    None. A file that already holds ``new`` (another run wrote it) is left as it is."""
    try:
        with open(path, "rb") as handle:
            current = handle.read()
        if current == new:
            return None
        if hashlib.sha256(current).hexdigest() != old_digest:
            return "changed on disk since it was read; not written"
        write_atomically(path, new)
    except OSError as e:
        return f"cannot write: {e.strerror or e}"
    return None
