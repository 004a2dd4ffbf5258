"""Httpx/urllib/urllib3 requests in a coroutine -> httpx.AsyncClient or to_thread."""

from codemods.http.spec import SPEC

__all__ = ["SPEC"]
