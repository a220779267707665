"""Tenant satisfaction scores: one current score per order, replaced scores kept as history.

A replaced score is not deleted: it points to the score that replaced it (``superseded_by``),
so an auditor can see what was changed and when.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from inspect_cli.store.history import history, insert_superseding


@dataclass(frozen=True)
class StoredScore:
    """The current score of an order."""

    id: int
    order_id: str
    score: int
    scale: int
    responded_on: str | None
    comment: str | None


def known_orders(conn: sqlite3.Connection, order_ids: Iterable[str]) -> set[str]:
    """Which of these order ids the store knows (one query for a whole file)."""
    ids = json.dumps(sorted(set(order_ids)))
    return {
        row[0]
        for row in conn.execute(
            "SELECT order_id FROM orders WHERE order_id IN (SELECT value FROM json_each(?))",
            (ids,),
        )
    }


def current_scores(conn: sqlite3.Connection, order_ids: Iterable[str]) -> dict[str, StoredScore]:
    """The current (not superseded) score of each of these orders that has one."""
    ids = json.dumps(sorted(set(order_ids)))
    rows = conn.execute(
        "SELECT id, order_id, score, scale, responded_on, comment FROM satisfaction "
        "WHERE superseded_by IS NULL AND order_id IN (SELECT value FROM json_each(?))",
        (ids,),
    )
    return {row[1]: StoredScore(*row) for row in rows}


def insert_score(
    conn: sqlite3.Connection,
    *,
    order_id: str,
    score: int,
    scale: int,
    responded_on: str | None,
    comment: str | None,
    now: datetime,
    import_id: int | None,
    replaces: int | None = None,
) -> int:
    """Store a score; when it `replaces` an earlier one, that one is marked superseded."""
    values = {
        "order_id": order_id,
        "score": score,
        "scale": scale,
        "responded_on": responded_on,
        "comment": comment,
    }
    return insert_superseding(
        conn, "satisfaction", values, now=now, import_id=import_id, replaces=replaces
    )


def score_history(conn: sqlite3.Connection, order_id: str) -> list[dict]:
    """Every score of an order, oldest first, replaced ones included."""
    return history(conn, "satisfaction", _HISTORY, order_id)


_HISTORY = (
    "id",
    "score",
    "scale",
    "responded_on",
    "comment",
    "recorded_at",
    "import_id",
    "superseded_by",
)
