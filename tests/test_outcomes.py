"""Recording outcomes: the inspection list goes out, comes back filled in, and is recorded.

`build_selected` (tests/helpers.py) makes the orders of the fixed workspace that test_reports
describes (HB-001 … HB-013, eight of them selected), without outcomes.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import NOW, TODAY
from helpers import build_selected
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_cli.errors import InvalidValue, UnknownOrder
from inspect_cli.export import COLUMNS, inspection_rows, write_export
from inspect_cli.filled_import import unquote
from inspect_cli.outcomes import (
    Outcome,
    RecordResult,
    parse_result,
    record_file,
    record_outcome,
)
from inspect_cli.spreadsheet import neutralise
from inspect_cli.store.inspections import outcome_history
from inspect_cli.workspace import Workspace

OPEN_LIST = ["HB-001", "HB-002", "HB-003", "HB-004", "HB-006", "HB-007", "HB-009", "HB-012"]


@pytest.fixture
def selected(workspace: Workspace) -> Workspace:
    build_selected(workspace)
    return workspace


def export(ws: Workspace, path: Path, fmt: str = "csv", dialect: str = "excel-be") -> Path:
    conn = ws.connect()
    try:
        return write_export(inspection_rows(conn), path, fmt=fmt, dialect=dialect)
    finally:
        conn.close()


def record(ws: Workspace, path: Path, *, replace: bool = False, today: date = TODAY):
    conn = ws.connect()
    try:
        result = record_file(
            conn,
            path,
            ws.config(),
            quarantine_dir=ws.quarantine,
            now=NOW,
            today=today,
            replace=replace,
        )
    finally:
        conn.close()
    assert result.error or result.read == (
        result.recorded + result.unchanged + result.replaced + result.open + result.rejected
    )
    return result


def outcomes(ws: Workspace) -> dict[str, list[tuple]]:
    """Current outcomes per order: (result, inspector, inspected_on, findings, cents)."""
    conn = ws.connect()
    rows = conn.execute(
        "SELECT order_id, result, inspector, inspected_on, findings, correction_cents "
        "FROM inspections WHERE superseded_by IS NULL ORDER BY order_id, inspected_on"
    ).fetchall()
    conn.close()
    found: dict[str, list[tuple]] = {}
    for order_id, *rest in rows:
        found.setdefault(order_id, []).append(tuple(rest))
    return found


def count_inspections(ws: Workspace) -> int:
    conn = ws.connect()
    n = conn.execute("SELECT COUNT(*) FROM inspections").fetchone()[0]
    conn.close()
    return n


def quarantined(result: RecordResult) -> dict[str, str]:
    """source_row -> problems of the quarantine file (written in the workspace's dialect)."""
    text = Path(result.quarantine).read_text(encoding="utf-8-sig")
    return {
        r["source_row"]: r["problems"] for r in csv.DictReader(io.StringIO(text), delimiter=";")
    }


# What the inspectors fill in: order -> (inspector, date, result, findings, correction).
FILLED = {
    "HB-002": ("An Claes", date(2026, 10, 8), "major", "tegels los", "350,00"),
    "HB-003": ("Bart Peeters", date(2026, 11, 9), "no_access", "niemand thuis", ""),
    "HB-004": ("An Claes", date(2026, 11, 10), "not_done", "kraan niet vervangen", "1.200,00"),
    "HB-006": ("Bart Peeters", date(2026, 11, 12), "minor", "", ""),
    "HB-007": ("An Claes", date(2026, 11, 13), "ok", "", "0,00"),
    "HB-009": ("An Claes", date(2026, 11, 20), "OK", "", ""),
    "HB-012": ("Bart Peeters", date(2026, 10, 5), "ok", "=netjes afgewerkt", ""),
}
EXPECTED = {
    "HB-002": [("major", "An Claes", "2026-10-08", "tegels los", 35000)],
    "HB-003": [("no_access", "Bart Peeters", "2026-11-09", "niemand thuis", 0)],
    "HB-004": [("not_done", "An Claes", "2026-11-10", "kraan niet vervangen", 120000)],
    "HB-006": [("minor", "Bart Peeters", "2026-11-12", None, 0)],
    "HB-007": [("ok", "An Claes", "2026-11-13", None, 0)],
    "HB-009": [("ok", "An Claes", "2026-11-20", None, 0)],
    "HB-012": [("ok", "Bart Peeters", "2026-10-05", "=netjes afgewerkt", 0)],
}


def fill_csv(path: Path, out: Path, *, delimiter: str, encoding: str, day_format: str) -> Path:
    """The inspector's copy: the exported CSV with the outcome columns filled in, saved again
    the way Excel does (own encoding, dates in its display format)."""
    text = path.read_text(encoding="utf-8-sig")
    source_delimiter = ";" if text.splitlines()[0].count(";") else ","
    rows = list(csv.DictReader(io.StringIO(text), delimiter=source_delimiter))
    for row in rows:
        if row["order_id"] in FILLED:
            inspector, day, result, findings, correction = FILLED[row["order_id"]]
            row.update(
                inspector=inspector,
                inspected_on=day.strftime(day_format),
                result=result,
                findings=neutralise(findings),
                correction_eur=correction
                if delimiter == ";"
                else correction.replace(".", "").replace(",", "."),
            )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    out.write_bytes(buffer.getvalue().encode(encoding))
    return out


def test_round_trip_belgian_csv_resaved_by_excel(selected, tmp_path):
    sent = export(selected, tmp_path / "list.csv")
    back = fill_csv(
        sent, tmp_path / "back.csv", delimiter=";", encoding="cp1252", day_format="%-d/%m/%Y"
    )
    result = record(selected, back)
    assert (result.read, result.recorded, result.open, result.rejected) == (8, 7, 1, 0)
    assert (result.failed_visits, result.quarantine) == (1, None)
    assert outcomes(selected) == EXPECTED


def test_round_trip_standard_csv(selected, tmp_path):
    sent = export(selected, tmp_path / "list.csv", dialect="standard")
    back = fill_csv(
        sent, tmp_path / "back.csv", delimiter=",", encoding="utf-8", day_format="%Y-%m-%d"
    )
    result = record(selected, back)
    assert (result.recorded, result.open, result.rejected) == (7, 1, 0)
    assert outcomes(selected) == EXPECTED


def test_recording_the_same_file_twice_changes_nothing(selected, tmp_path):
    sent = export(selected, tmp_path / "list.csv")
    back = fill_csv(
        sent, tmp_path / "back.csv", delimiter=";", encoding="utf-8-sig", day_format="%d/%m/%Y"
    )
    record(selected, back)
    before = count_inspections(selected)
    again = record(selected, back)
    assert (again.read, again.recorded, again.unchanged, again.open) == (8, 0, 7, 1)
    assert count_inspections(selected) == before
    assert outcomes(selected) == EXPECTED


def test_an_exported_list_with_outcomes_reads_back_unchanged(selected, tmp_path):
    """`export --status all` writes recorded final outcomes into the list; recording it is a
    no-op. A failed visit is not final: that row comes back empty, so still open."""
    back = fill_csv(
        export(selected, tmp_path / "list.csv"),
        tmp_path / "back.csv",
        delimiter=";",
        encoding="utf-8-sig",
        day_format="%d/%m/%Y",
    )
    record(selected, back)
    conn = selected.connect()
    rows = inspection_rows(conn, status="all")
    conn.close()
    for fmt in ("csv", "xlsx"):
        again = write_export(rows, tmp_path / f"all.{fmt}", fmt=fmt, dialect="excel-be")
        result = record(selected, again)
        assert (result.read, result.recorded, result.unchanged, result.open) == (8, 0, 6, 2)


def test_round_trip_xlsx_resaved_with_reordered_and_extra_columns(selected, tmp_path):
    from openpyxl import Workbook, load_workbook

    sent = export(selected, tmp_path / "list.xlsx", fmt="xlsx")
    sheet = load_workbook(sent).active
    header = [c.value for c in sheet[1]]
    exported = [
        dict(zip(header, values, strict=True)) for values in sheet.iter_rows(2, values_only=True)
    ]
    assert [r["order_id"] for r in exported] == sorted(
        OPEN_LIST, key=lambda o: (o not in ("HB-001", "HB-002", "HB-012"), o)
    )

    book = Workbook()
    ws = book.active
    ws.title = "Blad1"
    # The inspector moved the outcome columns to the front and added a column of her own.
    order = [
        "result",
        "order_id",
        "inspected_on",
        "inspector",
        "Opmerking intern",
        "correction_eur",
        "findings",
        "contractor",
        "due_on",
        "address",
    ]
    ws.append(order)
    for number, row in enumerate(exported):
        oid = row["order_id"]
        if oid in FILLED:
            inspector, day, result, findings, correction = FILLED[oid]
            amount = float(correction.replace(".", "").replace(",", ".")) if correction else None
            cells = {
                "result": result,
                "inspected_on": datetime(day.year, day.month, day.day),  # a real date cell
                "inspector": inspector,
                "Opmerking intern": "gebeld" if number % 2 else None,
                "correction_eur": amount,  # a number cell
                "findings": neutralise(findings) or None,
            }
        else:
            cells = {}
        ws.append([cells.get(name, row.get(name)) for name in order])
        if number == 3:
            ws.append([None] * len(order))  # an empty row in between
    ws.append([])
    ws.append([None, None, None, None, "   "])  # a row of blanks only
    back = tmp_path / "terug.xlsx"
    book.save(back)

    result = record(selected, back)
    assert (result.read, result.recorded, result.open, result.rejected) == (8, 7, 1, 0)
    assert outcomes(selected) == EXPECTED


def test_excel_serial_dates_and_day_first_text_are_read(selected, tmp_path):
    path = tmp_path / "serial.csv"
    path.write_text(
        "order_id;inspector;inspected_on;result;correction_eur\n"
        "HB-003;An;46335;no_access;\n"  # 2026-11-09 as an Excel serial number
        "HB-006;An;12 nov. 2026;minor;12,5\n",
        encoding="utf-8",
    )
    result = record(selected, path)
    assert (result.recorded, result.rejected) == (2, 0)
    found = outcomes(selected)
    assert found["HB-003"][0][2] == "2026-11-09"
    assert found["HB-006"][0][2:] == ("2026-11-12", None, 1250)


HEADER = "order_id,inspector,inspected_on,result,findings,correction_eur\n"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("HB-005,An,2026-11-10,ok,,", "order_id: HB-005 was not selected for inspection"),
        ("HB-999,An,2026-11-10,ok,,", "order_id: unknown order 'HB-999'"),
        ("HB-013,An,2026-11-10,ok,,", "order_id: HB-013 was not selected for inspection"),
        (
            "HB-001,An,2026-09-01,ok,,",
            "inspected_on: 2026-09-01 is before the repair was completed (2026-09-10)",
        ),
        (
            "HB-001,An,2026-11-28,ok,,",
            "inspected_on: 2026-11-28 is in the future (today is 2026-11-27)",
        ),
        (
            "HB-001,An,2026-11-10,prima,,",
            "result: 'prima' is not one of ok, minor, major, not_done, no_access",
        ),
        ("HB-001,,2026-11-10,ok,,", "inspector: empty (who inspected?)"),
        ("HB-001,An,,ok,,", "inspected_on: empty (when was it inspected?)"),
        ("HB-001,An,31/02/2026,ok,,", "inspected_on: impossible date: '31/02/2026'"),
        ("HB-001,An,2026-11-10,major,,-12.50", "correction_eur: must not be negative"),
        ("HB-001,An,2026-11-10,major,,twaalf", "correction_eur: not an amount: 'twaalf'"),
        (",An,2026-11-10,ok,,", "order_id: empty"),
        ("HB-001,An,2026-11-10,ok,,,surplus", "row: more cells than the header has columns"),
    ],
)
def test_each_rejection_rule(selected, tmp_path, line, problem):
    path = tmp_path / "filled.csv"
    path.write_text(HEADER + "HB-002,An,2026-11-10,ok,,\n" + line + "\n", encoding="utf-8")
    result = record(selected, path)
    assert (result.read, result.recorded, result.rejected) == (2, 1, 1)
    assert quarantined(result) == {"3": problem}
    assert set(outcomes(selected)) == {"HB-002"}


def test_quarantine_keeps_the_original_cells(selected, tmp_path):
    path = tmp_path / "filled.csv"
    path.write_text(HEADER + "HB-005,An,10/11/2026,ok,'=x,12\n", encoding="utf-8")
    result = record(selected, path)
    text = Path(result.quarantine).read_text(encoding="utf-8-sig").splitlines()
    assert (
        text[0]
        == "source_row;problems;order_id;inspector;inspected_on;result;findings;correction_eur"
    )
    assert text[1] == (
        "2;order_id: HB-005 was not selected for inspection;HB-005;An;10/11/2026;ok;'=x;12"
    )


def test_several_problems_of_one_row_are_all_named(selected, tmp_path):
    path = tmp_path / "filled.csv"
    path.write_text(HEADER + "HB-001,,2099-01-01,prima,,-1\n", encoding="utf-8")
    result = record(selected, path)
    assert quarantined(result)["2"] == (
        "result: 'prima' is not one of ok, minor, major, not_done, no_access; "
        "inspector: empty (who inspected?); "
        "inspected_on: 2099-01-01 is in the future (today is 2026-11-27); "
        "correction_eur: must not be negative"
    )


def test_rows_without_a_result_are_open_whatever_else_they_hold(selected, tmp_path):
    path = tmp_path / "filled.csv"
    path.write_text(
        HEADER + "HB-001,An,2026-11-10,,,\nHB-999,,nonsense,,,\n,,,,,\nHB-002,An,2026-11-10,ok,,\n",
        encoding="utf-8",
    )
    result = record(selected, path)
    # The blank line is no row at all.
    assert (result.read, result.open, result.recorded, result.rejected) == (3, 2, 1, 0)


def test_conflicting_rows_for_one_order_are_both_rejected(selected, tmp_path):
    path = tmp_path / "filled.csv"
    path.write_text(
        HEADER
        + "HB-002,An,2026-11-10,ok,,\nHB-002,An,2026-11-10,major,,\n"
        + "HB-004,An,2026-11-10,ok,,\nHB-004,An,2026-11-10,ok,,\n",
        encoding="utf-8",
    )
    result = record(selected, path)
    assert (result.recorded, result.unchanged, result.rejected) == (1, 1, 2)
    assert quarantined(result) == {
        "2": "order_id: HB-002 appears in rows 2, 3 with different values",
        "3": "order_id: HB-002 appears in rows 2, 3 with different values",
    }


def test_a_second_outcome_needs_replace_and_keeps_the_first(selected, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "HB-002,An,2026-11-10,ok,,\n", encoding="utf-8")
    record(selected, first)
    second = tmp_path / "second.csv"
    second.write_text(HEADER + "HB-002,An,2026-11-10,major,scheur,100\n", encoding="utf-8")
    refused = record(selected, second)
    assert quarantined(refused) == {
        "2": "result: HB-002 already has an outcome (ok on 2026-11-10 by An); "
        "use --replace to replace it"
    }
    replaced = record(selected, second, replace=True)
    assert (replaced.replaced, replaced.rejected) == (1, 0)
    assert outcomes(selected)["HB-002"] == [("major", "An", "2026-11-10", "scheur", 10000)]
    conn = selected.connect()
    history = outcome_history(conn, "HB-002")
    conn.close()
    assert [(h["result"], h["superseded_by"]) for h in history] == [
        ("ok", history[1]["id"]),
        ("major", None),
    ]


def test_a_visit_after_a_failed_visit_is_a_new_outcome(selected):
    conn = selected.connect()
    try:
        first = Outcome("HB-003", "no_access", "An", "2026-11-09")
        assert record_outcome(conn, first, today=TODAY, now=NOW) == "new"
        later = Outcome("HB-003", "ok", "An", "2026-11-16")
        assert record_outcome(conn, later, today=TODAY, now=NOW) == "new"
        # The same day's failed visit told differently is a correction: only with replace.
        with pytest.raises(InvalidValue, match="already has an outcome"):
            record_outcome(
                conn, Outcome("HB-003", "no_access", "An", "2026-11-20"), today=TODAY, now=NOW
            )
    finally:
        conn.close()
    assert outcomes(selected)["HB-003"] == [
        ("no_access", "An", "2026-11-09", None, 0),
        ("ok", "An", "2026-11-16", None, 0),
    ]


def test_a_failed_visit_told_differently_on_the_same_day_needs_replace(selected):
    conn = selected.connect()
    try:
        record_outcome(
            conn, Outcome("HB-003", "no_access", "An", "2026-11-09"), today=TODAY, now=NOW
        )
        corrected = Outcome("HB-003", "no_access", "An", "2026-11-09", "brievenbus: kaartje")
        with pytest.raises(InvalidValue) as e:
            record_outcome(conn, corrected, today=TODAY, now=NOW)
        assert str(e.value) == (
            "HB-003 already has a failed visit that day (no_access on 2026-11-09 by An); "
            "use --replace to replace it"
        )
        assert record_outcome(conn, corrected, today=TODAY, now=NOW, replace=True) == "replaced"
    finally:
        conn.close()
    assert outcomes(selected)["HB-003"] == [
        ("no_access", "An", "2026-11-09", "brievenbus: kaartje", 0)
    ]


def test_one_outcome_by_hand(selected):
    conn = selected.connect()
    try:
        outcome = Outcome("HB-004", "not_done", "An", "2026-11-10", "niet uitgevoerd", 120000)
        assert record_outcome(conn, outcome, today=TODAY, now=NOW) == "new"
        assert record_outcome(conn, outcome, today=TODAY, now=NOW) == "unchanged"
        with pytest.raises(UnknownOrder, match="unknown order 'HB-999'"):
            record_outcome(conn, Outcome("HB-999", "ok", "An", "2026-11-10"), today=TODAY, now=NOW)
        with pytest.raises(InvalidValue, match="HB-005 was not selected for inspection"):
            record_outcome(conn, Outcome("HB-005", "ok", "An", "2026-11-10"), today=TODAY, now=NOW)
        with pytest.raises(InvalidValue, match=r"^inspected_on: 2026-11-28 is in the future"):
            record_outcome(conn, Outcome("HB-006", "ok", "An", "2026-11-28"), today=TODAY, now=NOW)
        with pytest.raises(
            InvalidValue, match=r"^inspected_on: 2026-10-01 is before the repair was"
        ):
            record_outcome(conn, Outcome("HB-006", "ok", "An", "2026-10-01"), today=TODAY, now=NOW)
    finally:
        conn.close()


def test_a_file_without_a_result_column_is_refused_whole(selected, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("order_id,inspector\nHB-002,An\n", encoding="utf-8")
    result = record(selected, path)
    assert result.error == (
        f"{path}: missing required column(s): result; columns found: order_id, inspector"
    )
    assert count_inspections(selected) == 0


def test_an_unreadable_file_is_an_error(selected, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert record(selected, path).error == "empty.csv is empty"


def test_the_import_is_logged_with_its_counts(selected, tmp_path):
    path = tmp_path / "filled.csv"
    path.write_text(HEADER + "HB-002,An,2026-11-10,ok,,\nHB-001,,,,,\n", encoding="utf-8")
    record(selected, path)
    conn = selected.connect()
    row = conn.execute(
        "SELECT kind, file_name, read, new, unchanged, amended, rejected FROM imports "
        "WHERE kind = 'outcomes'"
    ).fetchone()
    conn.close()
    assert row == ("outcomes", "filled.csv", 2, 1, 0, 0, 0)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("OK", "ok"),
        (" minor ", "minor"),
        ("Not done", "not_done"),
        ("not-done", "not_done"),
        ("No access", "no_access"),
        ("geen toegang", "no_access"),
        ("Niet uitgevoerd", "not_done"),
        ("conform", "ok"),
        ("Kleine gebreken", "minor"),
        ("Conforme", "ok"),
        ("mineur", "minor"),
        ("Majeur", "major"),
        ("Défauts graves", "major"),
        ("Non exécuté", "not_done"),
        ("Pas d'accès", "no_access"),
        ("pas d’acces", "no_access"),
    ],
)
def test_results_as_inspectors_write_them(text, code):
    assert parse_result(text) == code


def test_unquote_undoes_only_the_formula_guard():
    assert unquote("'=SUM(A1)") == "=SUM(A1)"
    assert unquote("'-5 tegels") == "-5 tegels"
    assert unquote("'t is in orde") == "'t is in orde"
    assert unquote(neutralise("@home")) == "@home"


ROW_IDS = st.sampled_from(["HB-002", "HB-003", "HB-004", "HB-005", "HB-999", "", "HB-012"])
ROW_RESULTS = st.sampled_from(["ok", "major", "no_access", "Not done", "", "prima"])
ROW_DAYS = st.sampled_from(
    ["2026-11-10", "10/11/2026", "2026-11-12", "2026-09-01", "2099-01-01", ""]
)
ROW_AMOUNTS = st.sampled_from(["", "0", "12,50", "1.200,00", "-5", "x"])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(
        st.tuples(ROW_IDS, st.sampled_from(["An", ""]), ROW_DAYS, ROW_RESULTS, ROW_AMOUNTS),
        max_size=8,
    )
)
def test_every_row_is_counted_once_and_a_second_import_changes_nothing(selected, tmp_path, rows):
    path = tmp_path / "random.csv"
    text = "order_id;inspector;inspected_on;result;correction_eur\n"
    path.write_text(text + "".join(";".join(r) + "\n" for r in rows), encoding="utf-8")
    first = record(selected, path)  # record() asserts the accounting identity
    assert first.read == sum(any(cell.strip() for cell in r) for r in rows)
    before = count_inspections(selected)
    second = record(selected, path)
    assert (second.recorded, second.replaced) == (0, 0)
    assert second.unchanged == first.unchanged + first.recorded + first.replaced
    assert count_inspections(selected) == before


def test_the_stores_check_accepts_exactly_the_result_codes(workspace: Workspace):
    """The CHECK constraint of the shipped migration restates the codes: it must not drift."""
    import re

    from inspect_cli.result_codes import RESULTS

    sql = (
        workspace.connect()
        .execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'inspections'")
        .fetchone()[0]
    )
    listed = re.search(r"CHECK \(result IN \(([^)]*)\)\)", sql).group(1)
    assert tuple(code.strip(" '") for code in listed.split(",")) == RESULTS


def test_record_offers_exactly_the_result_codes(workspace: Workspace):
    from typer.testing import CliRunner

    from inspect_cli.cli.main import app
    from inspect_cli.result_codes import RESULTS

    result = CliRunner().invoke(app, ["record", "-w", str(workspace.root), "A1", "--result", "x"])
    assert result.exit_code == 2
    assert "'ok', 'minor', 'major', 'not_done', 'no_access'" in result.stderr
    assert RESULTS == ("ok", "minor", "major", "not_done", "no_access")


def test_a_result_nobody_writes_names_the_codes():
    with pytest.raises(ValueError, match="'peut-être' is not one of ok, minor, major"):
        parse_result("peut-être")
