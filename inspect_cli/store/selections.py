"""Queries of selection runs and decisions (the inspection list has its own module).

Selection only ever reads the pending table; the run record and its decisions are written in
bulk by the caller's transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import compress
from typing import Any

from inspect_cli.store.schema import FINAL_OUTCOME

RunRow = tuple[int, str, str, str, int, str, int, dict[str, int], str, str, int]
"""(run_id, created_at, as_of, seed_commitment, threshold_cents, sample_rate,
due_working_days, counts, prev_hash, hash, hash_recipe)."""


Pending = tuple[list[str], list[int]]
"""Pending orders as two columns: order ids in order id order and their amounts in cents."""


def pending_new(conn: sqlite3.Connection, as_of: str, decided: Collection[str] = ()) -> Pending:
    """Pending orders completed by `as_of`, except those in `decided`: the pending orders an
    earlier run decided (`pending_decided`).

    The pending table holds only what the next run has to look at, so the cost grows with the
    pending orders, never with the history. The columns come as two JSON arrays that SQLite
    writes while the interpreter is free, cheaper than a million row tuples. Leaving out
    the few decided ones here is cheaper than probing the decisions for every pending order.
    """
    ids, amounts = conn.execute(
        "SELECT json_group_array(order_id), json_group_array(amount_cents) FROM "
        "(SELECT order_id, amount_cents FROM pending WHERE completed_on <= ? ORDER BY order_id)",
        (as_of,),
    ).fetchone()
    order_ids: list[str] = json.loads(ids)
    cents: list[int] = json.loads(amounts)
    if not decided:
        return order_ids, cents
    skip = set(decided)
    keep = [order_id not in skip for order_id in order_ids]
    return list(compress(order_ids, keep)), list(compress(cents, keep))


def pending_at_least(conn: sqlite3.Connection, count: int) -> bool:
    """Whether `count` orders or more are pending."""
    return _at_least(conn, "pending", count)


def decisions_at_least(conn: sqlite3.Connection, count: int) -> bool:
    """Whether there are `count` decisions or more."""
    return _at_least(conn, "decisions", count)


def _at_least(conn: sqlite3.Connection, table: str, count: int) -> bool:
    """Whether the table has `count` rows or more, counting no further."""
    query = f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT ?)"
    return conn.execute(query, (count,)).fetchone()[0] >= count


def pending_decided(conn: sqlite3.Connection, as_of: str) -> list[tuple[str, int, int | None]]:
    """(order_id, amount_cents, amount it was selected at or None) of pending orders completed
    by `as_of` that an earlier run decided: orders amended since. In order id order.

    Each pending order probes the decisions' primary key; before the first run there is
    nothing to probe.
    """
    if conn.execute("SELECT NOT EXISTS (SELECT 1 FROM decisions)").fetchone()[0]:
        return []
    return conn.execute(
        """
        SELECT p.order_id, p.amount_cents, MAX(CASE WHEN d.selected = 1 THEN d.amount_cents END)
          FROM pending p CROSS JOIN decisions d ON d.order_id = p.order_id
         WHERE p.completed_on <= ?
         GROUP BY p.order_id ORDER BY p.order_id
        """,
        (as_of,),
    ).fetchall()


def imports_since_last_run(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """(import_id, sha256) of every file imported after the last one a run pinned, oldest
    first: the inputs the next run's hash covers (recipe 3)."""
    return conn.execute(
        "SELECT id, sha256 FROM imports "
        "WHERE id > (SELECT COALESCE(MAX(import_id), 0) FROM run_imports) ORDER BY id"
    ).fetchall()


def insert_run_population(
    conn: sqlite3.Connection, run_id: int, kept: Sequence[str], import_ids: Sequence[int]
) -> None:
    """The orders the run kept after a downward amendment and the imports it pins."""
    conn.executemany(
        "INSERT INTO run_kept (run_id, order_id) VALUES (?, ?)",
        [(run_id, order_id) for order_id in kept],
    )
    conn.executemany(
        "INSERT INTO run_imports (run_id, import_id) VALUES (?, ?)",
        [(run_id, import_id) for import_id in import_ids],
    )


def run_population(
    conn: sqlite3.Connection,
) -> tuple[dict[int, list[str]], dict[int, list[tuple[int, str | None]]]]:
    """Per run: the order ids kept after a downward amendment (sorted) and the pinned imports
    as (import_id, sha256), oldest first. An import row that is gone has sha256 None."""
    kept: dict[int, list[str]] = {}
    pinned: dict[int, list[tuple[int, str | None]]] = {}
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "run_kept" not in tables:  # a store made before, opened read-only (not migrated)
        return kept, pinned
    for run_id, order_id in conn.execute(
        "SELECT run_id, order_id FROM run_kept ORDER BY run_id, order_id"
    ):
        kept.setdefault(run_id, []).append(order_id)
    for run_id, import_id, sha256 in conn.execute(
        "SELECT r.run_id, r.import_id, i.sha256 FROM run_imports r "
        "LEFT JOIN imports i ON i.id = r.import_id ORDER BY r.run_id, r.import_id"
    ):
        pinned.setdefault(run_id, []).append((import_id, sha256))
    return kept, pinned


def insert_split_groups(
    conn: sqlite3.Connection,
    run_id: int,
    groups: Sequence[tuple[str, str, Sequence[tuple[str, int, str]]]],
) -> None:
    """The split groups a run acted on: (contractor, dwelling, [(order_id, amount_cents,
    completed_on), ...]), numbered in the given order."""
    conn.executemany(
        "INSERT INTO run_split_orders (run_id, group_no, position, order_id, contractor, "
        "dwelling, amount_cents, completed_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (run_id, number, position, order_id, contractor, dwelling, amount, completed_on)
            for number, (contractor, dwelling, members) in enumerate(groups, 1)
            for position, (order_id, amount, completed_on) in enumerate(members, 1)
        ],
    )


SplitGroups = dict[int, list[tuple[str, str, list[tuple[str, int, str]]]]]
"""Per run: the split groups it acted on, as `insert_split_groups` takes them."""


def run_split_rules(conn: sqlite3.Connection) -> tuple[dict[int, tuple[str, int]], SplitGroups]:
    """Per run: (split_rule, split_window_days), and the split groups it acted on in order.
    Runs made before the split rule existed have neither."""
    rules: dict[int, tuple[str, int]] = {}
    groups: SplitGroups = {}
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "run_split_rule" not in tables:  # a store made before, opened read-only (not migrated)
        return rules, groups
    for run_id, rule, window in conn.execute(
        "SELECT run_id, split_rule, split_window_days FROM run_split_rule ORDER BY run_id"
    ):
        rules[run_id] = (rule, window)
    last: tuple[int, int, str, str] | None = None
    for run_id, number, order_id, contractor, dwelling, amount, completed_on in conn.execute(
        "SELECT run_id, group_no, order_id, contractor, dwelling, amount_cents, completed_on "
        "FROM run_split_orders ORDER BY run_id, group_no, position"
    ):
        # A row whose contractor or dwelling differs from the rows before it in its group
        # starts a group of its own, which the run hash then shows.
        if (run_id, number, contractor, dwelling) != last:
            groups.setdefault(run_id, []).append((contractor, dwelling, []))
            last = (run_id, number, contractor, dwelling)
        groups[run_id][-1][2].append((order_id, amount, completed_on))
    return rules, groups


def selected_among(conn: sqlite3.Connection, order_ids: Sequence[str]) -> set[str]:
    """The orders among `order_ids` that a run has selected."""
    return {
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT d.order_id FROM json_each(?) j "
            "CROSS JOIN decisions d ON d.order_id = j.value WHERE d.selected = 1",
            (json.dumps(list(order_ids)),),
        )
    }


def settled_unselected(
    conn: sqlite3.Connection, order_ids: Collection[str]
) -> list[tuple[str, int]]:
    """(order_id, amount_cents) of the orders among `order_ids` decided "not selected" and not
    pending (not amended since), in order id order: a split group may select them now."""
    return conn.execute(
        """
        SELECT o.order_id, o.amount_cents FROM json_each(?) j
          CROSS JOIN orders o ON o.order_id = j.value
         WHERE EXISTS (SELECT 1 FROM decisions d WHERE d.order_id = o.order_id)
           AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.order_id = o.order_id
                                                       AND d.selected = 1)
           AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.order_id = o.order_id)
         ORDER BY o.order_id
        """,
        (json.dumps(sorted(order_ids)),),
    ).fetchall()


def decided_split_candidates(
    conn: sqlite3.Connection, run_id: int, as_of: str, at_most_cents: int
) -> tuple[str, str, str, str]:
    """The orders split groups are found among to check a run's completeness, in the format of
    `store.reports.split_candidates`: completed by `as_of`, above zero and at most
    `at_most_cents`, decided by run `run_id` or an earlier one, and not amended since (an
    amended order is decided again by the next run)."""
    row = conn.execute(
        """
        SELECT group_concat(order_id, char(30)),
               group_concat(contractor || char(31) || coalesce(
                   dwelling_id, char(29) || address || char(31) || postcode, ''), char(30)),
               group_concat(completed_on, char(30)),
               group_concat(amount_cents, char(30))
          FROM orders o
         WHERE completed_on <= ? AND amount_cents > 0 AND amount_cents <= ?
           AND EXISTS (SELECT 1 FROM decisions d WHERE d.order_id = o.order_id
                                                   AND d.run_id <= ?)
           AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.order_id = o.order_id)
        """,
        (as_of, at_most_cents, run_id),
    ).fetchone()
    return tuple(value or "" for value in row)  # type: ignore[return-value]


def count_pending(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM pending").fetchone()[0]


def last_run_hash(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """(run_id, hash) of the newest run, the link the next run chains to."""
    return conn.execute(
        "SELECT run_id, hash FROM selection_runs ORDER BY run_id DESC LIMIT 1"
    ).fetchone()


def insert_run(
    conn: sqlite3.Connection,
    *,
    run_id: int,
    created_at: str,
    as_of: str,
    seed_commitment: str,
    threshold_cents: int,
    sample_rate: str,
    due_working_days: int,
    counts: dict[str, int],
    prev_hash: str,
    hash: str,
    hash_recipe: int,
    split_rule: str | None = None,
    split_window_days: int | None = None,
) -> None:
    """The run record, and the split rule it was made with when given (recipe 4)."""
    if split_rule is not None:
        conn.execute(
            "INSERT INTO run_split_rule (run_id, split_rule, split_window_days) VALUES (?, ?, ?)",
            (run_id, split_rule, split_window_days),
        )
    conn.execute(
        """
        INSERT INTO selection_runs (run_id, created_at, as_of, seed_commitment, threshold_cents,
            sample_rate, due_working_days, counts, prev_hash, hash, hash_recipe)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            run_id,
            created_at,
            as_of,
            seed_commitment,
            threshold_cents,
            sample_rate,
            due_working_days,
            json.dumps(counts, sort_keys=True),
            prev_hash,
            hash,
            hash_recipe,
        ),
    )


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Read several queries from one consistent state of the store (a deferred read
    transaction), so a run committed meanwhile by cron cannot show up half."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def insert_decisions(
    conn: sqlite3.Connection, run_id: int, decisions: Iterable[Sequence[Any]]
) -> None:
    """Bulk insert of one run's (order_id, amount_cents, selected, reason, due_on) tuples."""
    rows = list(decisions)
    conn.executemany(
        "INSERT INTO decisions (order_id, amount_cents, selected, reason, due_on, run_id) "
        f"VALUES (?, ?, ?, ?, ?, {int(run_id)})",
        rows,
    )
    open_inspections(conn, [row[0] for row in rows if row[2]])


def open_inspections(conn: sqlite3.Connection, order_ids: Sequence[str]) -> None:
    """Put orders just selected on the open inspections, unless they have a final outcome."""
    conn.execute(
        f"""
        INSERT OR IGNORE INTO open_inspections (order_id)
        SELECT j.value FROM json_each(?) j
         WHERE NOT EXISTS ({FINAL_OUTCOME.format(order="j.value")})
        """,
        (json.dumps(list(order_ids)),),
    )


def insert_new_decisions(
    conn: sqlite3.Connection, run_id: int, *, as_of: str, decided: Sequence[str]
) -> int:
    """Record a "not selected" decision for every pending order completed by `as_of` except
    the `decided` ones, and return how many; `mark_selected` then marks the ones the rule
    (`inspect_cli.rule`) selects.

    Copying the rows inside SQLite costs less than binding a million of them from Python, and
    they arrive in primary key order. The decided ones (an earlier run decided them, they were
    amended since) are left out by id.
    """
    return conn.execute(
        f"""
        INSERT INTO decisions (order_id, amount_cents, selected, reason, due_on, run_id)
        SELECT p.order_id, p.amount_cents, 0, NULL, NULL, {int(run_id)}
          FROM pending p
         WHERE p.completed_on <= :as_of
           AND p.order_id NOT IN (SELECT value FROM json_each(:decided))
        """,
        {"decided": json.dumps(list(decided)), "as_of": as_of},
    ).rowcount


def mark_selected(
    conn: sqlite3.Connection, run_id: int, order_ids: Sequence[str], reason: str, due_on: str
) -> int:
    """Turn the run's "not selected" decisions of `order_ids` into selections for `reason`,
    due on `due_on`, and open their inspections; return how many changed."""
    if not order_ids:
        return 0
    marked = conn.execute(
        "UPDATE decisions SET selected = 1, reason = ?, due_on = ? "
        "WHERE run_id = ? AND selected = 0 AND order_id IN (SELECT value FROM json_each(?))",
        (reason, due_on, run_id, json.dumps(list(order_ids))),
    ).rowcount
    open_inspections(conn, order_ids)
    return marked


def clear_pending(conn: sqlite3.Connection, as_of: str, expected: int) -> int:
    """Take every order the run has looked at (completed by `as_of`) off the pending table.

    Orders completed later stay pending: a backfill run must not decide the future. When the
    run took them all, which is usual, the table is emptied at once.
    """
    if expected == count_pending(conn):
        return conn.execute("DELETE FROM pending").rowcount
    return conn.execute("DELETE FROM pending WHERE completed_on <= ?", (as_of,)).rowcount


def sampling_totals(conn: sqlite3.Connection) -> tuple[int, int]:
    """(randomly sampled, sampling population) over all runs, for the realised rate.

    The population is every order that went through the random draw: not selected, or
    selected by its ticket. Summed from the counts recorded with each run (which `verify`
    checks against the decisions), so the cost grows with the runs, not with the orders.
    """
    row = conn.execute(
        "SELECT COALESCE(SUM(json_extract(counts, '$.random_sample')), 0), "
        "COALESCE(SUM(json_extract(counts, '$.random_sample') "
        "+ json_extract(counts, '$.not_selected')), 0) FROM selection_runs"
    ).fetchone()
    return row[0], row[1]


def _run_row(row: Sequence[Any]) -> RunRow:
    """The row with its counts decoded; None as counts when they are not a JSON object."""
    try:
        counts = json.loads(row[7])
    except (TypeError, ValueError):
        counts = None
    if not isinstance(counts, dict):
        counts = None
    return (*row[:7], counts, *row[8:])  # type: ignore[return-value]


def runs(conn: sqlite3.Connection) -> list[RunRow]:
    """Every run, oldest first."""
    return [
        _run_row(r)
        for r in conn.execute(
            "SELECT run_id, created_at, as_of, seed_commitment, threshold_cents, sample_rate, "
            "due_working_days, counts, prev_hash, hash, hash_recipe FROM selection_runs "
            "ORDER BY run_id"
        )
    ]


DecisionColumns = tuple[
    list[str], list[int], list[int], list[int], list[str | None], list[str | None]
]
"""Every decision as columns ordered by run and then order id: order_id, run_id, amount_cents,
selected, reason, due_on (the order the run hash lists them in)."""
DECISION_COLUMNS = ("order_id", "run_id", "amount_cents", "selected", "reason", "due_on")


def decision_columns(conn: sqlite3.Connection) -> DecisionColumns:
    """Every decision, as columns.

    SQLite writes each column as one JSON array while the interpreter is free (cheaper than a
    million row tuples), in primary key order, which is also the run order when
    one run made every decision (a first large run). Decisions of several runs are put in run
    order here, stably, so each run's stay in order id order.
    """
    arrays = ", ".join(f"json_group_array({c})" for c in DECISION_COLUMNS)
    texts = conn.execute(
        f"SELECT {arrays} FROM (SELECT {', '.join(DECISION_COLUMNS)} FROM decisions "
        "ORDER BY order_id, run_id)"
    ).fetchone()
    values = tuple(map(json.loads, texts))
    run_ids = values[1]
    if run_ids and run_ids.count(run_ids[0]) != len(run_ids):
        order = sorted(range(len(run_ids)), key=run_ids.__getitem__)
        return tuple([column[i] for i in order] for column in values)  # type: ignore[return-value]
    return values  # type: ignore[return-value]


def logged_run_hashes(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """(entry id, detail) of the 'selection_run' audit log entries, oldest first."""
    return conn.execute(
        "SELECT id, detail FROM audit_log WHERE event = 'selection_run' ORDER BY id"
    ).fetchall()


def order_imports(conn: sqlite3.Connection) -> list[tuple[int, str, str, str]]:
    """(import_id, file_name, sha256, imported_at) of every file of orders, oldest first."""
    return conn.execute(
        "SELECT id, file_name, sha256, imported_at FROM imports WHERE kind = 'orders' ORDER BY id"
    ).fetchall()


def order_contractors(conn: sqlite3.Connection, order_ids: Iterable[str]) -> dict[str, str]:
    """Order id -> its contractor, for the decided orders of an audit package."""
    return dict(
        conn.execute(
            "SELECT order_id, contractor FROM orders "
            "WHERE order_id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(set(order_ids))),),
        ).fetchall()
    )


def seed_revealed(conn: sqlite3.Connection) -> bool:
    """Whether `seed reveal` was run: the seed then goes into an audit package."""
    return (
        conn.execute(
            "SELECT EXISTS (SELECT 1 FROM audit_log WHERE event = 'seed_revealed')"
        ).fetchone()[0]
        == 1
    )


def revised_amounts(conn: sqlite3.Connection, order_ids: Iterable[str]) -> dict[str, set[int]]:
    """Order id -> the amounts its revisions say it had before each amendment."""
    found: dict[str, set[int]] = {}
    for order_id, amount in conn.execute(
        "SELECT r.order_id, json_extract(r.old_values, '$.amount_cents') FROM order_revisions r "
        "WHERE r.order_id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(set(order_ids))),),
    ):
        found.setdefault(order_id, set()).add(amount)
    return found


def later_decisions(conn: sqlite3.Connection) -> list[tuple[str, int, int]]:
    """(order_id, run_id, amount_cents of the order's decision before) of every
    ``amended_above_threshold`` decision: each needs an amendment of the order behind it (a
    second decision with another reason is reported by recomputing it)."""
    return conn.execute(
        """
        SELECT d.order_id, d.run_id,
               (SELECT p.amount_cents FROM decisions p WHERE p.order_id = d.order_id
                 AND p.run_id < d.run_id ORDER BY p.run_id DESC LIMIT 1)
          FROM decisions d
         WHERE d.reason = 'amended_above_threshold'
         ORDER BY d.order_id, d.run_id
        """
    ).fetchall()


def logged_seed_commitments(conn: sqlite3.Connection) -> list[str]:
    """Details of the 'seed_commitment' audit log entries (one, written at init)."""
    return [
        r[0] for r in conn.execute("SELECT detail FROM audit_log WHERE event = 'seed_commitment'")
    ]


AmendedSince = tuple[str, int, int, bool, int, str]
"""(order_id, amount_cents now, amount_cents of its last decision, ever selected,
threshold_cents and sample_rate of the run that made that decision)."""


def settled_off_their_decisions(
    conn: sqlite3.Connection,
) -> tuple[list[tuple[str, str]], list[AmendedSince]]:
    """The orders no run has to look at again (not pending) that their decisions do not
    account for, in order id order:

    - (order_id, completed_on) of completed orders without any decision. Selection takes an
      order off the pending table only together with a decision, so such an order means
      decisions (or a whole run) were removed from the store;
    - the orders whose amount now differs from the amount their last decision was made on:
      amended since, or changed behind the tool's back. `verify` applies the rule to them.

    One scan of the orders in storage order finds both (the ORDER BY sorts the few found);
    the details of the changed ones are read for them alone.
    """
    last_decided = (
        "(SELECT d.amount_cents FROM decisions d WHERE d.order_id = o.order_id "
        "ORDER BY d.run_id DESC LIMIT 1)"
    )
    found = conn.execute(
        f"""
        SELECT o.order_id, o.completed_on, {last_decided} FROM orders o NOT INDEXED
         WHERE {last_decided} IS NOT o.amount_cents
           AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.order_id = o.order_id)
         ORDER BY o.order_id
        """
    ).fetchall()
    undecided = [(o, completed) for o, completed, decided in found if decided is None and completed]
    changed = [o for o, _completed, decided in found if decided is not None]
    if not changed:
        return undecided, []
    return undecided, conn.execute(
        """
        SELECT o.order_id, o.amount_cents, d.amount_cents,
               EXISTS (SELECT 1 FROM decisions s WHERE s.order_id = o.order_id
                       AND s.selected = 1),
               r.threshold_cents, r.sample_rate
          FROM orders o
          JOIN decisions d ON d.order_id = o.order_id
           AND d.run_id = (SELECT MAX(run_id) FROM decisions x WHERE x.order_id = o.order_id)
          JOIN selection_runs r ON r.run_id = d.run_id
         WHERE o.order_id IN (SELECT value FROM json_each(?))
         ORDER BY o.order_id
        """,
        (json.dumps(changed),),
    ).fetchall()


# --- one order, for `show` ------------------------------------------------------------------


def order_revisions(conn: sqlite3.Connection, order_id: str) -> list[dict[str, Any]]:
    """Earlier values of an amended order, oldest first, with the file that amended it."""
    rows = conn.execute(
        """
        SELECT r.revised_at, r.import_id, i.file_name, r.old_values
          FROM order_revisions r LEFT JOIN imports i ON i.id = r.import_id
         WHERE r.order_id = ? ORDER BY r.id
        """,
        (order_id,),
    ).fetchall()
    return [
        {"revised_at": at, "import_id": iid, "file": name, "old_values": json.loads(old)}
        for at, iid, name, old in rows
    ]


def imports_by_id(conn: sqlite3.Connection, import_ids: Iterable[int]) -> list[dict[str, Any]]:
    ids = sorted(set(import_ids))
    if not ids:
        return []
    rows = conn.execute(
        f"SELECT id, file_name, sha256, imported_at FROM imports "
        f"WHERE id IN ({', '.join('?' * len(ids))}) ORDER BY id",
        ids,
    ).fetchall()
    return [
        {"import_id": i, "file": name, "sha256": sha, "imported_at": at}
        for i, name, sha, at in rows
    ]


def order_decisions(conn: sqlite3.Connection, order_id: str) -> list[dict[str, Any]]:
    """The order's decisions with the parameters of the run that made each."""
    rows = conn.execute(
        """
        SELECT d.run_id, r.as_of, d.amount_cents, d.selected, d.reason, d.due_on,
               r.threshold_cents, r.sample_rate
          FROM decisions d JOIN selection_runs r ON r.run_id = d.run_id
         WHERE d.order_id = ? ORDER BY d.run_id
        """,
        (order_id,),
    ).fetchall()
    keys = (
        "run_id",
        "selected_on",
        "amount_cents",
        "selected",
        "reason",
        "due_on",
        "threshold_cents",
        "sample_rate",
    )
    return [dict(zip(keys, r, strict=True)) for r in rows]


def order_inspections(conn: sqlite3.Connection, order_id: str) -> list[dict[str, Any]]:
    """Current (not superseded) inspection outcomes of an order, oldest first."""
    rows = conn.execute(
        """
        SELECT inspector, inspected_on, result, findings, correction_cents
          FROM inspections WHERE order_id = ? AND superseded_by IS NULL
         ORDER BY inspected_on, id
        """,
        (order_id,),
    ).fetchall()
    keys = ("inspector", "inspected_on", "result", "findings", "correction_cents")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def order_satisfaction(conn: sqlite3.Connection, order_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        """
        SELECT score, scale, responded_on, comment FROM satisfaction
         WHERE order_id = ? AND superseded_by IS NULL ORDER BY id DESC LIMIT 1
        """,
        (order_id,),
    ).fetchone()
    return (
        dict(zip(("score", "scale", "responded_on", "comment"), row, strict=True)) if row else None
    )
