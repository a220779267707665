from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED_DATA, needs_shared_data
from hypothesis import given
from hypothesis import strategies as st

from inspect_cli.amounts import detect_convention, parse_amount, parse_amounts
from inspect_cli.money import cents_to_decimal, format_cents


def column(*values: object) -> tuple[list[object], list[object]]:
    parsed = parse_amounts(pd.Series(values, dtype=object))
    return parsed.values.tolist(), parsed.errors.tolist()


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234.56", 123456),
        ("1234,56", 123456),
        ("1.234,56", 123456),
        ("1,234.56", 123456),
        ("€ 1.234,56", 123456),
        ("€1.234,56", 123456),
        ("1 234,56", 123456),
        ("1\u00a0234,56", 123456),
        ("1\u202f234,56", 123456),
        ("1 234.56", 123456),
        ("1.234.567,89", 123456789),
        ("1,234,567.89", 123456789),
        ("1 234 567", 123456700),
        ("EUR 999", 99900),
        ("999 EUR", 99900),
        ("eur 999", 99900),
        ("999€", 99900),
        ("1234", 123400),
        ("12,5", 1250),
        ("1234.5", 123450),
        ("0,07", 7),
        ("0", 0),
        (" 460.88 ", 46088),
        ("522.07 ", 52207),
        ("-123,45", -12345),
        ("- 123.45", -12345),
        ("123,45-", -12345),
        ("\u2212123,45", -12345),
        ("-€ 12,50", -1250),
        ("€ -12,50", -1250),
        ("+5", 500),
        ("€ 25,-", 2500),
        ("1.250,--", 125000),
        ("-25,-", -2500),
        ("-0,00", 0),
    ],
)
def test_amount_formats(text: str, cents: int) -> None:
    assert parse_amount(text) == cents
    assert column(text) == ([cents], [None])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "not an amount: 'abc'"),
        ("12 EUR abc", "not an amount: '12 EUR abc'"),
        ("1e5", "not an amount: '1e5'"),
        ("€", "not an amount: '€'"),
        ("--5", "not an amount: '--5'"),
        ("-5-", "not an amount: '-5-'"),
        ("€ 5 EUR", "not an amount: '€ 5 EUR'"),
        (",50", "not an amount: ',50'"),
        ("1.2.3,4", "malformed digit grouping: '1.2.3,4'"),
        ("12,34,56", "malformed digit grouping: '12,34,56'"),
        ("1.234.56", "malformed digit grouping: '1.234.56'"),
        ("1234 567", "malformed digit grouping: '1234 567'"),
        ("12,5,-", "malformed digit grouping: '12,5,-'"),
        ("12.3456", "more than 2 decimals: '12.3456'"),
        ("1234,567", "more than 2 decimals: '1234,567'"),
        ("1.234,567", "more than 2 decimals: '1.234,567'"),
        ("0.123", "more than 2 decimals: '0.123'"),
        (" 1234567890123456 ", "amount too large: '1234567890123456'"),
        ("9" * 41, f"not an amount: '{'9' * 41}'"),
    ],
)
def test_rejections_name_the_value(text: str, reason: str) -> None:
    assert column(text) == ([pd.NA], [reason])
    with pytest.raises(ValueError) as raised:
        parse_amount(text)
    assert str(raised.value) == reason


def test_empty_is_missing_without_error() -> None:
    assert column("", "   ", "\u00a0", None, np.nan) == ([pd.NA] * 5, [None] * 5)
    with pytest.raises(ValueError, match="empty amount"):
        parse_amount("  ")


def test_result_keeps_index_name_and_types() -> None:
    values = pd.Series(["12,50", "x", None], index=[10, 20, 30], name="Bedrag")
    parsed = parse_amounts(values)
    assert parsed.values.dtype == "Int64"
    assert parsed.errors.dtype == object
    assert list(parsed.values.index) == [10, 20, 30]
    assert parsed.values.name == parsed.errors.name == "Bedrag"
    assert parsed.values[10] == 1250 and isinstance(parsed.values[10], np.integer)


def test_numbers_from_a_spreadsheet_are_read_as_written() -> None:
    parsed = parse_amounts(pd.Series([1234.5, 7, None], dtype=object))
    assert parsed.values.tolist() == [123450, 700, pd.NA]


# Column convention: a value that is ambiguous on its own follows the column.


def test_ambiguous_value_alone_is_rejected() -> None:
    assert column("1.234", "500") == (
        [pd.NA, 50000],
        ["ambiguous: 1.234 could be 1.234 or 1234; the column shows no convention", None],
    )
    assert column("12,345")[1] == [
        "ambiguous: 12,345 could be 12,345 or 12345; the column shows no convention"
    ]


def test_decimal_comma_column_reads_dot_as_thousands() -> None:
    assert column("1.234", "12,50") == ([123400, 1250], [None, None])
    assert column("€ 1.234", "1.234.567")[0] == [123400, 123456700]
    assert column("1,234", "12,50") == ([pd.NA, 1250], ["more than 2 decimals: '1,234'", None])


def test_decimal_point_column_reads_comma_as_thousands() -> None:
    assert column("1,234", "12.50") == ([123400, 1250], [None, None])
    assert column("12.345", "1.5") == ([pd.NA, 150], ["more than 2 decimals: '12.345'", None])


def test_column_with_both_conventions_rejects_the_ambiguous() -> None:
    values, errors = column("1.234", "12,50", "12.50")
    assert values == [pd.NA, 1250, 1250]
    assert errors[0] == "ambiguous: 1.234 could be 1.234 or 1234; the column mixes both conventions"


def test_forced_convention_decides_ambiguous_values_only() -> None:
    values = pd.Series(["1.234", "1,234", "1234.56", "12,50"])
    comma = parse_amounts(values, convention="comma")
    assert comma.values.tolist() == [123400, pd.NA, 123456, 1250]
    assert comma.errors[1] == "more than 2 decimals: '1,234'"
    point = parse_amounts(values, convention="point")
    assert point.values.tolist() == [pd.NA, 123400, 123456, 1250]
    assert parse_amount("1.234", convention="comma") == 123400


def test_scalar_ambiguous_amount_asks_for_cents() -> None:
    with pytest.raises(ValueError) as raised:
        parse_amount("1.234")
    assert str(raised.value) == "ambiguous: 1.234 could be 1.234 or 1234; write it with cents"


def test_unknown_convention_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown amount convention 'euro'"):
        parse_amounts(pd.Series(["1"]), convention="euro")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "convention"),
    [
        (["1.234", "12,50"], "comma"),
        (["1.234.567"], "comma"),
        (["25,-"], "comma"),
        (["1,234", "12.5"], "point"),
        (["1 234", "1.234", "12"], None),
        (["12,50", "12.50"], "mixed"),
        ([], None),
    ],
)
def test_detect_convention(values: list[str], convention: str | None) -> None:
    assert detect_convention(pd.Series(values, dtype=object)) == convention


# Formatting


@pytest.mark.parametrize(
    ("cents", "args", "text"),
    [
        (123456, (), "1234.56"),
        (-123456, (), "-1234.56"),
        (5, (), "0.05"),
        (-5, (), "-0.05"),
        (0, (), "0.00"),
        (123456789, (",", "."), "1.234.567,89"),
        (123456789, (".", ","), "1,234,567.89"),
        (100000, (",", "\u00a0"), "1\u00a0000,00"),
    ],
)
def test_format_cents(cents: int, args: tuple[str, ...], text: str) -> None:
    assert format_cents(cents, *args) == text


def test_cents_to_decimal_is_exact_with_two_places() -> None:
    assert cents_to_decimal(123456) == Decimal("1234.56")
    assert str(cents_to_decimal(100)) == "1.00"
    assert str(cents_to_decimal(-5)) == "-0.05"


def test_float_cents_are_refused() -> None:
    with pytest.raises(TypeError):
        format_cents(12.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cents_to_decimal(12.5)  # type: ignore[arg-type]


# Properties: every supported style round-trips.

STYLES = {
    "plain point": lambda c: format_cents(c),
    "plain comma": lambda c: format_cents(c, ","),
    "dot thousands": lambda c: format_cents(c, ",", "."),
    "comma thousands": lambda c: format_cents(c, ".", ","),
    "euro sign": lambda c: "€ " + format_cents(c, ",", "."),
    "no-break space": lambda c: format_cents(c, ",", "\u00a0"),
    "narrow no-break space": lambda c: format_cents(c, ",", "\u202f"),
    "EUR code": lambda c: "EUR " + format_cents(c),
    "trailing minus": lambda c: format_cents(abs(c), ",", ".") + ("-" if c < 0 else ""),
}
CENTS = st.integers(-(10**11), 10**11)


@pytest.mark.parametrize("style", STYLES)
@given(cents=CENTS)
def test_any_amount_round_trips(style: str, cents: int) -> None:
    assert parse_amount(STYLES[style](cents)) == cents


@pytest.mark.parametrize("style", STYLES)
@given(amounts=st.lists(CENTS, max_size=30))
def test_any_column_round_trips(style: str, amounts: list[int]) -> None:
    parsed = parse_amounts(pd.Series([STYLES[style](c) for c in amounts], dtype=object))
    assert parsed.values.tolist() == amounts
    assert parsed.errors.isna().all()


@pytest.mark.parametrize(
    ("decimal", "thousands", "convention"), [(",", ".", "comma"), (".", ",", "point")]
)
@given(euros=st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=30))
def test_whole_euros_with_thousands_follow_the_convention(
    decimal: str, thousands: str, convention: str, euros: list[int]
) -> None:
    """Whole euros written with grouping ("1.234") are ambiguous alone: the convention decides,
    forced or shown by one unambiguous value in the column."""
    texts = [format_cents(e * 100, decimal, thousands).rsplit(decimal, 1)[0] for e in euros]
    expected = [e * 100 for e in euros]
    assert parse_amounts(pd.Series(texts), convention).values.tolist() == expected
    shown = parse_amounts(pd.Series([*texts, f"0{decimal}01"]))
    assert shown.values.tolist() == [*expected, 1]


def test_two_hundred_thousand_values() -> None:
    rng = np.random.default_rng(7)
    cents = rng.integers(-(10**9), 10**9, 200_000)
    styles = list(STYLES.values())
    texts = [styles[i % len(styles)](int(c)) for i, c in enumerate(cents)]
    parsed = parse_amounts(pd.Series(texts))
    assert parsed.errors.isna().all()
    assert (parsed.values.to_numpy() == cents).all()


@needs_shared_data
def test_leeds_payments_all_parse() -> None:
    path = SHARED_DATA / "leeds_almo_housing_payments_2011-2013.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    parsed = parse_amounts(frame["Net amount"])
    assert parsed.errors.isna().all()
    assert (parsed.values < 0).sum() == 73
    assert parse_amounts(pd.Series(["2,670.00", " 460.88 "])).values.tolist() == [267000, 46088]


def test_money_loads_no_pandas():
    """Commands that only show money import `money`; it must not pull pandas in."""
    import subprocess
    import sys

    script = "import sys, inspect_cli.money; print('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.split() == ["False"]
