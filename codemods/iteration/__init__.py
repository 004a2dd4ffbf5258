"""A blocking iteration in a coroutine -> offloaded whole to a worker thread."""

from codemods.iteration.spec import SPEC

__all__ = ["SPEC"]
