"""The split report reads each contractor's orders apart; the groups and pairs are those of
one read of the whole store, places first written as they were."""

from __future__ import annotations

import random
from pathlib import Path

from inspect_cli.reports import parse_period
from inspect_cli.signals import (
    splits_csv_records,
    splits_report,
    stored_candidates,
    stored_split_groups,
)
from inspect_cli.splits import (
    SplitGroup,
    candidates_from_text,
    find_double_billings,
    find_split_groups,
)
from inspect_cli.store.reports import split_candidates

HEADER = "Work order,Contractor,Dwelling,Address,Postal code,City,Net amount,Completion date\n"


def _orders(path: Path) -> Path:
    """Three contractors interleaved in one file, dwelling ids written two ways, orders without
    a dwelling id, equal amounts (double billings) and ties on one day."""
    rng = random.Random(7)
    lines = []
    for n in range(600):
        who = rng.choice(["Janssens", "Peeters", "Claes"])
        dwelling = rng.choice(["W1", "w1", " W2", "W3", ""])
        amount = rng.choice(["300.00", "450.00", "450.00", "700.00", "1200.00", "-50.00"])
        done = f"2026-11-{rng.randint(1, 28):02d}"
        street = rng.choice(["Kerkstraat 1", '"KERKSTRAAT, 1"'])
        lines.append(f"O-{n:04d},{who},{dwelling},{street},2000,Antwerpen,{amount},{done}\n")
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def test_reading_contractor_by_contractor_finds_what_one_read_finds(cli, workspace, tmp_path):
    result = cli("ingest", "-w", workspace.root, _orders(tmp_path / "orders.csv"))
    assert result.exit_code == 0, result.output
    everything = parse_period(None, None, None)
    conn = workspace.connect()
    try:
        whole = candidates_from_text(*split_candidates(conn, at_most_cents=100_000))
        expected = find_split_groups(whole, threshold_cents=100_000, window_days=30)
        groups = stored_split_groups(
            conn, period=everything, threshold_cents=100_000, window_days=30
        )
        parts = stored_candidates(conn, period=everything, window_days=30)
        pairs = find_double_billings(parts, window_days=30)
        expected_pairs = find_double_billings(
            candidates_from_text(*split_candidates(conn)), window_days=30
        )
    finally:
        conn.close()
    assert len(expected) > 10
    assert len({g.contractor for g in groups}) == 3
    assert [g.order_ids for g in groups] == [g.order_ids for g in expected]
    assert [g.dwelling_id for g in groups] == [g.dwelling_id for g in expected]
    assert len(pairs) > 10
    assert pairs == expected_pairs


def test_split_csv_records_are_those_of_the_report():
    groups = [
        SplitGroup("=Janssens", "id:w1", "W1", "Kerkstraat 1", "2000", ("A-1", "A-2"),
                   "2026-11-01", "2026-11-09", 150_001),
        SplitGroup("Peeters, Zn", "address:x|2000", None, "Kerk 1", "2000", ("P-1", "P-2", "P-3"),
                   "2026-11-02", "2026-11-02", 100_001),
        SplitGroup("Claes", "id:w2", "W2", None, None, ("C-1", "C-2"),
                   "2026-11-03", "2026-11-20", 123_456),
    ]  # fmt: skip
    report = splits_report(groups, period=parse_period(None, None, None), threshold_cents=100_000,
                           window_days=30)  # fmt: skip
    assert splits_csv_records(groups) == report.csv_records()
    assert splits_csv_records(groups)[2] == [
        "Claes", "W2", "", "", "2", "C-1 C-2", "2026-11-03", "2026-11-20", "1234.56"
    ]  # fmt: skip


def test_report_splits_csv_quotes_and_neutralises(cli, workspace, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        HEADER + '1,"=Peeters, Zn",W1,Street 1,2000,Antwerpen,600.00,2026-11-02\n'
        '2,"=Peeters, Zn",W1,Street 1,2000,Antwerpen,500.00,2026-11-03\n',
        encoding="utf-8",
    )
    assert cli("ingest", "-w", workspace.root, path).exit_code == 0
    result = cli("report", "splits", "--format", "csv", "-w", workspace.root)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        '"\'=Peeters, Zn",W1,Street 1,2000,2,1 2,2026-11-02,2026-11-03,1100.00'
    )
