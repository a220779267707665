"""The secret seed: how strong a new one must be, and the one check of a seed against its
commitment that selection, verify, ``show``, ``seed reveal`` and ``doctor`` all use.

The commitment is the seed's SHA-256 and is published at ``init``. Whoever holds it can try
seeds until one hashes to it, so the seed must be too large a space to search: about 64 bits
or more. Entropy of a chosen text cannot be measured; this rule refuses the seeds that are
surely too small and lets through what a proper ceremony gives (20 dice-thrown digits):

- a seed of decimal digits only needs at least 20 of them (10**20 is about 2**66); spaces and
  dashes between groups of digits do not count as other characters;
- any other seed needs at least 16 characters (16 hexadecimal digits are 2**64; letters,
  punctuation and spaces only make the alphabet larger);
- and in both cases at least 4 different characters (``11111111111111111111`` is one guess;
  20 random digits use fewer than 4 different ones with a chance of about 1 in 250 million).

Surrounding spaces are not part of a seed: they are stripped wherever a seed is read.
"""

from __future__ import annotations

from inspect_cli.errors import NoCommitment, SeedMismatch, WeakSeed
from inspect_cli.sampling import seed_commitment

MIN_DIGITS = 20
MIN_CHARACTERS = 16
MIN_DIFFERENT = 4
DEMO_COMMITMENT = "5135c55bfc3cef8d14b1e1e0a9a72c06725acbfabbffa08953a17b39aa2f404b"
"""The commitment of the public demo seed, examples/demo-seed.txt: strong by the rule above,
but published, so anyone can work out its sample in advance. `doctor` warns about it."""


def weakness(seed: str) -> str | None:
    """Why `seed` is too weak for a workspace (see the module's rule), or None when it is not."""
    seed = seed.strip()
    digits = seed.replace(" ", "").replace("-", "")
    if digits.isascii() and digits.isdigit():
        if len(digits) < MIN_DIGITS:
            return f"a seed of digits only needs at least {MIN_DIGITS}, this one has {len(digits)}"
    elif len(seed) < MIN_CHARACTERS:
        return f"a seed needs at least {MIN_CHARACTERS} characters, this one has {len(seed)}"
    if len(set(seed)) < MIN_DIFFERENT:
        return f"a seed needs at least {MIN_DIFFERENT} different characters"
    return None


def require_strong(seed: str) -> None:
    """Raise WeakSeed when `seed` could be found by trying seeds against its commitment."""
    problem = weakness(seed)
    if problem is not None:
        raise WeakSeed(
            f"the seed is too weak: {problem}, or anyone holding its commitment can find it "
            "by trying (throw 20 digits with dice, or leave --seed out for 20 random digits)"
        )


def check(seed: str, stored: str | None) -> str:
    """Return the seed's commitment after checking it is `stored`, the one recorded at init.

    Raises NoCommitment when nothing was recorded and SeedMismatch when the seed is another.
    """
    if stored is None:
        raise NoCommitment()
    commitment = seed_commitment(seed)
    if commitment != stored:
        raise SeedMismatch(stored, commitment)
    return commitment


def matches(seed: str | None, stored: str | None) -> bool:
    """Whether `seed` is the seed committed to (False when either is missing)."""
    return seed is not None and stored is not None and seed_commitment(seed) == stored
