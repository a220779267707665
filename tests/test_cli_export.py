"""``export``: where the list goes, which format and dialect, which orders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from helpers import ingest, record_inspection, rows, select, write_orders

from inspect_cli.workspace import Workspace


def selected(ws: Workspace, tmp_path: Path) -> None:
    ingest(ws, write_orders(tmp_path / "a.csv", rows(["A-1", "A-2"], "1234.50")))
    select(ws)


def test_default_path_and_dialect(cli, workspace, tmp_path):
    selected(workspace, tmp_path)
    result = cli("export", "-w", workspace.root)
    assert result.exit_code == 0, result.output
    path = workspace.exports / f"inspections-{date.today().isoformat()}.csv"
    assert result.stdout == f"Wrote 2 orders (open) to {path}\n"
    text = path.read_bytes().decode("utf-8-sig").splitlines()
    assert text[0].startswith("order_id;reason;contractor;")
    assert text[1].startswith("A-1;above_threshold;Janssens;;;;;;;1234,50;20/11/2026;27/11/2026;")


def test_standard_dialect_to_a_given_file(cli, workspace, tmp_path):
    selected(workspace, tmp_path)
    out = tmp_path / "out" / "list.csv"
    result = cli("export", "-w", workspace.root, "--out", out, "--dialect", "standard")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 2 orders (open) to {out}\n"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("A-1,above_threshold,Janssens,,,,,,,1234.50,2026-11-20,")


def test_xlsx_from_the_file_name_or_the_option(cli, workspace, tmp_path):
    selected(workspace, tmp_path)
    named = tmp_path / "list.xlsx"
    assert cli("export", "-w", workspace.root, "--out", named).exit_code == 0
    assert openpyxl.load_workbook(named).active["J2"].value == 1234.5
    result = cli("export", "-w", workspace.root, "--format", "xlsx")
    assert result.exit_code == 0
    path = workspace.exports / f"inspections-{date.today().isoformat()}.xlsx"
    assert result.stdout == f"Wrote 2 orders (open) to {path}\n"
    assert openpyxl.load_workbook(path).active.max_row == 3


def test_status_and_since(cli, workspace, tmp_path):
    selected(workspace, tmp_path)
    record_inspection(workspace, "A-1", "ok")
    out = tmp_path / "l.csv"
    result = cli("export", "-w", workspace.root, "--out", out)
    assert result.stdout == f"Wrote 1 order (open) to {out}\n"
    result = cli("export", "-w", workspace.root, "--out", out, "--status", "all")
    assert result.stdout == f"Wrote 2 orders (all) to {out}\n"
    assert ";Piet;01/12/2026;ok;ok;25,00" in out.read_text(encoding="utf-8-sig")
    result = cli("export", "-w", workspace.root, "--out", out, "--since", "2026-11-28")
    assert result.stdout == f"Wrote 0 orders (open) to {out}\n"


def test_bad_options(cli, workspace, tmp_path):
    result = cli("export", "-w", workspace.root, "--since", "yesterday")
    assert result.exit_code == 2
    assert result.stderr == "Error: --since must be a date as YYYY-MM-DD, got 'yesterday'\n"
    result = cli("export", "-w", workspace.root, "--dialect", "excel")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--dialect': Value error, 'excel' is not one of 'excel-be', "
        "'standard'.\n"
    )
    blocked = tmp_path / "file"
    blocked.write_text("x")
    result = cli("export", "-w", workspace.root, "--out", blocked / "list.csv")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write {blocked / 'list.csv'}: ")


def test_file_type_and_its_older_spelling_format_write_the_same_workbook(cli, workspace, tmp_path):
    selected(workspace, tmp_path)
    new, old = tmp_path / "new.bin", tmp_path / "old.bin"
    assert cli("export", "-w", workspace.root, "--out", new, "--file-type", "xlsx").exit_code == 0
    assert cli("export", "-w", workspace.root, "--out", old, "--format", "xlsx").exit_code == 0
    assert new.read_bytes() == old.read_bytes()
    sheet = openpyxl.load_workbook(new.rename(tmp_path / "new.xlsx")).active
    assert [c.value for c in sheet[2]][:2] == ["A-1", "above_threshold"]
    assert sheet["J2"].value == 1234.5 and sheet["J2"].number_format == "#,##0.00"
    assert sheet["K2"].is_date and sheet["K2"].number_format == "dd/mm/yyyy"


def test_an_xlsx_name_with_file_type_csv_is_a_usage_error(cli, workspace, tmp_path):
    selected(workspace, tmp_path)
    out = tmp_path / "list.xlsx"
    result = cli("export", "-w", workspace.root, "--out", out, "--file-type", "csv")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: --out {out} names an .xlsx file; leave out --file-type csv\n"
    assert not out.exists()
