"""Split orders and possible double billing: what a EUR 1,000 threshold invites.

A contractor who wants to stay under the mandatory inspection cuts one job into orders at or
below the threshold. A *split group* is found per contractor and dwelling:

- **Candidates**: orders with a completion date, a dwelling (see `dwelling_key`) and an amount
  above zero and at or below the threshold. Orders above the threshold are inspected anyway;
  credit notes (negative amounts) and zero amounts are left out, so a credit never hides a
  split and never completes one.
- **Chaining**: a group is anchored at one order. It holds every candidate of the same
  contractor and dwelling completed on the anchor's day up to `window_days` later, so all its
  orders lie within the window of each other and a group can never grow past one window, however
  many orders follow. Candidates are walked in date order; the first anchor whose window sums
  strictly above the threshold makes a group, and the walk resumes after the last order of that
  group (groups never share an order). An anchor whose window stays at or below the threshold
  does not end the walk: the next candidate is tried as anchor, so two orders late in one window
  and early in the next are still found.

The rule looks at one contractor and dwelling at a time and only at earlier orders and the
window after them, so a group is the same whether it is computed over the whole store or over
one dwelling's orders (`group_of_order`), and orders completed more than a window after a group
cannot change it. A selection rule can call `find_split_groups` on stored orders as they are.

*Possible double billing*: two orders of one contractor at one dwelling with the same amount
(above zero, any size), completed within the window of each other, under different order ids.
Orders are paired with the next one of the same amount in date order, so three equal amounts
make two pairs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

_DAY_SPAN = 1 << 20
"""Room for every day number plus a window in the combined (dwelling, day) sort key."""
_EPOCH = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class OrderColumns:
    """Orders as columns, in any order: what the store hands over, one list per field."""

    order_ids: Sequence[str]
    contractors: Sequence[str]
    dwelling_ids: Sequence[str | None]
    addresses: Sequence[str | None]
    postcodes: Sequence[str | None]
    completed_on: Sequence[str | None]
    """ISO dates (YYYY-MM-DD) or None for orders not completed yet."""
    amounts_cents: Sequence[int]


@dataclass(frozen=True)
class SplitGroup:
    """Orders of one contractor at one dwelling that together cross the threshold."""

    contractor: str
    dwelling: str
    """The normalised dwelling key the orders share (see `dwelling_key`)."""
    dwelling_id: str | None
    address: str | None
    postcode: str | None
    order_ids: tuple[str, ...]
    """In completion date order, then by order id."""
    first_on: str
    last_on: str
    total_cents: int


@dataclass(frozen=True)
class DoubleBilling:
    """Two orders of one contractor at one dwelling with the same amount within the window."""

    contractor: str
    dwelling: str
    dwelling_id: str | None
    address: str | None
    amount_cents: int
    first_order_id: str
    first_on: str
    second_order_id: str
    second_on: str


def _plain(text: str) -> str:
    """Lower case without accents, punctuation or repeated spaces: "Kerkstraat 1" matches
    "KERKSTRAAT, 1" and "Kérkstraat 1"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def dwelling_key(dwelling_id: str | None, address: str | None, postcode: str | None) -> str | None:
    """What makes two orders one dwelling, or None when an order names none.

    The dwelling id when there is one (case and spaces aside); else the address and postcode
    together, normalised. An address without a postcode is no dwelling: many municipalities
    have a Kerkstraat 1. An order with a dwelling id never matches one with only an address.
    """
    if dwelling_id is not None and (ident := " ".join(dwelling_id.split()).casefold()):
        return f"id:{ident}"
    if address is None or postcode is None:
        return None
    street, code = _plain(address), "".join(postcode.split()).upper()
    if not street or not code:
        return None
    return f"address:{street}|{code}"


@dataclass(frozen=True)
class _Prepared:
    """Orders that have a dwelling and a completion date, with integer codes for numpy."""

    rows: np.ndarray
    """Positions in the OrderColumns."""
    keys: list[str]
    """Dwelling key per code."""
    codes: np.ndarray
    """(contractor, dwelling) code per row."""
    days: np.ndarray
    amounts: np.ndarray


def _prepare(orders: OrderColumns) -> _Prepared:
    ids: dict[tuple[str, str | None, str | None], str | None] = {}
    codes: dict[tuple[str, str], int] = {}
    keys: list[str] = []
    day_of: dict[str, int] = {}
    rows, row_codes, days = [], [], []
    for i, (contractor, dwelling_id, address, postcode, done) in enumerate(
        zip(
            orders.contractors,
            orders.dwelling_ids,
            orders.addresses,
            orders.postcodes,
            orders.completed_on,
            strict=True,
        )
    ):
        if done is None:
            continue
        # Every dwelling id is normalised once, however many orders it has.
        raw = (dwelling_id or "", None if dwelling_id else address, postcode)
        key = ids.get(raw, "")
        if key == "":
            key = ids[raw] = dwelling_key(dwelling_id, address, postcode)
        if key is None:
            continue
        day = day_of.get(done)
        if day is None:
            day = day_of[done] = date.fromisoformat(done).toordinal() - _EPOCH
        code = codes.get((contractor, key))
        if code is None:
            code = codes[(contractor, key)] = len(keys)
            keys.append(key)
        rows.append(i)
        row_codes.append(code)
        days.append(day)
    positions = np.array(rows, dtype=np.int64)
    amounts = np.asarray(orders.amounts_cents, dtype=np.int64)[positions]
    return _Prepared(
        positions,
        keys,
        np.array(row_codes, dtype=np.int64),
        np.array(days, dtype=np.int64),
        amounts,
    )


def _iso(day: int) -> str:
    return date.fromordinal(int(day) + _EPOCH).isoformat()


def _group_ends(codes: np.ndarray, days: np.ndarray, window_days: int) -> np.ndarray:
    """For rows sorted by (code, day): one past the last row of the same code whose day is at
    most `window_days` after this row's."""
    combined = codes * _DAY_SPAN + days
    return np.searchsorted(combined, combined + window_days, side="right")


def find_split_groups(
    orders: OrderColumns, *, threshold_cents: int, window_days: int
) -> list[SplitGroup]:
    """Every split group among the orders, by the rule in this module's docstring, sorted by
    contractor, first completion date and dwelling."""
    p = _prepare(orders)
    candidate = (p.amounts > 0) & (p.amounts <= threshold_cents)
    rows, codes, days, amounts = (a[candidate] for a in (p.rows, p.codes, p.days, p.amounts))
    order = np.lexsort((days, codes))
    rows, codes, days, amounts = rows[order], codes[order], days[order], amounts[order]
    n = len(rows)
    ends = _group_ends(codes, days, window_days)
    running = np.concatenate(([0], np.cumsum(amounts)))
    crossing = running[ends] - running[:n] > threshold_cents
    # next_anchor[j]: the first crossing anchor at or after row j (n when none is left).
    next_anchor = np.minimum.accumulate(np.where(crossing, np.arange(n), n)[::-1])[::-1]
    next_anchor = np.append(next_anchor, n)
    groups = []
    anchor = int(next_anchor[0]) if n else 0
    while anchor < n:
        end = int(ends[anchor])
        groups.append(_group(orders, p.keys, rows, codes, days, anchor, end, running))
        anchor = int(next_anchor[end])
    groups.sort(key=lambda g: (g.contractor, g.first_on, g.dwelling))
    return groups


def _group(
    orders: OrderColumns,
    keys: list[str],
    rows: np.ndarray,
    codes: np.ndarray,
    days: np.ndarray,
    start: int,
    end: int,
    running: np.ndarray,
) -> SplitGroup:
    members = [int(r) for r in rows[start:end]]
    member_days = [int(d) for d in days[start:end]]
    ids = [orders.order_ids[r] for r in members]
    first = members[0]
    return SplitGroup(
        contractor=orders.contractors[first],
        dwelling=keys[int(codes[start])],
        dwelling_id=orders.dwelling_ids[first],
        address=orders.addresses[first],
        postcode=orders.postcodes[first],
        order_ids=tuple(i for _, i in sorted(zip(member_days, ids, strict=True))),
        first_on=_iso(member_days[0]),
        last_on=_iso(member_days[-1]),
        total_cents=int(running[end] - running[start]),
    )


def find_double_billings(orders: OrderColumns, *, window_days: int) -> list[DoubleBilling]:
    """Pairs of orders of one contractor at one dwelling with the same amount, completed within
    `window_days` of each other; each order is paired with the next of its amount."""
    p = _prepare(orders)
    positive = p.amounts > 0
    rows, codes, days, amounts = (a[positive] for a in (p.rows, p.codes, p.days, p.amounts))
    order = np.lexsort((days, amounts, codes))
    rows, codes, days, amounts = rows[order], codes[order], days[order], amounts[order]
    pair = (
        (codes[1:] == codes[:-1])
        & (amounts[1:] == amounts[:-1])
        & (days[1:] - days[:-1] <= window_days)
    )
    found = []
    for k in np.flatnonzero(pair):
        a, b = int(rows[k]), int(rows[k + 1])
        found.append(
            DoubleBilling(
                contractor=orders.contractors[a],
                dwelling=p.keys[int(codes[k])],
                dwelling_id=orders.dwelling_ids[a],
                address=orders.addresses[a],
                amount_cents=int(amounts[k]),
                first_order_id=orders.order_ids[a],
                first_on=_iso(days[k]),
                second_order_id=orders.order_ids[b],
                second_on=_iso(days[k + 1]),
            )
        )
    found.sort(key=lambda d: (d.contractor, d.first_on, d.dwelling, d.first_order_id))
    return found


def group_of_order(groups: Sequence[SplitGroup], order_id: str) -> SplitGroup | None:
    """The split group an order belongs to, if any (for `show`)."""
    return next((g for g in groups if order_id in g.order_ids), None)
