"""Queries of the contractor register: the names stored, with their order counts."""

from __future__ import annotations

import sqlite3

# The first characters that make a spreadsheet run a cell as a formula (spreadsheet.py).
_FORMULA_START = "substr(contractor, 1, 1) IN ('=', '+', '-', '@', char(9), char(13), char(10))"


def names_seen(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Every contractor name stored, with its number of orders, by name."""
    return conn.execute(
        "SELECT contractor, COUNT(*) FROM orders GROUP BY contractor ORDER BY contractor"
    ).fetchall()


def formula_names(conn: sqlite3.Connection) -> tuple[int, int]:
    """(names, orders) of the contractor names that a spreadsheet would run as a formula."""
    names, orders = conn.execute(
        f"SELECT COUNT(DISTINCT contractor), COUNT(*) FROM orders WHERE {_FORMULA_START}"
    ).fetchone()
    return names, orders
