"""Exit codes of every inspect-cli command: docs/operations.md renders MEANINGS as its table.

Cron mails a non-zero exit to the coordinator, so each code names what needs attention. When
several apply to one run, the first in this order wins: ERROR, REJECTED, KEPT, OVERDUE (USAGE
and LOCKED end a run before it does anything). KEPT comes after REJECTED because rejected rows
may hide more orders to look at, and before OVERDUE because it is never asked for: a kept
selection always needs a person's eye.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a command's exit status means (see MEANINGS)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    REJECTED = 3
    LOCKED = 4
    OVERDUE = 5
    KEPT = 6


MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "ok: everything done, nothing needs attention",
    ExitCode.ERROR: "error: something failed, or `doctor` found a problem; the message says what",
    ExitCode.USAGE: (
        "usage: the command line is wrong (unknown option, missing argument, any option value "
        "the command cannot use: a date not written YYYY-MM-DD, `--period 2026-13`, an "
        "unknown `--lang`, options that contradict each other)"
    ),
    ExitCode.REJECTED: "rows were rejected or whole files quarantined: look in `quarantine/`",
    ExitCode.LOCKED: "another run holds the workspace lock: this run did nothing",
    ExitCode.OVERDUE: "inspections are overdue (only with `--fail-on-overdue`)",
    ExitCode.KEPT: (
        "selected orders were amended to the threshold or below and stay selected: look at them "
        "(`daily`)"
    ),
}
