"""verify against a hostile store: read-only, receipts, and each way of rewriting history."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SEED
from consistent_sampler.consistent_sampler import first_fraction
from helpers import forge_chain

from inspect_cli.workspace import Workspace

HEADER = "order_id,contractor,amount_excl_vat,completed_on\n"


def unlucky(count: int, prefix: str = "U-") -> list[str]:
    """Order ids whose ticket is not below 2%: below the threshold, never drawn."""
    ids = (f"{prefix}{n}" for n in range(10_000))
    return [i for i in ids if Decimal(first_fraction(i, SEED)) >= Decimal("0.02")][:count]


def ingest(cli, ws: Workspace, tmp_path: Path, name: str, rows: list[tuple[str, str]]) -> None:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{i},Janssens,{a},2026-11-02\n" for i, a in rows))
    result = cli("ingest", "-w", ws.root, path)
    assert result.exit_code == 0, result.output


def select(cli, ws: Workspace, day: str) -> str:
    """Run select; return its receipt line."""
    result = cli("select", "-w", ws.root, "--date", day)
    assert result.exit_code == 0, result.output
    receipt = result.stdout.splitlines()[-1]
    assert re.fullmatch(r"run \d+ hash [0-9a-f]{64}", receipt)
    return receipt


@pytest.fixture
def history(cli, workspace: Workspace, tmp_path: Path) -> tuple[Workspace, list[str]]:
    """Two runs: BIG-1 (5,188.21) and small orders, then an amendment across the threshold
    and a new order. Returns the workspace and the two receipts."""
    small = unlucky(4)
    ingest(cli, workspace, tmp_path, "a.csv", [("BIG-1", "5188.21")] + [(i, "200") for i in small])
    first = select(cli, workspace, "2026-11-23")
    ingest(cli, workspace, tmp_path, "b.csv", [(small[0], "1500.00"), ("BIG-2", "2000.00")])
    second = select(cli, workspace, "2026-11-24")
    return workspace, [first, second]


def verify(cli, ws: Workspace, *args: str):
    """Run verify; whatever the store holds, it ends in an exit code, never an exception."""
    result = cli("verify", "-w", ws.root, *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def sql(ws: Workspace, *statements: str) -> None:
    conn = ws.connect()
    conn.execute("PRAGMA foreign_keys = OFF")
    for statement in statements:
        conn.execute(statement)
    conn.close()


def rehash(ws: Workspace) -> None:
    """Recompute counts, every run hash, the chain and the audit log, as a careful forger."""
    conn = ws.connect()
    try:
        forge_chain(conn, recount=True, relog=True)
    finally:
        conn.close()


def lower_big_1(ws: Workspace) -> None:
    """The issue's rewrite: BIG-1 lowered below the threshold in orders and decisions, made
    "not selected" (its ticket is not below the rate), and everything after redone."""
    assert Decimal(first_fraction("BIG-1", SEED)) >= Decimal("0.02")
    sql(
        ws,
        "UPDATE orders SET amount_cents = 51882 WHERE order_id = 'BIG-1'",
        "UPDATE decisions SET amount_cents = 51882, selected = 0, reason = NULL, due_on = NULL "
        "WHERE order_id = 'BIG-1'",
        "DELETE FROM open_inspections WHERE order_id = 'BIG-1'",
    )
    rehash(ws)


def problems(result) -> list[str]:
    return [line.strip() for line in result.stdout.splitlines()[1:] if line.startswith("  ")]


def test_verify_leaves_the_store_byte_identical_and_logs_to_the_log_file(cli, history):
    ws, _ = history
    before = ws.store_path.read_bytes()
    assert verify(cli, ws).exit_code == 0
    sql(ws, "UPDATE decisions SET reason = 'favour' WHERE order_id = 'BIG-1'")
    tampered = ws.store_path.read_bytes()
    assert verify(cli, ws).exit_code == 1
    assert ws.store_path.read_bytes() == tampered != before
    log = (ws.logs / "inspect-cli.log").read_text(encoding="utf-8")
    assert "INFO verify ok; 7 decisions in 2 runs; seed commitment " in log
    assert "INFO verify failed: " in log


def test_a_consistent_rewrite_passes_alone_and_fails_against_the_receipts(
    cli, history, tmp_path: Path
):
    ws, receipts = history
    lower_big_1(ws)
    alone = verify(cli, ws)
    assert alone.exit_code == 0, alone.output  # internally consistent: only outside data shows
    assert "can only check that the store is consistent with itself" in alone.stdout
    mail = tmp_path / "mail.txt"
    mail.write_text(
        "From: cron\nSubject: inspect-cli daily\n\n"
        f"> {receipts[0]}\n"
        f"2026-11-24T06:30:00Z INFO receipt: {receipts[1]}\n"
    )
    result = verify(cli, ws, "--receipts", str(mail))
    assert result.exit_code == 1
    found = problems(result)
    assert len(found) == 2
    for n, line in enumerate(found, 1):
        assert re.fullmatch(
            rf"run {n}: its hash [0-9a-f]{{64}} differs from the receipt [0-9a-f]{{64}}: "
            rf"run {n} or a run before it was changed after the receipt was made",
            line,
        )
    data = json.loads(verify(cli, ws, "--receipts", str(mail), "--format", "json").stdout)
    assert data["anchors"] == ["receipts"]
    assert [p["run_id"] for p in data["problems"] if p["kind"] == "receipt"] == [1, 2]


def test_receipts_of_an_untouched_store_pass(cli, history, tmp_path: Path):
    ws, receipts = history
    mail = tmp_path / "receipts.txt"
    mail.write_text("\n".join(receipts) + "\n")
    result = verify(cli, ws, "--receipts", str(mail))
    assert result.exit_code == 0, result.output
    assert "Note:" not in result.stdout


def test_a_receipted_run_missing_from_the_store(cli, history, tmp_path: Path):
    ws, receipts = history
    sql(ws, "DELETE FROM decisions WHERE run_id = 2", "DELETE FROM selection_runs WHERE run_id = 2")
    mail = tmp_path / "receipts.txt"
    mail.write_text(receipts[1])
    result = verify(cli, ws, "--receipts", str(mail))
    assert result.exit_code == 1
    digest = receipts[1].split()[-1]
    assert f"run 2: receipted (hash {digest}) but missing from the store" in problems(result)


def test_a_receipts_file_without_receipts_is_an_error(cli, history, tmp_path: Path):
    ws, _ = history
    (tmp_path / "empty.txt").write_text("nothing here\n")
    result = verify(cli, ws, "--receipts", str(tmp_path / "empty.txt"))
    assert result.exit_code == 1
    assert "no line holds a run id and a 64-hex hash" in result.stderr


# --- issue 16, item 9: tampering that verify finds on its own ---------------------------------


def test_an_order_amount_changed_behind_its_decision(cli, history):
    ws, _ = history
    sql(ws, "UPDATE orders SET amount_cents = 90000 WHERE order_id = 'BIG-1'")
    result = verify(cli, ws)
    assert result.exit_code == 1
    assert problems(result) == [
        "order BIG-1: its amount 900.00 differs from the 5188.21 it was decided on, "
        "and no amendment of the order explains it"
    ]


def test_a_fabricated_amendment_decision(cli, history):
    ws, _ = history
    small = unlucky(4)
    # small[1] was decided "not selected" in run 1; a forged second decision selects it.
    sql(
        ws,
        "UPDATE orders SET amount_cents = 300000 WHERE order_id = '" + small[1] + "'",
        "INSERT INTO decisions (order_id, run_id, amount_cents, selected, reason, due_on) "
        f"VALUES ('{small[1]}', 2, 300000, 1, 'amended_above_threshold', '2026-12-08')",
    )
    rehash(ws)
    result = verify(cli, ws)
    assert result.exit_code == 1
    assert problems(result) == [
        f"order {small[1]} (run 2): decided again, but no amendment of the order from 200.00 "
        "is recorded"
    ]


def test_a_deleted_newest_run_with_its_orders_pending_again(cli, history):
    ws, _ = history
    sql(
        ws,
        "INSERT INTO pending (order_id, amount_cents, completed_on) "
        "SELECT o.order_id, o.amount_cents, o.completed_on FROM orders o "
        "JOIN decisions d ON d.order_id = o.order_id AND d.run_id = 2",
        "DELETE FROM decisions WHERE run_id = 2",
        "DELETE FROM selection_runs WHERE run_id = 2",
    )
    result = verify(cli, ws)
    assert result.exit_code == 1
    assert "run 2: in the audit log but missing from the store" in problems(result)


def test_a_deleted_seed_commitment_event(cli, history):
    ws, _ = history
    sql(ws, "DELETE FROM audit_log WHERE event = 'seed_commitment'")
    result = verify(cli, ws)
    assert result.exit_code == 1
    assert problems(result) == ["the audit log has no seed_commitment event (it was deleted)"]


# --- issue 16, item 8: malformed records are problems, never a traceback ----------------------


def test_an_edited_audit_log_line_is_a_problem(cli, history):
    ws, _ = history
    sql(ws, "UPDATE audit_log SET detail = 'run 1 x y z' WHERE detail LIKE 'run 1 %'")
    result = verify(cli, ws)
    assert result.exit_code == 1, result.output
    found = problems(result)
    assert any(
        re.fullmatch(r"audit log entry \d+: not a run and its hash: 'run 1 x y z'", p)
        for p in found
    ), found
    assert "run 1: its hash is not in the audit log" in found


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("counts", "'{not json'", "run 1: its counts are not JSON"),
        ("sample_rate", "'two percent'", "run 1: its sample_rate 'two percent' is not a decimal"),
        ("threshold_cents", "'lots'", "run 1: its threshold_cents 'lots' is not a whole number"),
        (
            "as_of",
            "'yesterday'",
            "run 1: its as_of 'yesterday' or due_working_days 10 is malformed",
        ),
    ],
)
def test_a_malformed_run_record_is_a_problem(cli, history, column, value, message):
    ws, _ = history
    sql(ws, f"UPDATE selection_runs SET {column} = {value} WHERE run_id = 1")
    result = verify(cli, ws)
    assert result.exit_code == 1, result.output
    assert message in problems(result)
    assert "Traceback" not in result.output


# --- verify --files: the archived originals ---------------------------------------------------


@pytest.fixture
def archived(cli, workspace: Workspace) -> tuple[Workspace, str]:
    """Two daily runs on files dropped in the inbox; returns the workspace and the receipt of
    the first run."""
    small = unlucky(3)
    (workspace.inbox / "a.csv").write_text(
        HEADER
        + "BIG-1,Janssens,5188.21,2026-11-02\n"
        + "".join(f"{i},Janssens,200,2026-11-02\n" for i in small)
    )
    first = cli("daily", "-w", workspace.root, "--date", "2026-11-23")
    assert first.exit_code == 0, first.output
    (workspace.inbox / "b.csv").write_text(HEADER + f"{small[0]},Janssens,250,2026-11-02\n")
    second = cli("daily", "-w", workspace.root, "--date", "2026-11-24")
    assert second.exit_code == 0, second.output
    return workspace, first.stdout.splitlines()[-1]


def test_files_of_an_untouched_store_pass(cli, archived):
    ws, _ = archived
    result = verify(cli, ws, "--files")
    assert result.exit_code == 0, result.output
    assert "Note:" not in result.stdout


def test_a_consistent_rewrite_fails_against_the_files_and_the_receipt(cli, archived, tmp_path):
    ws, receipt = archived
    lower_big_1(ws)
    assert verify(cli, ws).exit_code == 0
    result = verify(cli, ws, "--files")
    assert result.exit_code == 1
    assert problems(result) == [
        "order BIG-1 (run 1): decided on 518.82, but the file of import 1 gives 5188.21"
    ]
    (tmp_path / "mail.txt").write_text(f"Subject: cron\n\n{receipt}\n")
    result = verify(cli, ws, "--receipts", str(tmp_path / "mail.txt"))
    assert result.exit_code == 1
    assert problems(result)[0].startswith("run 1: its hash ")


def test_a_changed_missing_or_extra_archived_file_is_reported(cli, archived):
    ws, _ = archived
    (a_file,) = ws.archive.rglob("a.csv")
    (b_file,) = ws.archive.rglob("b.csv")
    a_file.write_text(a_file.read_text().replace("5188.21", "518.82"))
    b_file.unlink()
    (ws.archive / "extra.csv").write_text(HEADER)
    result = verify(cli, ws, "--files", "--format", "json")
    assert result.exit_code == 1
    messages = [p["message"] for p in json.loads(result.stdout)["problems"]]
    assert [m.split(" (")[0] for m in messages[:2]] == ["import 1", "import 2"]
    assert all("no archived file has this content" in m for m in messages[:2])
    assert f"{a_file}: in the archive but not the file of any import" in messages
    assert f"{ws.archive / 'extra.csv'}: in the archive but not the file of any import" in messages


def test_show_says_when_the_rule_gives_another_decision(cli, history):
    ws, _ = history
    small = unlucky(4)
    sql(
        ws,
        "UPDATE decisions SET selected = 1, reason = 'random_sample', due_on = '2026-12-07' "
        f"WHERE order_id = '{small[2]}'",
    )
    result = cli("show", "-w", ws.root, small[2], "--format", "json")
    assert result.exit_code == 0, result.output
    (decision,) = json.loads(result.stdout)["decisions"]
    assert decision["why"].endswith("(but the rule gives not_selected: run `verify`)")


def test_receipts_are_found_in_pasted_mails_logs_and_json():
    from inspect_cli.verify import parse_receipts

    digest = "ab" * 32
    text = (
        "Subject: Cron <control@host> inspect-cli daily --quiet\n"
        f"run 3 hash {digest}\n"
        f"> run 4 hash {digest.upper()}\n"
        f"2026-11-27T06:30:01Z INFO receipt: run 5 hash {digest}\n"
        f'{{"run_id": 6, "run_hash": "{digest}"}}\n'
        f"Selection run 7 as of 2026-11-27, hash {digest}\n"
        "run 8 hash too-short\n"
        "nothing here\n"
    )
    assert parse_receipts(text) == [(n, digest) for n in (3, 4, 5, 6, 7)]


def test_a_malformed_package_is_a_list_of_problems(cli, archived, tmp_path: Path):
    ws, _ = archived
    package = tmp_path / "package"
    assert cli("audit", "pack", "-w", ws.root, str(package)).exit_code == 0
    assert not (package / "seed.txt").exists()  # not revealed, not given
    assert cli("verify", "--package", str(package)).exit_code == 0
    manifest = (package / "manifest.csv").read_text()
    (package / "manifest.csv").write_text(manifest.replace("files/1-a.csv", "../../etc/passwd"))
    runs = (package / "runs.csv").read_text().splitlines()
    (package / "runs.csv").write_text("\n".join([runs[0], "1,x", *runs[2:]]) + "\n")
    result = cli("verify", "--package", str(package))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    lines = problems(result)
    assert "../../etc/passwd: not a file of the package's files/ folder" in lines
    assert any(line.startswith("run 1: malformed record") for line in lines), lines
