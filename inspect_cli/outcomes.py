"""Inspection outcomes: the inspection list goes out, comes back filled in, and is recorded.

The filled-in list may come back as either CSV dialect or as XLSX, re-saved by Excel: columns
re-ordered or added, empty rows, dates turned into date cells or serial numbers, amounts with a
decimal comma, and text with the leading ``'`` that the export put before anything a
spreadsheet could take for a formula. Only the order id and the five outcome columns are read.

Rules:

- only a selected order gets an outcome;
- the inspection date is not before the repair was completed and not after today;
- ``no_access`` is a failed visit: it is kept and counted, and the order stays open;
- an order has at most one final outcome (ok, minor, major, not_done); a different one replaces
  it only with ``replace``, and the replaced outcome is kept (``superseded_by``). A visit on
  another day after a failed visit is a new outcome, not a replacement;
- a row without a result is not an outcome yet: it is skipped and the order stays open.

Every row of a file ends as exactly one of: recorded (a new outcome), unchanged (the same
outcome is already stored), replaced, open (no result, skipped) or rejected (to the quarantine,
with a reason per field), so ``read = recorded + unchanged + replaced + open + rejected``.
Blank rows are not rows. Recording the same file twice changes nothing.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from inspect_cli import store
from inspect_cli.amounts import parse_amounts
from inspect_cli.config import Config
from inspect_cli.dates import parse_dates
from inspect_cli.errors import (
    InspectError,
    InvalidValue,
    MalformedOption,
    MissingColumns,
    UnknownOrder,
    UnreadableFile,
)
from inspect_cli.headers import INSPECTION_FIELDS, map_columns, missing_required
from inspect_cli.i18n import list_header_fields
from inspect_cli.ingest import file_sha256
from inspect_cli.quarantine import Quarantine
from inspect_cli.reader import EXTRA, Table, columns_found, open_table
from inspect_cli.spreadsheet import FORMULA_TRIGGERS
from inspect_cli.store import inspections as db
from inspect_cli.store import orders as order_store

RESULTS = ("ok", "minor", "major", "not_done", "no_access")
NO_ACCESS = "no_access"
FAILED = ("major", "not_done")
"""Final results that count as a failure of the contractor's work."""

FIELDS = ("order_id", "inspector", "inspected_on", "result", "findings", "correction_eur")
REQUIRED = ("order_id", "result")

# What inspectors write instead of the codes, keyed after `_result_key`.
_RESULT_WORDS = {
    **{code: code for code in RESULTS},
    "conform": "ok",
    "in_orde": "ok",
    "goed": "ok",
    "opmerkingen": "minor",
    "kleine_opmerkingen": "minor",
    "ernstig": "major",
    "ernstige_gebreken": "major",
    "niet_uitgevoerd": "not_done",
    "niet_volledig_uitgevoerd": "not_done",
    "geen_toegang": "no_access",
}


# --- shared by the imports of filled-in files (outcomes and satisfaction) ----------------------


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
    synonyms = (
        list_header_fields(INSPECTION_FIELDS) if set(fields) <= set(INSPECTION_FIELDS) else None
    )
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


def read_candidates(
    table: Table, parse: Callable[[pd.DataFrame], Iterable[Candidate]]
) -> list[Candidate]:
    """Every non-blank row of the file, parsed chunk by chunk (these files are small)."""
    found: list[Candidate] = []
    for chunk in table.chunks():
        found.extend(parse(chunk))
    return found


def import_filled(
    conn: sqlite3.Connection,
    path: Path,
    config: Config,
    *,
    kind: str,
    fields: Sequence[str],
    required: Sequence[str],
    sheet: str | None,
    parse: Callable[[pd.DataFrame, dict[str, str]], Iterable[Candidate]],
    settle: Callable[[sqlite3.Connection, list[Candidate]], None],
    store_one: Callable[[sqlite3.Connection, Candidate, int], None],
    quarantine_dir: Path,
    now: datetime,
) -> tuple[list[Candidate], Counter[str], str | None]:
    """Import one filled-in file in one transaction: (its candidates, how many of them ended
    in each status or "rejected", the quarantine file or None).

    Every row is read and parsed, settled against the file and the store, then either
    quarantined with its problems, or stored (new and replaced ones), or only counted. The
    import's accounting goes to the imports table: read = the sum of the statuses.
    """
    table, columns = open_filled_table(path, fields, required, sheet)
    quarantine = Quarantine(quarantine_dir, path, table.columns, now, config.csv_dialect)
    candidates = read_candidates(table, lambda chunk: parse(chunk, columns))
    statuses: Counter[str] = Counter()
    digest = file_sha256(path)
    with quarantine, store.transaction(conn):
        import_id = order_store.begin_import(conn, kind, path.name, digest, now)
        settle(conn, candidates)
        for c in candidates:
            if c.problems:
                quarantine.add(c.row, c.cells, "; ".join(c.problems))
                statuses["rejected"] += 1
                continue
            statuses[c.status] += 1
            if c.status in ("new", "replaced"):
                store_one(conn, c, import_id)
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
    return candidates, statuses, destination


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


# --- outcomes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One inspection visit as reported by the inspector. Dates are ISO text."""

    order_id: str
    result: str
    inspector: str
    inspected_on: str
    findings: str | None = None
    correction_cents: int = 0

    def same_as(self, stored: db.StoredOutcome) -> bool:
        return (
            self.result,
            self.inspector,
            self.inspected_on,
            self.findings,
            self.correction_cents,
        ) == (
            stored.result,
            stored.inspector,
            stored.inspected_on,
            stored.findings,
            stored.correction_cents,
        )


@dataclass
class RecordResult:
    """What happened to one filled-in list; ``error`` is set when it was not read at all.

    ``open`` counts rows without a result (not inspected yet); ``failed_visits`` counts the
    recorded or replaced outcomes that are ``no_access`` (these orders stay open too).
    """

    file: str
    read: int = 0
    recorded: int = 0
    unchanged: int = 0
    replaced: int = 0
    open: int = 0
    rejected: int = 0
    failed_visits: int = 0
    quarantine: str | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def parse_result(text: str) -> str:
    """The result code for what an inspector wrote ("OK", "not done", "geen toegang").

    Raises ValueError naming the accepted codes.
    """
    code = _RESULT_WORDS.get(_result_key(text))
    if code is None:
        raise ValueError(f"'{text.strip()}' is not one of {', '.join(RESULTS)}")
    return code


def _result_key(text: str) -> str:
    return re.sub(r"[\s\-/()]+", "_", text.strip().lower()).strip("_")


def decide(
    outcome: Outcome,
    facts: db.OrderFacts | None,
    stored: Sequence[db.StoredOutcome],
    *,
    replace: bool,
) -> tuple[str, int | None, str | None]:
    """(status, id of the outcome it replaces, problem) for one outcome against the store.

    Pure: the order's facts and its valid outcomes are looked up by the caller. Status is
    "new", "unchanged", "replaced", or "" with the problem that rejects it.
    """
    oid = outcome.order_id
    if facts is None:
        return "", None, f"order_id: unknown order {oid!r}"
    if not facts.selected:
        return "", None, f"order_id: {oid} was not selected for inspection"
    if facts.completed_on is not None and outcome.inspected_on < facts.completed_on:
        return (
            "",
            None,
            f"inspected_on: {outcome.inspected_on} is before the repair was completed "
            f"({facts.completed_on})",
        )
    if any(outcome.same_as(s) for s in stored):
        return "unchanged", None, None
    final = next((s for s in stored if s.result != NO_ACCESS), None)
    same_day = next(
        (s for s in stored if s.result == NO_ACCESS and s.inspected_on == outcome.inspected_on),
        None,
    )
    earlier = final or same_day
    if earlier is None:
        return "new", None, None
    if replace:
        return "replaced", earlier.id, None
    what = "an outcome" if final else "a failed visit that day"
    return (
        "",
        None,
        f"result: {oid} already has {what} ({earlier.result} on {earlier.inspected_on} "
        f"by {earlier.inspector}); use --replace to replace it",
    )


def record_file(
    conn: sqlite3.Connection,
    path: Path,
    config: Config,
    *,
    quarantine_dir: Path,
    now: datetime,
    today: date,
    replace: bool = False,
    sheet: str | None = None,
) -> RecordResult:
    """Record the outcomes of one filled-in inspection list, in one transaction."""
    try:
        candidates, statuses, quarantine = import_filled(
            conn,
            path,
            config,
            kind="outcomes",
            fields=FIELDS,
            required=REQUIRED,
            sheet=sheet,
            parse=lambda chunk, columns: _parse_chunk(chunk, columns, today),
            settle=lambda conn, candidates: _settle(conn, candidates, replace),
            store_one=lambda conn, c, import_id: _store(conn, c, now, import_id),
            quarantine_dir=quarantine_dir,
            now=now,
        )
    except InspectError as e:
        return RecordResult(file=str(path), error=str(e))
    return RecordResult(
        file=str(path),
        read=len(candidates),
        recorded=statuses["new"],
        unchanged=statuses["unchanged"],
        replaced=statuses["replaced"],
        open=statuses["open"],
        rejected=statuses["rejected"],
        failed_visits=sum(
            c.status in ("new", "replaced") and c.record.result == NO_ACCESS
            for c in candidates
            if not c.problems
        ),
        quarantine=quarantine,
    )


def record_outcome(
    conn: sqlite3.Connection,
    outcome: Outcome,
    *,
    today: date,
    now: datetime,
    replace: bool = False,
) -> str:
    """Record one outcome typed in by hand; returns "new", "unchanged" or "replaced".

    Raises UnknownOrder or InvalidValue with the reason when it cannot be recorded.
    """
    if outcome.result not in RESULTS:
        raise MalformedOption(f"--result must be one of {', '.join(RESULTS)}")
    if not outcome.inspector.strip():
        raise MalformedOption("--inspector must name who inspected")
    if outcome.inspected_on > today.isoformat():
        raise MalformedOption(f"--date {outcome.inspected_on} is in the future (today is {today})")
    if outcome.correction_cents < 0:
        raise MalformedOption("--correction must not be negative")
    c = Candidate(row=0, cells=[], order_id=outcome.order_id, record=outcome)
    with store.transaction(conn):
        _settle(conn, [c], replace)
        if c.problems:
            field, reason = c.problems[0].split(": ", 1)
            if c.status == "unknown":
                raise UnknownOrder(reason)
            raise InvalidValue(f"--date {reason}" if field == "inspected_on" else reason)
        if c.status != "unchanged":
            _store(conn, c, now, None)
    return c.status


def _parse_chunk(chunk: pd.DataFrame, columns: dict[str, str], today: date) -> list[Candidate]:
    """Parse a chunk of the filled-in list column by column, then give each row its problems."""
    order_ids = text_column(chunk, columns, "order_id")
    results = text_column(chunk, columns, "result")
    inspectors = text_column(chunk, columns, "inspector")
    findings = text_column(chunk, columns, "findings")
    index = chunk.index
    if "inspected_on" in columns:
        parsed = parse_dates(chunk[columns["inspected_on"]])
        days = parsed.values.astype(object).where(parsed.values.notna(), None)
        day_errors = parsed.errors
    else:
        days = day_errors = nothing(index)
    if "correction_eur" in columns:
        amounts = parse_amounts(chunk[columns["correction_eur"]])
        cents = amounts.values.astype(object).where(amounts.values.notna(), None)
        cent_errors = amounts.errors
    else:
        cents = cent_errors = nothing(index)
    codes = {text: _code_or_reason(text) for text in results.dropna().unique()}
    limit = today.isoformat()

    candidates = base_candidates(chunk, order_ids)
    for c, result_text, inspector, day, day_error, amount, amount_error, finding in zip(
        candidates,
        results,
        inspectors,
        days,
        day_errors,
        cents,
        cent_errors,
        findings,
        strict=True,
    ):
        if result_text is None:
            # Not inspected yet: the row is the unfilled list, whatever else it holds.
            c.problems.clear()
            c.status = "open"
            continue
        problems = c.problems
        if c.order_id is None:
            problems.append("order_id: empty")
        code, reason = codes[result_text]
        if reason:
            problems.append(f"result: {reason}")
        if inspector is None:
            problems.append("inspector: empty (who inspected?)")
        if day_error is not None:
            problems.append(f"inspected_on: {day_error}")
        elif day is None:
            problems.append("inspected_on: empty (when was it inspected?)")
        elif day > limit:
            problems.append(f"inspected_on: {day} is in the future (today is {limit})")
        if amount_error is not None:
            problems.append(f"correction_eur: {amount_error}")
        elif amount is not None and amount < 0:
            problems.append("correction_eur: must not be negative")
        if not problems:
            c.record = Outcome(
                order_id=c.order_id,
                result=code,
                inspector=inspector,
                inspected_on=day,
                findings=finding,
                correction_cents=int(amount or 0),
            )
    return candidates


def _code_or_reason(text: str) -> tuple[str, str | None]:
    try:
        return parse_result(text), None
    except ValueError as e:
        return "", str(e)


def _settle(conn: sqlite3.Connection, candidates: list[Candidate], replace: bool) -> None:
    """Give every candidate still to decide its status against the file and the store."""
    valid = settle_duplicates(candidates)
    ids = [c.order_id for c in valid]
    facts = db.order_facts(conn, ids)
    stored = db.valid_outcomes(conn, ids)
    for c in valid:
        status, replaces, problem = decide(
            c.record, facts.get(c.order_id), stored.get(c.order_id, []), replace=replace
        )
        if problem:
            c.problems.append(problem)
            c.status = "unknown" if c.order_id not in facts else ""
        else:
            c.status, c.replaces = status, replaces


def _store(conn: sqlite3.Connection, c: Candidate, now: datetime, import_id: int | None) -> None:
    o: Outcome = c.record
    db.insert_outcome(
        conn,
        order_id=o.order_id,
        inspector=o.inspector,
        inspected_on=o.inspected_on,
        result=o.result,
        findings=o.findings,
        correction_cents=o.correction_cents,
        now=now,
        import_id=import_id,
        replaces=c.replaces,
    )
