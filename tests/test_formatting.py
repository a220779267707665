"""One way to write figures per language: Belgian for Dutch and French, today's look in English."""

from __future__ import annotations

from datetime import date

import pytest

from inspect_cli.formatting import Formatter, check_language, machine_text


@pytest.mark.parametrize(
    ("lang", "dialect", "money", "count", "percent", "day"),
    [
        ("nl", "standard", "1.234.567,89", "23.886", "2,0%", "27/11/2026"),
        ("fr", "standard", "1.234.567,89", "23.886", "2,0%", "27/11/2026"),
        ("en", "excel-be", "1.234.567,89", "23.886", "2,0%", "2026-11-27"),
        ("en", "standard", "1,234,567.89", "23,886", "2.0%", "2026-11-27"),
    ],
)
def test_each_language_writes_figures_its_way(lang, dialect, money, count, percent, day):
    f = Formatter(lang, dialect)
    assert f.money(123456789) == money
    assert f.count(23886) == count
    assert f.percent(0.0204) == percent
    assert f.day(date(2026, 11, 27)) == day
    assert f.day("2026-11-27") == day


def test_money_is_exact_and_signed():
    f = Formatter("nl")
    assert f.money(-5) == "-0,05"
    assert f.money(99_999_999_999_999_99) == "99.999.999.999.999,99"
    assert f.money(None) == "–"


def test_scores_and_differences():
    f = Formatter("fr")
    assert f.decimal(7.25, 1) == "7,2"  # half to even, as Babel rounds
    assert f.decimal(0.5, 2, signed=True) == "+0,50"
    assert f.decimal(-1.234, 2, signed=True) == "-1,23"
    assert f.value(0.25, "rate") == "25,0%"


def test_machine_text_keeps_four_decimals_for_rates():
    assert machine_text(0.0, "rate") == "0.0000"
    assert machine_text(0.0213, "rate") == "0.0213"
    assert machine_text(123456, "money") == "1234.56"
    assert machine_text(8.2, "mean") == "8.20"
    assert machine_text(None, "rate") == ""


def test_an_unknown_language_is_named():
    with pytest.raises(ValueError, match="language must be one of en, nl, fr, got 'de'"):
        check_language("de")
