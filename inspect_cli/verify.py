"""Recompute every selection from the seed and check the run chain: the auditor's proof.

Each stored decision is decided again from the seed, the amount stored with the decision and
the threshold and rate of the run that made it; each run's hash is recomputed from its stored
fields and decisions and must link to the previous run. Every run's hash is also written to the
audit log when it is made, so deleting the newest run, which nothing links to yet, shows too.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import compress
from typing import Any

from inspect_cli import store, tickets
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
        store.record_event(conn, now, "verify", f"failed: {e}")
        raise
    # A helper process for the tickets of many decisions starts now, to be ready for the draw.
    many = db.decisions_at_least(conn, tickets.SPLIT_FROM)
    with db.snapshot(conn), tickets.helper(many) as helper:
        runs = db.runs(conn)
        logged = db.logged_run_hashes(conn)
        # A thread works out each run's due date (loading the holiday calendar) and looks for
        # orders the runs missed, through a connection of its own, while this one reads the
        # decisions and checks them: both cores work. Each side checks one consistent state of
        # the store.
        with ThreadPoolExecutor(max_workers=1) as pool, store.reader(conn) as reader:
            dues = pool.submit(_due_dates, runs)
            completeness = pool.submit(_check_completeness, reader)
            values, texts = db.decision_columns(conn)
            decisions = _Decisions(*values, texts=texts)
            problems = [
                *_check_decisions(seed, runs, decisions, dues.result(), helper),
                *_check_chain(commitment, runs, decisions, logged),
                *completeness.result(),
            ]
    result = Verification(commitment, len(runs), len(decisions.order_ids), problems)
    outcome = "ok" if result.ok else f"failed: {len(problems)} problems"
    store.record_event(
        conn,
        now,
        "verify",
        f"{outcome}; {result.decisions} decisions in {result.runs} runs; "
        f"seed commitment {commitment}",
    )
    return result


@dataclass(frozen=True)
class _Decisions:
    """Every stored decision as columns, ordered by run and then order id."""

    order_ids: list[str]
    run_ids: list[int]
    amounts: list[int]
    selected: list[int]
    reasons: list[str | None]
    due_on: list[str | None]
    texts: dict[str, str] = field(default_factory=dict)
    """The JSON text SQLite wrote for each column, by name."""

    def runs(self) -> list[tuple[int, int, int]]:
        """(run_id, start, end): the slice of each run's decisions."""
        slices, start, run_ids = [], 0, self.run_ids
        while start < len(run_ids):
            end = bisect_right(run_ids, run_ids[start], lo=start)
            slices.append((run_ids[start], start, end))
            start = end
        return slices

    def columns(self, start: int, end: int) -> Columns:
        """One run's decisions as the columns of its hash (recipe 2)."""
        if (start, end) == (0, len(self.order_ids)):
            return self.order_ids, self.amounts, self.selected, self.reasons, self.due_on
        return (
            self.order_ids[start:end],
            self.amounts[start:end],
            self.selected[start:end],
            self.reasons[start:end],
            self.due_on[start:end],
        )

    def label(self, i: int) -> str:
        return f"order {self.order_ids[i]} (run {self.run_ids[i]})"


def _label(reason: str | None) -> str:
    return reason or NOT_SELECTED.replace("_", " ")


def _due_dates(runs: list[db.RunRow]) -> dict[int, str]:
    """Run id -> the due date of the orders it selected."""
    return {r[0]: due_date(date.fromisoformat(r[2]), r[6]).isoformat() for r in runs}


def _check_decisions(
    seed: str,
    runs: list[db.RunRow],
    decisions: _Decisions,
    due_of: dict[int, str],
    helper: tickets.Helper | None = None,
) -> list[Problem]:
    """Decide every stored decision again and report those that differ.

    Most orders have one decision: those are decided run by run in bulk, and the recomputed
    columns are compared with the stored ones as whole lists; only when they differ are the
    differences looked for one by one. The few orders decided more than once are taken one
    decision at a time, in run order, so an order's earlier decisions are known when its
    later one (``amended_above_threshold``) is checked. Tickets are drawn in one bulk call per
    rate.
    """
    params = {r[0]: r for r in runs}
    d = decisions
    problems: list[Problem] = []
    # The recomputed reason of each decision; decisions that cannot be recomputed (their run
    # is missing, or a second decision that should not exist) keep the stored one and are
    # reported apart.
    want: list[str | None] = list(d.reasons)
    skip: set[int] = set()
    draws: dict[str, list[int]] = defaultdict(list)  # sample rate -> decisions to draw
    repeated = _repeated_orders(d.order_ids, d.run_ids)
    for run_id, start, end in d.runs():
        run = params.get(run_id)
        if run is None:
            problems.extend(_missing_run(d, i) for i in range(start, end))
            skip.update(range(start, end))
            continue
        threshold, amounts = run[4], d.amounts[start:end]
        first = range(start, end)
        if repeated:  # those are decided one by one below
            first = [i for i in first if d.order_ids[i] not in repeated]
            amounts = [d.amounts[i] for i in first]
        # is_above_threshold, inlined: this runs once per decision. Those not above are drawn.
        above = [ABOVE_THRESHOLD if a > threshold else None for a in amounts]
        if isinstance(first, range):
            want[start:end] = above
        else:
            for i, reason in zip(first, above, strict=True):
                want[i] = reason
        draws[run[5]].extend([i for i, a in zip(first, amounts, strict=True) if a <= threshold])
    problems.extend(_check_repeated(d, params, repeated, want, draws, skip))
    # Every decision to draw wants None so far: only the drawn ones change.
    for rate, indexes in draws.items():
        hits = sampled(seed, [d.order_ids[i] for i in indexes], Decimal(rate), helper=helper)
        for i in compress(indexes, hits):
            want[i] = RANDOM_SAMPLE
    want_due = (
        [due_of[run_id] if reason else None for run_id, reason in zip(d.run_ids, want, strict=True)]
        if not skip
        else [
            d.due_on[i] if i in skip else due_of[run_id] if reason else None
            for i, (run_id, reason) in enumerate(zip(d.run_ids, want, strict=True))
        ]
    )
    want_selected = [1 if reason else 0 for reason in want]
    if (want, want_selected, want_due) != (d.reasons, d.selected, d.due_on):
        problems.extend(_differences(d, want, want_due, skip))
    problems.sort(key=lambda p: (p.run_id or 0, p.order_id or ""))
    return problems


def _check_repeated(
    d: _Decisions,
    params: dict[int, db.RunRow],
    repeated: set[str],
    want: list[str | None],
    draws: dict[str, list[int]],
    skip: set[int],
) -> list[Problem]:
    """Recompute the decisions of orders decided more than once, in run order; a decision
    that should not exist is reported and left out of the comparison (`skip`)."""
    problems: list[Problem] = []
    ever_selected: dict[str, bool] = {}
    for i in (i for i, order_id in enumerate(d.order_ids) if order_id in repeated):
        order_id, amount, selected = d.order_ids[i], d.amounts[i], d.selected[i]
        run = params.get(d.run_ids[i])
        before = ever_selected.get(order_id)
        ever_selected[order_id] = bool(before) or bool(selected)
        if run is None:
            continue  # reported with its run
        if before is None:
            if is_above_threshold(amount, run[4]):
                want[i] = ABOVE_THRESHOLD
            else:
                want[i] = None  # unless its ticket is drawn
                draws[run[5]].append(i)
        elif not before and is_above_threshold(amount, run[4]):
            want[i] = AMENDED_ABOVE_THRESHOLD
        else:
            why = "it was already selected" if before else "it is not above the threshold"
            skip.add(i)
            problems.append(
                Problem(
                    "decision",
                    f"{d.label(i)}: decided a second time, but {why}",
                    d.run_ids[i],
                    order_id,
                )
            )
    return problems


def _differences(
    d: _Decisions, want: list[str | None], want_due: list[str | None], skip: set[int]
) -> list[Problem]:
    """The decisions whose stored reason, selection or due date differs from the recomputed."""
    problems: list[Problem] = []
    for i, (reason, wanted) in enumerate(zip(d.reasons, want, strict=True)):
        if i in skip:
            continue
        if reason != wanted or bool(d.selected[i]) != (wanted is not None):
            message = f"{d.label(i)}: stored {_label(reason)}, recomputed {_label(wanted)}"
        elif d.due_on[i] != want_due[i]:
            message = f"{d.label(i)}: stored due date {d.due_on[i]}, recomputed {want_due[i]}"
        else:
            continue
        problems.append(Problem("decision", message, d.run_ids[i], d.order_ids[i]))
    return problems


def _repeated_orders(order_ids: list[str], run_ids: list[int]) -> set[str]:
    """Orders with more than one decision (amended above the threshold, or tampered with).

    A run decides an order once (the primary key is order and run), so there are none when a
    single run made every decision.
    """
    if not run_ids or run_ids[0] == run_ids[-1] or len(set(order_ids)) == len(order_ids):
        return set()
    return {order_id for order_id, n in Counter(order_ids).items() if n > 1}


def _missing_run(d: _Decisions, i: int) -> Problem:
    order_id, run_id = d.order_ids[i], d.run_ids[i]
    return Problem("decision", f"order {order_id}: its run {run_id} is missing", run_id, order_id)


def _check_chain(
    commitment: str,
    runs: list[db.RunRow],
    decisions: _Decisions,
    logged: list[str],
) -> list[Problem]:
    """Recompute each run's hash, its link to the previous run and its audit log entry."""
    slices = {run_id: (start, end) for run_id, start, end in decisions.runs()}
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
        start, end = slices.get(run_id, (0, 0))
        own = decisions.columns(start, end)
        whole = (start, end) == (0, len(decisions.order_ids))  # the only run with decisions
        recipe = run[10]
        recomputed = run_hash(
            run_id=run_id,
            created_at=created_at,
            as_of=as_of,
            seed_commitment=seed_commitment,
            threshold_cents=threshold,
            sample_rate=rate,
            due_working_days=days,
            counts=counts,
            decisions=list(zip(*own, strict=True)) if recipe == 1 else own,
            prev_hash=prev_hash,
            recipe=recipe,
            texts=decisions.texts if whole else None,
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
        reasons = own[3]
        recount = {reason: reasons.count(reason) for reason in REASONS}
        recount[NOT_SELECTED] = reasons.count(None)
        unknown = sum(recount.values()) != len(reasons)
        if unknown or any(counts.get(k) != v for k, v in recount.items()):
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
