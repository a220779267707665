"""Recompute every selection from the seed and check the run chain: the auditor's proof.

Each stored decision is decided again from the seed, the amount stored with the decision and
the threshold and rate of the run that made it; each run's hash is recomputed from its stored
fields and decisions and must link to the previous run. Every run's hash is also written to the
audit log when it is made, so deleting the newest run, which nothing links to yet, shows too.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from inspect_cli import store
from inspect_cli.errors import SeedError
from inspect_cli.money import format_cents
from inspect_cli.sampling import sampled
from inspect_cli.selection import (
    ABOVE_THRESHOLD,
    AMENDED_ABOVE_THRESHOLD,
    GENESIS_HASH,
    NOT_SELECTED,
    RANDOM_SAMPLE,
    REASONS,
    Columns,
    check_seed,
    is_above_threshold,
    run_hash,
    run_hash_recipe_1,
)
from inspect_cli.store import selections as db
from inspect_cli.workdays import due_date


@dataclass(frozen=True)
class Problem:
    """One thing that does not reproduce. kind: decision, chain, undecided or mandatory."""

    kind: str
    message: str
    run_id: int | None = None
    order_id: str | None = None


@dataclass(frozen=True)
class Verification:
    seed_commitment: str
    runs: int
    decisions: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seed_commitment": self.seed_commitment,
            "runs": self.runs,
            "decisions": self.decisions,
            "problems": [asdict(p) for p in self.problems],
        }


def verify(conn: sqlite3.Connection, seed: str, now: datetime) -> Verification:
    """Check the store against the seed and write the outcome to the audit log.

    A seed that does not match the commitment raises SeedError (and is logged too).
    """
    try:
        commitment = check_seed(conn, seed)
    except SeedError as e:
        with store.transaction(conn):
            store.log_event(conn, now, "verify", f"failed: {e}")
        raise
    with db.snapshot(conn):
        runs = db.runs(conn)
        decisions = db.all_decisions(conn)
        logged = db.logged_run_hashes(conn)
        # The decisions and the chain are checked in a thread while SQLite looks for orders
        # the runs missed.
        with ThreadPoolExecutor(max_workers=1) as pool:
            checking = pool.submit(
                lambda: [
                    *_check_decisions(seed, runs, decisions),
                    *_check_chain(commitment, runs, decisions, logged),
                ]
            )
            completeness = _check_completeness(conn)
            problems = [*checking.result(), *completeness]
    result = Verification(commitment, len(runs), len(decisions), problems)
    outcome = "ok" if result.ok else f"failed: {len(problems)} problems"
    with store.transaction(conn):
        store.log_event(
            conn,
            now,
            "verify",
            f"{outcome}; {result.decisions} decisions in {result.runs} runs; "
            f"seed commitment {commitment}",
        )
    return result


def _label(reason: str | None) -> str:
    return reason or NOT_SELECTED.replace("_", " ")


def _check_decisions(
    seed: str, runs: list[db.RunRow], decisions: list[db.DecisionRow]
) -> list[Problem]:
    """Decide every stored decision again and report those that differ.

    Decisions come in run order, so an order's earlier decisions are known when its later one
    (``amended_above_threshold``) is checked. Most orders have one decision, the first of its
    order: those are sorted out run by run in bulk, the few orders decided more than once one
    decision at a time. Tickets are drawn in one bulk call per rate.
    """
    params = {r[0]: r for r in runs}
    problems: list[Problem] = []
    expected: list[tuple[int, str | None]] = []  # decision index, recomputed reason
    draws: dict[str, list[int]] = defaultdict(list)  # sample rate -> decisions to draw
    repeated = _repeated_orders(decisions)
    start = 0
    for run_id, group in groupby(map(itemgetter(1), decisions)):
        end = start + len(list(group))
        indexes = [i for i in range(start, end) if decisions[i][0] not in repeated]
        start = end
        run = params.get(run_id)
        if run is None:
            problems.extend(_missing_run(decisions[i]) for i in indexes)
            continue
        above = [decisions[i][2] > run[4] for i in indexes]  # is_above_threshold, in bulk
        expected.extend((i, ABOVE_THRESHOLD) for i, a in zip(indexes, above, strict=True) if a)
        draws[run[5]].extend(i for i, a in zip(indexes, above, strict=True) if not a)
    ever_selected: dict[str, bool] = {}
    for i in (i for i, d in enumerate(decisions) if d[0] in repeated):
        order_id, run_id, amount, selected, _reason, _due = decisions[i]
        run = params.get(run_id)
        before = ever_selected.get(order_id)
        ever_selected[order_id] = bool(before) or bool(selected)
        if run is None:
            problems.append(_missing_run(decisions[i]))
        elif before is None:
            if is_above_threshold(amount, run[4]):
                expected.append((i, ABOVE_THRESHOLD))
            else:
                draws[run[5]].append(i)
        elif not before and is_above_threshold(amount, run[4]):
            expected.append((i, AMENDED_ABOVE_THRESHOLD))
        else:
            why = "it was already selected" if before else "it is not above the threshold"
            problems.append(
                Problem(
                    "decision",
                    f"order {order_id} (run {run_id}): decided a second time, but {why}",
                    run_id,
                    order_id,
                )
            )
    for rate, indexes in draws.items():
        hits = sampled(seed, [decisions[i][0] for i in indexes], Decimal(rate))
        expected.extend(
            (i, RANDOM_SAMPLE if hit else None) for i, hit in zip(indexes, hits, strict=True)
        )
    due_on_of: dict[int, str] = {}  # run id -> due date of the orders it selected
    for i, want in expected:
        order_id, run_id, _amount, selected, reason, due_on = decisions[i]
        if reason != want or bool(selected) != (want is not None):
            problems.append(
                Problem(
                    "decision",
                    f"order {order_id} (run {run_id}): stored {_label(reason)}, "
                    f"recomputed {_label(want)}",
                    run_id,
                    order_id,
                )
            )
            continue
        want_due = None
        if want:
            want_due = due_on_of.get(run_id)
            if want_due is None:
                run = params[run_id]
                want_due = due_on_of[run_id] = due_date(
                    date.fromisoformat(run[2]), run[6]
                ).isoformat()
        if due_on != want_due:
            problems.append(
                Problem(
                    "decision",
                    f"order {order_id} (run {run_id}): stored due date {due_on}, "
                    f"recomputed {want_due}",
                    run_id,
                    order_id,
                )
            )
    problems.sort(key=lambda p: (p.run_id or 0, p.order_id or ""))
    return problems


def _repeated_orders(decisions: list[db.DecisionRow]) -> set[str]:
    """Orders with more than one decision (amended above the threshold, or tampered with)."""
    order_ids = list(map(itemgetter(0), decisions))
    if len(set(order_ids)) == len(order_ids):
        return set()
    return {order_id for order_id, n in Counter(order_ids).items() if n > 1}


def _missing_run(decision: db.DecisionRow) -> Problem:
    order_id, run_id = decision[0], decision[1]
    return Problem("decision", f"order {order_id}: its run {run_id} is missing", run_id, order_id)


def _check_chain(
    commitment: str,
    runs: list[db.RunRow],
    decisions: list[db.DecisionRow],
    logged: list[str],
) -> list[Problem]:
    """Recompute each run's hash, its link to the previous run and its audit log entry."""
    # Decisions come sorted by run: take each run's in one slice.
    by_run: dict[int, list[tuple[str, int, int, str | None, str | None]]] = {}
    for run_id, group in groupby(decisions, key=itemgetter(1)):
        by_run.setdefault(run_id, []).extend(
            (order_id, amount, selected, reason, due_on)
            for order_id, _, amount, selected, reason, due_on in group
        )
    logged_hashes: dict[int, str] = {}
    for detail in logged:
        _, run_id, digest = detail.split(" ")
        logged_hashes[int(run_id)] = digest
    problems: list[Problem] = []
    previous: db.RunRow | None = None
    for run in runs:
        run_id, created_at, as_of, seed_commitment, threshold, rate, days, counts = run[:8]
        prev_hash, digest = run[8], run[9]
        link = previous[9] if previous else GENESIS_HASH
        if prev_hash != link:
            after = f"run {previous[0]}" if previous else "the start of the chain"
            missing = (previous[0] + 1 if previous else 1) != run_id
            problems.append(
                Problem(
                    "chain",
                    f"run {run_id}: does not link to {after}"
                    + (" (the runs in between were deleted)" if missing else ""),
                    run_id,
                )
            )
        own = by_run.get(run_id, [])
        recipe = run_hash_recipe_1 if run[10] == 1 else run_hash
        recomputed = recipe(
            run_id=run_id,
            created_at=created_at,
            as_of=as_of,
            seed_commitment=seed_commitment,
            threshold_cents=threshold,
            sample_rate=rate,
            due_working_days=days,
            counts=counts,
            decisions=own if run[10] == 1 else _columns(own),
            prev_hash=prev_hash,
        )
        if recomputed != digest:
            problems.append(
                Problem(
                    "chain",
                    f"run {run_id}: its record or decisions changed after it was made "
                    "(hash mismatch)",
                    run_id,
                )
            )
        if seed_commitment != commitment:
            problems.append(
                Problem("chain", f"run {run_id}: made with another seed commitment", run_id)
            )
        recount = dict.fromkeys((*REASONS, NOT_SELECTED), 0)
        for reason, n in Counter(map(itemgetter(3), own)).items():
            recount[reason or NOT_SELECTED] += n
        if any(counts.get(k) != v for k, v in recount.items()):
            problems.append(
                Problem("chain", f"run {run_id}: its counts do not match its decisions", run_id)
            )
        logged_hash = logged_hashes.pop(run_id, None)
        if logged_hash != digest:
            where = (
                "is not in the audit log"
                if logged_hash is None
                else ("differs from the one in the audit log")
            )
            problems.append(Problem("chain", f"run {run_id}: its hash {where}", run_id))
        previous = run
    problems.extend(
        Problem("chain", f"run {run_id}: in the audit log but missing from the store", run_id)
        for run_id in sorted(logged_hashes)
    )
    return problems


def _columns(rows: list[tuple[str, int, int, str | None, str | None]]) -> Columns:
    """A run's decision rows, in order id order, as the columns its hash (recipe 2) covers."""
    if not rows:
        return [], [], [], [], []
    return tuple(map(list, zip(*sorted(rows), strict=True)))  # type: ignore[return-value]


def _check_completeness(conn: sqlite3.Connection) -> list[Problem]:
    """Orders the runs should have decided or selected and did not."""
    problems = [
        Problem(
            "undecided",
            f"order {order_id}: completed on {completed_on} but has no decision "
            "(decisions or a run were deleted)",
            order_id=order_id,
        )
        for order_id, completed_on in db.undecided_orders(conn)
    ]
    problems.extend(
        Problem(
            "mandatory",
            f"order {order_id}: {format_cents(amount)} is above the threshold "
            f"{format_cents(threshold)} but the order was never selected",
            order_id=order_id,
        )
        for order_id, amount, threshold in db.missed_mandatory(conn)
    )
    return problems
