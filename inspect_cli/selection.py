"""Selection runs: the pending orders decided by the rule, and a record an auditor can verify.

The rule itself (threshold, split groups, ticket below the rate, amendments) is
`inspect_cli.rule`; this module applies it to every order the first run that sees it completed,
and to orders amended since their decision, so new orders, file order or batch size never change
an earlier decision. Under ``split_rule = "select"`` a run also finds the split groups among the
stored orders (`inspect_cli.splits`) and decides again the orders of a group not selected yet.

Each run is stored with its parameters, its decisions, the orders it kept after a downward
amendment, the files imported since the run before, and its split rule and the split groups it
acted on, with a SHA-256 hash over them and the previous run's hash (`run_hash`), so that
changing or deleting a run breaks the chain; the run's receipt (`receipt`) carries that hash out
of the building.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property, partial
from itertools import compress
from typing import TYPE_CHECKING, Any

from inspect_cli import seeds, speedups, store
from inspect_cli.config import Config
from inspect_cli.rule import (
    ABOVE_THRESHOLD,
    AMENDED_ABOVE_THRESHOLD,
    KEPT_AFTER_DOWNWARD,
    NOT_SELECTED,
    RANDOM_SAMPLE,
    REASONS,
    SPLIT_ABOVE_THRESHOLD,
    decide_order,
)
from inspect_cli.stats import clopper_pearson
from inspect_cli.store import reports as report_db
from inspect_cli.store import selections as db
from inspect_cli.workdays import due_date

if TYPE_CHECKING:
    from inspect_cli.splits import Candidates, SplitGroup

__all__ = [
    "ABOVE_THRESHOLD",
    "AMENDED_ABOVE_THRESHOLD",
    "KEPT_AFTER_DOWNWARD",
    "NOT_SELECTED",
    "RANDOM_SAMPLE",
    "REASONS",
    "SPLIT_ABOVE_THRESHOLD",
]
GENESIS_HASH = "0" * 64
"""The prev_hash of the first run."""


RecordedGroup = tuple[str, str, Sequence[tuple[str, int, str]]]
"""A split group a run acted on, as the run records and hashes it (recipe 4): contractor,
dwelling key (`splits.dwelling_key`) and its orders as (order_id, amount_cents, completed_on),
in completion date order, then by order id."""


@dataclass(frozen=True)
class SplitInput:
    """What the split rule hands the decision for one run (``split_rule = "select"``)."""

    members: frozenset[str]
    """Orders of the groups the run acts on that are not selected yet."""
    settled: Sequence[tuple[str, int]]
    """(order_id, amount_cents) of those members decided "not selected" by an earlier run and
    not amended since: they get a decision again."""
    groups: list[RecordedGroup]
    """The groups with a member not selected yet, in `find_split_groups` order."""


Decision = tuple[str, int, int, str | None, str | None]
"""(order_id, amount_cents, selected, reason, due_on) exactly as stored: selected is 0 or 1;
reason and due_on (ISO date) are None when the order is not selected."""


@dataclass(frozen=True)
class Plan:
    """The outcome of deciding the pending orders, before anything is stored.

    Kept as columns (a run may decide a million orders): the order ids in order id order, and
    at the same positions their amounts and reasons.
    """

    order_ids: list[str]
    amounts: list[int]
    reasons: list[str | None]
    """The reason each order is selected for; None when it is not selected."""
    due_on: str
    """The due date of the orders this run selects."""
    counts: dict[str, int]
    """Decisions per reason and not_selected, plus kept_after_downward_amendment."""
    kept_after_downward: list[str]
    """Selected orders amended to the threshold or below: they stay selected."""
    amended: list[str] = field(default_factory=list)
    """Every pending order decided before (amended since), whether or not decided again."""
    again: list[str] = field(default_factory=list)
    """Orders decided before that this plan decides again (amended or split above the
    threshold), in order id order."""
    split_groups: list[RecordedGroup] = field(default_factory=list)
    """The split groups this plan acts on (``split_rule = "select"``)."""

    @property
    def considered(self) -> int:
        """Pending orders this plan looked at: every new one and every amended one."""
        return len(self.order_ids) - len(self.again) + len(self.amended)

    def columns(self) -> Columns:
        """The decisions as the columns of the run hash."""
        due = self.due_on
        selected = [1 if reason else 0 for reason in self.reasons]
        return (
            self.order_ids,
            self.amounts,
            selected,
            self.reasons,
            [due if flag else None for flag in selected],
        )

    @cached_property
    def decisions(self) -> list[Decision]:
        """Every decision as stored, in order id order."""
        due = self.due_on
        return [
            (order_id, amount, 1, reason, due) if reason else (order_id, amount, 0, None, None)
            for order_id, amount, reason in zip(
                self.order_ids, self.amounts, self.reasons, strict=True
            )
        ]

    @cached_property
    def selected(self) -> list[Decision]:
        """The selected orders' decisions, in order id order."""
        due = self.due_on
        rows = zip(self.order_ids, self.amounts, self.reasons, strict=True)
        return [
            (order_id, amount, 1, reason, due)
            for order_id, amount, reason in compress(rows, self.reasons)
        ]


def decide(
    order_ids: Sequence[str],
    amounts: Sequence[int],
    amended: Iterable[tuple[str, int, int | None]],
    *,
    seed: str,
    as_of: date,
    threshold_cents: int,
    sample_rate: Decimal,
    due_working_days: int,
    helper: speedups.Helper | None = None,
    split: SplitInput | None = None,
) -> Plan:
    """Decide pending orders as of one day with `rule.decide_order`; pure, so dry runs and
    tests share it.

    `order_ids` (in order id order) and `amounts` are the orders never decided; `amended` are
    (order_id, amount_cents, amount it was selected at or None) decided before and amended
    since; `split`, under ``split_rule = "select"``, the split groups the run acts on. The
    tickets of the new orders are drawn in one bulk call (`speedups.draw`, which a `helper`
    process shares).
    """
    due_on = due_date(as_of, due_working_days).isoformat()
    rule = partial(decide_order, threshold_cents=threshold_cents, sample_rate=sample_rate)
    drawn = speedups.draw(seed, order_ids, sample_rate, helper)
    members = split.members if split is not None else frozenset()
    # The rule called directly in a comprehension: a million calls through `partial` and `map`
    # cost half as much again.
    reasons: list[str | None] = [
        decide_order(  # type: ignore[index]
            amount,
            ticket,
            threshold_cents=threshold_cents,
            sample_rate=sample_rate,
            in_split_group=order_id in members,
        )[1]
        for order_id, amount, ticket in zip(order_ids, amounts, drawn, strict=True)
    ]
    ids, amounts = list(order_ids), list(amounts)
    kept: list[str] = []
    amended_ids: list[str] = []
    again: list[tuple[str, int, str]] = []
    for order_id, amount, selected_at in amended:
        amended_ids.append(order_id)
        outcome = rule(
            amount,
            None,
            decided_before=True,
            selected_at=selected_at,
            in_split_group=order_id in members,
        )
        if outcome in ((True, AMENDED_ABOVE_THRESHOLD), (True, SPLIT_ABOVE_THRESHOLD)):
            again.append((order_id, amount, outcome[1]))  # type: ignore[index]
        elif outcome == (True, KEPT_AFTER_DOWNWARD):
            kept.append(order_id)
    for order_id, amount in split.settled if split is not None else ():
        outcome = rule(amount, None, decided_before=True, in_split_group=True)
        again.append((order_id, amount, outcome[1]))  # type: ignore[index]
    if again:
        ids += [a[0] for a in again]
        amounts += [a[1] for a in again]
        reasons += [a[2] for a in again]
        # Order ids are unique, so the rows sort by order id.
        rows = sorted(zip(ids, amounts, reasons, strict=True))
        ids, amounts, reasons = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
    kept.sort()
    counts = {reason: reasons.count(reason) for reason in REASONS}
    counts[NOT_SELECTED] = reasons.count(None)
    counts[KEPT_AFTER_DOWNWARD] = len(kept)
    return Plan(
        ids,
        amounts,
        reasons,
        due_on,
        counts,
        kept,
        amended_ids,
        sorted(a[0] for a in again),
        split.groups if split is not None else [],
    )


@dataclass(frozen=True)
class RealisedRate:
    """The random-sample share of every order that went through the draw, all runs so far."""

    sampled: int
    population: int
    target: Decimal
    interval: tuple[float, float]
    """Clopper-Pearson 95% interval of the rate."""

    @property
    def rate(self) -> float | None:
        return self.sampled / self.population if self.population else None

    def to_json(self) -> dict[str, Any]:
        return {
            "sampled": self.sampled,
            "population": self.population,
            "rate": self.rate,
            "target": str(self.target),
            "interval_95": list(self.interval),
        }


@dataclass(frozen=True)
class RunResult:
    """A selection run as stored (or, for a dry run, as it would be)."""

    run_id: int | None
    """None for a dry run and when there was nothing to record."""
    as_of: date
    created_at: str
    threshold_cents: int
    sample_rate: Decimal
    due_working_days: int
    plan: Plan
    left_pending: int
    """Pending orders completed after the as-of date, left for a later run."""
    prev_hash: str
    hash: str | None
    realised: RealisedRate
    dry_run: bool = False
    imports: Pinned = ()
    """The files imported since the previous run, which this run's hash pins."""
    split_rule: str = "report"
    split_window_days: int = 0

    @property
    def decided(self) -> int:
        return len(self.plan.order_ids)

    @property
    def selected(self) -> list[Decision]:
        return self.plan.selected

    @property
    def due_on(self) -> str | None:
        """The due date of every order this run selected."""
        return self.plan.due_on if self.selected else None

    def to_json(self) -> dict[str, Any]:
        counts = self.plan.counts
        return {
            "run_id": self.run_id,
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "decided": self.decided,
            "counts": {k: counts[k] for k in (*REASONS, NOT_SELECTED)},
            "selected": [{"order_id": d[0], "reason": d[3]} for d in self.selected],
            "due_on": self.due_on,
            KEPT_AFTER_DOWNWARD: self.plan.kept_after_downward,
            "left_pending": self.left_pending,
            "threshold_cents": self.threshold_cents,
            "sample_rate": str(self.sample_rate),
            "split_rule": self.split_rule,
            "split_groups": [[m[0] for m in g[2]] for g in self.plan.split_groups],
            "hash": self.hash,
            "run_hash": self.hash,
            "prev_hash": self.prev_hash,
            "realised_sample_rate": self.realised.to_json(),
        }


HASH_RECIPE = 4
"""The recipe of the runs made now. Each run stores the recipe it was hashed with in its
``hash_recipe`` column, and `verify` checks it with that one."""

Pinned = Sequence[tuple[int, str]]
"""(import_id, sha256) of the files a run's hash pins (recipe 3), oldest first."""


Columns = tuple[
    Sequence[str], Sequence[int], Sequence[int], Sequence[str | None], Sequence[str | None]
]
"""A run's decisions as columns, in order id order: order_id, amount_cents, selected (0 or 1),
reason and due_on (None when not selected)."""
COLUMN_NAMES = ("order_id", "amount_cents", "selected", "reason", "due_on")


def run_hash(
    *,
    run_id: int,
    created_at: str,
    as_of: str,
    seed_commitment: str,
    threshold_cents: int,
    sample_rate: str,
    due_working_days: int,
    counts: dict[str, int],
    decisions: Columns | Iterable[Sequence[Any]],
    prev_hash: str,
    recipe: int = HASH_RECIPE,
    kept: Sequence[str] = (),
    imports: Pinned = (),
    split_rule: str = "report",
    split_window_days: int = 0,
    split_groups: Sequence[RecordedGroup] = (),
) -> str:
    """SHA-256 hex of the run's canonical JSON: the recipe docs/audit.md gives auditors.

    The document is an object with exactly these keys, serialised with sorted keys, no
    whitespace (separators "," and ":") and ASCII escapes (non-ASCII as \\uXXXX), then hashed
    as bytes. Recipe 2: ``decisions`` is an object of five columns (COLUMN_NAMES), each a list
    with one entry per decision in order id order. Recipe 1: rows [order_id, amount_cents,
    selected, reason, due_on] sorted by order id. Recipe 3 is recipe 2 with two more keys:
    ``kept_after_downward_amendment``, the order ids the run kept selected after a downward
    amendment (sorted), and ``imports``, [import_id, sha256] of every file imported since the
    previous run, oldest first. Recipe 4 is recipe 3 with three more: ``split_rule`` ("report"
    or "select") and ``split_window_days`` as configured for the run, and ``split_groups``, the
    split groups the run acted on (RecordedGroup), each [contractor, dwelling, [[order_id,
    amount_cents, completed_on], ...]] in the order recorded; an empty list under "report".
    """
    document = {
        "run_id": run_id,
        "created_at": created_at,
        "as_of": as_of,
        "seed_commitment": seed_commitment,
        "threshold_cents": threshold_cents,
        "sample_rate": sample_rate,
        "due_working_days": due_working_days,
        "counts": counts,
        "decisions": (
            sorted(decisions)  # type: ignore[type-var]
            if recipe == 1
            else dict(zip(COLUMN_NAMES, decisions, strict=True))
        ),
        "prev_hash": prev_hash,
    }
    if recipe >= 3:
        document[KEPT_AFTER_DOWNWARD] = sorted(kept)
        document["imports"] = [[import_id, sha256] for import_id, sha256 in imports]
    if recipe >= 4:
        document["split_rule"] = split_rule
        document["split_window_days"] = split_window_days
        document["split_groups"] = [
            [contractor, dwelling, [list(member) for member in members]]
            for contractor, dwelling, members in split_groups
        ]
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _recorded(orders: Candidates, groups: list[SplitGroup]) -> list[RecordedGroup]:
    """The groups as a run records them, with each order's amount and completion date."""
    from inspect_cli.splits import DAY_ZERO

    wanted = {i for g in groups for i in g.order_ids}
    at = {order_id: i for i, order_id in enumerate(orders.order_ids) if order_id in wanted}
    return [
        (
            g.contractor,
            g.dwelling,
            [
                (
                    i,
                    int(orders.amounts[at[i]]),
                    date.fromordinal(int(orders.days[at[i]]) + DAY_ZERO).isoformat(),
                )
                for i in g.order_ids
            ],
        )
        for g in groups
    ]


def receipt(run_id: int, digest: str) -> str:
    """The line that carries a run's hash out of the building (`verify --receipts` reads it)."""
    return f"run {run_id} hash {digest}"


def check_seed(conn: sqlite3.Connection, seed: str) -> str:
    """Return the seed's commitment after checking it is the one recorded at ``init``."""
    return seeds.check(seed, store.seed_commitment(conn))


def run_selection(
    conn: sqlite3.Connection,
    *,
    seed: str,
    config: Config,
    as_of: date,
    now: datetime,
    dry_run: bool = False,
) -> RunResult:
    """Decide every pending order completed by `as_of`, record the run and clear the flags.

    Reading the pending orders, writing the run and its decisions and clearing the flags form
    one transaction, so a concurrent ingest or a second run cannot slip in between and a crash
    leaves either the whole run or nothing. Orders completed after `as_of` stay pending: a
    backfill must not decide the future. A dry run only reads. A run that decides nothing and
    notes no downward amendment is not recorded.
    """
    commitment = check_seed(conn, seed)
    run = _Run(config, as_of, now, commitment)
    # A helper process for a large draw starts now, to be ready when the tickets come.
    many = db.pending_at_least(conn, speedups.SPLIT_FROM)
    if dry_run:
        with db.snapshot(conn), speedups.helper(many) as helper:
            amended = run.read_amended(conn)
            plan = run.plan(conn, seed, amended, helper=helper)
            return run.result(conn, plan, None, dry_run=True)
    with (
        speedups.helper(many) as helper,
        store.unchecked_references(conn),
        store.transaction(conn),
    ):
        amended = run.read_amended(conn)
        # The new orders are read and the plan (tickets and the rule, Python) drawn in a thread,
        # through a connection of its own, while SQLite, which lets go of the interpreter while
        # it works, copies each new order into a "not selected" decision; then the thread works
        # out the run hash while SQLite marks the orders the rule selects. Both cores work. This
        # transaction holds the write lock, so the thread reads exactly the state it started
        # from.
        with store.reader(conn) as reader:
            with speedups.beside(run.plan, reader, seed, amended, helper=helper) as planned:
                # Working out the due date (which loads the holiday calendar) overlaps the read.
                due_on = run.due_on
                written = db.insert_new_decisions(
                    conn,
                    run.run_id,
                    as_of=run.day,
                    decided=[order_id for order_id, _, _ in amended],
                )
                plan = planned()
            new = plan.considered - len(plan.amended)
            again = set(plan.again)
            chosen = [d for d in plan.selected if d[0] not in again]
            to_mark = {
                reason: [d[0] for d in chosen if d[3] == reason]
                for reason in (ABOVE_THRESHOLD, SPLIT_ABOVE_THRESHOLD, RANDOM_SAMPLE)
            }
            # The lists are made first: the hash's JSON holds the interpreter while it writes.
            with speedups.beside(run.digest, reader, plan) as hashed:
                marked = sum(
                    db.mark_selected(conn, run.run_id, order_ids, reason, due_on)
                    for reason, order_ids in to_mark.items()
                )
                digest = hashed()
        if (written, marked) != (new, len(chosen)):
            # Both sides read the same pending orders; a difference is a bug, and raising here
            # rolls the whole run back.
            raise RuntimeError(
                f"run {run.run_id}: {written} new orders recorded and {marked} marked selected, "
                f"but {new} new orders and {len(chosen)} selected"
            )
        result = run.result(conn, plan, digest, dry_run=False)
        if result.run_id is not None:
            _record(conn, result, commitment, now)
        db.clear_pending(conn, run.day, expected=plan.considered)
    return result


class _Run:
    """One selection run in the making: its parameters, and the steps that decide it."""

    def __init__(self, config: Config, as_of: date, now: datetime, commitment: str) -> None:
        self.config = config
        self.as_of = as_of
        self.day = as_of.isoformat()
        self.created_at = store.timestamp(now)
        self.commitment = commitment
        self.prev_hash = GENESIS_HASH
        self.run_id = 1
        self.imports: Pinned = []

    @cached_property
    def due_on(self) -> str:
        """The due date of the orders this run selects."""
        return due_date(self.as_of, self.config.due_working_days).isoformat()

    def read_amended(self, conn: sqlite3.Connection) -> list[tuple[str, int, int | None]]:
        """The amended pending orders, and the run this one chains to."""
        last = db.last_run_hash(conn)
        if last:
            self.run_id, self.prev_hash = last[0] + 1, last[1]
        return db.pending_decided(conn, self.day)

    def plan(
        self,
        conn: sqlite3.Connection,
        seed: str,
        amended: list[tuple[str, int, int | None]],
        *,
        helper: speedups.Helper | None = None,
    ) -> Plan:
        """Read the new pending orders and decide them with the amended ones."""
        order_ids, amounts = db.pending_new(
            conn, self.day, [order_id for order_id, _, _ in amended]
        )
        config = self.config
        split = self.split_input(conn) if config.split_rule == "select" else None
        plan = decide(
            order_ids,
            amounts,
            amended,
            seed=seed,
            as_of=self.as_of,
            threshold_cents=config.threshold_cents,
            sample_rate=config.sample_rate,
            due_working_days=config.due_working_days,
            helper=helper,
            split=split,
        )
        return plan

    def digest(self, conn: sqlite3.Connection, plan: Plan) -> str | None:
        """The run hash of `plan`, None when the run is not recorded (it decides nothing and
        notes no downward amendment); reads the imports the run pins."""
        if not (plan.order_ids or plan.kept_after_downward):
            return None
        config = self.config
        self.imports = db.imports_since_last_run(conn)
        return run_hash(
            run_id=self.run_id,
            created_at=self.created_at,
            as_of=self.day,
            seed_commitment=self.commitment,
            threshold_cents=config.threshold_cents,
            sample_rate=str(config.sample_rate),
            due_working_days=config.due_working_days,
            counts=plan.counts,
            decisions=plan.columns(),
            prev_hash=self.prev_hash,
            kept=plan.kept_after_downward,
            imports=self.imports,
            split_rule=config.split_rule,
            split_window_days=config.split_window_days,
            split_groups=plan.split_groups,
        )

    def split_input(self, conn: sqlite3.Connection) -> SplitInput:
        """The split groups among the stored orders completed by the run's day, and which of
        their orders are not selected yet (`SplitInput`)."""
        # Imported here: under split_rule "report" a run loads nothing of the split rule.
        from inspect_cli.splits import candidates_from_text, find_split_groups

        threshold = self.config.threshold_cents
        orders = candidates_from_text(
            *report_db.split_candidates(conn, until=self.day, at_most_cents=threshold)
        )
        groups = find_split_groups(
            orders, threshold_cents=threshold, window_days=self.config.split_window_days
        )
        if not groups:
            return SplitInput(frozenset(), [], [])
        grouped = [order_id for g in groups for order_id in g.order_ids]
        selected = db.selected_among(conn, grouped)
        acted = [g for g in groups if not selected.issuperset(g.order_ids)]
        members = frozenset(i for g in acted for i in g.order_ids if i not in selected)
        return SplitInput(members, db.settled_unselected(conn, members), _recorded(orders, acted))

    def result(
        self, conn: sqlite3.Connection, plan: Plan, digest: str | None, *, dry_run: bool
    ) -> RunResult:
        """The run as it is recorded (run_id None when it is not) or, dry, as it would be."""
        # The realised rate includes this run, also when it is a dry run.
        k, n = db.sampling_totals(conn)
        k += plan.counts[RANDOM_SAMPLE]
        n += plan.counts[RANDOM_SAMPLE] + plan.counts[NOT_SELECTED]
        config = self.config
        return RunResult(
            run_id=None if digest is None else self.run_id,
            as_of=self.as_of,
            created_at=self.created_at,
            threshold_cents=config.threshold_cents,
            sample_rate=config.sample_rate,
            due_working_days=config.due_working_days,
            plan=plan,
            # Pending orders completed after the as-of day: every pending order not considered.
            left_pending=db.count_pending(conn) - plan.considered,
            prev_hash=self.prev_hash,
            hash=digest,
            realised=RealisedRate(k, n, config.sample_rate, clopper_pearson(k, n, 0.95)),
            dry_run=dry_run,
            imports=self.imports if digest is not None else (),
            split_rule=config.split_rule,
            split_window_days=config.split_window_days,
        )


def _record(conn: sqlite3.Connection, result: RunResult, commitment: str, now: datetime) -> None:
    """The run record, the decisions of amended orders and the audit log entry (the new
    orders' decisions are in already)."""
    assert result.run_id is not None and result.hash is not None
    db.insert_run(
        conn,
        run_id=result.run_id,
        created_at=result.created_at,
        as_of=result.as_of.isoformat(),
        seed_commitment=commitment,
        threshold_cents=result.threshold_cents,
        sample_rate=str(result.sample_rate),
        due_working_days=result.due_working_days,
        counts=result.plan.counts,
        prev_hash=result.prev_hash,
        hash=result.hash,
        hash_recipe=HASH_RECIPE,
        split_rule=result.split_rule,
        split_window_days=result.split_window_days,
    )
    db.insert_split_groups(conn, result.run_id, result.plan.split_groups)
    again = set(result.plan.again)
    db.insert_decisions(conn, result.run_id, [d for d in result.plan.selected if d[0] in again])
    db.insert_run_population(
        conn,
        result.run_id,
        result.plan.kept_after_downward,
        [import_id for import_id, _ in result.imports],
    )
    # The audit log keeps each run's hash apart from the chain, so that deleting the newest
    # run, which no later run links to, is still detected.
    store.log_event(conn, now, "selection_run", f"run {result.run_id} {result.hash}")
