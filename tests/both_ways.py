"""A module migrated by the engine both ways: whole (libcst on the whole module, every
codemod's command), and sliced (the slices, and the statements paths a codemod's ``edit``
step takes); the tests compare the two."""

from __future__ import annotations

import pytest

from async_migrate import Migration
from async_migrate.engine import migrate
from async_migrate.engine.migrate import migrate_source


def whole_and_sliced(
    data: bytes, codemod: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Migration, Migration]:
    """What the one codemod ``codemod`` makes of ``data`` whole, then sliced."""
    monkeypatch.setattr(migrate, "SLICING", False)
    whole = migrate_source(data, [codemod], filename="m.py")
    monkeypatch.setattr(migrate, "SLICING", True)
    return whole, migrate_source(data, [codemod], filename="m.py")
