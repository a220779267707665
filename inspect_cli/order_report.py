"""The ``show`` report: everything known about one order, and why it was or was not selected.

It explains each stored decision with the rule (`inspect_cli.rule`) and names the split group
the order belongs to, whatever the workspace's ``split_rule``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from inspect_cli import seeds, store
from inspect_cli.errors import UnknownOrder
from inspect_cli.money import format_cents
from inspect_cli.rule import (
    ABOVE_THRESHOLD,
    AMENDED_ABOVE_THRESHOLD,
    NOT_SELECTED,
    RANDOM_SAMPLE,
    SPLIT_ABOVE_THRESHOLD,
    Outcome,
    decide_order,
)
from inspect_cli.sampling import ticket, ticket_prefix
from inspect_cli.signals import stored_group_of_order
from inspect_cli.store import orders as order_store
from inspect_cli.store import selections as db


def order_report(
    conn: sqlite3.Connection,
    order_id: str,
    *,
    seed: str | None,
    today: date,
    threshold_cents: int,
    split_window_days: int,
    money: Callable[[int], str] = format_cents,
    day: Callable[[str], str] = str,
) -> dict[str, Any]:
    """Everything known about one order and why it was or was not selected (``show``).

    Without the seed, or with one that does not match the commitment, the ticket cannot be
    shown; the rest still can. The split group is the one the workspace's threshold and
    window give over the stored orders now. `money` and `day` write the amounts in the reasons
    and the dates in the status, as the workspace's other output does.
    """
    order = order_store.get_order(conn, order_id)
    if order is None:
        raise UnknownOrder(f"unknown order {order_id!r}")
    decisions = db.order_decisions(conn, order_id)
    inspections = db.order_inspections(conn, order_id)
    usable = seeds.matches(seed, store.seed_commitment(conn))
    full = ticket(seed, order_id) if usable and seed is not None else None
    shown = ticket_prefix(seed, order_id) if usable and seed is not None else None
    decided_before, selected_at = False, None
    for d in decisions:
        d["selected"] = bool(d["selected"])
        d["why"] = _why(d, shown, _recompute(d, full, decided_before, selected_at), money)
        if d["selected"] and selected_at is None:
            selected_at = d["amount_cents"]
        decided_before = True
    revisions = db.order_revisions(conn, order_id)
    group = stored_group_of_order(
        conn, order_id, threshold_cents=threshold_cents, window_days=split_window_days
    )
    return {
        "order": order,
        "revisions": [{**r, "changes": _changes(r, revisions, order)} for r in revisions],
        "imports": db.imports_by_id(conn, (order["first_import_id"], order["last_import_id"])),
        "ticket": shown,
        "decisions": decisions,
        "status": _status(order, decisions, inspections, today, day),
        "split_group": None
        if group is None
        else {
            "contractor": group.contractor,
            "dwelling_id": group.dwelling_id,
            "address": group.address,
            "postcode": group.postcode,
            "order_ids": list(group.order_ids),
            "first_on": group.first_on,
            "last_on": group.last_on,
            "total_cents": group.total_cents,
        },
        "inspections": inspections,
        "satisfaction": db.order_satisfaction(conn, order_id),
    }


def _changes(
    revision: dict[str, Any], revisions: list[dict[str, Any]], order: dict[str, Any]
) -> list[dict[str, Any]]:
    """What one amendment changed: each field whose value before differs from the value after
    (the next revision's old values, or the order as it is now), as {field, was, now}.

    A revision keeps every old value, changed or not, so the unchanged ones are left out here.
    """
    later = revisions.index(revision) + 1
    after = revisions[later]["old_values"] if later < len(revisions) else order
    return [
        {"field": key, "was": was, "now": after.get(key)}
        for key, was in revision["old_values"].items()
        if key in after and after.get(key) != was
    ]


def _recompute(
    decision: dict[str, Any], full_ticket: str | None, decided_before: bool, selected_at: int | None
) -> Outcome | None:
    """What the rule gives for a stored decision; None when it needs the ticket and the seed
    was not given, or when it gives no decision at all. A split decision is recomputed by
    `verify` over its run's recorded group, not here."""
    if decision["reason"] == SPLIT_ABOVE_THRESHOLD:
        return None
    try:
        return decide_order(
            decision["amount_cents"],
            full_ticket,
            threshold_cents=decision["threshold_cents"],
            sample_rate=Decimal(decision["sample_rate"]),
            decided_before=decided_before,
            selected_at=selected_at,
        )
    except ValueError:  # the ticket is needed and unknown
        return None


def _why(
    decision: dict[str, Any],
    ticket: str | None,
    outcome: Outcome | None,
    money: Callable[[int], str] = format_cents,
) -> str:
    """The rule that made a decision, in words, with the numbers it compared; a decision the
    rule does not give (with the seed, `outcome`) is said to be one."""
    amount, threshold = money(decision["amount_cents"]), money(decision["threshold_cents"])
    reason = decision["reason"]
    if reason == ABOVE_THRESHOLD:
        why = f"amount {amount} is above the threshold {threshold}: mandatory control"
    elif reason == AMENDED_ABOVE_THRESHOLD:
        why = f"amended to {amount}, above the threshold {threshold}: mandatory control"
    elif reason == SPLIT_ABOVE_THRESHOLD:
        why = (
            f"amount {amount} is one order of a split group above the threshold {threshold}: "
            "mandatory control"
        )
    else:
        shown = f"ticket {ticket}…" if ticket else "its ticket"
        rate = decision["sample_rate"]
        below = "is below" if reason == RANDOM_SAMPLE else "is not below"
        why = f"amount {amount} is not above {threshold}; {shown} {below} the rate {rate}"
    if outcome is not None and outcome[1] != reason:
        why += f" (but the rule gives {outcome[1] or NOT_SELECTED}: run `verify`)"
    return why


def _status(
    order: dict[str, Any],
    decisions: list[dict[str, Any]],
    inspections: list[dict[str, Any]],
    today: date,
    day: Callable[[str], str] = str,
) -> str:
    if order["completed_on"] is None:
        return "not completed yet: decided once a file gives its completion date"
    if not decisions:
        return "waiting for the next selection run"
    chosen = next((d for d in decisions if d["selected"]), None)
    if chosen is None:
        if order["pending"]:
            return "not selected; amended since, the next run looks at it again"
        return "not selected"
    final = [i for i in inspections if i["result"] != "no_access"]
    if final:
        last = final[-1]
        return f"inspected on {day(last['inspected_on'])}: {last['result']}"
    status = f"open, due on {day(chosen['due_on'])}"
    if chosen["due_on"] < today.isoformat():
        status += " (overdue)"
    if inspections:
        status += f"; no access on {day(inspections[-1]['inspected_on'])}"
    return status
