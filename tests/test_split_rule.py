"""``split_rule = "select"``: split groups are selected as split_above_threshold, recorded with
their run, hashed (recipe 4) and checked by ``verify``; with "report" nothing changes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import SEED
from helpers import decisions, ids_by_ticket, ingest, select, write_orders

from inspect_cli.verify import verify
from inspect_cli.workspace import Workspace

HEADER = ("order_id", "contractor", "amount_excl_vat", "completed_on", "dwelling_id")
# Three orders whose tickets the draw passes over: only the split rule can select them.
FIRST, SECOND, THIRD = ids_by_ticket(3, hit=False, prefix="S-")


def use_split_rule(ws: Workspace, rule: str) -> None:
    text = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(
        text.replace('split_rule = "report"', f'split_rule = "{rule}"'), encoding="utf-8"
    )
    assert ws.config().split_rule == rule


def two_runs(ws: Workspace, tmp_path: Path) -> None:
    """Run 1 sees two orders of 400.00 at one dwelling (800.00: no group yet); a third order,
    completed 18 days after the first, makes the three a group of 1,200.00 in run 2."""
    one = [(FIRST, "Janssens", "400.00", "2026-11-02", "W-7"), (SECOND, "Janssens", "400.00",
           "2026-11-10", "W-7")]  # fmt: skip
    ingest(ws, write_orders(tmp_path / "a.csv", one, header=HEADER))
    select(ws, as_of=date(2026, 11, 12))
    two = [(THIRD, "Janssens", "400.00", "2026-11-20", "W-7")]
    ingest(ws, write_orders(tmp_path / "b.csv", two, header=HEADER))
    select(ws)


def problems(ws: Workspace) -> list[str]:
    conn = ws.connect()
    try:
        return [p.message for p in verify(conn, SEED).problems]
    finally:
        conn.close()


def tamper(ws: Workspace, sql: str) -> None:
    conn = ws.connect()
    with conn:
        conn.execute(sql)
    conn.close()


def stored(ws: Workspace, sql: str) -> list[tuple]:
    conn = ws.connect()
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_group_that_crosses_later_selects_its_earlier_orders(workspace, tmp_path):
    use_split_rule(workspace, "select")
    two_runs(workspace, tmp_path)
    due = "2026-12-11"
    assert decisions(workspace) == {
        FIRST: [(1, 0, None, None), (2, 1, "split_above_threshold", due)],
        SECOND: [(1, 0, None, None), (2, 1, "split_above_threshold", due)],
        THIRD: [(2, 1, "split_above_threshold", due)],
    }
    order = sorted([(FIRST, "2026-11-02"), (SECOND, "2026-11-10"), (THIRD, "2026-11-20")],
                   key=lambda o: (o[1], o[0]))  # fmt: skip
    assert stored(
        workspace,
        "SELECT run_id, group_no, order_id, contractor, dwelling, amount_cents, completed_on "
        "FROM run_split_orders ORDER BY position",
    ) == [(2, 1, i, "Janssens", "id:w-7", 40000, on) for i, on in order]
    assert stored(workspace, "SELECT * FROM run_split_rule ORDER BY run_id") == [
        (1, "select", 30),
        (2, "select", 30),
    ]
    counts = json.loads(
        stored(workspace, "SELECT counts FROM selection_runs WHERE run_id = 2")[0][0]
    )
    assert counts["split_above_threshold"] == 3 and counts["not_selected"] == 0
    assert problems(workspace) == []


def test_with_report_nothing_changes(workspace, tmp_path):
    two_runs(workspace, tmp_path)
    assert decisions(workspace) == {
        FIRST: [(1, 0, None, None)],
        SECOND: [(1, 0, None, None)],
        THIRD: [(2, 0, None, None)],
    }
    assert stored(workspace, "SELECT * FROM run_split_orders") == []
    assert stored(workspace, "SELECT split_rule FROM run_split_rule") == [("report",), ("report",)]
    assert problems(workspace) == []


def test_a_change_of_config_changes_later_runs_only(workspace, tmp_path):
    """Run 1 under "report"; run 2 under "select" still selects the group's earlier orders
    (decided not selected by run 1), and run 1 keeps verifying with the rule it was made with."""
    one = [(FIRST, "Janssens", "600.00", "2026-11-02", "W-7"), (SECOND, "Janssens", "600.00",
           "2026-11-10", "W-7")]  # fmt: skip
    ingest(workspace, write_orders(tmp_path / "a.csv", one, header=HEADER))
    select(workspace)
    assert {r[0][2] for r in decisions(workspace).values()} == {None}
    use_split_rule(workspace, "select")
    ingest(workspace, write_orders(tmp_path / "b.csv", [("X-1", "Peeters", "5000", "2026-11-21")]))
    run = select(workspace)
    assert run.plan.counts["split_above_threshold"] == 2
    assert [g[2][0][0] for g in run.plan.split_groups] == [FIRST]
    assert problems(workspace) == []


def test_editing_a_split_decision_fails_verify(workspace, tmp_path):
    use_split_rule(workspace, "select")
    two_runs(workspace, tmp_path)
    tamper(
        workspace,
        f"UPDATE decisions SET selected = 0, reason = NULL, due_on = NULL "
        f"WHERE run_id = 2 AND order_id = '{FIRST}'",
    )
    found = problems(workspace)
    assert f"order {FIRST} (run 2): stored not selected, recomputed split_above_threshold" in found
    assert "run 2: its record or decisions changed after it was made (hash mismatch)" in found
    assert any(m.startswith(f"order {FIRST}: in a split group of Janssens") for m in found)


def test_a_split_decision_outside_any_recorded_group_fails_verify(workspace, tmp_path):
    use_split_rule(workspace, "select")
    two_runs(workspace, tmp_path)
    tamper(workspace, f"DELETE FROM run_split_orders WHERE order_id = '{THIRD}'")
    found = problems(workspace)
    assert f"order {THIRD} (run 2): stored split_above_threshold, recomputed not selected" in found
    assert "run 2: its record or decisions changed after it was made (hash mismatch)" in found
    # The two orders left are no group: 800.00 is not above the threshold.
    assert any(m.endswith("its total 800.00 is not above the threshold") for m in found)


def test_a_recorded_amount_the_order_never_had_fails_verify(workspace, tmp_path):
    use_split_rule(workspace, "select")
    two_runs(workspace, tmp_path)
    tamper(
        workspace, f"UPDATE run_split_orders SET amount_cents = 45000 WHERE order_id = '{FIRST}'"
    )
    found = problems(workspace)
    assert any(m.endswith(f"order {FIRST} never had the amount 450.00") for m in found)


def test_a_select_run_that_missed_a_group_fails_verify(workspace, tmp_path):
    """Completeness: the rule recorded as "select" but the groups left out (a run made by a
    tool that ignored them): verify finds the unselected group from the stored orders."""
    use_split_rule(workspace, "select")
    two_runs(workspace, tmp_path)
    tamper(workspace, "DELETE FROM run_split_orders")
    tamper(
        workspace,
        "UPDATE decisions SET selected = 0, reason = NULL, due_on = NULL WHERE run_id = 2",
    )
    found = problems(workspace)
    missed = [m for m in found if "in a split group of Janssens" in m]
    assert len(missed) == 3
    assert missed[0].endswith("1200.00 together) but not selected by run 2")


@pytest.mark.parametrize("rule", ["report", "select"])
def test_orders_of_other_dwellings_or_contractors_are_not_a_group(workspace, tmp_path, rule):
    use_split_rule(workspace, rule)
    rows = [
        (FIRST, "Janssens", "600.00", "2026-11-02", "W-7"),
        (SECOND, "Janssens", "600.00", "2026-11-10", "W-8"),
        (THIRD, "Peeters", "600.00", "2026-11-10", "W-7"),
    ]
    ingest(workspace, write_orders(tmp_path / "a.csv", rows, header=HEADER))
    run = select(workspace)
    assert run.plan.counts["split_above_threshold"] == 0 and run.plan.split_groups == []


# --- the commands around it: show, export, record, report -------------------------------------


def test_show_names_the_split_group_whatever_the_rule(cli, workspace, tmp_path):
    two_runs(workspace, tmp_path)  # split_rule "report"
    result = cli("show", "-w", workspace.root, SECOND)
    assert result.exit_code == 0, result.output
    others = ", ".join(i for i in (FIRST, THIRD))
    assert (
        f"Split group: Janssens at W-7, with {others}: 1.200,00 together, 2026-11-02 to 2026-11-20"
        in result.stdout.splitlines()
    )
    data = json.loads(cli("show", "-w", workspace.root, SECOND, "--format", "json").stdout)
    assert data["split_group"]["order_ids"] == [FIRST, SECOND, THIRD]
    assert data["split_group"]["total_cents"] == 120000


def test_show_explains_a_split_decision(cli, workspace, tmp_path):
    use_split_rule(workspace, "select")
    two_runs(workspace, tmp_path)
    lines = cli("show", "-w", workspace.root, FIRST).stdout.splitlines()
    assert "Decision (run 2, 2026-11-27): selected, split_above_threshold" in lines
    assert (
        "  because amount 400,00 is one order of a split group above the threshold 1.000,00: "
        "mandatory control"
    ) in lines


def test_show_after_an_amendment_says_only_what_changed(cli, workspace, tmp_path):
    ingest(
        workspace, write_orders(tmp_path / "a.csv", [(FIRST, "Janssens", "400.00", "2026-11-02")])
    )
    ingest(
        workspace,
        write_orders(
            tmp_path / "b.csv",
            [(FIRST, "Janssens", "450.00", "2026-11-02", "W-7")],
            header=HEADER,
        ),
    )
    result = cli("show", "-w", workspace.root, FIRST)
    assert result.exit_code == 0, result.output
    amended = [line for line in result.stdout.splitlines() if line.startswith("Amended")]
    assert amended == [
        "Amended at 2026-11-27T06:30:00+00:00 by b.csv: amount excl. VAT 400,00 → 450,00, "
        "dwelling (empty) → W-7"
    ]
    assert "None" not in result.stdout


def test_export_record_and_report_know_the_split_reason(cli, workspace, tmp_path):
    use_split_rule(workspace, "select")
    two_runs(workspace, tmp_path)
    out = tmp_path / "list.csv"
    result = cli("export", "-w", workspace.root, "--out", out, "--dialect", "standard")
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    assert lines[1].startswith(f"{sorted([FIRST, SECOND, THIRD])[0]},split_above_threshold,")
    back = tmp_path / "back.csv"
    back.write_text(
        "order_id,inspector,inspected_on,result,findings,correction_eur\n"
        f"{FIRST},An,2026-12-01,not_done,one job cut in three,400.00\n",
        encoding="utf-8",
    )
    result = cli("record", "-w", workspace.root, "--from", back)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("back.csv: 1 read, 1 recorded,")
    summary = cli("report", "summary", "-w", workspace.root, "--period", "2026", "--format", "json")
    data = json.loads(summary.stdout)
    assert (data["selected"], data["mandatory"], data["inspected"]) == (3, 3, 1)


def test_select_and_verify_commands_under_the_split_rule(cli, workspace, tmp_path):
    use_split_rule(workspace, "select")
    one = [(FIRST, "Janssens", "600.00", "2026-11-02", "W-7"), (SECOND, "Janssens", "600.00",
           "2026-11-10", "W-7")]  # fmt: skip
    ingest(workspace, write_orders(tmp_path / "a.csv", one, header=HEADER))
    result = cli("select", "-w", workspace.root, "--date", "2026-11-27", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"]["split_above_threshold"] == 2
    assert (data["split_rule"], data["split_groups"]) == ("select", [[FIRST, SECOND]])
    seed_file = tmp_path / "seed"
    seed_file.write_text(SEED)
    verified = cli("verify", "-w", workspace.root, "--seed-file", seed_file)
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.startswith("OK: all 2 decisions reproduce")


def test_the_select_summary_counts_split_orders(cli, workspace, tmp_path):
    use_split_rule(workspace, "select")
    one = [(FIRST, "Janssens", "600.00", "2026-11-02", "W-7"), (SECOND, "Janssens", "600.00",
           "2026-11-10", "W-7")]  # fmt: skip
    ingest(workspace, write_orders(tmp_path / "a.csv", one, header=HEADER))
    result = cli("select", "-w", workspace.root, "--date", "2026-11-27")
    assert result.exit_code == 0, result.output
    assert "  split above threshold             2" in result.stdout.splitlines()
