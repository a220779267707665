"""``inspect-cli report``: the same numbers as tables, CSV and JSON; tables fit 80 columns."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import build_fixed

from inspect_cli.workspace import Workspace

AS_OF = ("--date", "2026-11-27")


@pytest.fixture
def fixed(workspace: Workspace) -> Workspace:
    build_fixed(workspace)
    return workspace


def run(cli, ws: Workspace, *args: str):
    result = cli("report", *args, "-w", ws.root, *AS_OF)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", ["summary", "contractors", "overdue", "satisfaction"])
def test_csv_and_json_carry_the_same_content(cli, fixed, name):
    data = json.loads(run(cli, fixed, name, "--period", "2026", "--format", "json"))
    records = [data] if name == "summary" else data
    rows = list(
        csv.DictReader(io.StringIO(run(cli, fixed, name, "--period", "2026", "--format", "csv")))
    )
    assert len(rows) == len(records) > 0
    for row, record in zip(rows, records, strict=True):
        assert list(row) == list(record)
        expected = {k: "" if v is None else str(v) for k, v in record.items()}
        # CSV writes rates with 4 decimals and means with 2 ("0.0000", "8.20"): same numbers.
        assert {k: _number(v) for k, v in row.items()} == {
            k: _number(v) for k, v in expected.items()
        }


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def test_contractors_csv_writes_rates_with_four_decimals(cli, fixed):
    rows = list(
        csv.DictReader(
            io.StringIO(run(cli, fixed, "contractors", "--period", "2026", "--format", "csv"))
        )
    )
    shares = [r["above_threshold_share"] for r in rows]
    assert shares == ["0.2500", "0.2500", "0.3333"]


def test_csv_neutralises_formula_like_text(cli, fixed):
    conn = fixed.connect()
    conn.execute("UPDATE orders SET contractor = '=Peeters' WHERE contractor = 'Peeters'")
    conn.close()
    out = run(cli, fixed, "contractors", "--sort", "contractor", "--format", "csv")
    assert out.splitlines()[1].startswith("'=Peeters,")
    rows = json.loads(run(cli, fixed, "contractors", "--sort", "contractor", "--format", "json"))
    assert rows[0]["contractor"] == "=Peeters"


def test_summary_json(cli, fixed):
    data = json.loads(run(cli, fixed, "summary", "--period", "2026-Q4", "--format", "json"))
    # October to December 2026: HB-003 … HB-011.
    assert (data["orders"], data["spend_eur"], data["selected"], data["inspected"]) == (
        9,
        "6390.49",
        5,
        4,
    )
    assert (data["open"], data["overdue"], data["corrections_eur"]) == (1, 1, "1200.00")


def test_summary_table(cli, fixed, terminal):
    terminal(80)
    out = run(cli, fixed, "summary", "--period", "2026")
    assert out.splitlines()[0] == "Summary: completed 2026-01-01 to 2026-12-31"
    lines = {" ".join(line.split()) for line in out.splitlines()}
    for expected in (
        "Orders completed 11",
        "Spend excl. VAT (EUR) 8.140,49",
        "Realised sample rate 50,0% (15,7 to 84,3%)",
        "Sample rate check within chance of the target",
        "Failure rate (major + not done) 40,0% (5,3 to 85,3%)",
        "Recovered by corrections (EUR) 1.550,00",
        "Satisfaction, inspected repairs 4,7",
    ):
        assert expected in lines
    assert max(map(len, out.splitlines())) <= 80


def test_standard_dialect_tables_use_a_decimal_point(cli, fixed):
    text = fixed.config_path.read_text(encoding="utf-8")
    fixed.config_path.write_text(
        text.replace('csv_dialect = "excel-be"', 'csv_dialect = "standard"'), encoding="utf-8"
    )
    assert "8,140.49" in run(cli, fixed, "summary", "--period", "2026")


@pytest.mark.parametrize("name", ["summary", "contractors", "overdue", "satisfaction"])
def test_tables_fit_80_columns_without_cutting_values(cli, fixed, name, terminal):
    terminal(80)
    out = run(cli, fixed, name)
    assert max(map(len, out.splitlines())) <= 80
    assert "…" not in out


def header_words(table: str) -> list[str]:
    """The words of a table's header, which may wrap over lines above the first data row."""
    lines = table.splitlines()[1:]
    first_row = next(i for i, line in enumerate(lines) if line.startswith(("HB-", "Janssens")))
    return " ".join(lines[:first_row]).split()


def test_contractors_table_drops_optional_columns_when_narrow(cli, fixed, terminal):
    terminal(80)
    narrow = run(cli, fixed, "contractors", "--period", "2026")
    words = header_words(narrow)
    assert {"Contractor", "Orders", "Inspected", "Failure", "Satisf."} <= set(words)
    assert "Resp." not in words and "Spend" not in words
    assert "100,0% (2,5 to 100,0%)" in narrow
    terminal(200)
    wide = run(cli, fixed, "contractors", "--period", "2026")
    assert {"Spend", "Resp.", "Overdue", "Selected"} <= set(header_words(wide))
    assert "2.849,99" in wide


def test_contractors_sort_option(cli, fixed):
    rows = json.loads(run(cli, fixed, "contractors", "--sort", "contractor", "--format", "json"))
    assert [r["contractor"] for r in rows] == ["Dubois", "Janssens", "Peeters"]


def test_overdue_table(cli, fixed, terminal):
    piped = run(cli, fixed, "overdue")
    # Off a terminal every column is there, the municipality too.
    assert [line.split()[-1] for line in piped.splitlines() if line.startswith("HB-")] == [
        "Gent",
        "Gent",
    ]
    terminal(80)
    out = run(cli, fixed, "overdue")
    assert out.splitlines()[0] == "Overdue inspections as of 2026-11-27: all completed orders"
    first, second = (line.split() for line in out.splitlines() if line.startswith("HB-"))
    assert first[:2] == ["HB-001", "Janssens"] and first[-3:] == ["2026-10-15", "43", "0"]
    assert second[:2] == ["HB-003", "Janssens"] and second[-3:] == ["2026-11-17", "10", "1"]


def test_satisfaction_says_when_there_are_too_few_responses(cli, fixed):
    out = run(cli, fixed, "satisfaction", "--period", "2026")
    assert "too few responses" in out and "to conclude" in out


def test_contractor_filter(cli, fixed):
    data = json.loads(run(cli, fixed, "summary", "--contractor", "Dubois", "--format", "json"))
    assert (data["orders"], data["corrections_eur"]) == (4, "1200.00")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("summary", "--period", "Q4"), "Error: --period must look like 2026, 2026-Q4 or 2026-11"),
        (("summary", "--period", "2026", "--from", "2026-01-01"), "Error: use either --period"),
        (("summary", "--sort", "orders"), "Error: --sort applies to `report contractors` only"),
        (("summary", "--contractor", "Nobody"), "Error: no orders of contractor 'Nobody'"),
    ],
)
def test_errors(cli, fixed, args, message):
    """Options that contradict or are malformed are usage errors (2); no such contractor, 1."""
    result = cli("report", *args, "-w", fixed.root)
    assert result.exit_code == (1 if "--contractor" in args else 2)
    assert result.stderr.startswith(message)


def test_unknown_report_is_a_usage_error(cli, fixed):
    result = cli("report", "scores", "-w", fixed.root)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(
        "Error: Invalid value for 'name': Value error, 'scores' is not one of 'summary', "
        "'contractors', 'overdue', 'satisfaction', 'projection', 'board', 'splits', 'signals'.\n"
    )


def test_an_empty_workspace_reports(cli, workspace):
    assert "Orders completed" in run(cli, workspace, "summary")
    assert "nothing to report" in run(cli, workspace, "contractors")
    assert json.loads(run(cli, workspace, "overdue", "--format", "json")) == []


def test_help_has_an_example(cli):
    result = cli("report", "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout
