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
one contractor's orders (as `show` does), and orders completed more than a window after a group
cannot change it. A selection rule can call `find_split_groups` on stored orders as they are.

*Possible double billing*: two orders of one contractor at one dwelling with the same amount
(above zero, any size), completed within the window of each other, under different order ids.
Orders are paired with the next one of the same amount in date order, so three equal amounts
make two pairs.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property

import numpy as np

from inspect_cli.errors import InvalidValue
from inspect_cli.money import format_cents
from inspect_cli.rule import above_threshold

_DAY_SPAN = 1 << 20
"""Room for every day number plus a window in the combined (dwelling, day) sort key."""
DAY_ZERO = date(1970, 1, 1).toordinal()
"""Completion days are counted from 1970-01-01, as SQLite's unixepoch() / 86400 does."""


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
class Place:
    """A contractor and a dwelling as one order names them; `key` None when it names none."""

    contractor: str
    dwelling_id: str | None
    address: str | None
    postcode: str | None
    key: str | None


@dataclass(frozen=True)
class Candidates:
    """Completed orders above zero as arrays, one position per order: what the rules read."""

    order_ids: Sequence[str]
    """Empty when they were not read (see `candidates_from_text`)."""
    places: list[Place]
    """Every (contractor, dwelling id, address, postcode) seen, as first written."""
    place: np.ndarray
    """Per order: its position in `places`."""
    days: np.ndarray
    """Per order: completion day, counted from 1970-01-01."""
    amounts: np.ndarray
    """Per order: amount in cents."""

    @cached_property
    def id_array(self) -> np.ndarray:
        """The order ids as an array of objects, to pick many by position at once."""
        return np.array(self.order_ids, dtype=object)

    @cached_property
    def group_codes(self) -> tuple[list[Place], np.ndarray]:
        """One code per contractor and dwelling key (-1 without a dwelling), per order, and the
        place each code was first seen as."""
        first: list[Place] = []
        seen: dict[tuple[str, str], int] = {}
        code_of_place = np.empty(len(self.places), dtype=np.int64)
        for i, p in enumerate(self.places):
            if p.key is None:
                code_of_place[i] = -1
                continue
            code = seen.setdefault((p.contractor, p.key), len(first))
            if code == len(first):
                first.append(p)
            code_of_place[i] = code
        return first, code_of_place[self.place]

    def contractor_codes(self) -> tuple[list[str], np.ndarray]:
        """The contractors and, per order, its contractor's position among them."""
        names = sorted({p.contractor for p in self.places})
        position = {name: i for i, name in enumerate(names)}
        of_place = np.array([position[p.contractor] for p in self.places], dtype=np.int64)
        return names, of_place[self.place]


def _place(
    contractor: str, dwelling_id: str | None, address: str | None, postcode: str | None
) -> Place:
    return Place(
        contractor, dwelling_id, address, postcode, dwelling_key(dwelling_id, address, postcode)
    )


def candidates(orders: OrderColumns) -> Candidates:
    """The completed orders above zero among `orders` (credit notes and open orders left out)."""
    places: dict[tuple[str, str | None, str | None, str | None], int] = {}
    day_of: dict[str, int] = {}
    kept, place, days = [], [], []
    for i, (contractor, dwelling_id, address, postcode, done, amount) in enumerate(
        zip(
            orders.contractors,
            orders.dwelling_ids,
            orders.addresses,
            orders.postcodes,
            orders.completed_on,
            orders.amounts_cents,
            strict=True,
        )
    ):
        if done is None or amount <= 0:
            continue
        day = day_of.get(done)
        if day is None:
            day = day_of[done] = date.fromisoformat(done).toordinal() - DAY_ZERO
        kept.append(i)
        place.append(places.setdefault((contractor, dwelling_id, address, postcode), len(places)))
        days.append(day)
    return Candidates(
        [orders.order_ids[i] for i in kept],
        [_place(*raw) for raw in places],
        np.array(place, dtype=np.int64),
        np.array(days, dtype=np.int64),
        np.array([orders.amounts_cents[i] for i in kept], dtype=np.int64),
    )


VALUE_SEP = "\x1e"
"""Between the values of a column joined into one text (SQLite's group_concat)."""
FIELD_SEP = "\x1f"
"""Between the contractor and the dwelling of a place, and between address and postcode."""
ADDRESS_MARK = "\x1d"
"""Starts the dwelling part of a place that has no dwelling id: address, FIELD_SEP, postcode."""


def _parse_place(raw: str) -> Place:
    contractor, _, dwelling = raw.partition(FIELD_SEP)
    if not dwelling.startswith(ADDRESS_MARK):
        return _place(contractor, dwelling or None, None, None)
    address, _, postcode = dwelling[1:].rpartition(FIELD_SEP)
    return _place(contractor, None, address, postcode)


def candidates_from_text(
    order_ids: str | None, places: str, completed_on: str, amounts: str
) -> Candidates:
    """Candidates from four columns, each joined into one text with VALUE_SEP: order ids,
    places (contractor, FIELD_SEP, then the dwelling id, or ADDRESS_MARK + address + FIELD_SEP +
    postcode, or nothing), ISO completion dates, amounts in cents. A million orders leave
    SQLite as four values instead of a million rows. Only dwelling ids are known for orders
    that have one: their addresses are not needed to group them.

    `order_ids` None: the ids were not read (to count groups and pairs, not to list them), and
    the candidates have none."""
    parts = CandidateParts()
    parts.add(order_ids, places, completed_on, amounts)
    return parts.candidates()


class CandidateParts:
    """Candidates read in parts (texts as `candidates_from_text` takes them, one part of the
    orders after another), so that one part is parsed while the next is read."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._position: dict[str, int] = {}
        self._day_of: dict[str, int] = {}
        self._arrays: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(
        self,
        order_ids: str | None,
        places: str,
        completed_on: str,
        amounts: str,
        contractor: str | None = None,
    ) -> None:
        """One part of the orders; with `contractor` all are that contractor's, and `places`
        holds only their dwelling parts (what follows FIELD_SEP in a place)."""
        if not amounts:
            return
        raws = places.split(VALUE_SEP)
        dates = completed_on.split(VALUE_SEP)
        cents = np.fromstring(amounts, dtype=np.int64, sep=VALUE_SEP)
        ids = [] if order_ids is None else order_ids.split(VALUE_SEP)
        if not len(raws) == len(dates) == len(cents) or (
            order_ids is not None and len(ids) != len(cents)
        ):
            raise InvalidValue(
                "a stored order id, contractor or address contains the control character "
                "U+001E; correct it in the contractor's file and ingest it again"
            )
        position, day_of = self._position, self._day_of
        prefix = "" if contractor is None else contractor + FIELD_SEP
        at = {raw: position.setdefault(prefix + raw, len(position)) for raw in dict.fromkeys(raws)}
        for d in set(dates).difference(day_of):
            day_of[d] = date.fromisoformat(d).toordinal() - DAY_ZERO
        self._ids += ids
        self._arrays.append(
            (
                np.fromiter(map(at.__getitem__, raws), dtype=np.int64, count=len(raws)),
                np.fromiter(map(day_of.__getitem__, dates), dtype=np.int64, count=len(dates)),
                cents,
            )
        )

    def candidates(self) -> Candidates:
        if not self._arrays:
            return Candidates([], [], *(np.empty(0, dtype=np.int64) for _ in range(3)))
        place, days, cents = (np.concatenate(column) for column in zip(*self._arrays, strict=True))
        return Candidates(
            self._ids, [_parse_place(raw) for raw in self._position], place, days, cents
        )


@cache
def _iso(day: int) -> str:
    return date.fromordinal(int(day) + DAY_ZERO).isoformat()


def _group_ends(codes: np.ndarray, days: np.ndarray, window_days: int) -> np.ndarray:
    """For rows sorted by (code, day): one past the last row of the same code whose day is at
    most `window_days` after this row's."""
    combined = codes * _DAY_SPAN + days
    return np.searchsorted(combined, combined + window_days, side="right")


def _as_candidates(orders: Candidates | OrderColumns) -> Candidates:
    return orders if isinstance(orders, Candidates) else candidates(orders)


@dataclass(frozen=True)
class _Spans:
    """The split groups as runs of the eligible orders sorted by (contractor and dwelling,
    completion day, order id): group k is rows[anchors[k]:ends[k]]."""

    rows: np.ndarray
    """Positions in the candidates, in sorted order."""
    codes: np.ndarray
    days: np.ndarray
    running: np.ndarray
    """Amounts summed up to each sorted row (running[0] = 0)."""
    anchors: np.ndarray
    ends: np.ndarray


def _id_ranks(ids: list[str]) -> np.ndarray:
    """Each id's position in sorted order: the tie-break of orders completed on one day."""
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64)] = np.arange(
        len(ids)
    )
    return ranks


def _sort_order(*keys: np.ndarray) -> np.ndarray:
    """What `np.lexsort` gives for keys listed most significant first, ties kept in place:
    one sort of the keys packed into one integer (several times faster) when they fit."""
    n = len(keys[0])
    spans = [(int(k.min()), int(k.max()) - int(k.min()) + 1) if n else (0, 1) for k in keys]
    if math.prod(size for _, size in spans) * max(n, 1) >= 1 << 62:
        return np.lexsort(keys[::-1])
    packed = np.zeros(n, dtype=np.int64)
    for k, (low, size) in zip(keys, spans, strict=True):
        packed = packed * size + (k - low)
    # The position as last key: every packed value differs, so the fastest sort is as stable.
    return np.argsort(packed * n + np.arange(n))


def _split_spans(
    c: Candidates, *, threshold_cents: int, window_days: int, by_id: bool = True
) -> _Spans:
    """Where the split groups are, by the rule in this module's docstring, without building
    them: the anchors of the walk are taken from arrays, only the walk itself is a loop.
    Without `by_id` orders of one day keep the candidates' order (counting needs no ids)."""
    codes = c.group_codes[1]
    keep = (codes >= 0) & ~above_threshold(c.amounts, threshold_cents)
    rows = np.flatnonzero(keep)
    codes, days = codes[rows], c.days[rows]
    keys = (codes, days)
    if by_id and len(rows):
        keys = (codes, days, _id_ranks(c.id_array[rows].tolist()))
    order = _sort_order(*keys)
    rows, codes, days = rows[order], codes[order], days[order]
    n = len(rows)
    ends = _group_ends(codes, days, window_days)
    running = np.concatenate(([0], np.cumsum(c.amounts[rows])))
    crossing = above_threshold(running[ends] - running[:n], threshold_cents)
    # next_anchor[j]: the first crossing anchor at or after row j (n when none is left).
    next_anchor = np.minimum.accumulate(np.where(crossing, np.arange(n), n)[::-1])[::-1]
    next_anchor = np.append(next_anchor, n)
    # Indexed item by item: a walk visits one row per group, far fewer than the rows.
    anchors = []
    anchor = int(next_anchor[0])
    while anchor < n:
        anchors.append(anchor)
        anchor = int(next_anchor[ends[anchor]])
    starts = np.array(anchors, dtype=np.int64)
    return _Spans(rows, codes, days, running, starts, ends[starts])


def find_split_groups(
    orders: Candidates | OrderColumns, *, threshold_cents: int, window_days: int
) -> list[SplitGroup]:
    """Every split group among the orders, by the rule in this module's docstring, sorted by
    contractor, first completion date and dwelling."""
    c = _as_candidates(orders)
    places = c.group_codes[0]
    s = _split_spans(c, threshold_cents=threshold_cents, window_days=window_days)
    ids = c.id_array[s.rows].tolist()
    groups = []
    for anchor, end, code, first, last, total in zip(
        s.anchors.tolist(),
        s.ends.tolist(),
        s.codes[s.anchors].tolist(),
        s.days[s.anchors].tolist(),
        s.days[s.ends - 1].tolist(),
        (s.running[s.ends] - s.running[s.anchors]).tolist(),
        strict=True,
    ):
        place = places[code]
        groups.append(
            SplitGroup(
                contractor=place.contractor,
                dwelling=place.key or "",
                dwelling_id=place.dwelling_id,
                address=place.address,
                postcode=place.postcode,
                order_ids=tuple(ids[anchor:end]),
                first_on=_iso(first),
                last_on=_iso(last),
                total_cents=total,
            )
        )
    groups.sort(key=lambda g: (g.contractor, g.first_on, g.dwelling))
    return groups


def split_group_starts(
    orders: Candidates, *, threshold_cents: int, window_days: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per split group, its contractor (a position in `contractor_codes`) and first completion
    day: what counting them per contractor and period needs, without their order ids."""
    s = _split_spans(orders, threshold_cents=threshold_cents, window_days=window_days, by_id=False)
    return orders.contractor_codes()[1][s.rows[s.anchors]], s.days[s.anchors]


def _double_pairs(c: Candidates, window_days: int) -> tuple[np.ndarray, np.ndarray]:
    """The candidates sorted by (contractor and dwelling, amount, day), and the sorted
    positions k whose order pairs with the one at k + 1."""
    codes = c.group_codes[1]
    rows = np.flatnonzero(codes >= 0)
    codes, days, amounts = codes[rows], c.days[rows], c.amounts[rows]
    order = _sort_order(codes, amounts, days)
    rows, codes, days, amounts = rows[order], codes[order], days[order], amounts[order]
    pair = (
        (codes[1:] == codes[:-1])
        & (amounts[1:] == amounts[:-1])
        & (days[1:] - days[:-1] <= window_days)
    )
    return rows, np.flatnonzero(pair)


def find_double_billings(
    orders: Candidates | OrderColumns, *, window_days: int
) -> list[DoubleBilling]:
    """Pairs of orders of one contractor at one dwelling with the same amount, completed within
    `window_days` of each other; each order is paired with the next of its amount."""
    c = _as_candidates(orders)
    places, codes = c.group_codes
    rows, at = _double_pairs(c, window_days)
    found = []
    for first, second in zip(rows[at].tolist(), rows[at + 1].tolist(), strict=True):
        place = places[int(codes[first])]
        found.append(
            DoubleBilling(
                contractor=place.contractor,
                dwelling=place.key or "",
                dwelling_id=place.dwelling_id,
                address=place.address,
                amount_cents=int(c.amounts[first]),
                first_order_id=c.order_ids[first],
                first_on=_iso(int(c.days[first])),
                second_order_id=c.order_ids[second],
                second_on=_iso(int(c.days[second])),
            )
        )
    found.sort(key=lambda d: (d.contractor, d.first_on, d.dwelling, d.first_order_id))
    return found


def double_billing_starts(orders: Candidates, *, window_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Per possible double billing, its contractor (a position in `contractor_codes`) and the
    first order's completion day, without their order ids."""
    rows, at = _double_pairs(orders, window_days)
    first = rows[at]
    return orders.contractor_codes()[1][first], orders.days[first]


def group_of_order(groups: Sequence[SplitGroup], order_id: str) -> SplitGroup | None:
    """The split group an order belongs to, if any (for `show`)."""
    return next((g for g in groups if order_id in g.order_ids), None)


def why_not_a_group(
    members: Sequence[tuple[str, int, str]], *, threshold_cents: int, window_days: int
) -> list[str]:
    """What keeps recorded orders (order_id, amount_cents, completed_on) of one contractor and
    dwelling from being a split group by this module's rule; empty when they are one.

    `verify` and the audit package check each group a run recorded with it: every amount above
    zero and at most the threshold, the total above it, all completed within the window.
    """
    amounts = [amount for _, amount, _ in members]
    try:
        days = [date.fromisoformat(on) for _, _, on in members]
    except (TypeError, ValueError):
        return ["a completion date is malformed"]
    if not members:
        return ["it has no orders"]
    wrong = []
    if any(a <= 0 or above_threshold(a, threshold_cents) for a in amounts):
        wrong.append(f"an amount is not above zero and at most {format_cents(threshold_cents)}")
    if not above_threshold(sum(amounts), threshold_cents):
        wrong.append(f"its total {format_cents(sum(amounts))} is not above the threshold")
    if (max(days) - min(days)).days > window_days:
        wrong.append(f"its dates are more than {window_days} days apart")
    return wrong
