"""Dates by column, never by row: a month-first file is refused whole, never half swapped."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import TODAY

from inspect_cli import ingest as ingest_module
from inspect_cli.dates import DateEvidence, convention_problem, read_dates

HEADER = "order_id,contractor,amount_excl_vat,completed_on\n"


def write(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def stored_dates(ws) -> dict[str, str]:
    return dict(ws.connect().execute("SELECT order_id, completed_on FROM orders").fetchall())


@pytest.mark.parametrize(
    ("values", "evidence"),
    [
        (["08/19/2026", "08/05/2026"], DateEvidence(None, "08/19/2026")),
        (["27/11/2026", "05/08/2026"], DateEvidence("27/11/2026", None)),
        (["05/08/2026", "2026-11-27", "12/12/26"], DateEvidence()),
        (["31/02/2026", "02/31/2026"], DateEvidence()),  # impossible both ways: no evidence
        (["27-11-2026", "1/13/26 08:30"], DateEvidence("27-11-2026", "1/13/26")),
    ],
)
def test_evidence_of_a_column(values, evidence):
    assert read_dates(pd.Series(values, dtype=object))[1] == evidence


def test_convention_problems():
    assert convention_problem(DateEvidence("27/11/2026", None), None) is None
    assert convention_problem(DateEvidence(None, "08/19/2026"), "%m/%d/%Y") is None
    assert convention_problem(DateEvidence(None, "08/19/2026"), None) == (
        "has dates only valid month-first, e.g. '08/19/2026'"
    )
    assert convention_problem(DateEvidence("27/11/2026", "08/19/2026"), "%m/%d/%Y") == (
        "mixes day-first and month-first dates: '27/11/2026' is only valid day-first, "
        "'08/19/2026' only month-first"
    )
    assert convention_problem(DateEvidence("27/11/2026", None), "%m/%d/%Y") == (
        "has '27/11/2026', only valid day-first, against the profile's date_format %m/%d/%Y"
    )
    assert convention_problem(DateEvidence(None, "08/19/2026"), "%d.%m.%Y") is not None
    assert convention_problem(DateEvidence("27/11/2026", None), "%Y-%m-%d") is None


def test_a_month_first_file_is_refused_whole_with_the_profile_lines(cli, workspace, tmp_path):
    path = write(
        tmp_path / "us.csv", "A1,Detroit Demo,10,08/19/2026", "A2,Detroit Demo,10,08/05/2026"
    )
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: column 'completed_on' (completed_on) has dates only valid month-first, "
        "e.g. '08/19/2026': the file is not imported, so that no date is read with day and "
        "month swapped. If this contractor writes dates month-first, add to inspect-cli.toml:\n"
        '[contractors."Contractor name"]\nfiles = ["us.csv"]\ndate_format = "%m/%d/%Y"\n'
        "and import the file again.\n"
    )
    assert stored_dates(workspace) == {}
    with open(workspace.config_path, "a", encoding="utf-8") as f:
        f.write('\n[contractors."Detroit Demo"]\nfiles = ["us.csv"]\ndate_format = "%m/%d/%Y"\n')
    again = cli("ingest", "-w", workspace.root, path)
    assert again.exit_code == 0, again.output
    assert stored_dates(workspace) == {"A1": "2026-08-19", "A2": "2026-08-05"}


def test_a_file_without_evidence_is_read_day_first(cli, workspace, tmp_path):
    path = write(tmp_path / "be.csv", "A1,J,10,08/05/2026", "A2,J,10,31/02/2026")
    result = cli("ingest", "-w", workspace.root, "--format", "json", path)
    assert result.exit_code == 3  # the impossible date stays a row rejection
    assert json.loads(result.stdout)["files"][0]["rejected"] == 1
    assert stored_dates(workspace) == {"A1": "2026-05-08"}


def test_a_column_with_both_conventions_is_refused(cli, workspace, tmp_path):
    path = write(tmp_path / "mixed.csv", "A1,J,10,27/11/2026", "A2,J,10,08/19/2026")
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 1
    assert (
        "mixes day-first and month-first dates: '27/11/2026' is only valid day-first, "
        "'08/19/2026' only month-first" in result.stderr
    )
    assert stored_dates(workspace) == {}


def test_a_profile_format_contradicted_by_the_file_is_refused(cli, workspace, tmp_path):
    with open(workspace.config_path, "a", encoding="utf-8") as f:
        f.write('\n[contractors."J"]\nfiles = ["j*.csv"]\ndate_format = "%m/%d/%Y"\n')
    path = write(tmp_path / "j1.csv", "A1,J,10,08/05/2026", "A2,J,10,27/11/2026")
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 1
    assert (
        "column 'completed_on' (completed_on) has '27/11/2026', only valid day-first, against "
        "the profile's date_format %m/%d/%Y: the file is not imported" in result.stderr
    )
    assert stored_dates(workspace) == {}


@pytest.mark.parametrize("in_worker", [False, True])
def test_evidence_in_a_later_chunk_rolls_the_whole_file_back(
    cli, workspace, tmp_path, monkeypatch, in_worker
):
    monkeypatch.setattr(ingest_module, "CHUNK_ROWS", 2)
    if in_worker:
        monkeypatch.setattr(ingest_module, "WORKER_BYTES", 0)
    rows = [f"A{i},J,10,05/08/2026" for i in range(5)] + ["Z,J,10,10/30/2026"]
    result = cli("ingest", "-w", workspace.root, write(tmp_path / "late.csv", *rows))
    assert result.exit_code == 1
    assert "'10/30/2026'" in result.stderr
    assert stored_dates(workspace) == {}


def test_order_date_follows_the_same_rule(cli, workspace, tmp_path):
    path = tmp_path / "od.csv"
    path.write_text(HEADER.strip() + ",order_date\nA1,J,10,05/08/2026,12/25/2026\n", "utf-8")
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 1
    assert "column 'order_date' (order_date) has dates only valid month-first" in result.stderr


def test_daily_quarantines_a_month_first_file_with_its_reason(cli, workspace):
    write(workspace.inbox / "us.csv", "A1,J,10,08/19/2026")
    result = cli("daily", "-w", workspace.root, "--date", TODAY.isoformat())
    assert result.exit_code == 3
    reason = (workspace.quarantine / "us.csv.reason.txt").read_text(encoding="utf-8")
    assert "has dates only valid month-first, e.g. '08/19/2026'" in reason
    assert 'date_format = "%m/%d/%Y"' in reason
    assert stored_dates(workspace) == {}
