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
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from inspect_cli.amounts import parse_amounts
from inspect_cli.config import Config
from inspect_cli.dates import parse_dates
from inspect_cli.errors import (
    InspectError,
    InvalidValue,
    UnknownOrder,
)
from inspect_cli.filled_import import (
    Candidate,
    FilledRows,
    add_one,
    base_candidates,
    import_filled,
    nothing,
    settle_duplicates,
    text_column,
)
from inspect_cli.result_codes import NO_ACCESS, RESULTS
from inspect_cli.store import inspections as db

FIELDS = ("order_id", "inspector", "inspected_on", "result", "findings", "correction_eur")
REQUIRED = ("order_id", "result")

# What inspectors write instead of the codes, in English, Dutch and French, keyed after
# `_result_key` (lower case, no accents, words joined by "_").
_RESULT_WORDS = {
    **{code: code for code in RESULTS},
    # ok
    "conform": "ok",
    "in_orde": "ok",
    "goed": "ok",
    "conforme": "ok",
    "en_ordre": "ok",
    "bon": "ok",
    # minor
    "opmerkingen": "minor",
    "kleine_opmerkingen": "minor",
    "kleine_gebreken": "minor",
    "mineur": "minor",
    "remarques": "minor",
    "remarques_mineures": "minor",
    "defauts_mineurs": "minor",
    # major
    "ernstig": "major",
    "ernstige_gebreken": "major",
    "zware_gebreken": "major",
    "majeur": "major",
    "grave": "major",
    "defauts_graves": "major",
    "defauts_majeurs": "major",
    # not_done
    "niet_uitgevoerd": "not_done",
    "niet_volledig_uitgevoerd": "not_done",
    "non_execute": "not_done",
    "non_realise": "not_done",
    "non_effectue": "not_done",
    "pas_execute": "not_done",
    # no_access
    "geen_toegang": "no_access",
    "pas_d_acces": "no_access",
    "pas_acces": "no_access",
    "sans_acces": "no_access",
    "acces_refuse": "no_access",
}


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
    """Lower case without accents, words joined by "_": "Pas d'accès" -> "pas_d_acces"."""
    plain = "".join(
        c
        for c in unicodedata.normalize("NFKD", text.strip().lower())
        if not unicodedata.combining(c)
    )
    return re.sub(r"[\s\-/()'\u2019.]+", "_", plain).strip("_")


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
    rows = _Outcomes(today=today, now=now, replace=replace)
    try:
        done = import_filled(
            conn, path, config, rows, sheet=sheet, quarantine_dir=quarantine_dir, now=now
        )
    except InspectError as e:
        return RecordResult(file=str(path), error=str(e))
    statuses = done.statuses
    return RecordResult(
        file=str(path),
        read=len(done.candidates),
        recorded=statuses["new"],
        unchanged=statuses["unchanged"],
        replaced=statuses["replaced"],
        open=statuses["open"],
        rejected=statuses["rejected"],
        failed_visits=sum(
            c.status in ("new", "replaced") and c.record.result == NO_ACCESS
            for c in done.candidates
            if not c.problems
        ),
        quarantine=done.quarantine,
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
        raise InvalidValue(f"must be one of {', '.join(RESULTS)}", field="result")
    if not outcome.inspector.strip():
        raise InvalidValue("must name who inspected", field="inspector")
    if outcome.inspected_on > today.isoformat():
        future = f"{outcome.inspected_on} is in the future (today is {today})"
        raise InvalidValue(future, field="inspected_on")
    if outcome.correction_cents < 0:
        raise InvalidValue("must not be negative", field="correction_eur")
    c = Candidate(row=0, cells=[], order_id=outcome.order_id, record=outcome)
    problem = add_one(conn, _Outcomes(today=today, now=now, replace=replace), c)
    if problem:
        field, reason = problem.split(": ", 1)
        if c.status == "unknown":
            raise UnknownOrder(reason)
        if field == "inspected_on":
            raise InvalidValue(reason, field=field)
        raise InvalidValue(reason)
    return c.status


@dataclass(frozen=True)
class _Outcomes(FilledRows):
    """A returned inspection list, read and recorded as of `today`."""

    today: date
    now: datetime
    replace: bool
    kind = "outcomes"
    fields = FIELDS
    required = REQUIRED

    def parse(self, chunk: pd.DataFrame, columns: dict[str, str]) -> list[Candidate]:
        return _parse_chunk(chunk, columns, self.today)

    def settle(self, conn: sqlite3.Connection, candidates: list[Candidate]) -> None:
        """Give every candidate still to decide its status against the file and the store."""
        valid = settle_duplicates(candidates)
        ids = [c.order_id for c in valid]
        facts = db.order_facts(conn, ids)
        stored = db.valid_outcomes(conn, ids)
        for c in valid:
            status, replaces, problem = decide(
                c.record, facts.get(c.order_id), stored.get(c.order_id, []), replace=self.replace
            )
            if problem:
                c.problems.append(problem)
                c.status = "unknown" if c.order_id not in facts else ""
            else:
                c.status, c.replaces = status, replaces

    def store(self, conn: sqlite3.Connection, candidate: Candidate, import_id: int | None) -> None:
        o: Outcome = candidate.record
        db.insert_outcome(
            conn,
            order_id=o.order_id,
            inspector=o.inspector,
            inspected_on=o.inspected_on,
            result=o.result,
            findings=o.findings,
            correction_cents=o.correction_cents,
            now=self.now,
            import_id=import_id,
            replaces=candidate.replaces,
        )


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
