"""``--explain CODE`` and ``--list-codemods``: what each code and codemod means, from the
codemods' declarations (``codemods/<name>/spec.py``)."""

from __future__ import annotations

from typing import Any

from async_migrate.runner import dependencies
from codemods.core.explanations import WIDTH, wrap
from codemods.core.spec import Code, CodemodSpec, Example, Severity
from codemods.registry import SPECS, codemod_of

#: What each severity means, for ``--explain`` and the docs' codes table.
SEVERITY_MEANING = {
    Severity.REWRITE: "the tool rewrites the call; nothing is left to do",
    Severity.FINDING: "left for manual work; --check fails while one is left",
    Severity.HINT: (
        "a suggestion, never rewritten: check the code before acting on it; printed, but "
        "--check fails on it only when it is selected by its code or a prefix of it "
        "(--extend-select AM406), not by its codemod's name"
    ),
}

#: The engine's own codes (AM0xx), not a codemod's: code -> (summary, explanation).
ENGINE_CODES = {dependencies.CODE: (dependencies.SUMMARY, dependencies.EXPLANATION)}


class UnknownCode(LookupError):
    pass


def explain(code: str) -> str:
    """The text ``--explain CODE`` prints."""
    code = code.strip().upper()
    if code in ENGINE_CODES:
        summary, explanation = ENGINE_CODES[code]
        header = f"{code} (engine): {summary}"
        return "\n".join([header, "=" * min(len(header), WIDTH), "", explanation])
    spec = codemod_of(code)
    if spec is None:
        known = ", ".join([*ENGINE_CODES, *(c.code for s in SPECS for c in s.codes)])
        raise UnknownCode(f"unknown code {code!r} (known: {known})")
    declared = spec.code(code)
    header = f"{code} ({spec.name} codemod): {declared.summary}"
    lines = [header, "=" * min(len(header), WIDTH)]
    severity = declared.severity
    lines.append(f"Severity: {severity.value} ({SEVERITY_MEANING[severity]})")
    equivalent = ", ".join(declared.ruff) if declared.ruff else "none"
    lines += wrap(f"ruff / flake8-async equivalent: {equivalent}")
    lines += ["", declared.explanation or _generic(spec)]
    if declared.example is not None:
        lines += ["", *_example(declared, declared.example, spec.name)]
    lines += ["", *_silence(declared), *_more(declared, spec)]
    return "\n".join(lines)


def _generic(spec: CodemodSpec) -> str:
    return (
        f"See docs/codemods/{spec.name}.md for what the {spec.name} codemod rewrites and refuses."
    )


def _example(code: Code, example: Example, name: str) -> list[str]:
    command = " ".join(
        filter(None, ("async-migrate --select", selection(name, example), flags(example.options)))
    )
    lines = ["Example:", f"  ({command})"]
    if example.after is None:
        lines.append(f"  left unchanged, reported as {code.code}:")
        lines += _indented(example.before)
    else:
        lines.append("  before:")
        lines += _indented(example.before)
        lines.append("  after:")
        lines += _indented(example.after)
    return lines


def _indented(source: str) -> list[str]:
    return [f"    {line}" if line else "" for line in source.splitlines()]


def selection(name: str, example: Example) -> str:
    """The codemods an example runs with, as ``--select`` takes them: ``helpers,sleep``."""
    wanted = {name, *example.with_codemods}
    return ",".join(spec.name for spec in SPECS if spec.name in wanted)


def flags(options: dict[str, Any]) -> str:
    """Command-line flags for a codemod's keyword arguments: ``{"offload": False}`` ->
    ``--no-offload``, ``{"cpu_bound": ["a", "b"]}`` -> ``--cpu-bound a --cpu-bound b``."""
    out = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            out.append(flag if value else "--no-" + flag[2:])
        elif isinstance(value, (list, tuple)):
            out += [f"{flag} {item}" for item in value]
        else:
            out.append(f"{flag} {value}")
    return " ".join(out)


def _silence(code: Code) -> list[str]:
    ways = [f"`# async-migrate: ignore[{code.code}]`", f"`# noqa: {code.code}`"]
    if len(code.ruff) == 1:
        ways.append(f"`# noqa: {code.ruff[0]}` (the ruff / flake8-async code)")
    elif code.ruff:
        ways.append(f"`# noqa: {code.ruff[0]}` (or another of its ruff / flake8-async codes)")
    return wrap(f"Silence it on one line with {', '.join(ways[:-1])} or {ways[-1]}.")


def _more(code: Code, spec: CodemodSpec) -> list[str]:
    return [f"More: docs/codemods/{spec.name}.md and docs/codes.md#{code.code.lower()}"]


def list_codemods() -> str:
    """The text ``--list-codemods`` prints: each codemod, what it does, its codes."""
    blocks = []
    for spec in SPECS:
        lines = [f"{spec.name}: {spec.description}"]
        if not spec.default:
            lines.append(f"  off by default: enable it with --extend-select {spec.name}")
        lines += [f"  {c.code}  {c.summary}" for c in spec.codes]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
