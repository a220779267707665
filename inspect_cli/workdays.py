"""Due dates for inspections, counted in Belgian working days.

A working day is Monday to Friday and not a Belgian national public holiday (1 Jan, Easter
Monday, 1 May, Ascension, Whit Monday, 21 July, 15 Aug, 1 Nov, 11 Nov, 25 Dec), as listed by
the maintained `holidays` package. A holiday on a weekend gives no replacement day off.
"""

from datetime import date, timedelta
from functools import lru_cache

from inspect_cli.errors import InvalidValue


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    """Belgian public holidays of one year, looked up once per year.

    The package is imported here, on first use: loading it takes a fifth of a second, which
    the commands that never count working days (export, reports, show) do not pay, and which
    select and verify pay while SQLite works in the other thread.
    """
    import holidays

    return frozenset(holidays.country_holidays("BE", years=year))


def is_working_day(d: date) -> bool:
    """True on Monday to Friday unless it is a Belgian public holiday."""
    return d.weekday() < 5 and d not in _holidays(d.year)


@lru_cache(maxsize=4096)
def due_date(start: date, working_days: int) -> date:
    """The date `working_days` working days after `start` (start itself does not count).

    An order selected on Friday with 1 working day is due on Monday; with 0 it is due on the
    day it was selected. Cached: a daily list gives the same selection date to every row.
    """
    if working_days < 0:
        raise InvalidValue(f"working days must be 0 or more, got {working_days}")
    day = start
    remaining = working_days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
