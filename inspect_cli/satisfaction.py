"""Tenant satisfaction: a score per repair order, imported from survey exports or added by hand.

Any order can have a score, inspected or not: that is what lets the reports compare the two.
Scores run from 1 to the workspace's ``satisfaction_scale``. An order has one current score; a
different one replaces it only when the user says so (``replace``), and the replaced score is
kept. A row is *unchanged* when its score, date and comment equal the current ones, so
importing the same survey export twice changes nothing. For every file
``read = new + unchanged + replaced + rejected``.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from inspect_cli import store
from inspect_cli.config import Config
from inspect_cli.dates import parse_dates
from inspect_cli.errors import InspectError, InvalidValue, MalformedOption, UnknownOrder
from inspect_cli.outcomes import (
    Candidate,
    base_candidates,
    import_filled,
    nothing,
    settle_duplicates,
    text_column,
)
from inspect_cli.store import satisfaction as db

FIELDS = ("order_id", "score", "responded_on", "comment")
REQUIRED = ("order_id", "score")


@dataclass(frozen=True)
class Score:
    """One tenant's answer for one order."""

    order_id: str
    score: int
    scale: int
    responded_on: str | None
    comment: str | None

    def same_as(self, stored: db.StoredScore) -> bool:
        return (self.score, self.scale, self.responded_on, self.comment) == (
            stored.score,
            stored.scale,
            stored.responded_on,
            stored.comment,
        )


@dataclass
class SatisfactionResult:
    """What happened to one survey file; ``error`` is set when it was not read at all."""

    file: str
    read: int = 0
    new: int = 0
    unchanged: int = 0
    replaced: int = 0
    rejected: int = 0
    quarantine: str | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


_SCORE = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def parse_score(text: str, scale: int) -> int:
    """A whole score from 1 to `scale`; "8", "8.0" and "8,0" (a spreadsheet's number) are 8.

    Only the ASCII digits 0-9 count, as for `satisfaction add --score`: Python would also read
    full-width "１０" or Arabic-Indic "١٠", and "1_0" or "1e1", none of which a survey means.

    Raises ValueError with the reason.
    """
    cleaned = text.strip().replace(",", ".")
    if not _SCORE.fullmatch(cleaned):
        if any(c.isdigit() for c in cleaned) and not cleaned.isascii():
            raise ValueError(f"write the score with the digits 0-9: '{text.strip()}'")
        raise ValueError(f"not a number: '{text.strip()}'")
    number = Decimal(cleaned)
    if number != number.to_integral_value():
        raise ValueError(f"not a whole number: '{text.strip()}'")
    if not 1 <= number <= scale:
        raise ValueError(f"{number:f} is outside the scale 1 to {scale}")
    return int(number)


def import_satisfaction(
    conn: sqlite3.Connection,
    path: Path,
    config: Config,
    *,
    quarantine_dir: Path,
    now: datetime,
    today: date,
    replace: bool = False,
    sheet: str | None = None,
) -> SatisfactionResult:
    """Import one survey export (order id, score, optional date and comment) in one transaction.

    Rejected rows (unknown order, score outside the scale, bad or future date, a different
    score for an order that has one without ``replace``, conflicting rows) go to the quarantine
    with their reasons. A file that cannot be read imports nothing and has ``error`` set.
    """
    try:
        candidates, statuses, quarantine = import_filled(
            conn,
            path,
            config,
            kind="satisfaction",
            fields=FIELDS,
            required=REQUIRED,
            sheet=sheet,
            parse=lambda chunk, columns: _parse_chunk(
                chunk, columns, config.satisfaction_scale, today
            ),
            settle=lambda conn, candidates: _settle(conn, candidates, replace),
            store_one=lambda conn, c, import_id: _store(conn, c, now, import_id),
            quarantine_dir=quarantine_dir,
            now=now,
        )
    except InspectError as e:
        return SatisfactionResult(file=str(path), error=str(e))
    return SatisfactionResult(
        file=str(path),
        read=len(candidates),
        new=statuses["new"],
        unchanged=statuses["unchanged"],
        replaced=statuses["replaced"],
        rejected=statuses["rejected"],
        quarantine=quarantine,
    )


def add_score(
    conn: sqlite3.Connection,
    order_id: str,
    score: int,
    *,
    scale: int,
    responded_on: date,
    comment: str | None,
    today: date,
    now: datetime,
    replace: bool = False,
) -> str:
    """Store one score typed in by hand; returns "new", "unchanged" or "replaced".

    Raises UnknownOrder or InvalidValue with the reason when the score cannot be stored.
    """
    if not 1 <= score <= scale:
        raise MalformedOption(
            f"--score must be from 1 to {scale} (satisfaction_scale), got {score}"
        )
    if responded_on > today:
        raise MalformedOption(f"--date {responded_on} is in the future (today is {today})")
    comment = (comment or "").strip() or None
    candidate = Candidate(row=0, cells=[], order_id=order_id.strip())
    candidate.record = Score(candidate.order_id, score, scale, responded_on.isoformat(), comment)
    with store.transaction(conn):
        _settle(conn, [candidate], replace)
        if candidate.problems:
            reason = candidate.problems[0].removeprefix("order_id: ")
            if candidate.status == "unknown":
                raise UnknownOrder(reason)
            raise InvalidValue(reason)
        if candidate.status != "unchanged":
            _store(conn, candidate, now, None)
    return candidate.status


def _parse_chunk(
    chunk: pd.DataFrame, columns: dict[str, str], scale: int, today: date
) -> list[Candidate]:
    """Parse a chunk of a survey export column by column, then give each row its problems."""
    order_ids = text_column(chunk, columns, "order_id")
    scores = text_column(chunk, columns, "score")
    comments = text_column(chunk, columns, "comment")
    if "responded_on" in columns:
        parsed = parse_dates(chunk[columns["responded_on"]])
        days = parsed.values.astype(object).where(parsed.values.notna(), None)
        day_errors = parsed.errors
    else:
        days = day_errors = nothing(chunk.index)
    distinct = {text: _score_or_reason(text, scale) for text in scores.dropna().unique()}
    limit = today.isoformat()

    candidates = base_candidates(chunk, order_ids)
    for c, score_text, day, day_error, comment in zip(
        candidates, scores, days, day_errors, comments, strict=True
    ):
        problems = c.problems
        if c.order_id is None:
            problems.append("order_id: empty")
        score, reason = distinct.get(score_text, (0, "empty"))
        if reason:
            problems.append(f"score: {reason}")
        if day_error is not None:
            problems.append(f"responded_on: {day_error}")
        elif day is not None and day > limit:
            problems.append(f"responded_on: {day} is in the future (today is {limit})")
        if not problems:
            c.record = Score(c.order_id, score, scale, day, comment)
    return candidates


def _score_or_reason(text: str, scale: int) -> tuple[int, str | None]:
    try:
        return parse_score(text, scale), None
    except ValueError as e:
        return 0, str(e)


def _settle(conn: sqlite3.Connection, candidates: list[Candidate], replace: bool) -> None:
    """Give every valid candidate its status against the file and the store:
    new, unchanged, replaced, or a problem (unknown order, conflict, different score)."""
    valid = settle_duplicates(candidates)
    ids = [c.order_id for c in valid]
    known = db.known_orders(conn, ids)
    current = db.current_scores(conn, ids)
    for c in valid:
        if c.order_id not in known:
            c.status = "unknown"
            c.problems.append(f"order_id: unknown order {c.order_id!r}")
            continue
        stored = current.get(c.order_id)
        if stored is None:
            c.status = "new"
        elif c.record.same_as(stored):
            c.status = "unchanged"
        elif replace:
            c.status = "replaced"
            c.replaces = stored.id
        else:
            when = f", responded on {stored.responded_on}" if stored.responded_on else ""
            c.problems.append(
                f"order_id: {c.order_id} already has score {stored.score}/{stored.scale}"
                f"{when}; use --replace to replace it"
            )


def _store(conn: sqlite3.Connection, c: Candidate, now: datetime, import_id: int | None) -> None:
    s: Score = c.record
    db.insert_score(
        conn,
        order_id=s.order_id,
        score=s.score,
        scale=s.scale,
        responded_on=s.responded_on,
        comment=s.comment,
        now=now,
        import_id=import_id,
        replaces=c.replaces,
    )
