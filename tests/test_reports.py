"""Reports on a small fixed workspace, every figure computed by hand.

The workspace (`build_fixed` in tests/helpers.py) has twelve completed orders of three
contractors and one not completed, a sampling rate of 0.5 so that a dozen orders give a few
random samples, two selection runs, seven outcomes and nine scores:

| order  | firm       | EUR     | completed  | decision (run)      | outcome                 | sc. |
|--------|------------|---------|------------|---------------------|-------------------------|-----|
| HB-001 | Janssens   |  250.00 | 2026-09-10 | random_sample (1)   | none: due 10-15         | 8   |
| HB-002 | Janssens   | 1500.00 | 2026-09-15 | above_threshold (1) | major, corr. 350.00     | 4   |
| HB-003 | Janssens   | 1000.00 | 2026-10-05 | random_sample (2)   | no_access: due 11-17    |     |
| HB-004 | Dubois     | 2500.00 | 2026-10-06 | above_threshold (2) | not_done, corr. 1200.00 | 3   |
| HB-005 | Dubois     |   80.00 | 2026-10-07 | not selected (2)    |                         | 9   |
| HB-006 | Dubois     |  120.50 | 2026-10-12 | random_sample (2)   | minor                   | 7   |
| HB-007 | Peeters    | 1200.00 | 2026-10-20 | above_threshold (2) | ok                      |     |
| HB-008 | Peeters    |  300.00 | 2026-10-21 | not selected (2)    |                         | 6   |
| HB-009 | Peeters    |  450.00 | 2026-10-22 | random_sample (2)   | ok                      |     |
| HB-010 | Janssens   |   99.99 | 2026-10-23 | not selected (2)    |                         | 10  |
| HB-011 | Dubois     |  640.00 | 2026-10-26 | not selected (2)    |                         | 8   |
| HB-012 | Peeters    |   75.25 | 2025-12-15 | random_sample (1)   | ok                      | 9   |
| HB-013 | Janssens   |  500.00 | (not yet)  |                     |                         |     |

Run 1 is as of 2026-10-01 (due 2026-10-15), run 2 as of 2026-11-02 (due 2026-11-17, ten
Belgian working days with 11 November off). Reports run as of 2026-11-27.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import NOW, SEED, TODAY
from helpers import OUTCOMES, build_fixed

from inspect_cli.errors import InvalidValue, MalformedOption
from inspect_cli.outcomes import Outcome, record_outcome
from inspect_cli.reports import (
    SUMMARY_COLUMNS,
    TOO_FEW,
    Period,
    build_report,
    compare,
    human_cell,
    parse_period,
    sample_rate_check,
    summary,
)
from inspect_cli.store.reports import ContractorCounts
from inspect_cli.workspace import Workspace

YEAR_2026 = Period(date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def fixed(workspace: Workspace) -> Workspace:
    build_fixed(workspace)
    return workspace


def report(ws: Workspace, name: str, period: Period = YEAR_2026, **kw):
    conn = ws.connect()
    try:
        return build_report(
            conn,
            name,
            period=period,
            today=kw.pop("today", TODAY),
            threshold_cents=100_000,
            target_rate=Decimal("0.5"),
            scale=10,
            **kw,
        )
    finally:
        conn.close()


# --- periods -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
    ],
)
def test_named_periods(text, start, end):
    assert parse_period(text, None, None) == Period(start, end)


def test_from_and_to_may_each_be_left_open():
    assert parse_period(None, "2026-10-01", None) == Period(date(2026, 10, 1), None)
    assert parse_period(None, None, None) == Period()


@pytest.mark.parametrize(
    ("period", "start", "end", "message"),
    [
        ("2026-Q5", None, None, "--period must look like 2026, 2026-Q4 or 2026-11, got '2026-Q5'"),
        ("2026-13", None, None, "--period must look like 2026, 2026-Q4 or 2026-11, got '2026-13'"),
        ("2026", "2026-01-01", None, "use either --period or --from/--to, not both"),
        (None, "2026-12-01", "2026-11-01", "--from 2026-12-01 is after --to 2026-11-01"),
        (None, "1/12/2026", None, "--from must be a date as YYYY-MM-DD, got '1/12/2026'"),
    ],
)
def test_bad_periods_are_refused(period, start, end, message):
    with pytest.raises(MalformedOption) as e:
        parse_period(period, start, end)
    assert str(e.value) == message


# --- summary -----------------------------------------------------------------------------


def test_summary_of_2026(fixed):
    row = report(fixed, "summary").to_json()
    own = {k: v for k, v in row.items() if k in {c.key for c in SUMMARY_COLUMNS}}
    assert own == {
        "period_from": "2026-01-01",
        "period_to": "2026-12-31",
        "as_of": "2026-11-27",
        "orders": 11,  # HB-012 was completed in 2025, HB-013 not yet
        "spend_eur": "8140.49",
        "above_threshold": 3,  # HB-003 is exactly 1000.00: not above
        "selected": 7,
        "mandatory": 3,
        "sampled": 4,
        "sampling_population": 8,  # the 11 decided orders minus the 3 mandatory ones
        "sample_rate": 0.5,
        "sample_rate_low": 0.157,  # Clopper-Pearson for 4 of 8
        "sample_rate_high": 0.843,
        "target_rate": 0.5,
        "sample_rate_check": "within chance of the target",
        "inspected": 5,  # HB-003's failed visit is no inspection
        "open": 2,
        "overdue": 2,
        "failed_visits": 1,
        "ok": 2,
        "minor": 1,
        "major": 1,
        "not_done": 1,
        "failure_rate": 0.4,  # (1 major + 1 not done) / 5
        "failure_rate_low": 0.0527,
        "failure_rate_high": 0.8534,
        "corrections_eur": "1550.00",
        "satisfaction_scale": 10,
        "satisfaction_inspected": 4.67,  # HB-002, 004, 006: (4 + 3 + 7) / 3
        "responses_inspected": 3,
        "satisfaction_not_inspected": 8.2,  # HB-001, 005, 008, 010, 011: 41 / 5
        "responses_not_inspected": 5,
    }


def test_summary_of_all_time_includes_the_2025_order(fixed):
    row = report(fixed, "summary", Period()).to_json()
    assert (row["period_from"], row["period_to"]) == (None, None)
    assert (row["orders"], row["spend_eur"]) == (12, "8215.74")
    assert (row["selected"], row["sampled"], row["sampling_population"]) == (8, 5, 9)
    assert (row["inspected"], row["ok"], row["failure_rate"]) == (6, 3, 0.3333)
    assert (row["satisfaction_inspected"], row["responses_inspected"]) == (5.75, 4)


def test_summary_of_a_month_and_of_one_contractor(fixed):
    september = report(fixed, "summary", parse_period("2026-09", None, None)).to_json()
    assert (september["orders"], september["selected"], september["inspected"]) == (2, 2, 1)
    assert september["open"] == 1
    one = report(fixed, "summary", contractor="janssens")
    assert one.title.endswith("contractor Janssens")
    row = one.to_json()
    assert (row["orders"], row["spend_eur"], row["failure_rate"]) == (4, "2849.99", 1.0)


def test_an_unknown_contractor_names_the_known_ones(fixed):
    with pytest.raises(InvalidValue) as e:
        report(fixed, "summary", contractor="Jansens")
    assert str(e.value) == (
        "no orders of contractor 'Jansens'; contractors are: Dubois, Janssens, Peeters"
    )


def test_open_and_overdue_depend_on_the_day(fixed):
    row = report(fixed, "summary", today=date(2026, 11, 17)).to_json()
    # HB-003 is due on 2026-11-17 itself: open, not overdue yet.
    assert (row["open"], row["overdue"]) == (2, 1)


def test_an_empty_workspace_reports_zeros_without_rates(workspace):
    row = report(workspace, "summary").to_json()
    assert (row["orders"], row["spend_eur"], row["sample_rate"]) == (0, "0.00", None)
    assert row["sample_rate_check"] == "no orders went through the random draw"
    assert row["failure_rate"] is None and row["satisfaction_inspected"] is None


# --- intervals against known values ----------------------------------------------------------


def _counts(sampled: int, population: int, failed: int = 0, inspected: int = 0):
    return ContractorCounts(
        "X",
        orders=population,
        decided=population,
        sampled=sampled,
        inspected=inspected,
        major=failed,
    )


@pytest.mark.parametrize(
    ("k", "n", "low", "high", "check"),
    [
        (0, 50, 0.0, 0.0711217, "within chance of the target"),
        (3, 150, 0.0041436, 0.0573342, "within chance of the target"),
        (5, 1000, 0.0016254, 0.0116295, "below target: fewer orders sampled than chance explains"),
        (40, 1000, 0.0287, 0.0541, "above target: more orders sampled than chance explains"),
    ],
)
def test_realised_sample_rate_interval(k, n, low, high, check):
    row = summary(
        [_counts(k, n)],
        [],
        period=Period(),
        today=TODAY,
        target_rate=Decimal("0.02"),
        scale=10,
    ).rows[0]
    assert row["sample_rate_low"] == pytest.approx(low, abs=1e-4)
    assert row["sample_rate_high"] == pytest.approx(high, abs=1e-4)
    assert row["sample_rate_check"] == check


def test_failure_rate_interval_of_3_in_150():
    row = summary(
        [_counts(0, 150, failed=3, inspected=150)],
        [],
        period=Period(),
        today=TODAY,
        target_rate=Decimal("0.02"),
        scale=10,
    ).rows[0]
    assert row["failure_rate"] == pytest.approx(0.02)
    assert (row["failure_rate_low"], row["failure_rate_high"]) == pytest.approx(
        (0.0041436, 0.0573342), abs=1e-6
    )


def test_sample_rate_check_reads_the_interval():
    assert sample_rate_check(0.01, 0.03, Decimal("0.02")) == "within chance of the target"
    assert sample_rate_check(None, None, Decimal("0.02")).startswith("no orders")


# --- contractors ----------------------------------------------------------------------------


def test_contractor_scorecard_of_2026(fixed):
    rows = report(fixed, "contractors").to_json()
    assert [r["contractor"] for r in rows] == ["Janssens", "Dubois", "Peeters"]
    janssens, dubois, peeters = rows
    assert janssens == {
        "contractor": "Janssens",
        "orders": 4,
        "spend_eur": "2849.99",
        "above_threshold_share": 0.25,
        "selected": 3,
        "inspected": 1,
        "ok": 0,
        "minor": 0,
        "major": 1,
        "not_done": 0,
        "failure_rate": 1.0,
        "failure_rate_low": 0.025,  # 1 of 1: (0.025, 1)
        "failure_rate_high": 1.0,
        "failed_visits": 1,
        "open": 2,
        "overdue": 2,
        "corrections_eur": "350.00",
        "satisfaction": 7.33,  # (8 + 4 + 10) / 3
        "responses": 3,
    }
    assert (dubois["failure_rate"], dubois["failure_rate_low"]) == (0.5, 0.0126)
    assert (dubois["corrections_eur"], dubois["satisfaction"], dubois["responses"]) == (
        "1200.00",
        6.75,
        4,
    )
    assert peeters["above_threshold_share"] == 0.3333
    assert (peeters["failure_rate"], peeters["failure_rate_high"]) == (0.0, 0.8419)


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("contractor", ["Dubois", "Janssens", "Peeters"]),
        ("corrections", ["Dubois", "Janssens", "Peeters"]),
        ("satisfaction", ["Peeters", "Dubois", "Janssens"]),
        ("overdue", ["Janssens", "Dubois", "Peeters"]),
        ("spend", ["Dubois", "Janssens", "Peeters"]),
    ],
)
def test_contractors_sort(fixed, sort, order):
    rows = report(fixed, "contractors", sort=sort).to_json()
    assert [r["contractor"] for r in rows] == order


def test_sort_is_for_the_contractors_report_only(fixed):
    with pytest.raises(MalformedOption, match="--sort applies to `report contractors` only"):
        report(fixed, "summary", sort="orders")


# --- overdue --------------------------------------------------------------------------------


def test_overdue_oldest_first_with_days(fixed):
    rows = report(fixed, "overdue").to_json()
    assert [(r["order_id"], r["due_on"], r["days_overdue"], r["failed_visits"]) for r in rows] == [
        ("HB-001", "2026-10-15", 43, 0),
        ("HB-003", "2026-11-17", 10, 1),
    ]
    assert rows[1] == {
        "order_id": "HB-003",
        "contractor": "Janssens",
        "reason": "random_sample",
        "amount_eur": "1000.00",
        "completed_on": "2026-10-05",
        "selected_on": "2026-11-02",
        "due_on": "2026-11-17",
        "days_overdue": 10,
        "failed_visits": 1,
        "address": "Kerkstraat 3",
        "municipality": "Gent",
    }


def test_overdue_follows_the_period_and_the_day(fixed):
    assert [r["order_id"] for r in report(fixed, "overdue", today=date(2026, 11, 17)).rows] == [
        "HB-001"
    ]
    october = parse_period("2026-10", None, None)
    assert [r["order_id"] for r in report(fixed, "overdue", october).rows] == ["HB-003"]


# --- satisfaction ---------------------------------------------------------------------------


def test_satisfaction_groups_of_2026(fixed):
    rows = report(fixed, "satisfaction").to_json()
    groups = [(r["group_by"], r["group"]) for r in rows]
    assert groups == [
        ("all", "all"),
        ("contractor", "Dubois"),
        ("contractor", "Janssens"),
        ("contractor", "Peeters"),
        ("quarter", "2026-Q3"),
        ("quarter", "2026-Q4"),
    ]
    first = rows[0]
    assert (first["inspected_mean"], first["inspected_n"]) == (4.67, 3)
    assert (first["not_inspected_mean"], first["not_inspected_n"]) == (8.2, 5)
    assert first["difference"] is None
    assert {r["conclusion"] for r in rows} == {TOO_FEW}
    q3 = rows[4]  # HB-001 (8, open) and HB-002 (4, inspected)
    assert (q3["inspected_mean"], q3["not_inspected_mean"]) == (4.0, 8.0)


def test_all_time_satisfaction_has_the_2025_quarter(fixed):
    rows = report(fixed, "satisfaction", Period()).to_json()
    assert ("quarter", "2025-Q4") in [(r["group_by"], r["group"]) for r in rows]


INSPECTED = [4, 5, 6, 7, 8] * 2  # mean 6, variance 20/9
NOT_INSPECTED = [1, 2, 3, 4, 5] * 2  # mean 3, variance 20/9


def test_difference_with_its_welch_interval():
    # se = sqrt(2 * (20/9) / 10) = 2/3, df = 18, t(0.975, 18) = 2.100922: 3 +- 1.400615
    result = compare(INSPECTED, NOT_INSPECTED)
    assert result["difference"] == pytest.approx(3.0)
    assert (result["difference_low"], result["difference_high"]) == pytest.approx(
        (1.599385, 4.400615), abs=1e-5
    )
    assert result["conclusion"] == "inspected repairs score higher"
    assert compare(NOT_INSPECTED, INSPECTED)["conclusion"] == "inspected repairs score lower"
    assert compare(INSPECTED, INSPECTED)["conclusion"] == "no clear difference"


def test_fewer_than_ten_responses_on_a_side_is_too_few():
    result = compare(INSPECTED, NOT_INSPECTED[:9])
    assert (result["difference"], result["conclusion"]) == (None, TOO_FEW)
    assert result["not_inspected_n"] == 9


def test_scores_on_another_scale_are_rescaled(fixed):
    conn = fixed.connect()
    # A score given when the workspace used a 1-5 scale: 5 of 5 is 10 of 10.
    conn.execute("UPDATE satisfaction SET score = 5, scale = 5 WHERE order_id = 'HB-008'")
    conn.close()
    rows = report(fixed, "contractors").to_json()
    assert next(r for r in rows if r["contractor"] == "Peeters")["satisfaction"] == 10.0


# --- table cells ----------------------------------------------------------------------------


def test_table_cells_follow_the_dialect(fixed):
    result = report(fixed, "contractors")
    janssens = result.rows[0]
    by_key = {c.key: c for c in result.columns}
    assert human_cell(janssens, by_key["spend_eur"], "excel-be") == "2.849,99"
    assert human_cell(janssens, by_key["spend_eur"], "standard") == "2,849.99"
    assert human_cell(janssens, by_key["failure_rate"], "excel-be") == "100,0% (2,5 to 100,0%)"
    assert human_cell(result.rows[2], by_key["satisfaction"], "standard") == "6.0"


def test_build_fixed_is_repeatable(tmp_path: Path):
    """The fixture itself: recording the same outcomes again changes nothing."""
    from inspect_cli.workspace import init_workspace

    ws, _ = init_workspace(tmp_path / "again", SEED, NOW)
    build_fixed(ws)
    conn = ws.connect()
    try:
        for order_id, result, day, findings, cents in OUTCOMES:
            outcome = Outcome(order_id, result, "An Claes", day, findings, cents)
            assert record_outcome(conn, outcome, today=TODAY, now=NOW) == "unchanged"
    finally:
        conn.close()


def test_a_difference_shows_its_sign_and_two_decimals():
    from inspect_cli.reports import SATISFACTION_COLUMNS

    row = {"group": "all", **compare(INSPECTED, NOT_INSPECTED)}
    column = next(c for c in SATISFACTION_COLUMNS if c.key == "difference")
    assert human_cell(row, column, "excel-be") == "+3,00 (+1,60 to +4,40)"
