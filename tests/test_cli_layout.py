"""Tables in a pipe or cron mail, and on narrow and wide terminals (issue 17 item 2).

Off a terminal a table is as wide as its content: no name broken over lines or cut, no
trailing spaces. On a terminal it fits: optional columns go first, never the identifiers or
the column the rows are sorted by.
"""

from __future__ import annotations

import pytest
from helpers import build_fixed

from inspect_cli.workspace import Workspace

LONG_NAME = "Algemene Onderhoudswerken en Dakwerken Van den Broecke-Vermeulen en Zonen BV"
LONG_FILE = "herstelbonnen-algemene-onderhoudswerken-van-den-broecke-2026-11-week-48.csv"


@pytest.fixture
def fixed(workspace: Workspace) -> Workspace:
    build_fixed(workspace)
    conn = workspace.connect()
    with conn:
        conn.execute("UPDATE orders SET contractor = ? WHERE contractor = 'Peeters'", (LONG_NAME,))
    conn.close()
    return workspace


def report(cli, ws: Workspace, *args: str) -> str:
    result = cli("report", "contractors", "-w", ws.root, "--period", "2026", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def header(table: str) -> list[str]:
    """The header's words of a table printed after a one-line title."""
    lines = table.splitlines()[1:]
    first_row = next(i for i, line in enumerate(lines) if line.startswith(("Dubois", "Janssens")))
    return " ".join(lines[:first_row]).split()


def test_piped_report_keeps_names_whole_and_every_column(cli, fixed):
    out = report(cli, fixed)
    lines = out.splitlines()
    assert [line for line in lines if line.rstrip() != line] == []
    assert any(line.startswith(LONG_NAME + "  ") for line in lines)
    assert header(out)[:4] == ["Contractor", "Orders", "Spend", "(EUR)"]
    assert {"Resp.", "Overdue", "Selected", "Satisf."} <= set(header(out))


@pytest.mark.parametrize("sort", ["spend", "corrections", "overdue", "orders"])
def test_narrow_terminal_keeps_the_sorted_column(cli, fixed, terminal, sort):
    terminal(80)
    out = report(cli, fixed, "--sort", sort)
    words = set(header(out))
    label = {"spend": "Spend", "corrections": "Corrections", "overdue": "Overdue"}
    assert label.get(sort, "Orders") in words
    assert {"Contractor", "Orders", "Failure"} <= words
    assert max(map(len, out.splitlines())) <= 80
    # The identifier is never cut: the long name folds at spaces, all of its words are there.
    assert "…" not in out
    assert set(LONG_NAME.split()) <= set(out.split())


def test_narrow_terminal_drops_optional_columns_and_wide_shows_them(cli, fixed, terminal):
    terminal(80)
    narrow = set(header(report(cli, fixed, "--sort", "spend")))
    assert "Resp." not in narrow and "Selected" not in narrow
    terminal(200)
    wide = report(cli, fixed, "--sort", "spend")
    assert {"Spend", "Resp.", "Selected", "Overdue"} <= set(header(wide))
    assert any(line.startswith(LONG_NAME + "  ") for line in wide.splitlines())


def test_piped_ingest_table_keeps_the_file_name_whole(cli, workspace, tmp_path):
    path = tmp_path / LONG_FILE
    path.write_text(
        "order_id,contractor,amount_excl_vat,completed_on\nA1,J,10,2026-11-02\n", encoding="utf-8"
    )
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["file", "read", "new", "unchanged", "amended", "rejected"]
    assert lines[1].split() == [LONG_FILE, "1", "1", "0", "0", "0"]
    assert [line for line in lines if line.rstrip() != line] == []


def test_ingest_table_on_a_narrow_terminal_folds_the_file_name(cli, workspace, tmp_path, terminal):
    terminal(60)
    path = tmp_path / LONG_FILE
    path.write_text(
        "order_id,contractor,amount_excl_vat,completed_on\nA1,J,10,2026-11-02\n", encoding="utf-8"
    )
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 0, result.output
    assert max(map(len, result.stdout.splitlines())) <= 60
    assert "…" not in result.stdout
    cells = [line.split()[0] for line in result.stdout.splitlines()[1:] if line.strip()]
    assert LONG_FILE in "".join(cells)


def test_piped_contractors_table_keeps_names_whole(cli, fixed):
    result = cli("contractors", "-w", fixed.root)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.split("  ")[0] == LONG_NAME for line in lines)
    assert [line for line in lines if line.rstrip() != line] == []


def test_contractors_table_on_a_narrow_terminal_cuts_no_name(cli, fixed, terminal):
    terminal(40)
    result = cli("contractors", "-w", fixed.root)
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    assert set(LONG_NAME.split()) <= set(result.stdout.split())
