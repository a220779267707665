"""The selection rule, once: every case of DESIGN §4 through `rule.decide_order`."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from conftest import REPO

from inspect_cli.rule import (
    ABOVE_THRESHOLD,
    AMENDED_ABOVE_THRESHOLD,
    KEPT_AFTER_DOWNWARD,
    RANDOM_SAMPLE,
    decide_order,
)

RATE = Decimal("0.02")


def rule(amount: int, ticket: Decimal | str | None = "0.5", **before):
    return decide_order(amount, ticket, threshold_cents=100_000, sample_rate=RATE, **before)


def test_above_the_threshold_is_mandatory_whatever_the_ticket():
    assert rule(100_001, "0.9") == (True, ABOVE_THRESHOLD)
    assert rule(100_001, None) == (True, ABOVE_THRESHOLD)


def test_exactly_the_threshold_goes_to_the_draw():
    assert rule(100_000, "0.5") == (False, None)
    assert rule(100_000, "0.0199999") == (True, RANDOM_SAMPLE)


def test_a_ticket_equal_to_the_rate_is_not_below_it():
    assert rule(5_000, "0.02") == (False, None)
    assert rule(5_000, Decimal("0.0200000000001")) == (False, None)
    assert rule(5_000, Decimal("0.01")) == (True, RANDOM_SAMPLE)


def test_an_order_not_above_needs_its_ticket():
    with pytest.raises(ValueError, match="needs its ticket"):
        rule(5_000, None)


def test_an_amended_order_is_decided_again_only_when_it_crosses_upwards():
    assert rule(150_000, None, decided_before=True) == (True, AMENDED_ABOVE_THRESHOLD)
    assert rule(90_000, None, decided_before=True) is None
    # Selected before: never decided again, only noted when it went down from above.
    assert rule(90_000, None, decided_before=True, selected_at=150_000) == (
        True,
        KEPT_AFTER_DOWNWARD,
    )
    assert rule(90_000, None, decided_before=True, selected_at=50_000) is None
    assert rule(200_000, None, decided_before=True, selected_at=150_000) is None


def test_the_threshold_comparison_is_written_in_one_function():
    """`grep` for a comparison with the threshold finds the rule and nothing else."""
    comparison = re.compile(
        r"[<>]=?\s*[\w.:]*threshold_cents|threshold_cents\s*[<>]|[<>]\s*:threshold"
    )
    found = {}
    for path in sorted((REPO / "inspect_cli").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            if comparison.search(code) and not code.lstrip().startswith(('"', "'")):
                found.setdefault(path.name, []).append(number)
    assert list(found) == ["rule.py"], found
