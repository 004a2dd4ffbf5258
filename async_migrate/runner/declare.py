"""After a run: name each package the migrated code now imports and the project does
not declare (AM001), and with ``--add-dependencies`` add it to ``pyproject.toml``.

The entry is placed on the project's manifest (its ``pyproject.toml`` if it has one),
or on the first migrated file importing the package when no manifest is found. Under
``--diff`` the change to ``pyproject.toml`` is shown as a diff; under ``--check`` it
is only reported; otherwise it is written, atomically.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from async_migrate.runner.dependencies import CODE, Undeclared, undeclared
from async_migrate.runner.diffing import unified_diff
from async_migrate.runner.interrupts import deferred
from async_migrate.runner.manifests import ManifestError, Project, add_requirements, find_project
from async_migrate.runner.output import Output
from async_migrate.runner.report import Report
from async_migrate.runner.writing import write_atomically
from codemods.core.findings import Finding


def settle(
    paths: Sequence[str],
    output: Output,
    report: Report,
    add: bool = False,
    diff: bool = False,
    check: bool = False,
) -> None:
    """Report the undeclared dependencies of what ``report`` counted as changed, and
    (``add``) add them: show the change (``diff``), only report it (``check``), or write
    it."""
    if not report.imported:
        return
    try:
        project = find_project(paths)
        missing = undeclared(report.imported, project.declared)
        if not missing:
            return
        state = "missing"
        if add:
            state = _add(project, missing, output, report, diff, check)
    except ManifestError as e:
        report.errors += 1
        output.error("async-migrate", str(e))
        return
    for entry in missing:
        manifest = project.pyproject or (project.manifests[0] if project.manifests else None)
        where = entry.files[0] if manifest is None else _display(manifest)
        finding = Finding(1, 1, CODE, _message(entry, project, state), fixed=state != "missing")
        extra = {
            "package": entry.package.distribution,
            "requirement": entry.package.requirement,
            "files": list(entry.files),
        }
        output.dependency(where, finding, applied=state == "added", extra=extra)


def _add(
    project: Project,
    missing: list[Undeclared],
    output: Output,
    report: Report,
    diff: bool,
    check: bool,
) -> str:
    pyproject = project.pyproject
    if pyproject is None:
        where = project.root or "the directories above the paths"
        raise ManifestError(f"--add-dependencies: no pyproject.toml in {where} to add them to")
    old, new = add_requirements(pyproject, [entry.package.requirement for entry in missing])
    if diff or check:
        if diff:
            output.diff(unified_diff(old, new, _display(pyproject)))
        return "pending"
    with deferred():  # a signal waits until the file is written and counted
        try:
            write_atomically(pyproject, new)
        except OSError as e:
            raise ManifestError(f"{pyproject}: cannot write: {e.strerror or e}") from None
        report.written += 1
    return "added"


def _message(entry: Undeclared, project: Project, state: str) -> str:
    package = entry.package
    files = f"the migrated {entry.files[0]}"
    if len(entry.files) > 1:
        more = len(entry.files) - 1
        files = f"the migrated code of {entry.files[0]} and {more} more file{'s' * (more != 1)}"
    if state == "added":
        return f"added {package.requirement} to [project].dependencies: {files} imports it"
    if state == "pending":
        return f"would add {package.requirement} to [project].dependencies: {files} imports it"
    if project.manifests:
        read = ", ".join(os.path.basename(path) for path in project.manifests)
        where = f"not declared in {read}"
    else:
        where = "and no pyproject.toml, setup.cfg or requirements*.txt was found above the paths"
    return (
        f"{files} imports {package.distribution}, {where}; "
        f"add {package.requirement} to the dependencies, or rerun with --add-dependencies"
    )


def _display(path: str) -> str:
    """``path`` relative to the current directory when it is below it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
