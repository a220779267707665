"""Property-based abuse of ``ingest_file``: whatever lands in the inbox, ingest ends with a
one-line error (and an untouched store) or with every row accounted for. Never a traceback.

Bounded so the suite stays fast: a few dozen examples per property, small inputs, and the big
shapes (huge fields, thousands of columns) as plain examples. Fuzz harder on demand with
``FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_ingest.py``.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import NOW, SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_cli.config import Config
from inspect_cli.ingest import FileResult, ingest_file
from inspect_cli.workspace import Workspace, init_workspace

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADER = ["order_id", "contractor", "amount_excl_vat", "completed_on"]
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252")


@pytest.fixture(scope="module")
def store() -> Iterator[tuple[Workspace, sqlite3.Connection]]:
    """One workspace for all examples of a module: accepted files may add to it, which is fine;
    a file rejected whole must leave it exactly as it was."""
    with tempfile.TemporaryDirectory() as tmp:
        ws, _ = init_workspace(Path(tmp) / "ws", SEED, NOW)
        conn = ws.connect()
        yield ws, conn
        conn.close()


def snapshot(conn: sqlite3.Connection) -> tuple[list, list]:
    return (
        conn.execute("SELECT * FROM orders ORDER BY order_id").fetchall(),
        conn.execute("SELECT * FROM imports ORDER BY id").fetchall(),
    )


def ingest_bytes(store, data: bytes, name: str = "fuzz.csv") -> FileResult:
    """Ingest `data` as a file called `name` and check the invariants every outcome must keep."""
    ws, conn = store
    path = ws.inbox / name
    path.write_bytes(data)
    before = snapshot(conn)
    try:
        result = ingest_file(conn, path, Config(), quarantine_dir=ws.quarantine, now=NOW)
    finally:
        path.unlink()
    assert not conn.in_transaction, "ingest left a transaction open"
    if result.error is not None:
        assert result.error.strip(), "an empty error message"
        assert "\n" not in result.error and "\r" not in result.error, result.error
        assert "Traceback" not in result.error
        assert len(result.error) < 2000, f"error is not one readable line: {result.error[:200]}"
        assert snapshot(conn) == before, "a file rejected whole changed the store"
    else:
        assert result.read == result.new + result.unchanged + result.amended + result.rejected
        assert (result.quarantine is not None) == (result.rejected > 0)
        if result.quarantine:
            Path(result.quarantine).unlink()
    return result


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


cells = st.text(max_size=12)
good_rows = st.lists(
    st.tuples(
        st.from_regex(r"[A-Z]{1,3}[0-9]{1,5}", fullmatch=True),
        st.sampled_from(["Janssens", "Dubois", "Peeters"]),
        st.sampled_from(["100.00", "1.234,56", "€ 999", "1000", "-5", "", "abc", "1,5"]),
        st.sampled_from(["2026-11-02", "27/11/2026", "31/02/2026", "", "3 maart 2026", "x"]),
    ).map(list),
    max_size=20,
)


@FUZZ
@given(data=st.binary(max_size=3000), name=st.sampled_from(["f.csv", "f.xlsx", "f.txt"]))
def test_random_bytes(store, data, name):
    ingest_bytes(store, data, name)


@FUZZ
@given(rows=st.lists(st.lists(cells, max_size=8), max_size=15), delimiter=st.sampled_from(",;\t|"))
def test_random_text_tables(store, rows, delimiter):
    ingest_bytes(store, csv_text([HEADER, *rows], delimiter).encode("utf-8"))


@FUZZ
@given(rows=good_rows, encoding=st.sampled_from(ENCODINGS), cut=st.integers(min_value=0))
def test_truncated_csv_in_odd_encodings(store, rows, encoding, cut):
    text = csv_text([HEADER, *rows], ";")
    data = text.encode(encoding, errors="replace")
    ingest_bytes(store, data[: cut % (len(data) + 1)])


@FUZZ
@given(text=st.text(max_size=300), encoding=st.sampled_from(ENCODINGS))
def test_random_text_in_odd_encodings(store, text, encoding):
    data = (";".join(HEADER) + "\n" + text).encode(encoding, errors="replace")
    ingest_bytes(store, data)


@pytest.fixture(scope="module")
def workbook() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.append(HEADER)
    for i in range(40):
        sheet.append([f"X{i}", "Dubois", 100 + i, "2026-11-02"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@FUZZ
@given(cut=st.integers(min_value=0), flips=st.lists(st.integers(min_value=0), max_size=5))
def test_truncated_or_damaged_xlsx(store, workbook, cut, flips):
    data = bytearray(workbook[: cut % (len(workbook) + 1)])
    for position in flips:
        if data:
            data[position % len(data)] ^= 0xFF
    ingest_bytes(store, bytes(data), "f.xlsx")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n\n\n",
        b"   \r\n\t\r\n",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        ",".join(HEADER).encode(),
        (",".join(HEADER) + "\n").encode(),
        (";".join(HEADER) + "\r\n\r\n").encode("utf-16"),
        b'order_id,contractor\n"A1,J\n',
    ],
    ids=[
        "empty",
        "blank-lines",
        "whitespace",
        "bom-only",
        "utf16-bom-only",
        "header",
        "header-nl",
        "utf16-header",
        "unclosed-quote",
    ],
)
def test_empty_and_header_only_files(store, data):
    result = ingest_bytes(store, data)
    assert result.error is not None or result.read == 0


def test_huge_field(store):
    huge = "x" * 2_000_000
    data = csv_text([HEADER, ["H1", "Janssens", "100.00", "2026-11-02"], ["H2", huge, "5", ""]])
    result = ingest_bytes(store, data.encode())
    assert result.error is not None or result.read == 2


def test_huge_field_without_line_break(store):
    ingest_bytes(store, b"a" * 300_000)


def test_thousands_of_columns(store):
    header = HEADER + [f"extra {i}" for i in range(5000)]
    row = ["C1", "Janssens", "100.00", "2026-11-02"] + ["v"] * 5000
    result = ingest_bytes(store, csv_text([header, row]).encode())
    assert result.error is not None or result.read == 1


def test_thousands_of_cells_beyond_the_header(store):
    row = ["C2", "Janssens", "100.00", "2026-11-02"] + ["v"] * 30_000
    result = ingest_bytes(store, csv_text([HEADER, row]).encode())
    assert result.error is not None or result.rejected == 1


def test_odd_encodings_of_a_good_file(store):
    rows = [HEADER, ["É1", "Électricité Dubois", "1.234,56", "27/11/2026"]]
    for encoding in ENCODINGS:
        result = ingest_bytes(store, csv_text(rows, ";").encode(encoding))
        assert result.error is None or encoding in ("utf-16-le", "utf-16-be"), (encoding, result)
