"""The ``requests`` codemod: blocking HTTP in coroutines -> aiohttp (see README, SPEC §1)."""

from codemods.requests_aiohttp.command import RequestsCommand

__all__ = ["RequestsCommand"]
