"""``[tool.async-migrate]`` in ``pyproject.toml``: where it is, what it may say.

The file used is the nearest ``pyproject.toml`` that has a ``[tool.async-migrate]``
table, searched from the directory holding the paths on the command line upward (as
ruff does); ``--config FILE`` names one, ``--no-config`` ignores them all. Command-line
flags override what the file says.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from async_migrate.runner.places import start_directory, upward
from codemods.core.spec import CodemodSpec, Option
from codemods.registry import (
    CODEMODS,
    SPECS,
    Selection,
    UnknownCodemod,
    parse_selector,
    select_codes,
)
from codemods.registry import merge_options as merge_options  # used by the callers of load()

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

FILE_NAME = "pyproject.toml"
TABLE = "tool.async-migrate"

# Top-level keys and their type; per-codemod tables are named after the codemod.
_SELECTORS = ("select", "extend-select", "ignore", "extend-ignore")
_LISTS = (*_SELECTORS, "exclude", "extend-exclude", "src")
# A codemod's options may also be given at the top level (``cpu-bound = [...]``):
# key -> (codemod, option).
_SHORTHANDS: dict[str, tuple[str, Option]] = {
    option.key: (spec.name, option) for spec in SPECS for option in spec.options
}


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


@dataclass
class Config:
    """What ``[tool.async-migrate]`` says; ``None`` where it says nothing."""

    path: str | None = None
    #: Selectors (codemod names, codes, code prefixes) of the codes to run.
    select: list[str] | None = None
    #: Selectors of codes to run besides the default (or selected) ones: how opt-in
    #: codemods join, and how hints come to fail ``--check``.
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] | None = None
    extend_ignore: list[str] = field(default_factory=list)
    exclude: list[str] | None = None
    extend_exclude: list[str] = field(default_factory=list)
    #: Directories (relative to the file) that hold top-level packages, as ruff's ``src``.
    src: list[str] = field(default_factory=list)
    #: codemod name -> keyword arguments for its constructor.
    options: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def root(self) -> str | None:
        """The directory the file's ``exclude`` globs are relative to."""
        return os.path.dirname(os.path.abspath(self.path)) if self.path else None


def find(paths: Sequence[str], stdin_filename: str | None = None) -> str | None:
    """The nearest ``pyproject.toml`` with a ``[tool.async-migrate]`` table, or None."""
    for directory in upward(start_directory(paths, stdin_filename)):
        candidate = os.path.join(directory, FILE_NAME)
        if os.path.isfile(candidate) and _tool_table(_read(candidate)) is not None:
            return candidate
    return None


def load(path: str) -> Config:
    """Read and check ``[tool.async-migrate]`` in ``path`` (an empty Config if absent)."""
    table = _tool_table(_read(path))
    config = Config(path=path)
    if table is None:
        return config
    for key, value in table.items():
        if isinstance(value, dict) and key in CODEMODS:
            _codemod_table(config, path, key, value)
            continue
        if key in _SHORTHANDS:
            codemod, option = _SHORTHANDS[key]
            config.options.setdefault(codemod, {})[option.name] = _checked(path, key, option, value)
        elif key in _LISTS:
            value = _string_list(path, key, value)
            setattr(config, key.replace("-", "_"), value)
        else:
            raise ConfigError(f"{path}: unknown key {TABLE}.{key} ({_known_keys()})")
    for key in _SELECTORS:
        for selector in getattr(config, key.replace("-", "_")) or []:
            try:
                parse_selector(selector)
            except UnknownCodemod as e:
                raise ConfigError(f"{path}: {TABLE}.{key}: {e}") from None
    return config


def selection(
    config: Config,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    extend_select: list[str] | None = None,
    extend_ignore: list[str] | None = None,
) -> Selection:
    """The codes to run, from the configuration and the flags (None: not given). As in
    ruff: ``--select`` replaces both ``select`` and ``extend-select`` of the
    configuration, ``--ignore`` both ``ignore`` and ``extend-ignore``; ``--extend-select``
    and ``--extend-ignore`` add to whichever selection holds. Raises
    :class:`~codemods.registry.UnknownCodemod`."""
    if select is None:
        select, extend = config.select or [], [*config.extend_select, *(extend_select or [])]
    else:
        extend = extend_select or []
    if ignore is None:
        ignore = [*(config.ignore or []), *config.extend_ignore]
    return select_codes(select, [*ignore, *(extend_ignore or [])], extend)


def _codemod_table(config: Config, path: str, name: str, table: dict[str, Any]) -> None:
    spec = CODEMODS[name]
    accepted = _options_of(spec)
    for key, value in table.items():
        option = accepted.get(key.replace("_", "-"))
        if option is None:
            known = ", ".join(sorted(accepted)) or "none"
            raise ConfigError(
                f"{path}: unknown key {TABLE}.{name}.{key} (options of {name}: {known})"
            )
        config.options.setdefault(name, {})[option.name] = _checked(
            path, f"{name}.{key}", option, value
        )


#: ``offload = false`` in the table of a codemod that offloads: that codemod reports
#: blocking calls instead of offloading them (as ``--no-offload`` does for all).
_OFFLOAD = Option("offload", bool, True, "Offload blocking calls to a thread, or report them.")


def _options_of(spec: CodemodSpec) -> dict[str, Option]:
    """The keys of a codemod's table, and what each sets."""
    options = {o.key: o for o in spec.options}
    if spec.offloads:
        options[_OFFLOAD.key] = _OFFLOAD
    return options


def _checked(path: str, key: str, option: Option, value: Any) -> Any:
    """``value`` if it has the option's type (a list of strings for ``list``)."""
    if option.type is list:
        return _string_list(path, key, value)
    if option.type is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: {TABLE}.{key} must be true or false")
    elif option.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path}: {TABLE}.{key} must be an integer")
        if option.minimum is not None and value < option.minimum:
            raise ConfigError(f"{path}: {TABLE}.{key} must be at least {option.minimum}")
    elif not isinstance(value, option.type):
        raise ConfigError(f"{path}: {TABLE}.{key} must be a {option.type.__name__}")
    elif option.choices and value not in option.choices:
        accepted = ", ".join(f'"{c}"' for c in option.choices)
        raise ConfigError(f"{path}: {TABLE}.{key} must be one of {accepted}")
    return value


def _string_list(path: str, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {TABLE}.{key} must be a list of strings")
    return list(value)


def _known_keys() -> str:
    keys = [*_LISTS, *_SHORTHANDS, *(f"[{TABLE}.{name}]" for name in CODEMODS)]
    return "known: " + ", ".join(keys)


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None


def _tool_table(document: dict[str, Any]) -> dict[str, Any] | None:
    table = document.get("tool", {})
    table = table.get("async-migrate") if isinstance(table, dict) else None
    return table if isinstance(table, dict) else None
