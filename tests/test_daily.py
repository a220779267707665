"""The daily run as a function: inbox order, archive/quarantine moves, lists, idempotence."""

from __future__ import annotations

import filecmp
import io
import logging
import os
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import NOW, TODAY

from inspect_cli.daily import (
    ARCHIVED,
    LEFT,
    QUARANTINED,
    inbox_files,
    run_daily,
)
from inspect_cli.errors import LockHeld
from inspect_cli.exit_codes import ExitCode
from inspect_cli.logs import logging_to
from inspect_cli.store import reports as reports_db
from inspect_cli.workspace import Workspace

HEADER = "order_id,contractor,amount_excl_vat,completed_on\n"
DAY = TODAY.isoformat()


def drop(ws: Workspace, name: str, text: str, age: int = 0) -> Path:
    """Put a file in the inbox, `age` seconds older than the others."""
    path = ws.inbox / name
    path.write_text(text, encoding="utf-8")
    stamp = 1_800_000_000 - age
    os.utime(path, (stamp, stamp))
    return path


def orders(n: int, prefix: str = "A", amount: str = "100.00") -> str:
    return HEADER + "".join(f"{prefix}{i},Janssens,{amount},2026-11-02\n" for i in range(n))


def daily(ws: Workspace, as_of: date = TODAY, stream=None, **kwargs):
    with logging_to(ws.logs, stream or io.StringIO()) as log:
        return run_daily(ws, as_of=as_of, now=NOW, log=log, **kwargs)


def query(ws: Workspace, sql: str) -> list[tuple]:
    conn = sqlite3.connect(ws.store_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_inbox_order_is_oldest_first_and_unfinished_files_wait(workspace):
    drop(workspace, "b.csv", HEADER, age=30)
    drop(workspace, "a.csv", HEADER, age=10)
    drop(workspace, "c.csv", HEADER, age=30)
    for waiting in (".hidden.csv", "~$book.xlsx", "copying.csv.part", "x.tmp", "y.crdownload"):
        drop(workspace, waiting, HEADER)
    (workspace.inbox / "folder").mkdir()
    assert [p.name for p in inbox_files(workspace.inbox)] == ["b.csv", "c.csv", "a.csv"]


def test_a_day_archives_imports_quarantines_and_writes_both_lists(workspace):
    drop(workspace, "janssens.csv", orders(3, "J") + "J9,Janssens,abc,2026-11-02\n", age=20)
    drop(workspace, "big.csv", orders(2, "B", "2500.00"), age=10)
    drop(workspace, "garbage.bin", "\x00\x01\x02 not a table")
    result = daily(workspace)

    statuses = {Path(f.result.file).name: f.status for f in result.files}
    assert statuses == {"janssens.csv": ARCHIVED, "big.csv": ARCHIVED, "garbage.bin": QUARANTINED}
    month = workspace.archive / "2026" / "11"
    assert sorted(p.name for p in month.iterdir()) == ["big.csv", "janssens.csv"]
    assert list(workspace.inbox.iterdir()) == []
    reason = (workspace.quarantine / "garbage.bin.reason.txt").read_text()
    assert reason.startswith("garbage.bin could not be imported (2026-11-27T06:30:00+00:00):\n")
    assert "binary data" in reason
    assert (workspace.quarantine / "garbage.bin").is_file()

    assert result.rows() == {
        "read": 6,
        "new": 5,
        "unchanged": 0,
        "amended": 0,
        "rejected": 1,
        "not_completed": 0,
    }
    assert result.selected["above_threshold"] == 2
    assert result.exit_code() is ExitCode.REJECTED
    new, open_ = result.exports
    assert new.path == workspace.exports / f"inspections-new-{DAY}.csv"
    assert open_.path == workspace.exports / f"inspections-open-{DAY}.csv"
    selected = sum(result.selected.values())
    assert new.rows == open_.rows == result.open == selected
    lines = new.path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("order_id;reason;contractor;")
    assert {line.split(";")[0] for line in lines[1:]} >= {"B0", "B1"}
    assert len(lines) == selected + 1


def test_second_run_the_same_day_selects_nothing_and_rewrites_the_same_files(workspace, tmp_path):
    drop(workspace, "a.csv", orders(200) + orders(3, "X", "1500,00").replace(HEADER, ""))
    first = daily(workspace)
    assert sum(first.selected.values()) > 3
    kept = tmp_path / "first"
    kept.mkdir()
    for export in first.exports:
        (kept / export.path.name).write_bytes(export.path.read_bytes())

    second = daily(workspace)
    assert second.files == []
    assert sum(second.selected.values()) == 0
    assert second.run is not None and second.run.run_id is None
    assert [e.path for e in second.exports] == [e.path for e in first.exports]
    for export in second.exports:
        assert export.path.read_bytes() == (kept / export.path.name).read_bytes()
        assert filecmp.cmp(export.path, kept / export.path.name, shallow=False)
    assert sorted(p.name for p in workspace.exports.iterdir()) == sorted(
        p.name for p in kept.iterdir()
    )
    assert query(workspace, "SELECT COUNT(*) FROM selection_runs") == [(1,)]


def test_new_list_holds_every_run_of_the_day(workspace):
    drop(workspace, "a.csv", orders(2, "A", "2000.00"))
    daily(workspace)
    drop(workspace, "b.csv", orders(1, "B", "3000.00"))
    result = daily(workspace)
    assert result.selected["above_threshold"] == 1
    assert query(workspace, "SELECT COUNT(*) FROM selection_runs") == [(2,)]
    lines = result.exports[0].path.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert sorted(line.split(";")[0] for line in lines) == ["A0", "A1", "B0"]


def test_next_day_new_list_is_empty_open_list_carries_on_and_overdue_counts(workspace):
    drop(workspace, "a.csv", orders(2, "A", "2000.00"))
    daily(workspace)
    later = TODAY + timedelta(days=30)
    result = daily(workspace, as_of=later)
    new, open_ = result.exports
    assert new.path.name == f"inspections-new-{later.isoformat()}.csv"
    assert (new.rows, open_.rows) == (0, 2)
    assert (result.open, result.overdue) == (2, 2)
    conn = workspace.connect()
    assert len(reports_db.overdue(conn, reports_db.Scope(), today=later.isoformat())) == 2
    conn.close()
    assert result.exit_code() is ExitCode.OK
    assert result.exit_code(fail_on_overdue=True) is ExitCode.OVERDUE
    assert daily(workspace, as_of=TODAY + timedelta(days=1)).overdue == 0


def test_oldest_file_is_applied_first_whatever_the_names(workspace):
    drop(workspace, "z-first.csv", orders(1, "A", "100.00"), age=60)
    drop(workspace, "a-correction.csv", orders(1, "A", "150.00"), age=5)
    result = daily(workspace)
    assert [Path(f.result.file).name for f in result.files] == ["z-first.csv", "a-correction.csv"]
    assert (result.files[1].result.amended, result.files[1].result.new) == (1, 0)
    assert query(workspace, "SELECT amount_cents FROM orders") == [(15000,)]


def test_names_already_taken_get_a_suffix_and_nothing_is_overwritten(workspace):
    month = workspace.archive / "2026" / "11"
    month.mkdir(parents=True)
    (month / "a.csv").write_text("older")
    (workspace.quarantine / "bad.csv").write_text("older")
    drop(workspace, "a.csv", orders(1))
    drop(workspace, "bad.csv", "order_id\nA1\n")
    result = daily(workspace)
    assert {f.status: f.moved_to for f in result.files} == {
        ARCHIVED: month / "a-2.csv",
        QUARANTINED: workspace.quarantine / "bad-2.csv",
    }
    assert (month / "a.csv").read_text() == "older"
    assert (workspace.quarantine / "bad.csv").read_text() == "older"
    assert (workspace.quarantine / "bad-2.csv.reason.txt").is_file()


def test_crash_after_commit_before_move_reimports_without_duplicates(workspace, monkeypatch):
    drop(workspace, "a.csv", orders(50) + "Z1,Janssens,abc,2026-11-02\n")

    class Killed(BaseException):
        pass

    def killed(*args, **kwargs):
        raise Killed

    monkeypatch.setattr("inspect_cli.daily.shutil.move", killed)
    with pytest.raises(Killed):
        daily(workspace)
    assert (workspace.inbox / "a.csv").is_file()
    assert query(workspace, "SELECT COUNT(*) FROM orders") == [(50,)]
    monkeypatch.undo()

    result = daily(workspace)
    [done] = result.files
    assert (done.status, done.result.new, done.result.unchanged, done.result.rejected) == (
        ARCHIVED,
        0,
        50,
        1,
    )
    assert query(workspace, "SELECT COUNT(*), COUNT(DISTINCT order_id) FROM orders") == [(50, 50)]
    assert list((workspace.archive / "2026" / "11").iterdir()) == [
        workspace.archive / "2026" / "11" / "a.csv"
    ]
    assert query(workspace, "SELECT SUM(new), SUM(read) FROM imports") == [(50, 102)]


def test_unexpected_failure_leaves_the_file_for_the_next_run(workspace, monkeypatch, tmp_path):
    import inspect_cli.ingest

    real = inspect_cli.ingest.ingest_file

    def flaky(conn, path, *args, **kwargs):
        if path.name == "b.csv":
            raise RuntimeError("disk on fire")
        return real(conn, path, *args, **kwargs)

    monkeypatch.setattr(inspect_cli.ingest, "ingest_file", flaky)
    drop(workspace, "a.csv", orders(2, "A"), age=10)
    drop(workspace, "b.csv", orders(2, "B"))
    err = tmp_path / "stderr.txt"
    with err.open("w") as stream:
        result = daily(workspace, stream=stream)
    assert [f.status for f in result.files] == [ARCHIVED, LEFT]
    assert result.files[1].result.error == "RuntimeError: disk on fire"
    assert result.exit_code() is ExitCode.ERROR
    assert (workspace.inbox / "b.csv").is_file()
    [line] = [line for line in err.read_text().splitlines() if "b.csv" in line]
    assert line.endswith(
        "ERROR b.csv could not be imported (RuntimeError: disk on fire); left in inbox/ to "
        f"retry, details in {workspace.logs / 'inspect-cli.log'}"
    )
    assert "Traceback" not in err.read_text()
    assert "Traceback (most recent call last)" in (workspace.logs / "inspect-cli.log").read_text()


def test_lists_follow_the_configured_csv_dialect(workspace):
    config = workspace.config_path.read_text().replace(
        'csv_dialect = "excel-be"', 'csv_dialect = "standard"'
    )
    workspace.config_path.write_text(config)
    drop(workspace, "a.csv", orders(1, "A", "1234.50"))
    result = daily(workspace)
    data = result.exports[0].path.read_bytes()
    assert data.startswith(b"order_id,reason,contractor,")
    assert b"1234.50" in data


def test_lock_is_exclusive_and_released(workspace):
    with (
        workspace.lock(),
        pytest.raises(LockHeld, match="another inspect-cli run holds the lock"),
        workspace.lock(),
    ):
        pass
    with workspace.lock():
        pass


def test_log_file_is_appended_with_plain_lines(workspace):
    drop(workspace, "a.csv", orders(1))
    daily(workspace)
    daily(workspace)
    lines = (workspace.logs / "inspect-cli.log").read_text().splitlines()
    assert sum("selection as of 2026-11-27" in line for line in lines) == 2
    assert all(line[:4].isdigit() and line[19:21] == "Z " for line in lines)
    assert "\x1b" not in "".join(lines)
    logging.getLogger("inspect_cli").info("after the run")
    assert len((workspace.logs / "inspect-cli.log").read_text().splitlines()) == len(lines)


def test_daily_clears_partial_quarantine_files_left_by_a_killed_import(workspace, caplog):
    import logging
    import os

    from inspect_cli.daily import run_daily

    stale = workspace.quarantine / "old-20261126T063000.csv.partial"
    fresh = workspace.quarantine / "busy-20261127T063000.csv.partial"
    stale.write_text("x", encoding="utf-8")
    fresh.write_text("x", encoding="utf-8")
    an_hour_ago = NOW.timestamp() - 3700
    os.utime(stale, (an_hour_ago, an_hour_ago))
    os.utime(fresh, (NOW.timestamp(), NOW.timestamp()))
    with workspace.lock():
        run_daily(workspace, as_of=NOW.date(), now=NOW, log=logging.getLogger("test"))
    assert not stale.exists()
    assert fresh.exists()
