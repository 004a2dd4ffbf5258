"""Code actions on a document's diagnostics.

- ``quickfix`` per pending rewrite: make that rewrite only (see :mod:`.fixes`);
- ``quickfix`` per diagnostic: silence it with ``# async-migrate: ignore[CODE]``;
- ``source.fixAll.async-migrate``: make every pending rewrite of the file.

The actions that need a migration are offered without their edit, which
``codeAction/resolve`` computes when one is chosen (clients that cannot resolve get it
at once, at the cost of one migration per action).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lsprotocol import types

from async_migrate.server.analysis import Engine
from async_migrate.server.document import Snapshot
from async_migrate.server.edits import ignore_edit, line_edits
from async_migrate.server.fixes import Fix, fix_all, fix_one

FIX_ALL = "source.fixAll.async-migrate"
QUICKFIX = types.CodeActionKind.QuickFix.value


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    """True if a client asking for ``only`` kinds (None: any) wants ``kind``."""
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    start_a, end_a = (a.start.line, a.start.character), (a.end.line, a.end.character)
    start_b, end_b = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return start_a <= end_b and start_b <= end_a


def offered(
    snapshot: Snapshot, where: types.Range, only: Sequence[str] | None, versioned: bool = False
) -> list[types.CodeAction]:
    """The actions for ``where``; those that need a migration carry ``data`` to resolve."""
    actions: list[types.CodeAction] = []
    here = [d for d in snapshot.diagnostics if _overlaps(d.range, where) and d.data]
    if wanted(QUICKFIX, only):
        for diagnostic in here:
            data = diagnostic.data
            if data.get("fixable"):
                actions.append(
                    types.CodeAction(
                        title=f"Fix {data['code']}: {_plain(diagnostic.message)}",
                        kind=QUICKFIX,
                        diagnostics=[diagnostic],
                        is_preferred=True,
                        data={"uri": snapshot.uri, "fix": "one", **data},
                    )
                )
        for diagnostic in here:
            action = _ignore(snapshot, diagnostic, versioned)
            if action is not None:
                actions.append(action)
    fixable = [d for d in snapshot.diagnostics if d.data and d.data.get("fixable")]
    if fixable and wanted(FIX_ALL, only):
        actions.append(
            types.CodeAction(
                title=f"Fix all async-migrate rewrites in this file ({len(fixable)})",
                kind=FIX_ALL,
                diagnostics=fixable,
                data={"uri": snapshot.uri, "fix": "all"},
            )
        )
    return actions


def _plain(message: str) -> str:
    return message.removesuffix(" (fixable)")


def _ignore(
    snapshot: Snapshot, diagnostic: types.Diagnostic, versioned: bool
) -> types.CodeAction | None:
    data: dict[str, Any] = diagnostic.data
    if snapshot.spans is None:
        return None
    code = data["code"]
    end_line, _ = snapshot.spans.end(data["line"], data["col"])
    made = ignore_edit(snapshot.text, [data["line"], end_line + 1], code, snapshot.encoding)
    if made is None:
        return None
    line, edit = made
    return types.CodeAction(
        title=f"Silence {code} on line {line}: # async-migrate: ignore[{code}]",
        kind=QUICKFIX,
        diagnostics=[diagnostic],
        edit=workspace_edit(snapshot, [edit], versioned),
    )


def resolve(
    action: types.CodeAction, snapshot: Snapshot, engine: Engine, versioned: bool = False
) -> types.CodeAction:
    """``action`` with its edit (blocks: one migration at most, in a worker). Left without
    one when the document no longer has what the action was offered for."""
    data: dict[str, Any] = action.data or {}
    analysis, resolved = snapshot.analysis, snapshot.resolved
    if analysis is None or resolved is None or snapshot.spans is None:
        return action
    fix: Fix | None = None
    if data.get("fix") == "all":
        if analysis.partial:  # the migrated text of the whole buffer is wanted
            analysis = engine.analyse(analysis.text, resolved, analysis.path, whole=True)
        fix = fix_all(analysis)
    elif data.get("fix") == "one":
        finding = snapshot.finding(data["line"], data["col"], data["code"])
        if finding is not None and finding.fixed:
            fix = fix_one(engine, analysis, resolved, finding, snapshot.spans)
            if fix is not None and fix.coroutine is not None:
                action.title = (
                    f"Fix {finding.code} with the other {len(fix.rewrites) - 1} rewrites of "
                    f"'{fix.coroutine}' (made together)"
                )
    if fix is not None:
        edits = line_edits(snapshot.text, fix.new_text, snapshot.encoding)
        action.edit = workspace_edit(snapshot, edits, versioned)
    return action


def workspace_edit(
    snapshot: Snapshot, edits: list[types.TextEdit], versioned: bool
) -> types.WorkspaceEdit:
    """Edits to the document as of ``snapshot``; ``versioned`` (for clients that support
    it) names the document's version, so that a client refuses them once it changed."""
    if versioned and snapshot.version is not None:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=snapshot.uri, version=snapshot.version
                    ),
                    edits=list(edits),
                )
            ]
        )
    return types.WorkspaceEdit(changes={snapshot.uri: list(edits)})
