"""``daily`` and ``cron`` as cron meets them: exit codes, quiet, lock, plain output, SIGKILL."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES, TODAY

from inspect_cli.workspace import Workspace

HEADER = "order_id,contractor,amount_excl_vat,completed_on\n"
DAY = TODAY.isoformat()
PLAIN_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (INFO|WARNING|ERROR) \S")
ANSI = "\x1b"


def drop(ws: Workspace, name: str, data: str | bytes) -> Path:
    path = ws.inbox / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def examples(ws: Workspace) -> list[Path]:
    files = sorted((EXAMPLES / "inbox").glob("*.*"))
    if not files:
        pytest.skip("no bundled example files in examples/inbox")
    return [Path(shutil.copy(f, ws.inbox / f.name)) for f in files]


def run(
    ws: Workspace, *args: str, env: dict | None = None, **kwargs
) -> subprocess.CompletedProcess:
    """The real program in a child process, stdout and stderr pipes (not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "inspect_cli", *args, "-w", str(ws.root)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_a_day_on_the_examples(workspace, cli):
    files = examples(workspace)
    result = cli("daily", "-w", workspace.root, "--date", DAY)
    assert result.exit_code == 3, result.output  # the examples hold bad rows on purpose
    summary, *advice, receipt = result.stdout.splitlines()
    # The mail says why rows were refused, each reason once with its count, and what to do.
    assert advice == [
        "Rows rejected, by reason:",
        "  4 rows: amount_excl_vat: empty",
        "  4 rows: completed_on: impossible date: '31/02/2026'",
        "  4 rows: amount_excl_vat: not an amount: 'abc'",
        "  2 rows: order_id: JAN-2026-00013 appears in rows 14, 49 with different values",
        "  2 rows: order_id: MER-2026-00509 appears in rows 488, 510 with different values",
        "  … 2 other reasons (4 rows), all in the quarantine file",
        f"Next step: open the quarantine file(s) in {workspace.quarantine}, correct the rows "
        f"(the problems column says what is wrong) and put the file in {workspace.inbox}: it "
        "imports like the original, and only its rows.",
    ]
    assert re.fullmatch(r"run 1 hash [0-9a-f]{64}", receipt)
    assert summary.startswith(
        f"daily {DAY}: {len(files)} files ({len(files)} archived, 0 quarantined, 0 failed); "
    )
    new = workspace.exports / f"inspections-new-{DAY}.csv"
    open_ = workspace.exports / f"inspections-open-{DAY}.csv"
    assert summary.endswith(f"lists: {new} ({_rows(new)}), {open_} ({_rows(open_)})")
    assert _rows(new) == _rows(open_) > 0
    assert list(workspace.inbox.iterdir()) == []
    archived = sorted(p.name for p in (workspace.archive / "2026" / "11").iterdir())
    assert archived == sorted(f.name for f in files)
    assert len(list(workspace.quarantine.glob("*.csv"))) == len(files)

    data = json.loads(cli("daily", "-w", workspace.root, "--date", DAY, "--format", "json").stdout)
    conn = sqlite3.connect(workspace.store_path)
    read, new_rows, rejected = conn.execute(
        "SELECT SUM(read), SUM(new), SUM(rejected) FROM imports"
    ).fetchone()
    assert conn.execute("SELECT COUNT(*) FROM orders").fetchone() == (new_rows,)
    assert read == new_rows + rejected
    conn.close()
    assert data["files"] == []
    assert data["open"] == _rows(open_)
    assert data["exit_code"] == 0

    totals = _example_totals()
    rows, good, not_completed, bad, above = totals[:5]
    assert (read, new_rows, rejected) == (rows, good + not_completed, bad)
    # Counts as the summary prints numbers: 2.300 (the Belgian thousands separator).
    rows_, new_ = (f"{n:,}".replace(",", ".") for n in (rows, good + not_completed))
    assert f"; {rows_} rows ({new_} new, 0 unchanged, 0 amended, {bad} rejected); " in summary
    assert f" newly selected (above_threshold {above}, random_sample " in summary


def _example_totals() -> list[int]:
    """The counts examples/README.md gives for the bundled files (rows, good, not completed,
    bad, good above 1,000.00, good at exactly 1,000.00)."""
    for line in (EXAMPLES / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| **total** | | "):
            return [int(n) for n in line.split("|")[3:-1]]
    pytest.skip("examples/README.md has no totals row")


def _rows(path: Path) -> int:
    return len(path.read_text(encoding="utf-8-sig").splitlines()) - 1


def test_second_run_is_silent_with_quiet_and_rewrites_identical_lists(workspace, cli):
    drop(workspace, "a.csv", HEADER + "".join(f"A{i},J,{i}.00,2026-11-02\n" for i in range(300)))
    assert cli("daily", "-w", workspace.root, "--date", DAY).exit_code == 0
    before = {p.name: p.read_bytes() for p in workspace.exports.iterdir()}
    result = cli("daily", "-w", workspace.root, "--date", DAY, "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert {p.name: p.read_bytes() for p in workspace.exports.iterdir()} == before


def test_quiet_prints_the_receipt_of_a_day_with_a_new_run(workspace, cli):
    drop(workspace, "a.csv", HEADER + "A1,J,1500.00,2026-11-02\n")
    result = cli("daily", "-w", workspace.root, "--date", DAY, "--quiet")
    assert result.exit_code == 0, result.output
    conn = workspace.connect()
    (digest,) = conn.execute("SELECT hash FROM selection_runs WHERE run_id = 1").fetchone()
    conn.close()
    assert (result.stdout, result.stderr) == (f"run 1 hash {digest}\n", "")
    drop(workspace, "b.csv", HEADER + "B1,J,1500.00,2026-11-02\n")
    data = json.loads(cli("daily", "-w", workspace.root, "--date", DAY, "--format", "json").stdout)
    assert data["run_id"] == 2 and re.fullmatch("[0-9a-f]{64}", data["run_hash"])
    # Quiet JSON, too, carries the receipt of a day that needs nothing else.
    drop(workspace, "c.csv", HEADER + "C1,J,1500.00,2026-11-02\n")
    quiet = cli("daily", "-w", workspace.root, "--date", DAY, "--format", "json", "--quiet")
    assert quiet.exit_code == 0
    assert list(json.loads(quiet.stdout)) == ["run_id", "run_hash"]


def test_quiet_still_speaks_when_rows_are_rejected(workspace, cli):
    drop(workspace, "a.csv", HEADER + "A1,J,abc,2026-11-02\nA2,J,5.00,2026-11-02\n")
    result = cli("daily", "-w", workspace.root, "--date", DAY, "--quiet")
    assert result.exit_code == 3
    assert result.stdout.startswith(f"daily {DAY}: 1 files (1 archived")
    [warning] = result.stderr.splitlines()
    assert PLAIN_LINE.match(warning)
    assert "WARNING a.csv: 1 rows rejected, see " in warning


def test_corrupt_xlsx_and_binary_file_are_quarantined_and_the_rest_imported(workspace, cli):
    drop(workspace, "broken.xlsx", b"PK\x03\x04" + os.urandom(2000))
    drop(workspace, "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(3000))
    drop(workspace, "good.csv", HEADER + "A1,J,1500.00,2026-11-02\n")
    result = cli("daily", "-w", workspace.root, "--date", DAY)
    assert result.exit_code == 3
    assert "(1 archived, 2 quarantined, 0 failed); 1 rows (1 new," in result.stdout
    for name in ("broken.xlsx", "photo.jpg"):
        assert (workspace.quarantine / name).is_file()
        reason = (workspace.quarantine / f"{name}.reason.txt").read_text()
        assert reason.startswith(f"{name} could not be imported (")
    assert "corrupt .xlsx" in (workspace.quarantine / "broken.xlsx.reason.txt").read_text()
    assert (workspace.archive / "2026" / "11" / "good.csv").is_file()


def test_fail_on_overdue_exits_5(workspace, cli):
    drop(workspace, "a.csv", HEADER + "A1,J,1500.00,2026-11-02\n")
    cli("daily", "-w", workspace.root, "--date", DAY)
    late = ("daily", "-w", workspace.root, "--date", "2027-01-29")
    assert cli(*late).exit_code == 0
    result = cli(*late, "--fail-on-overdue", "--quiet")
    assert result.exit_code == 5
    assert "; 1 open, 1 overdue; " in result.stdout


def test_bad_date_is_one_error_line(workspace, cli):
    result = cli("daily", "-w", workspace.root, "--date", "27/11/2026")
    assert result.exit_code == 2
    assert result.stderr == "Error: --date must be a date as YYYY-MM-DD, got '27/11/2026'\n"


def test_a_second_run_while_one_holds_the_lock_exits_4_and_touches_nothing(workspace, cli):
    drop(workspace, "a.csv", HEADER + "A1,J,1500.00,2026-11-02\n")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, filelock\n"
            "lock = filelock.FileLock(sys.argv[1]); lock.acquire()\n"
            "print('locked', flush=True); time.sleep(60)",
            str(workspace.lock_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        store_before = workspace.store_path.read_bytes()
        result = cli("daily", "-w", workspace.root, "--date", DAY)
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: another inspect-cli run holds the lock {workspace.lock_path}; "
        "this run did nothing\n"
    )
    assert (workspace.inbox / "a.csv").is_file()
    assert list(workspace.logs.iterdir()) == []
    assert list(workspace.exports.iterdir()) == []
    assert workspace.store_path.read_bytes() == store_before
    assert cli("daily", "-w", workspace.root, "--date", DAY).exit_code == 0, (
        "killed holder frees it"
    )


@pytest.mark.parametrize("no_color", [None, "1"])
def test_not_on_a_terminal_plain_lines_and_no_escape_codes(workspace, no_color):
    drop(workspace, "a.csv", HEADER + "A1,J,1500.00,2026-11-02\nA2,J,x,2026-11-02\n")
    drop(workspace, "b.bin", b"\x00\x01binary")
    env = {"TERM": "xterm-256color", "COLUMNS": "40"}
    if no_color:
        env["NO_COLOR"] = no_color
    done = run(workspace, "daily", "--date", DAY, env=env)
    assert done.returncode == 3, done.stderr
    log = (workspace.logs / "inspect-cli.log").read_text()
    for text in (done.stdout, done.stderr, log):
        assert ANSI not in text
    summary, *advice, receipt = done.stdout.splitlines()  # never wrapped to COLUMNS
    assert re.fullmatch(r"run 1 hash [0-9a-f]{64}", receipt)
    assert summary.startswith(f"daily {DAY}: 2 files")
    assert advice[0] == "Files quarantined (1):"
    assert advice[1].startswith("  b.bin is not a text table: it contains binary data")
    assert advice[3:5] == [
        "Rows rejected, by reason:",
        "  1 row: amount_excl_vat: not an amount: 'x'",
    ]
    assert done.stderr and all(PLAIN_LINE.match(line) for line in done.stderr.splitlines())
    assert all(PLAIN_LINE.match(line) for line in log.splitlines())
    assert log.splitlines()[-1].split(" ", 2)[1:] == ["WARNING", summary]


def test_cli_runner_output_has_no_escape_codes(workspace, cli):
    drop(workspace, "a.csv", HEADER + "A1,J,1500.00,2026-11-02\nA2,J,x,2026-11-02\n")
    result = cli("daily", "-w", workspace.root, "--date", DAY)
    assert result.exit_code == 3
    assert ANSI not in result.stdout + result.stderr
    for command in (("doctor",), ("cron",), ("backup", workspace.root / "b")):
        result = cli(*command, "-w", workspace.root)
        assert ANSI not in result.stdout + result.stderr, command


def test_cron_prints_a_weekday_line_with_absolute_paths(workspace, cli, monkeypatch):
    monkeypatch.chdir(workspace.root.parent)
    result = cli("cron", "-w", workspace.root.name)
    assert result.exit_code == 0
    comments, line = result.stdout.splitlines()[:-1], result.stdout.splitlines()[-1]
    assert all(c.startswith("# ") for c in comments)
    assert "crontab -e" in result.stdout
    fields = line.split(" ")
    assert fields[:5] == ["30", "6", "*", "*", "1-5"]
    program = Path(fields[5])
    assert program.is_absolute() and program.is_file()
    assert fields[6:] in (
        ["daily", "--workspace", str(workspace.root), "--quiet"],
        ["-m", "inspect_cli", "daily", "--workspace", str(workspace.root), "--quiet"],
    )
    assert (
        cli("cron", "-w", workspace.root, "--at", "7:05")
        .stdout.splitlines()[-1]
        .startswith("5 7 * * 1-5 ")
    )


def test_cron_rejects_a_bad_time_as_usage(workspace, cli):
    result = cli("cron", "-w", workspace.root, "--at", "25:00")
    assert result.exit_code == 2
    assert "expected HH:MM" in result.output


def test_cron_line_runs(workspace):
    done = run(workspace, "cron", "--at", "06:30")
    line = done.stdout.splitlines()[-1]
    command = line.split(" ", 5)[5]
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert (workspace.logs / "inspect-cli.log").is_file()


# --- SIGKILL during a large import -----------------------------------------------------------

ROWS = 150_000
BAD = 3


def write_large(path: Path) -> None:
    """ROWS orders, BAD of them with an unreadable amount, about 2% to be sampled."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["order_id", "contractor", "amount_excl_vat", "completed_on"])
        for i in range(ROWS):
            amount = "abc" if i % (ROWS // BAD) == 1 else f"{(i * 7919) % 95000 / 100:.2f}"
            writer.writerow([f"K{i:07d}", "Kill Test BV", amount, f"2026-11-{1 + i % 20:02d}"])


def kill_when(
    ws: Workspace, condition: Callable[[float], bool], meanwhile: Callable[[], None] | None = None
) -> str | None:
    """Start a daily run and SIGKILL it once `condition(seconds since start)` holds, after
    calling `meanwhile` (while the run is still going). None when killed; what the run said
    on stderr when it ended first."""
    stderr = ws.root.parent / "stderr.txt"
    with stderr.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "inspect_cli", "daily", "-w", str(ws.root), "--date", DAY],
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    start = time.monotonic()
    try:
        while proc.poll() is None:
            if condition(time.monotonic() - start):
                if meanwhile is not None:
                    meanwhile()
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return None
            time.sleep(0.01)
        return f"exit {proc.returncode}: {stderr.read_text()[-2000:]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_sigkill_at_several_moments_then_a_normal_run_completes(workspace, cli):
    write_large(workspace.inbox / "large.csv")
    wal = workspace.root / "inspect-cli.sqlite-wal"

    def wal_over(megabytes: int) -> Callable[[float], bool]:
        return lambda _: wal.exists() and wal.stat().st_size > megabytes << 20

    def rows_rejected(_: float) -> bool:
        return any(workspace.quarantine.glob("large-*.partial"))

    # Progress, not time, picks each moment. The file's first bad row (row 3) opens the
    # quarantine's `.partial` file, which is only renamed after COMMIT: so it marks a read under
    # way. The file's transaction stays in SQLite's page cache until COMMIT writes it to the WAL,
    # so a growing WAL marks the commit.
    moments = {
        "while reading the file": rows_rejected,
        "while committing the file": wal_over(1),
        "just after the file was archived": lambda _: not (workspace.inbox / "large.csv").exists(),
    }

    def second_run() -> None:
        other = cli("daily", "-w", workspace.root, "--date", DAY)
        assert (other.exit_code, other.stdout) == (4, "")

    for moment, condition in moments.items():
        meanwhile = second_run if moment == "while committing the file" else None
        ended = kill_when(workspace, condition, meanwhile)
        assert ended is None, f"the run ended before the kill {moment}: {ended}"
        conn = sqlite3.connect(workspace.store_path)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",), moment
        orders = conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        conn.close()
        in_inbox = (workspace.inbox / "large.csv").exists()
        assert orders in (0, ROWS - BAD), moment
        assert in_inbox or orders == ROWS - BAD, f"file left the inbox uncommitted {moment}"

    result = cli("daily", "-w", workspace.root, "--date", DAY, "--format", "json")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(workspace.store_path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT order_id) FROM orders").fetchone() == (
        ROWS - BAD,
        ROWS - BAD,
    )
    imports = conn.execute("SELECT read, new, unchanged, rejected FROM imports").fetchall()
    assert sum(i[1] for i in imports) == ROWS - BAD, "every order counted new exactly once"
    assert all(i[0] == ROWS and i[3] == BAD and i[1] + i[2] == ROWS - BAD for i in imports)
    decided = conn.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]
    runs = conn.execute("SELECT COUNT(*) FROM selection_runs").fetchone()[0]
    selected = conn.execute("SELECT COUNT(*) FROM decisions WHERE selected = 1").fetchone()[0]
    conn.close()
    assert (decided, runs) == (ROWS - BAD, 1)
    assert list(workspace.inbox.iterdir()) == []
    assert [p.name for p in (workspace.archive / "2026" / "11").iterdir()] == ["large.csv"]
    data = json.loads(result.stdout)
    assert [e["rows"] for e in data["exports"]] == [selected, selected]
    assert cli("doctor", "-w", workspace.root).exit_code == 0


def test_a_seed_that_does_not_match_stops_before_any_file_moves(workspace, cli):
    drop(workspace, "a.csv", HEADER + "A1,J,1500.00,2026-11-02\n")
    workspace.seed_path.write_text("999\n")
    result = cli("daily", "-w", workspace.root, "--date", DAY)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: seed does not match the commitment ")
    assert (workspace.inbox / "a.csv").is_file()
    log = (workspace.logs / "inspect-cli.log").read_text()
    assert "ERROR daily run stopped: seed does not match the commitment" in log


def test_archive_that_cannot_be_written_stops_the_run_and_keeps_the_file(workspace, cli):
    drop(workspace, "a.csv", HEADER + "A1,J,1500.00,2026-11-02\n")
    workspace.archive.rmdir()
    workspace.archive.write_text("in the way")
    result = cli("daily", "-w", workspace.root, "--date", DAY)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: cannot move a.csv to {workspace.archive / '2026' / '11'}: "
    )
    assert "it stays in inbox/" in result.stderr
    assert (workspace.inbox / "a.csv").is_file()

    workspace.archive.unlink()
    workspace.archive.mkdir()
    result = cli("daily", "-w", workspace.root, "--date", DAY, "--format", "json")
    assert result.exit_code == 0
    [done] = json.loads(result.stdout)["files"]
    assert (done["status"], done["new"], done["unchanged"]) == ("archived", 0, 1)


def test_lists_that_cannot_be_written_are_one_error_line(workspace, cli):
    workspace.exports.rmdir()
    workspace.exports.write_text("in the way")
    result = cli("daily", "-w", workspace.root, "--date", DAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(
        f"Error: cannot write {workspace.exports / f'inspections-new-{DAY}.csv'}: "
    )


def test_missing_inbox_is_one_error_line(workspace, cli):
    workspace.inbox.rmdir()
    result = cli("daily", "-w", workspace.root, "--date", DAY)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {workspace.inbox} is missing: the workspace is incomplete; "
        "run `inspect-cli doctor`\n"
    )


def test_quiet_mail_gives_reasons_counts_and_the_next_step(workspace, cli):
    rows = "".join(f"R{i},J,,2026-11-02\n" for i in range(8))
    drop(workspace, "a.csv", HEADER + rows + "A1,J,12.00,2026-11-02\n")
    drop(workspace, "nobody.csv", "order_id,amount\n1,2\n")
    result = cli("daily", "-w", workspace.root, "--date", DAY, "--quiet")
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[1:3] == [
        "Files quarantined (1):",
        f"  {workspace.inbox / 'nobody.csv'}: missing required column(s): contractor (or name "
        "its contractor: `ingest --contractor NAME`, or in inspect-cli.toml "
        '[contractors."NAME"] files = ["nobody.csv"], which `daily` reads too); columns found: '
        "order_id, amount",
    ]
    assert lines[3].startswith("Next step: fix each file (or its profile in inspect-cli.toml)")
    assert lines[4:6] == ["Rows rejected, by reason:", "  8 rows: amount_excl_vat: empty"]
    assert lines[6].startswith("Next step: open the quarantine file(s) in ")
