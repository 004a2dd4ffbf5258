"""The project around the paths of a run, for the ``helpers`` codemod: the Python files
under the project's roots (not only the files being migrated) that its analysis needs,
indexed with ``ast``, and the calls in each module's coroutines to project functions
that block.

The roots are the directory holding the ``pyproject.toml`` above the paths (else the
common directory of the paths) and its ``src`` directory, plus the configuration's
``src`` entries; a file's module name is its path relative to the deepest root holding
it. Each file's record is cached (see :mod:`async_migrate.runner.indexing`), so a second
run parses only what changed.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from async_migrate.runner.discovery import Excludes, Source, discover
from async_migrate.runner.indexing import Answered, CheapStages, Entry, Files
from async_migrate.runner.places import forget_real_paths, nearest_with, real_path
from codemods.core.index import ModuleRecord
from codemods.core.mentions import Mention, mentions
from codemods.core.suppressions import skips_file
from codemods.helpers.analysis import Project, Site
from codemods.helpers.planning import AwaitKey, ConvertKey, Plan, candidate_names, plan
from codemods.helpers.reach import reach

#: What a coroutine's definition may look like in the source (a superset: in a string too).
_ASYNC_DEF = re.compile(rb"\basync(?:\s|\\)+def\b")

#: A file's part of an async-mode plan: the functions made coroutines, the calls awaited.
Converting = tuple[tuple[ConvertKey, ...], tuple[AwaitKey, ...]]


@dataclass
class ProjectSites:
    """The helpers codemod's input for each file of the run, and a digest of all of it
    (part of the cache key: a change in any module a file calls into changes it)."""

    by_path: dict[str, list[Site]] = field(default_factory=dict)
    digest: str = ""
    project: Project | None = None
    #: ``helpers-mode = "async"``: per file, the functions made coroutines and the calls
    #: awaited (see :mod:`codemods.helpers.planning`).
    plans: dict[str, Converting] = field(default_factory=dict)
    #: The cheap stages' answers for the files of the run the index parsed (real path ->
    #: them; see :mod:`async_migrate.runner.indexing`).
    told: dict[str, Answered] = field(default_factory=dict)

    def of(self, path: str) -> list[Site]:
        return self.by_path.get(real_path(path), [])

    def planned(self) -> list[str]:
        """The files (real paths) an async-mode plan changes together."""
        return list(self.plans)

    def options(self, path: str) -> dict[str, Any]:
        """The helpers codemod's options for one file of the run."""
        key = real_path(path)
        options: dict[str, Any] = {"sites": self.by_path.get(key, [])}
        if key in self.plans:
            convert, awaits = self.plans[key]
            options.update(convert=convert, awaits=awaits)
        return options


def project_roots(paths: Iterable[str], src: Iterable[str] = ()) -> list[str]:
    """The directories module names are relative to, deepest first."""
    paths = [os.path.abspath(p) for p in paths if p != "-"] or [os.getcwd()]
    directories = [p if os.path.isdir(p) else os.path.dirname(p) for p in paths]
    common = os.path.commonpath(directories)
    top = nearest_with(common, "pyproject.toml") or common
    roots = {top}
    for extra in (*src, "src"):
        candidate = os.path.normpath(os.path.join(top, extra))
        if os.path.isdir(candidate):
            roots.add(candidate)
    return sorted(roots, key=lambda r: (-len(r), r))


def build(
    paths: list[str],
    excludes: Excludes,
    cache_dir: str | None,
    src: Iterable[str] = (),
    overrides: dict[str, bytes] | None = None,
    leave_alone: Iterable[str] = (),
    mode: str = "offload",
    convert: bool = True,
    workers: int = 1,
    memory: dict[str, Entry] | None = None,
    cheap: tuple[tuple[str, ...], dict[str, dict[str, Any]]] | None = None,
) -> ProjectSites:
    """Index what the coroutines of the files under ``paths`` can reach in the project, and
    find the sites of every file of the run. ``overrides`` gives the source of files that
    are not on disk as they are migrated (standard input).

    Only the modules the analysis of the coroutines' calls looks in are parsed (see
    :mod:`codemods.helpers.reach`): a project's other modules cannot hold a helper its
    coroutines call, nor change what one does. With ``mode="async"`` every module under
    the roots is, since any of them may use a helper in a way that keeps it sync. Without
    ``convert`` (its code is off), the helpers async mode would make coroutines are left
    alone: neither converted nor offloaded. ``workers`` processes index the files.
    ``memory`` keeps the index between builds instead of ``cache_dir`` (see
    :class:`~async_migrate.runner.indexing.Files`). ``cheap``: codemods and their
    options, asked of each file of the run the index parses (see :class:`CheapStages`).
    """
    forget_real_paths()  # a new run: links may have changed since the last one
    roots = project_roots(paths, src)
    overrides = {real_path(p): data for p, data in (overrides or {}).items()}
    run_files = [s.path for s in discover(paths, excludes) if isinstance(s, Source)]
    asked = None
    if cheap is not None:
        asked = CheapStages(*cheap, frozenset(map(real_path, run_files)))
    with Files(roots, cache_dir, overrides, workers, memory, asked) as files:
        records, followed = _indexed(files, [*run_files, *overrides], mode)
        files.save()
    project = Project(records.values(), frozenset(leave_alone))
    chosen = Plan()
    if mode == "async":
        editable = frozenset(
            records[real_path(p)].module
            for p in [*run_files, *overrides]
            if real_path(p) in records and not _skipped(p, overrides)
        )
        chosen = plan(project, _mentions(records, overrides, project, editable), editable)
    by_path: dict[str, list[Site]] = {}
    plans: dict[str, Converting] = {}
    digest = hashlib.sha256()
    for key, record in sorted(records.items()):
        if key not in followed:  # its coroutines' calls were not followed
            continue
        sites = chosen.sites(project, record.module)
        converting = (chosen.convert(project, record.module), chosen.awaits(project, record.module))
        if sites:
            by_path[key] = sites
            digest.update(repr((record.path, sites)).encode())
        if converting != ((), ()) and convert:
            plans[key] = converting
            digest.update(repr((record.path, converting)).encode())
    changed = bool(by_path or plans)
    shown = digest.hexdigest()[:16] if changed else ""
    return ProjectSites(by_path, shown, project, plans, files.told)


def _indexed(
    files: Files, candidates: list[str], mode: str
) -> tuple[dict[str, ModuleRecord], set[str]]:
    """The records the analysis needs, by real path (those of the files of ``candidates``
    that mention ``async`` first, in that order), and the real paths of the files whose
    coroutines' calls it follows."""
    records: dict[str, ModuleRecord] = {}

    def add(paths: list[str]) -> list[ModuleRecord]:
        """The records of the files not in the project yet, now in it."""
        files.read(paths)
        added = []
        for path in paths:
            key = real_path(path)
            record = None if key in records else files.record(path)
            if record is not None:
                records[key] = record
                added.append(record)
        return added

    overridden = {p for p in candidates if real_path(p) in files.overrides}
    kinds = {p: _asynchrony(p) for p in candidates if p not in overridden}
    # The files the index started from before it followed calls; their records keep the
    # first places (which helper a shortest chain goes through follows that order).
    mentioning = [p for p in candidates if p in overridden or kinds[p][0]]
    if mode == "async":
        seeds = add(mentioning)
        every = _every_module(files.roots)
        files.read(every)
        _import_closure(seeds, files.roots, records, add)
        add(every)
        return records, set(records)
    seeds = add([p for p in mentioning if p in overridden or kinds[p][1]])
    followed = set(records)
    reach(seeds, lambda names: add(_module_files(names, files.roots)))
    first = [k for k in map(real_path, mentioning) if k in records]
    return {**{k: records[k] for k in first}, **records}, followed


def _skipped(path: str, overrides: dict[str, bytes]) -> bool:
    """Whether the file opts out (``# async-migrate: skip-file``): it is not migrated, so
    async mode changes nothing that it defines or calls."""
    data = overrides.get(real_path(path))
    if data is None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return True
    return skips_file(data)


def _every_module(roots: list[str]) -> list[str]:
    """Every Python file under the roots (virtual environments, build output and what git
    ignores left out, as discovery leaves them)."""
    return [s.path for s in discover(roots, Excludes()) if isinstance(s, Source)]


def _mentions(
    records: dict[str, ModuleRecord],
    overrides: dict[str, bytes],
    project: Project,
    editable: frozenset[str],
) -> dict[str, list[Mention]]:
    """The mentions, in every indexed module, of the names async mode may convert."""
    names = candidate_names(project, editable)
    if not names:
        return {}
    found: dict[str, list[Mention]] = {}
    for key, record in records.items():
        data = overrides.get(key)
        if data is None:
            try:
                with open(key, "rb") as handle:
                    data = handle.read()
            except OSError:  # gone since it was indexed: it may use any of them
                found[record.module] = [Mention(n, (), 1, 1, called=False) for n in names]
                continue
        found[record.module] = mentions(data, record.module, record.path, names)
    return found


def _asynchrony(path: str) -> tuple[bool, bool]:
    """Whether the file mentions ``async``, and whether it may define a coroutine."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return False, False
    mentions = b"async" in data
    return mentions, mentions and _ASYNC_DEF.search(data) is not None


def _import_closure(
    seeds: list[ModuleRecord],
    roots: list[str],
    records: dict[str, ModuleRecord],
    add: Callable[[list[str]], list[ModuleRecord]],
) -> None:
    """Add every module the seeds import, directly or through the modules they import."""
    queue = list(seeds)
    while queue:
        record = queue.pop()
        for module in _imported_modules(record):
            path = _module_file(module, roots)
            if path is not None and real_path(path) not in records:
                queue.extend(add([path]))


def _imported_modules(record: ModuleRecord) -> set[str]:
    """Every module (and parent package) a record's names may come from."""
    names = set(record.aliases.values())
    names.update(n for f in record.functions.values() for c in f.calls for n in c.names)
    names.update(b for bases in record.classes.values() for b in bases)
    modules: set[str] = set()
    for name in names:
        parts = name.split(".")
        modules.update(".".join(parts[:cut]) for cut in range(1, len(parts)))
    modules.discard(record.module)
    return modules


def _module_files(modules: list[str], roots: list[str]) -> list[str]:
    """The files of those of ``modules`` that are project modules."""
    return [path for module in modules if (path := _module_file(module, roots)) is not None]


def _module_file(module: str, roots: list[str]) -> str | None:
    relative = os.path.join(*module.split("."))
    for root in roots:
        for candidate in (relative + ".py", os.path.join(relative, "__init__.py")):
            path = os.path.join(root, candidate)
            if os.path.isfile(path):
                return path
    return None
