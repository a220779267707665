"""Tickets must be exactly Rivest's consistent_sampler tickets, so an auditor can recompute them."""

import hashlib
from decimal import Decimal, localcontext

import pytest
from consistent_sampler.consistent_sampler import first_fraction, sha256_hex
from helpers import OTHER_RATES, RATES, random_ids
from hypothesis import given, settings
from hypothesis import strategies as st

from inspect_cli.errors import InvalidValue
from inspect_cli.rule import decide_order
from inspect_cli.sampling import (
    random_seed,
    seed_commitment,
    short_tickets,
    ticket,
    ticket_prefix,
)
from inspect_cli.stats import binomial_band

SEED = "37195408226615390473"
REALISTIC_IDS = ["WB-2026-000123", "01005500.", "16001346.002L", "AB-130", "", " ", "wo/7"]
ID_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


def expected(seed: str, ids: list[str], rate: Decimal) -> list[bool]:
    """The auditor's reference decision: the package's ticket compared as an exact Decimal."""
    return [Decimal(first_fraction(order_id, seed)) < rate for order_id in ids]


def sampled(seed: str, ids: list[str], rate: Decimal) -> list[bool]:
    """The draw as selection makes it: short tickets through the rule, for orders not above."""
    return [
        decide_order(0, t, threshold_cents=0, sample_rate=rate)[0]  # type: ignore[index]
        for t in short_tickets(seed, ids, rate)
    ]


def test_published_example_ticket():
    # From the consistent_sampler docstring, hard-coded so the package itself is checked too.
    assert ticket("01382438112797316654", "AB-130") == (
        "0.26299714122838008416507544297546663599715395525154425586041245287750224561854"
    )


def test_seed_commitment_is_sha256_of_the_seed():
    assert seed_commitment("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert seed_commitment(SEED) == sha256_hex(SEED) == hashlib.sha256(SEED.encode()).hexdigest()


def test_ticket_matches_consistent_sampler_on_thousands_of_ids():
    ids = REALISTIC_IDS + random_ids(3000)
    assert [ticket(SEED, i) for i in ids] == [first_fraction(i, SEED) for i in ids]


@given(seed=ID_TEXT, order_id=ID_TEXT)
def test_ticket_matches_consistent_sampler_for_any_text(seed: str, order_id: str):
    assert ticket(seed, order_id) == first_fraction(order_id, seed)


def test_ticket_prefix_truncates_for_display():
    full = ticket(SEED, "WB-2026-000123")
    assert ticket_prefix(SEED, "WB-2026-000123") == full[:14]
    assert ticket_prefix(SEED, "WB-2026-000123", digits=4) == full[:6]
    assert len(ticket_prefix(SEED, "WB-2026-000123")) == len("0.") + 12


@pytest.mark.parametrize("rate", RATES + OTHER_RATES, ids=str)
def test_sampled_equals_exact_decimal_comparison(rate: Decimal):
    ids = REALISTIC_IDS + random_ids(5000, seed=11)
    assert sampled(SEED, ids, rate) == expected(SEED, ids, rate)


@settings(max_examples=300)
@given(
    order_ids=st.lists(ID_TEXT, max_size=20),
    rate=st.sampled_from(RATES)
    | st.integers(0, 9).flatmap(lambda places: st.decimals(0, 1, places=places)),
)
def test_sampled_equals_exact_decimal_comparison_for_any_text(order_ids, rate: Decimal):
    assert sampled(SEED, order_ids, rate) == expected(SEED, order_ids, rate)


@pytest.mark.parametrize("order_id", REALISTIC_IDS[:3])
@pytest.mark.parametrize("digits", [1, 2, 4, 5, 12, 78, 90])
def test_a_ticket_equal_to_the_rate_is_not_below_it(order_id: str, digits: int):
    """Rates built from the ticket itself probe the exact boundary of the comparison."""
    t = Decimal(ticket(SEED, order_id))
    head = Decimal(ticket_prefix(SEED, order_id, digits))
    with localcontext(prec=200):  # exact sums of 78-digit decimals
        next_step = head + Decimal(f"1e-{digits}")
        hair_above = t + Decimal("1e-90")
    # The ticket is never below its own truncation, and always below the next step up.
    assert sampled(SEED, [order_id], head) == [t < head] == [False]
    assert sampled(SEED, [order_id], next_step) == [True]
    # Equal to the full ticket: not below; a hair above it: below.
    assert sampled(SEED, [order_id], t) == [False]
    assert sampled(SEED, [order_id], hair_above) == [True]


def test_rate_zero_samples_nothing_and_rate_one_samples_everything():
    ids = REALISTIC_IDS + random_ids(2000)
    assert not any(sampled(SEED, ids, Decimal("0")))
    assert not any(sampled(SEED, ids, Decimal("0.000")))
    assert all(sampled(SEED, ids, Decimal("1")))
    assert all(sampled(SEED, ids, Decimal("1.00")))


def test_decisions_do_not_depend_on_order_or_batching():
    ids = random_ids(1000)
    rate = Decimal("0.1")
    whole = dict(zip(ids, sampled(SEED, ids, rate), strict=True))
    reversed_ids = ids[::-1]
    assert dict(zip(reversed_ids, sampled(SEED, reversed_ids, rate), strict=True)) == whole
    batched = [
        d for start in range(0, 1000, 137) for d in sampled(SEED, ids[start : start + 137], rate)
    ]
    assert dict(zip(ids, batched, strict=True)) == whole


def test_a_different_seed_gives_different_decisions():
    ids = random_ids(2000)
    assert sampled(SEED, ids, Decimal("0.5")) != sampled("1" + SEED, ids, Decimal("0.5"))


def test_realised_rate_is_within_chance():
    n, rate = 100_000, Decimal("0.02")
    ids = [f"WB-2026-{i:06d}" for i in range(n)]
    lo, hi = binomial_band(n, float(rate), confidence=0.999)
    assert lo <= sum(sampled(SEED, ids, rate)) <= hi


@pytest.mark.parametrize("rate", [Decimal("-0.01"), Decimal("1.5"), Decimal("NaN"), Decimal("Inf")])
def test_rate_outside_zero_one_is_refused(rate: Decimal):
    with pytest.raises(InvalidValue, match="sampling rate must be between 0 and 1"):
        sampled(SEED, ["WB-1"], rate)


def test_float_rate_is_refused():
    with pytest.raises(TypeError, match="Decimal"):
        sampled(SEED, ["WB-1"], 0.02)  # type: ignore[arg-type]


def test_random_seed_is_twenty_fresh_digits():
    seeds = {random_seed() for _ in range(50)}
    assert len(seeds) == 50
    assert all(len(s) == 20 and s.isdigit() for s in seeds)
