"""Fuzzing, bounded (issue 8): generated modules through every registered codemod.

The generators and oracles are in :mod:`tests.fuzzing`; ``benchmarks/fuzz_long.py`` runs
the same checks for longer. Example counts keep this file well under a minute on 2 cores.
"""

from __future__ import annotations

import ast

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzzing import (
    COROUTINE,
    GENEXP,
    OTHER,
    check_arbitrary,
    check_program,
    classify,
    probe_module,
    registered_shapes,
    shaped_modules,
)

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.slow
@settings(FUZZ, max_examples=30)
@given(hypothesmith.from_grammar())
def test_grammar_modules(source: str) -> None:
    check_arbitrary(source)
    check_arbitrary(source + probe_module(), every_way=False)  # every codemod has work


@pytest.mark.slow
@settings(FUZZ, max_examples=15)
@given(hypothesmith.from_node())
def test_node_modules(source: str) -> None:
    check_arbitrary(source)
    check_arbitrary(source + probe_module(), every_way=False)


@pytest.mark.slow
@settings(FUZZ, max_examples=120)
@given(shaped_modules(max_depth=2, width=2))
def test_shapes_in_random_contexts(program) -> None:  # type: ignore[no-untyped-def]
    check_program(program)


def test_classifier_knows_where_calls_run() -> None:
    """The oracle itself, on calls whose context is known."""
    (shape,) = registered_shapes()[:1]
    source = """
import time

async def coroutine(a=time.sleep(101), *, k: time.sleep(102) = 0) -> time.sleep(103):
    time.sleep(104)
    [time.sleep(105) for _ in range(2)]
    (time.sleep(106) for _ in [time.sleep(107)] if time.sleep(108))
    lambda b=time.sleep(109): time.sleep(110)
    pause: time.sleep(111) = time.sleep(112)

    @time.sleep(113)
    def nested(c=time.sleep(114)):
        time.sleep(115)

    class Nested(time.sleep(116)):
        time.sleep(117)

def sync():
    time.sleep(118)
"""
    sites = {100 + n: shape for n in range(1, 19)}
    where = {arg: kind for arg, (kind, _) in classify(ast.parse(source), sites).items()}
    coroutine = {104, 105, 107, 109, 112, 113, 114, 116}
    genexp = {106, 108}
    assert {a for a, k in where.items() if k == COROUTINE} == coroutine
    assert {a for a, k in where.items() if k == GENEXP} == genexp
    assert {a for a, k in where.items() if k == OTHER} == set(sites) - coroutine - genexp
