"""Time.sleep(x) in a coroutine -> await asyncio.sleep(x)."""

from codemods.sleep.spec import SPEC

__all__ = ["SPEC"]
