"""Every option value the command cannot use exits 2, with one ``Error:`` line and no output
(issue 17 item 7): the same code typer gives an unknown option or choice."""

from __future__ import annotations

import pytest

from inspect_cli.workspace import Workspace

BAD_VALUES = {
    "report": [
        ("summary", "--period", "2026-13"),
        ("summary", "--period", "Q4"),
        ("summary", "--from", "1/12/2026"),
        ("summary", "--from", "2026-12-01", "--to", "2026-11-01"),
        ("summary", "--period", "2026", "--from", "2026-01-01"),
        ("summary", "--sort", "spend"),
        ("splits", "--sort", "spend"),
        ("contractors", "--sort", "price"),
        ("summary", "--lang", "de"),
        ("summary", "--format", "xml"),
        ("summary", "--out", "summary.html"),
        ("board",),
        ("board", "--out", "board.html", "--contractor", "Janssens"),
        ("summary", "--date", "27/11/2026"),
    ],
    "export": [
        ("--lang", "de"),
        ("--since", "27/11/2026"),
        ("--format", "pdf"),
        ("--out", "list.xlsx", "--format", "csv"),
        ("--status", "closed"),
        ("--dialect", "excel-nl"),
    ],
    "select": [("--date", "2026-13-01"), ("--format", "xml")],
    "daily": [("--date", "tomorrow")],
    "ingest": [("--format", "xml", "a.csv")],
    "record": [
        ("HB-1", "--result", "ok", "--inspector", "An", "--date", "2099-01-01"),
        ("HB-1", "--result", "ok", "--inspector", " ", "--date", "2026-11-10"),
        ("HB-1", "--result", "ok", "--inspector", "An", "--correction", "12,345"),
        ("HB-1", "--result", "fine", "--inspector", "An"),
    ],
    "satisfaction": [
        ("add", "HB-1", "--score", "11"),
        ("add", "HB-1", "--score", "0"),
        ("add", "HB-1", "--score", "8", "--date", "2099-01-01"),
    ],
    "cron": [("--at", "25:00")],
    "verify": [("--seed", "x", "--seed-file", "seed.txt")],
}

CASES = [(command, args) for command, many in BAD_VALUES.items() for args in many]


@pytest.mark.parametrize(("command", "args"), CASES, ids=[" ".join(a) for _, a in CASES])
def test_a_bad_option_value_exits_2(cli, workspace: Workspace, command, args):
    result = cli(command, *args, "-w", workspace.root)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Error" in result.stderr
