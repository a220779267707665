"""Copying a store while it is in use: SQLite's online backup, checked before it is trusted."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from inspect_cli.store.health import integrity_problems


def backup_to(conn: sqlite3.Connection, target: Path) -> None:
    """Copy the store to `target` with SQLite's online backup, then make it one plain file.

    The copy is one read transaction, so writers carrying on meanwhile (WAL mode) neither block
    it nor end up half in it. The copy is switched out of WAL mode so it needs no -wal/-shm
    companions, and checked before it is trusted.
    """
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        conn.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        problems = integrity_problems(copy)
    finally:
        copy.close()
    if problems:
        raise sqlite3.DatabaseError(f"the copy fails its integrity check: {problems[0]}")
