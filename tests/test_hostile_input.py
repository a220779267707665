"""Hostile input files (issue 16, items 1-7): bombs, huge headers, links, growing files, NULs,
control characters and look-alike digits. Every case ends in a clear error or quarantine, fast,
and never blocks the good files behind it."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest
from conftest import NOW, TODAY
from openpyxl import Workbook

import inspect_cli.daily
import inspect_cli.ingest
from inspect_cli import reader
from inspect_cli.daily import ARCHIVED, LEFT, QUARANTINED, WAITING, run_daily
from inspect_cli.errors import UnreadableFile
from inspect_cli.exit_codes import ExitCode
from inspect_cli.logs import logging_to
from inspect_cli.printable import escape_controls, escape_json, excerpt
from inspect_cli.reader import open_table
from inspect_cli.satisfaction import parse_score
from inspect_cli.spreadsheet import neutralise
from inspect_cli.workspace import Workspace

HEADER = "order_id,contractor,amount_excl_vat,completed_on\n"
SHEET = "xl/worksheets/sheet1.xml"


def orders(n: int, prefix: str = "A") -> str:
    return HEADER + "".join(f"{prefix}{i},Janssens,100.00,2026-11-02\n" for i in range(n))


def drop(ws: Workspace, name: str, data: str | bytes, age: int = 0) -> Path:
    """Put a file in the inbox, settled (written long ago), `age` seconds older than others."""
    path = ws.inbox / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    stamp = 1_700_000_000 - age
    os.utime(path, (stamp, stamp))
    return path


def daily(ws: Workspace, **kwargs):
    log_text = io.StringIO()
    with logging_to(ws.logs, log_text) as log:
        result = run_daily(ws, as_of=TODAY, now=NOW, log=log, **kwargs)
    return result, log_text.getvalue()


def stored_orders(ws: Workspace) -> list[tuple]:
    conn = sqlite3.connect(ws.store_path)
    try:
        return conn.execute("SELECT order_id, contractor FROM orders ORDER BY order_id").fetchall()
    finally:
        conn.close()


def workbook(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Orders")
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def with_member(source: Path, target: Path, name: str, data: bytes) -> Path:
    """A copy of the workbook `source` whose member `name` is `data` (added or replaced)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            if member.filename != name:
                new.writestr(member, old.read(member))
        new.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return target


def good_xlsx(tmp_path: Path) -> Path:
    return workbook(
        tmp_path / "good.xlsx",
        [["order_id", "contractor", "amount_excl_vat", "completed_on"], ["X1", "Dubois", 50, None]],
    )


# 1. Zip bombs disguised as .xlsx


def test_a_sheet_compressed_a_thousand_to_one_is_refused_before_openpyxl_reads_it(tmp_path):
    bomb = with_member(good_xlsx(tmp_path), tmp_path / "bomb.xlsx", SHEET, b" " * (4 << 20))
    assert bomb.stat().st_size < 64 * 1024
    with pytest.raises(UnreadableFile) as raised:
        open_table(bomb)
    message = str(raised.value)
    assert message.startswith(f"bomb.xlsx is refused: its part {SHEET} is compressed ")
    assert message.endswith("to 1, more than the 100 to 1 of a real workbook")


def test_a_bounded_mimetype_member_is_checked_like_any_other(tmp_path):
    bomb = with_member(good_xlsx(tmp_path), tmp_path / "mime.xlsx", "mimetype", b"a" * (8 << 20))
    with pytest.raises(UnreadableFile, match="its part mimetype is compressed"):
        open_table(bomb)


def test_shared_strings_larger_than_the_member_bound_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_MEMBER_BYTES", 1 << 20)
    strings = os.urandom(1 << 20).hex().encode()  # 2 MiB that hardly compresses
    bomb = with_member(good_xlsx(tmp_path), tmp_path / "ss.xlsx", "xl/sharedStrings.xml", strings)
    with pytest.raises(UnreadableFile) as raised:
        open_table(bomb)
    assert str(raised.value) == (
        "ss.xlsx is refused: its part xl/sharedStrings.xml would inflate to 2,097,152 bytes, "
        "more than the 1,048,576 allowed"
    )


def test_a_worksheet_may_be_larger_than_the_member_bound_since_it_is_streamed(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(reader, "MAX_MEMBER_BYTES", 64 * 1024)
    rows = [["order_id", "contractor", "amount_excl_vat", "completed_on"]]
    rows += [[f"A{i}", f"Firma {i}", i, "2026-11-02"] for i in range(3000)]
    table = open_table(workbook(tmp_path / "big.xlsx", rows))
    assert sum(len(chunk) for chunk in table.chunks()) == 3000


def test_a_sheet_whose_rels_point_at_shared_strings_keeps_the_small_bound(tmp_path, monkeypatch):
    """Naming the shared strings as a worksheet too must not buy them the sheet's bound."""
    monkeypatch.setattr(reader, "MAX_MEMBER_BYTES", 1 << 20)
    source = good_xlsx(tmp_path)
    with zipfile.ZipFile(source) as z:
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rX" Target="worksheets/sheet1.xml" Type="http://schemas.openxml'
        'formats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    doubled = with_member(source, tmp_path / "d1.xlsx", "xl/_rels/workbook.xml.rels", rels.encode())
    sheet = os.urandom(1 << 20).hex().encode()
    bomb = with_member(doubled, tmp_path / "d2.xlsx", SHEET, sheet)
    with pytest.raises(UnreadableFile, match="would inflate to 2,097,152 bytes"):
        open_table(bomb)


def test_a_zip_of_many_thousand_parts_is_refused_before_its_directory_is_loaded(tmp_path):
    path = good_xlsx(tmp_path)
    with zipfile.ZipFile(path, "a") as z:
        for i in range(15000):
            z.writestr(f"xl/media/padding-{i:06d}.bin", b"")
    with pytest.raises(UnreadableFile) as raised:
        open_table(path)
    assert str(raised.value).startswith("good.xlsx is refused: its zip directory takes ")
    assert str(raised.value).endswith(
        ", more than the 1,048,576 of a workbook with a thousand sheets"
    )


def test_the_zip64_directory_size_is_the_one_checked(tmp_path):
    """zipfile reads the ZIP64 end record's size; a small size in the plain one is no way in."""
    path = good_xlsx(tmp_path)
    with zipfile.ZipFile(path, "a") as z:  # zipfile writes ZIP64 end records above 65,535
        for i in range(70000):
            z.writestr(f"{i}", b"")
    data = bytearray(path.read_bytes())
    assert data[-22:-18] == b"PK\x05\x06"
    data[-10:-6] = (100).to_bytes(4, "little")  # the plain end record's directory size
    path.write_bytes(bytes(data))
    with pytest.raises(UnreadableFile, match=r"its zip directory takes 3,\d{3},\d{3} bytes"):
        open_table(path)


def test_a_row_longer_than_the_row_bound_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROW_BYTES", 64 * 1024)
    wide = [os.urandom(8).hex() for _ in range(5000)]
    path = workbook(tmp_path / "wide.xlsx", [["order_id", "contractor"], wide[:2], wide])
    with pytest.raises(UnreadableFile) as raised:
        open_table(path)
    assert str(raised.value) == (
        f"wide.xlsx is refused: a row of its sheet {SHEET} takes more than 65,536 bytes"
    )


def test_daily_quarantines_a_bomb_and_still_imports_the_good_file_behind_it(workspace, tmp_path):
    bomb = with_member(good_xlsx(tmp_path), tmp_path / "b.xlsx", SHEET, b"<row>" * (1 << 20))
    drop(workspace, "bomb.xlsx", bomb.read_bytes(), age=100)
    drop(workspace, "good.csv", orders(3))
    result, log = daily(workspace)

    assert [(Path(f.result.file).name, f.status) for f in result.files] == [
        ("bomb.xlsx", QUARANTINED),
        ("good.csv", ARCHIVED),
    ]
    reason = (workspace.quarantine / "bomb.xlsx.reason.txt").read_text()
    assert f"bomb.xlsx is refused: its part {SHEET} is compressed" in reason
    assert "bomb.xlsx quarantined: bomb.xlsx is refused" in log
    assert len(stored_orders(workspace)) == 3
    assert result.exports[0].rows == result.open
    assert result.exit_code() is ExitCode.REJECTED
    # Out of the inbox: the next run has nothing to do, and is not blocked or failed again.
    again, _ = daily(workspace)
    assert again.files == []
    assert again.exit_code() is ExitCode.OK


@pytest.mark.slow
def test_a_real_size_bomb_is_refused_without_inflating_it(tmp_path):
    """300 MiB of shared strings in a file of about 300 KB: refused from the directory."""
    source = good_xlsx(tmp_path)
    target = tmp_path / "real.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            new.writestr(member, old.read(member))
        with new.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            block = b"<si><t>x</t></si>" * 65536
            for _ in range(300 * (1 << 20) // len(block)):
                f.write(block)
    assert target.stat().st_size < 2 << 20
    with pytest.raises(UnreadableFile, match=r"its part xl/sharedStrings\.xml is compressed 4"):
        open_table(target)


def test_a_line_longer_than_the_line_bound_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_LINE_BYTES", 3 << 20)
    path = tmp_path / "long.csv"
    path.write_bytes(HEADER.encode() + b"A1,J" + b"x" * (5 << 20) + b",1.00,2026-11-02\n")
    with pytest.raises(UnreadableFile) as raised:
        open_table(path)
    assert str(raised.value) == (
        "long.csv is not a text table: it has a line of more than 3,145,728 bytes"
    )
    path.write_bytes(HEADER.encode() + b"A1,J" + b"x" * (2 << 20) + b",1.00,2026-11-02\n")
    assert sum(len(chunk) for chunk in open_table(path).chunks()) == 1


def test_a_file_failing_unexpectedly_three_runs_in_a_row_is_quarantined(workspace, monkeypatch):
    real = inspect_cli.ingest.ingest_file

    def crashes_on_bad(conn, file, *args, **kwargs):
        if file.name == "bad.csv":
            raise OverflowError("string longer than INT_MAX bytes")
        return real(conn, file, *args, **kwargs)

    monkeypatch.setattr(inspect_cli.ingest, "ingest_file", crashes_on_bad)
    drop(workspace, "bad.csv", orders(1, "B"), age=100)
    drop(workspace, "good.csv", orders(1))
    statuses = []
    for _ in range(3):
        result, _ = daily(workspace)
        statuses.append([(Path(f.result.file).name, f.status) for f in result.files])
    assert statuses == [
        [("bad.csv", LEFT), ("good.csv", ARCHIVED)],
        [("bad.csv", LEFT)],
        [("bad.csv", QUARANTINED)],
    ]
    reason = (workspace.quarantine / "bad.csv.reason.txt").read_text()
    assert (
        "OverflowError: string longer than INT_MAX bytes; the same file failed in 3 runs" in reason
    )
    again, _ = daily(workspace)
    assert again.files == [] and again.exit_code() is ExitCode.OK


def test_a_file_that_changes_between_failures_starts_counting_again(workspace, monkeypatch):
    def crashes(conn, file, *args, **kwargs):
        raise RuntimeError("disk hiccup")

    monkeypatch.setattr(inspect_cli.ingest, "ingest_file", crashes)
    path = drop(workspace, "bad.csv", orders(1))
    for age in (0, 10, 20, 30):
        os.utime(path, (1_700_000_000 - age, 1_700_000_000 - age))  # sent again each day
        result, _ = daily(workspace)
        assert [f.status for f in result.files] == [LEFT]


# 2. Huge and repeated headers


def test_a_thousand_repeated_header_names_are_all_addressable(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(",".join(["c"] * 1000) + "\n" + ",".join(["1"] * 1000) + "\n")
    table = open_table(path)
    assert table.columns[:3] == ["c", "c (2)", "c (3)"]
    assert table.columns[-1] == "c (1000)"
    assert len(set(table.columns)) == 1000


def test_a_repeated_name_skips_a_number_the_header_already_uses(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("a,a (2),a,a\n1,2,3,4\n")
    assert open_table(path).columns == ["a", "a (2)", "a (3)", "a (4)"]


def test_a_header_of_more_than_a_thousand_columns_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["c"] * 5000) + "\n")
    with pytest.raises(UnreadableFile) as raised:
        open_table(path)
    assert str(raised.value) == "wide.csv has 5000 columns in its header; at most 1000 are read"


def test_a_csv_header_repeating_one_name_32000_times_ends_with_a_clear_error(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(",".join(["c"] * 32000) + "\n")
    with pytest.raises(UnreadableFile, match=r"^c\.csv has a header of more than 10000 cells$"):
        open_table(path)


def test_an_xlsx_header_of_twelve_thousand_cells_is_refused(tmp_path):
    path = workbook(tmp_path / "h.xlsx", [["c"] * 12000])
    with pytest.raises(UnreadableFile, match=r"^h\.xlsx has a header of more than 10000 cells$"):
        open_table(path)


# 3. Links in the inbox, and file contents in reasons and logs


def test_daily_quarantines_a_link_to_a_file_outside_without_importing_it(workspace, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text(orders(2, "OUT"))
    (workspace.inbox / "linked.csv").symlink_to(outside)
    drop(workspace, "good.csv", orders(1))
    result, log = daily(workspace)

    statuses = {Path(f.result.file).name: f.status for f in result.files}
    assert statuses == {"linked.csv": QUARANTINED, "good.csv": ARCHIVED}
    assert stored_orders(workspace) == [("A0", "Janssens")]
    moved = workspace.quarantine / "linked.csv"
    assert moved.is_symlink() and outside.read_text() == orders(2, "OUT")
    reason = (workspace.quarantine / "linked.csv.reason.txt").read_text()
    assert "linked.csv is a symbolic link; links in inbox/ are never followed." in reason
    assert str(outside) not in reason and "linked.csv is a symbolic link" in log


def test_a_link_to_a_secret_leaks_nothing_of_it(workspace, tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$saltsalt$hashhashhash:19000:0:99999:7:::\n")
    (workspace.inbox / "shadow").symlink_to(secret)
    result, log = daily(workspace)
    assert result.files[0].status == QUARANTINED
    reason = (workspace.quarantine / "shadow.reason.txt").read_text()
    assert "hashhash" not in reason and "hashhash" not in log
    assert "hashhash" not in (workspace.logs / "inspect-cli.log").read_text()


def test_a_file_that_is_no_table_is_not_quoted_in_its_reason(workspace):
    drop(workspace, "shadow", "root:$6$saltsalt$hashhashhash:19000:0:99999:7:::\n")
    result, log = daily(workspace)
    assert result.files[0].status == QUARANTINED
    reason = (workspace.quarantine / "shadow.reason.txt").read_text()
    assert "its first row (1 cell) does not look like a header, not quoted" in reason
    assert "hash" not in reason and "hash" not in log


def test_a_header_meant_as_one_is_quoted_short_and_escaped(workspace):
    many = ",".join(f"Kolom {i}" for i in range(25))
    drop(workspace, "a.csv", f"Nummer,Bedrag (excl. btw),{many}\n1,2\n")
    daily(workspace)
    reason = (workspace.quarantine / "a.csv.reason.txt").read_text()
    assert "columns found: Nummer, Bedrag (excl. btw), Kolom 0," in reason
    assert "Kolom 17 and 7 more" in reason and "Kolom 18" not in reason


def test_a_header_with_control_characters_is_not_quoted(workspace):
    drop(workspace, "a.csv", "Nummer,\x1b]0;title\x07Firma\n1,2\n")
    _, log = daily(workspace)
    reason = (workspace.quarantine / "a.csv.reason.txt").read_text()
    assert "its first row (2 cells) does not look like a header" in reason
    assert "\x1b" not in reason and "\x1b" not in log


def test_a_file_name_with_an_escape_sequence_is_escaped_in_the_log_and_reason(workspace):
    drop(workspace, "evil\x1b[2J.csv", "just text\n")
    _, log = daily(workspace)
    assert "\x1b" not in log
    assert "evil\\x1b[2J.csv quarantined" in log
    reason = (workspace.quarantine / "evil\x1b[2J.csv.reason.txt").read_text()
    assert reason.startswith("evil\\x1b[2J.csv could not be imported")


# 4. A file still being written


def test_a_file_growing_while_daily_waits_is_left_for_the_next_run(workspace, monkeypatch):
    growing = workspace.inbox / "growing.csv"
    growing.write_text(orders(2))  # just written: younger than the settle interval
    waited = []

    def writer_goes_on(seconds: float) -> None:
        waited.append(seconds)
        with growing.open("a") as f:
            f.write("A9,Janssens,100.00,2026-11-02\n")

    monkeypatch.setattr(inspect_cli.daily.time, "sleep", writer_goes_on)
    result, log = daily(workspace, settle=0.5)
    assert waited and 0 < waited[0] <= 0.5
    assert [f.status for f in result.files] == [WAITING]
    assert growing.exists() and stored_orders(workspace) == []
    assert "growing.csv is still being written; left in inbox/ for the next run" in log
    assert "0 failed, 1 still being written)" in result.summary()
    assert result.exit_code() is ExitCode.OK

    monkeypatch.undo()
    result, _ = daily(workspace, settle=0.01)
    assert [f.status for f in result.files] == [ARCHIVED]
    assert len(stored_orders(workspace)) == 3


def test_settled_files_are_taken_without_waiting(workspace, monkeypatch):
    drop(workspace, "old.csv", orders(1))

    def no_sleep(seconds: float) -> None:
        raise AssertionError("waited for a file written long ago")

    monkeypatch.setattr(inspect_cli.daily.time, "sleep", no_sleep)
    result, _ = daily(workspace, settle=30)
    assert [f.status for f in result.files] == [ARCHIVED]


def test_a_file_written_to_during_its_import_is_rolled_back_and_left(workspace, monkeypatch):
    path = drop(workspace, "growing.csv", orders(5))
    real = inspect_cli.ingest.ingest_file

    def writer_during_import(conn, file, *args, **kwargs):
        with file.open("a") as f:
            f.write("A9,Janssens,100.00,2026-11-02\n")
        return real(conn, file, *args, **kwargs)

    monkeypatch.setattr(inspect_cli.ingest, "ingest_file", writer_during_import)
    result, _ = daily(workspace)
    assert [f.status for f in result.files] == [WAITING]
    assert path.exists() and stored_orders(workspace) == []
    assert list(workspace.quarantine.iterdir()) == []

    monkeypatch.undo()
    result, _ = daily(workspace, settle=0.01)
    assert [f.status for f in result.files] == [ARCHIVED]
    assert len(stored_orders(workspace)) == 6


# 5. NUL bytes and files that are not regular files


def test_a_nul_byte_after_the_first_64_kib_rejects_the_whole_file(tmp_path):
    path = tmp_path / "nul.csv"
    body = orders(3000)
    assert len(body) > 64 * 1024
    cut = body.index("\n", 70 * 1024) + 1
    path.write_text(body[:cut] + "A1\x00x,Janssens,1.00,2026-11-02\n" + body[cut:])
    with pytest.raises(UnreadableFile) as raised:
        open_table(path)
    assert str(raised.value) == (
        f"nul.csv is not a text table: it contains binary data (a NUL at byte {cut + 3:,})"
    )


def test_a_nul_character_in_a_utf16_file_is_rejected(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes((HEADER + "A1,Jans\x00sens,1.00,2026-11-02\n").encode("utf-16"))
    with pytest.raises(UnreadableFile, match=r"contains binary data \(a NUL\)$"):
        open_table(path)


def test_ingest_of_a_device_ends_at_once_with_a_clear_message(workspace, cli):
    result = cli("ingest", "-w", workspace.root, "/dev/zero", "--format", "json")
    assert result.exit_code == ExitCode.ERROR
    error = json.loads(result.stdout)["files"][0]["error"]
    assert error == "zero is not a regular file (a device, pipe or socket)"


def test_a_pipe_in_the_inbox_is_quarantined_without_being_opened(workspace):
    os.mkfifo(workspace.inbox / "pipe.csv")  # opening it to read would wait for ever
    drop(workspace, "good.csv", orders(1))
    result, _ = daily(workspace)
    statuses = {Path(f.result.file).name: f.status for f in result.files}
    assert statuses == {"pipe.csv": QUARANTINED, "good.csv": ARCHIVED}
    reason = (workspace.quarantine / "pipe.csv.reason.txt").read_text()
    assert "pipe.csv is not a regular file (a pipe, device or socket)" in reason


# 6. Control characters on output


def test_escape_controls_shows_every_control_as_its_escape():
    assert (
        escape_controls("a\x1b[31mb\x07\x9b\u202ec\n\t")
        == "a\\x1b[31mb\\x07\\x9b\\u202ec\\x0a\\x09"
    )
    assert escape_controls("a\nb\tc\r", keep_layout=True) == "a\nb\tc\\x0d"
    assert escape_controls("Hélène & Zoë — €5") == "Hélène & Zoë — €5"
    assert excerpt("x" * 100, 10) == "xxxxxxxxx…"


def test_escape_json_keeps_the_data_and_hides_c1_controls():
    text = json.dumps({"name": "a\x9b31m\u202eb"}, ensure_ascii=False)
    escaped = escape_json(text)
    assert "\x9b" not in escaped and "\u202e" not in escaped
    assert json.loads(escaped) == {"name": "a\x9b31m\u202eb"}


EVIL = "Janssens\x1b[31m\x1b]0;owned\x07"


def test_show_report_and_json_escape_what_the_store_keeps_raw(workspace, cli, tmp_path):
    path = tmp_path / "evil.csv"
    path.write_text(
        "order_id,contractor,amount_excl_vat,completed_on,description\n"
        f"E1,{EVIL},2500.00,2026-11-02,kraan\x9b2J vervangen\n",
        encoding="utf-8",
    )
    assert cli("ingest", "-w", workspace.root, path).exit_code == 0
    assert stored_orders(workspace) == [("E1", EVIL)]

    shown = cli("show", "-w", workspace.root, "E1")
    assert shown.exit_code == 0
    assert "Janssens\\x1b[31m\\x1b]0;owned\\x07" in shown.stdout
    assert "kraan\\x9b2J vervangen" in shown.stdout
    assert cli("select", "-w", workspace.root, "--date", TODAY.isoformat()).exit_code == 0
    for args in (("report", "contractors"), ("report", "overdue"), ("show", "E1")):
        output = cli(*args, "-w", workspace.root).stdout
        assert "\x1b" not in output and "\x9b" not in output and "\x07" not in output, args
    as_json = cli("show", "-w", workspace.root, "E1", "--format", "json")
    assert "\x9b" not in as_json.stdout and "kraan\x9b2J vervangen" in json.dumps(
        json.loads(as_json.stdout), ensure_ascii=False
    )


# 7. Look-alike digits and full-width formula triggers


@pytest.mark.parametrize("text", ["１０", "١٠", "۸", "1_0", "1e1", "+8", "８.０"])
def test_a_score_takes_the_ascii_digits_only(text):
    with pytest.raises(ValueError, match=r"digits 0-9|not a number"):
        parse_score(text, 10)


def test_a_full_width_score_names_the_rule():
    with pytest.raises(ValueError) as raised:
        parse_score("１０", 10)
    assert str(raised.value) == "write the score with the digits 0-9: '１０'"
    assert parse_score(" 8,0 ", 10) == 8


def test_satisfaction_import_rejects_full_width_and_arabic_indic_scores(workspace, cli, tmp_path):
    orders_file = tmp_path / "o.csv"
    orders_file.write_text(orders(3))
    assert cli("ingest", "-w", workspace.root, orders_file).exit_code == 0
    survey = tmp_path / "survey.csv"
    survey.write_text("order_id,score\nA0,１０\nA1,٩\nA2,9\n", encoding="utf-8")
    result = cli("satisfaction", "import", "-w", workspace.root, survey, "--format", "json")
    assert result.exit_code == ExitCode.REJECTED
    counts = json.loads(result.stdout)
    quarantined = Path(counts["quarantine"])
    rows = list(csv.reader(quarantined.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert [r[:2] for r in rows[1:]] == [
        ["2", "score: write the score with the digits 0-9: '１０'"],
        ["3", "score: write the score with the digits 0-9: '٩'"],
    ]


@pytest.mark.parametrize("cell", ["＝1+1", "＋cmd", "－2+3", "＠SUM(A1)"])
def test_full_width_formula_triggers_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell


def test_plain_numbers_stay_and_look_alike_signed_digits_do_not(tmp_path):
    assert neutralise("-123,45") == "-123,45"
    assert neutralise("-١٢") == "'-١٢"
