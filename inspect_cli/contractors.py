"""The contractor register: names seen in the store, grouped by the firm they look like.

Contractors write their own name as they please (``Peeters Sanitair BV``, ``PEETERS SANITAIR``,
``=Peeters Sanitair BV``); each spelling would be a contractor of its own in the scorecard. The
config gives one canonical name per contractor with its aliases; this module finds the names
that look like one firm so that a coordinator can write those aliases.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from inspect_cli.spreadsheet import FORMULA_TRIGGERS

# Legal forms of Belgian firms (Dutch and French) and their dotted spellings once the dots are
# gone: "B.V.B.A." becomes "b v b a", so the spaced forms are listed too.
LEGAL_FORMS = ("bv", "nv", "bvba", "srl", "sa", "sprl", "vof", "commv", "cv", "scrl", "sc")
_SPACED_FORMS = re.compile(r"\b(?:b v b a|b v|n v|s r l|s a|v o f|comm v|s p r l)\b")
_NOT_WORD = re.compile(r"[^\w]+")
_FORMS = re.compile(r"\b(?:" + "|".join(LEGAL_FORMS) + r")\b")


def looks_like_formula(name: str) -> bool:
    """A name a spreadsheet would run as a formula: stored as received, shown neutralised."""
    return name.startswith(FORMULA_TRIGGERS)


def firm_key(name: str) -> str:
    """What is left of a name once case, leading formula characters, punctuation and legal
    forms are gone: names with one key look like one firm."""
    text = name.lstrip("".join(FORMULA_TRIGGERS) + " ").casefold()
    text = " ".join(_NOT_WORD.sub(" ", text).split())
    text = _SPACED_FORMS.sub(" ", text)
    return " ".join(_FORMS.sub(" ", text).split())


@dataclass(frozen=True)
class NameSeen:
    name: str
    orders: int
    group: int
    """Names with one group number look like one firm; 0 for a name alone."""


@dataclass(frozen=True)
class Group:
    """Names that look like one firm, and the canonical name proposed for them."""

    number: int
    canonical: str
    aliases: list[str]

    def toml(self) -> str:
        """The config lines that make the aliases one contractor."""
        aliases = ", ".join(json.dumps(a, ensure_ascii=False) for a in self.aliases)
        return (
            f"[contractors.{json.dumps(self.canonical, ensure_ascii=False)}]\naliases = [{aliases}]"
        )


def group_names(
    seen: Iterable[tuple[str, int]], canonical: Iterable[str] = ()
) -> tuple[list[NameSeen], list[Group]]:
    """Every name with its order count and group, and the groups of two names or more.

    The canonical name of a group is the one the config already names as canonical, else the
    name with the most orders that does not look like a formula.
    """
    known = set(canonical)
    by_key: dict[str, list[tuple[str, int]]] = {}
    for name, orders in seen:
        by_key.setdefault(firm_key(name) or name, []).append((name, orders))
    groups: list[Group] = []
    numbers: dict[str, int] = {}
    for members in by_key.values():
        if len(members) < 2:
            continue
        chosen = next((n for n, _ in members if n in known), None)
        if chosen is None:
            plain = [m for m in members if not looks_like_formula(m[0])] or members
            chosen = max(plain, key=lambda m: (m[1], -len(m[0])))[0]
        number = len(groups) + 1
        groups.append(Group(number, chosen, [n for n, _ in members if n != chosen]))
        numbers.update((n, number) for n, _ in members)
    names = [NameSeen(name, orders, numbers.get(name, 0)) for name, orders in seen]
    return names, groups
