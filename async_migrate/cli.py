"""The ``async-migrate`` command."""

from __future__ import annotations

import sys

import typer

from async_migrate import __version__
from async_migrate.cache import Cache, cache_directory
from async_migrate.concurrency import default_jobs, run_jobs
from async_migrate.discovery import Missing, discover
from async_migrate.processing import FileReport, Job, process_data
from async_migrate.registry import CODEMODS, UnknownCodemod, choose
from async_migrate.report import Report

HELP = f"""Rewrite blocking calls in asyncio coroutines into real async code.

PATH is a file or a directory (searched recursively for *.py), or - to read source
from standard input and write the migrated source to standard output.

Without --diff or --check, files are rewritten in place. Calls the tool recognises but
cannot rewrite faithfully are left unchanged and reported on stderr as
`path:line:col: CODE message`.

Codemods: {", ".join(CODEMODS)}.

Exit codes: 0 done (or nothing to do); 1 with --check: a file would change or a
finding is left for manual work; 2 usage error, or a file could not be processed.
"""

app = typer.Typer(
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _names(value: str | None) -> list[str]:
    return [name.strip() for name in (value or "").split(",") if name.strip()]


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"async-migrate {__version__}")
        raise typer.Exit()


@app.command(help=HELP, no_args_is_help=True)
def migrate(
    paths: list[str] = typer.Argument(..., metavar="PATH...", show_default=False),
    diff: bool = typer.Option(
        False, "--diff", help="Write nothing; print a unified diff (apply with `patch -p1`)."
    ),
    check: bool = typer.Option(
        False,
        "--check",
        help="Write nothing; exit 1 if a file would change or a finding is left.",
    ),
    select: str | None = typer.Option(
        None, "--select", metavar="NAME,...", help="Run only these codemods."
    ),
    ignore: str | None = typer.Option(
        None, "--ignore", metavar="NAME,...", help="Do not run these codemods."
    ),
    exclude: list[str] = typer.Option(
        [],
        "--exclude",
        metavar="GLOB",
        help="Skip files and directories matching GLOB (repeatable).",
    ),
    stdin_filename: str | None = typer.Option(
        None, "--stdin-filename", metavar="NAME", help="Name used for - in messages."
    ),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Neither read nor write the cache of files that need nothing."
    ),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Worker processes (0: one per core)."),
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Show the version."
    ),
) -> None:
    try:
        codemods = choose(_names(select), _names(ignore))
    except UnknownCodemod as e:
        raise typer.BadParameter(str(e), param_hint="--select/--ignore") from None
    if "-" in paths and len(paths) > 1:
        raise typer.BadParameter("- (standard input) must be the only PATH", param_hint="PATH")

    report = Report(check=check, dry_run=diff)
    if paths == ["-"]:
        _run_stdin(codemods, stdin_filename or "-", diff, check, report)
    else:
        cache = None if no_cache else Cache(cache_directory(paths), [codemods, {}])
        _run_paths(paths, exclude, codemods, diff, jobs or default_jobs(), cache, report)
    print(report.summary(), file=sys.stderr)
    raise typer.Exit(report.exit_code)


def _run_paths(
    paths: list[str],
    exclude: list[str],
    codemods: list[str],
    diff: bool,
    workers: int,
    cache: Cache | None,
    report: Report,
) -> None:
    # One slot per file in discovery order: a cached report, or a job to run.
    slots: list[FileReport | Job] = []
    for found in discover(paths, exclude):
        if isinstance(found, Missing):
            report.missing(found.display, found.reason)
            continue
        cached = cache.lookup(found.path, need_code=not report.check or diff) if cache else None
        if cached is not None:
            changed, findings = cached
            slots.append(FileReport(found.display, changed=changed, findings=findings))
            continue
        slots.append(
            Job(
                path=found.path,
                display=found.display,
                codemods=tuple(codemods),
                write=not (diff or report.check),
                diff=diff,
            )
        )
    results = run_jobs([s for s in slots if isinstance(s, Job)], workers)
    out = sys.stdout.buffer
    for slot in slots:
        file = next(results) if isinstance(slot, Job) else slot
        report.add(file)
        if file.diff:
            out.write(file.diff)
            out.flush()
        written = file.changed and slot.write if isinstance(slot, Job) else False
        if cache and isinstance(slot, Job) and file.fingerprint and file.error is None:
            if not written:  # a written file is read again next time
                cache.remember(slot.path, file.fingerprint, file.changed, file.findings)
    if cache:
        cache.save()


def _run_stdin(codemods: list[str], display: str, diff: bool, check: bool, report: Report) -> None:
    data = sys.stdin.buffer.read()
    job = Job(path="-", display=display, codemods=tuple(codemods), write=False, diff=diff)
    file, new = process_data(data, job)
    report.add(file)
    if diff:
        sys.stdout.buffer.write(file.diff)
    elif not check:
        # On error ``new`` is the input itself: an editor replacing its buffer keeps it.
        sys.stdout.buffer.write(new)


def main() -> None:
    app(prog_name="async-migrate")


if __name__ == "__main__":
    main()
