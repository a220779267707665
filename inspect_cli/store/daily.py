"""Queries of the daily run that no other command makes."""

from __future__ import annotations

import sqlite3


def run_ids_as_of(conn: sqlite3.Connection, as_of: str) -> list[int]:
    """Selection runs made as of one day, oldest first: together they are that day's selection."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT run_id FROM selection_runs WHERE as_of = ? ORDER BY run_id", (as_of,)
        )
    ]
