"""Parsing money amounts into exact integer cents: a column at a time, or one typed-in value.

Contractor files write amounts in many ways (``1.234,56``, ``1,234.56``, ``€ 1 234,56``,
``EUR 999``, ``123,45-``). Every value becomes integer cents or a plain one-line reason;
floats are never involved.

A million values must parse quickly, and pandas string methods run a Python loop per value
unless pyarrow is installed. So the column is turned into a matrix of
code points and every character is mapped to a class (digit, ``.``, ``,``, space, sign,
currency). That reduces a million amounts to a handful of distinct *shapes* such as
``9.999,99``; only those shapes are matched with regular expressions, and the digits are
accumulated into cents with numpy arithmetic.

Separators, per value:

- ``.`` or ``,`` followed by one or two digits at the end is the decimal separator (``12,5``
  is 12.50, ``1234.5`` is 1234.50).
- Digit groups of three after a first group of one to three digits, separated by ``.``,
  ``,``, a space, a no-break space or a narrow no-break space, are thousands (``1.234,56``,
  ``1,234.56``, ``1 234,56``, ``1.234.567``).
- ``,-`` after whole euros (``€ 25,-``, ``1.250,-``) means no cents, and a decimal comma.
- One ``.`` or ``,`` followed by exactly three digits (``1.234``, ``12,345``) is ambiguous
  on its own and is read with the column's convention, see :func:`parse_amounts`.
- Anything else made of digits and separators is malformed grouping; more than two
  decimals is rejected, never rounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Convention = Literal["comma", "point"]

# No amount is longer than this; the limit also bounds the code-point matrix.
MAX_LENGTH = 40
# Digits in one amount: far beyond any repair order, far inside int64 cents.
MAX_DIGITS = 15


@dataclass(frozen=True)
class ParsedColumn:
    """A parsed column, aligned with the input index.

    ``values`` is <NA> where the input is empty or rejected; ``errors`` is None where the
    input parsed or is empty, else a plain one-line reason naming the value.
    """

    values: pd.Series
    errors: pd.Series


def _class_table() -> np.ndarray:
    """Code point -> shape character. Code points past the table are '?' (not in an amount)."""
    table = np.full(0x2300, ord("?"), dtype=np.uint8)
    table[0] = 0  # numpy pads shorter strings with NUL: it ends the shape
    table[ord("0") : ord("9") + 1] = ord("9")
    for char in ".,+":
        table[ord(char)] = ord(char)
    # plain, tab, no-break, figure, thin and narrow no-break spaces all group thousands
    for char in " \t\n\r\u00a0\u2007\u2009\u202f":
        table[ord(char)] = ord(" ")
    for char in "-\u2212":  # U+2212 MINUS SIGN comes out of some spreadsheet exports
        table[ord(char)] = ord("-")
    table[ord("€")] = ord("$")
    for char in "eurEUR":
        table[ord(char)] = ord(char.lower())
    return table


_CLASSES = _class_table()

# A shape: optional sign and currency (€ is '$' in shapes) around one number; the first
# digit of the number is '0' when it is a zero, so "0.123" is never mistaken for grouping.
# ",-" after whole euros ("€ 25,-") is the Dutch way to write no cents.
_AMOUNT = re.compile(
    r" *(?P<s1>[-+])? *(?P<c1>\$|eur)? *(?P<s2>[-+])? *(?P<num>[09][9., ]*9|[09])(?P<dash>,--?)?"
    r" *(?P<c2>\$|eur)? *(?P<s3>-)? *"
)
_INTEGER = re.compile(r"[09]9*|9{1,3}(?: 999)+")
_WHOLE_EUROS = re.compile(r"[09]9*|9{1,3}(?:\.999)+|9{1,3}(?: 999)+")
_DOT_GROUPED = re.compile(r"9{1,3}(?:\.999){2,}")
_COMMA_GROUPED = re.compile(r"9{1,3}(?:,999){2,}")
_DECIMAL_COMMA = re.compile(r"(?:[09]9*|9{1,3}(?:\.999)+|9{1,3}(?: 999)+),(9{1,2})")
_DECIMAL_POINT = re.compile(r"(?:[09]9*|9{1,3}(?:,999)+|9{1,3}(?: 999)+)\.(9{1,2})")
_AMBIGUOUS = re.compile(r"9{1,3}([.,])999")
_TOO_PRECISE = re.compile(
    r"(?:[09]9*|9{1,3}(?:\.999)+|9{1,3}(?: 999)+),9{3,}"
    r"|(?:[09]9*|9{1,3}(?:,999)+|9{1,3}(?: 999)+)\.9{3,}"
)
_AMBIGUOUS_NUMBER = re.compile(r"\d{1,3}[.,]\d{3}")

_OK, _EMPTY, _AMBIGUOUS_VALUE, _REJECTED = range(4)
_NO_CONVENTION = "the column shows no convention"
_MIXED_CONVENTIONS = "the column mixes both conventions"


@dataclass(frozen=True)
class _Shape:
    status: int
    decimals: int = 0
    negative: bool = False
    evidence: Convention | None = None
    separator: str = ""  # of an ambiguous value
    reason: str = ""  # of a rejected value: "not an amount", "more than 2 decimals", ...


def _classify(shape: str) -> _Shape:
    """What one shape means on its own, before the column's convention is known."""
    if not shape.strip():
        return _Shape(_EMPTY)
    match = _AMOUNT.fullmatch(shape)
    if match is None:
        return _Shape(_REJECTED, reason="not an amount")
    signs = [sign for sign in match.group("s1", "s2", "s3") if sign]
    if len(signs) > 1 or (match["c1"] and match["c2"]):
        return _Shape(_REJECTED, reason="not an amount")
    negative = signs == ["-"]
    number = match["num"]
    if sum(char in "09" for char in number) > MAX_DIGITS:
        return _Shape(_REJECTED, reason="amount too large")
    if match["dash"]:
        if _WHOLE_EUROS.fullmatch(number):
            return _Shape(_OK, negative=negative, evidence="comma")
        return _Shape(_REJECTED, reason="malformed digit grouping")
    if _INTEGER.fullmatch(number):
        return _Shape(_OK, negative=negative)
    if _DOT_GROUPED.fullmatch(number):
        return _Shape(_OK, negative=negative, evidence="comma")
    if _COMMA_GROUPED.fullmatch(number):
        return _Shape(_OK, negative=negative, evidence="point")
    for pattern, convention in ((_DECIMAL_COMMA, "comma"), (_DECIMAL_POINT, "point")):
        decimal = pattern.fullmatch(number)
        if decimal:
            return _Shape(_OK, len(decimal[1]), negative, convention)
    ambiguous = _AMBIGUOUS.fullmatch(number)
    if ambiguous:
        return _Shape(_AMBIGUOUS_VALUE, negative=negative, separator=ambiguous[1])
    if _TOO_PRECISE.fullmatch(number):
        return _Shape(_REJECTED, reason="more than 2 decimals")
    return _Shape(_REJECTED, reason="malformed digit grouping")


def _resolve(shape: _Shape, convention: Convention | None) -> _Shape:
    """Read an ambiguous shape with the convention: one separator is thousands, the other
    would leave three decimals."""
    if shape.status != _AMBIGUOUS_VALUE or convention is None:
        return shape
    thousands = "." if convention == "comma" else ","
    if shape.separator == thousands:
        return _Shape(_OK, negative=shape.negative)
    return _Shape(_REJECTED, reason="more than 2 decimals")


@dataclass(frozen=True)
class _Shapes:
    """The column as shape codes plus what is needed to turn digits into cents."""

    texts: np.ndarray  # object: the original text, "" for missing
    codes: np.ndarray  # per value: index into shapes
    shapes: list[_Shape]
    points: np.ndarray  # uint32 code points, one row per value (NUL-padded)


def column_texts(values: pd.Series) -> np.ndarray:
    """The values as an object array of str, "" where missing; numbers are written as str."""
    if not isinstance(values.dtype, pd.StringDtype) and pd.api.types.infer_dtype(
        values, skipna=True
    ) not in ("string", "empty"):
        values = values.astype("string")
    return values.to_numpy(dtype=object, na_value="")


def code_points(texts: np.ndarray, max_length: int) -> np.ndarray:
    """The texts as a matrix of code points, one row per text, NUL-padded on the right.

    A text longer than ``max_length`` becomes a single U+0001, which no parser accepts, so
    one stray paragraph cannot blow the matrix up.
    """
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    too_long = lengths > max_length
    width = max(1, int(lengths[~too_long].max(initial=0)))
    fitting = np.where(too_long, "\x01", texts) if too_long.any() else texts
    return np.asarray(fitting, dtype=f"U{width}").view(np.uint32).reshape(len(texts), width)


def factorize_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A code per distinct row of a 2-D array, and the index of the first row of each code.

    Exact, and fast when most rows repeat (shapes of values): the bytes of a row, in the
    narrowest unsigned type that holds the matrix, are read as 64-bit words and the codes of
    one word at a time are combined.
    """
    rows = len(matrix)
    if rows == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    largest = int(matrix.max(initial=0))
    narrow = np.uint8 if largest < 2**8 else np.uint16 if largest < 2**16 else matrix.dtype
    raw = np.ascontiguousarray(matrix, dtype=narrow).view(np.uint8).reshape(rows, -1)
    padded = np.zeros((rows, -(-raw.shape[1] // 8) * 8), dtype=np.uint8)
    padded[:, : raw.shape[1]] = raw
    codes = np.zeros(rows, dtype=np.int64)
    for word in padded.view(np.uint64).T:
        word_codes, distinct = pd.factorize(word)
        codes, _ = pd.factorize(codes * len(distinct) + word_codes)
    # pandas numbers codes in order of first appearance
    seen = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    return codes, np.flatnonzero(codes > seen)


def _shapes(values: pd.Series) -> _Shapes:
    """Each value's shape, found once per distinct shape."""
    texts = column_texts(values)
    points = code_points(texts, MAX_LENGTH)
    classes = _CLASSES[np.minimum(points, len(_CLASSES) - 1)]
    # Mark a leading zero: "0.123" has three decimals, it is not 123 with a thousands dot.
    is_digit = classes == ord("9")
    first = is_digit.argmax(axis=1)
    rows = np.arange(len(texts))
    leading_zero = is_digit[rows, first] & (points[rows, first] == ord("0"))
    classes[rows[leading_zero], first[leading_zero]] = ord("0")
    codes, first_rows = factorize_rows(classes)
    shapes = [_classify(classes[row].tobytes().rstrip(b"\0").decode()) for row in first_rows]
    return _Shapes(texts, codes, shapes, points)


def _cents(points: np.ndarray) -> np.ndarray:
    """The digits of each row read as one integer (Horner, one column of the matrix at a time).

    Rows with too many digits are rejected before their (wrapped) result is used.
    """
    total = np.zeros(len(points), dtype=np.int64)
    for column in points.T:
        digit = (column >= ord("0")) & (column <= ord("9"))
        total = np.where(digit, total * 10 + (column.astype(np.int64) - ord("0")), total)
    return total


def _evidence(shapes: list[_Shape]) -> set[Convention]:
    return {shape.evidence for shape in shapes if shape.evidence is not None}


def detect_convention(values: pd.Series) -> Literal["comma", "point", "mixed"] | None:
    """The decimal convention that the unambiguous values of a column show.

    Useful to decide one convention for a file read in chunks, then force it per chunk.
    """
    evidence = _evidence(_shapes(values).shapes)
    if len(evidence) > 1:
        return "mixed"
    return next(iter(evidence), None)


def parse_amounts(values: pd.Series, convention: Convention | None = None) -> ParsedColumn:
    """Parse a column of amounts into nullable Int64 cents, with a reason per rejected value.

    A value ambiguous on its own (one ``.`` or ``,`` followed by exactly three digits, such as
    ``1.234``) is read with a convention: ``convention`` when given (per-contractor config),
    else the one the column's unambiguous values show. A decimal comma (``12,50``) or dots
    grouping thousands (``1.234,56``, ``1.234.567``) mean "comma"; a decimal point or commas
    grouping thousands mean "point". Under "comma", ``1.234`` is 1234.00 and ``1,234`` is
    rejected for its three decimals; under "point" the reverse. A column showing no
    convention, or both, rejects the ambiguous values rather than guess. The convention never
    overrides a value that is unambiguous on its own: ``1234.50`` is 1234.50 in any column,
    which keeps numbers written by a spreadsheet readable in a comma-convention file.

    Empty and whitespace-only values are <NA> without an error: the caller decides whether
    the field is required.
    """
    return _parse(values, convention, _NO_CONVENTION)


def _parse(values: pd.Series, convention: Convention | None, no_convention: str) -> ParsedColumn:
    if convention not in (None, "comma", "point"):
        raise ValueError(f"unknown amount convention {convention!r}; use 'comma' or 'point'")
    parsed = _shapes(values)
    evidence = _evidence(parsed.shapes)
    if convention is None and len(evidence) == 1:
        convention = next(iter(evidence))
    note = _MIXED_CONVENTIONS if len(evidence) > 1 else no_convention
    shapes = [_resolve(shape, convention) for shape in parsed.shapes]

    status = np.array([shape.status for shape in shapes], dtype=np.int8)[parsed.codes]
    scale = np.array([10 ** (2 - shape.decimals) for shape in shapes], dtype=np.int64)
    sign = np.array([-1 if shape.negative else 1 for shape in shapes], dtype=np.int64)
    ok = status == _OK
    cents = _cents(parsed.points) * scale[parsed.codes] * sign[parsed.codes]
    amounts = pd.Series(
        pd.arrays.IntegerArray(np.where(ok, cents, 0), ~ok), index=values.index, name=values.name
    )

    errors = np.full(len(values), None, dtype=object)
    rejected = np.flatnonzero((status == _REJECTED) | (status == _AMBIGUOUS_VALUE))
    # One reason per distinct text: a whole column of "1.500" is one message, not a million.
    text_codes, texts = pd.factorize(parsed.texts[rejected])
    first_rows = rejected[np.unique(text_codes, return_index=True)[1]]
    reasons = []
    for row, raw in zip(first_rows, texts, strict=True):
        shape = shapes[parsed.codes[row]]
        text = raw.strip()
        if shape.status == _AMBIGUOUS_VALUE:
            reasons.append(_ambiguous_reason(text, note))
        else:
            reasons.append(f"{shape.reason}: '{text}'")
    errors[rejected] = np.array(reasons, dtype=object)[text_codes]
    return ParsedColumn(
        amounts, pd.Series(errors, index=values.index, name=values.name, dtype=object)
    )


def _ambiguous_reason(text: str, note: str) -> str:
    number = _AMBIGUOUS_NUMBER.search(text)
    written = number.group() if number else text
    return f"ambiguous: {text} could be {written} or {re.sub(r'[.,]', '', written)}; {note}"


def parse_amount(text: str, convention: Convention | None = None) -> int:
    """Parse one amount (a value typed in, such as a correction of "12,50") into cents.

    Same rules as :func:`parse_amounts`, with no column to show a convention: an ambiguous
    value needs ``convention`` or cents. Raises ValueError with the plain reason.
    """
    if not text.strip():
        raise ValueError("empty amount")
    parsed = _parse(pd.Series([text], dtype=object), convention, "write it with cents")
    error = parsed.errors.iloc[0]
    if error is not None:
        raise ValueError(error)
    return int(parsed.values.iloc[0])
