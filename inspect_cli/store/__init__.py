"""The SQLite store. This package owns every SQL statement of the tool.

``connect`` opens a store in WAL mode with foreign keys on and brings its schema up to date.
Area modules (``orders``, ``selections``, ``inspections``, ...) hold the queries of each part.
"""

from __future__ import annotations

import os
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
    # fewer system calls, which ingest and select feel. The size is fixed when the store is
    # created; an existing store keeps its own.
    conn.execute("PRAGMA page_size = 16384")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 10000")
    # A 64 MiB page cache (default 2 MiB) keeps the order index in memory while a large file
    # is merged, so that bulk inserts do not wait on the disk for it.
    conn.execute("PRAGMA cache_size = -65536")
    migrate(conn)
    return conn


def open_read_only(path: Path, *, any_thread: bool = False) -> sqlite3.Connection:
    """Open an existing store only to read it: nothing is migrated, created or repaired.

    SQLite reads a WAL-mode store through a -shm file beside it. Where the folder cannot hold
    one (read-only media, an auditor's copy), ``immutable=1`` tells SQLite that nothing will
    change the file, so it needs neither that file nor locks. A -wal file left there by a run
    that was not shut down is not ignored that way: SQLite is then asked to read it as usual.
    """
    if not path.is_file():
        raise FileNotFoundError(path)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    if not os.access(path.parent, os.W_OK) and not (wal.is_file() and wal.stat().st_size):
        uri += "&immutable=1"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=not any_thread)
    conn.execute("PRAGMA query_only = ON")
    return conn


def is_read_only(conn: sqlite3.Connection) -> bool:
    """Whether `conn` was opened by ``open_read_only``."""
    return bool(conn.execute("PRAGMA query_only").fetchone()[0])


@contextmanager
def reader(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A second, read-only connection to the same store, for a thread that reads while `conn`
    writes. In WAL mode it sees the last committed state: while `conn` holds the write lock
    (``transaction``) and has not yet changed what the thread reads, the state `conn` sees."""
    path = next(row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main")
    if is_read_only(conn):
        other = open_read_only(Path(path), any_thread=True)
    else:
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


def record_event(conn: sqlite3.Connection, now: datetime, event: str, detail: str) -> bool:
    """Append to the audit log in a transaction of its own; False, and nothing written, on a
    store opened read-only (an auditor's copy on read-only media cannot hold the entry)."""
    if is_read_only(conn):
        return False
    with transaction(conn):
        log_event(conn, now, event, detail)
    return True
