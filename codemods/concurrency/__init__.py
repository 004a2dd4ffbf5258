"""Independent awaits in a loop -> run together (opt-in)."""

from codemods.concurrency.spec import SPEC

__all__ = ["SPEC"]
