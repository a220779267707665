"""Reports for management and auditors: summary, contractor scorecard, overdue, satisfaction.

Which orders a report covers: the orders *completed* in the period (``completed_on``), and
everything that happened to those orders since: their selection, inspection outcomes,
corrections and tenant scores, whenever they were recorded. One population for every figure,
so that rates compare like with like (inspected / selected, failures / inspected) and a
contractor's failures belong to the work of that period. A period's figures still move while its
open inspections are done. Open and overdue are counted as of ``today``.

This module computes; ``store.reports`` fetches the aggregates and the CLI formats. A report
is columns plus rows of plain values (money in cents, rates as fractions), written the same way
to CSV and JSON; the table view formats the same values for people.
"""

from __future__ import annotations

import calendar
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from inspect_cli.errors import InvalidValue, MalformedOption
from inspect_cli.formatting import Formatter, machine_text
from inspect_cli.i18n import fill, translate
from inspect_cli.money import format_cents
from inspect_cli.stats import (
    MIN_PROJECTION_SAMPLE,
    clopper_pearson,
    mean_difference_interval,
    ratio_projection,
)
from inspect_cli.store import reports as db

REPORTS = ("summary", "contractors", "overdue", "satisfaction", "projection")
MIN_RESPONSES = 10
"""Fewer scores than this on either side of a comparison: too few responses to conclude."""
TOO_FEW = "too few responses to conclude"
TOTAL = "all"
"""The row of all contractors (or all groups) together; tables show it in their language."""
CONFIDENCE = 0.95


# --- period ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Completion dates covered, both ends inclusive; None is open-ended."""

    start: date | None = None
    end: date | None = None

    @property
    def label(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        """The period in words, in a language, dates as that language writes them."""
        if self.start is None and self.end is None:
            return translate(lang, "all completed orders")
        day = Formatter(lang).day
        return fill(
            lang,
            "completed {start} to {end}",
            start=day(self.start) if self.start else "…",
            end=day(self.end) if self.end else "…",
        )


def parse_period(period: str | None, start: str | None, end: str | None) -> Period:
    """--period 2026 | 2026-Q4 | 2026-11, or --from/--to as YYYY-MM-DD (either may be left out)."""
    if period is not None:
        if start is not None or end is not None:
            raise MalformedOption("use either --period or --from/--to, not both")
        return _named_period(period.strip())
    first = _day(start, "--from")
    last = _day(end, "--to")
    if first and last and first > last:
        raise MalformedOption(f"--from {first} is after --to {last}")
    return Period(first, last)


def _named_period(text: str) -> Period:
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        return Period(date(year, 1, 1), date(year, 12, 31))
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        year, quarter = int(m[1]), int(m[2])
        last_month = 3 * quarter
        return Period(
            date(year, last_month - 2, 1),
            date(year, last_month, calendar.monthrange(year, last_month)[1]),
        )
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return Period(
                date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
            )
    raise MalformedOption(f"--period must look like 2026, 2026-Q4 or 2026-11, got {text!r}")


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MalformedOption(f"{option} must be a date as YYYY-MM-DD, got {text!r}") from None


# --- report shape ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A figure of a report.

    kind says how to write the value: int, text, date, money (cents -> "1234.56"), rate (a
    fraction), mean (a score), difference (of two means). In tables, columns with a higher
    ``drop`` are left out first when the terminal is too narrow (0: always shown); ``interval``
    names the columns holding the 95% bounds, shown inside this one; ``hidden`` columns are
    only in CSV and JSON.
    """

    key: str
    label: str
    kind: str = "int"
    drop: int = 0
    interval: tuple[str, str] | None = None
    hidden: bool = False
    phrase: bool = False
    """Text the tool writes (a conclusion, a check): tables show it in the report's language."""


@dataclass
class Report:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    single: bool = False
    """One record (the summary): JSON writes an object instead of a list."""
    json_shape: str = "list"
    """"total_and_rows": JSON writes the first row as an object, the others under "rows"."""

    def records(self) -> list[dict[str, Any]]:
        """The rows with every value written for CSV and JSON (money as exact text)."""
        return [
            {c.key: machine_value(row.get(c.key), c.kind) for c in self.columns}
            for row in self.rows
        ]

    def csv_records(self) -> list[list[str]]:
        """The rows as CSV text: exact money, rates with 4 decimals, "" when missing."""
        return [[machine_text(row.get(c.key), c.kind) for c in self.columns] for row in self.rows]

    def to_json(self) -> dict[str, Any] | list[dict[str, Any]]:
        records = self.records()
        if self.json_shape == "total_and_rows":
            return {**records[0], "rows": records[1:]}
        return records[0] if self.single else records


def machine_value(value: Any, kind: str) -> Any:
    """A value as CSV and JSON carry it: money as "1234.56", rates to 4 and means to 2 decimals."""
    if value is None:
        return None
    if kind == "money":
        return format_cents(value)
    if kind == "rate":
        return round(value, 4)
    if kind in ("mean", "difference"):
        return round(value, 2)
    if kind == "date":
        return str(value)
    return value


def human_value(value: Any, kind: str, dialect: str = "standard", lang: str = "en") -> str:
    """A value as the table shows it (see :mod:`inspect_cli.formatting`): 1.234,56 or
    1,234.56, rates as percentages, means to one decimal, "–" when there is none."""
    return Formatter(lang, dialect).value(value, kind)


TOTAL_KEYS = ("contractor", "group")
"""The columns whose TOTAL value names a row of totals."""


def human_cell(
    row: dict[str, Any], column: Column, dialect: str = "standard", lang: str = "en"
) -> str:
    """A table cell: the value, followed by its 95% interval when the column has one."""
    value = row.get(column.key)
    if value == TOTAL and column.key in TOTAL_KEYS:
        return translate(lang, value)
    if column.phrase and value is not None:
        whole = translate(lang, value)
        if whole != value or " (" not in value:
            return whole
        # A phrase with a figure in brackets: "too few amounts (0.0089)".
        phrase, bracket, figure = value.partition(" (")
        return translate(lang, phrase) + bracket + figure
    text = human_value(value, column.kind, dialect, lang)
    if column.interval is None or row.get(column.interval[0]) is None:
        return text
    low, high = (human_value(row[k], column.kind, dialect, lang) for k in column.interval)
    if column.kind == "rate":
        low = low.removesuffix("%")
    return f"{text} ({low} {translate(lang, 'to')} {high})"


# --- summary and contractors -----------------------------------------------------------------


def _rate(k: int, n: int) -> tuple[float | None, float | None, float | None]:
    """k / n with its exact 95% interval; all None when n is 0."""
    if n == 0:
        return None, None, None
    low, high = clopper_pearson(k, n, CONFIDENCE)
    return k / n, low, high


def sample_rate_check(low: float | None, high: float | None, target: Decimal) -> str:
    """Is the realised sample rate what the target rate gives, up to chance?"""
    if low is None or high is None:
        return "no orders went through the random draw"
    if target < low:  # Decimal and float compare exactly
        return "above target: more orders sampled than chance explains"
    if target > high:
        return "below target: fewer orders sampled than chance explains"
    return "within chance of the target"


@dataclass(frozen=True)
class ScoreGroups:
    """Scores of inspected and of not inspected repairs, on the workspace's scale."""

    inspected: list[float]
    not_inspected: list[float]


def _rescaled(score: int, scale: int, target_scale: int) -> float:
    """A score on another scale, mapped linearly so that 1 stays 1 and the top stays the top."""
    if scale == target_scale:
        return float(score)
    return 1 + (score - 1) * (target_scale - 1) / (scale - 1)


def group_scores(
    counts: list[db.ScoreCount], scale: int, key: str | None = None
) -> dict[str, ScoreGroups]:
    """Expand score counts into value lists per group: key None (all), "contractor" or
    "quarter"."""
    groups: dict[str, ScoreGroups] = {}
    for contractor, quarter, inspected, score, score_scale, n in counts:
        name = contractor if key == "contractor" else quarter if key == "quarter" else "all"
        group = groups.setdefault(name, ScoreGroups([], []))
        values = group.inspected if inspected else group.not_inspected
        values.extend([_rescaled(score, score_scale, scale)] * n)
    return groups


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


SUMMARY_COLUMNS = (
    Column("period_from", "Completed from", "date"),
    Column("period_to", "Completed to", "date"),
    Column("as_of", "Open and overdue as of", "date"),
    Column("orders", "Orders completed"),
    Column("spend_eur", "Spend excl. VAT (EUR)", "money"),
    Column("above_threshold", "Orders above the threshold"),
    Column("selected", "Selected for inspection"),
    Column("mandatory", "  mandatory (above the threshold)"),
    Column("sampled", "  random sample"),
    Column("sampling_population", "Orders in the random draw"),
    Column(
        "sample_rate",
        "Realised sample rate",
        "rate",
        interval=("sample_rate_low", "sample_rate_high"),
    ),
    Column("sample_rate_low", "Sample rate, 95% low", "rate", hidden=True),
    Column("sample_rate_high", "Sample rate, 95% high", "rate", hidden=True),
    Column("target_rate", "Target sample rate", "rate"),
    Column("sample_rate_check", "Sample rate check", "text", phrase=True),
    Column("inspected", "Inspected (final outcome)"),
    Column("open", "Open (selected, not inspected)"),
    Column("overdue", "  of which overdue"),
    Column("failed_visits", "Failed visits (no access)"),
    Column("ok", "Result ok"),
    Column("minor", "Result minor"),
    Column("major", "Result major"),
    Column("not_done", "Result not done"),
    Column(
        "failure_rate",
        "Failure rate (major + not done)",
        "rate",
        interval=("failure_rate_low", "failure_rate_high"),
    ),
    Column("failure_rate_low", "Failure rate, 95% low", "rate", hidden=True),
    Column("failure_rate_high", "Failure rate, 95% high", "rate", hidden=True),
    Column("corrections_eur", "Recovered by corrections (EUR)", "money"),
    Column("satisfaction_scale", "Satisfaction scale (top score)"),
    Column("satisfaction_inspected", "Satisfaction, inspected repairs", "mean"),
    Column("responses_inspected", "  responses"),
    Column("satisfaction_not_inspected", "Satisfaction, not inspected", "mean"),
    Column("responses_not_inspected", "  responses"),
)
"""The summary's own figures; the cost and benefit columns follow them (SUMMARY_ALL)."""


def _total(counts: list[db.ContractorCounts]) -> db.ContractorCounts:
    total = db.ContractorCounts("all")
    for c in counts:
        for name in db.COUNT_FIELDS:
            setattr(total, name, getattr(total, name) + getattr(c, name))
    return total


def summary(
    counts: list[db.ContractorCounts],
    scores: list[db.ScoreCount],
    *,
    period: Period,
    today: date,
    target_rate: Decimal,
    scale: int,
    lang: str = "en",
    benefit: dict[str, Any] | None = None,
) -> Report:
    """One record with every headline figure of the period; with ``benefit`` (from
    :func:`cost_benefit`) also the cost and what the control recovered."""
    t = _total(counts)
    rate, rate_low, rate_high = _rate(t.sampled, t.sampling_population)
    failure, failure_low, failure_high = _rate(t.major + t.not_done, t.inspected)
    groups = group_scores(scores, scale).get("all", ScoreGroups([], []))
    row = {
        "period_from": period.start,
        "period_to": period.end,
        "as_of": today,
        "orders": t.orders,
        "spend_eur": t.spend_cents,
        "above_threshold": t.above_threshold,
        "selected": t.selected,
        "mandatory": t.mandatory,
        "sampled": t.sampled,
        "sampling_population": t.sampling_population,
        "sample_rate": rate,
        "sample_rate_low": rate_low,
        "sample_rate_high": rate_high,
        "target_rate": float(target_rate),
        "sample_rate_check": sample_rate_check(rate_low, rate_high, target_rate),
        "inspected": t.inspected,
        "open": t.open,
        "overdue": t.overdue,
        "failed_visits": t.failed_visits,
        "ok": t.ok,
        "minor": t.minor,
        "major": t.major,
        "not_done": t.not_done,
        "failure_rate": failure,
        "failure_rate_low": failure_low,
        "failure_rate_high": failure_high,
        "corrections_eur": t.corrections_cents,
        "satisfaction_scale": scale,
        "satisfaction_inspected": _mean(groups.inspected),
        "responses_inspected": len(groups.inspected),
        "satisfaction_not_inspected": _mean(groups.not_inspected),
        "responses_not_inspected": len(groups.not_inspected),
    }
    notes = []
    if benefit is not None:
        row.update(benefit)
        notes.append(translate(lang, CANNOT_SHOW))
    return Report(
        "summary",
        fill(lang, "Summary: {period}", period=period.text(lang)),
        SUMMARY_COLUMNS + COST_COLUMNS if benefit is not None else SUMMARY_COLUMNS,
        [row],
        notes=[
            translate(lang, "Rates show their exact (Clopper-Pearson) 95% interval."),
            translate(
                lang,
                "Failure rate = (major + not done) / inspected; failed visits are not inspections.",
            ),
            *notes,
        ],
        single=True,
    )


CONTRACTOR_COLUMNS = (
    Column("contractor", "Contractor", "text"),
    Column("orders", "Orders"),
    Column("spend_eur", "Spend (EUR)", "money", drop=4),
    Column("above_threshold_share", "> threshold", "rate", drop=5),
    Column("selected", "Selected", drop=8),
    Column("inspected", "Inspected"),
    Column("ok", "ok", hidden=True),
    Column("minor", "minor", hidden=True),
    Column("major", "major", hidden=True),
    Column("not_done", "not done", hidden=True),
    Column(
        "failure_rate",
        "Failure rate (95%)",
        "rate",
        interval=("failure_rate_low", "failure_rate_high"),
    ),
    Column("failure_rate_low", "Failure rate, 95% low", "rate", hidden=True),
    Column("failure_rate_high", "Failure rate, 95% high", "rate", hidden=True),
    Column("failed_visits", "Failed visits", hidden=True),
    Column("open", "Open", hidden=True),
    Column("overdue", "Overdue", drop=7),
    Column("corrections_eur", "Corrections (EUR)", "money", drop=3),
    Column("satisfaction", "Satisf.", "mean", drop=2),
    Column("responses", "Resp.", drop=6),
)

SORTS = {
    "failure_rate": "failure rate, highest first (default)",
    "orders": "number of orders, most first",
    "spend": "spend, highest first",
    "inspected": "inspected orders, most first",
    "corrections": "corrections, highest first",
    "satisfaction": "average satisfaction, lowest first",
    "overdue": "overdue inspections, most first",
    "contractor": "name",
}


def contractors(
    counts: list[db.ContractorCounts],
    scores: list[db.ScoreCount],
    *,
    period: Period,
    scale: int,
    sort: str = "failure_rate",
    lang: str = "en",
) -> Report:
    """A scorecard row per contractor, worst failure rate first unless sorted otherwise."""
    if sort not in SORTS:
        raise MalformedOption(f"--sort must be one of {', '.join(SORTS)}, got {sort!r}")
    groups = group_scores(scores, scale, "contractor")
    rows = []
    for c in counts:
        failure, low, high = _rate(c.major + c.not_done, c.inspected)
        g = groups.get(c.contractor, ScoreGroups([], []))
        all_scores = g.inspected + g.not_inspected
        rows.append(
            {
                "contractor": c.contractor,
                "orders": c.orders,
                "spend_eur": c.spend_cents,
                "above_threshold_share": c.above_threshold / c.orders if c.orders else None,
                "selected": c.selected,
                "inspected": c.inspected,
                "ok": c.ok,
                "minor": c.minor,
                "major": c.major,
                "not_done": c.not_done,
                "failure_rate": failure,
                "failure_rate_low": low,
                "failure_rate_high": high,
                "failed_visits": c.failed_visits,
                "open": c.open,
                "overdue": c.overdue,
                "corrections_eur": c.corrections_cents,
                "satisfaction": _mean(all_scores),
                "responses": len(all_scores),
            }
        )
    rows.sort(key=lambda r: r["contractor"])
    rows.sort(key=_sort_key(sort))
    return Report(
        "contractors",
        fill(lang, "Contractors: {period}", period=period.text(lang)),
        CONTRACTOR_COLUMNS,
        rows,
        notes=[
            fill(lang, "Sorted by {order}.", order=translate(lang, SORTS[sort])),
            translate(
                lang, "Failure rate = (major + not done) / inspected, with its exact 95% interval."
            ),
        ],
    )


def _sort_key(sort: str):
    """Sort key for contractor rows; rows without a value (no inspections) go last."""
    if sort == "contractor":
        return lambda r: r["contractor"].casefold()
    key = {"spend": "spend_eur", "corrections": "corrections_eur"}.get(sort, sort)
    sign = 1 if sort == "satisfaction" else -1

    def by(row: dict[str, Any]) -> tuple[bool, float]:
        value = row[key]
        return value is None, 0.0 if value is None else sign * value

    return by


# --- overdue ---------------------------------------------------------------------------------

OVERDUE_COLUMNS = (
    Column("order_id", "Order", "text"),
    Column("contractor", "Contractor", "text"),
    Column("reason", "Reason", "text", drop=3, phrase=True),
    Column("amount_eur", "Amount (EUR)", "money", drop=4),
    Column("completed_on", "Completed", "date", drop=5),
    Column("selected_on", "Selected", "date", hidden=True),
    Column("due_on", "Due", "date"),
    Column("days_overdue", "Days over"),
    Column("failed_visits", "No access", drop=2),
    Column("address", "Address", "text", hidden=True),
    Column("municipality", "Municipality", "text", drop=6),
)


def overdue(rows: list[db.OverdueRow], *, period: Period, today: date, lang: str = "en") -> Report:
    """Open selections past their due date, oldest due date first."""
    return Report(
        "overdue",
        fill(
            lang,
            "Overdue inspections as of {today}: {period}",
            today=Formatter(lang).day(today),
            period=period.text(lang),
        ),
        OVERDUE_COLUMNS,
        [
            {
                "order_id": r.order_id,
                "contractor": r.contractor,
                "reason": r.reason,
                "amount_eur": r.amount_cents,
                "completed_on": r.completed_on,
                "selected_on": r.selected_on,
                "due_on": r.due_on,
                "days_overdue": (today - date.fromisoformat(r.due_on)).days,
                "failed_visits": r.failed_visits,
                "address": r.address,
                "municipality": r.municipality,
            }
            for r in rows
        ],
        notes=[fill(lang, "{n} open inspections are past their due date.", n=len(rows))],
    )


# --- satisfaction ----------------------------------------------------------------------------

SATISFACTION_COLUMNS = (
    Column("group_by", "By", "text", hidden=True),
    Column("group", "Group", "text"),
    Column("inspected_mean", "Inspected", "mean"),
    Column("inspected_n", "n"),
    Column("not_inspected_mean", "Not insp.", "mean"),
    Column("not_inspected_n", "n"),
    Column(
        "difference",
        "Difference (95%)",
        "difference",
        interval=("difference_low", "difference_high"),
    ),
    Column("difference_low", "Difference, 95% low", "difference", hidden=True),
    Column("difference_high", "Difference, 95% high", "difference", hidden=True),
    Column("conclusion", "Conclusion", "text", phrase=True),
)


def compare(inspected: list[float], not_inspected: list[float]) -> dict[str, Any]:
    """Mean score of both groups, the difference with its 95% (Welch) interval, and what it
    allows to say."""
    interval = None
    if min(len(inspected), len(not_inspected)) >= MIN_RESPONSES:
        interval = mean_difference_interval(inspected, not_inspected, CONFIDENCE)
    if interval is None:
        difference = low = high = None
        conclusion = TOO_FEW
    else:
        difference, low, high = interval
        if low > 0:
            conclusion = "inspected repairs score higher"
        elif high < 0:
            conclusion = "inspected repairs score lower"
        else:
            conclusion = "no clear difference"
    return {
        "inspected_mean": _mean(inspected),
        "inspected_n": len(inspected),
        "not_inspected_mean": _mean(not_inspected),
        "not_inspected_n": len(not_inspected),
        "difference": difference,
        "difference_low": low,
        "difference_high": high,
        "conclusion": conclusion,
    }


def satisfaction(
    scores: list[db.ScoreCount], *, period: Period, scale: int, lang: str = "en"
) -> Report:
    """Inspected versus not inspected repairs: all, per contractor, per quarter of completion."""
    rows = []
    for key in (None, "contractor", "quarter"):
        for name, g in sorted(group_scores(scores, scale, key).items()):
            rows.append(
                {"group_by": key or "all", "group": name, **compare(g.inspected, g.not_inspected)}
            )
    if not rows:
        rows.append({"group_by": "all", "group": "all", **compare([], [])})
    return Report(
        "satisfaction",
        fill(
            lang,
            "Tenant satisfaction (1 to {scale}): {period}",
            scale=scale,
            period=period.text(lang),
        ),
        SATISFACTION_COLUMNS,
        rows,
        notes=[
            translate(
                lang,
                "Inspected: a final outcome is recorded. "
                "Difference = inspected minus not inspected.",
            ),
            fill(
                lang,
                "With fewer than {n} responses on either side: {too_few}.",
                n=MIN_RESPONSES,
                too_few=translate(lang, TOO_FEW),
            ),
            translate(
                lang,
                "Orders above the threshold are always inspected, so a difference is not by "
                "itself the effect of inspecting.",
            ),
        ],
    )


# --- projection and cost/benefit ------------------------------------------------------------

TOO_FEW_TO_PROJECT = "too few inspections to project"

PROJECTION_COLUMNS = (
    Column("contractor", "Contractor", "text"),
    Column("sample_orders", "Sampled, inspected"),
    Column("sample_amount_eur", "Their amount (EUR)", "money", drop=3),
    Column("sample_corrections_eur", "Their corrections (EUR)", "money", drop=2),
    Column("population_orders", "Not inspected", drop=4),
    Column("population_amount_eur", "Their amount (EUR)", "money", drop=5),
    Column(
        "projected_eur",
        "Projected corrections (EUR, 95%)",
        "money",
        interval=("low_eur", "high_eur"),
    ),
    Column("low_eur", "Projection, 95% low", "money", hidden=True),
    Column("high_eur", "Projection, 95% high", "money", hidden=True),
    Column("note", "Note", "text", drop=1, phrase=True),
)


def projection_row(
    contractor: str, sample: list[tuple[int, int]], population: tuple[int, int]
) -> dict[str, Any]:
    """What the draw population not inspected would have yielded, from the inspected sample.

    sample: (amount, corrections) in cents per random-sample order with a final outcome;
    population: (orders, amount in cents) of the draw population, the sample included.
    """
    amounts = [a for a, _ in sample]
    corrections = [c for _, c in sample]
    orders = max(population[0] - len(sample), 0)
    amount = max(population[1] - sum(amounts), 0)
    found = ratio_projection(amounts, corrections, orders, amount, CONFIDENCE)
    projected, low, high = (None, None, None) if found is None else (round(v) for v in found)
    return {
        "contractor": contractor,
        "sample_orders": len(sample),
        "sample_amount_eur": sum(amounts),
        "sample_corrections_eur": sum(corrections),
        "population_orders": orders,
        "population_amount_eur": amount,
        "projected_eur": projected,
        "low_eur": low,
        "high_eur": high,
        "note": TOO_FEW_TO_PROJECT if found is None else None,
    }


def projection(
    sample: list[db.SampleRow],
    population: dict[str, tuple[int, int]],
    *,
    period: Period,
    lang: str = "en",
) -> Report:
    """All contractors together first, then each contractor (where the sample allows)."""
    by_contractor: dict[str, list[tuple[int, int]]] = {name: [] for name in population}
    for contractor, amount, correction in sample:
        by_contractor.setdefault(contractor, []).append((amount, correction))
    everyone = [pair for pairs in by_contractor.values() for pair in pairs]
    total = (sum(n for n, _ in population.values()), sum(a for _, a in population.values()))
    rows = [projection_row("all", everyone, total)]
    rows += [
        projection_row(name, by_contractor[name], population.get(name, (0, 0)))
        for name in sorted(by_contractor)
    ]
    return Report(
        "projection",
        fill(
            lang,
            "Projected corrections of the orders not inspected: {period}",
            period=period.text(lang),
        ),
        PROJECTION_COLUMNS,
        rows,
        notes=[
            translate(
                lang,
                "Ratio estimator from the random-sample inspections with a final outcome "
                "(corrections / amount), times the amount of the draw population not inspected; "
                "95% interval from the linearised variance with finite-population correction "
                "(Cochran 1977, ch. 6).",
            ),
            fill(
                lang,
                "Fewer than {n} inspected sampled orders: {too_few}. "
                "Mandatory inspections are never used: they are not a random sample.",
                n=MIN_PROJECTION_SAMPLE,
                too_few=translate(lang, TOO_FEW_TO_PROJECT),
            ),
        ],
        json_shape="total_and_rows",
    )


COST_COLUMNS = (
    Column("visits", "Inspection visits made"),
    Column("inspection_cost_eur", "Cost of the visits (EUR)", "money"),
    Column("corrections_mandatory_eur", "Recovered, mandatory inspections (EUR)", "money"),
    Column("corrections_random_eur", "Recovered, random-sample inspections (EUR)", "money"),
    Column("net_eur", "Recovered minus cost (EUR)", "money"),
    Column(
        "projected_eur",
        "Projected, orders not inspected (EUR)",
        "money",
        interval=("projected_low_eur", "projected_high_eur"),
    ),
    Column("projected_low_eur", "Projected, 95% low", "money", hidden=True),
    Column("projected_high_eur", "Projected, 95% high", "money", hidden=True),
    Column(
        "satisfaction_difference",
        "Satisfaction, inspected minus not",
        "difference",
        interval=("satisfaction_difference_low", "satisfaction_difference_high"),
    ),
    Column(
        "satisfaction_difference_low", "Satisfaction difference, 95% low", "difference", hidden=True
    ),
    Column(
        "satisfaction_difference_high",
        "Satisfaction difference, 95% high",
        "difference",
        hidden=True,
    ),
)

CANNOT_SHOW = (
    "What these figures cannot show: the deterrent effect. Contractors who know that every "
    "order above the threshold and a random sample of the rest are checked work and invoice "
    "more carefully; that saving never appears as a correction."
)


def cost_benefit(
    counts: list[db.ContractorCounts],
    corrections: dict[str, int],
    projected: dict[str, Any],
    satisfaction_compared: dict[str, Any],
    cost_cents: int | None,
) -> dict[str, Any]:
    """Visits, their cost, what they recovered, the projection and the satisfaction difference.

    A visit is an inspection with a final outcome or a failed visit (no access): both cost a
    trip. Without a configured cost, cost and net are None.
    """
    t = _total(counts)
    visits = t.inspected + t.failed_visits
    mandatory = sum(v or 0 for k, v in corrections.items() if k in db.MANDATORY)
    sampled = sum(v or 0 for k, v in corrections.items() if k not in db.MANDATORY)
    cost = None if cost_cents is None else visits * cost_cents
    return {
        "visits": visits,
        "inspection_cost_eur": cost,
        "corrections_mandatory_eur": mandatory,
        "corrections_random_eur": sampled,
        "net_eur": None if cost is None else mandatory + sampled - cost,
        "projected_eur": projected["projected_eur"],
        "projected_low_eur": projected["low_eur"],
        "projected_high_eur": projected["high_eur"],
        "satisfaction_difference": satisfaction_compared["difference"],
        "satisfaction_difference_low": satisfaction_compared["difference_low"],
        "satisfaction_difference_high": satisfaction_compared["difference_high"],
    }


# --- building a report from the store ---------------------------------------------------------


def build_report(
    conn: sqlite3.Connection,
    name: str,
    *,
    period: Period,
    today: date,
    threshold_cents: int,
    target_rate: Decimal,
    scale: int,
    contractor: str | None = None,
    sort: str | None = None,
    lang: str = "en",
    cost_cents: int | None = None,
) -> Report:
    """Fetch the aggregates a report needs and compute it."""
    if name not in REPORTS:
        raise InvalidValue(f"unknown report {name!r}; reports are: {', '.join(REPORTS)}")
    if sort is not None and name != "contractors":
        raise MalformedOption("--sort applies to `report contractors` only")
    if contractor is not None:
        contractor = _match_contractor(conn, contractor)
    scope = db.Scope(
        period.start.isoformat() if period.start else None,
        period.end.isoformat() if period.end else None,
        contractor,
    )
    report: Report
    if name == "overdue":
        report = overdue(
            db.overdue(conn, scope, today=today.isoformat()), period=period, today=today, lang=lang
        )
    elif name == "satisfaction":
        report = satisfaction(db.score_counts(conn, scope), period=period, scale=scale, lang=lang)
    else:
        found = db.period_counts(
            conn, scope, threshold_cents=threshold_cents, today=today.isoformat()
        )
        counts = found.contractors
        scores = db.score_counts(conn, scope)
        if name == "projection":
            report = projection_of(conn, scope, counts, period=period, lang=lang)
        elif name == "summary":
            everyone = projection_of(conn, scope, counts, period=period).rows[0]
            report = summary(
                counts,
                scores,
                period=period,
                today=today,
                target_rate=target_rate,
                scale=scale,
                lang=lang,
                benefit=benefit_of(found, scores, scale, cost_cents, everyone),
            )
        else:
            report = contractors(
                counts, scores, period=period, scale=scale, sort=sort or "failure_rate", lang=lang
            )
    if contractor is not None:
        report.title += fill(lang, ", contractor {name}", name=contractor)
    return report


def projection_of(
    conn: sqlite3.Connection,
    scope: db.Scope,
    counts: list[db.ContractorCounts],
    *,
    period: Period,
    lang: str = "en",
) -> Report:
    """The projection of a scope, from the store (`counts` from `db.period_counts`)."""
    return projection(
        db.random_sample_outcomes(conn, scope),
        db.draw_population(conn, scope, counts),
        period=period,
        lang=lang,
    )


def benefit_of(
    counts: db.PeriodCounts,
    scores: list[db.ScoreCount],
    scale: int,
    cost_cents: int | None,
    everyone: dict[str, Any],
) -> dict[str, Any]:
    """The cost and benefit figures of a scope (summary and board report); ``everyone`` is the
    projection's first row, all contractors together."""
    groups = group_scores(scores, scale).get("all", ScoreGroups([], []))
    return cost_benefit(
        counts.contractors,
        counts.corrections_by_reason,
        everyone,
        compare(groups.inspected, groups.not_inspected),
        cost_cents,
    )


def _match_contractor(conn: sqlite3.Connection, name: str) -> str:
    """The stored contractor name, matched exactly or else ignoring case."""
    names = db.contractor_names(conn)
    if name in names:
        return name
    folded = [n for n in names if n.casefold() == name.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    shown = ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
    raise InvalidValue(f"no orders of contractor {name!r}; contractors are: {shown or 'none'}")
