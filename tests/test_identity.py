"""One order number, two contractors: the mandatory inspection is never lost silently.

File A of "Dakwerken Peeters BV" and file B of "Schilderwerken Claes" both hold order 2026-001;
in every arrival order the EUR 1,500 order stays Peeters' and is inspected, or its row is
quarantined naming both contractors and the fix.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from conftest import TODAY

HEADER = "order_id,contractor,amount_excl_vat,completed_on\n"
PEETERS = "Dakwerken Peeters BV"
CLAES = "Schilderwerken Claes"
ROW_A = f"2026-001,{PEETERS},1500.00,20/11/2026\n"
ROW_B = f"2026-001,{CLAES},300.00,20/11/2026\n"


def file_a(folder: Path) -> Path:
    path = folder / "peeters.csv"
    path.write_text(HEADER + ROW_A, encoding="utf-8")
    return path


def file_b(folder: Path) -> Path:
    path = folder / "claes.csv"
    path.write_text(HEADER + ROW_B, encoding="utf-8")
    return path


def inspection_list(cli, ws, tmp_path: Path) -> list[dict]:
    out = tmp_path / "list.csv"
    result = cli("export", "-w", ws.root, "--out", out, "--dialect", "standard", "--status", "all")
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def assert_peeters_inspected(rows: list[dict]) -> None:
    assert len(rows) == 1
    (row,) = rows
    values = list(row.values())
    assert values[:3] == ["2026-001", "above_threshold", PEETERS]
    assert "1500.00" in values


def quarantined(result) -> list[dict]:
    files = [f for f in json.loads(result.stdout)["files"] if f["quarantine"]]
    assert len(files) == 1
    with open(files[0]["quarantine"], encoding="utf-8-sig") as f:
        return list(csv.DictReader(f, delimiter=";"))


def ingest(cli, ws, *paths: Path, extra: tuple = ()):
    return cli("ingest", "-w", ws.root, "--format", "json", *extra, *paths)


def assert_names_both(problem: str, row_contractor: str, stored: str) -> None:
    assert f"is already stored for contractor {stored!r}" in problem
    assert f"this row is from {row_contractor!r}" in problem
    assert f'[contractors."{row_contractor}"] id_prefix = ' in problem


def test_a_then_b_the_same_day(cli, workspace, tmp_path):
    assert ingest(cli, workspace, file_a(tmp_path)).exit_code == 0
    second = ingest(cli, workspace, file_b(tmp_path))
    assert second.exit_code == 3
    (row,) = quarantined(second)
    assert_names_both(row["problems"], CLAES, PEETERS)
    assert "(from peeters.csv)" in row["problems"]
    assert "mandatory inspection" not in row["problems"]  # Claes' EUR 300 is not above it
    assert row["contractor"] == CLAES
    assert cli("select", "-w", workspace.root, "--date", TODAY.isoformat()).exit_code == 0
    assert_peeters_inspected(inspection_list(cli, workspace, tmp_path))


def test_a_then_b_on_different_days(cli, workspace, tmp_path):
    assert ingest(cli, workspace, file_a(tmp_path)).exit_code == 0
    assert cli("select", "-w", workspace.root, "--date", TODAY.isoformat()).exit_code == 0
    second = ingest(cli, workspace, file_b(tmp_path))
    assert second.exit_code == 3
    assert_names_both(quarantined(second)[0]["problems"], CLAES, PEETERS)
    assert cli("select", "-w", workspace.root, "--date", "2026-11-28").exit_code == 0
    assert_peeters_inspected(inspection_list(cli, workspace, tmp_path))
    show = cli("show", "-w", workspace.root, "2026-001")
    assert CLAES not in show.stdout


def test_b_then_a_is_quarantined_then_imported_with_a_prefix(cli, workspace, tmp_path):
    assert ingest(cli, workspace, file_b(tmp_path)).exit_code == 0
    second = ingest(cli, workspace, file_a(tmp_path))
    assert second.exit_code == 3
    (row,) = quarantined(second)
    assert_names_both(row["problems"], PEETERS, CLAES)
    assert "(from claes.csv)" in row["problems"]
    assert row["problems"].endswith(
        "; this order (EUR 1500.00) is above the threshold: its mandatory inspection waits for "
        "this fix"
    )
    with open(workspace.config_path, "a", encoding="utf-8") as f:
        f.write(f'\n[contractors."{PEETERS}"]\nid_prefix = "DP-"\n')
    third = ingest(cli, workspace, file_a(tmp_path))
    assert third.exit_code == 0, third.output
    assert json.loads(third.stdout)["files"][0]["new"] == 1
    assert cli("select", "-w", workspace.root, "--date", TODAY.isoformat()).exit_code == 0
    rows = inspection_list(cli, workspace, tmp_path)
    big = [r for r in rows if list(r.values())[1] == "above_threshold"]
    assert [list(r.values())[:3] for r in big] == [["DP-2026-001", "above_threshold", PEETERS]]


def test_a_profile_prefix_applies_to_every_row_of_its_files(cli, workspace, tmp_path):
    with open(workspace.config_path, "a", encoding="utf-8") as f:
        f.write(f'\n[contractors."{CLAES}"]\nfiles = ["claes*"]\nid_prefix = "SC-"\n')
    assert ingest(cli, workspace, file_a(tmp_path)).exit_code == 0
    assert ingest(cli, workspace, file_b(tmp_path)).exit_code == 0
    conn = workspace.connect()
    stored = conn.execute("SELECT order_id, contractor FROM orders ORDER BY 1").fetchall()
    assert stored == [("2026-001", PEETERS), ("SC-2026-001", CLAES)]


def test_both_files_in_one_ingest(cli, workspace, tmp_path):
    result = ingest(cli, workspace, file_a(tmp_path), file_b(tmp_path))
    assert result.exit_code == 3
    assert_names_both(quarantined(result)[0]["problems"], CLAES, PEETERS)
    assert cli("select", "-w", workspace.root, "--date", TODAY.isoformat()).exit_code == 0
    assert_peeters_inspected(inspection_list(cli, workspace, tmp_path))


def test_one_file_with_both_rows_rejects_both(cli, workspace, tmp_path):
    path = tmp_path / "both.csv"
    path.write_text(HEADER + ROW_A + ROW_B, encoding="utf-8")
    result = ingest(cli, workspace, path)
    assert result.exit_code == 3
    rows = quarantined(result)
    assert len(rows) == 2
    for row in rows:
        assert row["problems"] == (
            f"order_id: 2026-001 appears in rows 2, 3 with different contractors "
            f"('{PEETERS}', '{CLAES}'); one order number cannot belong to two contractors: "
            f'give one of them an id prefix in inspect-cli.toml, e.g. [contractors."{CLAES}"] '
            'id_prefix = "XX-" (stored ids become XX-<number>), then import the file again'
        )
    assert workspace.connect().execute("SELECT COUNT(*) FROM orders").fetchone() == (0,)


def test_daily_with_both_files_in_the_inbox(cli, workspace, tmp_path):
    file_a(workspace.inbox)
    file_b(workspace.inbox)
    result = cli("daily", "-w", workspace.root, "--date", TODAY.isoformat(), "--format", "json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["newly_selected"]["above_threshold"] == 1
    assert data["rows"]["rejected"] == 1
    assert_peeters_inspected(inspection_list(cli, workspace, tmp_path))


def test_an_amendment_by_the_same_contractor_is_still_an_amendment(cli, workspace, tmp_path):
    assert ingest(cli, workspace, file_a(tmp_path)).exit_code == 0
    path = tmp_path / "peeters2.csv"
    path.write_text(HEADER + f"2026-001,{PEETERS},1600.00,20/11/2026\n", encoding="utf-8")
    result = ingest(cli, workspace, path)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["files"][0]["amended"] == 1


def test_a_file_parsed_in_a_worker_quarantines_foreign_rows_with_their_cells(
    cli, workspace, tmp_path, monkeypatch
):
    from inspect_cli import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "WORKER_BYTES", 0)
    monkeypatch.setattr(ingest_module, "CHUNK_ROWS", 2)
    assert ingest(cli, workspace, file_a(tmp_path)).exit_code == 0
    path = tmp_path / "claes-many.csv"
    path.write_text(
        HEADER
        + "C1,Schilderwerken Claes,10.00,20/11/2026\n"
        + ROW_B
        + "C2,Schilderwerken Claes,5,",
        encoding="utf-8",
    )
    result = ingest(cli, workspace, path)
    assert result.exit_code == 3
    (row,) = quarantined(result)
    assert (row["source_row"], row["order_id"], row["amount_excl_vat"]) == (
        "3",
        "2026-001",
        "300.00",
    )
    assert_names_both(row["problems"], CLAES, PEETERS)
    counts = json.loads(result.stdout)["files"][0]
    assert (counts["read"], counts["new"], counts["rejected"]) == (3, 2, 1)


def test_another_spelling_of_one_firm_is_told_to_become_an_alias(cli, workspace, tmp_path):
    assert ingest(cli, workspace, file_a(tmp_path)).exit_code == 0
    path = tmp_path / "peeters-caps.csv"
    path.write_text(HEADER + "2026-001,DAKWERKEN PEETERS,1500.00,20/11/2026\n", encoding="utf-8")
    result = ingest(cli, workspace, path)
    assert result.exit_code == 3
    assert quarantined(result)[0]["problems"].endswith(
        "this row is from 'DAKWERKEN PEETERS'; if both names are one firm, make one an alias of "
        'the other in inspect-cli.toml, e.g. [contractors."Dakwerken Peeters BV"] aliases = '
        '["DAKWERKEN PEETERS"], then import the file again; this order (EUR 1500.00) is above '
        "the threshold: its mandatory inspection waits for this fix"
    )
    with open(workspace.config_path, "a", encoding="utf-8") as f:
        f.write(f'\n[contractors."{PEETERS}"]\naliases = ["DAKWERKEN PEETERS"]\n')
    again = ingest(cli, workspace, path)
    assert again.exit_code == 0
    assert json.loads(again.stdout)["files"][0]["unchanged"] == 1


def test_identical_copies_of_a_foreign_row_are_all_rejected(cli, workspace, tmp_path):
    """A file that repeats another contractor's order number twice, identically: neither copy
    is stored, so neither may be counted unchanged; both wait in quarantine for the fix."""
    assert ingest(cli, workspace, file_b(tmp_path)).exit_code == 0
    path = tmp_path / "peeters-twice.csv"
    path.write_text(HEADER + ROW_A + ROW_A + f"2026-002,{PEETERS},200.00,20/11/2026\n", "utf-8")
    result = ingest(cli, workspace, path)
    assert result.exit_code == 3
    counts = json.loads(result.stdout)["files"][0]
    assert {k: counts[k] for k in ("read", "new", "unchanged", "rejected")} == {
        "read": 3,
        "new": 1,
        "unchanged": 0,
        "rejected": 2,
    }
    rows = quarantined(result)
    assert [r["source_row"] for r in rows] == ["2", "3"]
    for row in rows:
        assert_names_both(row["problems"], PEETERS, CLAES)
