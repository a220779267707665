"""Orders and imports: storing a file's rows in bulk.

A file's rows go into the orders chunk by chunk, many rows to a statement, which SQLite
inserts without Python's GIL while the next chunk is parsed; the new ones go on into the
pending table with one set-based statement per chunk. Rows whose id occurred earlier in the
file or is known from an earlier import go to a temporary ``staging`` table instead and are
classified after the last chunk (unchanged, amended, conflicting), so that a file of a million
rows never makes a million round trips.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import datetime
from itertools import chain

from inspect_cli.parsed import STAGED_COLUMNS, VALUE_FIELDS
from inspect_cli.store import timestamp

# Rows bound per INSERT statement: one statement step per 256 rows instead of one per row. Each
# step releases the GIL and waits to take it back from the parsing thread, so fewer, longer
# steps waste less; far larger statements cost more to run again (see benchmarks/README.md).
_ROWS_PER_STATEMENT = 256

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
    """The file's staging table, for the rows settled after the last chunk: rows whose id came
    earlier in the file (``repeated``) and first rows whose id an earlier import stored.

    The file row is a plain column, not the rowid: explicit rowids make every insert check
    for a clash.
    """
    conn.execute("DROP TABLE IF EXISTS temp.staging")
    conn.execute(
        "CREATE TEMP TABLE staging (row INTEGER NOT NULL, repeated INTEGER NOT NULL, "
        "order_id TEXT NOT NULL, " + ", ".join(VALUE_FIELDS) + ")"
    )


def store_chunk(
    conn: sqlite3.Connection,
    firsts: Mapping[str, list],
    repeated: Mapping[str, list],
    import_id: int,
    now: datetime,
) -> tuple[int, int]:
    """Store a chunk's orders; returns (new, known): how many went in, how many were staged.

    ``firsts`` and ``repeated`` hold a list per STAGED_COLUMNS name: the rows whose id (or only
    the id's hash) is the first of its kind in the file, and the rest. First rows go straight into
    the orders; a first row whose id an earlier import stored is left out by the conflict
    clause and staged instead, with the repeated rows, for ``merge_staged``. Going straight in
    saves writing every row to a staging table, reading it back and dropping it; SQLite inserts
    each statement's rows without the GIL while a thread parses the next chunk.
    """
    at = timestamp(now)
    mark = conn.execute("SELECT coalesce(max(rowid), 0) FROM orders").fetchone()[0]
    before = conn.total_changes
    order_columns = {name: firsts[name] for name in ("order_id", *VALUE_FIELDS)}
    _insert_columns(
        conn,
        "orders",
        order_columns,
        constants={"first_import_id": import_id, "last_import_id": import_id, "updated_at": at},
        conflict="ON CONFLICT (order_id) DO NOTHING",
    )
    new = conn.total_changes - before
    known = 0
    if new < len(firsts["order_id"]):
        # Only an earlier import can hold the id: one of this file would have repeated it.
        stored = {
            order_id
            for (order_id,) in conn.execute(
                "SELECT o.order_id FROM json_each(?) j JOIN orders o ON o.order_id = j.value "
                "WHERE o.rowid <= ?",
                (json.dumps(firsts["order_id"]), mark),
            )
        }
        at_rows = [i for i, order_id in enumerate(firsts["order_id"]) if order_id in stored]
        known = len(at_rows)
        _insert_columns(
            conn,
            "staging",
            {name: [firsts[name][i] for i in at_rows] for name in STAGED_COLUMNS},
            constants={"repeated": 0},
        )
    _insert_columns(conn, "staging", repeated, constants={"repeated": 1})
    # Rowids of a table without AUTOINCREMENT grow from the largest: the chunk's new orders.
    conn.execute(
        "INSERT INTO pending (order_id, amount_cents, completed_on) "
        "SELECT order_id, amount_cents, completed_on FROM orders "
        "WHERE rowid > ? AND completed_on IS NOT NULL",
        (mark,),
    )
    return new, known


def _insert_columns(
    conn: sqlite3.Connection,
    table: str,
    columns: Mapping[str, list],
    *,
    constants: Mapping[str, object] | None = None,
    conflict: str = "",
) -> None:
    """INSERT rows given column by column, many rows per statement.

    A statement of many rows costs one step instead of one per row, and a column with a single
    value throughout (the contractor, an absent field, ``constants``) is bound once per
    statement, not per row: binding values is most of the cost of loading rows from Python.
    """
    names = list(columns)
    count = len(columns[names[0]])
    if not count:
        return
    fixed = [n for n in names if _constant(columns[n])]
    varying = [n for n in names if n not in fixed]
    head = [columns[n][0] for n in fixed]
    if constants:
        names += list(constants)
        fixed += list(constants)
        head += list(constants.values())
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(_ROWS_PER_STATEMENT, (limit - len(fixed)) // max(1, len(varying))))
    flat = list(chain.from_iterable(zip(*(columns[n] for n in varying), strict=True)))
    width = len(varying) * per

    def statement(rows: int) -> str:
        marks = {n: f"?{i}" for i, n in enumerate(fixed, start=1)}
        tuples = []
        for row in range(rows):
            first = len(fixed) + row * len(varying) + 1
            marks.update({n: f"?{first + i}" for i, n in enumerate(varying)})
            tuples.append("(" + ", ".join(marks[n] for n in names) + ")")
        values = ", ".join(tuples)
        return f"INSERT INTO {table} ({', '.join(names)}) VALUES {values} {conflict}"

    whole = count // per
    if whole:
        conn.executemany(
            statement(per), (head + flat[i * width : (i + 1) * width] for i in range(whole))
        )
    if count % per:
        conn.execute(statement(count % per), head + flat[whole * width :])


def _constant(values: list) -> bool:
    """One value throughout; the last value settles most columns without comparing them all
    (``is`` first: an absent field's None, the contractor's one string, compare at once)."""
    first, last = values[0], values[-1]
    return (last is first or last == first) and values.count(first) == len(values)


def staged_duplicates(conn: sqlite3.Connection, import_id: int) -> dict[str, list[tuple]]:
    """Order ids that occur more than once in the file: id -> (row, values...) per row.

    Every id of a repeated staged row is looked up, in the staging table and among the orders
    this import stored; equal hashes of different ids are told apart here. The store keeps no
    file row, so a row found among the orders comes with row None: the caller knows it.
    """
    ids = "(SELECT order_id FROM staging WHERE repeated)"
    rows = conn.execute(
        f"SELECT order_id, row, {_COLS} FROM staging WHERE order_id IN {ids} "
        f"UNION ALL SELECT order_id, NULL, {_COLS} FROM orders "
        f"WHERE first_import_id = ? AND order_id IN {ids}",
        (import_id,),
    ).fetchall()
    found: dict[str, list[tuple]] = {}
    for order_id, *rest in rows:
        found.setdefault(order_id, []).append(tuple(rest))
    return {order_id: rows for order_id, rows in found.items() if len(rows) > 1}


def drop_staged_rows(conn: sqlite3.Connection, rows: list[int]) -> int:
    """Drop staged rows (rows that are not staged are no matter); returns how many there were."""
    if not rows:
        return 0
    return conn.execute(
        "DELETE FROM staging WHERE row IN (SELECT value FROM json_each(?))", (json.dumps(rows),)
    ).rowcount


def drop_new_orders(conn: sqlite3.Connection, order_ids: list[str], import_id: int) -> int:
    """Take back orders that this import stored as new (a later row of the file conflicts with
    them), with their pending entries; returns how many there were."""
    if not order_ids:
        return 0
    new = "first_import_id = ? AND order_id IN (SELECT value FROM json_each(?))"
    params = (import_id, json.dumps(order_ids))
    conn.execute(
        f"DELETE FROM pending WHERE order_id IN (SELECT order_id FROM orders WHERE {new})", params
    )
    return conn.execute(f"DELETE FROM orders WHERE {new}", params).rowcount


def take_foreign_rows(conn: sqlite3.Connection) -> list[tuple[int, str, str, str, str, int]]:
    """Take out of the staging table the rows whose order id is stored with another
    contractor: an order number is never shared by two contractors, so such a row is never an
    amendment. Returns (file row, order id, row's contractor, stored contractor, file the
    stored values came from, the row's amount in cents) per row, in file order."""
    foreign = conn.execute(
        "SELECT s.row, s.order_id, s.contractor, o.contractor, coalesce(i.file_name, '?'), "
        "s.amount_cents "
        "FROM staging s JOIN orders o ON o.order_id = s.order_id "
        "LEFT JOIN imports i ON i.id = o.last_import_id "
        "WHERE o.contractor IS NOT s.contractor ORDER BY s.row"
    ).fetchall()
    drop_staged_rows(conn, [row[0] for row in foreign])
    return foreign


def merge_staged(
    conn: sqlite3.Connection, import_id: int, now: datetime, *, settle: bool = True
) -> tuple[int, int]:
    """Settle the rows that ``store_chunk`` staged (repeated or known ids); returns (new,
    amended) among them, and drops the staging table. ``settle=False`` says there are none.

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
            f"?, ?, ? FROM staging s WHERE true ON CONFLICT (order_id) DO NOTHING",
            (import_id, import_id, at),
        ).rowcount
        # Rows just inserted equal their staged values, so only known orders can differ.
        amended = conn.execute(
            "INSERT INTO order_revisions (order_id, revised_at, import_id, old_values) "
            f"SELECT o.order_id, ?, ?, json_object({_OLD_JSON}) "
            f"FROM staging s JOIN orders o ON o.order_id = s.order_id "
            f"WHERE {_DIFFERS}",
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
    if new or amended:
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
            "(SELECT s.order_id FROM staging s WHERE s.completed_on IS NULL)"
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
