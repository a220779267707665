"""The result codes of an inspection: one definition, for parsing, the CLI and the reports.

Free of pandas, so that the CLI builds its ``--result`` choices from it at start-up. The
store's CHECK constraint (a shipped migration) lists the same codes; a test keeps them equal.
"""

from __future__ import annotations

from enum import StrEnum


class Result(StrEnum):
    """What an inspector found (DESIGN §6)."""

    ok = "ok"
    minor = "minor"
    major = "major"
    not_done = "not_done"
    no_access = "no_access"
    """A failed visit: kept and counted, and the order stays open."""


RESULTS: tuple[str, ...] = tuple(code.value for code in Result)
NO_ACCESS: str = Result.no_access.value
