"""The inspection list: exact columns, both CSV dialects and XLSX read back, no formulas."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import TODAY
from helpers import ingest, record_inspection, rows, select, write_orders
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_cli.export import (
    COLUMNS,
    InspectionRow,
    default_path,
    inspection_rows,
    run_rows,
    write_export,
)
from inspect_cli.money import format_cents
from inspect_cli.spreadsheet import neutralise
from inspect_cli.workspace import Workspace

FULL_HEADER = (
    "order_id",
    "contractor",
    "amount_excl_vat",
    "completed_on",
    "dwelling_id",
    "address",
    "postcode",
    "municipality",
    "category",
    "description",
)


def row(order_id: str = "A1", **changes) -> InspectionRow:
    values = {
        "order_id": order_id,
        "reason": "above_threshold",
        "contractor": "Janssens & Zonen",
        "dwelling_id": "W-17",
        "address": "Kerkstraat 1",
        "postcode": "9000",
        "municipality": "Gent",
        "category": "sanitair",
        "description": "Lek herstellen; kraan vervangen",
        "amount_cents": 123456,
        "completed_on": date(2026, 11, 20),
        "selected_on": date(2026, 11, 27),
        "due_on": date(2026, 12, 11),
    }
    return InspectionRow(**{**values, **changes})


def read_csv(path: Path, encoding: str, delimiter: str) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


@pytest.fixture
def selected(workspace: Workspace, tmp_path: Path) -> Workspace:
    """Two orders above the threshold, one of them with every optional field."""
    ingest(
        workspace,
        write_orders(
            tmp_path / "orders.csv",
            [
                ("B-2", "Dubois", "1500.00", "2026-11-19", "", "", "", "", "", ""),
                (
                    "A-1",
                    "Janssens",
                    "1000.01",
                    "2026-11-20",
                    "W-17",
                    "Kerkstraat 1",
                    "9000",
                    "Gent",
                    "sanitair",
                    'Lek; kraan "oud"',
                ),
            ],
            header=FULL_HEADER,
        ),
    )
    select(workspace)
    return workspace


def rows_of(ws: Workspace, **options) -> list[InspectionRow]:
    conn = ws.connect()
    try:
        return inspection_rows(conn, **options)
    finally:
        conn.close()


def test_columns_are_the_published_contract():
    assert COLUMNS == (
        "order_id", "reason", "contractor", "dwelling_id", "address", "postcode",
        "municipality", "category", "description", "amount_excl_vat", "completed_on",
        "selected_on", "due_on", "inspector", "inspected_on", "result", "findings",
        "correction_eur", "amount_decided_eur",
    )  # fmt: skip


def test_excel_be_csv(selected: Workspace, tmp_path: Path):
    path = write_export(rows_of(selected), tmp_path / "list.csv", fmt="csv", dialect="excel-be")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbforder_id;reason;contractor;")
    assert read_csv(path, "utf-8-sig", ";") == [
        list(COLUMNS),
        ["A-1", "above_threshold", "Janssens", "W-17", "Kerkstraat 1", "9000", "Gent",
         "sanitair", 'Lek; kraan "oud"', "1000,01", "20/11/2026", "27/11/2026", "11/12/2026",
         "", "", "", "", "", "1000,01"],
        ["B-2", "above_threshold", "Dubois", "", "", "", "", "", "", "1500,00", "19/11/2026",
         "27/11/2026", "11/12/2026", "", "", "", "", "", "1500,00"],
    ]  # fmt: skip


def test_standard_csv(selected: Workspace, tmp_path: Path):
    path = write_export(rows_of(selected), tmp_path / "list.csv", fmt="csv", dialect="standard")
    assert path.read_bytes().startswith(b"order_id,reason,")
    back = read_csv(path, "utf-8", ",")
    assert back[1][9:13] == ["1000.01", "2026-11-20", "2026-11-27", "2026-12-11"]
    assert back[2][:3] == ["B-2", "above_threshold", "Dubois"]


def test_xlsx_has_number_and_date_cells(selected: Workspace, tmp_path: Path):
    path = write_export(rows_of(selected), tmp_path / "list.xlsx", fmt="xlsx", dialect="excel-be")
    sheet = openpyxl.load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == COLUMNS
    assert values[1][:9] == (
        "A-1", "above_threshold", "Janssens", "W-17", "Kerkstraat 1", "9000", "Gent",
        "sanitair", 'Lek; kraan "oud"',
    )  # fmt: skip
    assert values[1][9] == pytest.approx(1000.01)
    assert values[1][10:13] == (
        datetime(2026, 11, 20),
        datetime(2026, 11, 27),
        datetime(2026, 12, 11),
    )
    assert values[1][13:18] == (None,) * 5
    assert values[1][18] == pytest.approx(1000.01)  # the amount decided on, a number cell
    amount, completed = sheet["J2"], sheet["K2"]
    assert (amount.data_type, amount.number_format) == ("n", "#,##0.00")
    assert (completed.is_date, completed.number_format) == (True, "dd/mm/yyyy")
    assert sheet["F2"].data_type == "s"  # a postcode stays text


def test_rewriting_the_same_rows_gives_identical_bytes(tmp_path: Path):
    listed = [row("B"), row("A")]
    for fmt in ("csv", "xlsx"):
        first = write_export(listed, tmp_path / f"1.{fmt}", fmt=fmt, dialect="excel-be")
        second = write_export(listed, tmp_path / f"2.{fmt}", fmt=fmt, dialect="excel-be")
        assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(tmp_path / "1.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2


def test_rows_are_ordered_by_due_date_then_order_id(tmp_path: Path):
    from inspect_cli.export import build_list

    def record(order_id: str, due: str) -> tuple:
        text = (order_id, "above_threshold", "Janssens", None, None, None, None, None, None)
        return (*text, 150000, "2026-11-20", "2026-11-27", due, *(None,) * 5, 150000)

    records = [record("B", "2026-12-11"), record("C", "2026-12-01"), record("A", "2026-12-11")]
    built = build_list(list(zip(*records, strict=True))).rows()
    assert [(r.order_id, r.due_on) for r in built] == [
        ("C", date(2026, 12, 1)),
        ("A", date(2026, 12, 11)),
        ("B", date(2026, 12, 11)),
    ]


# --- formula injection ------------------------------------------------------------------------

EVIL = {
    "F-1": ('=HYPERLINK("http://x","klik")', "+SUM(A1:A9)"),
    "F-2": ("@SUM(1+1)*cmd|' /C calc'!A0", "-2+3"),
    "F-3": ("Janssens", "=1+1"),
}


def test_formulas_from_contractor_files_are_neutralised(workspace: Workspace, tmp_path: Path):
    ingest(
        workspace,
        write_orders(
            tmp_path / "evil.csv",
            [(oid, c, "1500.00", "2026-11-20", "=A1", "", "", "", "", d)
             for oid, (c, d) in EVIL.items()],
            header=FULL_HEADER,
        ),
    )  # fmt: skip
    select(workspace)
    listed = rows_of(workspace)
    assert {r.contractor for r in listed} == {c for c, _ in EVIL.values()}  # stored as is

    path = write_export(listed, tmp_path / "list.csv", fmt="csv", dialect="excel-be")
    back = {r[0]: r for r in read_csv(path, "utf-8-sig", ";")[1:]}
    for order_id, (contractor, description) in EVIL.items():
        cells = back[order_id]
        assert cells[2] == (contractor if contractor == "Janssens" else "'" + contractor)
        assert cells[3] == "'=A1"
        assert cells[8] == "'" + description
        assert cells[9] == "1500,00"

    path = write_export(listed, tmp_path / "list.xlsx", fmt="xlsx", dialect="standard")
    sheet = openpyxl.load_workbook(path).active
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            assert cell.data_type != "f"
            assert not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "@")))
        assert cells[8].value.startswith("'")
        assert cells[9].value == 1500
    assert sheet["C2"].value == "'" + EVIL["F-1"][0]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n"])
def test_every_formula_trigger_is_neutralised(tmp_path: Path, start: str):
    listed = [row(description=f"{start}cmd", findings=f"{start}x", inspector="#N/A")]
    csv_path = write_export(listed, tmp_path / "l.csv", fmt="csv", dialect="standard")
    cells = read_csv(csv_path, "utf-8", ",")[1]
    assert cells[8] == f"'{start}cmd"
    assert cells[16] == f"'{start}x"
    xlsx_path = write_export(listed, tmp_path / "l.xlsx", fmt="xlsx", dialect="standard")
    sheet = openpyxl.load_workbook(xlsx_path).active
    # XML reads a carriage return back as a line feed; the quote in front is what matters.
    assert sheet["I2"].value in (f"'{start}cmd", "'\ncmd")
    assert (sheet["N2"].value, sheet["N2"].data_type) == ("#N/A", "s")


def test_a_plain_negative_amount_text_is_not_a_formula(tmp_path: Path):
    path = write_export([row(dwelling_id="-12")], tmp_path / "l.csv", fmt="csv", dialect="standard")
    assert read_csv(path, "utf-8", ",")[1][3] == "-12"


_cell_text = st.text(st.sampled_from(list(';,"\r\n\t =+-@x é1')), max_size=6)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(
        st.tuples(_cell_text, _cell_text, st.none() | _cell_text, st.integers(-(10**9), 10**9)),
        max_size=4,
    ),
    dialect=st.sampled_from(["excel-be", "standard"]),
)
def test_csv_cells_read_back_and_are_quoted_exactly_like_csv_writer(tmp_path, texts, dialect):
    listed = [
        row(f"T{i}", address=a, description=d, findings=f, amount_cents=c, correction_cents=-c)
        for i, (a, d, f, c) in enumerate(texts)
    ]
    path = write_export(listed, tmp_path / "l.csv", fmt="csv", dialect=dialect)
    delimiter, encoding, decimal = (
        (";", "utf-8-sig", ",") if dialect == "excel-be" else (",", "utf-8", ".")
    )
    cells = read_csv(path, encoding, delimiter)
    assert [(r[4], r[8], r[16], r[9], r[17]) for r in cells[1:]] == [
        (
            neutralise(a),
            neutralise(d),
            "" if f is None else neutralise(f),
            format_cents(c, decimal),
            format_cents(-c, decimal),
        )
        for a, d, f, c in texts
    ]
    again = io.StringIO(newline="")
    csv.writer(again, delimiter=delimiter, lineterminator="\r\n").writerows(cells)
    assert path.read_bytes() == again.getvalue().encode(encoding)


# --- which orders ----------------------------------------------------------------------------


def test_open_and_all(workspace: Workspace, tmp_path: Path):
    ingest(workspace, write_orders(tmp_path / "a.csv", rows(["DONE", "AWAY", "NEW"], "1500.00")))
    select(workspace)
    record_inspection(workspace, "DONE", "minor")
    record_inspection(workspace, "AWAY", "no_access")
    assert [r.order_id for r in rows_of(workspace, status="open")] == ["AWAY", "NEW"]
    every = rows_of(workspace, status="all")
    assert [r.order_id for r in every] == ["AWAY", "DONE", "NEW"]
    done = every[1]
    assert (done.inspector, done.inspected_on, done.result, done.correction_cents) == (
        "Piet",
        date(2026, 12, 1),
        "minor",
        2500,
    )
    assert every[0].result is None  # a visit without access is no outcome


def test_since_and_rows_of_one_run(workspace: Workspace, tmp_path: Path):
    ingest(workspace, write_orders(tmp_path / "a.csv", rows(["OLD"], "1500.00", "2026-11-02")))
    select(workspace, date(2026, 11, 3))
    ingest(workspace, write_orders(tmp_path / "b.csv", rows(["NEW"], "1500.00")))
    run = select(workspace)
    assert [r.order_id for r in rows_of(workspace, since=TODAY)] == ["NEW"]
    assert [r.order_id for r in rows_of(workspace, since=date(2026, 11, 3))] == ["OLD", "NEW"]
    conn = workspace.connect()
    assert [r.order_id for r in run_rows(conn, run.run_id)] == ["NEW"]
    conn.close()


def test_default_path(workspace: Workspace):
    assert default_path(workspace.exports, TODAY, "csv") == (
        workspace.exports / "inspections-2026-11-27.csv"
    )


def test_write_is_atomic_and_overwrites(tmp_path: Path):
    path = tmp_path / "deep" / "list.csv"
    write_export([row("A")], path, fmt="csv", dialect="standard")
    write_export([], path, fmt="csv", dialect="standard")
    assert path.read_text(encoding="utf-8").splitlines() == [",".join(COLUMNS)]
    assert [p.name for p in path.parent.iterdir()] == ["list.csv"]
    assert path.read_bytes().endswith(b"\r\n")


def test_the_list_shows_today_s_amount_and_the_amount_decided_on(
    workspace: Workspace, tmp_path: Path
):
    """An order selected at EUR 1,500.00 and amended to EUR 800.00 since: the list gives
    amount_excl_vat as the order stands today and amount_decided_eur as the run saw it."""
    ingest(
        workspace, write_orders(tmp_path / "a.csv", [("K-1", "Janssens", "1500.00", "2026-11-20")])
    )
    select(workspace)
    ingest(
        workspace, write_orders(tmp_path / "b.csv", [("K-1", "Janssens", "800.00", "2026-11-20")])
    )
    select(workspace)
    path = write_export(
        inspection_rows_of(workspace), tmp_path / "list.csv", fmt="csv", dialect="standard"
    )
    header, row = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    listed = dict(zip(header, row, strict=True))
    assert (listed["order_id"], listed["amount_excl_vat"], listed["amount_decided_eur"]) == (
        "K-1",
        "800.00",
        "1500.00",
    )


def inspection_rows_of(ws: Workspace) -> list[InspectionRow]:
    conn = ws.connect()
    try:
        return inspection_rows(conn, status="all")
    finally:
        conn.close()
