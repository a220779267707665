"""What every file meant for a spreadsheet needs: the CSV dialects and formula neutralisation."""

from __future__ import annotations

import re

# OWASP "CSV injection": a cell starting with one of these may run as a formula in Excel or
# LibreOffice. Contractor text must never do that, so such cells get a leading quote. The
# full-width forms (＝ ＋ － ＠) are included: an East Asian input method or a spreadsheet's
# own width conversion can turn them into the ASCII ones, and a leading quote costs nothing.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A plain signed number ("-123,45", ASCII digits only) is no formula: it stays as it is so
# that it reads back.
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9][0-9.,]*")

# dialect -> (delimiter, encoding, decimal separator)
DIALECTS = {
    "excel-be": (";", "utf-8-sig", ","),
    "standard": (",", "utf-8", "."),
}


def neutralise(text: str) -> str:
    """Prefix a single quote to text that a spreadsheet would read as a formula."""
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_format(dialect: str) -> tuple[str, str]:
    """Delimiter and encoding of a CSV dialect ("excel-be" or "standard")."""
    delimiter, encoding, _ = DIALECTS[dialect]
    return delimiter, encoding
