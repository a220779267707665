"""The store's schema migrations: a store made by an older version keeps its data."""

from __future__ import annotations

import sqlite3

from inspect_cli import store
from inspect_cli.store import schema


def version_1_store(path) -> None:
    """A store as migration 1 left it, with a decided order, a pending one (new), an amended
    decided one (pending again) and one not completed."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "CREATE TABLE schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    with store.transaction(conn):
        schema._m001_initial(conn)
        conn.execute("INSERT INTO schema_migrations VALUES (1, 'initial schema', 'then')")
        conn.execute(
            "INSERT INTO imports (file_name, sha256, imported_at, read, new, unchanged, "
            "amended, rejected) VALUES ('a.csv', 'x', 'then', 4, 4, 0, 0, 0)"
        )
        conn.executemany(
            "INSERT INTO orders (order_id, contractor, amount_cents, completed_on, "
            "first_import_id, last_import_id, updated_at, pending) VALUES (?, 'J', ?, ?, 1, 1, "
            "'then', ?)",
            [
                ("DECIDED", 150000, "2026-11-02", 0),
                ("NEW", 500, "2026-11-03", 1),
                ("AMENDED", 700, "2026-11-01", 1),
                ("OPEN", 900, None, 0),
            ],
        )
        conn.execute(
            "INSERT INTO selection_runs VALUES (1, 'then', '2026-11-02', 'c', 100000, '0.02', 5, "
            "'{}', 'p', 'h')"
        )
        conn.executemany(
            "INSERT INTO decisions VALUES (?, 1, ?, ?, ?, ?)",
            [
                ("DECIDED", 150000, 1, "above_threshold", "2026-11-09"),
                ("AMENDED", 600, 0, None, None),
            ],
        )
    conn.close()


def test_migration_2_moves_pending_orders_to_their_own_table(tmp_path):
    path = tmp_path / "old.sqlite"
    version_1_store(path)
    conn = store.connect(path)
    assert schema.schema_version(conn) == schema.LATEST_VERSION
    assert conn.execute("SELECT * FROM pending ORDER BY order_id").fetchall() == [
        ("AMENDED", 700, "2026-11-01"),
        ("NEW", 500, "2026-11-03"),
    ]
    columns = [row[1] for row in conn.execute("PRAGMA table_info(orders)")]
    assert "pending" not in columns and len(columns) == 17
    assert conn.execute("SELECT * FROM decisions ORDER BY order_id").fetchall() == [
        ("AMENDED", 1, 600, 0, None, None),
        ("DECIDED", 1, 150000, 1, "above_threshold", "2026-11-09"),
    ]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
