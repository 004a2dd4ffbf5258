"""docs/codemods/concurrency.md says what the codemod does: each ``# before`` example, migrated,
gives the ``# after`` example that follows it (helpers and the added import aside), and
the helper shown is the one the codemod writes."""

from __future__ import annotations

import re
from pathlib import Path

from async_migrate import migrate_source
from codemods.concurrency.helpers import DICT_HELPER_SOURCE, HELPER_SOURCE

DOC = Path(__file__).parent.parent / "docs" / "codemods" / "concurrency.md"
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _blocks() -> list[str]:
    return _BLOCK.findall(DOC.read_text(encoding="utf-8"))


def _without_helpers(code: str) -> str:
    for source in (HELPER_SOURCE, DICT_HELPER_SOURCE):
        code = code.replace(source, "")
    return code.replace("import asyncio\n", "").lstrip("\n")


def test_every_example_is_what_the_codemod_writes() -> None:
    blocks = _blocks()
    pairs = [
        (before.removeprefix("# before\n"), after.removeprefix("# after\n"))
        for before, after in zip(blocks, blocks[1:], strict=False)
        if before.startswith("# before\n") and after.startswith("# after\n")
    ]
    assert len(pairs) == 2
    for before, after in pairs:
        result = migrate_source(before, ["concurrency"])
        assert result.changed and not result.left
        assert _without_helpers(result.code.decode()) == after


def test_the_helper_shown_is_the_one_written() -> None:
    assert HELPER_SOURCE in _blocks()
