"""Orders and imports: staging a file's rows and merging them into the store in bulk.

A file's rows are loaded chunk by chunk into a temporary ``staging`` table. The rows of a chunk
whose order ids are new go on into the orders (and the pending table) with one set-based
statement per chunk, which SQLite runs without Python's GIL while the next chunk is parsed. Rows
whose id occurred earlier in the file or is known from an earlier import stay staged and are
classified after the last chunk (unchanged, amended, conflicting), so that a file of a million
rows never makes a million round trips.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import datetime
from itertools import chain

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
# Staged per row: its file row, and 1 when its order id (or only the id's hash) came earlier in
# the file: such a row is settled after the last chunk, not stored at once.
STAGED_FIELDS = ("row", "repeated", "order_id", *VALUE_FIELDS)
# Rows bound per INSERT statement: one statement step per 64 rows instead of one per row.
_ROWS_PER_STATEMENT = 64

_COLS = ", ".join(VALUE_FIELDS)
_SETTLE = "(s.repeated OR s.known)"
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
    """The file's staging table; ``known`` marks rows whose id an earlier import stored.

    The file row is a plain column, not the rowid: explicit rowids make every insert check
    for a clash, and rows are rarely looked up by number (only repeated ones).
    """
    conn.execute("DROP TABLE IF EXISTS temp.staging")
    conn.execute(
        "CREATE TEMP TABLE staging (row INTEGER NOT NULL, repeated INTEGER NOT NULL, "
        "known INTEGER NOT NULL DEFAULT 0, order_id TEXT NOT NULL, " + ", ".join(VALUE_FIELDS) + ")"
    )


def stage(conn: sqlite3.Connection, columns: Mapping[str, list]) -> int:
    """Bulk-load one chunk of parsed rows, a list per STAGED_FIELDS name; returns a mark to
    pass to ``store_new`` (the last staging rowid before the chunk)."""
    mark = conn.execute("SELECT coalesce(max(rowid), 0) FROM staging").fetchone()[0]
    _insert_columns(conn, "staging", columns)
    return mark


def store_new(
    conn: sqlite3.Connection, mark: int, firsts: int, import_id: int, now: datetime
) -> tuple[int, int]:
    """Store the orders of the chunk staged after ``mark`` whose ids are new; returns (new, known).

    ``firsts`` is the number of rows in the chunk that are not repeated.

    Rows whose id is known from an earlier import are not inserted but marked ``known``; they
    and the repeated rows are settled by ``merge_staged``. These statements bind nothing per
    row, so SQLite runs them without the GIL.
    """
    at = timestamp(now)
    new = conn.execute(
        f"INSERT INTO orders (order_id, {_COLS}, first_import_id, last_import_id, updated_at) "
        f"SELECT order_id, {_COLS}, ?, ?, ? FROM staging WHERE rowid > ? AND NOT repeated "
        "ON CONFLICT (order_id) DO NOTHING",
        (import_id, import_id, at, mark),
    ).rowcount
    known = 0
    if new < firsts:
        # Only an earlier import can hold the id: one of this file would have repeated it.
        known = conn.execute(
            "UPDATE staging SET known = 1 WHERE rowid > ? AND NOT repeated AND EXISTS "
            "(SELECT 1 FROM orders o WHERE o.order_id = staging.order_id "
            "AND o.first_import_id != ?)",
            (mark, import_id),
        ).rowcount
    conn.execute(
        "INSERT INTO pending (order_id, amount_cents, completed_on) "
        "SELECT order_id, amount_cents, completed_on FROM staging "
        "WHERE rowid > ? AND NOT repeated AND NOT known AND completed_on IS NOT NULL",
        (mark,),
    )
    return new, known


def _insert_columns(conn: sqlite3.Connection, table: str, columns: Mapping[str, list]) -> None:
    """INSERT rows given column by column, many rows per statement.

    A statement of 64 rows costs one step instead of 64, and a column with a single value
    throughout (the contractor, an absent field) is bound once per statement, not per row:
    binding values is most of the cost of loading rows from Python.
    """
    names = list(columns)
    count = len(columns[names[0]])
    if not count:
        return
    fixed = [n for n in names if columns[n].count(columns[n][0]) == count]
    varying = [n for n in names if n not in fixed]
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(_ROWS_PER_STATEMENT, (limit - len(fixed)) // max(1, len(varying))))
    head = [columns[n][0] for n in fixed]
    flat = list(chain.from_iterable(zip(*(columns[n] for n in varying), strict=True)))
    width = len(varying) * per

    def statement(rows: int) -> str:
        marks = {n: f"?{i}" for i, n in enumerate(fixed, start=1)}
        tuples = []
        for row in range(rows):
            first = len(fixed) + row * len(varying) + 1
            marks.update({n: f"?{first + i}" for i, n in enumerate(varying)})
            tuples.append("(" + ", ".join(marks[n] for n in names) + ")")
        return f"INSERT INTO {table} ({', '.join(names)}) VALUES " + ", ".join(tuples)

    whole = count // per
    if whole:
        conn.executemany(
            statement(per), (head + flat[i * width : (i + 1) * width] for i in range(whole))
        )
    if count % per:
        conn.execute(statement(count % per), head + flat[whole * width :])


def staged_duplicates(conn: sqlite3.Connection, repeats: list[int]) -> dict[str, list[tuple]]:
    """Staged rows whose order id occurs more than once: id -> (row, values...) by row.

    ``repeats`` are rows whose id hash occurred earlier in the file; every row with the id of
    one of them is looked up, and equal hashes of different ids are told apart here.
    """
    if not repeats:
        return {}
    rows = conn.execute(
        f"SELECT order_id, row, {_COLS} FROM staging WHERE order_id IN "
        "(SELECT order_id FROM staging WHERE row IN (SELECT value FROM json_each(?))) "
        "ORDER BY order_id, row",
        (json.dumps(repeats),),
    ).fetchall()
    found: dict[str, list[tuple]] = {}
    for order_id, *rest in rows:
        found.setdefault(order_id, []).append(tuple(rest))
    return {order_id: rows for order_id, rows in found.items() if len(rows) > 1}


def drop_staged_rows(conn: sqlite3.Connection, rows: list[int]) -> int:
    """Drop staged rows; returns how many of them were waiting for ``merge_staged``."""
    if not rows:
        return 0
    listed = "row IN (SELECT value FROM json_each(?))"
    unsettled = conn.execute(
        f"SELECT COUNT(*) FROM staging s WHERE {listed} AND {_SETTLE}", (json.dumps(rows),)
    ).fetchone()[0]
    conn.execute(f"DELETE FROM staging WHERE {listed}", (json.dumps(rows),))
    return unsettled


def drop_new_orders(conn: sqlite3.Connection, order_ids: list[str], import_id: int) -> int:
    """Take back orders that this import stored as new (a later row of the file conflicts with
    them), with their pending entries; returns how many there were."""
    if not order_ids:
        return 0
    ids = json.dumps(order_ids)
    new = "SELECT order_id FROM orders WHERE first_import_id = ? AND order_id IN " + (
        "(SELECT value FROM json_each(?))"
    )
    conn.execute(f"DELETE FROM pending WHERE order_id IN ({new})", (import_id, ids))
    return conn.execute(
        "DELETE FROM orders WHERE first_import_id = ? AND order_id IN "
        "(SELECT value FROM json_each(?))",
        (import_id, ids),
    ).rowcount


def merge_staged(
    conn: sqlite3.Connection, import_id: int, now: datetime, *, settle: bool = True
) -> tuple[int, int]:
    """Settle the staged rows that ``store_new`` left (repeated or known ids); returns
    (new, amended) among them, and drops the staging table. ``settle=False`` says there are
    none (it saves a scan of the staging table).

    Staged rows must have unique order ids by now. A repeated row left over had an equal hash
    but a different id, so it may be new. Known ids are compared, and the amended orders keep
    their old values as a revision. A completed order that is new or changed goes to the
    pending table for selection; one amended back to "not completed" leaves it.
    """
    at = timestamp(now)
    new = amended = 0
    if settle:
        new = conn.execute(
            f"INSERT INTO orders (order_id, {_COLS}, first_import_id, last_import_id, "
            f"updated_at) SELECT s.order_id, {', '.join('s.' + f for f in VALUE_FIELDS)}, "
            f"?, ?, ? FROM staging s WHERE {_SETTLE} ON CONFLICT (order_id) DO NOTHING",
            (import_id, import_id, at),
        ).rowcount
        # Rows just inserted equal their staged values, so only known orders can differ.
        amended = conn.execute(
            "INSERT INTO order_revisions (order_id, revised_at, import_id, old_values) "
            f"SELECT o.order_id, ?, ?, json_object({_OLD_JSON}) "
            f"FROM staging s JOIN orders o ON o.order_id = s.order_id "
            f"WHERE {_SETTLE} AND ({_DIFFERS})",
            (at, import_id),
        ).rowcount
    if amended:
        assignments = ", ".join(f"{f} = s.{f}" for f in VALUE_FIELDS)
        conn.execute(
            f"UPDATE orders SET {assignments}, last_import_id = ?, updated_at = ? "
            "FROM staging s JOIN order_revisions r ON r.order_id = s.order_id "
            f"WHERE {_SETTLE} AND orders.order_id = s.order_id AND r.import_id = ?",
            (import_id, at, import_id),
        )
    if new or amended:
        conn.execute(
            "INSERT OR REPLACE INTO pending (order_id, amount_cents, completed_on) "
            "SELECT s.order_id, s.amount_cents, s.completed_on FROM staging s "
            "JOIN orders o ON o.order_id = s.order_id "
            f"WHERE {_SETTLE} AND s.completed_on IS NOT NULL AND o.last_import_id = ?",
            (import_id,),
        )
    if amended:
        conn.execute(
            "DELETE FROM pending WHERE order_id IN "
            f"(SELECT s.order_id FROM staging s WHERE {_SETTLE} AND s.completed_on IS NULL)"
        )
    conn.execute("DROP TABLE temp.staging")
    return new, amended


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
