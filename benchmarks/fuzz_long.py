"""Long fuzzing run: the checks of tests/test_fuzz.py with many more examples.

Runs, one after the other: shaped modules (the codemods' calls in random contexts, checked
site by site against an ast-based oracle, see tests/fuzzing.py), hypothesmith grammar
modules and hypothesmith node modules (no crash but SourceError, output compiles, a second
run changes nothing). Prints examples run, wall time, the call sites met by kind, and the
first failure of each (shrunk to a minimal example unless --no-shrink). Exits 1 on a failure.

Usage: python benchmarks/fuzz_long.py [--shaped N] [--grammar N] [--node N]
                                     [--depth D] [--width W] [--seed S] [--no-shrink]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hypothesis  # noqa: E402
import hypothesmith  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.fuzzing import (  # noqa: E402
    check_arbitrary,
    check_program,
    probe_module,
    shaped_modules,
)


def arbitrary(source: str) -> Counter[str]:
    check_arbitrary(source)
    check_arbitrary(source + probe_module(), every_way=False)
    return Counter()


def fuzz(
    name: str,
    strategy: st.SearchStrategy[Any],
    check: Callable[[Any], Counter[str]],
    examples: int,
    seed: int | None,
    shrink: bool,
) -> bool:
    if examples <= 0:
        return True
    sites: Counter[str] = Counter()
    count = 0
    phases = [Phase.generate, Phase.shrink] if shrink else [Phase.generate]

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value: Any) -> None:
        nonlocal count
        count += 1
        sites.update(check(value))

    if seed is not None:
        run = hypothesis.seed(seed)(run)
    start = time.perf_counter()
    ok = True
    try:
        run()
    except Exception:  # the failure, with hypothesis' minimal example, is printed
        traceback.print_exc()
        ok = False
    seconds = time.perf_counter() - start
    found = ", ".join(f"{kind}: {n}" for kind, n in sorted(sites.items())) or "-"
    status = "ok" if ok else "FAILED"
    print(
        f"{name}: {status}, {count} examples (incl. shrinking) in {seconds:.1f} s "
        f"({count / seconds:.1f}/s); call sites: {found}",
        flush=True,
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shaped", type=int, default=2000, help="shaped modules")
    parser.add_argument("--grammar", type=int, default=500, help="hypothesmith grammar modules")
    parser.add_argument("--node", type=int, default=300, help="hypothesmith node modules")
    parser.add_argument("--depth", type=int, default=3, help="nesting of shaped modules")
    parser.add_argument("--width", type=int, default=3, help="statements per block")
    parser.add_argument("--seed", type=int, help="for a reproducible run")
    parser.add_argument("--no-shrink", action="store_true", help="report failures unshrunk")
    args = parser.parse_args()
    shrink = not args.no_shrink
    results = [
        fuzz(
            "shaped modules",
            shaped_modules(max_depth=args.depth, width=args.width),
            check_program,
            args.shaped,
            args.seed,
            shrink,
        ),
        fuzz(
            "hypothesmith grammar",
            hypothesmith.from_grammar(),
            arbitrary,
            args.grammar,
            args.seed,
            shrink,
        ),
        fuzz(
            "hypothesmith node", hypothesmith.from_node(), arbitrary, args.node, args.seed, shrink
        ),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
