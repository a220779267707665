"""Ingest of one file: accounting, re-import, amendments, conflicts, encodings, file errors."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import NOW, SHARED_DATA, needs_shared_data

from inspect_cli.config import Config, ContractorProfile
from inspect_cli.ingest import FileResult, ingest_file
from inspect_cli.workspace import Workspace

EN_HEADER = "order_id,contractor,amount_excl_vat,completed_on,description\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def ingest(ws: Workspace, path: Path, config: Config | None = None, **kw) -> FileResult:
    conn = ws.connect()
    try:
        result = ingest_file(
            conn, path, config or ws.config(), quarantine_dir=ws.quarantine, now=NOW, **kw
        )
    finally:
        conn.close()
    assert result.error or result.read == (
        result.new + result.unchanged + result.amended + result.rejected
    )
    return result


def orders(ws: Workspace) -> dict[str, tuple]:
    conn = ws.connect()
    rows = conn.execute(
        "SELECT order_id, contractor, amount_cents, completed_on, "
        "EXISTS (SELECT 1 FROM pending p WHERE p.order_id = o.order_id) FROM orders o"
    ).fetchall()
    conn.close()
    return {r[0]: r[1:] for r in rows}


def quarantined(result: FileResult) -> list[dict[str, str]]:
    text = Path(result.quarantine).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines(), delimiter=";"))


def test_new_orders_are_stored_in_cents(workspace, tmp_path):
    path = write(
        tmp_path / "a.csv",
        EN_HEADER + "A1,Janssens,1000.00,2026-11-02,tap\nA2,Janssens,1000.01,2026-11-03,roof\n",
    )
    result = ingest(workspace, path)
    assert (result.read, result.new, result.rejected, result.quarantine) == (2, 2, 0, None)
    assert orders(workspace) == {
        "A1": ("Janssens", 100000, "2026-11-02", 1),
        "A2": ("Janssens", 100001, "2026-11-03", 1),
    }


def test_importing_the_same_file_twice_changes_nothing(workspace, tmp_path):
    path = write(tmp_path / "a.csv", EN_HEADER + "A1,Janssens,12.50,2026-11-02,tap\n")
    ingest(workspace, path)
    before = orders(workspace)
    again = ingest(workspace, path)
    assert (again.read, again.new, again.unchanged, again.amended) == (1, 0, 1, 0)
    assert orders(workspace) == before


def test_amendment_keeps_the_old_values_as_a_revision(workspace, tmp_path):
    ingest(workspace, write(tmp_path / "a.csv", EN_HEADER + "A1,Janssens,12.50,2026-11-02,tap\n"))
    result = ingest(
        workspace, write(tmp_path / "b.csv", EN_HEADER + "A1,Janssens,1250.00,2026-11-02,tap\n")
    )
    assert (result.new, result.amended) == (0, 1)
    assert orders(workspace)["A1"][1] == 125000
    conn = workspace.connect()
    (old,) = conn.execute("SELECT old_values FROM order_revisions WHERE order_id = 'A1'").fetchone()
    assert json.loads(old)["amount_cents"] == 1250


def test_order_without_completion_date_is_stored_and_completed_later(workspace, tmp_path):
    first = ingest(workspace, write(tmp_path / "a.csv", EN_HEADER + "A1,Janssens,80,,tap\n"))
    assert (first.new, first.not_completed, first.rejected) == (1, 1, 0)
    assert orders(workspace)["A1"] == ("Janssens", 8000, None, 0)
    later = ingest(
        workspace, write(tmp_path / "b.csv", EN_HEADER + "A1,Janssens,80,2026-11-20,tap\n")
    )
    assert later.amended == 1
    assert orders(workspace)["A1"] == ("Janssens", 8000, "2026-11-20", 1)


def pending(ws: Workspace) -> dict[str, tuple]:
    conn = ws.connect()
    rows = conn.execute("SELECT order_id, amount_cents, completed_on FROM pending").fetchall()
    conn.close()
    return {r[0]: r[1:] for r in rows}


def test_the_pending_queue_follows_amendments(workspace, tmp_path):
    ingest(
        workspace,
        write(tmp_path / "a.csv", EN_HEADER + "A1,Janssens,80,2026-11-02,tap\nA2,Janssens,5,,x\n"),
    )
    assert pending(workspace) == {"A1": (8000, "2026-11-02")}
    # Amended while still pending: the run will decide on the new amount; an unchanged row
    # and a new order without a completion date stay out of the queue.
    ingest(
        workspace,
        write(
            tmp_path / "b.csv",
            EN_HEADER + "A1,Janssens,1800,2026-11-02,tap\nA2,Janssens,5,,x\nA3,Peeters,9,,y\n",
        ),
    )
    assert pending(workspace) == {"A1": (180000, "2026-11-02")}
    # Amended back to "not completed": nothing left for a run to decide.
    ingest(workspace, write(tmp_path / "c.csv", EN_HEADER + "A1,Janssens,1800,,tap\n"))
    assert pending(workspace) == {}


def test_conflicting_duplicates_in_one_file_are_both_rejected(workspace, tmp_path):
    path = write(
        tmp_path / "dup.csv",
        EN_HEADER
        + "A1,Janssens,10.00,2026-11-02,tap\n"
        + "A2,Janssens,20.00,2026-11-02,tap\n"
        + "A1,Janssens,11.00,2026-11-02,tap\n"
        + "A3,Janssens,30.00,2026-11-02,tap\n"
        + "A3,Janssens,30.00,2026-11-02,tap\n",
    )
    result = ingest(workspace, path)
    assert (result.read, result.new, result.unchanged, result.rejected) == (5, 2, 1, 2)
    assert set(orders(workspace)) == {"A2", "A3"}
    rows = quarantined(result)
    assert [r["source_row"] for r in rows] == ["2", "4"]
    assert rows[0]["problems"] == "order_id: A1 appears in rows 2, 4 with different values"
    assert rows[1]["amount_excl_vat"] == "11.00"


def test_bad_rows_are_quarantined_with_a_reason_per_field(workspace, tmp_path):
    path = write(
        tmp_path / "bad.csv",
        EN_HEADER
        + "A1,Janssens,abc,31/02/2026,tap\n"
        + ",Janssens,10.00,2026-11-02,no id\n"
        + "A3,,10.00,2026-11-02,no contractor\n"
        + "A4,Janssens,,2026-11-02,no amount\n"
        + "A5,Janssens,10.00,2026-11-02,good\n",
    )
    result = ingest(workspace, path)
    assert (result.read, result.new, result.rejected) == (5, 1, 4)
    assert Path(result.quarantine).parent == workspace.quarantine
    assert Path(result.quarantine).name.startswith("bad-")
    rows = {r["source_row"]: r for r in quarantined(result)}
    assert rows["2"]["problems"].startswith("amount_excl_vat: ")
    assert "completed_on: " in rows["2"]["problems"]
    assert rows["2"]["amount_excl_vat"] == "abc"
    assert rows["3"]["problems"] == "order_id: empty"
    assert rows["4"]["problems"] == "contractor: empty"
    assert rows["5"]["problems"] == "amount_excl_vat: empty"


def test_belgian_excel_export_in_windows_1252(workspace, tmp_path):
    text = (
        "Bonnummer;Aannemer;Bedrag excl. btw;Datum uitvoering;Omschrijving\n"
        "JAN-1;Bouwbedrijf Janssens;1.234,56;27/11/2026;Vervanging kraan keukenblok\n"
        "JAN-2;Bouwbedrijf Janssens;1.000,00;3 maart 2026;Dakgoot hersteld – één zijde\n"
        "JAN-3;Bouwbedrijf Janssens;99,5;27.11.2026;Schilderwerk\n"
    )
    result = ingest(workspace, write(tmp_path / "be.csv", text, "cp1252"))
    assert (result.read, result.new, result.rejected) == (3, 3, 0)
    assert orders(workspace) == {
        "JAN-1": ("Bouwbedrijf Janssens", 123456, "2026-11-27", 1),
        "JAN-2": ("Bouwbedrijf Janssens", 100000, "2026-03-03", 1),
        "JAN-3": ("Bouwbedrijf Janssens", 9950, "2026-11-27", 1),
    }
    conn = workspace.connect()
    (description,) = conn.execute(
        "SELECT description FROM orders WHERE order_id = 'JAN-2'"
    ).fetchone()
    assert description == "Dakgoot hersteld – één zijde"


def test_utf8_with_bom_and_french_headers(workspace, tmp_path):
    text = "N° bon;Entrepreneur;Montant HTVA;Date d'exécution\nD-1;Dubois;€ 1.500,00;1 févr. 2026\n"
    result = ingest(workspace, write(tmp_path / "fr.csv", "\ufeff" + text))
    assert result.new == 1
    assert orders(workspace)["D-1"] == ("Dubois", 150000, "2026-02-01", 1)


def test_amount_including_vat_is_converted_with_the_rate(workspace, tmp_path):
    text = (
        "order_id,contractor,amount incl vat,vat rate,completed_on\n"
        "V1,Peeters,1210.00,21%,2026-11-02\n"
        "V2,Peeters,106.00,6,2026-11-02\n"
        "V3,Peeters,100.00,,2026-11-02\n"
    )
    result = ingest(workspace, write(tmp_path / "vat.csv", text))
    assert (result.new, result.rejected) == (2, 1)
    assert orders(workspace)["V1"][1] == 100000
    assert orders(workspace)["V2"][1] == 10000
    assert "vat_rate" in quarantined(result)[0]["problems"]


def test_missing_required_columns_imports_nothing(workspace, tmp_path):
    path = write(tmp_path / "cols.csv", "order_id,amount\nA1,10\n")
    result = ingest(workspace, path)
    assert result.error == (
        f"{path}: missing required column(s): contractor (or name its contractor: `ingest "
        '--contractor NAME`, or in inspect-cli.toml [contractors."NAME"] files = ["cols.csv"], '
        "which `daily` reads too); columns found: order_id, amount"
    )
    assert orders(workspace) == {}
    conn = workspace.connect()
    assert conn.execute("SELECT COUNT(*) FROM imports").fetchone() == (0,)


def test_contractor_option_fills_a_file_without_contractor_column(workspace, tmp_path):
    path = write(tmp_path / "cols.csv", "order_id,amount,date\nA1,10,2026-11-02\n")
    result = ingest(workspace, path, contractor="Peeters Sanitair")
    assert result.new == 1
    assert orders(workspace)["A1"][0] == "Peeters Sanitair"


def test_contractor_profile_maps_columns_and_month_first_dates(workspace, tmp_path):
    profile = ContractorProfile(
        name="Detroit Demolition",
        files=("detroit*.csv",),
        columns={"Parcel ID": "order_id", "Price": "amount_excl_vat", "Demo": "completed_on"},
        date_format="%m/%d/%Y",
    )
    config = Config(contractors={profile.name: profile})
    path = write(
        tmp_path / "detroit-1.csv", 'Parcel ID,Price,Demo\n01005500.,"12,500.00",08/19/2019\n'
    )
    result = ingest(workspace, path, config)
    assert result.new == 1
    assert orders(workspace)["01005500."] == ("Detroit Demolition", 1250000, "2019-08-19", 1)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00\xff" * 50, ""),
        (b"PK\x03\x04 not really a zip", ""),
    ],
)
def test_unreadable_files_import_nothing_and_say_why(workspace, tmp_path, content, reason):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    result = ingest(workspace, path)
    assert result.error is not None
    assert str(path.name) in result.error
    assert reason in result.error
    assert "\n" not in result.error
    assert orders(workspace) == {}


def test_header_only_file_reads_zero_rows(workspace, tmp_path):
    result = ingest(workspace, write(tmp_path / "h.csv", EN_HEADER))
    assert (result.error, result.read, result.new) == (None, 0, 0)


def test_dry_run_stores_nothing_and_writes_no_quarantine(workspace, tmp_path):
    path = write(tmp_path / "d.csv", EN_HEADER + "A1,J,10,2026-11-02,x\nA2,J,abc,2026-11-02,x\n")
    result = ingest(workspace, path, dry_run=True)
    assert (result.read, result.new, result.rejected, result.quarantine) == (2, 1, 1, None)
    assert orders(workspace) == {}
    assert list(workspace.quarantine.iterdir()) == []


@pytest.mark.parametrize("worker_bytes", [1 << 30, 0], ids=["here", "worker"])
def test_a_failure_mid_file_rolls_the_whole_file_back(
    workspace, tmp_path, monkeypatch, worker_bytes
):
    from inspect_cli import ingest as ingest_module
    from inspect_cli.store import orders as order_store

    monkeypatch.setattr(ingest_module, "WORKER_BYTES", worker_bytes)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(order_store, "merge_staged", boom)
    path = write(tmp_path / "a.csv", EN_HEADER + "A1,J,10,2026-11-02,x\nA2,J,abc,2026-11-02,x\n")
    with pytest.raises(RuntimeError):
        ingest(workspace, path)
    assert orders(workspace) == {}
    assert list(workspace.quarantine.iterdir()) == []
    conn = workspace.connect()
    assert conn.execute("SELECT COUNT(*) FROM imports").fetchone() == (0,)


def test_import_is_recorded_with_its_hash_and_counts(workspace, tmp_path):
    path = write(tmp_path / "a.csv", EN_HEADER + "A1,J,10,2026-11-02,x\nA2,J,abc,2026-11-02,x\n")
    result = ingest(workspace, path)
    conn = workspace.connect()
    row = conn.execute(
        "SELECT file_name, length(sha256), read, new, unchanged, amended, rejected, quarantine"
        " FROM imports"
    ).fetchone()
    assert row == ("a.csv", 64, 2, 1, 0, 0, 1, result.quarantine)


@needs_shared_data
def test_real_leeds_housing_payments_are_all_accounted_for(workspace):
    result = ingest(workspace, SHARED_DATA / "leeds_almo_housing_payments_2011-2013.csv")
    assert result.error is None
    assert result.read == 6140
    assert result.new + result.rejected == 6140
    assert result.new > 6000


@pytest.fixture(params=["hash", "colliding", "worker"])
def id_hash(request, monkeypatch):
    """Run a test with the real id hash, with one where most ids collide (rows whose hash came
    earlier are settled at the end, and must come out the same), and with the file parsed in a
    worker process as a large file is (with its own, real hash)."""
    from inspect_cli import ingest as ingest_module
    from inspect_cli import parsing

    if request.param == "colliding":
        monkeypatch.setattr(parsing, "_id_hash", len)
    if request.param == "worker":
        monkeypatch.setattr(ingest_module, "WORKER_BYTES", 0)


def test_duplicates_across_chunks_are_found(workspace, tmp_path, monkeypatch, id_hash):
    from inspect_cli import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "CHUNK_ROWS", 2)
    path = write(
        tmp_path / "chunks.csv",
        EN_HEADER
        + "A1,Janssens,10.00,2026-11-02,tap\n"
        + "A2,Janssens,20.00,2026-11-02,tap\n"
        + "A3,Janssens,30.00,2026-11-02,tap\n"
        + "A1,Janssens,11.00,2026-11-02,tap\n"
        + "A4,Janssens,40.00,2026-11-02,tap\n"
        + "A2,Janssens,20.00,2026-11-02,tap\n",
    )
    result = ingest(workspace, path)
    assert (result.read, result.new, result.unchanged, result.rejected) == (6, 3, 1, 2)
    assert set(orders(workspace)) == {"A2", "A3", "A4"}
    rows = quarantined(result)
    assert [(r["source_row"], r["amount_excl_vat"]) for r in rows] == [
        ("2", "10.00"),
        ("5", "11.00"),
    ]


def test_the_quarantine_keeps_file_order_when_conflicts_come_last(
    workspace, tmp_path, monkeypatch, id_hash
):
    """Conflicting rows are only known after the last chunk; the quarantine still lists every
    rejected row in file order, with its original cells."""
    from inspect_cli import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "CHUNK_ROWS", 2)
    path = write(
        tmp_path / "mixed.csv",
        EN_HEADER
        + "A1,Janssens,10.00,2026-11-02,tap\n"  # row 2, conflicts with row 5
        + "A2,Janssens,abc,2026-11-02,tap\n"  # row 3, bad amount
        + "A3,Janssens,30.00,2026-11-02,tap\n"
        + "A1,Janssens,11.00,2026-11-02,tap\n"
        + "A4,Janssens,40.00,31/02/2026,tap\n",  # row 6, impossible date
    )
    result = ingest(workspace, path)
    assert (result.read, result.new, result.rejected) == (5, 1, 4)
    rows = quarantined(result)
    assert [(r["source_row"], r["amount_excl_vat"]) for r in rows] == [
        ("2", "10.00"),
        ("3", "abc"),
        ("5", "11.00"),
        ("6", "40.00"),
    ]
    assert "appears in rows 2, 5" in rows[0]["problems"]
    assert list(workspace.quarantine.glob("*.partial")) == []


def test_repeats_of_known_and_new_orders_across_chunks(workspace, tmp_path, monkeypatch, id_hash):
    """New rows are stored chunk by chunk; repeats and known ids are settled at the end."""
    from inspect_cli import ingest as ingest_module

    ingest(
        workspace,
        write(tmp_path / "a.csv", EN_HEADER + "K1,J,10.00,2026-11-02,x\nK2,J,20.00,,x\n"),
    )
    monkeypatch.setattr(ingest_module, "CHUNK_ROWS", 2)
    path = write(
        tmp_path / "b.csv",
        EN_HEADER
        + "N1,J,1.00,2026-11-03,x\n"  # new, repeated identically in a later chunk
        + "K1,J,10.00,2026-11-02,x\n"  # known, repeated with other values: both rejected
        + "N2,J,2.00,2026-11-03,x\n"  # new, repeated with other values: both rejected
        + "K2,J,25.00,2026-11-04,x\n"  # known, amended and now completed, repeated identically
        + "N1,J,1.00,2026-11-03,x\n"
        + "K1,J,12.00,2026-11-02,x\n"
        + "N2,J,3.00,2026-11-03,x\n"
        + "K2,J,25.00,2026-11-04,x\n"
        + "N3,J,4.00,,x\n",
    )
    result = ingest(workspace, path)
    counts = (result.read, result.new, result.unchanged, result.amended, result.rejected)
    assert counts == (9, 2, 2, 1, 4)
    assert orders(workspace) == {
        "K1": ("J", 1000, "2026-11-02", 1),
        "K2": ("J", 2500, "2026-11-04", 1),
        "N1": ("J", 100, "2026-11-03", 1),
        "N3": ("J", 400, None, 0),
    }
    assert [r["source_row"] for r in quarantined(result)] == ["3", "4", "7", "8"]


@pytest.mark.parametrize("worker_bytes", [1 << 30, 0], ids=["here", "worker"])
def test_a_file_that_breaks_off_mid_way_imports_nothing(
    workspace, tmp_path, monkeypatch, worker_bytes
):
    """The reader finds an unclosed quote in a later chunk, after earlier chunks were stored
    (in the worker process, too): the file is refused whole, with the reader's reason."""
    from inspect_cli import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "WORKER_BYTES", worker_bytes)
    monkeypatch.setattr(ingest_module, "CHUNK_ROWS", 2)
    rows = "".join(f"A{i},J,10.00,2026-11-02,tap\n" for i in range(1, 7))
    path = write(tmp_path / "broken.csv", EN_HEADER + rows + 'A7,J,10.00,2026-11-02,"tap\n')
    result = ingest(workspace, path)
    assert result.error is not None and "row 8 is never closed" in result.error
    assert orders(workspace) == {}
    conn = workspace.connect()
    assert conn.execute("SELECT COUNT(*) FROM imports").fetchone() == (0,)


def test_a_large_file_is_parsed_in_a_worker_process(workspace, tmp_path, monkeypatch):
    """Past WORKER_BYTES the chunks come from another process, with the same accounting."""
    from inspect_cli import ingest as ingest_module
    from inspect_cli.parse_worker import ParseWorker

    started = []
    real = ParseWorker.__init__

    def spy(self, *args):
        real(self, *args)
        started.append(self._process.pid)

    monkeypatch.setattr(ParseWorker, "__init__", spy)
    monkeypatch.setattr(ingest_module, "CHUNK_ROWS", 3)
    rows = "".join(f"A{i},J,{i}.00,2026-11-02,tap\n" for i in range(1, 11))
    path = write(tmp_path / "large.csv", EN_HEADER + rows + "A11,J,abc,2026-11-02,tap\n")
    monkeypatch.setattr(ingest_module, "WORKER_BYTES", path.stat().st_size - 1)
    result = ingest(workspace, path)
    assert len(started) == 1 and started[0] is not None
    assert (result.read, result.new, result.rejected, result.not_completed) == (11, 10, 1, 0)
    assert [r["source_row"] for r in quarantined(result)] == ["12"]
    assert orders(workspace)["A10"] == ("J", 1000, "2026-11-02", 1)


def test_a_large_file_without_a_required_column_is_refused_by_the_worker(
    workspace, tmp_path, monkeypatch
):
    from inspect_cli import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "WORKER_BYTES", 0)
    path = write(tmp_path / "nocontractor.csv", "order_id,amount_excl_vat\nA1,10.00\n")
    result = ingest(workspace, path)
    assert result.error is not None
    assert "missing required column(s): contractor" in result.error
    assert orders(workspace) == {}


def test_the_importing_process_leaves_pandas_to_the_worker(workspace, tmp_path):
    """A large file is read by the worker alone: the importing process stays small."""
    import subprocess
    import sys

    path = write(tmp_path / "a.csv", EN_HEADER + "A1,J,10.00,2026-11-02,x\n")
    script = (
        "import sys\n"
        "from datetime import datetime, UTC\n"
        "from pathlib import Path\n"
        "from inspect_cli import ingest\n"
        "from inspect_cli.workspace import Workspace\n"
        "ingest.WORKER_BYTES = 0\n"
        "ws = Workspace(Path(sys.argv[1]))\n"
        "r = ingest.ingest_file(ws.connect(), Path(sys.argv[2]), ws.config(),\n"
        "    quarantine_dir=ws.quarantine, now=datetime.now(UTC))\n"
        "print(r.new, 'pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(workspace.root), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["1", "False"]


def test_rows_are_bound_many_to_a_statement_and_constant_columns_once():
    from inspect_cli.store import orders as order_store

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a, b, c)")
    for count in (1, 63, 64, 65, 200):
        conn.execute("DELETE FROM t")
        columns = {"a": list(range(count)), "b": ["same"] * count, "c": [None] * count}
        order_store._insert_columns(conn, "t", columns)
        rows = conn.execute("SELECT a, b, c FROM t ORDER BY rowid").fetchall()
        assert rows == [(i, "same", None) for i in range(count)]


@pytest.mark.parametrize(
    ("name", "read", "new", "rejected", "not_completed"),
    [
        ("bouwbedrijf-janssens-2026-09.csv", 135, 130, 5, 2),
        ("peeters-sanitair-2026-10.csv", 105, 100, 5, 2),
        ("electricite-dubois-2026-q3.xlsx", 60, 55, 5, 2),
        ("dakwerken-mertens-2026-09-10.csv", 2000, 1995, 5, 2),
    ],
)
def test_each_bundled_example_imports_with_its_documented_counts(
    workspace, name, read, new, rejected, not_completed
):
    """Counts as in examples/README.md: good + not completed = new, bad = rejected."""
    from conftest import EXAMPLES

    result = ingest(workspace, EXAMPLES / "inbox" / name)
    assert (result.read, result.new, result.rejected, result.not_completed) == (
        read,
        new,
        rejected,
        not_completed,
    )
    reasons = [r["problems"] for r in quarantined(result)]
    assert any("impossible date: '31/02/2026'" in r for r in reasons)
    assert any("not an amount: 'abc'" in r for r in reasons)
    assert sum("with different values" in r for r in reasons) == 2


def test_fields_a_file_lacks_are_none_not_nan():
    """pandas 3 fills pd.Series(None, dtype=object) with NaN; a missing field must stay None
    all the way to the values bound for SQLite."""
    import numpy as np
    import pandas as pd

    from inspect_cli.parsing import _staged_columns, parse_orders

    chunk = pd.DataFrame({"nr": ["A1", "A2"], "firma": ["J", "J"], "bedrag": ["1,00", "2,00"]})
    columns = {"order_id": "nr", "contractor": "firma", "amount_excl_vat": "bedrag"}
    parsed, problems = parse_orders(chunk, columns, None, "comma")
    assert problems.tolist() == [None, None]
    staged = _staged_columns(parsed, np.ones(2, dtype=bool))
    assert staged["description"] == [None, None] and staged["completed_on"] == [None, None]


def test_parsing_knows_neither_the_importer_nor_its_worker_nor_the_store():
    """Parsing values is domain code: it is the same whichever process runs it."""
    import subprocess
    import sys

    script = (
        "import sys, inspect_cli.parsing\n"
        "names = ('inspect_cli.ingest', 'inspect_cli.parse_worker', 'inspect_cli.store')\n"
        "print([m for m in sys.modules if m.startswith(names)])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "[]"
