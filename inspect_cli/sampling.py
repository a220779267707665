"""Sampling tickets that an auditor can recompute with Rivest's ``consistent_sampler``.

The ticket of an order is ``consistent_sampler.first_fraction(order_id, seed)``:

    seed_hash = sha256_hex(seed)
    n = int(sha256_hex(seed_hash + order_id), 16)      # UTF-8, plain concatenation
    ticket = "0." + reversed("{:064d}".format(n))      # decimal digits of n, low-order first

An order is sampled when ``ticket < rate`` (`inspect_cli.rule`). For many orders the ticket is
cut after as many decimals as the rate has, which decides the same: see `short_tickets`. This
module is the ticket maths only; `inspect_cli.speedups` shares large draws with a second process.
"""

import hashlib
import secrets
from collections.abc import Callable, Sequence
from decimal import Decimal

from inspect_cli.errors import InvalidValue

# Rates with at most this many decimals take their short tickets from a table of 10**k entries;
# longer rates (rare) make each one from its digits.
_TABLE_DIGITS = 4


def seed_commitment(seed: str) -> str:
    """SHA-256 hex of the seed: printed at `init` and logged, and also the `seed_hash` that
    every ticket is derived from, so publishing it reveals nothing usable without the seed."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def _hash_int(seed: str) -> Callable[[str], int]:
    """Return order id -> n, the SHA-256 of seed_hash + order id as an integer.

    seed_hash is 64 hex characters, exactly one SHA-256 block: hashing it once and copying the
    state per order halves the work compared to hashing the concatenation each time.
    """
    base = hashlib.sha256(seed_commitment(seed).encode("utf-8"))
    copy = base.copy
    from_bytes = int.from_bytes

    def n_of(order_id: str) -> int:
        h = copy()
        h.update(order_id.encode("utf-8"))
        return from_bytes(h.digest(), "big")

    return n_of


def ticket(seed: str, order_id: str) -> str:
    """The full ticket "0.ddd…", identical to ``consistent_sampler.first_fraction(order_id, seed)``.

    The package writes n with at least 64 digits (zero-padded, never truncated; n usually has
    77 or 78) and reverses them, because the high-order decimal digits of a 256-bit number are
    biased and the low-order ones are not.
    """
    n = _hash_int(seed)(order_id)
    return "0." + f"{n:064d}"[::-1]


def ticket_prefix(seed: str, order_id: str, digits: int = 12) -> str:
    """The ticket truncated (not rounded) to `digits` decimals, for display."""
    return ticket(seed, order_id)[: 2 + digits]


def _rate_fraction(rate: Decimal) -> tuple[int, int]:
    """Return (r, k) with rate == r / 10**k exactly and k as small as possible."""
    if not isinstance(rate, Decimal):
        raise TypeError(f"sampling rate must be a Decimal, got {type(rate).__name__}")
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise InvalidValue(f"sampling rate must be between 0 and 1, got {rate}")
    numerator, denominator = rate.as_integer_ratio()
    # A finite decimal's reduced denominator divides some power of ten; find the first.
    k = 0
    while numerator * 10**k % denominator:
        k += 1
    return numerator * 10**k // denominator, k


def _ticket_head(m: int, k: int) -> str:
    """The first k digits of a ticket whose n satisfies n % 10**k == m: m's last k digits,
    lowest first."""
    return f"{m:0{k}d}"[::-1] if k else ""


def rate_places(rate: Decimal) -> int:
    """The number of decimals of the rate (k with rate == r / 10**k, k as small as possible)."""
    return _rate_fraction(rate)[1]


def short_tickets(seed: str, order_ids: Sequence[str], rate: Decimal) -> list[Decimal]:
    """The tickets of many orders, each cut after as many decimals as the rate has.

    Why a cut ticket decides as the full one does: write rate = R / 10**k and the ticket
    t = T / 10**k + e, where T is the integer formed by the ticket's first k digits (the last k
    digits of n, reversed) and e, the value of the remaining digits, satisfies 0 <= e < 10**-k
    (a finite digit string never reaches the next unit). If T < R then t < T/10**k + 10**-k <=
    R/10**k; if T >= R then t >= T/10**k >= R/10**k. So t < rate exactly when the cut ticket
    T / 10**k < rate. A ticket equal to the rate (T == R, e == 0) is not below it, as required.
    This holds for any k, also beyond the 64 padded digits, since the ticket then reads as
    trailing zeros on both sides.
    """
    k = rate_places(rate)
    return tickets_from_heads(ticket_heads(seed, order_ids, 10**k), k)


def tickets_from_heads(heads: Sequence[int], k: int) -> list[Decimal]:
    """The tickets cut after k decimals, from n % 10**k of each order (`ticket_heads`)."""
    if k <= _TABLE_DIGITS:
        table = [Decimal("0." + _ticket_head(m, k)) for m in range(10**k)]
        return [table[m] for m in heads]
    return [Decimal("0." + _ticket_head(m, k)) for m in heads]


def ticket_heads(seed: str, order_ids: Sequence[str], modulus: int) -> list[int]:
    """`_hash_int` of many orders modulo `modulus`, with the per-order work inlined: a million
    calls of a Python function cost about as much as the hashing itself."""
    copy = hashlib.sha256(seed_commitment(seed).encode("utf-8")).copy
    from_bytes = int.from_bytes
    heads: list[int] = []
    append = heads.append
    for data in map(str.encode, order_ids):
        h = copy()
        h.update(data)
        append(from_bytes(h.digest(), "big") % modulus)
    return heads


def random_seed() -> str:
    """A fresh secret seed: 20 uniformly random decimal digits, like 20 rolls of a decimal die,
    as recommended for ``consistent_sampler``."""
    return f"{secrets.randbelow(10**20):020d}"
