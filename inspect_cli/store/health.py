"""Health of a store, for ``doctor``, ``backup`` and opening a workspace: integrity, schema."""

from __future__ import annotations

import sqlite3

from inspect_cli.store.schema import schema_version


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
