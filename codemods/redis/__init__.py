"""redis-py's sync client in a coroutine -> redis.asyncio, commands awaited."""

from codemods.redis.spec import SPEC

__all__ = ["SPEC"]
