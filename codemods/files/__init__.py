"""Open()/os/shutil/pathlib/tempfile in a coroutine -> aiofiles / to_thread."""

from codemods.files.spec import SPEC

__all__ = ["SPEC"]
