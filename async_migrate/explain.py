"""``--explain CODE`` and ``--list-codemods``: what each code and codemod means, from the
codemods' declarations."""

from __future__ import annotations

from async_migrate.runner import dependencies
from codemods.core.spec import Code, CodemodSpec
from codemods.registry import SPECS, codemod_of

#: The engine's own codes (AM0xx): code -> (summary, explanation).
ENGINE_CODES = {dependencies.CODE: (dependencies.SUMMARY, dependencies.EXPLANATION)}


class UnknownCode(LookupError):
    pass


def explain(code: str) -> str:
    """The text ``--explain CODE`` prints."""
    code = code.strip().upper()
    if code in ENGINE_CODES:
        summary, explanation = ENGINE_CODES[code]
        header = f"{code} (engine): {summary}"
        return "\n".join([header, "=" * len(header), "", explanation])
    spec = codemod_of(code)
    if spec is None:
        known = ", ".join([*ENGINE_CODES, *(c.code for s in SPECS for c in s.codes)])
        raise UnknownCode(f"unknown code {code!r} (known: {known})")
    declared = spec.code(code)
    header = f"{code} ({spec.name} codemod): {declared.summary}"
    lines = [header, "=" * len(header), ""]
    lines.append(declared.explanation or _generic(declared, spec))
    if declared.ruff and not declared.explanation:
        lines.append(f"\nruff / flake8-async equivalent: {', '.join(declared.ruff)}")
    return "\n".join(lines)


def _generic(code: Code, spec: CodemodSpec) -> str:
    return (
        f"See the README's section on the {spec.name} codemod for what it rewrites and "
        f"refuses.\nSilence it on one line with `# async-migrate: ignore[{code.code}]` or "
        f"`# noqa: {code.code}`."
    )


def list_codemods() -> str:
    """The text ``--list-codemods`` prints: each codemod, what it does, its codes."""
    blocks = []
    for spec in SPECS:
        lines = [f"{spec.name}: {spec.description}"]
        lines += [f"  {c.code}  {c.summary}" for c in spec.codes]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
