"""Names the ``cpu`` codemod looks for, kept free of libcst so the engine's prefilter
can use them without importing it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MARKER = re.compile(r"#\s*async-migrate:\s*cpu-bound\b")

#: Heavy stdlib calls that release the GIL: a thread gives real parallelism (docs/codemods/cpu.md).
GIL_RELEASING = frozenset({"hashlib.pbkdf2_hmac", "hashlib.scrypt"})
#: Compression calls, offloaded to a thread only on request (``offload_compression``).
COMPRESSION = frozenset(
    f"{module}.{verb}"
    for module in ("zlib", "gzip", "bz2", "lzma")
    for verb in ("compress", "decompress")
)


@dataclass(frozen=True)
class CpuBoundNames:
    """The names a user marked CPU-bound (the ``cpu_bound`` option): bare (``crunch``) or
    dotted (``pkg.mod.func``)."""

    bare: frozenset[str] = frozenset()
    dotted: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, names: Iterable[str] | None) -> CpuBoundNames:
        bare, dotted = set(), set()
        for raw in names or ():
            name = raw.strip().replace(":", ".")
            if not name:
                continue
            if "." in name:
                dotted.add(name)
            else:
                bare.add(name)
        return cls(frozenset(bare), frozenset(dotted))

    def last_components(self) -> set[str]:
        return set(self.bare) | {name.rsplit(".", 1)[-1] for name in self.dotted}
