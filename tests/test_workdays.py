"""Due dates skip weekends and Belgian public holidays, and nothing else."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_cli.errors import InvalidValue
from inspect_cli.workdays import due_date, is_working_day


@pytest.mark.parametrize(
    ("start", "working_days", "due"),
    [
        # Easter Monday 6 Apr 2026. From Thu 2 Apr: Fri 3 (1; Good Friday is a working day),
        # Sat 4, Sun 5, Mon 6 holiday, Tue 7 (2).
        (date(2026, 4, 2), 2, date(2026, 4, 7)),
        # From Wed 1 Apr: Thu 2 (1), Fri 3 (2), Mon 6 holiday, Tue 7 (3), Wed 8 (4), Thu 9 (5),
        # Fri 10 (6), Mon 13 (7), Tue 14 (8), Wed 15 (9), Thu 16 (10).
        (date(2026, 4, 1), 10, date(2026, 4, 16)),
        # Labour Day Fri 1 May 2026. From Thu 30 Apr: Fri 1 May holiday, weekend, Mon 4 May (1).
        (date(2026, 4, 30), 1, date(2026, 5, 4)),
        # National Day Tue 21 Jul 2026. From Mon 20 Jul: Tue 21 holiday, Wed 22 (1).
        (date(2026, 7, 20), 1, date(2026, 7, 22)),
        # All Saints' Day is Sun 1 Nov 2026: no replacement day. From Fri 30 Oct: Sat 31,
        # Sun 1 Nov, Mon 2 Nov (1).
        (date(2026, 10, 30), 1, date(2026, 11, 2)),
        # Armistice Wed 11 Nov 2026. From Fri 30 Oct: Mon 2 (1), Tue 3 (2), Wed 4 (3), Thu 5 (4),
        # Fri 6 (5), Mon 9 (6), Tue 10 (7), Wed 11 holiday, Thu 12 (8), Fri 13 (9), Mon 16 (10).
        (date(2026, 10, 30), 10, date(2026, 11, 16)),
        # Plain weekend. From Fri 9 Jan 2026: Sat 10, Sun 11, Mon 12 (1).
        (date(2026, 1, 9), 1, date(2026, 1, 12)),
        # Year boundary. Christmas Fri 25 Dec 2026, New Year Fri 1 Jan 2027; 26 Dec is not a
        # national holiday (and a Saturday). From Wed 23 Dec: Thu 24 (1), Fri 25 holiday,
        # Mon 28 (2), Tue 29 (3), Wed 30 (4), Thu 31 (5), Fri 1 Jan holiday, Mon 4 (6),
        # Tue 5 (7), Wed 6 (8), Thu 7 (9), Fri 8 Jan 2027 (10).
        (date(2026, 12, 23), 10, date(2027, 1, 8)),
        # Ascension Thu 14 May and Whit Monday 25 May 2026. From Wed 13 May: Thu 14 holiday,
        # Fri 15 (1), Mon 18 (2), Tue 19 (3), Wed 20 (4), Thu 21 (5), Fri 22 (6),
        # Mon 25 holiday, Tue 26 (7).
        (date(2026, 5, 13), 7, date(2026, 5, 26)),
    ],
)
def test_due_date(start: date, working_days: int, due: date):
    assert due_date(start, working_days) == due


def test_zero_working_days_is_the_start_itself():
    assert due_date(date(2026, 11, 27), 0) == date(2026, 11, 27)


def test_negative_working_days_are_refused():
    with pytest.raises(InvalidValue, match="working days must be 0 or more"):
        due_date(date(2026, 11, 27), -1)


@pytest.mark.parametrize(
    "holiday",
    [
        date(2027, 1, 1),  # New Year, Fri
        date(2027, 3, 29),  # Easter Monday
        date(2027, 5, 6),  # Ascension, Thu
        date(2027, 5, 17),  # Whit Monday
        date(2027, 7, 21),  # National Day, Wed
        date(2027, 11, 1),  # All Saints, Mon
        date(2027, 11, 11),  # Armistice, Thu
        date(2026, 5, 1),  # Labour Day, Fri
        date(2025, 8, 15),  # Assumption, Fri
        date(2026, 12, 25),  # Christmas, Fri
    ],
)
def test_national_holidays_are_not_working_days(holiday: date):
    assert holiday.weekday() < 5
    assert not is_working_day(holiday)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 3),  # Good Friday: not a Belgian public holiday
        date(2025, 12, 26),  # Boxing Day, Fri: not a national holiday
        date(2026, 11, 2),  # All Souls, Mon
        date(2026, 11, 27),  # an ordinary Friday
    ],
)
def test_ordinary_weekdays_are_working_days(day: date):
    assert is_working_day(day)


def test_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 11, 28))
    assert not is_working_day(date(2026, 11, 29))


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    working_days=st.integers(1, 30),
)
def test_due_date_is_a_working_day_exactly_n_working_days_later(start: date, working_days: int):
    due = due_date(start, working_days)
    assert is_working_day(due)
    days = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(map(is_working_day, days)) == working_days
