"""Orders and imports: staging a file's rows and merging them into the store in bulk.

A file's rows are first loaded into a temporary ``staging`` table, then classified against the
stored orders with a handful of set-based statements (new, unchanged, amended), so that a file
of a million rows never makes a million round trips.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

from inspect_cli.store import timestamp

# Stored values of an order besides its id, in table order.
VALUE_FIELDS = (
    "contractor",
    "amount_cents",
    "completed_on",
    "dwelling_id",
    "address",
    "postcode",
    "municipality",
    "category",
    "description",
    "order_date",
    "invoice_number",
    "vat_rate",
    "tenant_contact",
)
STAGED_FIELDS = ("row", "id_hash", "order_id", *VALUE_FIELDS)

_COLS = ", ".join(VALUE_FIELDS)
_DIFFERS = " OR ".join(f"o.{f} IS NOT s.{f}" for f in VALUE_FIELDS)
_OLD_JSON = ", ".join(f"'{f}', o.{f}" for f in VALUE_FIELDS)


def begin_import(
    conn: sqlite3.Connection, kind: str, file_name: str, sha256: str, now: datetime
) -> int:
    """Record the start of an import (inside the file's transaction) and return its id."""
    cur = conn.execute(
        "INSERT INTO imports (kind, file_name, sha256, imported_at, read, new, unchanged, amended,"
        " rejected) VALUES (?, ?, ?, ?, 0, 0, 0, 0, 0)",
        (kind, file_name, sha256, timestamp(now)),
    )
    return int(cur.lastrowid)


def finish_import(
    conn: sqlite3.Connection,
    import_id: int,
    *,
    read: int,
    new: int,
    unchanged: int,
    amended: int,
    rejected: int,
    quarantine: str | None,
) -> None:
    conn.execute(
        "UPDATE imports SET read = ?, new = ?, unchanged = ?, amended = ?, rejected = ?,"
        " quarantine = ? WHERE id = ?",
        (read, new, unchanged, amended, rejected, quarantine, import_id),
    )


def previous_import(conn: sqlite3.Connection, sha256: str) -> tuple[str, str] | None:
    """(file name, time) of an earlier import of the same bytes, if any."""
    return conn.execute(
        "SELECT file_name, imported_at FROM imports WHERE sha256 = ? ORDER BY id LIMIT 1",
        (sha256,),
    ).fetchone()


def create_staging(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE IF EXISTS temp.staging")
    conn.execute(
        "CREATE TEMP TABLE staging (row INTEGER NOT NULL, id_hash INTEGER NOT NULL, "
        "order_id TEXT NOT NULL, " + ", ".join(VALUE_FIELDS) + ", status TEXT)"
    )


def stage(conn: sqlite3.Connection, rows: Iterable[Sequence[object]]) -> None:
    """Bulk-load parsed rows, each in the order of STAGED_FIELDS."""
    marks = ", ".join("?" * len(STAGED_FIELDS))
    conn.executemany(f"INSERT INTO staging ({', '.join(STAGED_FIELDS)}) VALUES ({marks})", rows)


def staged_duplicates(conn: sqlite3.Connection, id_hashes: list[int]) -> dict[str, list[tuple]]:
    """Staged rows whose order id occurs more than once: id -> (row, values...) by row.

    ``id_hashes`` are the hashes seen more than once while staging; equal hashes of different
    ids are told apart here.
    """
    if not id_hashes:
        return {}
    rows = conn.execute(
        f"SELECT order_id, row, {_COLS} FROM staging "
        "WHERE id_hash IN (SELECT value FROM json_each(?)) ORDER BY order_id, row",
        (json.dumps(id_hashes),),
    ).fetchall()
    found: dict[str, list[tuple]] = {}
    for order_id, *rest in rows:
        found.setdefault(order_id, []).append(tuple(rest))
    return {order_id: rows for order_id, rows in found.items() if len(rows) > 1}


def drop_staged_rows(conn: sqlite3.Connection, rows: list[int]) -> None:
    if rows:
        conn.execute(
            "DELETE FROM staging WHERE row IN (SELECT value FROM json_each(?))", (json.dumps(rows),)
        )


def merge_staged(conn: sqlite3.Connection, import_id: int, now: datetime) -> tuple[int, int]:
    """Apply the staged rows to the store; returns (new, amended).

    Staged rows must have unique order ids by now. New orders go in with one INSERT that
    skips known ids; only when some ids were known already are they compared, and the
    amended ones keep their old values as a revision. A completed order that is new or
    changed goes to the pending table for selection.
    """
    at = timestamp(now)
    staged = conn.execute("SELECT COUNT(*) FROM staging").fetchone()[0]
    new = conn.execute(
        f"INSERT INTO orders (order_id, {_COLS}, first_import_id, last_import_id, updated_at) "
        f"SELECT s.order_id, {', '.join('s.' + f for f in VALUE_FIELDS)}, ?, ?, ? "
        "FROM staging s WHERE true ON CONFLICT (order_id) DO NOTHING",
        (import_id, import_id, at),
    ).rowcount
    amended = 0
    if new < staged:
        # Rows just inserted equal their staged values, so only known orders can differ.
        amended = conn.execute(
            "INSERT INTO order_revisions (order_id, revised_at, import_id, old_values) "
            f"SELECT o.order_id, ?, ?, json_object({_OLD_JSON}) "
            f"FROM staging s JOIN orders o ON o.order_id = s.order_id WHERE {_DIFFERS}",
            (at, import_id),
        ).rowcount
    if amended:
        assignments = ", ".join(f"{f} = s.{f}" for f in VALUE_FIELDS)
        conn.execute(
            f"UPDATE orders SET {assignments}, last_import_id = ?, updated_at = ? "
            "FROM staging s JOIN order_revisions r ON r.order_id = s.order_id "
            "WHERE orders.order_id = s.order_id AND r.import_id = ?",
            (import_id, at, import_id),
        )
    _queue_pending(conn, import_id, everything_new=new == staged, amended=amended > 0)
    conn.execute("DROP TABLE temp.staging")
    return new, amended


def _queue_pending(
    conn: sqlite3.Connection, import_id: int, *, everything_new: bool, amended: bool
) -> None:
    """Put this import's new and amended completed orders in the pending table, with the amount
    and date a selection run decides on; an order amended back to "not completed" leaves it."""
    if everything_new:
        # A file of new orders only (the usual large import): no order has to be looked up.
        conn.execute(
            "INSERT INTO pending (order_id, amount_cents, completed_on) "
            "SELECT order_id, amount_cents, completed_on FROM staging "
            "WHERE completed_on IS NOT NULL"
        )
        return
    conn.execute(
        "INSERT OR REPLACE INTO pending (order_id, amount_cents, completed_on) "
        "SELECT s.order_id, s.amount_cents, s.completed_on FROM staging s "
        "JOIN orders o ON o.order_id = s.order_id "
        "WHERE s.completed_on IS NOT NULL AND o.last_import_id = ?",
        (import_id,),
    )
    if amended:
        conn.execute(
            "DELETE FROM pending WHERE order_id IN "
            "(SELECT order_id FROM staging WHERE completed_on IS NULL)"
        )


def count_orders(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0]


def get_order(conn: sqlite3.Connection, order_id: str) -> dict | None:
    """One order's current values as a dict, or None."""
    cur = conn.execute(
        "SELECT o.*, EXISTS (SELECT 1 FROM pending p WHERE p.order_id = o.order_id) AS pending "
        "FROM orders o WHERE o.order_id = ?",
        (order_id,),
    )
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))
