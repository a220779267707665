"""``report splits`` and ``report signals``: patterns for a person to look at, never accusations.

Per contractor with at least `MIN_ORDERS` completed orders (above zero: credit notes are left
out everywhere here) in the period:

- **Near the threshold**: the share of its orders from 90% of the threshold up to the threshold
  itself, against the share of all other contractors' orders there. The p-value is the exact
  one-sided binomial tail P(X >= k) of k such orders out of n at the others' share. Flagged when
  the share is higher and p < `ALPHA` / the number of contractors tested (Bonferroni), so that
  in a period where every contractor bills an ordinary spread, the chance of any flag at all is
  at most 1%.
- **First two digits** (Benford): Nigrini's mean absolute deviation of the first-two-digit
  shares of amounts >= EUR 10 from Benford's law, with his conformity ranges. Shown, never
  flagged: price lists and fixed rates break Benford for honest reasons, and below
  `BENFORD_MIN_AMOUNTS` amounts chance alone exceeds the ranges.
- **Round amounts**: the share of whole-hundred amounts, against the others'.
- **Split groups** and **possible double billings** (``splits``) that start in the period.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial
from typing import Any

import numpy as np

from inspect_cli import speedups, store
from inspect_cli.formatting import Formatter
from inspect_cli.i18n import fill, translate
from inspect_cli.money import format_cents
from inspect_cli.reports import Column, Period, Report
from inspect_cli.rule import above_threshold
from inspect_cli.splits import (
    DAY_ZERO,
    CandidateParts,
    Candidates,
    DoubleBilling,
    SplitGroup,
    candidates_from_text,
    double_billing_starts,
    find_double_billings,
    find_split_groups,
    group_of_order,
    split_group_starts,
)
from inspect_cli.stats import binomial_upper_tail
from inspect_cli.store import reports as db
from inspect_cli.store.selections import snapshot

MIN_ORDERS = 50
"""Fewer orders in the period: no signals for that contractor (a share of 3 in 20 says little)."""
ALPHA = 0.01
"""Family-wise error of the near-threshold flags: divided by the number of contractors tested."""
NEAR_FROM = (9, 10)
"""Near the threshold: from 9/10 of it up to and including the threshold."""
BENFORD_MIN_AMOUNTS = 3000
"""With fewer amounts, perfectly Benford data scores above Nigrini's 'acceptable' by chance."""
NIGRINI_RANGES = ((0.0012, "close"), (0.0018, "acceptable"), (0.0022, "marginal"))
"""Upper bounds (inclusive) of Nigrini's first-two-digit conformity ranges; above: nonconformity."""
TOO_FEW_AMOUNTS = "too few amounts"
READ_PARTS = 4
"""The stored orders are read in this many parts, each parsed while the next is read."""
BENFORD = {d: math.log10(1 + 1 / d) for d in range(10, 100)}
"""Expected share of each first-two-digit pair under Benford's law."""


# --- loading from the store --------------------------------------------------------------------


def _day(day: date) -> int:
    return day.toordinal() - DAY_ZERO


def _in_period(days: np.ndarray, period: Period) -> np.ndarray:
    inside = np.ones(len(days), dtype=bool)
    if period.start is not None:
        inside &= days >= _day(period.start)
    if period.end is not None:
        inside &= days <= _day(period.end)
    return inside


def _starts_in(day: str, period: Period) -> bool:
    return (period.start is None or day >= period.start.isoformat()) and (
        period.end is None or day <= period.end.isoformat()
    )


@dataclass(frozen=True)
class Findings:
    """Split groups and possible double billings that start in a period."""

    groups: list[SplitGroup]
    doubles: list[DoubleBilling]

    def counts(self) -> FindingCounts:
        groups: dict[str, int] = {}
        for g in self.groups:
            groups[g.contractor] = groups.get(g.contractor, 0) + 1
        doubles: dict[str, int] = {}
        for d in self.doubles:
            doubles[d.contractor] = doubles.get(d.contractor, 0) + 1
        return FindingCounts(groups, doubles)


@dataclass(frozen=True)
class FindingCounts:
    """Split groups and possible double billings that start in a period, per contractor."""

    groups: dict[str, int]
    doubles: dict[str, int]

    def counts(self) -> FindingCounts:
        return self


def count_findings(
    orders: Candidates, *, period: Period, threshold_cents: int, window_days: int
) -> FindingCounts:
    """What `findings` finds, counted per contractor without building a group or a pair:
    the signals' CSV shows only these counts."""
    names = orders.contractor_codes()[0]

    def per_contractor(contractors: np.ndarray, first_days: np.ndarray) -> dict[str, int]:
        counted = np.bincount(contractors[_in_period(first_days, period)], minlength=len(names))
        return {name: int(n) for name, n in zip(names, counted.tolist(), strict=True) if n}

    return FindingCounts(
        per_contractor(
            *split_group_starts(orders, threshold_cents=threshold_cents, window_days=window_days)
        ),
        per_contractor(*double_billing_starts(orders, window_days=window_days)),
    )


def stored_candidates(
    conn: sqlite3.Connection,
    *,
    period: Period,
    window_days: int,
    contractor: str | None = None,
    at_most_cents: int | None = None,
    order_ids: bool = True,
) -> Candidates:
    """The stored orders that split groups and double billings starting in the period can
    hold, which include the period's orders for the signals: every order before the period's
    end (where a group starts depends on the orders before it) and a window after it, so that a
    group starting on its last day is whole (later orders cannot change it). Without
    `order_ids` the candidates have no ids: enough to count groups and pairs."""
    until = None if period.end is None else (period.end + timedelta(days=window_days)).isoformat()
    read = partial(
        db.split_candidates,
        until=until,
        contractor=contractor,
        at_most_cents=at_most_cents,
        order_ids=order_ids,
    )
    if contractor is not None:
        return candidates_from_text(*read(conn))
    # A thread reads the orders part by part through a connection of its own, in one read
    # transaction (one state of the store), while each part read is parsed here: SQLite and
    # the interpreter work at once. Two reads at once would not be faster. Each contractor's
    # orders are read apart (through the contractor index), so that SQLite need not join the
    # contractor to every order's place; within a contractor they keep the order of the store.
    parts = CandidateParts()
    with store.reader(conn) as other, snapshot(other):
        texts = name = None
        for each in db.contractor_names(other):
            for rowids in db.order_parts(other, READ_PARTS):
                with speedups.beside(
                    read, other, contractor=each, rowids=rowids, place_contractor=False
                ) as following:
                    if texts is not None:
                        parts.add(*texts, contractor=name)
                    texts, name = following(), each
        if texts is not None:
            parts.add(*texts, contractor=name)
    return parts.candidates()


def findings(
    orders: Candidates,
    *,
    period: Period,
    threshold_cents: int,
    window_days: int,
    doubles: bool = True,
) -> Findings:
    """Split groups, and double billings unless not asked for, whose first order is completed
    in the period."""
    groups = find_split_groups(orders, threshold_cents=threshold_cents, window_days=window_days)
    pairs = find_double_billings(orders, window_days=window_days) if doubles else []
    return Findings(
        [g for g in groups if _starts_in(g.first_on, period)],
        [d for d in pairs if _starts_in(d.first_on, period)],
    )


def _with_addresses(conn: sqlite3.Connection, found: Findings) -> Findings:
    """Fill in the address of groups and pairs known by dwelling id, from their first order
    (their addresses are not read to group them)."""
    wanted = [g.order_ids[0] for g in found.groups if g.address is None]
    wanted += [d.first_order_id for d in found.doubles if d.address is None]
    if not wanted:
        return found
    places = db.order_places(conn, wanted)
    groups = []
    for g in found.groups:
        if g.address is None and g.order_ids[0] in places:
            address, postcode = places[g.order_ids[0]]
            # The constructor, not dataclasses.replace: this runs once per group.
            g = SplitGroup(
                g.contractor, g.dwelling, g.dwelling_id, address, postcode,
                g.order_ids, g.first_on, g.last_on, g.total_cents,
            )  # fmt: skip
        groups.append(g)
    doubles = [
        d
        if d.address is not None or d.first_order_id not in places
        else replace(d, address=places[d.first_order_id][0])
        for d in found.doubles
    ]
    return Findings(groups, doubles)


def stored_split_groups(
    conn: sqlite3.Connection,
    *,
    period: Period,
    threshold_cents: int,
    window_days: int,
    contractor: str | None = None,
) -> list[SplitGroup]:
    """Split groups of the stored orders that start in the period."""
    orders = stored_candidates(
        conn,
        period=period,
        window_days=window_days,
        contractor=contractor,
        at_most_cents=threshold_cents,
    )
    found = findings(
        orders,
        period=period,
        threshold_cents=threshold_cents,
        window_days=window_days,
        doubles=False,
    )
    return _with_addresses(conn, found).groups


def stored_group_of_order(
    conn: sqlite3.Connection, order_id: str, *, threshold_cents: int, window_days: int
) -> SplitGroup | None:
    """The split group of one stored order, None when it is in none (or unknown).

    Only its contractor's orders are grouped: the rule looks at one contractor and dwelling at
    a time, so the group is the one the whole store gives.
    """
    contractor = db.order_contractor(conn, order_id)
    if contractor is None:
        return None
    orders = candidates_from_text(
        *db.split_candidates(conn, contractor=contractor, at_most_cents=threshold_cents)
    )
    groups = find_split_groups(orders, threshold_cents=threshold_cents, window_days=window_days)
    group = group_of_order(groups, order_id)
    if group is None:
        return None
    return _with_addresses(conn, Findings([group], [])).groups[0]


# --- report splits -----------------------------------------------------------------------------

SPLIT_COLUMNS = (
    Column("contractor", "Contractor", "text"),
    Column("dwelling_id", "Dwelling", "text", drop=3),
    Column("address", "Address", "text", drop=4),
    Column("postcode", "Postcode", "text", hidden=True),
    Column("orders", "Orders", drop=5),
    Column("order_ids", "Order ids", "text"),
    Column("first_on", "First", "date"),
    Column("last_on", "Last", "date", drop=2),
    Column("total_eur", "Total (EUR)", "money"),
)


def _group_row(g: SplitGroup) -> dict[str, Any]:
    return {
        "contractor": g.contractor,
        "dwelling_id": g.dwelling_id,
        "address": g.address,
        "postcode": g.postcode,
        "orders": len(g.order_ids),
        "order_ids": " ".join(g.order_ids),
        "first_on": g.first_on,
        "last_on": g.last_on,
        "total_eur": g.total_cents,
    }


def _eur(cents: int, lang: str) -> str:
    """An amount in a note: as the reports always wrote it in English, Belgian in Dutch and
    French."""
    return format_cents(cents) if lang == "en" else Formatter(lang).money(cents)


def splits_report(
    groups: list[SplitGroup],
    *,
    period: Period,
    threshold_cents: int,
    window_days: int,
    lang: str = "en",
) -> Report:
    """One row per split group (order ids space-separated in table and CSV)."""
    return Report(
        "splits",
        fill(lang, "Split orders: {period}", period=period.text(lang)),
        SPLIT_COLUMNS,
        [_group_row(g) for g in groups],
        notes=[
            fill(
                lang,
                "{n} groups: orders of one contractor at one dwelling, each at or below "
                "EUR {limit}, completed within {days} days of the first, together above it.",
                n=len(groups),
                limit=_eur(threshold_cents, lang),
                days=window_days,
            ),
            translate(
                lang,
                "A split group is a pattern to look at: one job may honestly need several orders.",
            ),
        ],
    )


def splits_csv_records(groups: list[SplitGroup]) -> list[list[str]]:
    """`splits_report(groups).csv_records()` built straight from the groups, without a row of
    values per group first: the order ids run to megabytes."""
    return [
        [
            g.contractor,
            g.dwelling_id or "",
            g.address or "",
            g.postcode or "",
            str(len(g.order_ids)),
            " ".join(g.order_ids),
            g.first_on,
            g.last_on,
            format_cents(g.total_cents),
        ]
        for g in groups
    ]


def splits_json(
    groups: list[SplitGroup], *, period: Period, threshold_cents: int, window_days: int
) -> dict[str, Any]:
    return {
        **_period_json(period),
        "threshold_eur": format_cents(threshold_cents),
        "window_days": window_days,
        "groups": [
            {
                **_group_row(g),
                "order_ids": list(g.order_ids),
                "total_eur": format_cents(g.total_cents),
            }
            for g in groups
        ],
    }


def _period_json(period: Period) -> dict[str, Any]:
    return {
        "period_from": period.start.isoformat() if period.start else None,
        "period_to": period.end.isoformat() if period.end else None,
    }


# --- report signals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AmountProfile:
    """A contractor's completed orders above zero in the period, counted for the signals."""

    contractor: str
    orders: int
    near: int
    round: int
    digits: dict[int, int]
    """Amounts >= EUR 10 per first two digits (10 to 99)."""


def _first_two_digits(cents: np.ndarray) -> np.ndarray:
    """First two digits of amounts of at least 10.00 (1000 cents): 1234.56 -> 12."""
    digits = cents.copy()
    while (large := digits >= 100).any():
        digits[large] //= 10
    return digits


def amount_profiles(
    orders: Candidates, *, period: Period, threshold_cents: int
) -> list[AmountProfile]:
    """Per contractor with orders completed in the period: counts for the signals."""
    names, contractor = orders.contractor_codes()
    inside = _in_period(orders.days, period)
    contractor, amounts = contractor[inside], orders.amounts[inside]
    k = len(names)
    counts = np.bincount(contractor, minlength=k)
    near_mask = (amounts >= _near_from(threshold_cents)) & ~above_threshold(
        amounts, threshold_cents
    )
    near = np.bincount(contractor[near_mask], minlength=k)
    whole = np.bincount(contractor[amounts % 10_000 == 0], minlength=k)
    big = amounts >= 1000
    digits = np.bincount(
        contractor[big] * 100 + _first_two_digits(amounts[big]), minlength=100 * k
    ).reshape(k, 100)
    return [
        AmountProfile(
            name,
            int(counts[i]),
            int(near[i]),
            int(whole[i]),
            {d: int(n) for d, n in enumerate(digits[i].tolist()) if n},
        )
        for i, name in enumerate(names)
        if counts[i]
    ]


def benford_mad(digits: dict[int, int]) -> float | None:
    """Nigrini's mean absolute deviation of first-two-digit shares from Benford's law."""
    total = sum(digits.values())
    if total == 0:
        return None
    return sum(abs(digits.get(d, 0) / total - share) for d, share in BENFORD.items()) / len(BENFORD)


def benford_conformity(mad: float | None, amounts: int) -> str:
    """Nigrini's range for a first-two-digit MAD, or why there is none."""
    if mad is None or amounts < BENFORD_MIN_AMOUNTS:
        return TOO_FEW_AMOUNTS
    return next((name for bound, name in NIGRINI_RANGES if mad <= bound), "nonconformity")


@dataclass(frozen=True)
class ContractorSignals:
    contractor: str
    orders: int
    near: int
    near_share: float
    near_expected: float | None
    """The other contractors' share near the threshold; None when they have fewer than
    `min_orders` orders together (no share to compare with)."""
    near_p: float | None
    near_flag: bool
    benford_amounts: int
    benford_mad: float | None
    benford_conformity: str
    round_share: float
    round_expected: float | None
    split_groups: int
    double_billings: int
    flag_below: float
    """The Bonferroni bar: ALPHA / the number of contractors tested."""


def contractor_signals(
    profiles: list[AmountProfile],
    findings: Findings | FindingCounts,
    *,
    min_orders: int = MIN_ORDERS,
    alpha: float = ALPHA,
) -> list[ContractorSignals]:
    """Signals of every contractor with at least `min_orders` orders, compared with all other
    contractors' orders (whether or not those reach the minimum)."""
    all_orders = sum(p.orders for p in profiles)
    all_near = sum(p.near for p in profiles)
    all_round = sum(p.round for p in profiles)
    tested = [p for p in profiles if p.orders >= min_orders]
    compared = [p for p in tested if all_orders - p.orders >= min_orders]
    bar = alpha / max(1, len(compared))
    counted = findings.counts()
    groups, doubles = counted.groups, counted.doubles
    result = []
    for p in tested:
        others = all_orders - p.orders
        expected = (all_near - p.near) / others if others >= min_orders else None
        share = p.near / p.orders
        p_value = None if expected is None else binomial_upper_tail(p.near, p.orders, expected)
        mad = benford_mad(p.digits)
        amounts = sum(p.digits.values())
        result.append(
            ContractorSignals(
                contractor=p.contractor,
                orders=p.orders,
                near=p.near,
                near_share=share,
                near_expected=expected,
                near_p=p_value,
                near_flag=bool(
                    p_value is not None
                    and expected is not None
                    and share > expected
                    and p_value < bar
                ),
                benford_amounts=amounts,
                benford_mad=mad,
                benford_conformity=benford_conformity(mad, amounts),
                round_share=p.round / p.orders,
                round_expected=(all_round - p.round) / others if others >= min_orders else None,
                split_groups=groups.get(p.contractor, 0),
                double_billings=doubles.get(p.contractor, 0),
                flag_below=bar,
            )
        )
    return result


SIGNAL_COLUMNS = (
    Column("contractor", "Contractor", "text"),
    Column("orders", "Orders"),
    Column("near_threshold", "Near threshold", hidden=True),
    Column("near_threshold_share", "Near thr.", "rate"),
    Column("near_threshold_expected_share", "Others", "rate", drop=4),
    Column("near_threshold_p", "p", "float", hidden=True),
    Column("near_threshold_test", "Test", "text"),
    Column("near_threshold_flag", "Flag", "bool", hidden=True),
    Column("benford_amounts", "Amounts >= EUR 10", hidden=True),
    Column("benford_mad", "Benford MAD", "float", hidden=True),
    Column("benford", "Benford (MAD)", "text", drop=3, phrase=True),
    Column("benford_conformity", "Benford conformity", "text", hidden=True),
    Column("round_share", "Round", "rate", drop=5),
    Column("round_expected_share", "Others round", "rate", drop=6),
    Column("split_groups", "Splits"),
    Column("double_billings", "Double"),
)


def _p_text(p: float | None) -> str:
    return "–" if p is None else f"p={p:.2g}"


def _signal_row(s: ContractorSignals) -> dict[str, Any]:
    return {
        "contractor": s.contractor,
        "orders": s.orders,
        "near_threshold": s.near,
        "near_threshold_share": s.near_share,
        "near_threshold_expected_share": s.near_expected,
        "near_threshold_p": s.near_p,
        "near_threshold_test": ("FLAG " if s.near_flag else "") + _p_text(s.near_p),
        "near_threshold_flag": s.near_flag,
        "benford_amounts": s.benford_amounts,
        "benford_mad": None if s.benford_mad is None else round(s.benford_mad, 4),
        "benford": s.benford_conformity
        + ("" if s.benford_mad is None else f" ({s.benford_mad:.4f})"),
        "benford_conformity": s.benford_conformity,
        "round_share": s.round_share,
        "round_expected_share": s.round_expected,
        "split_groups": s.split_groups,
        "double_billings": s.double_billings,
    }


def _notes(signals: list[ContractorSignals], threshold_cents: int, lang: str) -> list[str]:
    return [
        fill(
            lang,
            "Contractors with at least {n} completed orders (credit notes left out).",
            n=MIN_ORDERS,
        ),
        fill(
            lang,
            "Near thr.: share of orders from EUR {low} to EUR {high}; Others: the other "
            "contractors' share there; p: exact one-sided binomial test.",
            low=_eur(_near_from(threshold_cents), lang),
            high=_eur(threshold_cents, lang),
        ),
        fill(
            lang,
            "FLAG: share higher than the others' and p below {bar} ({alpha} / contractors "
            "tested, Bonferroni).",
            bar=f"{_bar(signals):.2g}",
            alpha=ALPHA,
        ),
        fill(
            lang,
            "Benford: first-two-digit MAD with Nigrini's ranges, shown, not a finding: price "
            "lists and fixed rates break Benford; under {n} amounts: {too_few}.",
            n=f"{BENFORD_MIN_AMOUNTS:,}"
            if lang == "en"
            else Formatter(lang).count(BENFORD_MIN_AMOUNTS),
            too_few=translate(lang, TOO_FEW_AMOUNTS),
        ),
        translate(
            lang,
            "Round: share of whole-hundred amounts. Splits and Double: split groups and "
            "possible double billings starting in the period.",
        ),
        translate(lang, "These are signals for a person to look at, never proof of anything."),
    ]


def _bar(signals: list[ContractorSignals]) -> float:
    return signals[0].flag_below if signals else ALPHA


def _near_from(threshold_cents: int) -> int:
    numerator, denominator = NEAR_FROM
    return -(-threshold_cents * numerator // denominator)


def signals_report(
    signals: list[ContractorSignals], *, period: Period, threshold_cents: int, lang: str = "en"
) -> Report:
    return Report(
        "signals",
        fill(lang, "Signals per contractor: {period}", period=period.text(lang)),
        SIGNAL_COLUMNS,
        [_signal_row(s) for s in signals],
        notes=_notes(signals, threshold_cents, lang),
    )


DOUBLE_COLUMNS = (
    Column("contractor", "Contractor", "text"),
    Column("dwelling_id", "Dwelling", "text", drop=3),
    Column("address", "Address", "text", drop=4),
    Column("amount_eur", "Amount (EUR)", "money"),
    Column("first_order_id", "Order", "text"),
    Column("first_on", "Completed", "date", drop=2),
    Column("second_order_id", "Same amount", "text"),
    Column("second_on", "Completed", "date", drop=2),
)


def _double_row(d: DoubleBilling) -> dict[str, Any]:
    return {
        "contractor": d.contractor,
        "dwelling_id": d.dwelling_id,
        "address": d.address,
        "amount_eur": d.amount_cents,
        "first_order_id": d.first_order_id,
        "first_on": d.first_on,
        "second_order_id": d.second_order_id,
        "second_on": d.second_on,
    }


def doubles_report(doubles: list[DoubleBilling], *, window_days: int, lang: str = "en") -> Report:
    return Report(
        "double_billings",
        fill(
            lang,
            "Possible double billing: same contractor, dwelling and amount within {days} days",
            days=window_days,
        ),
        DOUBLE_COLUMNS,
        [_double_row(d) for d in doubles],
    )


def signals_json(
    signals: list[ContractorSignals],
    findings: Findings,
    *,
    period: Period,
    threshold_cents: int,
    window_days: int,
) -> dict[str, Any]:
    return {
        **_period_json(period),
        "threshold_eur": format_cents(threshold_cents),
        "near_threshold_from_eur": format_cents(_near_from(threshold_cents)),
        "window_days": window_days,
        "min_orders": MIN_ORDERS,
        "flag_below_p": _bar(signals),
        "contractors": [
            {k: v for k, v in _signal_row(s).items() if k not in ("near_threshold_test", "benford")}
            for s in signals
        ],
        "double_billings": [
            {**_double_row(d), "amount_eur": format_cents(d.amount_cents)} for d in findings.doubles
        ],
    }


def build_signals(
    conn: sqlite3.Connection,
    *,
    period: Period,
    threshold_cents: int,
    window_days: int,
    contractor: str | None = None,
    details: bool = True,
) -> tuple[list[ContractorSignals], Findings]:
    """Signals of every contractor in the period (the others are the comparison even when one
    contractor is asked for), and the findings behind their counts; without `details` the
    findings are counted only, and none are returned."""
    orders = stored_candidates(conn, period=period, window_days=window_days, order_ids=details)
    found = (
        findings(orders, period=period, threshold_cents=threshold_cents, window_days=window_days)
        if details
        else Findings([], [])
    )
    counted = (
        found.counts()
        if details
        else count_findings(
            orders, period=period, threshold_cents=threshold_cents, window_days=window_days
        )
    )
    profiles = amount_profiles(orders, period=period, threshold_cents=threshold_cents)
    signals = contractor_signals(profiles, counted)
    if contractor is not None:
        signals = [s for s in signals if s.contractor == contractor]
        found = Findings(
            [g for g in found.groups if g.contractor == contractor],
            [d for d in found.doubles if d.contractor == contractor],
        )
    return signals, _with_addresses(conn, found)
