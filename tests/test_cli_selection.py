"""``select``, ``verify`` and ``show``: exit codes, exact messages, then the store."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import NOW, SEED
from helpers import decisions, ids_by_ticket, ingest, rows, write_orders

from inspect_cli.sampling import seed_commitment, ticket_prefix
from inspect_cli.workspace import Workspace, init_workspace

COMMITMENT = seed_commitment(SEED)


def orders(ws: Workspace, tmp_path: Path) -> tuple[str, str]:
    """Two orders above the threshold and one below that the draw passes over."""
    (unlucky,) = ids_by_ticket(1, hit=False)
    ingest(
        ws,
        write_orders(tmp_path / "a.csv", rows(["BIG-1", "BIG-2"], "1000.01") + rows([unlucky])),
    )
    return "BIG-1", unlucky


def test_select_prints_the_run_summary(cli, workspace, tmp_path):
    orders(workspace, tmp_path)
    result = cli("select", "-w", workspace.root, "--date", "2026-11-27")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Selection run 1 as of 2026-11-27, hash ")
    assert lines[1:] == [
        "  above threshold                   2",
        "  amended above threshold           0",
        "  random sample                     0",
        "  not selected                      1",
        "  decided                           3",
        "2 to inspect, due on 2026-12-11.",
        # The workspace's dialect is excel-be: a decimal comma, as in `report`.
        "Realised sample rate so far: 0,00% (0 of 1; 95% interval 0,00% to 97,50%), target 2,00%.",
        f"run 1 hash {lines[0].rsplit(' ', 1)[1]}",
    ]
    assert len(decisions(workspace)) == 3
    # The receipt is in the log too.
    log = (workspace.logs / "inspect-cli.log").read_text(encoding="utf-8")
    assert log.rstrip().endswith(f"receipt: {lines[-1]}")


def test_select_json_and_a_second_run_that_finds_nothing(cli, workspace, tmp_path):
    orders(workspace, tmp_path)
    result = cli("select", "-w", workspace.root, "--date", "2026-11-27", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["run_id"] == 1 and data["as_of"] == "2026-11-27" and data["decided"] == 3
    assert data["run_hash"] == data["hash"] and len(data["run_hash"]) == 64
    assert data["counts"] == {
        "above_threshold": 2,
        "random_sample": 0,
        "amended_above_threshold": 0,
        "split_above_threshold": 0,
        "not_selected": 1,
    }
    assert data["selected"] == [
        {"order_id": "BIG-1", "reason": "above_threshold"},
        {"order_id": "BIG-2", "reason": "above_threshold"},
    ]
    assert data["due_on"] == "2026-12-11" and len(data["hash"]) == 64
    again = cli("select", "-w", workspace.root, "--date", "2026-11-27")
    assert again.exit_code == 0
    assert again.stdout.splitlines()[0] == "Nothing to decide as of 2026-11-27; no run recorded."


def test_select_dry_run_stores_nothing(cli, workspace, tmp_path):
    orders(workspace, tmp_path)
    result = cli("select", "-w", workspace.root, "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].endswith(": nothing stored.")
    assert decisions(workspace) == {}


def test_select_reports_downward_amendments_and_waiting_orders(cli, workspace, tmp_path):
    orders(workspace, tmp_path)
    cli("select", "-w", workspace.root, "--date", "2026-11-27")
    ingest(
        workspace,
        write_orders(
            tmp_path / "b.csv", rows(["BIG-1"], "999.00") + rows(["LATER"], "5", "2026-12-24")
        ),
    )
    result = cli("select", "-w", workspace.root, "--date", "2026-11-28")
    assert result.exit_code == 0
    assert "Kept selected after a downward amendment: 1 (BIG-1)" in result.stdout
    assert "Left for a later run: 1 order completed after 2026-11-28." in result.stdout


def test_select_with_a_bad_date(cli, workspace):
    result = cli("select", "-w", workspace.root, "--date", "27/11/2026")
    assert result.exit_code == 2
    assert result.stderr == "Error: --date must be a date as YYYY-MM-DD, got '27/11/2026'\n"


def test_select_refuses_a_replaced_seed_file(cli, workspace):
    workspace.seed_path.write_text("0000\n", encoding="utf-8")
    result = cli("select", "-w", workspace.root)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: seed does not match the commitment {COMMITMENT}")


def test_verify_passes(cli, workspace, tmp_path):
    orders(workspace, tmp_path)
    cli("select", "-w", workspace.root)
    result = cli("verify", "-w", workspace.root, "--seed", "-", input=SEED + "\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "OK: all 3 decisions reproduce and the chain of 1 run is intact "
        f"(seed commitment {COMMITMENT}).\n"
        "Note: without --receipts or --files, verify can only check that the store is "
        "consistent with itself; a history rewritten consistently passes.\n"
    )
    data = json.loads(cli("verify", "-w", workspace.root, "--format", "json").stdout)
    assert data == {
        "ok": True,
        "seed_commitment": COMMITMENT,
        "runs": 1,
        "decisions": 3,
        "anchors": [],
        "problems": [],
    }


def test_verify_with_a_wrong_seed(cli, workspace):
    result = cli("verify", "-w", workspace.root, "--seed", "-", input="11111111111111111111")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: seed does not match the commitment {COMMITMENT} recorded at init"
    )


def test_verify_lists_what_does_not_reproduce(cli, workspace, tmp_path):
    _, unlucky = orders(workspace, tmp_path)
    cli("select", "-w", workspace.root)
    conn = workspace.connect()
    conn.execute(
        f"UPDATE decisions SET selected = 1, reason = 'random_sample' WHERE order_id = '{unlucky}'"
    )
    conn.close()
    result = cli("verify", "-w", workspace.root)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:4] == [
        "FAILED: 3 problems in 3 decisions and 1 run:",
        f"  order {unlucky} (run 1): stored random_sample, recomputed not selected",
        "  run 1: its record or decisions changed after it was made (hash mismatch)",
        "  run 1: its counts do not match its decisions",
    ]
    data = json.loads(cli("verify", "-w", workspace.root, "--format", "json").stdout)
    assert data["ok"] is False
    assert data["problems"][0] == {
        "kind": "decision",
        "message": f"order {unlucky} (run 1): stored random_sample, recomputed not selected",
        "run_id": 1,
        "order_id": unlucky,
    }


def test_show_explains_one_order(cli, workspace, tmp_path):
    _, unlucky = orders(workspace, tmp_path)
    cli("select", "-w", workspace.root, "--date", "2026-11-27")
    result = cli("show", "-w", workspace.root, unlucky)
    assert result.exit_code == 0, result.output
    ticket = ticket_prefix(SEED, unlucky)
    assert result.stdout.splitlines() == [
        f"Order {unlucky}",
        "  contractor        Janssens",
        "  amount excl. VAT  100,00",  # as an excel-be workspace writes numbers
        "  completed on      2026-11-20",
        "Imported from a.csv at 2026-11-27T06:30:00+00:00",
        f"Ticket: {ticket}…",
        "Decision (run 1, 2026-11-27): not selected",
        f"  because amount 100,00 is not above 1.000,00; ticket {ticket}… "
        "is not below the rate 0.02",
        "Status: not selected",
    ]
    data = json.loads(cli("show", "-w", workspace.root, "BIG-1", "--format", "json").stdout)
    assert data["order"]["amount_cents"] == 100001
    assert data["decisions"][0]["reason"] == "above_threshold"
    assert data["status"].startswith("open, due on 2026-12-11")
    assert data["inspections"] == [] and data["satisfaction"] is None


def test_show_an_unknown_order(cli, workspace):
    result = cli("show", "-w", workspace.root, "X-404")
    assert result.exit_code == 1
    assert result.stderr == "Error: unknown order 'X-404'\n"


def test_select_and_verify_in_a_folder_whose_path_needs_quoting(cli, tmp_path):
    """select and verify open a second connection by URI: spaces, '#', '%' and non-ASCII in
    the workspace path must reach the same store."""
    ws, _ = init_workspace(tmp_path / "control 2026 #1 %20 été", SEED, NOW)
    orders(ws, tmp_path)
    assert cli("select", "-w", ws.root, "--date", "2026-11-27").exit_code == 0
    assert len(decisions(ws)) == 3
    result = cli("verify", "-w", ws.root)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: all 3 decisions reproduce")


def test_select_and_show_write_dates_as_the_workspace_language_does(cli, workspace, tmp_path):
    """In a Dutch workspace every date a person reads is Belgian (27/11/2026), as in `report`;
    English keeps ISO dates (the tests above)."""
    text = workspace.config_path.read_text(encoding="utf-8")
    workspace.config_path.write_text(
        text.replace('language = "en"', 'language = "nl"'), encoding="utf-8"
    )
    _, unlucky = orders(workspace, tmp_path)
    selected = cli("select", "-w", workspace.root, "--date", "2026-11-27").stdout.splitlines()
    assert selected[0].startswith("Selection run 1 as of 27/11/2026, hash ")
    assert "2 to inspect, due on 11/12/2026." in selected
    shown = cli("show", "-w", workspace.root, unlucky).stdout.splitlines()
    assert "  completed on      20/11/2026" in shown
    assert "Decision (run 1, 27/11/2026): not selected" in shown
    big = cli("show", "-w", workspace.root, "BIG-1").stdout.splitlines()
    assert any(line.startswith("Status: open, due on 11/12/2026") for line in big)
