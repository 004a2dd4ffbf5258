"""Subprocess and os process calls in a coroutine -> asyncio subprocesses."""

from codemods.subprocess.spec import SPEC

__all__ = ["SPEC"]
