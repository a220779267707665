"""The host under stress: a full disk, read-only media, and who may read the files made."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import NOW, SEED, TODAY

from inspect_cli.doctor import check_workspace
from inspect_cli.workspace import Workspace

HEADER = "order_id,contractor,amount_excl_vat,completed_on\n"
DAY = TODAY.isoformat()
FULL = Path("/dev/full")
"""Every write to it fails with ENOSPC, as on a full disk."""

needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this host")


def drop(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def orders(ws: Workspace) -> list[tuple]:
    conn = ws.connect()
    try:
        return conn.execute("SELECT order_id FROM orders ORDER BY order_id").fetchall()
    finally:
        conn.close()


@needs_dev_full
def test_a_log_on_a_full_disk_is_one_warning_not_a_traceback(cli, workspace):
    log = workspace.logs / "inspect-cli.log"
    log.symlink_to(FULL)
    drop(workspace.inbox / "a.csv", HEADER + "A1,J,10,2026-11-02\n")
    result = cli("daily", "-w", workspace.root, "--date", DAY)
    assert result.exit_code == 0, result.output
    assert "Logging error" not in result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "cannot write the log" in line]
    assert len(warnings) == 1
    assert warnings[0].endswith(f"WARNING cannot write the log {log}: No space left on device")
    assert orders(workspace) == [("A1",)]


@needs_dev_full
def test_a_quarantine_on_a_full_disk_is_one_line_and_imports_nothing(
    cli, workspace, tmp_path, monkeypatch
):
    monkeypatch.setattr("inspect_cli.cli.ingest_cmd.now", lambda: NOW)
    source = drop(tmp_path / "a.csv", HEADER + "A1,J,10,2026-11-02\nA2,J,abc,2026-11-02\n")
    quarantine = workspace.quarantine / f"a-{NOW:%Y%m%dT%H%M%S}.csv"
    quarantine.with_name(quarantine.name + ".partial").symlink_to(FULL)
    result = cli("ingest", "-w", workspace.root, source)
    assert result.exit_code == 1
    assert result.stderr == f"Error: no space left on device while writing {quarantine}\n"
    assert result.stdout == ""
    # Nothing lost: the import rolled back, the file is where it was, no half quarantine.
    assert orders(workspace) == []
    assert source.is_file()
    assert list(workspace.quarantine.iterdir()) == []


def _selected_workspace(cli, ws: Workspace) -> None:
    """A workspace with orders, a run and open inspections, as an auditor would copy it."""
    drop(ws.inbox / "a.csv", HEADER + "A1,J,1500,2026-11-02\nA2,J,20,2026-11-02\nA3,J,x,\n")
    result = cli("daily", "-w", ws.root, "--date", DAY)
    assert result.exit_code == 3, result.output


def _set_immutable(root: Path, on: bool) -> bool:
    flag = "+i" if on else "-i"
    done = subprocess.run(["chattr", "-R", flag, str(root)], capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture
def read_only(cli, workspace):
    """The workspace after a daily run, then made read-only as on read-only media.

    Root ignores file modes, so as root the files and folders are made immutable (chattr +i),
    which refuses every write even to root, as a read-only mount does; otherwise a-w does.
    """
    _selected_workspace(cli, workspace)
    paths = [workspace.root, *workspace.root.rglob("*")]
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(path.stat().st_mode & ~0o222)
        yield workspace
        for path in paths:
            path.chmod(path.stat().st_mode | 0o200)
        return
    if shutil.which("chattr") is None or not _set_immutable(workspace.root, True):
        _set_immutable(workspace.root, False)
        pytest.skip("cannot make a folder read-only for root here (no chattr +i)")
    try:
        yield workspace
    finally:
        _set_immutable(workspace.root, False)


def test_read_only_commands_work_on_a_read_only_copy(cli, read_only, tmp_path):
    ws = read_only
    assert ws.read_only
    verified = cli("verify", "-w", ws.root)
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.startswith("OK: all 2 decisions reproduce and the chain of 1 run")
    summary = cli("report", "summary", "-w", ws.root)
    assert summary.exit_code == 0, summary.output
    shown = cli("show", "-w", ws.root, "A1")
    assert shown.exit_code == 0, shown.output
    assert "Decision (run 1, 2026-11-27): selected, above_threshold" in shown.stdout
    elsewhere = tmp_path / "list.csv"
    exported = cli("export", "-w", ws.root, "--out", elsewhere)
    assert exported.exit_code == 0, exported.output
    assert "A1" in elsewhere.read_text(encoding="utf-8-sig")
    revealed = cli("seed", "reveal", "-w", ws.root)
    assert revealed.exit_code == 0, revealed.output
    assert f"Seed: {SEED}" in revealed.stdout
    assert revealed.stderr == (
        f"Note: {ws.root} is read-only, so this reveal is not in its audit log.\n"
    )


def test_doctor_calls_a_read_only_copy_read_only_not_damaged(cli, read_only):
    ws = read_only
    result = cli("doctor", "-w", ws.root)
    assert [line.split()[1] for line in result.stdout.splitlines()[:-1]] == [
        "config",
        "store",
        "schema",
        "seed",
        "writable",
        "inbox",
    ]
    assert result.exit_code == 1
    assert "damaged" not in result.stdout
    lines = result.stdout.splitlines()
    assert "ok       store    integrity check ok" in lines
    assert "ok       seed     seed present, owner-only and matching its commitment" in lines
    assert [line for line in lines if line.startswith("PROBLEM")] == [
        f"PROBLEM  writable workspace {ws.root} is read-only: verify, report, show, export --out "
        "elsewhere and seed reveal work on it; daily, ingest, select and record need a "
        "writable copy"
    ]


@pytest.mark.parametrize(
    "command",
    [
        ("select", "--date", DAY),
        ("daily", "--date", DAY),
        ("ingest", "{file}"),
    ],
)
def test_writing_commands_say_the_workspace_is_read_only(cli, read_only, tmp_path, command):
    ws = read_only
    source = drop(tmp_path / "b.csv", HEADER + "B1,J,10,2026-11-02\n")
    args = [str(source) if a == "{file}" else a for a in command]
    result = cli(*args, "-w", ws.root)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: workspace {ws.root} is read-only and this command writes to it; read-only "
        "commands (verify, report, show, export --out elsewhere, seed reveal, doctor) still work\n"
    )
    assert isinstance(result.exception, SystemExit)


def test_record_on_a_read_only_copy_is_one_line(cli, read_only):
    result = cli(
        "record", "-w", read_only.root, "A1", "--result", "ok", "--inspector", "An",
        "--date", DAY,
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the workspace is read-only and this command writes")
    assert isinstance(result.exception, SystemExit)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_what_commands_create_is_owner_only(cli, tmp_path):
    ws = Workspace(tmp_path / "ws")
    created = cli("init", ws.root, "--seed", "-", input=SEED)
    assert created.exit_code == 0, created.output
    _selected_workspace(cli, ws)
    made = [
        ws.store_path,
        *ws.exports.iterdir(),
        *ws.quarantine.iterdir(),
        *ws.logs.iterdir(),
    ]
    assert {p.parent.name for p in made} == {"ws", "exports", "quarantine", "logs"}
    assert {str(p.relative_to(ws.root)): f"{_mode(p):04o}" for p in made} == {
        str(p.relative_to(ws.root)): "0600" for p in made
    }
    folders = [ws.root, *(ws.root / name for name in ("inbox", "archive", "exports", "logs"))]
    assert [f"{_mode(p):04o}" for p in folders] == ["0700"] * len(folders)


def test_doctor_warns_about_tenant_data_others_can_read(cli, workspace):
    _selected_workspace(cli, workspace)
    workspace.root.chmod(0o755)
    workspace.exports.chmod(0o755)
    workspace.quarantine.chmod(0o750)
    exposed = [*sorted(workspace.exports.iterdir()), *workspace.quarantine.iterdir()]
    for path in exposed:
        path.chmod(0o640)
    result = cli("doctor", "-w", workspace.root)
    assert result.exit_code == 1
    problems = [line for line in result.stdout.splitlines() if line.startswith("PROBLEM")]
    shown = [str(path.relative_to(workspace.root)) for path in exposed]
    assert problems == [
        "PROBLEM  modes    3 file(s) with tenant data can be read by other users of this host: "
        f"{shown[0]} (0640), {shown[1]} (0640), {shown[2]} (0640); "
        f"run: chmod -R go= {workspace.exports} {workspace.quarantine}"
    ]
    # The store too, with the -wal and -shm SQLite gives the store's mode.
    workspace.store_path.chmod(0o644)
    problem = next(c for c in check_workspace(workspace) if c.name == "modes").message
    assert "can be read by other users of this host: inspect-cli.sqlite (0644)" in problem
    assert f"run: chmod -R go= {workspace.store_path}* {workspace.exports}" in problem
    # A folder that lets nobody else through keeps what is inside it private.
    workspace.root.chmod(0o700)
    assert cli("doctor", "-w", workspace.root).exit_code == 0


def test_a_store_on_a_full_disk_stops_daily_with_one_line(cli, workspace, monkeypatch):
    drop(workspace.inbox / "a.csv", HEADER + "A1,J,10,2026-11-02\n")

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("inspect_cli.selection.run_selection", full)
    result = cli("daily", "-w", workspace.root, "--date", DAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: no space left on device while writing {workspace.store_path}"
    )
    assert "Traceback" not in result.stderr


def test_backup_of_a_read_only_copy_warns_once_that_it_cannot_log(cli, read_only, tmp_path):
    result = cli("backup", "-w", read_only.root, tmp_path / "backups")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Backup written to {tmp_path / 'backups'}")
    [warning] = result.stderr.splitlines()
    # The reason depends on how the media refuses: read-only file system, not permitted...
    assert f"WARNING cannot write the log {read_only.logs / 'inspect-cli.log'}: " in warning
    assert "Logging error" not in result.stderr
