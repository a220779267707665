"""Ordered schema migrations. Append a new function for every change; never edit a shipped one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime


def _execute_script(conn: sqlite3.Connection, script: str) -> None:
    """Run DDL statement by statement: ``executescript`` would commit the open transaction."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _m001_initial(conn: sqlite3.Connection) -> None:
    _execute_script(
        conn,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            event TEXT NOT NULL,
            detail TEXT NOT NULL
        );

        -- One row per file imported (orders, outcomes or satisfaction), with its accounting.
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT 'orders',
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            read INTEGER NOT NULL,
            new INTEGER NOT NULL,
            unchanged INTEGER NOT NULL,
            amended INTEGER NOT NULL,
            rejected INTEGER NOT NULL,
            quarantine TEXT
        );

        -- Current values of each repair order. Amounts are integer cents excl. VAT.
        -- pending = 1 marks a completed order that the next selection run must look at
        -- (new, or amended after its decision), and a partial index keeps that lookup cheap.
        CREATE TABLE orders (
            order_id TEXT PRIMARY KEY,
            contractor TEXT NOT NULL,
            amount_cents INTEGER NOT NULL,
            completed_on TEXT,
            dwelling_id TEXT,
            address TEXT,
            postcode TEXT,
            municipality TEXT,
            category TEXT,
            description TEXT,
            order_date TEXT,
            invoice_number TEXT,
            vat_rate TEXT,
            tenant_contact TEXT,
            first_import_id INTEGER NOT NULL REFERENCES imports(id),
            last_import_id INTEGER NOT NULL REFERENCES imports(id),
            updated_at TEXT NOT NULL,
            pending INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX orders_pending ON orders(order_id) WHERE pending = 1;
        CREATE INDEX orders_contractor ON orders(contractor);

        -- The values an amended order had before each amendment (JSON of the changed fields).
        CREATE TABLE order_revisions (
            id INTEGER PRIMARY KEY,
            order_id TEXT NOT NULL REFERENCES orders(order_id),
            revised_at TEXT NOT NULL,
            import_id INTEGER NOT NULL REFERENCES imports(id),
            old_values TEXT NOT NULL
        );
        CREATE INDEX order_revisions_order ON order_revisions(order_id);

        -- Selection runs form a hash chain: hash covers the run, its decisions and prev_hash.
        CREATE TABLE selection_runs (
            run_id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            as_of TEXT NOT NULL,
            seed_commitment TEXT NOT NULL,
            threshold_cents INTEGER NOT NULL,
            sample_rate TEXT NOT NULL,
            due_working_days INTEGER NOT NULL,
            counts TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );

        -- A decision per order and run. Normally one per order, but an order amended above the
        -- threshold after a "not selected" decision gets a second one (amended_above_threshold).
        CREATE TABLE decisions (
            order_id TEXT NOT NULL REFERENCES orders(order_id),
            run_id INTEGER NOT NULL REFERENCES selection_runs(run_id),
            amount_cents INTEGER NOT NULL,
            selected INTEGER NOT NULL,
            reason TEXT,
            due_on TEXT,
            PRIMARY KEY (order_id, run_id)
        );
        CREATE INDEX decisions_run ON decisions(run_id);
        CREATE INDEX decisions_selected ON decisions(order_id) WHERE selected = 1;

        -- Inspection outcomes. A replaced outcome is kept with superseded_by set.
        CREATE TABLE inspections (
            id INTEGER PRIMARY KEY,
            order_id TEXT NOT NULL REFERENCES orders(order_id),
            inspector TEXT NOT NULL,
            inspected_on TEXT NOT NULL,
            result TEXT NOT NULL
                CHECK (result IN ('ok', 'minor', 'major', 'not_done', 'no_access')),
            findings TEXT,
            correction_cents INTEGER NOT NULL DEFAULT 0,
            recorded_at TEXT NOT NULL,
            import_id INTEGER REFERENCES imports(id),
            superseded_by INTEGER REFERENCES inspections(id)
        );
        CREATE INDEX inspections_order ON inspections(order_id);

        -- Tenant satisfaction, one current score per order, replaced ones kept.
        CREATE TABLE satisfaction (
            id INTEGER PRIMARY KEY,
            order_id TEXT NOT NULL REFERENCES orders(order_id),
            score INTEGER NOT NULL,
            scale INTEGER NOT NULL,
            responded_on TEXT,
            comment TEXT,
            recorded_at TEXT NOT NULL,
            import_id INTEGER REFERENCES imports(id),
            superseded_by INTEGER REFERENCES satisfaction(id)
        );
        CREATE INDEX satisfaction_order ON satisfaction(order_id);
        """,
    )


def _m002_pending_table(conn: sqlite3.Connection) -> None:
    """Pending orders in a narrow table of their own, and decisions without a rowid.

    A run used to clear a flag on every order it decided, which rewrote every page of the wide
    orders table, slow at a million orders; deleting the rows of a narrow table costs next
    to nothing. Pending rows carry the amount and completion date the run decides on, so a run
    reads them in order id order without touching the orders. Decisions are stored in their
    primary key alone (order_id, run_id), one B-tree instead of three, with a partial index of
    the selected ones per run. Runs record the recipe of their hash: the decisions as rows
    (1, every run so far) or as columns (2, cheaper to write for a million decisions).
    """
    _execute_script(
        conn,
        """
        CREATE TABLE pending (
            order_id TEXT PRIMARY KEY,
            amount_cents INTEGER NOT NULL,
            completed_on TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO pending (order_id, amount_cents, completed_on)
            SELECT order_id, amount_cents, completed_on FROM orders
             WHERE pending = 1 AND completed_on IS NOT NULL;
        DROP INDEX orders_pending;
        ALTER TABLE orders DROP COLUMN pending;

        CREATE TABLE decisions_v2 (
            order_id TEXT NOT NULL REFERENCES orders(order_id),
            run_id INTEGER NOT NULL REFERENCES selection_runs(run_id),
            amount_cents INTEGER NOT NULL,
            selected INTEGER NOT NULL,
            reason TEXT,
            due_on TEXT,
            PRIMARY KEY (order_id, run_id)
        ) WITHOUT ROWID;
        INSERT INTO decisions_v2 (order_id, run_id, amount_cents, selected, reason, due_on)
            SELECT order_id, run_id, amount_cents, selected, reason, due_on FROM decisions;
        DROP TABLE decisions;
        ALTER TABLE decisions_v2 RENAME TO decisions;
        CREATE INDEX decisions_selected ON decisions(run_id, order_id) WHERE selected = 1;

        -- Runs made from now on are hashed with recipe 2 (decisions as columns, see README).
        ALTER TABLE selection_runs ADD COLUMN hash_recipe INTEGER NOT NULL DEFAULT 1;
        """,
    )


FINAL_OUTCOME = """
    SELECT 1 FROM inspections i
     WHERE i.order_id = {order} AND i.superseded_by IS NULL AND i.result != 'no_access'"""
"""An outcome that closes an inspection ({order}: the order's id): the order's current one, not
replaced; a visit that found no access is not final."""
_OPEN_IF_NO_OUTCOME = f"""
    INSERT OR IGNORE INTO open_inspections (order_id)
    SELECT NEW.order_id WHERE NOT EXISTS ({FINAL_OUTCOME.format(order="NEW.order_id")})"""


def _m003_open_inspections(conn: sqlite3.Connection) -> None:
    """The selected orders without a final outcome, in a narrow table.

    The daily open list looked at every order ever selected for a final outcome, so it grew
    with the history (137,000 probes at a million orders); this table holds only the open ones.
    The selection store opens the orders a run selects, with one statement per run (a trigger
    on a million decisions would cost a step each). Triggers keep it as outcomes come in,
    whichever command records them: a final outcome closes the order; replacing an outcome
    opens it again when no final one is left.
    """
    final = FINAL_OUTCOME.format(order="d.order_id")
    _execute_script(
        conn,
        f"""
        CREATE TABLE open_inspections (order_id TEXT PRIMARY KEY) WITHOUT ROWID;
        INSERT INTO open_inspections (order_id)
            SELECT DISTINCT d.order_id FROM decisions d
             WHERE d.selected = 1 AND NOT EXISTS ({final});
        """,
    )
    # Trigger bodies hold semicolons: each is one statement.
    conn.execute(
        "CREATE TRIGGER close_on_outcome AFTER INSERT ON inspections "
        "WHEN NEW.superseded_by IS NULL AND NEW.result != 'no_access' "
        "BEGIN DELETE FROM open_inspections WHERE order_id = NEW.order_id; END"
    )
    conn.execute(
        "CREATE TRIGGER reopen_on_replacement AFTER UPDATE OF superseded_by ON inspections "
        "WHEN NEW.superseded_by IS NOT NULL BEGIN "
        f"{_OPEN_IF_NO_OUTCOME} AND EXISTS (SELECT 1 FROM decisions d "
        "WHERE d.order_id = NEW.order_id AND d.selected = 1); END"
    )


def _m004_run_population(conn: sqlite3.Connection) -> None:
    """Name what a run's hash pins beyond its decisions (hash recipe 3).

    run_kept: the orders a run kept selected after a downward amendment, by order id (until
    now only counted). run_imports: the files imported since the previous run, whose SHA-256
    (in imports) each run's hash covers, so that a receipt of the run pins its inputs too.
    """
    _execute_script(
        conn,
        """
        CREATE TABLE run_kept (
            run_id INTEGER NOT NULL REFERENCES selection_runs(run_id),
            order_id TEXT NOT NULL,
            PRIMARY KEY (run_id, order_id)
        ) WITHOUT ROWID;
        CREATE TABLE run_imports (
            run_id INTEGER NOT NULL REFERENCES selection_runs(run_id),
            import_id INTEGER NOT NULL REFERENCES imports(id),
            PRIMARY KEY (run_id, import_id)
        ) WITHOUT ROWID;
        """,
    )


def _m005_split_rule(conn: sqlite3.Connection) -> None:
    """Record the split rule of each run and the split groups it acted on (hash recipe 4).

    run_split_rule: the split_rule ("report" or "select") and split_window_days each run was
    made with (runs before this migration have none: the rule did not exist). run_split_orders:
    per run, the orders of each split group it acted on, with the contractor, dwelling key,
    amount and completion date the group was found on, so that `verify` can check the group
    even after an order is amended.
    """
    _execute_script(
        conn,
        """
        CREATE TABLE run_split_rule (
            run_id INTEGER PRIMARY KEY REFERENCES selection_runs(run_id),
            split_rule TEXT NOT NULL,
            split_window_days INTEGER NOT NULL
        );
        CREATE TABLE run_split_orders (
            run_id INTEGER NOT NULL REFERENCES selection_runs(run_id),
            group_no INTEGER NOT NULL,
            position INTEGER NOT NULL,
            order_id TEXT NOT NULL,
            contractor TEXT NOT NULL,
            dwelling TEXT NOT NULL,
            amount_cents INTEGER NOT NULL,
            completed_on TEXT NOT NULL,
            PRIMARY KEY (run_id, group_no, position)
        ) WITHOUT ROWID;
        """,
    )


MIGRATIONS: tuple[tuple[int, str, Callable[[sqlite3.Connection], None]], ...] = (
    (1, "initial schema", _m001_initial),
    (2, "pending table, decisions without rowid", _m002_pending_table),
    (3, "open inspections kept by triggers", _m003_open_inspections),
    (4, "kept orders and imports of each run", _m004_run_population),
    (5, "split rule and split groups of each run", _m005_split_rule),
)


def migrate(conn: sqlite3.Connection) -> None:
    """Apply the migrations this store has not seen yet, each in its own transaction."""
    from inspect_cli.store import transaction

    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    for version, name, apply in MIGRATIONS:
        if version in done:
            continue
        with transaction(conn):
            apply(conn)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, datetime.now(UTC).isoformat(timespec="seconds")),
            )


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return row[0] or 0


LATEST_VERSION = MIGRATIONS[-1][0]
