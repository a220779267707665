"""Rows that are replaced but never deleted: inspection outcomes and satisfaction scores.

Both tables keep a replaced row and point it to its replacement (``superseded_by``), so that an
auditor sees what was changed and when. Their area modules (``inspections``, ``satisfaction``)
say which columns they have; inserting and listing the history is the same for both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from inspect_cli.store import timestamp

Table = Literal["inspections", "satisfaction"]


def insert_superseding(
    conn: sqlite3.Connection,
    table: Table,
    values: Mapping[str, object],
    *,
    now: datetime,
    import_id: int | None,
    replaces: int | None,
) -> int:
    """Insert a row recorded `now` (from an import, or typed in by hand when `import_id` is
    None); when it `replaces` an earlier one, that one is marked superseded by it."""
    values = {**values, "recorded_at": timestamp(now), "import_id": import_id}
    names = ", ".join(values)
    marks = ", ".join("?" * len(values))
    cur = conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(values.values()))
    new_id = int(cur.lastrowid)
    if replaces is not None:
        conn.execute(f"UPDATE {table} SET superseded_by = ? WHERE id = ?", (new_id, replaces))
    return new_id


def history(
    conn: sqlite3.Connection, table: Table, columns: tuple[str, ...], order_id: str
) -> list[dict]:
    """Every row of an order in the order recorded, replaced ones included."""
    cur = conn.execute(
        f"SELECT {', '.join(columns)} FROM {table} WHERE order_id = ? ORDER BY id", (order_id,)
    )
    return [dict(zip(columns, row, strict=True)) for row in cur]
