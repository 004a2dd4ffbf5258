"""A blocking call in a coroutine -> await asyncio.to_thread(func, *args)."""

from codemods.offload.spec import SPEC

__all__ = ["SPEC"]
