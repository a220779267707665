"""Importing a filled-in file that comes back row by row: a returned inspection list or a survey.

The generic part of `record --from` (outcomes) and `satisfaction import`: open the file and
find its columns, turn every non-blank row into a `Candidate`, reject rows of one file that
conflict, then quarantine, store or count each row in one transaction. What a row means and
when it is new or replaces a stored one is the caller's: a `FilledRows`.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from inspect_cli import store
from inspect_cli.config import Config
from inspect_cli.errors import MissingColumns, UnreadableFile
from inspect_cli.headers import INSPECTION_FIELDS, map_columns, missing_required
from inspect_cli.i18n import list_header_fields
from inspect_cli.ingest import file_sha256
from inspect_cli.quarantine import Quarantine
from inspect_cli.reader import EXTRA, Table, columns_found, open_table
from inspect_cli.spreadsheet import FORMULA_TRIGGERS
from inspect_cli.store import orders as order_store


@dataclass
class Candidate:
    """One row of a filled-in file on its way in: its cells, parsed record and fate."""

    row: int
    cells: list[str]
    order_id: str | None
    problems: list[str] = field(default_factory=list)
    record: Any = None
    status: str = ""
    """new, unchanged, replaced, open or unknown; meaningless while problems is not empty."""
    replaces: int | None = None


class FilledRows(ABC):
    """One kind of filled-in file: its columns, what a row means, and how it is stored."""

    kind: str
    """The import's kind in the imports table."""
    fields: Sequence[str]
    required: Sequence[str]

    @abstractmethod
    def parse(self, chunk: pd.DataFrame, columns: dict[str, str]) -> list[Candidate]:
        """A candidate per row of the chunk, with its record or its problems."""

    @abstractmethod
    def settle(self, conn: sqlite3.Connection, candidates: list[Candidate]) -> None:
        """Give every candidate still to decide its status against the file and the store."""

    @abstractmethod
    def store(self, conn: sqlite3.Connection, candidate: Candidate, import_id: int | None) -> None:
        """Store a new or replacing candidate (`import_id` None: typed in by hand)."""


@dataclass
class Imported:
    """One filled-in file, imported: its candidates, how many of them ended in each status or
    "rejected", and the quarantine file."""

    candidates: list[Candidate]
    statuses: Counter[str]
    quarantine: str | None


def unquote(text: str) -> str:
    """Undo the export's formula neutralisation: "'=SOM" was "=SOM" before it went out."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def nothing(index: pd.Index) -> pd.Series:
    """A column of None (not NaN) for a field the file does not have."""
    return pd.Series([None] * len(index), index=index, dtype=object)


def text_column(chunk: pd.DataFrame, columns: dict[str, str], name: str) -> pd.Series:
    """A field's cells stripped and unquoted, None where empty or where the file lacks it."""
    if name not in columns:
        return nothing(chunk.index)
    values = chunk[columns[name]].map(lambda v: unquote(v.strip()).strip())
    return values.astype(object).where(values != "", None)


def open_filled_table(
    path: Path, fields: Sequence[str], required: Sequence[str], sheet: str | None
) -> tuple[Table, dict[str, str]]:
    """Open a file and find its columns (field -> header); other columns are ignored."""
    try:
        table = open_table(path, sheet=sheet)
    except OSError as e:
        raise UnreadableFile(f"{path}: cannot read: {e.strerror or e}") from None
    # A returned inspection list may have its headers in Dutch or French (export --lang).
    synonyms = list_header_fields(tuple(fields)) if set(fields) <= set(INSPECTION_FIELDS) else None
    columns = map_columns(table.columns, synonyms, fields=tuple(fields))
    missing = missing_required(columns, list(required))
    if missing:
        raise MissingColumns(
            f"{path}: missing required column(s): {', '.join(missing)}; "
            f"{columns_found(table.columns)}"
        )
    return table, columns


def base_candidates(chunk: pd.DataFrame, order_ids: pd.Series) -> list[Candidate]:
    """A candidate per row with its original cells; surplus cells are a problem, as in ingest."""
    names = [c for c in chunk.columns if c != EXTRA]
    extra = chunk[EXTRA] if EXTRA in chunk else pd.Series("", index=chunk.index)
    candidates = []
    for row, cells, surplus, order_id in zip(
        chunk.index, chunk[names].to_numpy().tolist(), extra, order_ids, strict=True
    ):
        c = Candidate(row=int(row), cells=cells, order_id=order_id)
        if surplus:
            c.problems.append("row: more cells than the header has columns")
        candidates.append(c)
    return candidates


def import_filled(
    conn: sqlite3.Connection,
    path: Path,
    config: Config,
    rows: FilledRows,
    *,
    sheet: str | None,
    quarantine_dir: Path,
    now: datetime,
) -> Imported:
    """Import one filled-in file in one transaction.

    Every row is read and parsed (chunk by chunk: these files are small), settled against the
    file and the store, then either quarantined with its problems, or stored (new and replaced
    ones), or only counted. The import's accounting goes to the imports table: read = the sum
    of the statuses.
    """
    table, columns = open_filled_table(path, rows.fields, rows.required, sheet)
    quarantine = Quarantine(quarantine_dir, path, table.columns, now, config.csv_dialect)
    candidates = [c for chunk in table.chunks() for c in rows.parse(chunk, columns)]
    statuses: Counter[str] = Counter()
    digest = file_sha256(path)
    with quarantine, store.transaction(conn):
        import_id = order_store.begin_import(conn, rows.kind, path.name, digest, now)
        rows.settle(conn, candidates)
        for c in candidates:
            if c.problems:
                quarantine.add(c.row, c.cells, "; ".join(c.problems))
                statuses["rejected"] += 1
                continue
            statuses[c.status] += 1
            if c.status in ("new", "replaced"):
                rows.store(conn, c, import_id)
        destination = str(quarantine.destination) if quarantine.destination else None
        # imports has no column for other statuses (open rows): read - the others gives them.
        order_store.finish_import(
            conn,
            import_id,
            read=len(candidates),
            new=statuses["new"],
            unchanged=statuses["unchanged"],
            amended=statuses["replaced"],
            rejected=statuses["rejected"],
            quarantine=destination,
        )
    return Imported(candidates, statuses, destination)


def add_one(conn: sqlite3.Connection, rows: FilledRows, candidate: Candidate) -> str | None:
    """Settle one candidate typed in by hand and store it unless unchanged, in one transaction;
    its first problem when it cannot be stored, else None (its status says what happened)."""
    with store.transaction(conn):
        rows.settle(conn, [candidate])
        if candidate.problems:
            return candidate.problems[0]
        if candidate.status != "unchanged":
            rows.store(conn, candidate, None)
    return None


def settle_duplicates(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates still to decide, one per order id.

    Only rows without problems and with a status still open to decide take part. Rows of one
    file with the same order id and the same values count once (the others are unchanged);
    differing ones are all rejected, since the file itself does not say which is right.
    """
    groups: dict[str, list[Candidate]] = {}
    for c in candidates:
        if not c.problems and not c.status:
            groups.setdefault(c.order_id or "", []).append(c)
    unique = []
    for order_id, group in groups.items():
        if len({c.record for c in group}) > 1:
            rows = ", ".join(str(c.row) for c in group)
            for c in group:
                c.problems.append(
                    f"order_id: {order_id} appears in rows {rows} with different values"
                )
            continue
        for c in group[1:]:
            c.status = "unchanged"
        unique.append(group[0])
    return unique
