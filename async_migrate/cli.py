"""The ``async-migrate`` command: options, configuration, then one run."""

from __future__ import annotations

import inspect
import sys
from enum import Enum
from typing import Any

import typer

from async_migrate import __version__
from async_migrate.explain import UnknownCode, explain, list_codemods
from async_migrate.runner.cache import cache_directory
from async_migrate.runner.collector import fewer_collections
from async_migrate.runner.concurrency import default_jobs
from async_migrate.runner.config import Config, ConfigError, find, load, selection
from async_migrate.runner.discovery import Excludes
from async_migrate.runner.interrupts import Interrupted, handling_signals
from async_migrate.runner.output import Output
from async_migrate.runner.report import EXIT_ERROR, Report
from async_migrate.runner.run import Settings, run_paths, run_stdin
from codemods.core.spec import Option
from codemods.registry import (
    CODEMODS,
    SPECS,
    Selection,
    UnknownCodemod,
    hint_codes,
    merge_options,
    offload_options,
)


# Enums, so that --help lists the values and shell completion offers them.
class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


HELP = f"""Rewrite blocking calls in asyncio coroutines into real async code.

PATH is a file or a directory (searched recursively for *.py), or - to read source
from standard input and write the migrated source to standard output.

Without --diff or --check, files are rewritten in place. Calls the tool recognises but
cannot rewrite faithfully are left unchanged and reported on stderr as
`path:line:col: CODE message`. Silence one line with `# async-migrate: ignore` or
`# noqa: CODE`; skip a file with `# async-migrate: skip-file` in its first 10 lines.

Settings are read from [tool.async-migrate] in the nearest pyproject.toml above the
paths; command-line options override them.

Codemods: {", ".join(CODEMODS)} (see --list-codemods, --explain CODE).

`async-migrate server` starts a language server (LSP over stdio) for editors.

Exit codes: 0 done (or nothing to do); 1 with --check: a file would change or a
finding is left for manual work (hints, such as AM406, count only when selected by code
or prefix);
2 usage or configuration error, or a file could not be processed; 130 / 143 stopped by
SIGINT (Ctrl-C) / SIGTERM.
"""

app = typer.Typer(
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [name.strip() for name in value.split(",") if name.strip()]


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"async-migrate {__version__}")
        raise typer.Exit()


def _show_explanation(value: str | None) -> None:
    if value is None:
        return
    try:
        typer.echo(explain(value))
    except UnknownCode as e:
        typer.echo(f"async-migrate: error: {e}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    raise typer.Exit()


def _show_codemods(value: bool) -> None:
    if value:
        typer.echo(list_codemods())
        raise typer.Exit()


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
    interactive: bool = typer.Option(
        False,
        "--interactive",
        "-i",
        help="Show each file's diff and ask: apply, skip, apply all, or quit.",
    ),
    select: str | None = typer.Option(
        None,
        "--select",
        metavar="SELECTOR,...",
        help="Run only these codes: codemod names (sleep), codes (AM101), code prefixes (AM1).",
    ),
    extend_select: str | None = typer.Option(
        None,
        "--extend-select",
        metavar="SELECTOR,...",
        help="Run these too (how an opt-in codemod joins the default ones); "
        f"hint codes ({', '.join(sorted(hint_codes()))}) selected by code or prefix fail "
        "--check like findings.",
    ),
    ignore: str | None = typer.Option(
        None,
        "--ignore",
        metavar="SELECTOR,...",
        help="Do not run these codes, and leave their calls alone.",
    ),
    extend_ignore: str | None = typer.Option(
        None, "--extend-ignore", metavar="SELECTOR,...", help="Ignore these too."
    ),
    exclude: list[str] = typer.Option(
        [],
        "--exclude",
        metavar="GLOB",
        help="Skip files and directories matching GLOB (repeatable; replaces `exclude` "
        "from the configuration).",
    ),
    config_file: str | None = typer.Option(
        None, "--config", metavar="FILE", help="Read settings from this pyproject.toml."
    ),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore every pyproject.toml."),
    output_format: OutputFormat = typer.Option(
        "text", "--output-format", case_sensitive=False, help="How to report."
    ),
    color: Color = typer.Option(
        "auto", "--color", case_sensitive=False, help="Colour the diff and findings."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary line."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="One line per file."),
    stdin_filename: str | None = typer.Option(
        None, "--stdin-filename", metavar="NAME", help="Name used for - in messages."
    ),
    offload: bool = typer.Option(
        True,
        "--offload/--no-offload",
        help="Offload blocking calls with no async rewrite to a thread (default), or report them.",
    ),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Neither read nor write the cache of per-file results."
    ),
    add_dependencies: bool = typer.Option(
        False,
        "--add-dependencies",
        help="Add the packages the migrated code now imports to [project].dependencies "
        "in pyproject.toml (shown as a diff with --diff).",
    ),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Worker processes (0: one per core)."),
    explain_code: str | None = typer.Option(
        None,
        "--explain",
        metavar="CODE",
        callback=_show_explanation,
        is_eager=True,
        help="Explain a code (why the call blocks, what the rewrite does) and exit.",
    ),
    codemods_list: bool = typer.Option(
        False,
        "--list-codemods",
        callback=_show_codemods,
        is_eager=True,
        help="List the codemods and their codes, and exit.",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Show the version."
    ),
    **codemod_options: Any,
) -> None:
    output_format, color = output_format.value, color.value
    _check_combinations(paths, diff, check, interactive, output_format, quiet, verbose)
    if add_dependencies and paths == ["-"]:
        raise typer.BadParameter("cannot be combined with -", param_hint="--add-dependencies")
    try:
        config = _config(paths, config_file, no_config, stdin_filename)
    except ConfigError as e:
        typer.echo(f"async-migrate: error: {e}", err=True)
        raise typer.Exit(EXIT_ERROR) from None

    try:
        chosen = selection(
            config, _names(select), _names(ignore), _names(extend_select), _names(extend_ignore)
        )
    except UnknownCodemod as e:
        raise typer.BadParameter(
            str(e), param_hint="--select/--extend-select/--ignore/--extend-ignore"
        ) from None
    codemods = chosen.codemods
    hints = hint_codes() - chosen.failing_hints
    overrides = _codemod_overrides(codemod_options)
    settings = Settings(
        codemods=tuple(codemods),
        excludes=Excludes(
            globs=tuple(exclude),
            project=tuple((config.exclude or [] if not exclude else []) + config.extend_exclude),
            root=config.root,
        ),
        options=_options(config, chosen, offload, overrides),
        diff=diff,
        check=check,
        interactive=interactive,
        workers=jobs or default_jobs(),
        cache_dir=None if no_cache or paths == ["-"] else cache_directory(paths),
        src=tuple(config.src),
        add_dependencies=add_dependencies,
    )
    output = Output(
        format=output_format,
        color=color,
        quiet=quiet,
        verbose=verbose,
        pending=diff or check,
        check=check,
        hints=hints,
    )
    report = Report(check=check, dry_run=diff, hint_codes=hints)
    try:
        with fewer_collections():
            if paths == ["-"]:
                run_stdin(stdin_filename or "-", settings, output, report)
            else:
                run_paths(paths, settings, output, report)
    except Interrupted as e:
        output.interrupted(report.written)
        raise typer.Exit(e.exit_code) from None
    output.finish(report, searched=None if paths == ["-"] else paths)
    raise typer.Exit(report.exit_code)


def _check_combinations(
    paths: list[str],
    diff: bool,
    check: bool,
    interactive: bool,
    output_format: str,
    quiet: bool,
    verbose: bool,
) -> None:
    if "-" in paths and len(paths) > 1:
        raise typer.BadParameter("- (standard input) must be the only PATH", param_hint="PATH")
    if quiet and verbose:
        raise typer.BadParameter("cannot be combined with --verbose", param_hint="--quiet")
    if interactive and (diff or check or paths == ["-"] or output_format != "text"):
        raise typer.BadParameter(
            "cannot be combined with --diff, --check, --output-format json/github, or -",
            param_hint="--interactive",
        )
    if paths == ["-"] and output_format != "text" and not (diff or check):
        raise typer.BadParameter(
            f"{output_format} output of - needs --check or --diff "
            "(stdout would carry both the source and the report)",
            param_hint="--output-format",
        )


def _options(
    config: Config, chosen: Selection, offload: bool, overrides: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The codemods' options: the configuration's, ``--no-offload``, what the selection
    leaves alone, then the codemod flags."""
    options = merge_options(config.options, offload_options(chosen.codemods, offload))
    return merge_options(merge_options(options, chosen.options()), overrides)


def _config(
    paths: list[str], config_file: str | None, no_config: bool, stdin_filename: str | None
) -> Config:
    if no_config:
        return Config()
    if config_file is not None:
        return load(config_file)
    found = find(paths, stdin_filename)
    return load(found) if found else Config()


# Each codemod's options (its declaration's ``options``) are flags of the command too:
# ``--cpu-bound NAME``. They reach ``migrate`` as ``<codemod>__<option>`` keywords.
_SEPARATOR = "__"


def _flag(option: Option) -> tuple[Any, Any]:
    """The annotation and the typer default of an option's flag."""
    if option.type is list:
        return list[str], typer.Option(
            [], f"--{option.key}", metavar=option.metavar, help=option.help
        )
    if option.type is bool:
        return bool | None, typer.Option(
            None, f"--{option.key}/--no-{option.key}", help=option.help, show_default=False
        )
    if option.choices:  # an Enum: typer offers (and checks) its values
        values = Enum(option.name, {choice: choice for choice in option.choices}, type=str)
        return values | None, typer.Option(  # type: ignore[operator]
            None, f"--{option.key}", help=option.help, case_sensitive=False
        )
    return option.type | None, typer.Option(
        None, f"--{option.key}", metavar=option.metavar, help=option.help, min=option.minimum
    )


def _with_codemod_flags(command: Any) -> Any:
    """``command``, with a keyword parameter per codemod option (typer reads the
    signature)."""
    signature = inspect.signature(command)
    parameters = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    annotations = dict(command.__annotations__)
    for spec in SPECS:
        for option in spec.options:
            name = f"{spec.name}{_SEPARATOR}{option.name}"
            annotation, default = _flag(option)
            parameters.append(
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
                )
            )
            annotations[name] = annotation
    command.__signature__ = signature.replace(parameters=parameters)
    command.__annotations__ = annotations
    return command


def _codemod_overrides(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The codemod options given as flags (an empty list or None: not given)."""
    overrides: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        if value is None or value == []:
            continue
        codemod, _, option = name.partition(_SEPARATOR)
        if isinstance(value, Enum):  # an option with choices
            value = value.value
        overrides.setdefault(codemod, {})[option] = (
            list(value) if isinstance(value, list) else value
        )
    return overrides


app.command(help=HELP, no_args_is_help=True)(_with_codemod_flags(migrate))


def main() -> None:
    # ``async-migrate server``: the language server, with options of its own. A file or
    # directory named ``server`` is still reached as ``./server``.
    if sys.argv[1:2] == ["server"]:
        from async_migrate.server import main as server

        server(sys.argv[2:])
        return
    # From here on, SIGINT and SIGTERM stop the run cleanly (see runner/interrupts.py);
    # one arriving before a run starts ends the command the same way.
    with handling_signals():
        try:
            app(prog_name="async-migrate")
        except Interrupted as e:
            typer.echo("async-migrate: interrupted; 0 files written", err=True)
            sys.exit(e.exit_code)


if __name__ == "__main__":
    main()
