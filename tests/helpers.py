"""Builders shared by several test modules: contractor files, ingest and select shortcuts, and
the small fixed workspace of the outcome and report tests.

Test modules import these from here, never from one another, so each test module stands alone.
"""

from __future__ import annotations

import csv
import json
import random
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from conftest import NOW, SEED, TODAY
from consistent_sampler.consistent_sampler import first_fraction

from inspect_cli import store
from inspect_cli.config import Config
from inspect_cli.ingest import ingest_file
from inspect_cli.outcomes import Outcome, record_outcome
from inspect_cli.satisfaction import add_score
from inspect_cli.selection import RunResult, run_hash, run_selection
from inspect_cli.store import selections as db
from inspect_cli.workspace import Workspace

# --- contractor files, ingest and select (selection, verify, export, tickets) ----------------

RATE = Decimal("0.02")
HEADER = ("order_id", "contractor", "amount_excl_vat", "completed_on")


def write_orders(
    path: Path,
    rows: Iterable[Sequence[object]],
    *,
    header: Sequence[str] = HEADER,
    delimiter: str = ",",
) -> Path:
    """A contractor file with English headers (amounts like 1000.00, ISO dates by default)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def ingest(ws: Workspace, *paths: Path, now: datetime = NOW) -> None:
    conn = ws.connect()
    try:
        for path in paths:
            result = ingest_file(conn, path, ws.config(), quarantine_dir=ws.quarantine, now=now)
            assert result.error is None and result.rejected == 0, result
    finally:
        conn.close()


def select(
    ws: Workspace,
    as_of: date = TODAY,
    *,
    config: Config | None = None,
    now: datetime = NOW,
    dry_run: bool = False,
) -> RunResult:
    conn = ws.connect()
    try:
        return run_selection(
            conn,
            seed=SEED,
            config=config or ws.config(),
            as_of=as_of,
            now=now,
            dry_run=dry_run,
        )
    finally:
        conn.close()


def decisions(ws: Workspace) -> dict[str, list[tuple[int, int, str | None, str | None]]]:
    """order id -> [(run_id, selected, reason, due_on)] in run order."""
    conn = ws.connect()
    try:
        found: dict[str, list[tuple[int, int, str | None, str | None]]] = {}
        columns = db.decision_columns(conn)
        for order_id, run_id, _amount, selected, reason, due_on in zip(*columns, strict=True):
            found.setdefault(order_id, []).append((run_id, selected, reason, due_on))
        return found
    finally:
        conn.close()


def ids_by_ticket(count: int, *, hit: bool, prefix: str = "R-", rate: Decimal = RATE) -> list[str]:
    """The first `count` order ids of the form R-<n> whose ticket is (not) below the rate."""
    candidates = [f"{prefix}{n}" for n in range(count * 200)]
    found = [c for c in candidates if (Decimal(first_fraction(c, SEED)) < rate) == hit]
    return found[:count]


def rows(ids: Iterable[str], amount: str = "100.00", completed: str = "2026-11-20") -> list:
    return [(order_id, "Janssens", amount, completed) for order_id in ids]


def record_inspection(ws: Workspace, order_id: str, result: str, on: str = "2026-12-01") -> None:
    conn = ws.connect()
    with store.transaction(conn):
        conn.execute(
            "INSERT INTO inspections (order_id, inspector, inspected_on, result, findings, "
            "correction_cents, recorded_at) VALUES (?, 'Piet', ?, ?, 'ok', 2500, 'x')",
            (order_id, on, result),
        )
    conn.close()


# --- tickets (sampling, tickets) --------------------------------------------------------------

RATES = [Decimal(r) for r in ("0.02", "0.5", "0.001", "0.0123", "0", "1")]
# Rates with more than 4 significant decimals go through the digit-string path instead of the
# lookup table; trailing zeros and exponent notation must not change any decision.
OTHER_RATES = [Decimal(r) for r in ("0.123456789", "0.00000001", "0.0200000", "1.000000", "2E-2")]


def random_ids(count: int, seed: int = 7) -> list[str]:
    """Ids mixing realistic patterns with arbitrary, non-ASCII text."""
    rng = random.Random(seed)
    alphabet = "ABCXYZ0123456789-./ éÜßç€漢字🙂"
    ids = []
    for i in range(count):
        if i % 3 == 0:
            ids.append(f"WB-{rng.randint(2000, 2030)}-{rng.randint(0, 999999):06d}")
        elif i % 3 == 1:
            ids.append(f"{rng.randint(0, 99999999):08d}.{rng.choice(['', '002L', '1'])}")
        else:
            ids.append("".join(rng.choices(alphabet, k=rng.randint(1, 20))))
    return ids


# --- the fixed workspace HB-001 … HB-013 (outcomes, reports, satisfaction, record, report) ---

ORDERS = """order_id,contractor,amount_excl_vat,completed_on,address,municipality
HB-001,Janssens,250.00,2026-09-10,Kerkstraat 1,Gent
HB-002,Janssens,1500.00,2026-09-15,Kerkstraat 2,Gent
HB-003,Janssens,1000.00,2026-10-05,Kerkstraat 3,Gent
HB-004,Dubois,2500.00,2026-10-06,Rue Haute 4,Brussel
HB-005,Dubois,80.00,2026-10-07,Rue Haute 5,Brussel
HB-006,Dubois,120.50,2026-10-12,Rue Haute 6,Brussel
HB-007,Peeters,1200.00,2026-10-20,Markt 7,Leuven
HB-008,Peeters,300.00,2026-10-21,Markt 8,Leuven
HB-009,Peeters,450.00,2026-10-22,Markt 9,Leuven
HB-010,Janssens,99.99,2026-10-23,Kerkstraat 10,Gent
HB-011,Dubois,640.00,2026-10-26,Rue Haute 11,Brussel
HB-012,Peeters,75.25,2025-12-15,Markt 12,Leuven
HB-013,Janssens,500.00,,Kerkstraat 13,Gent
"""


def build_selected(ws: Workspace) -> None:
    """The orders of the table above, ingested and selected (sample rate 0.5), no outcomes."""
    text = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(
        text.replace('sample_rate = "0.02"', 'sample_rate = "0.5"'), encoding="utf-8"
    )
    config = ws.config()
    orders = ws.root / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    conn = ws.connect()
    try:
        loaded = ingest_file(conn, orders, config, quarantine_dir=ws.quarantine, now=NOW)
        assert (loaded.new, loaded.rejected) == (13, 0)
        for as_of in (date(2026, 10, 1), date(2026, 11, 2)):
            run_selection(conn, seed=SEED, config=config, as_of=as_of, now=NOW)
    finally:
        conn.close()


OUTCOMES = (
    ("HB-002", "major", "2026-10-08", "tegels los", 35000),
    ("HB-003", "no_access", "2026-11-09", "niemand thuis", 0),
    ("HB-004", "not_done", "2026-11-10", "kraan niet vervangen", 120000),
    ("HB-006", "minor", "2026-11-12", None, 0),
    ("HB-007", "ok", "2026-11-13", None, 0),
    ("HB-009", "ok", "2026-11-20", None, 0),
    ("HB-012", "ok", "2026-10-05", None, 0),
)
SCORES = (
    ("HB-001", 8),
    ("HB-002", 4),
    ("HB-004", 3),
    ("HB-005", 9),
    ("HB-006", 7),
    ("HB-008", 6),
    ("HB-010", 10),
    ("HB-011", 8),
    ("HB-012", 9),
)


def build_fixed(ws: Workspace) -> None:
    """The whole fixed workspace of the table above: selected, outcomes and scores."""
    build_selected(ws)
    conn = ws.connect()
    try:
        for order_id, result, day, findings, cents in OUTCOMES:
            outcome = Outcome(order_id, result, "An Claes", day, findings, cents)
            assert record_outcome(conn, outcome, today=TODAY, now=NOW) == "new"
        for order_id, score in SCORES:
            add_score(
                conn,
                order_id,
                score,
                scale=10,
                responded_on=date(2026, 11, 20),
                comment=None,
                today=TODAY,
                now=NOW,
            )
    finally:
        conn.close()


def forge_chain(conn: sqlite3.Connection, *, recount: bool = False, relog: bool = False) -> None:
    """Recompute every run hash and the chain after an edit, as a forger with write access
    would: with `recount` also each run's counts from its decisions, with `relog` also the
    hashes logged in the audit log (a careful forger; only receipts or files catch that)."""
    previous = "0" * 64
    kept, pinned = db.run_population(conn)
    split_rules, split_groups = db.run_split_rules(conn)
    with store.transaction(conn):
        for run in db.runs(conn):
            rows = conn.execute(
                "SELECT order_id, amount_cents, selected, reason, due_on FROM decisions "
                "WHERE run_id = ? ORDER BY order_id",
                (run[0],),
            ).fetchall()
            counts = run[7]
            if recount:
                reasons = [r[3] for r in rows]
                counts = {
                    "above_threshold": reasons.count("above_threshold"),
                    "amended_above_threshold": reasons.count("amended_above_threshold"),
                    "random_sample": reasons.count("random_sample"),
                    "split_above_threshold": reasons.count("split_above_threshold"),
                    "not_selected": reasons.count(None),
                    "kept_after_downward_amendment": len(kept.get(run[0], [])),
                }
            digest = run_hash(
                run_id=run[0],
                created_at=run[1],
                as_of=run[2],
                seed_commitment=run[3],
                threshold_cents=run[4],
                sample_rate=run[5],
                due_working_days=run[6],
                counts=counts,
                decisions=tuple(map(list, zip(*rows, strict=True))),
                prev_hash=previous,
                recipe=run[10],
                kept=kept.get(run[0], []),
                imports=pinned.get(run[0], []),
                split_rule=split_rules[run[0]][0],
                split_window_days=split_rules[run[0]][1],
                split_groups=split_groups.get(run[0], []),
            )
            conn.execute(
                "UPDATE selection_runs SET prev_hash = ?, hash = ? WHERE run_id = ?",
                (previous, digest, run[0]),
            )
            if recount:
                conn.execute(
                    "UPDATE selection_runs SET counts = ? WHERE run_id = ?",
                    (json.dumps(counts, sort_keys=True), run[0]),
                )
            if relog:
                conn.execute(
                    "UPDATE audit_log SET detail = ? "
                    "WHERE event = 'selection_run' AND detail LIKE ?",
                    (f"run {run[0]} {digest}", f"run {run[0]} %"),
                )
            previous = digest
