"""The host under stress: a full disk, read-only media, and who may read the files made."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import NOW, TODAY

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
