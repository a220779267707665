"""Money as exact integer cents: formatting, and parsing of a single amount.

This module stays free of pandas so that commands that only show money start fast; columns
of amounts are parsed by :mod:`inspect_cli.amounts`.
"""

from __future__ import annotations

import operator
from decimal import Decimal


def parse_amount(text: str, convention: str | None = None) -> int:
    """Parse one amount (a CLI argument such as ``--correction "12,50"``) into cents.

    Same rules as :func:`inspect_cli.amounts.parse_amounts`, with no column to show a
    convention: an ambiguous value needs ``convention`` or cents. Raises ValueError with the
    plain reason.
    """
    from inspect_cli.amounts import parse_single

    return parse_single(text, convention)


def format_cents(cents: int, decimal_sep: str = ".", thousands_sep: str = "") -> str:
    """Write cents as an amount: 123456 -> "1234.56"; with (",", ".") -> "1.234,56"."""
    cents = operator.index(cents)  # a float here would already have lost exactness
    euros, rest = divmod(abs(cents), 100)
    whole = f"{euros:,}".replace(",", thousands_sep)
    return f"{'-' if cents < 0 else ''}{whole}{decimal_sep}{rest:02d}"


def cents_to_decimal(cents: int) -> Decimal:
    """Cents as an exact Decimal with two places: 123456 -> Decimal("1234.56")."""
    return Decimal(operator.index(cents)).scaleb(-2)
