"""Selection decides each completed order once, by the rules of DESIGN §4, reproducibly."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import NOW, REPO, SEED, TODAY
from consistent_sampler.consistent_sampler import first_fraction
from helpers import RATE, decisions, ids_by_ticket, ingest, rows, select, write_orders

from inspect_cli.config import Config
from inspect_cli.errors import SeedError
from inspect_cli.selection import (
    ABOVE_THRESHOLD,
    AMENDED_ABOVE_THRESHOLD,
    COLUMN_NAMES,
    GENESIS_HASH,
    KEPT_AFTER_DOWNWARD,
    NOT_SELECTED,
    RANDOM_SAMPLE,
    decide,
    run_hash,
    run_selection,
)
from inspect_cli.stats import binomial_band
from inspect_cli.store import selections as db
from inspect_cli.workspace import Workspace, init_workspace

# --- the rules --------------------------------------------------------------------------------


def test_threshold_edges_from_decimal_comma_file(workspace: Workspace, tmp_path: Path):
    # 1.000,00 is exactly the threshold: not "above", so it goes to the draw like any other
    # order. Pick ids whose ticket is not in the sample so "not selected" is what we expect.
    at, above = ids_by_ticket(2, hit=False)
    path = write_orders(
        tmp_path / "janssens.csv",
        [(at, "Janssens", "1.000,00", "20/11/2026"), (above, "Janssens", "1.000,01", "20/11/2026")],
        header=("Bonnummer", "Aannemer", "Bedrag excl. btw", "Datum uitvoering"),
        delimiter=";",
    )
    ingest(workspace, path)
    run = select(workspace)
    assert run.plan.decisions == [
        (at, 100000, 0, None, None),
        (above, 100001, 1, ABOVE_THRESHOLD, "2026-12-11"),
    ]
    assert run.plan.counts[ABOVE_THRESHOLD] == 1
    assert run.plan.counts[NOT_SELECTED] == 1


def test_an_order_at_the_threshold_can_still_be_drawn(workspace: Workspace, tmp_path: Path):
    (lucky,) = ids_by_ticket(1, hit=True)
    ingest(workspace, write_orders(tmp_path / "a.csv", rows([lucky], "1000.00")))
    assert select(workspace).plan.decisions == [(lucky, 100000, 1, RANDOM_SAMPLE, "2026-12-11")]


def test_selection_matches_the_consistent_sampler_reference(workspace: Workspace, tmp_path: Path):
    rng = random.Random(3)
    ids = [f"WB-{rng.randint(0, 10**9):09d}" for _ in range(3000)] + ["wo/7", "é-ü 漢", " x "]
    ingest(workspace, write_orders(tmp_path / "many.csv", rows(ids, "250.00")))
    run = select(workspace)
    expected = {i for i in ids if Decimal(first_fraction(i, SEED)) < RATE}
    assert {d[0] for d in run.selected} == expected
    assert all(d[3] == RANDOM_SAMPLE for d in run.selected)
    assert len(run.plan.decisions) == len(set(ids))
    # The same orders at other rates, through the pure decision function.
    for rate in (Decimal("0.1"), Decimal("0.5"), Decimal("0.0123"), Decimal("0.123456789")):
        plan = decide(
            ids,
            [25000] * len(ids),
            [],
            seed=SEED,
            as_of=TODAY,
            threshold_cents=100000,
            sample_rate=rate,
            due_working_days=10,
        )
        chosen = {d[0] for d in plan.decisions if d[2]}
        assert chosen == {i for i in ids if Decimal(first_fraction(i, SEED)) < rate}, rate


def test_realised_rate_on_100000_orders_is_within_the_binomial_band():
    ids = [f"WB-2026-{n:06d}" for n in range(100_000)]
    plan = decide(
        ids,
        [99_999] * len(ids),
        [],
        seed=SEED,
        as_of=TODAY,
        threshold_cents=100_000,
        sample_rate=RATE,
        due_working_days=10,
    )
    lo, hi = binomial_band(100_000, 0.02, 0.999)
    assert lo <= plan.counts[RANDOM_SAMPLE] <= hi
    assert plan.counts[RANDOM_SAMPLE] + plan.counts[NOT_SELECTED] == 100_000


def test_each_order_is_decided_once(workspace: Workspace, tmp_path: Path):
    ingest(workspace, write_orders(tmp_path / "a.csv", rows(["A1", "A2"], "1500.00")))
    first = select(workspace)
    assert first.run_id == 1 and first.decided == 2
    again = select(workspace)
    assert again.run_id is None and again.decided == 0
    # Importing the same orders again changes nothing either.
    ingest(workspace, write_orders(tmp_path / "b.csv", rows(["A1", "A2"], "1500.00")))
    assert select(workspace).decided == 0
    assert decisions(workspace) == {
        "A1": [(1, 1, ABOVE_THRESHOLD, "2026-12-11")],
        "A2": [(1, 1, ABOVE_THRESHOLD, "2026-12-11")],
    }


def test_orders_completed_after_the_as_of_date_wait(workspace: Workspace, tmp_path: Path):
    ingest(
        workspace,
        write_orders(
            tmp_path / "a.csv",
            [("EARLY", "J", "1500.00", "2026-11-20"), ("LATE", "J", "1500.00", "2026-11-30")],
        ),
    )
    backfill = select(workspace, date(2026, 11, 27))
    assert [d[0] for d in backfill.plan.decisions] == ["EARLY"]
    assert backfill.left_pending == 1
    later = select(workspace, date(2026, 11, 30))
    assert later.plan.decisions == [("LATE", 150000, 1, ABOVE_THRESHOLD, "2026-12-14")]
    assert later.left_pending == 0


def test_orders_without_completion_date_are_not_decided(workspace: Workspace, tmp_path: Path):
    path = write_orders(tmp_path / "a.csv", [("OPEN", "J", "1500.00", "")])
    ingest(workspace, path)
    assert select(workspace).decided == 0
    ingest(workspace, write_orders(tmp_path / "b.csv", [("OPEN", "J", "1500.00", "2026-11-25")]))
    assert [d[0] for d in select(workspace).plan.decisions] == ["OPEN"]


def test_dry_run_stores_nothing(workspace: Workspace, tmp_path: Path):
    ingest(workspace, write_orders(tmp_path / "a.csv", rows(["A1"], "1500.00")))
    dry = select(workspace, dry_run=True)
    assert dry.dry_run and dry.run_id is None and dry.hash is None
    assert dry.plan.decisions == [("A1", 150000, 1, ABOVE_THRESHOLD, "2026-12-11")]
    assert decisions(workspace) == {}
    assert select(workspace).run_id == 1


def test_a_seed_that_does_not_match_the_commitment_is_refused(workspace: Workspace):
    conn = workspace.connect()
    with pytest.raises(SeedError, match="seed does not match the commitment"):
        run_selection(conn, seed="guess", config=Config(), as_of=TODAY, now=NOW)
    conn.close()


# --- stability --------------------------------------------------------------------------------


def _orders(n: int, seed: int) -> list[tuple[str, str, str, str]]:
    rng = random.Random(seed)
    return [
        (
            f"S{seed}-{i}",
            "Dubois",
            f"{rng.choice([200, 999, 1000, 1001, 4000])}.{i % 100:02d}",
            "2026-11-20",
        )
        for i in range(n)
    ]


def _final(ws: Workspace) -> dict[str, tuple[int, str | None, str | None]]:
    return {k: (v[-1][1], v[-1][2], v[-1][3]) for k, v in decisions(ws).items()}


def test_stability_adding_reordering_and_splitting(tmp_path: Path):
    a, b = _orders(400, 1), _orders(400, 2)
    files = tmp_path / "files"
    files.mkdir()
    fa, fb = write_orders(files / "a.csv", a), write_orders(files / "b.csv", b)
    fab = write_orders(files / "ab.csv", a + b)
    fba = write_orders(files / "ba.csv", list(reversed(b + a)))

    def workspace(name: str) -> Workspace:
        return init_workspace(tmp_path / name, SEED, NOW)[0]

    # Adding orders: A decided alone, then B added and decided by a later run.
    added = workspace("added")
    ingest(added, fa)
    select(added)
    before = _final(added)
    ingest(added, fb)
    select(added, TODAY + timedelta(days=3))
    after = _final(added)
    assert {k: after[k] for k in before} == before
    # Reordering: B then A, in one run.
    reordered = workspace("reordered")
    ingest(reordered, fb, fa)
    select(reordered)
    # Splitting: A and B in one file, rows reversed.
    joined = workspace("joined")
    ingest(joined, fba)
    select(joined)
    single = workspace("single")
    ingest(single, fab)
    select(single)

    def choice(ws: Workspace) -> dict[str, tuple[int, str | None]]:
        return {k: (v[0], v[1]) for k, v in _final(ws).items()}

    assert choice(added) == choice(reordered) == choice(joined) == choice(single)
    assert len(choice(single)) == 800


# --- amendments -------------------------------------------------------------------------------


def test_upward_amendment_across_the_threshold(workspace: Workspace, tmp_path: Path):
    (order_id,) = ids_by_ticket(1, hit=False)
    ingest(workspace, write_orders(tmp_path / "a.csv", rows([order_id], "800.00")))
    select(workspace)
    ingest(workspace, write_orders(tmp_path / "b.csv", rows([order_id], "1800.00")))
    run = select(workspace, date(2026, 11, 30))
    assert run.plan.decisions == [(order_id, 180000, 1, AMENDED_ABOVE_THRESHOLD, "2026-12-14")]
    assert decisions(workspace)[order_id] == [
        (1, 0, None, None),
        (2, 1, AMENDED_ABOVE_THRESHOLD, "2026-12-14"),
    ]


def test_downward_amendment_keeps_the_selection(workspace: Workspace, tmp_path: Path):
    ingest(workspace, write_orders(tmp_path / "a.csv", rows(["BIG"], "2500.00")))
    select(workspace)
    ingest(workspace, write_orders(tmp_path / "b.csv", rows(["BIG"], "900.00")))
    run = select(workspace)
    assert run.decided == 0
    assert run.plan.kept_after_downward == ["BIG"]
    assert run.plan.counts[KEPT_AFTER_DOWNWARD] == 1
    assert run.run_id == 2  # recorded, so the amendment stays visible in the run history
    assert decisions(workspace)["BIG"] == [(1, 1, ABOVE_THRESHOLD, "2026-12-11")]


def test_other_amendments_decide_nothing_new(workspace: Workspace, tmp_path: Path):
    (lucky,) = ids_by_ticket(1, hit=True)
    (unlucky,) = ids_by_ticket(1, hit=False, prefix="U-")
    ingest(workspace, write_orders(tmp_path / "a.csv", rows([lucky, unlucky], "300.00")))
    select(workspace)
    # The drawn order goes above the threshold, the other one changes but stays below.
    ingest(
        workspace,
        write_orders(
            tmp_path / "b.csv",
            [
                (lucky, "Janssens", "3000.00", "2026-11-20"),
                (unlucky, "Janssens", "310.00", "2026-11-20"),
            ],
        ),
    )
    run = select(workspace)
    assert run.run_id is None and run.decided == 0 and run.plan.kept_after_downward == []
    assert decisions(workspace) == {
        lucky: [(1, 1, RANDOM_SAMPLE, "2026-12-11")],
        unlucky: [(1, 0, None, None)],
    }
    # Their pending flags are cleared: the next run does not look at them again.
    conn = workspace.connect()
    assert db.pending_decided(conn, "2026-12-31") == []
    conn.close()


# --- due dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "due"),
    [
        # Easter Monday 6 Apr 2026: Thu 2 (1), Fri 3 (2), Tue 7 (3) ... Thu 16 (10).
        (date(2026, 4, 1), date(2026, 4, 16)),
        # National Day Tue 21 Jul: Wed 22 (1) ... Fri 31 (8), Mon 3 (9), Tue 4 Aug (10).
        (date(2026, 7, 20), date(2026, 8, 4)),
        # All Saints' Day (Sun 1 Nov) and Armistice (Wed 11 Nov): Mon 2 (1) ... Tue 10 (7),
        # Thu 12 (8), Fri 13 (9), Mon 16 (10).
        (date(2026, 10, 30), date(2026, 11, 16)),
        # Selected on a Saturday: Mon 30 Nov (1) ... Fri 11 Dec (10).
        (date(2026, 11, 28), date(2026, 12, 11)),
    ],
)
def test_due_dates_skip_weekends_and_belgian_holidays(
    workspace: Workspace, tmp_path: Path, as_of: date, due: date
):
    completed = (as_of - timedelta(days=1)).isoformat()
    ingest(workspace, write_orders(tmp_path / "a.csv", rows(["H1"], "1500.00", completed)))
    assert select(workspace, as_of).plan.decisions[0][4] == due.isoformat()


def test_due_days_come_from_the_config(workspace: Workspace, tmp_path: Path):
    ingest(workspace, write_orders(tmp_path / "a.csv", rows(["H1"], "1500.00")))
    run = select(workspace, config=replace(workspace.config(), due_working_days=1))
    assert run.due_on == "2026-11-30"  # Friday 27 Nov + 1 working day


# --- the run record ---------------------------------------------------------------------------


def auditor_run_hash(conn, run_id: int) -> str:
    """The documented recipe 4, written independently of the code under test."""
    run = conn.execute(
        "SELECT run_id, created_at, as_of, seed_commitment, threshold_cents, sample_rate, "
        "due_working_days, counts, prev_hash FROM selection_runs WHERE run_id = ?",
        (run_id,),
    ).fetchone()
    keys = (
        "run_id",
        "created_at",
        "as_of",
        "seed_commitment",
        "threshold_cents",
        "sample_rate",
        "due_working_days",
        "counts",
        "prev_hash",
    )
    document = dict(zip(keys, run, strict=True))
    document["counts"] = json.loads(document["counts"])
    columns = ("order_id", "amount_cents", "selected", "reason", "due_on")
    rows = conn.execute(
        f"SELECT {', '.join(columns)} FROM decisions WHERE run_id = ? ORDER BY order_id",
        (run_id,),
    ).fetchall()
    document["decisions"] = {name: [r[i] for r in rows] for i, name in enumerate(columns)}
    document["kept_after_downward_amendment"] = [
        r[0]
        for r in conn.execute(
            "SELECT order_id FROM run_kept WHERE run_id = ? ORDER BY order_id", (run_id,)
        )
    ]
    document["imports"] = [
        list(r)
        for r in conn.execute(
            "SELECT i.id, i.sha256 FROM run_imports r JOIN imports i ON i.id = r.import_id "
            "WHERE r.run_id = ? ORDER BY i.id",
            (run_id,),
        )
    ]
    rule = conn.execute(
        "SELECT split_rule, split_window_days FROM run_split_rule WHERE run_id = ?", (run_id,)
    ).fetchone()
    document["split_rule"], document["split_window_days"] = rule
    groups: dict[int, list] = {}
    for number, *place, order_id, cents, done in conn.execute(
        "SELECT group_no, contractor, dwelling, order_id, amount_cents, completed_on "
        "FROM run_split_orders WHERE run_id = ? ORDER BY group_no, position",
        (run_id,),
    ):
        groups.setdefault(number, [*place, []])[2].append([order_id, cents, done])
    document["split_groups"] = list(groups.values())
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def readme_recipe():
    """The `run_hash` function docs/audit.md gives auditors, taken from it as it is."""
    text = (REPO / "docs" / "audit.md").read_text(encoding="utf-8")
    start = text.index("```python", text.index("**4. The chain of runs.**")) + len("```python")
    namespace: dict = {}
    exec(text[start : text.index("```", start)], namespace)
    return namespace["run_hash"]


def test_runs_are_recorded_in_a_hash_chain(workspace: Workspace, tmp_path: Path):
    ingest(workspace, write_orders(tmp_path / "a.csv", rows(["A1", "é-1"], "1500.00")))
    first = select(workspace)
    ingest(workspace, write_orders(tmp_path / "b.csv", rows(["B1", "B2"], "50.00")))
    second = select(workspace, now=NOW + timedelta(days=1))
    conn = workspace.connect()
    runs = db.runs(conn)
    assert [(r[0], r[8], r[9]) for r in runs] == [
        (1, GENESIS_HASH, first.hash),
        (2, first.hash, second.hash),
    ]
    assert runs[0][1] == "2026-11-27T06:30:00+00:00"
    assert runs[0][3] == hashlib.sha256(SEED.encode()).hexdigest()
    assert runs[0][4:8] == (100000, "0.02", 10, first.plan.counts)
    assert auditor_run_hash(conn, 1) == first.hash
    assert auditor_run_hash(conn, 2) == second.hash
    readme_run_hash = readme_recipe()
    assert (readme_run_hash(conn, 1), readme_run_hash(conn, 2)) == (first.hash, second.hash)
    assert [d for _, d in db.logged_run_hashes(conn)] == [
        f"run 1 {first.hash}",
        f"run 2 {second.hash}",
    ]
    conn.close()


def test_realised_rate_accumulates_over_runs(workspace: Workspace, tmp_path: Path):
    lucky = ids_by_ticket(2, hit=True)
    unlucky = ids_by_ticket(8, hit=False, prefix="U-")
    ingest(workspace, write_orders(tmp_path / "a.csv", rows(lucky[:1] + unlucky[:4])))
    assert select(workspace).realised.sampled == 1
    ingest(workspace, write_orders(tmp_path / "b.csv", rows(lucky[1:] + unlucky[4:])))
    realised = select(workspace).realised
    assert (realised.sampled, realised.population, realised.rate) == (2, 10, 0.2)
    assert realised.interval[0] < 0.2 < realised.interval[1]


@pytest.mark.parametrize(
    "order_ids",
    [
        ["A-1", "B/2", "C 3", "~x"],
        ["A-1", 'q"uote', "back\\slash", "tab\tx", "é-ü 漢", "del\x7f", "nul\x00"],
    ],
)
def test_the_run_hash_escapes_any_order_id_as_json_dumps_does(order_ids):
    rows = [(o, i * 1000, RANDOM_SAMPLE if i % 2 else None) for i, o in enumerate(order_ids)]
    columns = (
        order_ids,
        [r[1] for r in rows],
        [1 if r[2] else 0 for r in rows],
        [r[2] for r in rows],
        ["2026-12-11" if r[2] else None for r in rows],
    )
    run = {
        "run_id": 1,
        "created_at": "2026-11-27T06:30:00+00:00",
        "as_of": "2026-11-27",
        "seed_commitment": "c" * 64,
        "threshold_cents": 100000,
        "sample_rate": "0.02",
        "due_working_days": 10,
        "counts": {"random_sample": 2, "not_selected": 2},
        "prev_hash": GENESIS_HASH,
    }
    document = {**run, "decisions": dict(zip(COLUMN_NAMES, columns, strict=True))}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    expected = hashlib.sha256(text.encode("ascii")).hexdigest()
    assert run_hash(**run, decisions=columns, recipe=2) == expected
