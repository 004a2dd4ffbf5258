"""Packages the migrated code imports that the project does not declare (code AM001).

A rewrite can make a module import a third-party package it did not import before
(``requests`` -> ``aiohttp``, ``open`` -> ``aiofiles``). Which ones is found by comparing
the top-level imports of the code before and after the migration; standard-library
modules are left out. Each module is mapped to the distribution that provides it, and
compared by normalised name with what the project's manifests declare (see
:mod:`async_migrate.runner.manifests`).
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass

from codemods.core import parsed

#: The code of an undeclared dependency, in the engine's AM0xx range.
CODE = "AM001"
SUMMARY = "the migrated code imports a package the project does not declare"
EXPLANATION = """\
A rewrite can make a module import a package it did not import before: the requests
codemod brings in aiohttp, the files codemod aiofiles. Once the migrated code is
deployed, that import fails unless the project declares the package.

async-migrate compares the imports of each file before and after its migration, and
looks the new third-party ones up in the project's manifests: pyproject.toml
([project] dependencies and optional dependencies, Poetry, PDM, dependency groups),
requirements*.txt and setup.cfg, in the nearest directory above the paths that has one.

What to do: add the package to the dependencies, or rerun with --add-dependencies,
which adds it to [project].dependencies in pyproject.toml with the lower bound the
codemods were tested with (aiohttp>=3.9, aiofiles>=23.1), keeping the file's
formatting and comments (with --diff, it shows that change as a diff instead)."""


@dataclass(frozen=True)
class Package:
    """A distribution a rewrite may make the code import."""

    distribution: str
    #: What ``--add-dependencies`` writes: the lower bound the codemods are tested with
    #: (this project's own dependencies and test dependencies say the same).
    requirement: str


#: Modules a rewrite may add an import of -> the distribution providing it. A module
#: missing here (and not in the standard library) is taken to be its own distribution.
PACKAGES: dict[str, Package] = {
    "aiohttp": Package("aiohttp", "aiohttp>=3.9"),
    "aiofiles": Package("aiofiles", "aiofiles>=23.1"),
    "aiosqlite": Package("aiosqlite", "aiosqlite>=0.20"),
    "psycopg": Package("psycopg", "psycopg>=3.1"),
    "psycopg_pool": Package("psycopg-pool", "psycopg-pool"),
    "aiomysql": Package("aiomysql", "aiomysql>=0.2"),
    "asyncpg": Package("asyncpg", "asyncpg"),
    "redis": Package("redis", "redis>=5.0.1"),
    "httpx": Package("httpx", "httpx"),
    "anyio": Package("anyio", "anyio"),
}


def package(module: str) -> Package:
    """The distribution providing the top-level ``module``."""
    return PACKAGES.get(module) or Package(module, module)


def added_modules(before: bytes, after: bytes) -> list[str]:
    """Top-level third-party modules ``after`` imports and ``before`` does not."""
    return sorted(_imported(after) - _imported(before))


def _imported(code: bytes) -> set[str]:
    tree = parsed.parse(code)  # the engine's parse of the code before, already made
    if tree is None:
        return set()
    names: set[str] = set()
    for node in parsed.statements(tree):  # an import is a statement: no expression searched
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names}


@dataclass(frozen=True)
class Undeclared:
    """A distribution the migrated code imports and the project does not declare."""

    package: Package
    #: The files (as displayed) whose migration added the import.
    files: tuple[str, ...]


def undeclared(imported: dict[str, list[str]], declared: frozenset[str]) -> list[Undeclared]:
    """``imported`` (module -> files importing it) less what ``declared`` (normalised
    distribution names) holds, by distribution, in name order."""
    by_distribution: dict[str, tuple[Package, list[str]]] = {}
    for module, files in imported.items():
        wanted = package(module)
        if normalize(wanted.distribution) in declared:
            continue
        entry = by_distribution.setdefault(wanted.distribution, (wanted, []))
        entry[1].extend(f for f in files if f not in entry[1])
    return [
        Undeclared(wanted, tuple(files))
        for _, (wanted, files) in sorted(by_distribution.items(), key=lambda item: item[0])
    ]


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them: ``Foo_Bar.baz`` -> ``foo-bar-baz``."""
    return re.sub(r"[-_.]+", "-", name).lower()
