"""Queries of inspection outcomes: what an order allows, its valid outcomes, storing one.

A replaced outcome is kept: it points to its replacement (``superseded_by``). Valid outcomes
are those not superseded: any number of failed visits (``no_access``) and at most one final
outcome per order.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from inspect_cli.store.history import history, insert_superseding


@dataclass(frozen=True)
class OrderFacts:
    """What the rules for an outcome need to know about its order."""

    completed_on: str | None
    selected: bool


@dataclass(frozen=True)
class StoredOutcome:
    id: int
    order_id: str
    inspector: str
    inspected_on: str
    result: str
    findings: str | None
    correction_cents: int


def _ids(order_ids: Iterable[str]) -> str:
    return json.dumps(sorted(set(order_ids)))


def order_facts(conn: sqlite3.Connection, order_ids: Iterable[str]) -> dict[str, OrderFacts]:
    """Completion date and whether it was selected, for each known order among these."""
    rows = conn.execute(
        """
        SELECT o.order_id, o.completed_on,
               EXISTS (SELECT 1 FROM decisions d WHERE d.order_id = o.order_id AND d.selected = 1)
          FROM orders o WHERE o.order_id IN (SELECT value FROM json_each(?))
        """,
        (_ids(order_ids),),
    )
    return {oid: OrderFacts(completed, bool(selected)) for oid, completed, selected in rows}


def valid_outcomes(
    conn: sqlite3.Connection, order_ids: Iterable[str]
) -> dict[str, list[StoredOutcome]]:
    """The not superseded outcomes of these orders, oldest visit first."""
    rows = conn.execute(
        """
        SELECT id, order_id, inspector, inspected_on, result, findings, correction_cents
          FROM inspections
         WHERE superseded_by IS NULL AND order_id IN (SELECT value FROM json_each(?))
         ORDER BY inspected_on, id
        """,
        (_ids(order_ids),),
    )
    found: dict[str, list[StoredOutcome]] = {}
    for row in rows:
        found.setdefault(row[1], []).append(StoredOutcome(*row))
    return found


def insert_outcome(
    conn: sqlite3.Connection,
    *,
    order_id: str,
    inspector: str,
    inspected_on: str,
    result: str,
    findings: str | None,
    correction_cents: int,
    now: datetime,
    import_id: int | None,
    replaces: int | None = None,
) -> int:
    """Store an outcome; when it `replaces` an earlier one, that one is marked superseded."""
    values = {
        "order_id": order_id,
        "inspector": inspector,
        "inspected_on": inspected_on,
        "result": result,
        "findings": findings,
        "correction_cents": correction_cents,
    }
    return insert_superseding(
        conn, "inspections", values, now=now, import_id=import_id, replaces=replaces
    )


def outcome_history(conn: sqlite3.Connection, order_id: str) -> list[dict]:
    """Every outcome of an order in the order recorded, replaced ones included."""
    return history(conn, "inspections", _HISTORY, order_id)


_HISTORY = (
    "id",
    "inspector",
    "inspected_on",
    "result",
    "findings",
    "correction_cents",
    "recorded_at",
    "import_id",
    "superseded_by",
)
