"""``inspect-cli ingest``: exit codes, JSON contract, messages."""

from __future__ import annotations

import json
from pathlib import Path

HEADER = "order_id,contractor,amount_excl_vat,completed_on\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_all_rows_accepted_exits_0_with_a_table(cli, workspace, tmp_path):
    path = write(tmp_path / "a.csv", HEADER + "A1,J,10,2026-11-02\nA2,J,20,\n")
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 0, result.output
    assert "a.csv" in result.stdout
    assert "1 orders not completed yet" in result.stdout


def test_rejected_rows_exit_3_and_json_lists_every_file(cli, workspace, tmp_path):
    good = write(tmp_path / "good.csv", HEADER + "A1,J,10,2026-11-02\n")
    bad = write(tmp_path / "bad.csv", HEADER + "B1,J,abc,2026-11-02\nB2,J,5,2026-11-02\n")
    result = cli("ingest", "-w", workspace.root, "--format", "json", good, bad)
    assert result.exit_code == 3
    files = json.loads(result.stdout)["files"]
    assert [Path(f["file"]).name for f in files] == ["good.csv", "bad.csv"]
    for f in files:
        assert set(f) >= {"file", "read", "new", "unchanged", "amended", "rejected"}
        assert set(f) >= {"quarantine", "error"}
    assert (files[1]["read"], files[1]["new"], files[1]["rejected"]) == (2, 1, 1)
    assert files[0]["quarantine"] is None
    assert Path(files[1]["quarantine"]).is_file()


def test_unreadable_file_exits_1_and_the_others_still_import(cli, workspace, tmp_path):
    broken = write(tmp_path / "broken.csv", "order_id,amount\nA1,10\n")
    good = write(tmp_path / "good.csv", HEADER + "A1,J,10,2026-11-02\n")
    result = cli("ingest", "-w", workspace.root, broken, good)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {broken}: missing required column(s): contractor")
    conn = workspace.connect()
    assert conn.execute("SELECT order_id FROM orders").fetchall() == [("A1",)]


def test_no_workspace_says_how_to_make_one(cli, tmp_path):
    path = write(tmp_path / "a.csv", HEADER)
    result = cli("ingest", "-w", tmp_path / "nowhere", path)
    assert result.exit_code == 1
    assert "create one with `inspect-cli init DIR`" in result.stderr


def test_usage_error_exits_2(cli, workspace):
    result = cli("ingest", "-w", workspace.root)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith("Error: Missing argument 'files'.\n")


def test_workspace_from_environment(cli, workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECT_CLI_HOME", str(workspace.root))
    path = write(tmp_path / "a.csv", HEADER + "A1,J,10,2026-11-02\n")
    result = cli("ingest", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].split() == ["a.csv", "1", "1", "0", "0", "0"]
    conn = workspace.connect()
    assert conn.execute("SELECT order_id FROM orders").fetchall() == [("A1",)]
    conn.close()


def test_a_second_writer_gets_the_lock_code_and_imports_nothing(cli, workspace, tmp_path):
    path = write(tmp_path / "a.csv", HEADER + "A1,J,10,2026-11-02\n")
    with workspace.lock():
        result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 4
    assert "another inspect-cli run holds the lock" in result.stderr
    conn = workspace.connect()
    assert conn.execute("SELECT COUNT(*) FROM orders").fetchone() == (0,)


def test_identical_reasons_are_grouped_with_their_count(cli, workspace, tmp_path):
    rows = "".join(f"A{i},J,abc,2026-11-02\n" for i in range(1, 1201))
    path = write(tmp_path / "a.csv", HEADER + rows + "B1,J,10,31/02/2026\nB2,J,10,2026-11-02\n")
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 3
    (quarantine,) = workspace.quarantine.glob("a-*.csv")
    # excel-be, the workspace's dialect: counts group thousands as the reports do.
    assert result.stdout.splitlines()[1].split() == ["a.csv", "1.202", "1", "0", "0", "1.201"]
    assert result.stdout.splitlines()[2:] == [
        f"a.csv: 1.201 rejected rows in {quarantine}",
        "  1.200 rows: amount_excl_vat: not an amount: 'abc'",
        "  1 row: completed_on: impossible date: '31/02/2026'",
    ]
    # The quarantine file keeps one line per row.
    assert len(quarantine.read_text(encoding="utf-8-sig").splitlines()) == 1 + 1201


def test_a_text_file_named_xlsx_is_not_an_xlsx_file(cli, workspace, tmp_path):
    path = write(tmp_path / "orders.xlsx", "hello\n")
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: orders.xlsx is not an XLSX file: a workbook is a zip package and this is plain "
        "text; save it from Excel as .xlsx (or, if it is a CSV, name it .csv)\n"
    )


def test_a_file_without_contractor_points_to_the_option_and_the_profile(cli, workspace, tmp_path):
    path = write(tmp_path / "bonnen.csv", "order_id,amount\n1,2\n")
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 1
    assert (
        "(or name its contractor: `ingest --contractor NAME`, or in inspect-cli.toml "
        '[contractors."NAME"] files = ["bonnen.csv"], which `daily` reads too)'
    ) in result.stderr
