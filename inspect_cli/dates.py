"""Dates read day-first (Belgium) into ISO 'YYYY-MM-DD' strings.

Accepted, per value: ``27/11/2026``, ``27-11-2026``, ``27.11.2026``, ``7/1/2026``, two-digit
years (``27/11/26``), ISO ``2026-11-27`` with or without a time (``2026-11-27 00:00:00``,
``2026-11-27T08:30:00``: how the reader hands over xlsx date cells), English, Dutch and
French month names in any case, with or without dot or accents (``14-Jan-2011``,
``27 nov. 2026``, ``3 mrt 2026``, ``1 févr. 2026``, ``1er mai 2026``), and Excel serial
numbers from 20000 to 80000 (1954 to 2119), counted from 1899-12-30 as Excel does.

Two-digit years follow strptime's ``%y``: 00-68 are 2000-2068, 69-99 are 1969-1999.
Impossible dates (``31/02/2026``, month 13) are rejected, never guessed.

A column is read with one convention, never row by row: `read_dates` also returns the
column's evidence, a value only valid day-first (``27/11/2026``) and one only valid month-first
(``08/19/2026``), and `convention_problem` says when that evidence forbids reading the column:
month-first evidence without a format, both kinds at once, or evidence against the format.

A column of dates holds few distinct days, so each distinct value is parsed once, by regular
expressions and numpy date arithmetic, and the results are spread back over the column. A time
of day is cut off first, on a matrix of code points, so that even a million distinct
timestamps collapse to a few thousand days before any regex runs.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from inspect_cli.amounts import ParsedColumn, code_points, column_texts, factorize_rows

# Outside these years a date is a typo (0202, 9999 as "no end"), not a repair.
FIRST_YEAR, END_YEAR = 1900, 2100
FIRST_SERIAL, LAST_SERIAL = 20000, 80000
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january jan januari janvier janv",
            "february feb februari fevrier fevr fev",
            "march mar maart mrt mars",
            "april apr avril avr",
            "may mei mai",
            "june jun juni juin",
            "july jul juli juillet juil",
            "august aug augustus aout",
            "september sep sept septembre",
            "october oct oktober okt octobre",
            "november nov novembre",
            "december dec decembre",
        ),
        start=1,
    )
    for name in names.split()
}

# Longer text is never a date; the limit also bounds the code-point matrix.
MAX_LENGTH = 40
# Code point -> is it blank (NUL padding or a space); code points past the table are not.
_BLANK = np.zeros(0x2031, dtype=bool)
_BLANK[[ord(char) for char in "\0 \t\n\r\f\v\u00a0\u2007\u2009\u202f"]] = True
# The shape of a time of day after the date (digits are 9): 8:30, 08:30:00.123, 08:30:00+01:00.
_TIME_SHAPE = re.compile(r"9{1,2}:99(?::99(?:[.,]9+)?)?(?: *(?:z|[+-]99:?99))? *")
_ISO = r"^(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P<sep2>[-/.])(?P<day>\d{1,2})$"
_DAY_FIRST = (
    r"^(?P<day>\d{1,2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P<sep2>[-/.])(?P<year>\d{4}|\d{2})$"
)
_MONTH_NAME = r"^(?P<day>\d{1,2})(?:er)?[ ./-]*(?P<name>[a-z]+)[ .,/-]*(?P<year>\d{4}|\d{2})$"
_SERIAL = r"^(?P<serial>\d{5})(?:\.\d+)?$"


def _time_classes() -> np.ndarray:
    """ASCII code -> time shape character: digits are 9, anything foreign to a time is '?'."""
    table = np.full(129, ord("?"), dtype=np.uint8)
    table[0] = 0
    table[ord("0") : ord("9") + 1] = ord("9")
    for char in ":.,+- z":
        table[ord(char)] = ord(char)
    table[ord("Z")] = ord("z")
    return table


_TIME_CLASSES = _time_classes()


def _cut_times(points: np.ndarray) -> np.ndarray:
    """The matrix with any valid time of day blanked: '2026-11-27T08:30:00' -> '2026-11-27'.

    The time starts after the last space or 'T' before the first ':'. Its shape is checked by
    regex once per distinct shape, its hours, minutes and seconds by arithmetic. A text whose
    time is not valid is kept whole, so it fails as "not a date".
    """
    width = points.shape[1]
    columns = np.arange(width)
    rows = np.arange(len(points))
    colon = points == ord(":")
    first_colon = np.where(colon.any(axis=1), colon.argmax(axis=1), -1)
    separator = (points == ord(" ")) | (points == ord("T")) | (points == ord("t"))
    separator &= columns < first_colon[:, None]
    timed = separator.any(axis=1)
    cut = width - 1 - separator[:, ::-1].argmax(axis=1)
    in_time = columns > cut[:, None]
    shapes = np.where(in_time, _TIME_CLASSES[np.minimum(points, 128)], 0)
    codes, first_rows = factorize_rows(shapes)
    valid_shape = np.array(
        [_TIME_SHAPE.fullmatch(shapes[row].tobytes().strip(b"\0").decode()) for row in first_rows],
        dtype=bool,
    )
    ok = timed & valid_shape[codes]

    def number(*offsets: int) -> np.ndarray:
        """The digits at these offsets from the first colon, as a number (0 where absent)."""
        value = np.zeros(len(points), dtype=np.int64)
        for offset in offsets:
            at = np.clip(first_colon + offset, 0, width - 1)
            char = points[rows, at].astype(np.int64)
            digit = (char >= ord("0")) & (char <= ord("9")) & (at > cut)
            value = np.where(digit, value * 10 + char - ord("0"), value)
        return value

    seconds = np.where(points[rows, np.clip(first_colon + 3, 0, width - 1)] == ord(":"), 1, 0)
    ok &= (number(-2, -1) <= 23) & (number(1, 2) <= 59) & (number(4, 5) * seconds <= 59)
    return np.where(ok[:, None] & (columns >= cut[:, None]), 0, points)


def _keys(texts: pd.Series) -> pd.Series:
    """Lower case, no accents, single spaces: ' 1 Févr.  2026' -> '1 fevr. 2026'."""
    keys = texts.str.lower().str.normalize("NFKD")
    keys = keys.str.replace(r"[\u0300-\u036f]", "", regex=True)
    return keys.str.replace(r"\s+", " ", regex=True).str.strip()


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column]).to_numpy(dtype=np.int64)


def _parse_keys(keys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """ISO strings (None where not a date) and reason templates ("{}" takes the value)."""
    iso = np.full(len(keys), None, dtype=object)
    reasons = np.full(len(keys), "not a date: '{}'", dtype=object)
    year = np.zeros(len(keys), dtype=np.int64)
    month = np.zeros(len(keys), dtype=np.int64)
    day = np.zeros(len(keys), dtype=np.int64)
    found = np.zeros(len(keys), dtype=bool)
    day_first = np.zeros(len(keys), dtype=bool)
    two_digit_year = np.zeros(len(keys), dtype=bool)

    for pattern in (_ISO, _DAY_FIRST, _MONTH_NAME):
        todo = np.flatnonzero(~found)
        parts = keys.iloc[todo].str.extract(pattern).dropna(subset=["year"])
        if "sep" in parts:  # 27/11-2026 mixes separators: not a date
            parts = parts[parts["sep"] == parts["sep2"]]
        if parts.empty:
            continue
        rows = parts.index.to_numpy()
        year[rows] = _numbers(parts, "year")
        day[rows] = _numbers(parts, "day")
        if pattern is _MONTH_NAME:
            month[rows] = parts["name"].map(_MONTHS).fillna(-1).to_numpy(dtype=np.int64)
        else:
            month[rows] = _numbers(parts, "month")
        day_first[rows] = pattern is _DAY_FIRST
        two_digit_year[rows] = (parts["year"].str.len() == 2).to_numpy()
        found[rows] = True
    # strptime's %y: 00-68 are 2000-2068, 69-99 are 1969-1999
    year[two_digit_year] += np.where(year[two_digit_year] < 69, 2000, 1900)

    unknown = found & (month == -1)
    reasons[unknown] = "unknown month name: '{}'"
    possible = found & ~unknown & _possible(year, month, day)
    impossible = found & ~unknown & ~possible
    reasons[impossible] = "impossible date: '{}'"
    # A month past 12 under day-first reading is most likely a month-first (US) file.
    hint = impossible & day_first & (month > 12)
    reasons[hint] = [
        f"impossible date: '{{}}' (there is no month {number}; dates are read day-first)"
        for number in month[hint]
    ]
    plausible = possible & (year >= FIRST_YEAR) & (year < END_YEAR)
    reasons[possible & ~plausible] = "implausible year: '{}'"
    iso[plausible] = _iso(year[plausible], month[plausible], day[plausible])

    serials = keys.str.extract(_SERIAL)["serial"].dropna()
    if not serials.empty:
        rows = serials.index.to_numpy()
        number = serials.astype(np.int64).to_numpy()
        in_range = (number >= FIRST_SERIAL) & (number <= LAST_SERIAL)
        days = (EXCEL_EPOCH + number[in_range]).astype(str)
        iso[rows[in_range]] = days
    return iso, reasons


def _possible(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Which year/month/day triples are days of the calendar."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    last_day = month_days[np.clip(month, 0, 12)] + ((month == 2) & leap)
    return (month >= 1) & (month <= 12) & (day >= 1) & (day <= last_day)


@dataclass(frozen=True)
class DateEvidence:
    """What a column's values say about its convention: an example of a value only valid
    day-first (first part above 12) and one only valid month-first (second part above 12)."""

    day_first: str | None = None
    month_first: str | None = None

    def merge(self, other: DateEvidence) -> DateEvidence:
        """The evidence of both, keeping the first example of each kind."""
        return DateEvidence(
            self.day_first or other.day_first, self.month_first or other.month_first
        )


def _evidence(keys: pd.Series) -> DateEvidence:
    """The evidence of distinct date texts: only numeric dates with the year last count."""
    parts = keys.str.extract(_DAY_FIRST).dropna(subset=["year"])
    parts = parts[parts["sep"] == parts["sep2"]]
    if parts.empty:
        return DateEvidence()
    first, second = _numbers(parts, "day"), _numbers(parts, "month")
    year = _numbers(parts, "year")
    year = np.where(
        parts["year"].str.len().to_numpy() == 2, year + np.where(year < 69, 2000, 1900), year
    )
    day_only = (first > 12) & (second <= 12) & _possible(year, second, first)
    month_only = (second > 12) & (first <= 12) & _possible(year, first, second)
    texts = keys.loc[parts.index].to_numpy()

    def example(only: np.ndarray) -> str | None:
        return str(texts[only.argmax()]) if only.any() else None

    return DateEvidence(example(day_only), example(month_only))


def format_order(date_format: str | None) -> str | None:
    """ "day" or "month" for a format with the year last that starts with the day or the
    month (``%d/%m/%Y``, ``%m-%d-%y``); None for others (ISO, month names)."""
    if date_format is None:
        return None
    for code, order in (("%d", "day"), ("%m", "month")):
        if date_format.startswith(code):
            return order
    return None


def month_first_format(example: str) -> str:
    """The strftime format of a month-first example such as ``08/19/2026``."""
    separator = next(char for char in example if not char.isdigit())
    year = "%Y" if len(example.rsplit(separator, 1)[-1]) == 4 else "%y"
    return f"%m{separator}%d{separator}{year}"


def convention_problem(evidence: DateEvidence, date_format: str | None) -> str | None:
    """Why a column with this evidence cannot be read with this format (None: day-first, or the
    format, reads it right). Without a format, month-first evidence is refused rather than
    guessed: a file whose days are all 12 or less would be read with day and month swapped."""
    day, month = evidence.day_first, evidence.month_first
    if day and month:
        return (
            f"mixes day-first and month-first dates: '{day}' is only valid day-first, "
            f"'{month}' only month-first"
        )
    order = format_order(date_format)
    if date_format is None and month:
        return f"has dates only valid month-first, e.g. '{month}'"
    if order == "month" and day:
        return f"has '{day}', only valid day-first, against the profile's date_format {date_format}"
    if order == "day" and month:
        return (
            f"has '{month}', only valid month-first, against the profile's date_format "
            f"{date_format}"
        )
    return None


def _iso(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Valid year/month/day arrays as ISO strings, through numpy's datetime64."""
    months = (year - 1970).astype("datetime64[Y]") + (month - 1).astype("timedelta64[M]")
    return (months + (day - 1).astype("timedelta64[D]")).astype("datetime64[D]").astype(str)


def _with_format(texts: np.ndarray, iso: np.ndarray, reasons: np.ndarray, date_format: str) -> None:
    """Parse what is not ISO with a configured format, in place."""
    rows = np.flatnonzero(pd.isna(iso))
    stripped = pd.Series(texts[rows], dtype=object).str.strip()
    parsed = pd.to_datetime(stripped, format=date_format, errors="coerce")
    days = parsed.to_numpy().astype("datetime64[D]")
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    good = ~np.isnat(days) & (years >= FIRST_YEAR) & (years < END_YEAR)
    iso[rows[good]] = days[good].astype(str)
    shown = date_format.replace("{", "{{").replace("}", "}}")
    reasons[rows] = f"not a date in the format {shown}: '{{}}'"


def parse_dates(values: pd.Series, date_format: str | None = None) -> ParsedColumn:
    """Parse a column of dates, day-first, into ISO strings with a reason per rejected value
    (see `read_dates`)."""
    return read_dates(values, date_format)[0]


def read_dates(
    values: pd.Series, date_format: str | None = None
) -> tuple[ParsedColumn, DateEvidence]:
    """Parse a column of dates, day-first, into ISO strings with a reason per rejected value,
    and the column's evidence of its convention (see `convention_problem`).

    ``date_format`` (a strftime format such as ``"%m/%d/%Y"``, per-contractor config)
    replaces detection for the whole column; ISO values are still accepted, because xlsx
    date cells arrive as ISO whatever the contractor's text format is.

    Empty and whitespace-only values are <NA> without an error: the caller decides whether
    the field is required.
    """
    value_codes, distinct_values = pd.factorize(values)
    texts = column_texts(pd.Series(np.asarray(distinct_values, dtype=object), dtype=object))
    points = code_points(texts, MAX_LENGTH)
    blank = _BLANK[np.minimum(points, len(_BLANK) - 1)].all(axis=1)
    days = _cut_times(points)
    day_codes, first_rows = factorize_rows(days)
    keys = _keys(pd.Series(days[first_rows].view(f"U{days.shape[1]}").ravel(), dtype=object))
    evidence = _evidence(keys)
    if date_format is not None:
        keys = keys.where(keys.str.match(r"\d{4}[-/.]"), "")
    iso, reasons = (parsed[day_codes] for parsed in _parse_keys(keys))
    if date_format is not None:
        _with_format(texts, iso, reasons, date_format)
    iso[blank] = None
    errors = np.full(len(texts), None, dtype=object)
    failed = np.flatnonzero(pd.isna(iso) & ~blank)
    errors[failed] = [reasons[row].format(texts[row].strip()) for row in failed]

    # Back from distinct values to rows; -1 is a missing value.
    iso = np.append(iso, None)[value_codes]
    errors = np.append(errors, None)[value_codes]
    column = ParsedColumn(
        pd.Series(iso, index=values.index, name=values.name, dtype="string"),
        pd.Series(errors, index=values.index, name=values.name, dtype=object),
    )
    return column, evidence


def parse_date(text: str, date_format: str | None = None) -> datetime.date:
    """Parse one date (a CLI argument or a single record) with the rules of :func:`parse_dates`.

    Raises ValueError with the plain reason.
    """
    if not text.strip():
        raise ValueError("empty date")
    parsed = parse_dates(pd.Series([text], dtype=object), date_format)
    error = parsed.errors.iloc[0]
    if error is not None:
        raise ValueError(error)
    return datetime.date.fromisoformat(parsed.values.iloc[0])
