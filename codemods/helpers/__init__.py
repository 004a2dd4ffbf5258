"""Calls in coroutines to the project's own sync functions that block."""

from codemods.helpers.spec import SPEC

__all__ = ["SPEC"]
