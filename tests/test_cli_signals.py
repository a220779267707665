"""``inspect-cli report splits`` and ``inspect-cli report signals`` on an ingested workspace."""

from __future__ import annotations

import csv
import io
import json
import math
import random
from pathlib import Path

import pytest

from inspect_cli.workspace import Workspace

HEADER = "Work order,Contractor,Dwelling,Address,Postal code,City,Net amount,Completion date\n"


def write_orders(path: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    """Rows of (order id, contractor, dwelling, amount, completion date); W1 is at Street 1."""
    lines = [
        f"{oid},{who},{dwelling},Street {dwelling[1:]},2000,Antwerpen,{amount},{done}\n"
        for oid, who, dwelling, amount, done in rows
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


SPLIT_ROWS = [
    ("J-1", "Janssens", "W1", "400.00", "2026-11-02"),
    ("J-2", "Janssens", "W1", "350.00", "2026-11-09"),
    ("J-3", "Janssens", "W1", "300.00", "2026-11-20"),
    ("J-4", "Janssens", "W2", "600.00", "2026-11-09"),
    ("J-5", "Janssens", "W1", "700.00", "2027-03-01"),
    ("J-6", "Janssens", "W3", "450.00", "2026-11-03"),
    ("J-7", "Janssens", "W3", "450.00", "2026-11-13"),
    ("J-8", "Janssens", "W4", "800.00", "2026-10-30"),
    ("J-9", "Janssens", "W4", "800.00", "2026-11-04"),
    ("P-1", "Peeters", "W1", "500.00", "2026-11-05"),
]


@pytest.fixture
def splits_ws(workspace: Workspace, cli, tmp_path: Path) -> Workspace:
    result = cli("ingest", "-w", workspace.root, write_orders(tmp_path / "orders.csv", SPLIT_ROWS))
    assert result.exit_code == 0, result.output
    return workspace


def report(cli, ws: Workspace, *args: str):
    result = cli("report", *args, "-w", ws.root)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_report_splits_json(cli, splits_ws):
    data = json.loads(report(cli, splits_ws, "splits", "--format", "json"))
    assert data["window_days"] == 30
    assert data["threshold_eur"] == "1000.00"
    groups = {tuple(g["order_ids"]): g for g in data["groups"]}
    # W3 (900.00 together) stays under the threshold; W4 crosses over the month's end.
    assert list(groups) == [("J-8", "J-9"), ("J-1", "J-2", "J-3")]
    g = groups[("J-1", "J-2", "J-3")]
    assert g["contractor"] == "Janssens"
    assert g["dwelling_id"] == "W1"
    assert g["address"] == "Street 1"
    assert (g["first_on"], g["last_on"]) == ("2026-11-02", "2026-11-20")
    assert g["total_eur"] == "1050.00"


def test_report_splits_period_keeps_the_groups_that_start_in_it(cli, splits_ws):
    data = json.loads(report(cli, splits_ws, "splits", "--period", "2026-11", "--format", "json"))
    assert [g["order_ids"] for g in data["groups"]] == [["J-1", "J-2", "J-3"]]
    data = json.loads(report(cli, splits_ws, "splits", "--period", "2026-10", "--format", "json"))
    assert [g["order_ids"] for g in data["groups"]] == [["J-8", "J-9"]]


def test_report_splits_csv_and_table(cli, splits_ws):
    rows = list(csv.DictReader(io.StringIO(report(cli, splits_ws, "splits", "--format", "csv"))))
    assert [r["order_ids"] for r in rows] == ["J-8 J-9", "J-1 J-2 J-3"]
    assert rows[1]["total_eur"] == "1050.00"
    table = report(cli, splits_ws, "splits")
    assert "Split orders: all completed orders" in table
    assert "J-1 J-2 J-3" in table
    assert "1.050,00" in table  # the workspace's Belgian dialect
    assert "2 groups" in table


def test_report_splits_follows_the_configured_window(cli, splits_ws):
    config = splits_ws.root / "inspect-cli.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("split_window_days = 30", "split_window_days = 10"))
    data = json.loads(report(cli, splits_ws, "splits", "--format", "json"))
    # J-1 to J-3 span 18 days: J-1 and J-2 (750.00) alone stay under; W4 spans 5 days.
    assert [g["order_ids"] for g in data["groups"]] == [["J-8", "J-9"]]
    assert data["window_days"] == 10


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("split_window_days = -1", "split_window_days must be a whole number of days"),
        ('split_window_days = "30"', "split_window_days must be a whole number of days"),
        ('split_rule = "always"', 'split_rule must be "report" or "select", got \'always\''),
    ],
)
def test_bad_split_config_is_refused(cli, splits_ws, line, message):
    config = splits_ws.root / "inspect-cli.toml"
    text = config.read_text(encoding="utf-8")
    key = line.split(" = ")[0]
    old = next(x for x in text.splitlines() if x.startswith(f"{key} = "))
    config.write_text(text.replace(old, line))
    result = cli("report", "splits", "-w", splits_ws.root)
    assert result.exit_code != 0
    assert message in result.stderr
    assert result.stderr.startswith("Error: ")


def test_select_split_rule_is_accepted(cli, splits_ws):
    config = splits_ws.root / "inspect-cli.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('split_rule = "report"', 'split_rule = "select"'))
    assert json.loads(report(cli, splits_ws, "splits", "--format", "json"))["groups"]


def test_report_splits_refuses_sort(cli, splits_ws):
    result = cli("report", "splits", "-w", splits_ws.root, "--sort", "orders")
    assert result.exit_code != 0
    assert "--sort applies to `report contractors` only" in result.stderr


def _signal_rows() -> list[tuple[str, str, str, str, str]]:
    """A suspect with 40% of 200 orders between EUR 950 and 999.99, three ordinary contractors."""
    rng = random.Random(14)
    rows = []

    def ordinary() -> str:
        cents = max(100, int(math.exp(rng.gauss(math.log(30_000), 0.9))))
        return f"{cents // 100}.{cents % 100:02d}"

    for i in range(200):
        amount = f"{950 + rng.randrange(50)}.{rng.randrange(100):02d}" if i < 80 else ordinary()
        rows.append((f"S-{i}", "Suspect", f"W{i}", amount, f"2026-11-{1 + i % 28:02d}"))
    for who in ("Alpha", "Beta", "Gamma"):
        for i in range(300):
            rows.append((f"{who[0]}-{i}", who, f"W{i}", ordinary(), f"2026-11-{1 + i % 28:02d}"))
    # A possible double billing at one of Alpha's dwellings.
    rows += [("A-X1", "Alpha", "W900", "321.00", "2026-11-03")]
    rows += [("A-X2", "Alpha", "W900", "321.00", "2026-11-10")]
    return rows


@pytest.fixture
def signals_ws(workspace: Workspace, cli, tmp_path: Path) -> Workspace:
    result = cli("ingest", "-w", workspace.root, write_orders(tmp_path / "s.csv", _signal_rows()))
    assert result.exit_code == 0, result.output
    return workspace


def test_report_signals_flags_the_contractor_just_below_the_threshold(cli, signals_ws):
    data = json.loads(report(cli, signals_ws, "signals", "--period", "2026-11", "--format", "json"))
    rows = {r["contractor"]: r for r in data["contractors"]}
    assert list(rows) == ["Alpha", "Beta", "Gamma", "Suspect"]
    suspect = rows["Suspect"]
    assert suspect["orders"] == 200
    assert suspect["near_threshold_share"] >= 0.4
    assert suspect["near_threshold_expected_share"] < 0.05
    assert suspect["near_threshold_p"] < 1e-20
    assert suspect["near_threshold_flag"] is True
    assert [r["near_threshold_flag"] for r in rows.values()] == [False, False, False, True]
    assert suspect["benford_conformity"] == "too few amounts"
    assert isinstance(suspect["benford_mad"], float)
    assert rows["Alpha"]["double_billings"] == 1
    assert rows["Alpha"]["orders"] == 302
    for key in ("round_share", "split_groups"):
        assert key in suspect
    assert data["flag_below_p"] == pytest.approx(0.01 / 4)
    [pair] = data["double_billings"]
    assert (pair["first_order_id"], pair["second_order_id"]) == ("A-X1", "A-X2")
    assert pair["amount_eur"] == "321.00"


def test_report_signals_table_and_csv(cli, signals_ws):
    table = " ".join(report(cli, signals_ws, "signals").split())  # notes wrap at 80 columns
    assert "FLAG p=" in table
    assert "price lists" in table
    assert "Possible double billing" in table
    assert "A-X1" in table
    rows = list(csv.DictReader(io.StringIO(report(cli, signals_ws, "signals", "--format", "csv"))))
    assert [r["contractor"] for r in rows] == ["Alpha", "Beta", "Gamma", "Suspect"]
    assert rows[3]["near_threshold_flag"] == "True"


def test_report_signals_for_one_contractor_still_compares_with_the_others(cli, signals_ws):
    data = json.loads(
        report(cli, signals_ws, "signals", "--contractor", "suspect", "--format", "json")
    )
    [suspect] = data["contractors"]
    assert suspect["contractor"] == "Suspect"
    assert suspect["near_threshold_flag"] is True
    assert data["double_billings"] == []


def test_report_signals_in_an_empty_period(cli, signals_ws):
    data = json.loads(report(cli, signals_ws, "signals", "--period", "2025", "--format", "json"))
    assert data["contractors"] == []


def test_group_of_one_stored_order_for_show(splits_ws):
    from inspect_cli.signals import stored_group_of_order

    conn = splits_ws.connect()
    try:
        group = stored_group_of_order(conn, "J-2", threshold_cents=100_000, window_days=30)
        assert group is not None
        assert group.order_ids == ("J-1", "J-2", "J-3")
        assert group.address == "Street 1"
        for alone in ("J-4", "J-5", "P-1", "NO-SUCH-ORDER"):
            assert (
                stored_group_of_order(conn, alone, threshold_cents=100_000, window_days=30) is None
            )
    finally:
        conn.close()


def test_orders_without_dwelling_id_group_by_address_and_postcode(cli, workspace, tmp_path):
    path = tmp_path / "no-ids.csv"
    path.write_text(
        "Work order,Contractor,Address,Postal code,Net amount,Completion date\n"
        "N-1,Janssens,Kerkstraat 1,2000,600.00,2026-11-02\n"
        'N-2,Janssens,"KERKSTRAAT, 1",2000,500.00,2026-11-09\n'
        "N-3,Janssens,Kerkstraat 1,9000,500.00,2026-11-09\n"
        "N-4,Janssens,,,900.00,2026-11-09\n",
        encoding="utf-8",
    )
    assert cli("ingest", "-w", workspace.root, path).exit_code == 0
    data = json.loads(report(cli, workspace, "splits", "--format", "json"))
    [group] = data["groups"]
    assert group["order_ids"] == ["N-1", "N-2"]
    assert group["dwelling_id"] is None
    assert (group["address"], group["postcode"]) == ("Kerkstraat 1", "2000")
