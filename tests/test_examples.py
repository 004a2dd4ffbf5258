"""Every code's ``--explain`` example, run: the codemod turns ``before`` into ``after``
exactly (or leaves it unchanged when ``after`` is None) and records the example's own
code; and every explanation is short plain text wrapped at 88 columns."""

from __future__ import annotations

import pytest

from async_migrate import migrate_source
from codemods.core.spec import Code, CodemodSpec, Severity
from codemods.registry import SPECS

CODES = [(spec, code) for spec in SPECS for code in spec.codes]


def _id(case: tuple[CodemodSpec, Code]) -> str:
    return case[1].code


@pytest.mark.parametrize("case", CODES, ids=_id)
def test_example_runs_as_declared(case: tuple[CodemodSpec, Code]) -> None:
    spec, code = case
    example = code.example
    assert example is not None, f"{code.code} has no example"
    assert set(example.options) <= {"offload", *(o.name for o in spec.options)}
    options = {spec.name: dict(example.options)} if example.options else None
    wanted = {spec.name, *example.with_codemods}
    names = [s.name for s in SPECS if s.name in wanted]
    result = migrate_source(example.before, names, options=options)
    expected = example.before if example.after is None else example.after
    assert result.code.decode("utf-8") == expected
    assert code.code in {f.code for f in result.findings}
    if example.after is None:
        assert code.severity is not Severity.REWRITE, "a rewrite's example must change code"
        assert code.code in {f.code for f in result.left}
    else:
        again = migrate_source(result.code, names, options=options)
        assert again.code == result.code, "a second run must change nothing"


@pytest.mark.parametrize("case", CODES, ids=_id)
def test_explanation_is_short_wrapped_text(case: tuple[CodemodSpec, Code]) -> None:
    code = case[1]
    lines = code.explanation.splitlines()
    assert all(len(line) <= 88 for line in lines), code.code
    assert 4 <= len([line for line in lines if line.strip()]) <= 12, code.code
    assert not any(line != line.rstrip() for line in lines), code.code
