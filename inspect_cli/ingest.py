"""Importing one contractor file: every row ends as new, unchanged, amended or rejected.

The file is one transaction: it is imported whole or not at all. Rows are parsed column-wise
per chunk (pandas) and stored in bulk, so memory stays flat and a million rows take seconds.
A large file is read and parsed in a worker process (`parse_worker`), chunk k+1 while this
process stores chunk k, so that the two cores share the work.
Rejected rows go to the quarantine with a reason per field; the identity
``read = new + unchanged + amended + rejected`` holds for every file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from inspect_cli import store
from inspect_cli.config import Config
from inspect_cli.contractors import firm_key
from inspect_cli.errors import InspectError
from inspect_cli.headers import column_fields
from inspect_cli.inputs import check_regular_file
from inspect_cli.money import format_cents
from inspect_cli.parse_worker import OrderFile, ParsedChunks, parsed_chunks
from inspect_cli.parsed import Repeated
from inspect_cli.quarantine import Quarantine
from inspect_cli.rule import above_threshold
from inspect_cli.store import orders as order_store

Progress = Callable[[int], None]
WORKER_BYTES = 16 * 1024 * 1024
"""Files larger than this (about 100,000 rows) are parsed in a worker process."""
CHUNK_ROWS = 100_000
"""Rows parsed and stored at a time: memory stays flat whatever the size of the file."""


@dataclass
class FileResult:
    """What happened to one input file; ``error`` is set when it was not read at all."""

    file: str
    read: int = 0
    new: int = 0
    unchanged: int = 0
    amended: int = 0
    rejected: int = 0
    not_completed: int = 0
    quarantine: str | None = None
    error: str | None = None
    columns: list[dict[str, str]] = field(default_factory=list)
    """Each column of the file and the field(s) it filled, or "ignored"."""

    def mapping(self) -> str:
        """The columns as one line for a log: ``Bonnummer -> order_id, Kleur -> ignored``."""
        return ", ".join(f"{c['column']} -> {c['field']}" for c in self.columns)

    def as_dict(self) -> dict:
        return asdict(self)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest_file(
    conn: sqlite3.Connection,
    path: Path,
    config: Config,
    *,
    quarantine_dir: Path,
    now: datetime,
    contractor: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    before_commit: Callable[[], None] | None = None,
) -> FileResult:
    """Import one file of repair orders into the store.

    A file that cannot be read as a whole (not a table, missing columns, corrupt) imports
    nothing and comes back with ``error`` set; row problems never raise. `before_commit` runs
    last inside the transaction: whatever it raises rolls the whole file back.
    """
    result = FileResult(file=str(path))
    try:
        check_regular_file(path)
        profile = config.profile_for(path.name, contractor)
        large = path.is_file() and path.stat().st_size > WORKER_BYTES
        # A file's rows refer only to the import row written first and to orders they were read
        # from, and orders taken back are new in it: checking two references per order is a
        # cost worth skipping. A thread computes the file's hash (hashlib lets go of the
        # interpreter) while a worker starts reading a large file, or the first chunk is read.
        with (
            ThreadPoolExecutor(max_workers=1) as pool,
            nullcontext(pool.submit(file_sha256, path)) as hashing,
            parsed_chunks(
                OrderFile(path, sheet, profile, CHUNK_ROWS, config.register()), in_worker=large
            ) as chunks,
            Quarantine(quarantine_dir, path, chunks.header, now, config.csv_dialect) as quarantine,
            store.unchecked_references(conn),
            store.transaction(conn),
        ):
            digest = hashing.result()
            result.columns = [
                {"column": column, "field": fields}
                for column, fields in column_fields(chunks.header, chunks.fields)
            ]
            import_id = order_store.begin_import(conn, "orders", path.name, digest, now)
            order_store.create_staging(conn)
            target = _Import(
                conn, import_id, now, chunks, result, quarantine, config.threshold_cents
            )
            repeats = _stage_file(target, progress)
            copies = _reject_conflicts(target, repeats)
            _reject_foreign(target, repeats, copies)
            new, result.amended = order_store.merge_staged(
                conn, import_id, now, settle=target.unsettled > 0
            )
            result.new = target.new + new
            result.unchanged = result.read - result.rejected - result.new - result.amended
            if dry_run:
                raise _DryRun
            destination = quarantine.destination
            result.quarantine = str(destination) if destination else None
            order_store.finish_import(
                conn,
                import_id,
                read=result.read,
                new=result.new,
                unchanged=result.unchanged,
                amended=result.amended,
                rejected=result.rejected,
                quarantine=result.quarantine,
            )
            if before_commit is not None:
                before_commit()
    except _DryRun:
        pass  # rolled back and no quarantine written: the counts say what would happen
    except InspectError as e:
        return FileResult(file=str(path), error=str(e))
    return result


@dataclass
class _Import:
    """One file on its way in: where its rows come from and go, and the counts so far."""

    conn: sqlite3.Connection
    import_id: int
    now: datetime
    chunks: ParsedChunks
    result: FileResult
    quarantine: Quarantine
    threshold_cents: int
    new: int = 0
    unsettled: int = 0  # staged rows left for merge_staged: repeated or known ids


def _stage_file(target: _Import, progress: Progress | None) -> Repeated:
    """Store every parsed chunk; return what is needed to settle repeated order ids."""
    for parsed in target.chunks:
        new, known = order_store.store_chunk(
            target.conn, parsed.firsts, parsed.repeated, target.import_id, target.now
        )
        target.new += new
        target.unsettled += len(parsed.repeated["row"]) + known
        for row, cells, reasons in parsed.rejected:
            target.quarantine.add(row, cells, reasons)
        target.result.read += parsed.read
        target.result.rejected += len(parsed.rejected)
        target.result.not_completed += parsed.not_completed
        if progress is not None:
            progress(parsed.read)
    return target.chunks.repeats


def identity_fix(contractor: str, other: str) -> str:
    """The end of every reason for one order number under two contractors: the fix. Two
    spellings of one firm need an alias, two firms an id prefix for the row's contractor."""
    if firm_key(contractor) == firm_key(other):
        return (
            "if both names are one firm, make one an alias of the other in inspect-cli.toml, "
            f'e.g. [contractors."{other}"] aliases = [{json.dumps(contractor)}], '
            "then import the file again"
        )
    return (
        "one order number cannot belong to two contractors: give one of them an id prefix in "
        f'inspect-cli.toml, e.g. [contractors."{contractor}"] id_prefix = "XX-" '
        "(stored ids become XX-<number>), then import the file again"
    )


def _reject_foreign(target: _Import, repeats: Repeated, copies: dict[str, list[int]]) -> None:
    """Rows whose order id is stored with another contractor are rejected, naming both
    contractors and the file of the stored order: taking them as amendments would replace one
    contractor's order by another's and could lose a mandatory inspection. Identical copies of
    such a row in the file (`copies`, set aside by `_reject_conflicts`) go with it."""
    if not target.unsettled:
        return
    foreign = order_store.take_foreign_rows(target.conn)
    if not foreign:
        return
    target.unsettled -= len(foreign)
    rejected = sorted(
        (copy, *found) for row, *found in foreign for copy in (row, *copies.get(found[0], []))
    )
    missing = [row for row, *_ in rejected if row not in repeats.cells]
    cells = {**repeats.cells, **(target.chunks.cells_of(missing) if missing else {})}
    for row, order_id, contractor, stored, file_name, amount in rejected:
        reason = (
            f"order_id: {order_id} is already stored for contractor {stored!r} (from "
            f"{file_name}), this row is from {contractor!r}; " + identity_fix(contractor, stored)
        )
        if above_threshold(amount, target.threshold_cents):
            # A mandatory inspection is at stake: the coordinator must see that first.
            reason += (
                f"; this order (EUR {format_cents(amount)}) is above the threshold: its "
                "mandatory inspection waits for this fix"
            )
        target.quarantine.add(row, cells[row], reason)
    target.result.rejected += len(rejected)


def _reject_conflicts(target: _Import, repeats: Repeated) -> dict[str, list[int]]:
    """Rows of one file with the same id: identical ones count once, differing ones are all
    rejected, since the file itself does not say which is right; a first one already stored
    as a new order is taken back. Returns the rows set aside as identical copies of an
    earlier one, per order id."""
    if not repeats.cells:
        return {}
    conn = target.conn
    duplicates = order_store.staged_duplicates(conn, target.import_id)
    conflicting: dict[int, str] = {}
    conflicting_ids: list[str] = []
    copies: dict[str, list[int]] = {}
    for order_id, found in duplicates.items():
        rows = sorted((r[0] or repeats.first_of[order_id], *r[1:]) for r in found)
        numbers = [r[0] for r in rows]
        if len({r[1:] for r in rows}) > 1:
            conflicting_ids.append(order_id)
            listed = ", ".join(map(str, numbers))
            contractors = list(dict.fromkeys(r[1] for r in rows))  # r[1]: the contractor
            if len(contractors) > 1:
                reason = (
                    f"order_id: {order_id} appears in rows {listed} with different contractors "
                    f"({', '.join(map(repr, contractors))}); "
                    + identity_fix(contractors[-1], contractors[0])
                )
            else:
                reason = f"order_id: {order_id} appears in rows {listed} with different values"
            for n in numbers:
                conflicting[n] = reason
        else:
            copies[order_id] = numbers[1:]
    surplus = [row for rows in copies.values() for row in rows]
    target.unsettled -= order_store.drop_staged_rows(conn, [*conflicting, *surplus])
    target.new -= order_store.drop_new_orders(conn, conflicting_ids, target.import_id)
    missing = [row for row in conflicting if row not in repeats.cells]
    if missing:
        repeats.cells.update(target.chunks.cells_of(missing))
    for row in sorted(conflicting):
        target.quarantine.add(row, repeats.cells[row], conflicting[row])
    target.result.rejected += len(conflicting)
    return copies
