"""The project's declared dependencies, and adding to them.

The project root is the nearest directory, from the paths on the command line upward,
holding a ``pyproject.toml``, a ``setup.cfg`` or a ``requirements*.txt``. Every one of
these found there is read:

- ``pyproject.toml``: ``[project].dependencies`` and ``[project].optional-dependencies``;
  Poetry's ``[tool.poetry.dependencies]``, ``[tool.poetry.dev-dependencies]`` and
  ``[tool.poetry.group.<name>.dependencies]``; PDM's ``[tool.pdm.dev-dependencies]``;
  ``[dependency-groups]``;
- ``requirements*.txt`` (and the files they include with ``-r``);
- ``setup.cfg``: ``install_requires`` and ``extras_require`` under ``[options]``.

:func:`add_requirements` adds requirements to ``[project].dependencies`` of the
``pyproject.toml`` with tomlkit, so that its formatting and comments are kept.
"""

from __future__ import annotations

import configparser
import glob
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from async_migrate.runner.dependencies import normalize
from async_migrate.runner.places import start_directory, upward

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
SETUP_CFG = "setup.cfg"
REQUIREMENTS = "requirements*.txt"

# The name at the start of a PEP 508 requirement.
_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_INCLUDE = re.compile(r"(?:-r|--requirement)(?:\s*=\s*|\s*)(\S+)")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


class ManifestError(Exception):
    """A manifest cannot be read or changed; the message names the file."""


@dataclass(frozen=True)
class Project:
    """Where the project is, which manifests it has, and what they declare."""

    root: str | None = None
    manifests: tuple[str, ...] = ()
    #: Normalised distribution names.
    declared: frozenset[str] = frozenset()

    @property
    def pyproject(self) -> str | None:
        for path in self.manifests:
            if os.path.basename(path) == PYPROJECT:
                return path
        return None


def find_project(paths: Sequence[str]) -> Project:
    """The project the paths belong to (an empty Project when none is found)."""
    for directory in upward(start_directory(paths)):
        manifests = _manifests(directory)
        if manifests:
            declared: set[str] = set()
            for path in manifests:
                declared.update(normalize(name) for name in declared_names(path))
            return Project(directory, tuple(manifests), frozenset(declared))
    return Project()


def declared_names(path: str) -> list[str]:
    """The distribution names one manifest declares, as written."""
    name = os.path.basename(path)
    if name == PYPROJECT:
        return list(_pyproject_names(_read_toml(path)))
    if name == SETUP_CFG:
        return list(_setup_cfg_names(path))
    return list(_requirements_names(path, set()))


def add_requirements(path: str, requirements: Iterable[str]) -> tuple[bytes, bytes]:
    """The bytes of the ``pyproject.toml`` at ``path``, and those it has once each of
    ``requirements`` not already there (by normalised name) is appended to
    ``[project].dependencies``. Nothing is written."""
    import tomlkit  # only a run that adds dependencies needs it

    with open(path, "rb") as handle:
        old = handle.read()
    try:
        document = tomlkit.parse(old.decode("utf-8"))
    except (UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as e:
        raise ManifestError(f"{path}: invalid TOML: {' '.join(str(e).split())}") from None
    project = document.get("project")
    if not isinstance(project, dict):
        raise ManifestError(f"{path}: no [project] table to add dependencies to")
    if "dependencies" in project.get("dynamic", []):
        raise ManifestError(f"{path}: [project].dependencies is dynamic; add them where it is")
    if "dependencies" not in project:
        project["dependencies"] = tomlkit.array()
    dependencies = project["dependencies"]
    if not isinstance(dependencies, list):
        raise ManifestError(f"{path}: [project].dependencies is not a list")
    present = {normalize(n) for n in (_requirement_name(d) for d in dependencies) if n}
    for requirement in requirements:
        name = _requirement_name(requirement)
        if name and normalize(name) not in present:
            dependencies.append(requirement)
            present.add(normalize(name))
    return old, tomlkit.dumps(document).encode("utf-8")


def _pyproject_names(document: dict[str, Any]) -> Iterator[str]:
    project = _table(document, "project")
    yield from _names(project.get("dependencies"))
    for extra in _table(project, "optional-dependencies").values():
        yield from _names(extra)
    poetry = _table(_table(document, "tool"), "poetry")
    for key in ("dependencies", "dev-dependencies"):
        yield from (n for n in _table(poetry, key) if n.lower() != "python")
    for group in _table(poetry, "group").values():
        if isinstance(group, dict):
            yield from _table(group, "dependencies")
    pdm = _table(_table(document, "tool"), "pdm")
    for group in _table(pdm, "dev-dependencies").values():
        yield from _names(group)
    for group in _table(document, "dependency-groups").values():
        yield from _names(group)


def _setup_cfg_names(path: str) -> Iterator[str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as e:
        raise ManifestError(f"{path}: cannot read: {' '.join(str(e).split())}") from None
    values = [parser.get("options", "install_requires", fallback="")]
    if parser.has_section("options.extras_require"):
        values += [value for _, value in parser.items("options.extras_require")]
    for value in values:
        yield from _names(value.splitlines())


def _requirements_names(path: str, seen: set[str]) -> Iterator[str]:
    real = os.path.realpath(path)
    if real in seen:
        return
    seen.add(real)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as e:
        raise ManifestError(f"{path}: cannot read: {e}") from None
    for line in text.replace("\\\n", "").splitlines():
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        if not line:
            continue
        include = _INCLUDE.match(line)
        if include:
            included = os.path.join(os.path.dirname(path), include.group(1))
            if os.path.isfile(included):
                yield from _requirements_names(included, seen)
        elif line.startswith("-"):
            egg = _EGG.search(line)  # -e git+https://...#egg=name
            if egg:
                yield egg.group(1)
        else:
            name = _requirement_name(line)
            if name:
                yield name


def _names(requirements: Any) -> Iterator[str]:
    if not isinstance(requirements, list):
        return
    for requirement in requirements:
        if isinstance(requirement, str):
            name = _requirement_name(requirement)
            if name:
                yield name


def _requirement_name(requirement: Any) -> str | None:
    if not isinstance(requirement, str):
        return None
    match = _NAME.match(requirement)
    return match.group(1) if match else None


def _table(document: Any, key: str) -> dict[str, Any]:
    value = document.get(key) if isinstance(document, dict) else None
    return value if isinstance(value, dict) else {}


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as e:
        raise ManifestError(f"{path}: cannot read: {e.strerror or e}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ManifestError(f"{path}: invalid TOML: {' '.join(str(e).split())}") from None


def _manifests(directory: str) -> list[str]:
    found = [os.path.join(directory, n) for n in (PYPROJECT, SETUP_CFG)]
    found = [path for path in found if os.path.isfile(path)]
    pattern = os.path.join(glob.escape(directory), REQUIREMENTS)
    return found + sorted(p for p in glob.glob(pattern) if os.path.isfile(p))
