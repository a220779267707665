"""``inspect-cli record`` and ``inspect-cli satisfaction import|add``: exit codes, messages,
JSON, then the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import build_selected

from inspect_cli.workspace import Workspace

HEADER = "order_id;inspector;inspected_on;result;findings;correction_eur\n"


@pytest.fixture
def selected(workspace: Workspace) -> Workspace:
    build_selected(workspace)
    return workspace


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8-sig")
    return path


def stored(ws: Workspace, sql: str) -> list[tuple]:
    conn = ws.connect()
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_record_a_filled_in_list(cli, selected, tmp_path):
    path = write(
        tmp_path / "terug.csv",
        HEADER
        + "HB-002;An Claes;08/10/2026;major;tegels los;350,00\n"
        + "HB-003;An Claes;09/11/2026;no_access;;\n"
        + "HB-001;;;;;\n",
    )
    result = cli("record", "-w", selected.root, "--from", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "terug.csv: 3 read, 2 recorded, 0 unchanged, 0 replaced, 1 open, 0 rejected, "
        "1 failed visits\n"
    )
    assert stored(selected, "SELECT order_id, result, correction_cents FROM inspections") == [
        ("HB-002", "major", 35000),
        ("HB-003", "no_access", 0),
    ]


def test_rejected_rows_exit_3_with_the_quarantine_named(cli, selected, tmp_path):
    path = write(tmp_path / "terug.csv", HEADER + "HB-005;An;10/11/2026;ok;;\n")
    result = cli("record", "-w", selected.root, "--from", path, "--format", "json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert (report["read"], report["rejected"], report["error"]) == (1, 1, None)
    assert Path(report["quarantine"]).parent == selected.quarantine
    table = cli("record", "-w", selected.root, "--from", path)
    assert table.exit_code == 3
    assert "1 rejected rows with reasons in" in table.stdout


def test_an_unreadable_list_exits_1(cli, selected, tmp_path):
    path = write(tmp_path / "terug.csv", "order_id;inspector\nHB-002;An\n")
    result = cli("record", "-w", selected.root, "--from", path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: missing required column(s): result")


def test_record_one_outcome(cli, selected):
    args = ("record", "-w", selected.root, "HB-004", "--result", "not_done")
    args += ("--inspector", "An Claes", "--date", "2026-11-10", "--correction", "1.200,00")
    first = cli(*args)
    assert (first.exit_code, first.stdout) == (0, "HB-004: not_done recorded\n")
    again = cli(*args)
    assert again.stdout == "HB-004: not_done already recorded, unchanged\n"
    other = ("record", "-w", selected.root, "HB-004", "--result", "ok", "--inspector", "An")
    other += ("--date", "2026-11-12")
    refused = cli(*other)
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: HB-004 already has an outcome (not_done on 2026-11-10 by An Claes); "
        "use --replace to replace it\n"
    )
    replaced = cli(*other, "--replace", "--format", "json")
    assert json.loads(replaced.stdout) == {
        "order_id": "HB-004",
        "result": "ok",
        "status": "replaced",
    }
    assert stored(
        selected, "SELECT result, correction_cents, superseded_by IS NULL FROM inspections"
    ) == [
        ("not_done", 120000, 0),
        ("ok", 0, 1),
    ]


def test_no_access_says_the_order_stays_open(cli, selected):
    result = cli(
        "record",
        "-w",
        selected.root,
        "HB-003",
        "--result",
        "no_access",
        "--inspector",
        "An",
        "--date",
        "2026-11-09",
    )
    assert result.stdout == "HB-003: no_access recorded (failed visit: the order stays open)\n"


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (
            ("HB-005", "--result", "ok", "--inspector", "An", "--date", "2026-11-10"),
            "Error: HB-005 was not selected for inspection\n",
            1,
        ),
        (
            ("HB-999", "--result", "ok", "--inspector", "An", "--date", "2026-11-10"),
            "Error: unknown order 'HB-999'\n",
            1,
        ),
        (
            ("HB-004", "--result", "ok", "--inspector", "An", "--date", "2099-01-01"),
            "Error: --date 2099-01-01 is in the future (today is ",
            2,
        ),
        (
            ("HB-004", "--result", "ok", "--inspector", "An", "--correction", "12,345"),
            "Error: --correction: ",
            2,
        ),
        (
            ("HB-004", "--result", "ok", "--inspector", " ", "--date", "2026-11-10"),
            "Error: --inspector must name who inspected\n",
            2,
        ),
        (
            ("HB-004", "--result", "ok", "--inspector", "An", "--correction", "-5"),
            "Error: --correction must not be negative\n",
            2,
        ),
    ],
)
def test_one_outcome_refused(cli, selected, args, message, code):
    """A mistake on the command line exits 2; an order that cannot take the outcome, 1."""
    result = cli("record", "-w", selected.root, *args)
    assert result.exit_code == code
    assert result.stderr.startswith(message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Error: give either an ORDER_ID or --from FILE\n"),
        (("HB-004", "--from", "x.csv"), "Error: give either an ORDER_ID or --from FILE\n"),
        (
            ("HB-004", "--result", "ok"),
            "Error: --result and --inspector are required with an ORDER_ID\n",
        ),
        (("--from", "x.csv", "--result", "ok"), "Error: --result, --inspector, --date, --findings"),
        (
            ("HB-004", "--result", "ok", "--inspector", "An", "--date", "10/11/2026"),
            "Error: --date must be a date as YYYY-MM-DD, got '10/11/2026'\n",
        ),
    ],
)
def test_usage_errors_exit_2(cli, selected, args, message):
    result = cli("record", "-w", selected.root, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)


def test_an_unknown_result_is_a_usage_error(cli, selected):
    result = cli("record", "-w", selected.root, "HB-004", "--result", "prima", "--inspector", "An")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(
        "Error: Invalid value for '--result': Value error, 'prima' is not one of 'ok', 'minor', "
        "'major', 'not_done', 'no_access'.\n"
    )


def test_satisfaction_import_and_add(cli, selected, tmp_path):
    path = write(
        tmp_path / "enquete.csv", "Bonnummer;Cijfer;Datum\nHB-001;8;20/11/2026\nHB-002;12;\n"
    )
    result = cli("satisfaction", "import", "-w", selected.root, path)
    assert result.exit_code == 3
    assert result.stdout.startswith(
        "enquete.csv: 2 read, 1 new, 0 unchanged, 0 replaced, 1 rejected\n"
    )
    added = cli(
        "satisfaction",
        "add",
        "-w",
        selected.root,
        "HB-005",
        "--score",
        "7",
        "--date",
        "2026-11-21",
        "--comment",
        "vlot",
    )
    assert (added.exit_code, added.stdout) == (0, "HB-005: score 7/10 recorded\n")
    refused = cli("satisfaction", "add", "-w", selected.root, "HB-001", "--score", "6")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        "Error: HB-001 already has score 8/10, responded on 2026-11-20"
    )
    replaced = cli(
        "satisfaction",
        "add",
        "-w",
        selected.root,
        "HB-001",
        "--score",
        "6",
        "--replace",
        "--format",
        "json",
    )
    assert json.loads(replaced.stdout) == {
        "order_id": "HB-001",
        "score": 6,
        "scale": 10,
        "status": "replaced",
    }
    assert stored(
        selected, "SELECT order_id, score FROM satisfaction WHERE superseded_by IS NULL ORDER BY 1"
    ) == [("HB-001", 6), ("HB-005", 7)]


def test_satisfaction_of_an_unknown_order(cli, selected):
    result = cli("satisfaction", "add", "-w", selected.root, "HB-999", "--score", "7")
    assert (result.exit_code, result.stderr) == (1, "Error: unknown order 'HB-999'\n")


def test_help_has_an_example(cli):
    for command in (("record",), ("satisfaction", "import"), ("satisfaction", "add")):
        result = cli(*command, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.stdout


def test_a_score_outside_the_scale_names_the_option(cli, selected):
    """The domain names the field (score); the command names its option: a usage error."""
    result = cli("satisfaction", "add", "-w", selected.root, "HB-001", "--score", "11")
    assert result.exit_code == 2
    assert result.stderr == "Error: --score must be from 1 to 10 (satisfaction_scale), got 11\n"
