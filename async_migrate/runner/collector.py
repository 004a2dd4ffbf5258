"""How often the cyclic garbage collector runs while files are migrated.

Parsing makes objects by the hundred thousand (an ``ast`` tree, a libcst tree and its
metadata per file) and few reference cycles. At Python's default pace (a young
collection every 700 allocations, an older one every tenth of those) the collector
spent about a third of a run re-scanning them: agno, 1,176 files, ``--diff --no-cache
-j 1``, 36 s at the default pace, 27 s at one young collection per 100,000 allocations,
26.6 s with no collection at all; peak memory 127 MB, 135 MB and 573 MB.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between two young collections (Python's default: 700).
YOUNG = 100_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cycles less often inside the block; the pace before is restored after."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], YOUNG), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
