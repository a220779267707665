"""The inspection list: one row per selected order, as CSV (two dialects) or XLSX.

The columns and their order are a contract with scripts and with ``record``, which reads the
filled-in list back. The list is read from the store column by column by `inspection_list`
(or as rows by `inspection_rows` and `run_rows`) and written by `write_export`; the daily run
calls the same functions with its own rows and path.

A file written twice from the same rows is byte-identical (no timestamps inside, rows sorted by
due date then order id), so an unchanged list never looks changed.
"""

from __future__ import annotations

import csv
import gc
import io
import os
import re
import sqlite3
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from itertools import repeat
from pathlib import Path
from typing import Any, Literal, NamedTuple

from inspect_cli.headers import INSPECTION_FIELDS
from inspect_cli.i18n import list_headers
from inspect_cli.money import cents_to_decimal, format_cents
from inspect_cli.spreadsheet import DIALECTS, FORMULA_TRIGGERS, neutralise
from inspect_cli.store import inspection_list as db

FileFormat = Literal["csv", "xlsx"]
Status = Literal["open", "all"]

# The export's columns are the contract `record` reads back: one list in headers.py.
COLUMNS = INSPECTION_FIELDS


class InspectionRow(NamedTuple):
    """One line of the inspection list. The five fields before the last are the inspector's to
    fill in; they carry the recorded outcome only for orders already inspected (``--status
    all``). The last is the amount the selection decided on.

    A named tuple, not a dataclass: a list can hold a hundred thousand rows, and a tuple is
    built in one step instead of field by field."""

    order_id: str
    reason: str
    contractor: str
    dwelling_id: str | None
    address: str | None
    postcode: str | None
    municipality: str | None
    category: str | None
    description: str | None
    amount_cents: int
    completed_on: date
    selected_on: date
    due_on: date
    inspector: str | None = None
    inspected_on: date | None = None
    result: str | None = None
    findings: str | None = None
    correction_cents: int | None = None
    decided_cents: int | None = None


_DATE_FIELDS = frozenset({"completed_on", "selected_on", "due_on", "inspected_on"})
_MONEY_FIELDS = frozenset({"amount_cents", "correction_cents", "decided_cents"})
_FIELD_NAMES = InspectionRow._fields


_DUE_ON = _FIELD_NAMES.index("due_on")
_ORDER_ID = _FIELD_NAMES.index("order_id")


class _Days(dict[str | None, date | None]):
    """ISO text -> date, each distinct day parsed once: a list has few distinct days."""

    def __missing__(self, text: str | None) -> date | None:
        day = self[text] = None if text is None else date.fromisoformat(text)
        return day


class InspectionList:
    """The list column by column: a sequence per InspectionRow field, in COLUMNS order, the
    rows sorted by due date and then order id so that the same selection always gives the
    same file. A CSV is written from the columns as they are; rows are made when asked for."""

    __slots__ = ("columns",)

    def __init__(self, columns: Sequence[Sequence[Any]]) -> None:
        if len(columns) != len(_FIELD_NAMES):
            raise ValueError(f"{len(columns)} columns, not {len(_FIELD_NAMES)}")
        self.columns = tuple(columns)

    def __len__(self) -> int:
        return len(self.columns[0])

    def rows(self) -> list[InspectionRow]:
        with _collector_paused():
            return list(map(InspectionRow._make, zip(*self.columns, strict=True)))


def build_list(columns: Sequence[Sequence[Any]]) -> InspectionList:
    """The list from store columns (COLUMNS order, dates as ISO text, rows in any order)."""
    days = _Days()
    typed = [
        list(map(days.__getitem__, column)) if name in _DATE_FIELDS else column
        for name, column in zip(_FIELD_NAMES, columns, strict=True)
    ]
    keys = list(zip(typed[_DUE_ON], typed[_ORDER_ID], strict=True))
    order = sorted(range(len(keys)), key=keys.__getitem__)
    if order != list(range(len(keys))):  # they nearly always come in order already
        typed = [list(map(column.__getitem__, order)) for column in typed]
    return InspectionList(typed)


def inspection_list(
    conn: sqlite3.Connection, *, status: Status = "open", since: date | None = None
) -> InspectionList:
    """The list for inspectors: selected orders without a final outcome (``open``: a visit
    without access is not final) or every selected order (``all``), optionally only those
    selected on or after `since`."""
    with _collector_paused():
        return build_list(
            db.inspection_columns(
                conn,
                open_only=status == "open",
                since=since.isoformat() if since else None,
            )
        )


def inspection_rows(
    conn: sqlite3.Connection, *, status: Status = "open", since: date | None = None
) -> list[InspectionRow]:
    """`inspection_list` as rows."""
    return inspection_list(conn, status=status, since=since).rows()


def run_rows(conn: sqlite3.Connection, run_id: int) -> list[InspectionRow]:
    """The orders one selection run selected (e.g. today's new selections), still open or not."""
    with _collector_paused():
        return build_list(db.inspection_columns(conn, open_only=False, run_id=run_id)).rows()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector off while a list is read or written.

    A list is rows of strings, numbers and dates that form no cycle, yet the hundred thousand
    tuples of a large list would start a collection every 700 of them, each one walking more
    of the rows made so far: a third of the time of a large export.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def default_path(exports: Path, day: date, fmt: FileFormat) -> Path:
    return exports / f"inspections-{day.isoformat()}.{fmt}"


def write_export(
    rows: Sequence[InspectionRow] | InspectionList,
    path: Path,
    *,
    fmt: FileFormat,
    dialect: str,
    lang: str = "en",
) -> Path:
    """Write the list atomically (a temporary file renamed into place) and return its path.

    lang names the header row (en: the field names, the contract scripts rely on)."""
    if dialect not in DIALECTS or fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {fmt!r} or dialect {dialect!r}")
    headers = COLUMNS if lang == "en" else list_headers(COLUMNS, lang)
    with _collector_paused():
        if fmt == "xlsx":
            data = _xlsx_bytes(
                rows.rows() if isinstance(rows, InspectionList) else rows, dialect, headers
            )
        elif isinstance(rows, InspectionList):
            data = _csv_bytes(rows.columns, dialect, headers)
        else:
            data = _csv_bytes(list(zip(*rows, strict=True)), dialect, headers)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)
    return path


def _text(value: str | None) -> str:
    return "" if value is None else neutralise(value)


def _csv_bytes(
    columns: Sequence[Sequence[Any]], dialect: str, headers: Sequence[str] = COLUMNS
) -> bytes:
    """The CSV file, built column by column and joined line by line.

    A column whose values need neither converting nor quoting anywhere (order ids, most
    names) is taken as it is, and amounts are formatted in one pass. In the other columns each
    distinct value (dates repeat a lot) is converted and quoted once and looked up for the
    other rows.
    """
    delimiter, encoding, decimal = DIALECTS[dialect]
    date_format = "%d/%m/%Y" if dialect == "excel-be" else "%Y-%m-%d"
    special = _quoted_chars(delimiter)
    cell = _csv_cell(delimiter)

    def day(d: date | None) -> str:
        return "" if d is None else d.strftime(date_format)

    def money(cents: int | None) -> str:
        return "" if cents is None else format_cents(cents, decimal)

    fields: list[Iterable[str]] = []
    # No rows may come as no columns at all: then the header alone is written.
    for name, values in zip(_FIELD_NAMES, columns, strict=False):
        convert: Callable[[Any], str] = (
            day if name in _DATE_FIELDS else money if name in _MONEY_FIELDS else _text
        )
        if convert is money and _plain_cents(values):
            # What format_cents writes for cents >= 0, without a call per amount.
            values = [f"{c // 100}{decimal}{c % 100:02d}" for c in values]
            convert = str
        if convert is not day and _plain_texts(values, special):
            fields.append(values)
            continue
        distinct = set(values)
        if len(distinct) == 1:
            fields.append(repeat(cell(convert(distinct.pop())), len(values)))
            continue
        shown = {value: cell(convert(value)) for value in distinct}
        fields.append(map(shown.__getitem__, values))
    lines = [delimiter.join(map(cell, headers)), *map(delimiter.join, zip(*fields, strict=True))]
    lines.append("")  # the line end of the last line
    return "\r\n".join(lines).encode(encoding)


def _plain_cents(values: Sequence[Any]) -> bool:
    """Whether every amount is an int of cents, none negative (no call per value)."""
    return set(map(type, values)) == {int} and min(values) >= 0


def _plain_texts(values: Sequence[Any], special: Sequence[str]) -> bool:
    """Whether every value is text that neither neutralise nor the CSV quoting would change,
    found with a few scans of the joined column instead of a call per value. A separator
    inside a value can only make this say no, and then each value is converted."""
    try:
        joined = "\0".join(values)
    except TypeError:  # None (an empty cell) or a value that is not text
        return False
    return not (
        joined.startswith(FORMULA_TRIGGERS)
        or _FORMULA_START.search(joined)
        or any(char in joined for char in special)
    )


# A value that starts a formula, right after the separator _plain_texts joins values with. The
# triggers are single characters: a class after a literal is found several times faster than
# a choice of strings.
_FORMULA_START = re.compile("\0[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")


def _quoted_chars(delimiter: str) -> tuple[str, ...]:
    """What makes csv.writer quote a field: the delimiter, a quote or a line break."""
    return (delimiter, '"', "\r", "\n")


def _csv_cell(delimiter: str) -> Callable[[str], str]:
    """One field as csv.writer writes it in a line of several fields. Plain text, nearly every
    field, is returned as is; the rest is left to csv.writer itself, so the file stays byte for
    byte what it writes."""
    special = re.compile(f"[{re.escape(''.join(_quoted_chars(delimiter)))}]").search
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    tail = len(delimiter) + 2  # the empty second field and the line end

    def cell(text: str) -> str:
        if not special(text):
            return text
        out.seek(0)
        out.truncate()
        # Two fields: csv.writer quotes a lone empty field, never one among others.
        writer.writerow((text, ""))
        return out.getvalue()[:-tail]

    return cell


# Fixed zip entry times and document properties: openpyxl stamps both with the current time.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")
_FIXED_TIME = b"2000-01-01T00:00:00Z"
_COLUMN_WIDTHS = (16, 22, 24, 12, 30, 9, 18, 14, 40, 12, 12, 12, 12, 16, 12, 10, 40, 12)


def _xlsx_bytes(
    rows: Sequence[InspectionRow], dialect: str, headers: Sequence[str] = COLUMNS
) -> bytes:
    """XLSX with real number and date cells; text cells are always strings, never formulas.

    Written with XlsxWriter, which writes a long list several times faster than openpyxl
    (benchmarks/README.md); openpyxl still reads the lists back (`record`).
    """
    import xlsxwriter
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    raw = io.BytesIO()
    # Strings stay strings: no formulas, numbers or links guessed from text.
    workbook = xlsxwriter.Workbook(
        raw,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties({"created": datetime(2000, 1, 1)})
    sheet = workbook.add_worksheet("Inspections")
    for c, width in enumerate(_COLUMN_WIDTHS):
        sheet.set_column(c, c, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), len(COLUMNS) - 1)
    day_format = workbook.add_format(
        {"num_format": "dd/mm/yyyy" if dialect == "excel-be" else "yyyy-mm-dd"}
    )
    money_format = workbook.add_format({"num_format": "#,##0.00"})
    sheet.write_row(0, 0, headers, workbook.add_format({"bold": True}))

    def day(r: int, c: int, d: date) -> None:
        sheet.write_datetime(r, c, datetime(d.year, d.month, d.day), day_format)

    def money(r: int, c: int, cents: int) -> None:
        sheet.write_number(r, c, cents_to_decimal(cents), money_format)

    def text(r: int, c: int, value: str) -> None:
        # Text starting with "=" would read as a formula in Excel: neutralise it, and drop
        # the control characters XML cannot hold. A carriage return becomes a line feed, as
        # XML reads it back anyway (XlsxWriter would write it as "_x000D_").
        cleaned = ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))
        sheet.write_string(r, c, cleaned.replace("\r\n", "\n").replace("\r", "\n"))

    write = [
        day if name in _DATE_FIELDS else money if name in _MONEY_FIELDS else text
        for name in _FIELD_NAMES
    ]
    for r, row in enumerate(rows, start=1):
        for c, (f, v) in enumerate(zip(write, row, strict=True)):
            if v is not None:
                f(r, c, v)
    workbook.close()
    return _reproducible_zip(raw.getvalue())


def _reproducible_zip(data: bytes) -> bytes:
    """The same workbook with fixed timestamps, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>" + _FIXED_TIME + rb"\g<3>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, content)
    return out.getvalue()
