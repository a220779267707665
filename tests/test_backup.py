"""backup: a consistent, self-contained copy taken while the store is in use, and a restore."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import threading
from datetime import datetime

import pytest
from conftest import NOW, SEED

from inspect_cli import store
from inspect_cli.backup import COMMITMENT_FILE, RESTORE_FILE, backup_workspace
from inspect_cli.doctor import check_workspace, healthy
from inspect_cli.errors import BackupFailed
from inspect_cli.workspace import FOLDERS, Workspace


def add_events(ws: Workspace, n: int) -> None:
    conn = ws.connect()
    with store.transaction(conn):
        for i in range(n):
            store.log_event(conn, NOW, "test", f"event {i}")
    conn.close()


def events(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM audit_log WHERE event = 'test'").fetchone()[0]
    finally:
        conn.close()


def test_backup_folder_holds_store_config_and_commitment_but_not_the_seed(workspace, tmp_path):
    add_events(workspace, 10)
    made = backup_workspace(workspace, tmp_path / "backups", NOW)
    assert made.folder == tmp_path / "backups" / "inspect-cli-backup-20261127T063000Z"
    assert sorted(p.name for p in made.folder.iterdir()) == sorted(
        [COMMITMENT_FILE, RESTORE_FILE, "inspect-cli.sqlite", "inspect-cli.toml"]
    )
    assert SEED not in "".join(p.read_bytes().decode("latin-1") for p in made.folder.iterdir())
    conn = workspace.connect()
    commitment = store.seed_commitment(conn)
    conn.close()
    assert (made.folder / COMMITMENT_FILE).read_text() == f"{commitment}\n"
    assert made.commitment == commitment
    assert events(made.folder / "inspect-cli.sqlite") == 10
    assert (made.folder / "inspect-cli.toml").read_bytes() == workspace.config_path.read_bytes()
    for path in made.folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(made.folder.stat().st_mode) == 0o700


def test_copy_is_one_plain_file_that_passes_its_integrity_check(workspace, tmp_path):
    made = backup_workspace(workspace, tmp_path, NOW)
    copy = made.folder / "inspect-cli.sqlite"
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert not copy.with_name(copy.name + "-wal").exists()


def test_uncommitted_writes_are_not_in_the_copy_and_do_not_block_it(workspace, tmp_path):
    add_events(workspace, 5)
    writer = workspace.connect()
    writer.execute("BEGIN IMMEDIATE")
    store.log_event(writer, NOW, "test", "not committed")
    try:
        made = backup_workspace(workspace, tmp_path, NOW)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert events(made.folder / "inspect-cli.sqlite") == 5


def test_backup_while_another_connection_keeps_committing(workspace, tmp_path):
    add_events(workspace, 2000)
    stop = threading.Event()

    def keep_writing() -> None:
        conn = workspace.connect()
        while not stop.is_set():
            with store.transaction(conn):
                store.log_event(conn, NOW, "test", "more")
        conn.close()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        made = [backup_workspace(workspace, tmp_path, NOW) for _ in range(3)]
    finally:
        stop.set()
        thread.join()
    for backup in made:
        copy = sqlite3.connect(backup.folder / "inspect-cli.sqlite")
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        copy.close()
        assert events(backup.folder / "inspect-cli.sqlite") >= 2000
    assert len({b.folder for b in made}) == 3, "a backup in the same second gets its own folder"


def test_unwritable_destination_is_one_error_and_leaves_nothing(workspace, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(BackupFailed, match=f"backup to {blocker} failed: "):
        backup_workspace(workspace, blocker, NOW)
    assert blocker.read_text() == "x"


def test_restore_as_the_readme_says(workspace, tmp_path):
    add_events(workspace, 3)
    made = backup_workspace(workspace, tmp_path / "backups", NOW)
    restored = Workspace(tmp_path / "restored")
    for name in FOLDERS:
        (restored.root / name).mkdir(parents=True)
    for name in ("inspect-cli.sqlite", "inspect-cli.toml"):
        shutil.copy(made.folder / name, restored.root / name)  # as `cp`: the mode too
    restored.seed_path.write_text(SEED + "\n")
    restored.seed_path.chmod(0o600)
    checks = check_workspace(restored)
    assert healthy(checks), [c.message for c in checks if not c.ok]
    assert events(restored.store_path) == 3


def test_cli(workspace, tmp_path, cli):
    result = cli("backup", "-w", workspace.root, tmp_path / "b", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [p.rsplit("/", 1)[1] for p in data["files"]] == [
        "inspect-cli.sqlite",
        "inspect-cli.toml",
        COMMITMENT_FILE,
        RESTORE_FILE,
    ]
    log = (workspace.logs / "inspect-cli.log").read_text()
    assert f"INFO backup written to {data['folder']}" in log
    result = cli("backup", "-w", workspace.root, tmp_path / "b")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Backup written to {tmp_path / 'b'}/inspect-cli-backup-")
    assert "The seed is not in the backup" in result.stdout


def test_timestamped_name_uses_utc_time(workspace, tmp_path):
    made = backup_workspace(workspace, tmp_path, datetime(2027, 1, 2, 3, 4, 5))
    assert made.folder.name == "inspect-cli-backup-20270102T030405Z"


def test_backup_with_the_archive_takes_the_original_files_along(workspace, tmp_path, cli):
    original = workspace.archive / "2026" / "11" / "a.csv"
    original.parent.mkdir(parents=True)
    original.write_text("order_id,contractor,amount_excl_vat\nA1,J,10\n")
    without = backup_workspace(workspace, tmp_path / "plain", NOW)
    assert not (without.folder / "archive").exists()
    result = cli("backup", "-w", workspace.root, str(tmp_path / "full"), "--archive")
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "full").iterdir()
    copy = folder / "archive" / "2026" / "11" / "a.csv"
    assert copy.read_bytes() == original.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "archive").stat().st_mode) == 0o700
