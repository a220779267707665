"""verify recomputes every decision from the seed and notices any change to the run records."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import NOW, SEED
from helpers import forge_chain, ids_by_ticket, ingest, rows, select, write_orders

from inspect_cli.errors import SeedError
from inspect_cli.verify import verify
from inspect_cli.workspace import Workspace


@pytest.fixture
def history(workspace: Workspace, tmp_path: Path) -> Workspace:
    """Three runs: a mixed first batch, an amendment across the threshold, a second batch."""
    lucky = ids_by_ticket(3, hit=True)
    unlucky = ids_by_ticket(20, hit=False, prefix="U-")
    ingest(
        workspace,
        write_orders(
            tmp_path / "a.csv", rows(lucky[:2] + unlucky[:10]) + rows(["BIG-1"], "1000.01")
        ),
    )
    select(workspace, date(2026, 11, 23))
    ingest(workspace, write_orders(tmp_path / "b.csv", rows(unlucky[:1], "5000.00")))
    select(workspace, date(2026, 11, 24), now=NOW + timedelta(days=1))
    ingest(workspace, write_orders(tmp_path / "c.csv", rows(lucky[2:] + unlucky[10:])))
    select(workspace, date(2026, 11, 25), now=NOW + timedelta(days=2))
    return workspace


def check(ws: Workspace, seed: str = SEED):
    conn = ws.connect()
    try:
        return verify(conn, seed)
    finally:
        conn.close()


def tamper(ws: Workspace, *statements: str) -> None:
    conn = ws.connect()
    conn.execute("PRAGMA foreign_keys = OFF")
    for statement in statements:
        conn.execute(statement)
    conn.close()


def messages(result) -> list[str]:
    return [p.message for p in result.problems]


def test_an_untouched_history_verifies(history: Workspace):
    result = check(history)
    assert result.ok, messages(result)
    assert (result.runs, result.decisions) == (3, 25)
    assert result.to_json()["problems"] == []


def test_a_wrong_seed_is_refused(history: Workspace):
    with pytest.raises(SeedError, match=r"^seed does not match the commitment [0-9a-f]{64}"):
        check(history, "12345")


def test_a_changed_decision_is_detected(history: Workspace):
    order_id = ids_by_ticket(2, hit=False, prefix="U-")[1]
    tamper(
        history,
        "UPDATE decisions SET selected = 1, reason = 'random_sample', due_on = '2026-12-07' "
        f"WHERE order_id = '{order_id}' AND run_id = 1",
    )
    result = check(history)
    assert not result.ok
    assert messages(result) == [
        f"order {order_id} (run 1): stored random_sample, recomputed not selected",
        "run 1: its record or decisions changed after it was made (hash mismatch)",
        "run 1: its counts do not match its decisions",
    ]


def test_a_reason_no_run_gives_is_reported_not_a_crash(history: Workspace):
    tamper(
        history, "UPDATE decisions SET reason = 'favour', due_on = NULL WHERE order_id = 'BIG-1'"
    )
    assert messages(check(history)) == [
        "order BIG-1 (run 1): stored favour, recomputed above_threshold",
        "run 1: its record or decisions changed after it was made (hash mismatch)",
        "run 1: its counts do not match its decisions",
    ]


def test_a_dropped_mandatory_control_is_detected(history: Workspace):
    tamper(
        history,
        "UPDATE decisions SET selected = 0, reason = NULL, due_on = NULL WHERE order_id = 'BIG-1'",
    )
    assert messages(check(history))[0] == (
        "order BIG-1 (run 1): stored not selected, recomputed above_threshold"
    )


def test_a_deleted_run_is_detected(history: Workspace):
    tamper(
        history,
        "DELETE FROM decisions WHERE run_id = 2",
        "DELETE FROM selection_runs WHERE run_id = 2",
    )
    (amended,) = ids_by_ticket(1, hit=False, prefix="U-")
    result = check(history)
    assert messages(result) == [
        "run 3: does not link to run 1 (the runs in between were deleted)",
        "run 2: in the audit log but missing from the store",
        f"order {amended}: 5000.00 is above the threshold 1000.00 but the order was never selected",
    ]


def test_a_deleted_last_run_is_detected(history: Workspace):
    tamper(
        history,
        "DELETE FROM decisions WHERE run_id = 3",
        "DELETE FROM selection_runs WHERE run_id = 3",
    )
    result = check(history)
    kinds = [p.kind for p in result.problems]
    assert messages(result)[0] == "run 3: in the audit log but missing from the store"
    assert kinds.count("undecided") == 11  # the orders only run 3 had decided
    assert "(decisions or a run were deleted)" in messages(result)[1]


def test_decisions_whose_run_record_is_gone_are_reported_once_each(history: Workspace):
    tamper(history, "DELETE FROM selection_runs WHERE run_id = 2")
    (amended,) = ids_by_ticket(1, hit=False, prefix="U-")
    assert messages(check(history)) == [
        f"order {amended}: its run 2 is missing",
        "run 3: does not link to run 1 (the runs in between were deleted)",
        "run 2: in the audit log but missing from the store",
    ]


def test_a_changed_due_date_and_a_second_decision_are_detected(history: Workspace):
    lucky = ids_by_ticket(1, hit=True)[0]
    tamper(
        history,
        f"UPDATE decisions SET due_on = '2027-01-01' WHERE order_id = '{lucky}'",
        "INSERT INTO decisions VALUES ('BIG-1', 3, 100001, 1, 'amended_above_threshold', "
        "'2026-12-09')",
    )
    problems = [p for p in check(history).problems if p.kind == "decision"]
    assert [p.message for p in problems] == [
        f"order {lucky} (run 1): stored due date 2027-01-01, recomputed 2026-12-07",
        "order BIG-1 (run 3): decided a second time, but it was already selected",
    ]


def test_a_due_date_on_an_unselected_decision_is_detected(history: Workspace):
    """Only the selected decisions of a run carry its due date; verify compares whole columns
    first, so a single stray date must still send the run to the one-by-one comparison."""
    unlucky = ids_by_ticket(20, hit=False, prefix="U-")[5]
    tamper(history, f"UPDATE decisions SET due_on = '2026-12-07' WHERE order_id = '{unlucky}'")
    problems = [p for p in check(history).problems if p.kind == "decision"]
    assert [p.message for p in problems] == [
        f"order {unlucky} (run 1): stored due date 2026-12-07, recomputed None"
    ]


def test_an_edited_run_is_detected(history: Workspace):
    # Raising the threshold after the fact would turn the 1000.01 order into "not above".
    tamper(history, "UPDATE selection_runs SET threshold_cents = 200000 WHERE run_id = 1")
    assert messages(check(history)) == [
        "order BIG-1 (run 1): stored above_threshold, recomputed not selected",
        "run 1: its record or decisions changed after it was made (hash mismatch)",
    ]


def test_a_rehashed_chain_still_shows_in_the_audit_log(history: Workspace):
    """Someone who edits a run and recomputes every hash is caught by the logged hashes."""
    tamper(history, "UPDATE selection_runs SET created_at = '2026-11-01T00:00:00+00:00'")
    conn = history.connect()
    forge_chain(conn)
    conn.close()
    assert messages(check(history)) == [
        f"run {n}: its hash differs from the one in the audit log" for n in (1, 2, 3)
    ]


def test_an_auditor_seed_equal_to_the_workspace_seed_verifies(history: Workspace):
    assert check(history, SEED).ok
