"""Recompute every selection from the seed and check the run chain: the auditor's proof.

Each stored decision is decided again by `rule.decide_order` from the seed, the amount stored
with the decision and the threshold and rate of the run that made it; each run's hash is
recomputed from its stored fields, decisions, kept orders and pinned imports and must link to
the previous run. Every run's hash is also written to the audit log when it is made, so
deleting the newest run, which nothing links to yet, shows too. Amounts are cross-checked with
the orders' amendments. Only reads: a store rewritten consistently passes, which is what
receipts (`--receipts`) and the archived files (`inspect_cli.archive_check`) are for.
"""

from __future__ import annotations

import re
import sqlite3
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from inspect_cli import speedups, store
from inspect_cli.money import format_cents
from inspect_cli.rule import (
    AMENDED_ABOVE_THRESHOLD,
    KEPT_AFTER_DOWNWARD,
    NOT_SELECTED,
    REASONS,
    SPLIT_ABOVE_THRESHOLD,
    Outcome,
    decide_order,
)
from inspect_cli.selection import GENESIS_HASH, Columns, check_seed, run_hash
from inspect_cli.store import selections as db
from inspect_cli.workdays import due_date


@dataclass(frozen=True)
class Problem:
    """One thing that does not reproduce. kind: decision, chain, log, receipt, undecided,
    amount, mandatory or split."""

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
    anchors: list[str] = field(default_factory=list)
    """What outside the store the check was anchored to: "receipts", "files"."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def anchored(self, anchor: str, problems: list[Problem]) -> Verification:
        """This verification also checked against `anchor` (outside the store), which found
        `problems`."""
        return replace(self, problems=self.problems + problems, anchors=[*self.anchors, anchor])

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seed_commitment": self.seed_commitment,
            "runs": self.runs,
            "decisions": self.decisions,
            "anchors": self.anchors,
            "problems": [asdict(p) for p in self.problems],
        }


Receipt = tuple[int, str]
"""(run_id, run hash) as printed when the run was made."""

RECEIPT = re.compile(r"\brun(?:_id)?\W{0,4}([0-9]+)\b.*?\b([0-9a-fA-F]{64})\b")
"""A run id and a 64-hex hash on one line: ``run 3 hash …``, a log line holding it, the
select summary ``Selection run 3 as of …, hash …``, or JSON ``"run_id": 3, "run_hash": …``."""


def parse_receipts(text: str) -> list[Receipt]:
    """Every receipt in a text (pasted cron mails, log lines), one per line at most."""
    found = (RECEIPT.search(line) for line in text.splitlines())
    return [(int(m[1]), m[2].lower()) for m in found if m]


def verify(
    conn: sqlite3.Connection, seed: str, receipts: Sequence[Receipt] | None = None
) -> Verification:
    """Check the store against the seed and, when given, the receipts of its runs.

    Reads only: `conn` may be (and for the CLI is) a read-only connection. A seed that does not
    match the commitment raises SeedError.
    """
    commitment = check_seed(conn, seed)
    # A helper process for the tickets of many decisions starts now, to be ready for the draw.
    many = db.decisions_at_least(conn, speedups.SPLIT_FROM)
    with db.snapshot(conn), speedups.helper(many) as helper:
        runs = db.runs(conn)
        logged = db.logged_run_hashes(conn)
        split_rules, split_groups = db.run_split_rules(conn)
        # A thread works out each run's due date (loading the holiday calendar) and looks for
        # orders the runs missed, through a connection of its own, while this one reads the
        # decisions and checks them: both cores work. Each side checks one consistent state of
        # the store.
        with (
            store.reader(conn) as reader,
            speedups.beside(_due_dates, runs) as dues,
            speedups.beside(_check_completeness, reader) as completeness,
        ):
            decisions = _Decisions(*db.decision_columns(conn))
            problems = [
                *_check_log(conn),
                *_check_decisions(seed, runs, decisions, dues(), helper, split_groups),
                *_check_chain(
                    commitment,
                    runs,
                    decisions,
                    logged,
                    *db.run_population(conn),
                    split_rules,
                    split_groups,
                ),
                *completeness(),
                *_check_split_groups(conn, runs, decisions, split_rules, split_groups),
                *_check_split_completeness(conn, runs, split_rules),
            ]
    anchors: list[str] = []
    if receipts is not None:
        anchors.append("receipts")
        problems.extend(_check_receipts(runs, receipts))
    return Verification(commitment, len(runs), len(decisions.order_ids), problems, anchors)


def _check_log(conn: sqlite3.Connection) -> list[Problem]:
    """The audit log's seed_commitment event, written at init, must be there and match."""
    stored = store.seed_commitment(conn)
    logged = db.logged_seed_commitments(conn)
    if stored in logged:
        return []
    if not logged:
        return [Problem("log", "the audit log has no seed_commitment event (it was deleted)")]
    return [Problem("log", "the audit log's seed_commitment differs from the store's")]


def _check_receipts(runs: list[db.RunRow], receipts: Sequence[Receipt]) -> list[Problem]:
    """Each receipted run must be in the store with the receipted hash. A run's hash covers
    the hash before it, so a match pins every run up to it (with the chain check)."""
    stored = {run[0]: run[9] for run in runs}
    problems: list[Problem] = []
    for run_id, digest in sorted(set(receipts)):
        if run_id not in stored:
            message = f"run {run_id}: receipted (hash {digest}) but missing from the store"
        elif stored[run_id] != digest:
            message = (
                f"run {run_id}: its hash {stored[run_id]} differs from the receipt {digest}: "
                f"run {run_id} or a run before it was changed after the receipt was made"
            )
        else:
            continue
        problems.append(Problem("receipt", message, run_id))
    return problems


@dataclass(frozen=True)
class _Decisions:
    """Every stored decision as columns, ordered by run and then order id."""

    order_ids: list[str]
    run_ids: list[int]
    amounts: list[int]
    selected: list[int]
    reasons: list[str | None]
    due_on: list[str | None]

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
    """Run id -> the due date of the orders it selected; runs whose date or working days are
    malformed are left out (`_malformed` reports them)."""
    dues = {}
    for r in runs:
        try:
            dues[r[0]] = due_date(date.fromisoformat(r[2]), r[6]).isoformat()
        except (TypeError, ValueError, OverflowError):
            continue
    return dues


def _malformed(run: db.RunRow, due_of: dict[int, str]) -> str | None:
    """What makes a run's record unusable for deciding again, or None."""
    if not isinstance(run[4], int):
        return f"its threshold_cents {run[4]!r} is not a whole number"
    try:
        rate = Decimal(run[5])
    except (ArithmeticError, TypeError, ValueError):
        return f"its sample_rate {run[5]!r} is not a decimal"
    if not rate.is_finite() or not 0 <= rate <= 1:
        return f"its sample_rate {run[5]!r} is not between 0 and 1"
    if run[0] not in due_of:
        return f"its as_of {run[2]!r} or due_working_days {run[6]!r} is malformed"
    return None


def _check_decisions(
    seed: str,
    runs: list[db.RunRow],
    decisions: _Decisions,
    due_of: dict[int, str],
    helper: speedups.Helper | None = None,
    split_groups: db.SplitGroups | None = None,
) -> list[Problem]:
    """Decide every stored decision again with `rule.decide_order` and report those that differ.

    Decisions are taken in run order, so an order's earlier decisions are known when its
    later one (``amended_above_threshold``, ``split_above_threshold``) is checked. An order is
    in a split group for the rule when it is in a group its run recorded (`_check_split_groups`
    checks those groups). The tickets of each run's first decisions are drawn in one bulk call
    per run.
    """
    params = {r[0]: r for r in runs}
    d = decisions
    problems: list[Problem] = []
    repeated = _repeated_orders(d.order_ids, d.run_ids)
    selected_at: dict[str, int | None] = {}
    """Orders decided more than once, once decided: the amount each was selected at, or None."""
    for run_id, start, end in d.runs():
        run = params.get(run_id)
        if run is None:
            problems.extend(_missing_run(d, i) for i in range(start, end))
            continue
        wrong = _malformed(run, due_of)
        if wrong:
            problems.append(Problem("chain", f"run {run_id}: {wrong}", run_id))
            continue
        rate = Decimal(run[5])
        members = {m[0] for g in (split_groups or {}).get(run_id, []) for m in g[2]}
        threshold = run[4]
        rule = partial(decide_order, threshold_cents=threshold, sample_rate=rate)
        later = [i for i in range(start, end) if d.order_ids[i] in selected_at] if repeated else []
        first = range(start, end) if not later else sorted(set(range(start, end)) - set(later))
        ids = d.order_ids[start:end] if not later else [d.order_ids[i] for i in first]
        drawn = speedups.draw(seed, ids, rate, helper)
        amounts = d.amounts[start:end] if not later else [d.amounts[i] for i in first]
        # The rule called directly in a comprehension, as `selection.decide` does.
        firsts: list[Outcome | None] = [
            decide_order(
                amount,
                ticket,
                threshold_cents=threshold,
                sample_rate=rate,
                in_split_group=order_id in members,
            )
            for order_id, amount, ticket in zip(ids, amounts, drawn, strict=True)
        ]
        if not later:  # the usual run: every order decided for the first time
            outcomes = firsts
        else:
            want = dict(zip(first, firsts, strict=True))
            for i in later:
                want[i] = _decided_again(
                    d, i, rule, selected_at[d.order_ids[i]], d.order_ids[i] in members, problems
                )
            outcomes = [want[i] for i in range(start, end)]
        due = due_of[run_id]
        if not _agree(
            outcomes, d.reasons[start:end], d.selected[start:end], d.due_on[start:end], due
        ):
            for i, o in enumerate(outcomes, start):
                if o is not None:
                    problems.extend(_difference(d, i, o, due))
        for i in range(start, end) if repeated else ():
            order_id = d.order_ids[i]
            if order_id in repeated and selected_at.get(order_id) is None:
                selected_at[order_id] = d.amounts[i] if d.selected[i] else None
    problems.sort(key=lambda p: (p.run_id or 0, p.order_id or ""))
    return problems


def _agree(
    outcomes: list[Outcome | None],
    reasons: list[str | None],
    selected: list[int],
    due_on: list[str | None],
    due: str,
) -> bool:
    """Whether a run's stored decisions are the recomputed outcomes, with the run's due date on
    exactly the selected ones: whole columns compared at once (a stored ``selected`` of 1 or 0
    equals the outcome's True or False). False sends the run to the decision-by-decision
    comparison, which names each difference; so does an order the rule gave no decision (its
    problem is already reported)."""
    return (
        None not in outcomes
        and outcomes == list(zip(selected, reasons, strict=True))
        and due_on == [due if flag else None for flag in selected]
    )


def _decided_again(
    d: _Decisions, i: int, rule: Any, before: int | None, split: bool, problems: list[Problem]
) -> Outcome | None:
    """The rule for decision i of an order decided in an earlier run: None, and a problem,
    when the rule gives no such decision."""
    outcome = rule(
        d.amounts[i], None, decided_before=True, selected_at=before, in_split_group=split
    )
    if outcome in ((True, AMENDED_ABOVE_THRESHOLD), (True, SPLIT_ABOVE_THRESHOLD)):
        return outcome
    why = (
        "it was already selected"
        if before is not None
        else "it is not above the threshold nor in a split group of its run"
    )
    problems.append(
        Problem(
            "decision",
            f"{d.label(i)}: decided a second time, but {why}",
            d.run_ids[i],
            d.order_ids[i],
        )
    )
    return None


def _difference(d: _Decisions, i: int, want: Outcome, due: str) -> list[Problem]:
    """The stored decision i against the recomputed one: its reason, selection or due date."""
    selected, reason = want
    want_due = due if selected else None
    if d.reasons[i] != reason or bool(d.selected[i]) != selected:
        message = f"{d.label(i)}: stored {_label(d.reasons[i])}, recomputed {_label(reason)}"
    elif d.due_on[i] != want_due:
        message = f"{d.label(i)}: stored due date {d.due_on[i]}, recomputed {want_due}"
    else:
        return []
    return [Problem("decision", message, d.run_ids[i], d.order_ids[i])]


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


LOGGED_RUN = re.compile(r"run ([0-9]+) ([0-9a-f]{64})")
"""The detail of a 'selection_run' audit log entry."""


def _check_chain(
    commitment: str,
    runs: list[db.RunRow],
    decisions: _Decisions,
    logged: list[tuple[int, str]],
    kept: dict[int, list[str]],
    imports: dict[int, list[tuple[int, str | None]]],
    split_rules: dict[int, tuple[str, int]] | None = None,
    split_groups: db.SplitGroups | None = None,
) -> list[Problem]:
    """Recompute each run's hash, its link to the previous run and its audit log entry."""
    slices = {run_id: (start, end) for run_id, start, end in decisions.runs()}
    logged_hashes: dict[int, str] = {}
    problems: list[Problem] = []
    for entry_id, detail in logged:
        found = LOGGED_RUN.fullmatch(detail)
        if found is None:
            problems.append(
                Problem("log", f"audit log entry {entry_id}: not a run and its hash: {detail!r}")
            )
            continue
        logged_hashes[int(found[1])] = found[2]
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
        recipe = run[10]
        pinned = imports.get(run_id, [])
        gone = [import_id for import_id, sha256 in pinned if sha256 is None]
        if gone:
            problems.append(
                Problem(
                    "chain",
                    f"run {run_id}: the imports it pins are missing: " + ", ".join(map(str, gone)),
                    run_id,
                )
            )
        if counts is None:
            problems.append(Problem("chain", f"run {run_id}: its counts are not JSON", run_id))
            counts = {}
        split_rule, split_window = (split_rules or {}).get(run_id, ("", 0))
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
            kept=kept.get(run_id, []),
            imports=[(i, sha or "") for i, sha in pinned],
            split_rule=split_rule,
            split_window_days=split_window,
            split_groups=(split_groups or {}).get(run_id, []),
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
        recount = {
            reason: reasons.count(reason)
            for reason in REASONS
            if recipe >= 4 or reason != SPLIT_ABOVE_THRESHOLD
        }
        recount[NOT_SELECTED] = reasons.count(None)
        if recipe >= 3:
            recount[KEPT_AFTER_DOWNWARD] = len(kept.get(run_id, []))
        unknown = sum(recount.values()) - recount.get(KEPT_AFTER_DOWNWARD, 0) != len(reasons)
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
    undecided, changed = db.settled_off_their_decisions(conn)
    problems = [
        Problem(
            "undecided",
            f"order {order_id}: completed on {completed_on} but has no decision "
            "(decisions or a run were deleted)",
            order_id=order_id,
        )
        for order_id, completed_on in undecided
    ]
    later = db.later_decisions(conn)
    revised = db.revised_amounts(conn, [r[0] for r in changed] + [r[0] for r in later])
    for order_id, run_id, before in later:
        if before not in revised.get(order_id, set()):
            problems.append(
                Problem(
                    "amount",
                    f"order {order_id} (run {run_id}): decided again, but no amendment of the "
                    f"order from {format_cents(before)} is recorded",
                    run_id,
                    order_id,
                )
            )
    for order_id, amount, decided_on, ever_selected, threshold, rate in changed:
        if decided_on not in revised.get(order_id, set()):
            problems.append(
                Problem(
                    "amount",
                    f"order {order_id}: its amount {format_cents(amount)} differs from the "
                    f"{format_cents(decided_on)} it was decided on, and no amendment of the "
                    "order explains it",
                    order_id=order_id,
                )
            )
            continue
        try:
            sample_rate = Decimal(rate)
        except (ArithmeticError, TypeError, ValueError):
            continue  # reported with its run
        if not isinstance(threshold, int):
            continue  # reported with its run
        outcome = decide_order(
            amount,
            None,
            threshold_cents=threshold,
            sample_rate=sample_rate,
            decided_before=True,
            selected_at=decided_on if ever_selected else None,
        )
        if outcome == (True, AMENDED_ABOVE_THRESHOLD):
            problems.append(
                Problem(
                    "mandatory",
                    f"order {order_id}: {format_cents(amount)} is above the threshold "
                    f"{format_cents(threshold)} but the order was never selected",
                    order_id=order_id,
                )
            )
    return problems


def _check_split_groups(
    conn: sqlite3.Connection,
    runs: list[db.RunRow],
    decisions: _Decisions,
    split_rules: dict[int, tuple[str, int]],
    split_groups: db.SplitGroups,
) -> list[Problem]:
    """Soundness of the split rule: each group a run recorded must be a split group by the
    rule of `inspect_cli.splits`, on the amounts and dates recorded with it, under the run's
    threshold and window; its contractor must be the stored orders' contractor, and each
    recorded amount one the order was decided on or had before an amendment. Whether each
    ``split_above_threshold`` decision is in a group of its run, `_check_decisions` checks."""
    if not split_groups:
        return []
    # Imported here, as in `_check_split_completeness`: a store that never used the split rule
    # is verified without loading it.
    from inspect_cli.splits import why_not_a_group

    thresholds = {r[0]: r[4] for r in runs}
    ids = [m[0] for groups in split_groups.values() for g in groups for m in g[2]]
    contractors = db.order_contractors(conn, ids)
    revised = db.revised_amounts(conn, ids)
    # The amount of each order's latest decision: a group member is selected, by its run or
    # before it, on the amount it had then.
    decided = dict(zip(decisions.order_ids, decisions.amounts, strict=True))
    problems: list[Problem] = []
    for run_id, groups in sorted(split_groups.items()):
        rule, window = split_rules.get(run_id, ("", 0))
        threshold = thresholds.get(run_id)
        if rule != "select" or not isinstance(threshold, int):
            problems.append(
                Problem(
                    "split", f"run {run_id}: records split groups without the split rule", run_id
                )
            )
            continue
        for contractor, _, members in groups:
            label = f"run {run_id}: split group {', '.join(m[0] for m in members)}"
            wrong = why_not_a_group(members, threshold_cents=threshold, window_days=window)
            for order_id, amount, _ in members:
                if contractors.get(order_id) != contractor:
                    wrong.append(f"order {order_id} is not an order of {contractor}")
                elif amount != decided.get(order_id) and amount not in revised.get(order_id, set()):
                    wrong.append(f"order {order_id} never had the amount {format_cents(amount)}")
            problems.extend(
                Problem("split", f"{label}: not a split group: {why}", run_id) for why in wrong
            )
    return problems


def _check_split_completeness(
    conn: sqlite3.Connection, runs: list[db.RunRow], split_rules: dict[int, tuple[str, int]]
) -> list[Problem]:
    """Completeness of the split rule: after the latest run made with ``split_rule = "select"``,
    every order of a split group among the orders decided by then (and not amended since) must
    be selected."""
    latest = next((r for r in reversed(runs) if split_rules.get(r[0], ("",))[0] == "select"), None)
    if latest is None or not isinstance(latest[4], int):
        return []
    run_id, as_of, threshold = latest[0], latest[2], latest[4]
    from inspect_cli.splits import candidates_from_text, find_split_groups

    orders = candidates_from_text(*db.decided_split_candidates(conn, run_id, as_of, threshold))
    groups = find_split_groups(
        orders, threshold_cents=threshold, window_days=split_rules[run_id][1]
    )
    if not groups:
        return []
    selected = db.selected_among(conn, [i for g in groups for i in g.order_ids])
    return [
        Problem(
            "split",
            f"order {order_id}: in a split group of {g.contractor} ({', '.join(g.order_ids)}; "
            f"{format_cents(g.total_cents)} together) but not selected by run {run_id}",
            run_id,
            order_id,
        )
        for g in groups
        for order_id in g.order_ids
        if order_id not in selected
    ]
