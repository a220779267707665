"""Queries of the daily run, ``doctor`` and ``backup``: health checks and a consistent copy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from inspect_cli.store.schema import schema_version


def open_read_only(path: Path) -> sqlite3.Connection:
    """Open an existing store without migrating or creating it (doctor must not repair)."""
    from inspect_cli import store

    return store.open_read_only(path)


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """What ``PRAGMA integrity_check`` finds; empty when the store is sound."""
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def stored_schema_version(conn: sqlite3.Connection) -> int:
    """The newest migration applied to the store, 0 for a store that has none."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    return schema_version(conn) if exists else 0


def run_ids_as_of(conn: sqlite3.Connection, as_of: str) -> list[int]:
    """Selection runs made as of one day, oldest first: together they are that day's selection."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT run_id FROM selection_runs WHERE as_of = ? ORDER BY run_id", (as_of,)
        )
    ]


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
