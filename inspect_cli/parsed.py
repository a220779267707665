"""What parsing a contractor file hands to the store: plain lists, so no pandas is needed.

`parsing` builds these and `store.orders` binds them; they are defined here, apart from both,
so that the process storing a file parsed by a worker receives them without loading pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from inspect_cli.headers import DESCRIPTIVE_FIELDS

VALUE_FIELDS = (
    "contractor",
    "amount_cents",
    "completed_on",
    *DESCRIPTIVE_FIELDS,
    "order_date",
    "invoice_number",
    "vat_rate",
    "tenant_contact",
)
"""Stored values of an order besides its id, in table order."""
STAGED_COLUMNS = ("row", "order_id", *VALUE_FIELDS)
"""A parsed row: its file row, its order id and values (the row is stored only when staged)."""


@dataclass
class Parsed:
    """One chunk, parsed: its size, its rejected rows, and the columns (a list per
    STAGED_COLUMNS name) of its good rows whose id is the first of its kind in the file and of
    the others."""

    read: int
    rejected: list[tuple[int, list[str], str]]
    not_completed: int
    firsts: dict[str, list]
    repeated: dict[str, list]


@dataclass
class Repeated:
    """What settling a file's repeated order ids needs from its parsing: the original cells of
    rows whose id came before (by its hash), and the row where each such id came first."""

    cells: dict[int, list[str]] = field(default_factory=dict)
    first_of: dict[str, int] = field(default_factory=dict)
