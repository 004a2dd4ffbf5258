"""CPU-bound calls in coroutines -> await loop.run_in_executor(process pool)."""

from codemods.cpu.spec import SPEC

__all__ = ["SPEC"]
