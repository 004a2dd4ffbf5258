"""Requests in a coroutine -> aiohttp, faithfully."""

from codemods.requests.spec import SPEC

__all__ = ["SPEC"]
