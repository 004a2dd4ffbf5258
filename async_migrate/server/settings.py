"""What to run on a document: ``[tool.async-migrate]`` of the nearest ``pyproject.toml``
(found and read as the command line does), overridden by the settings the client sends
(``initializationOptions``, ``workspace/didChangeConfiguration``) as flags override it.

Client settings, flat or under an ``async-migrate`` key::

    {"select": ["sleep", "files"], "ignore": ["cpu"], "offload": false}
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from async_migrate.runner.config import Config, ConfigError, find, load, selection
from async_migrate.runner.discovery import Excludes
from codemods.registry import UnknownCodemod, merge_options, offload_options

SECTION = "async-migrate"


@dataclass(frozen=True)
class ClientSettings:
    """What the client asked for; None where it said nothing."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    offload: bool | None = None


def client_settings(value: object) -> tuple[ClientSettings, list[str]]:
    """The settings in ``value`` (a JSON object), and a message per key ignored."""
    if isinstance(value, dict) and isinstance(value.get(SECTION), dict):
        value = value[SECTION]
    if value is None:
        return ClientSettings(), []
    if not isinstance(value, dict):
        return ClientSettings(), [f"settings must be an object, not {json.dumps(value)}"]
    problems = []
    found: dict[str, Any] = {}
    for key, item in value.items():
        if key in ("select", "ignore"):
            if isinstance(item, list) and all(isinstance(v, str) for v in item):
                found[key] = tuple(item)
                continue
            problems.append(f"{key} must be a list of codemod names, codes or code prefixes")
        elif key == "offload":
            if isinstance(item, bool):
                found[key] = item
                continue
            problems.append("offload must be true or false")
        else:
            problems.append(f"unknown setting {key!r} (known: select, ignore, offload)")
    return ClientSettings(**found), problems


@dataclass(frozen=True)
class Resolved:
    """The codemods and options for one document, as the command line would use them."""

    codemods: tuple[str, ...]
    options: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)
    excludes: Excludes = Excludes()
    #: More directories module names are relative to (the configuration's ``src``).
    src: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Equal for equal settings (a cache key)."""
        return json.dumps([self.codemods, self.options], sort_keys=True, default=str)

    def excluded(self, path: str | None) -> bool:
        """True if the configuration's ``exclude`` globs skip the file at ``path``."""
        if path is None:
            return False
        return self.excludes.matches(os.path.basename(path), path) or self.excludes.matches(
            path, path
        )


class Settings:
    """The client's settings, and ``pyproject.toml`` files read once per modification."""

    def __init__(self) -> None:
        self.client = ClientSettings()
        self._loaded: dict[str, tuple[tuple[int, int], Config]] = {}

    def resolve(self, path: str | None, root: str | None) -> Resolved:
        """The settings for the document at ``path`` (None for an unsaved one: searched
        from ``root``, the workspace); raises :class:`ConfigError`."""
        start = path or root
        found = find([start] if start else [])
        config = self._load(found) if found else Config()
        client = self.client
        select = list(client.select) if client.select is not None else None
        ignore = list(client.ignore) if client.ignore is not None else None
        try:
            chosen = selection(config, select, ignore)
        except UnknownCodemod as e:
            raise ConfigError(f"settings: {e}") from None
        offload = client.offload if client.offload is not None else True
        options = merge_options(config.options, offload_options(chosen.codemods, offload))
        return Resolved(
            codemods=tuple(chosen.codemods),
            options=merge_options(options, chosen.options()),
            excludes=Excludes(
                project=tuple((config.exclude or []) + config.extend_exclude), root=config.root
            ),
            src=tuple(config.src),
        )

    def _load(self, path: str) -> Config:
        try:
            status = os.stat(path)
        except OSError:
            return load(path)  # raises ConfigError naming the file
        stamp = (status.st_mtime_ns, status.st_size)
        cached = self._loaded.get(path)
        if cached is None or cached[0] != stamp:
            cached = (stamp, load(path))
            self._loaded[path] = cached
        return cached[1]
