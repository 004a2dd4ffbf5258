"""The ``async-migrate`` command."""

from __future__ import annotations

import sys
from typing import Any

import typer

from async_migrate import __version__
from async_migrate.concurrency import default_jobs, run_jobs
from async_migrate.discovery import Missing, discover
from async_migrate.processing import Job, process_data
from async_migrate.registry import CODEMODS, UnknownCodemod, choose, offload_options
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
    offload: bool = typer.Option(
        True,
        "--offload/--no-offload",
        help="Offload blocking calls with no async rewrite to a thread (default), or report them.",
    ),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Worker processes (0: one per core)."),
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Show the version."
    ),
) -> None:
    try:
        codemods = [c.NAME for c in choose(_names(select), _names(ignore))]
    except UnknownCodemod as e:
        raise typer.BadParameter(str(e), param_hint="--select/--ignore") from None
    if "-" in paths and len(paths) > 1:
        raise typer.BadParameter("- (standard input) must be the only PATH", param_hint="PATH")

    report = Report(check=check, dry_run=diff)
    options = offload_options(codemods, offload)
    if paths == ["-"]:
        _run_stdin(codemods, stdin_filename or "-", diff, check, report, options)
    else:
        _run_paths(paths, exclude, codemods, diff, check, jobs or default_jobs(), report, options)
    print(report.summary(), file=sys.stderr)
    raise typer.Exit(report.exit_code)


def _run_paths(
    paths: list[str],
    exclude: list[str],
    codemods: list[str],
    diff: bool,
    check: bool,
    workers: int,
    report: Report,
    options: dict[str, dict[str, Any]],
) -> None:
    jobs = []
    for found in discover(paths, exclude):
        if isinstance(found, Missing):
            report.missing(found.display, found.reason)
            continue
        jobs.append(
            Job(
                path=found.path,
                display=found.display,
                codemods=tuple(codemods),
                write=not (diff or check),
                diff=diff,
                options=options,
            )
        )
    out = sys.stdout.buffer
    for file in run_jobs(jobs, workers):
        report.add(file)
        if file.diff:
            out.write(file.diff)
            out.flush()


def _run_stdin(
    codemods: list[str],
    display: str,
    diff: bool,
    check: bool,
    report: Report,
    options: dict[str, dict[str, Any]],
) -> None:
    data = sys.stdin.buffer.read()
    job = Job(
        path="-",
        display=display,
        codemods=tuple(codemods),
        write=False,
        diff=diff,
        options=options,
    )
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
