"""The layers and the absence of import cycles, checked on the real import graph."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("async_migrate", "codemods")
    # A package's __init__ importing its own submodule is not a cycle of the design.
    for module in list(graph.modules):
        for imported in list(graph.find_modules_directly_imported_by(module)):
            if imported.startswith(module + "."):
                graph.remove_import(importer=module, imported=imported)
    assert _cycles(graph) == []


def test_each_codemod_imports_only_itself_and_the_shared_core() -> None:
    graph = grimp.build_graph("async_migrate", "codemods")
    codemods = {m.split(".")[1] for m in graph.modules if m.count(".") >= 1}
    codemods -= {"core", "registry"}
    assert {"sleep", "requests", "files", "helpers", "offload"} <= codemods
    wrong = []
    for module in sorted(graph.modules):
        parts = module.split(".")
        if len(parts) < 2 or parts[0] != "codemods" or parts[1] not in codemods:
            continue
        own = f"codemods.{parts[1]}"
        for imported in graph.find_modules_directly_imported_by(module):
            inside = imported == own or imported.startswith(own + ".")
            if imported.startswith("codemods") and not (
                inside or imported.startswith("codemods.core")
            ):
                wrong.append(f"{module} imports {imported}")
            if imported.startswith("async_migrate"):
                wrong.append(f"{module} imports {imported}")
    assert wrong == []
