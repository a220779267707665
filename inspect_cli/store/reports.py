"""Aggregates for the reports, computed in SQL so that a million orders report quickly.

Every report looks at the *completed* orders of a period (by ``completed_on``), optionally of one
contractor, and at what happened to them since: decisions, outcomes, scores. Only aggregates
leave the database, except for the overdue list, which is short by nature.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Any

MANDATORY = ("above_threshold", "amended_above_threshold", "split_above_threshold")


@dataclass(frozen=True)
class Scope:
    """Which orders a report covers: completed between start and end (ISO, inclusive)."""

    start: str | None = None
    end: str | None = None
    contractor: str | None = None

    def where(self, alias: str = "o") -> tuple[str, list[Any]]:
        """SQL conditions (joined with AND) and their parameters."""
        clauses = [f"{alias}.completed_on IS NOT NULL"]
        params: list[Any] = []
        if self.start is not None:
            clauses.append(f"{alias}.completed_on >= ?")
            params.append(self.start)
        if self.end is not None:
            clauses.append(f"{alias}.completed_on <= ?")
            params.append(self.end)
        if self.contractor is not None:
            clauses.append(f"{alias}.contractor = ?")
            params.append(self.contractor)
        return " AND ".join(clauses), params


@dataclass
class ContractorCounts:
    """Counts of one contractor's orders in scope. Money in cents."""

    contractor: str
    orders: int = 0
    spend_cents: int = 0
    above_threshold: int = 0
    decided: int = 0
    first_mandatory: int = 0
    """Orders whose first decision was above_threshold: they never went through the draw."""
    first_mandatory_cents: int = 0
    """Their amount."""
    mandatory: int = 0
    sampled: int = 0
    selected: int = 0
    inspected: int = 0
    ok: int = 0
    minor: int = 0
    major: int = 0
    not_done: int = 0
    failed_visits: int = 0
    open: int = 0
    overdue: int = 0
    corrections_cents: int = 0

    @property
    def sampling_population(self) -> int:
        """Decided orders that went through the random draw (not mandatory at first sight)."""
        return self.decided - self.first_mandatory


COUNT_FIELDS = tuple(f.name for f in fields(ContractorCounts))[1:]


OUTCOME_FIELDS = ("inspected", "ok", "minor", "major", "not_done", "open", "overdue")
"""The outcome counts of the selected orders, in the order `period_counts` reads them."""


@dataclass(frozen=True)
class PeriodCounts:
    """The counts of the orders in scope: per contractor, and what the same pass over the
    selected orders gives besides."""

    contractors: list[ContractorCounts]
    corrections_by_reason: dict[str, int]
    """Corrections recorded on the selected orders, in cents, per selection reason."""
    selections_by_month: dict[str, list[int]]
    """Month of completion ("2026-11") -> [mandatory selections, random ones]."""


def period_counts(
    conn: sqlite3.Connection, scope: Scope, *, threshold_cents: int, today: str
) -> PeriodCounts:
    """Per contractor: orders, spend, decisions and outcomes of the orders in scope; with the
    selections per month and the corrections per selection reason that the same passes give."""
    where, params = scope.where()
    found: dict[str, ContractorCounts] = {}

    # `GROUP BY +o.contractor` and CROSS JOIN keep SQLite from walking the orders in contractor
    # index order (a random table read per order, much slower than a plain scan) and
    # make the few selected orders, outcomes or scores drive the joins, in order id order (their
    # order_id indexes) so that the lookups into the orders table go through it in order.

    # One pass over the orders. Selection takes an order off the pending table only together
    # with a decision, so a completed order that is not pending is decided; pending ones may be
    # decided already (an amendment brings an order back) and are few: they are checked apart.
    for contractor, orders, spend, above in conn.execute(
        f"""
        SELECT o.contractor, COUNT(*), SUM(o.amount_cents), SUM(o.amount_cents > ?)
          FROM orders o WHERE {where} GROUP BY +o.contractor
        """,
        [threshold_cents, *params],
    ):
        found[contractor] = ContractorCounts(contractor, orders, spend, above, orders)
    for contractor, pending, decided in conn.execute(
        f"""
        SELECT o.contractor, COUNT(*),
               SUM(EXISTS (SELECT 1 FROM decisions d WHERE d.order_id = o.order_id))
          FROM pending p CROSS JOIN orders o ON o.order_id = p.order_id
         WHERE {where} GROUP BY +o.contractor
        """,
        params,
    ):
        found[contractor].decided -= pending - decided

    # Selected orders (a few percent; selection gives an order at most one selected decision)
    # with their final outcome, if any: a valid outcome that is not a failed visit. Per reason
    # and month too, for the selections per month.
    by_month: dict[str, list[int]] = {}
    for contractor, month, reason, n, amount, *outcomes in conn.execute(
        f"""
        WITH f AS MATERIALIZED (
            SELECT o.contractor AS contractor, substr(o.completed_on, 1, 7) AS month,
                   o.amount_cents AS amount, d.reason AS reason, d.due_on AS due_on,
                   (SELECT i.result FROM inspections i
                     WHERE i.order_id = d.order_id AND i.superseded_by IS NULL
                       AND i.result <> 'no_access') AS final
              FROM decisions d CROSS JOIN orders o ON o.order_id = d.order_id
             WHERE d.selected = 1 AND {where}
        )
        SELECT contractor, month, reason, COUNT(*), SUM(amount),
               SUM(final IS NOT NULL), SUM(final IS 'ok'), SUM(final IS 'minor'),
               SUM(final IS 'major'), SUM(final IS 'not_done'), SUM(final IS NULL),
               SUM(final IS NULL AND due_on < ?)
          FROM f GROUP BY contractor, month, reason
        """,
        [*params, today],
    ):
        counts = found[contractor]
        counts.selected += n
        selections = by_month.setdefault(month, [0, 0])
        if reason == "above_threshold":
            counts.first_mandatory += n
            counts.first_mandatory_cents += amount
        if reason in MANDATORY:
            counts.mandatory += n
            selections[0] += n
        elif reason == "random_sample":
            counts.sampled += n
            selections[1] += n
        for name, value in zip(OUTCOME_FIELDS, outcomes, strict=True):
            setattr(counts, name, getattr(counts, name) + value)

    # Failed visits and corrections over every valid outcome (outcomes exist for selected
    # orders only), per contractor and per the reason the order was selected for.
    by_reason: dict[str, int] = {}
    for contractor, reason, failed, corrections in conn.execute(
        f"""
        SELECT o.contractor, d.reason, SUM(i.result = 'no_access'), SUM(i.correction_cents)
          FROM inspections i INDEXED BY inspections_order
         CROSS JOIN decisions d ON d.order_id = i.order_id AND d.selected = 1
         CROSS JOIN orders o ON o.order_id = i.order_id
         WHERE i.superseded_by IS NULL AND {where}
         GROUP BY +o.contractor, d.reason
        """,
        params,
    ):
        found[contractor].failed_visits += failed
        found[contractor].corrections_cents += corrections
        by_reason[reason] = by_reason.get(reason, 0) + corrections
    return PeriodCounts(sorted(found.values(), key=lambda c: c.contractor), by_reason, by_month)


ScoreCount = tuple[str, str, bool, int, int, int]
"""(contractor, quarter of completion "2026-Q4", inspected, score, scale, number of responses)."""


def score_counts(conn: sqlite3.Connection, scope: Scope) -> list[ScoreCount]:
    """Current scores of the orders in scope, counted per contractor, quarter, inspected or
    not, and score. Inspected means a final outcome is recorded (a failed visit is not one)."""
    where, params = scope.where()
    rows = conn.execute(
        f"""
        WITH r AS MATERIALIZED (
            SELECT o.contractor AS contractor,
                   substr(o.completed_on, 1, 4) || '-Q' ||
                       ((CAST(substr(o.completed_on, 6, 2) AS INTEGER) + 2) / 3) AS quarter,
                   EXISTS (SELECT 1 FROM inspections i
                            WHERE i.order_id = s.order_id AND i.superseded_by IS NULL
                              AND i.result <> 'no_access') AS inspected,
                   s.score AS score, s.scale AS scale
              FROM satisfaction s INDEXED BY satisfaction_order
             CROSS JOIN orders o ON o.order_id = s.order_id
             WHERE s.superseded_by IS NULL AND {where}
        )
        SELECT contractor, quarter, inspected, score, scale, COUNT(*)
          FROM r GROUP BY contractor, quarter, inspected, score, scale
        """,
        params,
    )
    return [(c, q, bool(i), score, scale, n) for c, q, i, score, scale, n in rows]


@dataclass(frozen=True)
class OverdueRow:
    order_id: str
    contractor: str
    reason: str
    amount_cents: int
    completed_on: str
    selected_on: str
    due_on: str
    failed_visits: int
    address: str | None
    municipality: str | None


def overdue(conn: sqlite3.Connection, scope: Scope, *, today: str) -> list[OverdueRow]:
    """Selected orders in scope without a final outcome whose due date is before today,
    oldest due date first."""
    where, params = scope.where()
    rows = conn.execute(
        f"""
        SELECT d.order_id, o.contractor, d.reason, o.amount_cents, o.completed_on, r.as_of,
               d.due_on,
               (SELECT COUNT(*) FROM inspections i
                 WHERE i.order_id = d.order_id AND i.superseded_by IS NULL
                   AND i.result = 'no_access'),
               o.address, o.municipality
          FROM decisions d
          JOIN orders o ON o.order_id = d.order_id
          JOIN selection_runs r ON r.run_id = d.run_id
         WHERE d.selected = 1 AND d.due_on < ? AND {where}
           AND NOT EXISTS (SELECT 1 FROM inspections i
                            WHERE i.order_id = d.order_id AND i.superseded_by IS NULL
                              AND i.result <> 'no_access')
         ORDER BY d.due_on, d.order_id
        """,
        [today, *params],
    )
    return [OverdueRow(*row) for row in rows]


def contractor_names(conn: sqlite3.Connection) -> list[str]:
    """Every contractor with orders, for matching --contractor and naming the choices."""
    return [r[0] for r in conn.execute("SELECT DISTINCT contractor FROM orders ORDER BY 1")]


# --- projection, cost and the board report ------------------------------------------------------


SampleRow = tuple[str, int, int]
"""(contractor, amount in cents, corrections in cents) of a random-sample inspection."""


def random_sample_outcomes(conn: sqlite3.Connection, scope: Scope) -> list[SampleRow]:
    """Orders in scope selected by the random draw that have a final outcome (not a failed
    visit), with their amount and the corrections recorded on them. Mandatory inspections are
    left out: they are not a random sample."""
    where, params = scope.where()
    return conn.execute(
        f"""
        SELECT o.contractor, o.amount_cents,
               (SELECT COALESCE(SUM(i.correction_cents), 0) FROM inspections i
                 WHERE i.order_id = d.order_id AND i.superseded_by IS NULL)
          FROM decisions d CROSS JOIN orders o ON o.order_id = d.order_id
         WHERE d.selected = 1 AND d.reason = 'random_sample' AND {where}
           AND EXISTS (SELECT 1 FROM inspections i
                        WHERE i.order_id = d.order_id AND i.superseded_by IS NULL
                          AND i.result <> 'no_access')
         ORDER BY o.contractor, d.order_id
        """,
        params,
    ).fetchall()


def draw_population(
    conn: sqlite3.Connection, scope: Scope, totals: list[ContractorCounts]
) -> dict[str, tuple[int, int]]:
    """Per contractor: (orders, amount in cents) that went through the random draw.

    The completed orders in scope (``totals``, from period_counts) less those mandatory at
    first sight (counted there too) and less those not decided yet; the latter are few, so a
    million orders are not walked again.
    """
    where, params = scope.where()
    found = {
        c.contractor: [c.orders - c.first_mandatory, c.spend_cents - c.first_mandatory_cents]
        for c in totals
    }
    for contractor, n, amount in conn.execute(
        f"""
        SELECT o.contractor, COUNT(*), SUM(o.amount_cents)
          FROM pending p CROSS JOIN orders o ON o.order_id = p.order_id
         WHERE {where}
           AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.order_id = o.order_id)
         GROUP BY +o.contractor
        """,
        params,
    ):
        found[contractor][0] -= n
        found[contractor][1] -= amount
    return {name: (n, amount) for name, (n, amount) in found.items()}


MonthRow = tuple[str, int, int, int, int]
"""(month "2026-11", orders completed, spend in cents, mandatory selections, random ones)."""


def months(conn: sqlite3.Connection, scope: Scope, counts: PeriodCounts) -> list[MonthRow]:
    """Orders, spend and selections per month of completion (the selections from `counts`)."""
    where, params = scope.where()
    return [
        (month, orders, spend, *counts.selections_by_month.get(month, [0, 0]))
        for month, orders, spend in conn.execute(
            f"""
            SELECT substr(o.completed_on, 1, 7), COUNT(*), SUM(o.amount_cents)
              FROM orders o WHERE {where} GROUP BY 1 ORDER BY 1
            """,
            params,
        )
    ]


@dataclass(frozen=True)
class ChainHead:
    """The seed commitment and the latest selection run, which the board report cites."""

    seed_commitment: str | None
    run_id: int | None
    run_at: str | None
    run_hash: str | None


def chain_head(conn: sqlite3.Connection) -> ChainHead:
    """What the board report's verification statement cites, read without writing."""
    run = conn.execute(
        "SELECT seed_commitment, run_id, created_at, hash FROM selection_runs "
        "ORDER BY run_id DESC LIMIT 1"
    ).fetchone() or (None, None, None, None)
    found = conn.execute("SELECT value FROM meta WHERE key = 'seed_commitment'").fetchone()
    commitment = found[0] if found else run[0]
    return ChainHead(commitment, run[1], run[2], run[3])


# --- split orders and signals ------------------------------------------------------------------


def split_candidates(
    conn: sqlite3.Connection,
    *,
    until: str | None = None,
    contractor: str | None = None,
    at_most_cents: int | None = None,
    order_ids: bool = True,
    rowids: tuple[int, int] | None = None,
    place_contractor: bool = True,
) -> tuple[str | None, str, str, str]:
    """Completed orders above zero (and at most `at_most_cents`, when given: split groups need
    no larger ones), completed on or before `until`, as four texts whose values
    are joined by char(30): order ids; places (contractor, char(31), then the dwelling id, or
    char(29) + address + char(31) + postcode, or nothing); completion dates; amounts in cents.

    One row leaves SQLite instead of one per order, which is most of the cost of the split
    report. No lower date bound: a split group depends on the orders before it. Without
    `order_ids` the first text is None: counting groups needs no ids, and reading them is a
    third of the read. `rowids` (after, up to): only the orders stored in that range, one part
    of them (see `order_parts`). Without `place_contractor` (with `contractor` given) the places
    are their dwelling parts only: the contractor is known, and joining it to every order's
    place is a fifth of the read.
    """
    clauses = ["completed_on IS NOT NULL", "amount_cents > 0"]
    params: list[Any] = []
    if until is not None:
        clauses.append("completed_on <= ?")
        params.append(until)
    if contractor is not None:
        clauses.append("contractor = ?")
        params.append(contractor)
    if at_most_cents is not None:
        clauses.append("amount_cents <= ?")
        params.append(at_most_cents)
    if rowids is not None:
        clauses.append("rowid > ? AND rowid <= ?")
        params.extend(rowids)
    place = "contractor || char(31) || " if place_contractor or contractor is None else ""
    row = conn.execute(
        f"""
        SELECT {"group_concat(order_id, char(30))" if order_ids else "NULL"},
               group_concat({place}coalesce(
                   dwelling_id, char(29) || address || char(31) || postcode, ''), char(30)),
               group_concat(completed_on, char(30)),
               group_concat(amount_cents, char(30))
          FROM orders WHERE {" AND ".join(clauses)}
        """,
        params,
    ).fetchone()
    ids, *rest = (value or "" for value in row)
    return (ids if order_ids else None, *rest)  # type: ignore[return-value]


def order_parts(conn: sqlite3.Connection, parts: int) -> list[tuple[int, int]]:
    """The orders' rowids cut into about equal ranges (after, up to), first to last."""
    last = conn.execute("SELECT coalesce(max(rowid), 0) FROM orders").fetchone()[0]
    cuts = [last * i // parts for i in range(parts + 1)]
    cuts[0] = -1
    return list(pairwise(cuts))


def order_places(
    conn: sqlite3.Connection, order_ids: list[str]
) -> dict[str, tuple[str | None, str | None]]:
    """Address and postcode of the given orders."""
    import json

    rows = conn.execute(
        """
        SELECT o.order_id, o.address, o.postcode
          FROM json_each(?) j CROSS JOIN orders o ON o.order_id = j.value
        """,
        [json.dumps(order_ids)],
    )
    return {order_id: (address, postcode) for order_id, address, postcode in rows}


def order_contractor(conn: sqlite3.Connection, order_id: str) -> str | None:
    """The contractor of one order, None when the order is unknown."""
    row = conn.execute("SELECT contractor FROM orders WHERE order_id = ?", [order_id]).fetchone()
    return None if row is None else row[0]
