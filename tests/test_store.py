"""The store's schema migrations: a store made by an older version keeps its data."""

from __future__ import annotations

import json
import sqlite3

from conftest import NOW, SEED

from inspect_cli import store
from inspect_cli.sampling import seed_commitment
from inspect_cli.selection import GENESIS_HASH, run_hash
from inspect_cli.store import schema
from inspect_cli.verify import verify

COMMITMENT = seed_commitment(SEED)


def version_1_store(path) -> None:
    """A store as migration 1 left it, with a decided order, a pending one (new), an amended
    decided one (pending again) and one not completed."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "CREATE TABLE schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    with store.transaction(conn):
        schema._m001_initial(conn)
        conn.execute("INSERT INTO schema_migrations VALUES (1, 'initial schema', 'then')")
        conn.execute(
            "INSERT INTO imports (file_name, sha256, imported_at, read, new, unchanged, "
            "amended, rejected) VALUES ('a.csv', 'x', 'then', 4, 4, 0, 0, 0)"
        )
        conn.executemany(
            "INSERT INTO orders (order_id, contractor, amount_cents, completed_on, "
            "first_import_id, last_import_id, updated_at, pending) VALUES (?, 'J', ?, ?, 1, 1, "
            "'then', ?)",
            [
                ("DECIDED", 150000, "2026-11-02", 0),
                ("NEW", 500, "2026-11-03", 1),
                ("AMENDED", 700, "2026-11-01", 1),
                ("OPEN", 900, None, 0),
            ],
        )
        decisions = [
            ("AMENDED", 600, 0, None, None),
            ("DECIDED", 150000, 1, "above_threshold", "2026-11-09"),
        ]
        # A run at rate 0 (nothing drawn), hashed the way version 1 did.
        run = {
            "run_id": 1,
            "created_at": "2026-11-02T06:00:00+00:00",
            "as_of": "2026-11-02",
            "seed_commitment": COMMITMENT,
            "threshold_cents": 100000,
            "sample_rate": "0",
            "due_working_days": 5,
            "counts": {
                "above_threshold": 1,
                "amended_above_threshold": 0,
                "random_sample": 0,
                "not_selected": 1,
                "kept_after_downward_amendment": 0,
            },
            "prev_hash": GENESIS_HASH,
        }
        digest = run_hash(**run, decisions=decisions, recipe=1)
        conn.execute(
            "INSERT INTO selection_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*list(run.values())[:7], json.dumps(run["counts"]), GENESIS_HASH, digest),
        )
        conn.executemany("INSERT INTO decisions VALUES (?, 1, ?, ?, ?, ?)", decisions)
        conn.execute(
            "INSERT INTO order_revisions (order_id, revised_at, import_id, old_values) "
            "VALUES ('AMENDED', 'then', 1, json_object('amount_cents', 600))"
        )
        conn.execute("INSERT INTO meta VALUES ('seed_commitment', ?)", (COMMITMENT,))
        conn.execute(
            "INSERT INTO audit_log (at, event, detail) VALUES ('then', 'seed_commitment', ?)",
            (COMMITMENT,),
        )
        conn.execute(
            "INSERT INTO audit_log (at, event, detail) VALUES ('then', 'selection_run', ?)",
            (f"run 1 {digest}",),
        )
    conn.close()


def test_migration_2_moves_pending_orders_to_their_own_table(tmp_path):
    path = tmp_path / "old.sqlite"
    version_1_store(path)
    conn = store.connect(path)
    assert schema.schema_version(conn) == schema.LATEST_VERSION
    assert conn.execute("SELECT * FROM pending ORDER BY order_id").fetchall() == [
        ("AMENDED", 700, "2026-11-01"),
        ("NEW", 500, "2026-11-03"),
    ]
    columns = [row[1] for row in conn.execute("PRAGMA table_info(orders)")]
    assert "pending" not in columns and len(columns) == 17
    assert conn.execute("SELECT * FROM decisions ORDER BY order_id").fetchall() == [
        ("AMENDED", 1, 600, 0, None, None),
        ("DECIDED", 1, 150000, 1, "above_threshold", "2026-11-09"),
    ]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # The run hashed with recipe 1 still verifies, and so does one made now (recipe 2).
    assert conn.execute("SELECT hash_recipe FROM selection_runs").fetchall() == [(1,)]
    assert verify(conn, SEED).problems == []


def open_orders(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT order_id FROM open_inspections ORDER BY 1")]


def open_by_outcomes(conn) -> list[str]:
    """The open inspections worked out from the decisions and outcomes themselves."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT d.order_id FROM decisions d WHERE d.selected = 1 AND NOT EXISTS "
            "(SELECT 1 FROM inspections i WHERE i.order_id = d.order_id "
            "AND i.superseded_by IS NULL AND i.result != 'no_access') ORDER BY 1"
        )
    ]


def test_migration_3_lists_the_open_inspections_of_an_older_store(tmp_path):
    path = tmp_path / "old.sqlite"
    version_1_store(path)
    conn = store.connect(path)
    assert open_orders(conn) == ["DECIDED"]


def test_open_inspections_follow_selections_and_outcomes(tmp_path):
    """The triggers keep the table equal to what the decisions and outcomes say, through a
    selection, a drawn order, a final outcome, its replacement by a visit without access and a
    final outcome again."""
    from inspect_cli.store import inspections
    from inspect_cli.store import selections as db

    path = tmp_path / "old.sqlite"
    version_1_store(path)
    conn = store.connect(path)

    def outcome(order_id: str, result: str, replaces: int | None = None) -> int:
        return inspections.insert_outcome(
            conn,
            order_id=order_id,
            inspector="An",
            inspected_on="2026-11-20",
            result=result,
            findings=None,
            correction_cents=0,
            now=NOW,
            import_id=None,
            replaces=replaces,
        )

    with store.transaction(conn):
        conn.execute(
            "INSERT INTO selection_runs (run_id, created_at, as_of, seed_commitment, "
            "threshold_cents, sample_rate, due_working_days, counts, prev_hash, hash) "
            "VALUES (2, 'x', '2026-11-03', 'c', 100000, '0.02', 5, '{}', 'p', 'h')"
        )
        db.insert_decisions(conn, 2, [("NEW", 500, 0, None, None)])
        assert open_orders(conn) == ["DECIDED"]
        assert db.mark_selected(conn, 2, ["NEW"], "random_sample", "2026-11-10") == 1
    assert open_orders(conn) == open_by_outcomes(conn) == ["DECIDED", "NEW"]
    with store.transaction(conn):
        first = outcome("DECIDED", "ok")
        outcome("NEW", "no_access")
    assert open_orders(conn) == open_by_outcomes(conn) == ["NEW"]
    with store.transaction(conn):
        second = outcome("DECIDED", "no_access", replaces=first)
    assert open_orders(conn) == open_by_outcomes(conn) == ["DECIDED", "NEW"]
    with store.transaction(conn):
        outcome("DECIDED", "minor", replaces=second)
    assert open_orders(conn) == open_by_outcomes(conn) == ["NEW"]


def test_runs_of_both_recipes_verify_and_tampering_shows_in_either(tmp_path):
    from inspect_cli.config import Config
    from inspect_cli.selection import run_selection

    path = tmp_path / "old.sqlite"
    version_1_store(path)
    conn = store.connect(path)
    run = run_selection(conn, seed=SEED, config=Config(), as_of=NOW.date(), now=NOW)
    # NEW is decided; AMENDED (not selected before, still below the threshold) is not again.
    assert (run.run_id, run.decided) == (2, 1)
    assert [r[0] for r in conn.execute("SELECT hash_recipe FROM selection_runs")] == [1, 4]
    assert verify(conn, SEED).problems == []
    with store.transaction(conn):
        conn.execute("UPDATE decisions SET amount_cents = 601 WHERE order_id = 'AMENDED'")
        conn.execute("UPDATE decisions SET amount_cents = 501 WHERE order_id = 'NEW'")
    problems = [p.message for p in verify(conn, SEED).problems if p.kind == "chain"]
    assert problems == [
        "run 1: its record or decisions changed after it was made (hash mismatch)",
        "run 2: its record or decisions changed after it was made (hash mismatch)",
    ]


def test_a_new_store_has_16_kib_pages_and_an_old_one_keeps_its_own(tmp_path):
    new = store.connect(tmp_path / "new.sqlite")
    assert new.execute("PRAGMA page_size").fetchone() == (16384,)
    path = tmp_path / "old.sqlite"
    version_1_store(path)  # made with SQLite's default page size
    assert store.connect(path).execute("PRAGMA page_size").fetchone() == (4096,)
