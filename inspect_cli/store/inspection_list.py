"""Queries of the inspection list: the selected orders with their order's current values and,
when there is one, the order's latest final outcome."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from inspect_cli.headers import DESCRIPTIVE_FIELDS

LIST_FIELDS = (
    "order_id",
    "reason",
    "contractor",
    *DESCRIPTIVE_FIELDS,
    "amount_cents",
    "completed_on",
    "selected_on",
    "due_on",
    "inspector",
    "inspected_on",
    "result",
    "findings",
    "correction_cents",
    "decided_cents",
)

# The selected decision of each order (there is at most one), its order's current values and,
# when there is one, the order's latest final outcome (a visit that found no access is not final).
_LIST_SELECT = """
    SELECT d.order_id, d.reason, o.contractor, o.dwelling_id, o.address, o.postcode,
           o.municipality, o.category, o.description, o.amount_cents, o.completed_on,
           r.as_of AS selected_on, d.due_on, f.inspector, f.inspected_on, f.result, f.findings,
           f.correction_cents, d.amount_cents AS decided_cents
      FROM {decisions}
      JOIN orders o ON o.order_id = d.order_id
      JOIN selection_runs r ON r.run_id = d.run_id
      LEFT JOIN inspections f ON f.id = (
           SELECT i.id FROM inspections i
            WHERE i.order_id = d.order_id AND i.superseded_by IS NULL
              AND i.result != 'no_access'
            ORDER BY i.inspected_on DESC, i.id DESC LIMIT 1)
     WHERE d.selected = 1
"""

# Each column as one JSON array, written by SQLite in a single step.
_AS_COLUMNS = "SELECT " + ", ".join(f"json_group_array({name})" for name in LIST_FIELDS)


def inspection_columns(
    conn: sqlite3.Connection,
    *,
    open_only: bool,
    since: str | None = None,
    run_id: int | None = None,
) -> list[list[Any]]:
    """The columns of LIST_FIELDS for the selected orders, as lists (rows unsorted; the export
    orders them; dates as ISO text).

    open_only keeps the orders without a final outcome; since keeps those selected on or after
    that day; run_id keeps those one run selected. Column by column, SQLite writes each list as
    a JSON array without holding the interpreter, and json decodes it in C: no tuple per row.
    """
    # The open ones come from the table of open inspections (kept by triggers, see the schema),
    # so the open list costs what is open, not every order selected over the years.
    decisions = (
        "open_inspections x CROSS JOIN decisions d ON d.order_id = x.order_id"
        if open_only
        else "decisions d"
    )
    sql = _LIST_SELECT.format(decisions=decisions)
    params: list[Any] = []
    if since is not None:
        sql += " AND r.as_of >= ?"
        params.append(since)
    if run_id is not None:
        sql += " AND d.run_id = ?"
        params.append(run_id)
    arrays = conn.execute(f"{_AS_COLUMNS} FROM ({sql})", params).fetchone()
    return [json.loads(array) for array in arrays]
