"""The SQLite store. This package owns every SQL statement of the tool.

``connect`` opens a store in WAL mode with foreign keys on and brings its schema up to date.
Area modules (``orders``, ``selections``, ``inspections``, ...) hold the queries of each part.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from inspect_cli.store.schema import migrate


def connect(path: Path) -> sqlite3.Connection:
    """Open (or create) the store and apply pending migrations."""
    # Autocommit mode: every write happens inside an explicit ``transaction``.
    conn = sqlite3.connect(path, isolation_level=None)
    # 16 KiB pages instead of SQLite's 4: a million orders read and written in bulk then take
    # a quarter of the system calls (ingest and select about 15 % faster). The size is fixed
    # when the store is created; an existing store keeps its own.
    conn.execute("PRAGMA page_size = 16384")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 10000")
    # A 64 MiB page cache (default 2 MiB) keeps the order index in memory while a large file
    # is merged: it makes bulk inserts several times faster.
    conn.execute("PRAGMA cache_size = -65536")
    migrate(conn)
    return conn


@contextmanager
def reader(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A second, read-only connection to the same store, for a thread that reads while `conn`
    writes. In WAL mode it sees the last committed state: while `conn` holds the write lock
    (``transaction``) and has not yet changed what the thread reads, the state `conn` sees."""
    path = next(row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main")
    other = sqlite3.connect(Path(path).as_uri() + "?mode=ro", uri=True, check_same_thread=False)
    try:
        yield other
    finally:
        other.close()


@contextmanager
def unchecked_references(conn: sqlite3.Connection) -> Iterator[None]:
    """Skip foreign-key checks for a bulk insert whose references the caller just read (the
    pending orders a run decides, the orders an import stores itself).

    Checking that each of a million rows points to an existing order costs more than the
    insert itself. The pragma only takes effect outside a transaction, so this goes around it.
    """
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One all-or-nothing unit of work (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any error).

    IMMEDIATE takes the write lock up front, so a concurrent writer waits instead of failing
    half-way through.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def timestamp(now: datetime) -> str:
    """Store timestamps as ISO text to the second."""
    return now.isoformat(timespec="seconds")


def record_seed_commitment(conn: sqlite3.Connection, commitment: str, now: datetime) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES ('seed_commitment', ?)", (commitment,))
    conn.execute("INSERT INTO meta (key, value) VALUES ('created_at', ?)", (timestamp(now),))
    log_event(conn, now, "seed_commitment", commitment)


def seed_commitment(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'seed_commitment'").fetchone()
    return row[0] if row else None


def log_event(conn: sqlite3.Connection, now: datetime, event: str, detail: str) -> None:
    """Append to the audit log (seed commitment, reveals, verifications)."""
    conn.execute(
        "INSERT INTO audit_log (at, event, detail) VALUES (?, ?, ?)",
        (timestamp(now), event, detail),
    )
