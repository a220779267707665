"""Per-contractor signals (inspect_cli.signals) and the exact binomial tail (inspect_cli.stats)."""

from __future__ import annotations

import math
import random
from datetime import date
from fractions import Fraction

import pytest

from inspect_cli.reports import Period
from inspect_cli.signals import (
    ALPHA,
    BENFORD,
    AmountProfile,
    Findings,
    amount_profiles,
    benford_conformity,
    benford_mad,
    contractor_signals,
)
from inspect_cli.splits import OrderColumns, candidates
from inspect_cli.stats import _binomial_sf, binomial_upper_tail

THRESHOLD = 100_000
NO_FINDINGS = Findings([], [])


def profile(contractor: str, amounts: list[int]) -> AmountProfile:
    """Count amounts (cents) the way the store's query does."""
    digits: dict[int, int] = {}
    for a in amounts:
        if a >= 1000:
            digits[int(str(a)[:2])] = digits.get(int(str(a)[:2]), 0) + 1
    return AmountProfile(
        contractor,
        len(amounts),
        sum(90_000 <= a <= THRESHOLD for a in amounts),
        sum(a % 10_000 == 0 for a in amounts),
        digits,
    )


def ordinary(rng: random.Random, n: int) -> list[int]:
    """An ordinary spread of repair amounts: log-normal around EUR 300, a few above 1,000."""
    return [max(100, int(math.exp(rng.gauss(math.log(30_000), 0.9)))) for _ in range(n)]


def exact_tail(k: int, n: int, p: Fraction) -> Fraction:
    return sum((math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1)), Fraction(0))


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [(0, 10, "0.3"), (1, 10, "0.3"), (3, 10, "0.3"), (10, 10, "0.3"), (7, 20, "0.05"),
     (80, 200, "1/25"), (2, 200, "1/25"), (15, 60, "0.5")],
)  # fmt: skip
def test_binomial_upper_tail_is_exact(k, n, p):
    exact = exact_tail(k, n, Fraction(p))
    assert binomial_upper_tail(k, n, float(Fraction(p))) == pytest.approx(float(exact), rel=1e-9)


def test_binomial_upper_tail_agrees_with_the_incomplete_beta_for_large_n():
    for k, n, p in [(5200, 100_000, 0.05), (4800, 100_000, 0.05), (40, 1_000_000, 0.00002)]:
        assert binomial_upper_tail(k, n, p) == pytest.approx(_binomial_sf(k - 1, n, p), rel=1e-8)


def test_binomial_upper_tail_edges():
    assert binomial_upper_tail(0, 5, 0.2) == 1.0
    assert binomial_upper_tail(6, 5, 0.2) == 0.0
    assert binomial_upper_tail(1, 5, 0.0) == 0.0
    assert binomial_upper_tail(5, 5, 1.0) == 1.0
    with pytest.raises(ValueError):
        binomial_upper_tail(2, 5, 1.5)


def test_forty_percent_of_200_just_below_the_threshold_is_flagged():
    rng = random.Random(14)
    suspect = ordinary(rng, 120) + [95_000 + rng.randrange(5_000) for _ in range(80)]
    profiles = [profile("Suspect", suspect)]
    profiles += [profile(f"Ordinary {i}", ordinary(rng, 300)) for i in range(5)]
    signals = {s.contractor: s for s in contractor_signals(profiles, NO_FINDINGS)}
    s = signals["Suspect"]
    assert s.orders == 200
    assert 0.4 <= s.near_share < 0.45  # the ordinary part has a few there too
    assert s.near_expected < 0.05
    assert s.near_p < 1e-30
    assert s.near_flag is True
    assert s.flag_below == pytest.approx(ALPHA / 6)
    assert not any(signals[f"Ordinary {i}"].near_flag for i in range(5))


def test_ordinary_spreads_are_flagged_at_most_at_the_documented_rate():
    """200 periods of 20 contractors with one ordinary spread: Bonferroni keeps the chance of
    any flag in a period at or below 1%, so at most a few of the 200 periods have one."""
    rng = random.Random(20261127)
    periods_with_a_flag = 0
    tested = 0
    for _ in range(200):
        profiles = [profile(f"C{i}", ordinary(rng, rng.randrange(50, 400))) for i in range(20)]
        signals = contractor_signals(profiles, NO_FINDINGS)
        tested += len(signals)
        periods_with_a_flag += any(s.near_flag for s in signals)
    assert tested == 4000
    # Expected at most 2 (1% of 200); 6 or more would happen with probability below 2%.
    assert periods_with_a_flag <= 5


def test_contractors_under_the_minimum_are_not_tested_but_count_as_others():
    rng = random.Random(3)
    profiles = [profile("Big", ordinary(rng, 100))]
    profiles += [profile("Small", [95_000] * 49), profile("Smaller", [95_000] * 10)]
    [big] = contractor_signals(profiles, NO_FINDINGS)
    assert big.contractor == "Big"
    assert big.near_expected == pytest.approx(1.0)
    assert big.near_flag is False


@pytest.mark.parametrize("others", [0, 49])
def test_a_contractor_without_enough_others_has_nothing_to_be_compared_with(others):
    profiles = [profile("Alone", [95_000] * 60), profile("Few", [20_000] * others)]
    [alone] = contractor_signals(profiles, NO_FINDINGS)
    assert alone.near_share == 1.0
    assert alone.near_expected is None
    assert alone.near_p is None
    assert alone.near_flag is False


def test_round_amounts_share_against_the_others():
    profiles = [
        profile("Round", [50_000] * 30 + [12_345] * 70),
        profile("Other", [20_000] * 10 + [12_345] * 90),
    ]
    signals = {s.contractor: s for s in contractor_signals(profiles, NO_FINDINGS)}
    assert signals["Round"].round_share == pytest.approx(0.3)
    assert signals["Round"].round_expected == pytest.approx(0.1)
    assert signals["Other"].round_expected == pytest.approx(0.3)


def test_benford_mad_of_exact_benford_shares_is_zero_and_of_one_price_is_large():
    exact = {d: round(share * 1_000_000) for d, share in BENFORD.items()}
    assert benford_mad(exact) == pytest.approx(0.0, abs=1e-6)
    assert benford_mad({45: 5000}) > 0.02
    assert benford_mad({}) is None


@pytest.mark.parametrize(
    ("mad", "amounts", "conformity"),
    [
        (0.0012, 5000, "close"),
        (0.00121, 5000, "acceptable"),
        (0.0018, 5000, "acceptable"),
        (0.0020, 5000, "marginal"),
        (0.0022, 5000, "marginal"),
        (0.0023, 5000, "nonconformity"),
        (0.0005, 2999, "too few amounts"),
        (None, 0, "too few amounts"),
    ],
)
def test_nigrini_ranges(mad, amounts, conformity):
    assert benford_conformity(mad, amounts) == conformity


def test_benford_of_an_ordinary_spread_with_many_amounts_conforms():
    rng = random.Random(7)
    low, high = math.log(1_000), math.log(10_000_000)
    amounts = [int(math.exp(rng.uniform(low, high))) for _ in range(20_000)]
    p = profile("Wide", amounts)
    mad = benford_mad(p.digits)
    assert benford_conformity(mad, sum(p.digits.values())) == "close"


def test_amount_profiles_count_the_period_per_contractor():
    orders = OrderColumns(
        order_ids=["A1", "A2", "A3", "A4", "A5", "B1", "B2"],
        contractors=["A", "A", "A", "A", "A", "B", "B"],
        dwelling_ids=[None] * 7,
        addresses=[None] * 7,
        postcodes=[None] * 7,
        completed_on=["2026-11-01", "2026-11-30", "2026-11-15", "2026-12-01", "2026-11-02",
                      "2026-11-03", None],
        amounts_cents=[123_456, 95_000, 999, 50_000, -95_000, 100_000, 50_000],
    )  # fmt: skip
    november = Period(date(2026, 11, 1), date(2026, 11, 30))
    a, b = amount_profiles(candidates(orders), period=november, threshold_cents=THRESHOLD)
    # A4 is in December, A5 is a credit note; B2 is not completed.
    assert (a.contractor, a.orders, a.near, a.round, a.digits) == ("A", 3, 1, 0, {12: 1, 95: 1})
    assert (b.contractor, b.orders, b.near, b.round, b.digits) == ("B", 1, 1, 1, {10: 1})
