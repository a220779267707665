"""Numbers and dates for people, one way per language: money, counts, percentages, scores, dates.

Every command that shows a figure to a person formats it here, so that `report`, the board
report and (later) `select`, `show` and `ingest` agree. Dutch and French follow the Belgian
convention (``1.234,56``, ``2,0%``, ``27/11/2026``); English keeps the look the reports have
always had: ISO dates, and the separators of the workspace's ``csv_dialect`` (``excel-be``
gives ``1.234,56``, ``standard`` gives ``1,234.56``). Separators come from Babel's CLDR data
(``nl_BE``, ``fr_BE``, ``en_BE``, ``en``). French Belgian CLDR groups thousands with a narrow
no-break space; a dot is used instead so that one figure reads the same in both national
languages and in the inspection lists' Excel files.

Machine output (CSV and JSON of the reports) is not formatted here but by :func:`machine_text`:
decimal point, no grouping, fixed decimals, whatever the language.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

LANGUAGES = ("en", "nl", "fr")
DIALECTS = ("excel-be", "standard")
MISSING = "–"


def check_language(lang: str) -> str:
    """The language code, or ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return lang


@cache
def _babel_locale(lang: str, dialect: str) -> str:
    if lang == "en":
        return "en_BE" if dialect == "excel-be" else "en"
    return {"nl": "nl_BE", "fr": "fr_BE"}[check_language(lang)]


@dataclass(frozen=True)
class Formatter:
    """Formats figures for one language (and, for English, one CSV dialect)."""

    lang: str = "en"
    dialect: str = "standard"

    def _number(self, value: Decimal | int | float, pattern: str) -> str:
        from babel.numbers import format_decimal

        text = format_decimal(value, format=pattern, locale=_babel_locale(self.lang, self.dialect))
        # See the module docstring: one grouping in both national languages.
        return text.replace("\u202f", ".").replace("\xa0", ".")

    def money(self, cents: int | None) -> str:
        """Cents as euros with two decimals: 123456 -> "1.234,56" (nl, fr) or "1,234.56"."""
        if cents is None:
            return MISSING
        exact = Decimal(operator.index(cents)).scaleb(-2)
        return self._number(exact, "#,##0.00;-#,##0.00")

    def count(self, n: int | None) -> str:
        """A whole number with grouping: 23886 -> "23.886" or "23,886"."""
        if n is None:
            return MISSING
        return self._number(operator.index(n), "#,##0")

    def percent(self, fraction: float | Decimal | None, digits: int = 1) -> str:
        """A fraction as a percentage: 0.0204 -> "2,0%" (nl, fr) or "2.0%"."""
        if fraction is None:
            return MISSING
        pattern = "0." + "0" * digits if digits else "0"
        return self._number(Decimal(str(fraction)) * 100, pattern) + "%"

    def decimal(self, value: float | Decimal | None, digits: int = 1, signed: bool = False) -> str:
        """A score or other plain number: 7.25 -> "7,3"; signed adds "+" to positive ones."""
        if value is None:
            return MISSING
        pattern = "0." + "0" * digits if digits else "0"
        if signed:
            pattern = "+" + pattern + ";-" + pattern
        return self._number(Decimal(str(value)), pattern)

    def day(self, value: date | str | None) -> str:
        """A date: ISO in English (as the reports always were), 27/11/2026 in Dutch and French."""
        if value is None:
            return MISSING
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return value.isoformat() if self.lang == "en" else value.strftime("%d/%m/%Y")

    def value(self, value: Any, kind: str) -> str:
        """A report value by its kind: money, int, rate, mean, difference, date or text."""
        if value is None:
            return MISSING
        if kind == "money":
            return self.money(value)
        if kind == "int":
            return self.count(value)
        if kind == "rate":
            return self.percent(value)
        if kind == "mean":
            return self.decimal(value, 1)
        if kind == "difference":
            return self.decimal(value, 2, signed=True)
        if kind == "date":
            return self.day(value)
        return str(value)


def machine_text(value: Any, kind: str) -> str:
    """A value as CSV carries it for other tools: money "1234.56", rates with 4 decimals
    ("0.0000", never "0.0"), means and differences with 2, ISO dates, "" when missing."""
    if value is None:
        return ""
    if kind == "money":
        from inspect_cli.money import format_cents

        return format_cents(value)
    if kind == "rate":
        return f"{value:.4f}"
    if kind in ("mean", "difference"):
        return f"{value:.2f}"
    return str(value)
