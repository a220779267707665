"""Money as exact integer cents: writing cents as an amount, and as a Decimal.

Free of pandas (and of :mod:`inspect_cli.amounts`, which loads it), so that commands that only
show money start fast. Amounts are parsed, one or a column at a time, by `amounts`.
"""

from __future__ import annotations

import operator
from decimal import Decimal


def format_cents(cents: int, decimal_sep: str = ".", thousands_sep: str = "") -> str:
    """Write cents as an amount: 123456 -> "1234.56"; with (",", ".") -> "1.234,56"."""
    cents = operator.index(cents)  # a float here would already have lost exactness
    euros, rest = divmod(abs(cents), 100)
    whole = f"{euros:,}".replace(",", thousands_sep)
    return f"{'-' if cents < 0 else ''}{whole}{decimal_sep}{rest:02d}"


def cents_to_decimal(cents: int) -> Decimal:
    """Cents as an exact Decimal with two places: 123456 -> Decimal("1234.56")."""
    return Decimal(operator.index(cents)).scaleb(-2)
