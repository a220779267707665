"""``verify --files``: the amounts decided on, checked against the archived original files.

Everything else `verify` checks lives in the store, which its owner can rewrite consistently.
The files contractors sent cannot be rewritten that way: the `imports` table holds the SHA-256
of each, and `daily` keeps each file in archive/. This module finds every import's file by its
hash, reads the files again with the same parser as `ingest`, and checks that each decision's
amount is the amount that order had in the latest file imported before the run.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from inspect_cli.config import Config
from inspect_cli.errors import InspectError
from inspect_cli.ingest import CHUNK_ROWS, file_sha256
from inspect_cli.money import format_cents
from inspect_cli.store import selections as db

Supplied = tuple[int, str, int]
"""(import_id, imported_at, amount_cents) of one file's row for an order."""


@dataclass(frozen=True)
class FileProblem:
    """A changed, missing or extra archived file, or an amount no file gave."""

    message: str
    run_id: int | None = None
    order_id: str | None = None


def archived_files(archive: Path) -> dict[str, list[Path]]:
    """SHA-256 -> the archived files with that content."""
    found: dict[str, list[Path]] = {}
    for path in sorted(archive.rglob("*")) if archive.is_dir() else []:
        if path.is_file() and not path.is_symlink():
            found.setdefault(file_sha256(path), []).append(path)
    return found


def file_amounts(path: Path, config: Config) -> dict[str, int]:
    """Order id -> amount_cents of the good rows of one file, as `ingest` reads it; an id the
    file gives two different amounts is left out (ingest rejects both rows)."""
    from inspect_cli import parsing

    table, columns = parsing.open_orders(path, None, config.profile_for(path.name), CHUNK_ROWS)
    parser = parsing.Parser(table, columns, config.profile_for(path.name))
    amounts: dict[str, int] = {}
    conflicts: set[str] = set()
    while (parsed := parser.next()) is not None:
        for part in (parsed.firsts, parsed.repeated):
            for order_id, cents in zip(part["order_id"], part["amount_cents"], strict=True):
                if amounts.setdefault(order_id, cents) != cents:
                    conflicts.add(order_id)
    for order_id in conflicts:
        del amounts[order_id]
    return amounts


def check_files(conn: sqlite3.Connection, archive: Path, config: Config) -> list[FileProblem]:
    """Every order import's file in `archive`, no other file there, and every decision's
    amount the one the latest file before its run gave that order."""
    problems: list[FileProblem] = []
    archived = archived_files(archive)
    supplied: dict[str, list[Supplied]] = {}
    unread = 0
    for import_id, name, sha256, imported_at in db.order_imports(conn):
        paths = archived.pop(sha256, None)
        if not paths:
            unread += 1
            problems.append(
                FileProblem(
                    f"import {import_id} ({name}, SHA-256 {sha256}): no archived file has this "
                    "content (missing, or changed after it was imported)"
                )
            )
            continue
        try:
            amounts = file_amounts(paths[0], config)
        except (InspectError, OSError) as e:
            unread += 1
            problems.append(FileProblem(f"{paths[0]}: cannot be read again: {e}"))
            continue
        for order_id, cents in amounts.items():
            supplied.setdefault(order_id, []).append((import_id, imported_at, cents))
    problems.extend(
        FileProblem(f"{path}: in the archive but not the file of any import")
        for paths in archived.values()
        for path in paths
    )
    problems.extend(_check_amounts(conn, supplied, complete=not unread))
    return problems


def _last_imports(conn: sqlite3.Connection) -> dict[int, int | str]:
    """Run id -> the newest import it saw: the newest import id a run of recipe 3 (or one
    before it) pinned; for older runs, which pinned none, the run's created_at time."""
    _, pinned = db.run_population(conn)
    newest = 0
    found: dict[int, int | str] = {}
    for run in db.runs(conn):
        newest = max([newest, *(import_id for import_id, _ in pinned.get(run[0], []))])
        found[run[0]] = newest if run[10] >= 3 else run[1]
    return found


def _before(supply: Supplied, last: int | str) -> bool:
    """Whether the import was made before the run (by import id, or by time for old runs)."""
    return supply[0] <= last if isinstance(last, int) else supply[1] <= last


def _check_amounts(
    conn: sqlite3.Connection, supplied: dict[str, list[Supplied]], *, complete: bool
) -> list[FileProblem]:
    """Each decision against the latest file imported before its run that gave the order.
    Without every file (`complete` false) an order no file gives cannot be told apart from one
    whose file is missing, so only amounts that differ are reported."""
    problems: list[FileProblem] = []
    last_import = _last_imports(conn)
    order_ids, run_ids, amounts = db.decision_columns(conn)[:3]
    for order_id, run_id, amount in zip(order_ids, run_ids, amounts, strict=True):
        made = last_import.get(run_id)
        if made is None:
            continue  # reported by the chain check
        before = [s for s in supplied.get(order_id, ()) if _before(s, made)]
        if not before:
            if complete:
                problems.append(
                    FileProblem(
                        f"order {order_id} (run {run_id}): no archived file imported before "
                        "the run gives this order",
                        run_id,
                        order_id,
                    )
                )
            continue
        import_id, _, cents = before[-1]
        if cents != amount:
            problems.append(
                FileProblem(
                    f"order {order_id} (run {run_id}): decided on {format_cents(amount)}, but "
                    f"the file of import {import_id} gives {format_cents(cents)}",
                    run_id,
                    order_id,
                )
            )
    return problems
