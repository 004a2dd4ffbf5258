"""Each fixture states every code it must produce, rewrites included, in ``<shape>.codes``:
one ``line:col CODE rewrite|left`` per line, in the order of the findings.

``python -m tests.fixture_codes`` writes the file for each fixture that has none (review
what it wrote before committing it); ``--force`` rewrites them all.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from async_migrate import Migration, migrate_source

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def cases() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*/*.py") if not p.name.endswith(".expected.py"))


def options_of(case: Path) -> dict[str, dict[str, Any]]:
    for path in (case.with_name(case.stem + ".options.json"), case.with_name("options.json")):
        if path.exists():
            return {case.parent.name: json.loads(path.read_text(encoding="utf-8"))}
    return {}


def codes_path(case: Path) -> Path:
    return case.with_name(case.stem + ".codes")


def migrate_case(case: Path) -> Migration:
    source = case.read_text(encoding="utf-8")
    return migrate_source(source, [case.parent.name], filename=str(case), options=options_of(case))


def codes_text(result: Migration) -> str:
    return "".join(
        f"{f.line}:{f.col} {f.code} {'rewrite' if f.fixed else 'left'}\n" for f in result.findings
    )


def main(argv: list[str]) -> int:
    force = "--force" in argv
    for case in cases():
        path = codes_path(case)
        if force or not path.exists():
            path.write_text(codes_text(migrate_case(case)), encoding="utf-8")
            print(f"wrote {path.relative_to(FIXTURES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
