"""``async-migrate server``: a language server (LSP over stdio) for editors.

Modules, one job each: :mod:`.app` (requests and notifications), :mod:`.debounce`
(analysis after a pause in changes), :mod:`.document` (one analysed version of a
document), :mod:`.analysis` (the engine on a buffer, results kept), :mod:`.settings`
(``pyproject.toml`` and client settings), :mod:`.diagnostics` (findings as diagnostics),
:mod:`.spans` (where a finding's expression ends), :mod:`.positions` (characters and LSP
code units), :mod:`.fixes` (the migration that makes one rewrite), :mod:`.edits` (text
edits, suppression comments), :mod:`.actions` (code actions), :mod:`.codec` (a buffer as
bytes).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

USAGE = """Start the async-migrate language server on standard input and output (LSP).

Editors start it themselves: see docs/editors.md. It reports every finding and pending
rewrite of each open Python document as a diagnostic, offers a quick fix per rewrite, a
fix-all source action and a suppression comment per finding, and reads [tool.async-migrate]
from the nearest pyproject.toml as the command does. It reads the editor's buffers and
never writes a file.
"""


def main(argv: Sequence[str]) -> None:
    """``async-migrate server [--stdio]``."""
    parser = argparse.ArgumentParser(
        prog="async-migrate server",
        description=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--stdio", action="store_true", help="talk over stdin/stdout (the default and only way)"
    )
    parser.parse_args(argv)
    from async_migrate.server.app import serve  # pygls only now

    serve()
