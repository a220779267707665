"""``backup``: a consistent copy of the store, taken while the tool may be running.

A backup is a folder ``inspect-cli-backup-<UTC time>`` inside DEST holding the store (one plain
SQLite file), the config, the seed commitment and RESTORE.txt. The seed itself is left out on
purpose: backups travel to shared drives and tapes that more people can read, and whoever has
the seed can predict which repairs the random sample will pick. The seed is kept apart (see
RESTORE_TEXT); the commitment in the backup checks a seed put back later.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from inspect_cli import store
from inspect_cli.errors import BackupFailed
from inspect_cli.store.backup import backup_to
from inspect_cli.workspace import Workspace

COMMITMENT_FILE = "seed-commitment.txt"
RESTORE_FILE = "RESTORE.txt"
RESTORE_TEXT = """\
How to restore an inspect-cli workspace from this backup
========================================================

This folder holds the store (inspect-cli.sqlite), the configuration (inspect-cli.toml) and
the SHA-256 commitment of the sampling seed (seed-commitment.txt). It does NOT hold the seed:
keep the seed apart from backups (a password manager or a sealed envelope with the person
responsible for the control), because whoever knows it can predict the random sample.

1. Create the workspace folder with its working folders:
       mkdir -p WS/inbox WS/archive WS/exports WS/quarantine WS/logs
2. Copy inspect-cli.sqlite and inspect-cli.toml from this folder into WS.
3. Put the seed back, readable by its owner only, typed (or pasted) at the terminal so that it
   stays out of the shell history; end with Ctrl-D:
       (umask 077 && cat > WS/seed.secret)
4. Check the workspace; doctor compares the seed with the stored commitment:
       inspect-cli doctor -w WS
5. Files that arrived after this backup was made are not in it: put them in WS/inbox again
   (archive/ keeps every file that was imported) and run `inspect-cli daily -w WS`.
   Importing a file twice changes nothing, so when in doubt, re-import.
"""


@dataclass(frozen=True)
class Backup:
    """Where the backup went and the commitment of the seed it needs."""

    folder: Path
    files: tuple[Path, ...]
    commitment: str | None


def backup_workspace(ws: Workspace, dest: Path, now: datetime, *, archive: bool = False) -> Backup:
    """Write a new backup folder inside `dest`; a half-written one is never left looking whole.

    The folder is built under a ``.partial`` name and renamed last; its files are owner-only
    because the store holds tenant contact data. With `archive`, the archived original files
    go along (archive/), so that `verify --files` can check a restored workspace.
    """
    if not ws.store_path.is_file():
        raise BackupFailed(f"store {ws.store_path} is missing: nothing to back up")
    folder = _new_folder(dest, now)
    partial = folder.with_name(folder.name + ".partial")
    try:
        partial.mkdir(mode=0o700, parents=True)
        source = store.open_read_only(ws.store_path)
        try:
            backup_to(source, partial / ws.store_path.name)
        finally:
            source.close()
        copy = store.open_read_only(partial / ws.store_path.name)
        try:
            commitment = store.seed_commitment(copy)
        finally:
            copy.close()
        shutil.copyfile(ws.config_path, partial / ws.config_path.name)
        (partial / COMMITMENT_FILE).write_text(f"{commitment or ''}\n", encoding="utf-8")
        (partial / RESTORE_FILE).write_text(RESTORE_TEXT, encoding="utf-8")
        for path in partial.iterdir():
            path.chmod(0o600)
        if archive and ws.archive.is_dir():
            copied = shutil.copytree(ws.archive, partial / ws.archive.name, symlinks=True)
            for path in copied.rglob("*"):
                path.chmod(0o700 if path.is_dir() else 0o600)
            copied.chmod(0o700)
        os.replace(partial, folder)
    except (OSError, sqlite3.Error) as e:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupFailed(f"backup to {dest} failed: {e}") from None
    names = (ws.store_path.name, ws.config_path.name, COMMITMENT_FILE, RESTORE_FILE)
    if archive and (folder / ws.archive.name).is_dir():
        names += (ws.archive.name,)
    return Backup(folder, tuple(folder / n for n in names), commitment)


def _new_folder(dest: Path, now: datetime) -> Path:
    """A fresh name: a second backup in the same second gets a suffix, never overwrites."""
    base = f"inspect-cli-backup-{now.strftime('%Y%m%dT%H%M%SZ')}"
    folder, n = dest / base, 1
    while folder.exists() or folder.with_name(folder.name + ".partial").exists():
        n += 1
        folder = dest / f"{base}-{n}"
    return folder
