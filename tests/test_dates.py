from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED_DATA, needs_shared_data
from hypothesis import given
from hypothesis import strategies as st

from inspect_cli.dates import parse_date, parse_dates


def column(*values: object, date_format: str | None = None) -> tuple[list, list]:
    parsed = parse_dates(pd.Series(values, dtype=object), date_format)
    return parsed.values.tolist(), parsed.errors.tolist()


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("27/11/2026", "2026-11-27"),
        ("27-11-2026", "2026-11-27"),
        ("27.11.2026", "2026-11-27"),
        ("7/1/2026", "2026-01-07"),
        (" 27/11/2026 ", "2026-11-27"),
        ("2026-11-27", "2026-11-27"),
        ("2026/11/27", "2026-11-27"),
        ("2026-11-27 00:00:00", "2026-11-27"),
        ("2026-11-27T08:30:00", "2026-11-27"),
        ("2026-11-27T08:30:00Z", "2026-11-27"),
        ("2026-11-27T08:30:00+01:00", "2026-11-27"),
        ("2026-11-27 08:30:00.123456", "2026-11-27"),
        ("27/11/2026 8:31", "2026-11-27"),
        ("27/11/26", "2026-11-27"),
        ("1/1/68", "2068-01-01"),
        ("1/1/69", "1969-01-01"),
        ("26-May-11", "2011-05-26"),
        ("14-Jan-2011", "2011-01-14"),
        ("06-Apr-2011", "2011-04-06"),
        ("27 nov. 2026", "2026-11-27"),
        ("27 NOV 2026", "2026-11-27"),
        ("27 november 2026 14:05", "2026-11-27"),
        ("27\u00a0nov.\u00a02026", "2026-11-27"),
        ("3 maart 2026", "2026-03-03"),
        ("3 mrt 2026", "2026-03-03"),
        ("1 mei 2026", "2026-05-01"),
        ("15 okt 2026", "2026-10-15"),
        ("3 mars 2026", "2026-03-03"),
        ("1 févr. 2026", "2026-02-01"),
        ("1 Févr. 2026", "2026-02-01"),
        ("1 fevrier 2026", "2026-02-01"),
        ("1 août 2026", "2026-08-01"),
        ("1 juillet 2026", "2026-07-01"),
        ("1er mai 2026", "2026-05-01"),
        ("45999", "2025-12-08"),
        ("45999.0", "2025-12-08"),
        ("20000", "1954-10-03"),
        ("45658", "2025-01-01"),
        ("80000", "2119-01-11"),
    ],
)
def test_date_formats(text: str, iso: str) -> None:
    assert column(text) == ([iso], [None])
    assert parse_date(text) == datetime.date.fromisoformat(iso)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2026", "impossible date: '31/02/2026'"),
        ("29/02/2025", "impossible date: '29/02/2025'"),
        ("31/04/2026", "impossible date: '31/04/2026'"),
        ("0/1/2026", "impossible date: '0/1/2026'"),
        ("2026-13-01", "impossible date: '2026-13-01'"),
        (
            "1/13/2026",
            "impossible date: '1/13/2026' (there is no month 13; dates are read day-first)",
        ),
        (
            "08/19/2019",
            "impossible date: '08/19/2019' (there is no month 19; dates are read day-first)",
        ),
        ("abc", "not a date: 'abc'"),
        ("27/11-2026", "not a date: '27/11-2026'"),
        ("2026-11", "not a date: '2026-11'"),
        ("27112026", "not a date: '27112026'"),
        ("19999", "not a date: '19999'"),
        ("80001", "not a date: '80001'"),
        ("08:30", "not a date: '08:30'"),
        ("2026-11-27 25:00", "not a date: '2026-11-27 25:00'"),
        ("2026-11-27 08:60", "not a date: '2026-11-27 08:60'"),
        ("2026-11-27 08:30 later", "not a date: '2026-11-27 08:30 later'"),
        ("3 foo 2026", "unknown month name: '3 foo 2026'"),
        ("30 feb. 2026", "impossible date: '30 feb. 2026'"),
        ("27/11/0026", "implausible year: '27/11/0026'"),
        ("9999-12-31", "implausible year: '9999-12-31'"),
        ("x" * 41, f"not a date: '{'x' * 41}'"),
    ],
)
def test_rejections_name_the_value(text: str, reason: str) -> None:
    assert column(text) == ([pd.NA], [reason])
    with pytest.raises(ValueError) as raised:
        parse_date(text)
    assert str(raised.value) == reason


def test_leap_days() -> None:
    assert column("29/02/2024", "29/02/2000", "29/02/1900")[0] == [
        "2024-02-29",
        "2000-02-29",
        pd.NA,
    ]


def test_empty_is_missing_without_error() -> None:
    assert column("", "  ", "\u00a0", None, np.nan) == ([pd.NA] * 5, [None] * 5)
    with pytest.raises(ValueError, match="empty date"):
        parse_date(" ")


def test_result_keeps_index_name_and_types() -> None:
    values = pd.Series(["27/11/2026", "x", None, "27/11/2026"], index=[5, 6, 7, 8], name="Datum")
    parsed = parse_dates(values)
    assert parsed.values.dtype == "string"
    assert parsed.errors.dtype == object
    assert parsed.values.tolist() == ["2026-11-27", pd.NA, pd.NA, "2026-11-27"]
    assert parsed.errors.tolist() == [None, "not a date: 'x'", None, None]
    assert list(parsed.values.index) == [5, 6, 7, 8]
    assert parsed.values.name == parsed.errors.name == "Datum"


def test_date_cells_as_timestamps() -> None:
    values = pd.Series(pd.to_datetime(["2026-11-27 08:30", None]))
    assert parse_dates(values).values.tolist() == ["2026-11-27", pd.NA]


def test_configured_format_replaces_detection() -> None:
    values, errors = column(
        "08/19/2019", "12/01/2019", "19/08/2019", "2019-08-19 00:00:00", "", date_format="%m/%d/%Y"
    )
    assert values == ["2019-08-19", "2019-12-01", pd.NA, "2019-08-19", pd.NA]
    assert errors == [None, None, "not a date in the format %m/%d/%Y: '19/08/2019'", None, None]
    assert parse_date("12/01/2019", "%m/%d/%Y") == datetime.date(2019, 12, 1)


# Properties: every supported form round-trips.

DATES = st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31))
NUMERIC = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d-%b-%Y"]
MONTH_NAMES = [
    ["januari", "jan.", "janvier", "janv."],
    ["februari", "feb", "février", "févr.", "fevrier"],
    ["maart", "mrt", "mars"],
    ["april", "apr.", "avril", "avr."],
    ["mei", "mai"],
    ["juni", "juin"],
    ["juli", "juillet", "juil."],
    ["augustus", "aug.", "août", "aout"],
    ["september", "sept.", "septembre"],
    ["oktober", "okt", "octobre", "oct."],
    ["november", "nov.", "novembre"],
    ["december", "dec.", "décembre", "déc."],
]


@pytest.mark.parametrize("form", NUMERIC)
@given(day=DATES)
def test_any_date_round_trips(form: str, day: datetime.date) -> None:
    assert parse_date(day.strftime(form)) == day


@given(day=DATES, data=st.data())
def test_any_dutch_or_french_date_round_trips(day: datetime.date, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(MONTH_NAMES[day.month - 1]))
    name = data.draw(st.sampled_from([name, name.upper(), name.capitalize()]))
    assert parse_date(f"{day.day} {name} {day.year}") == day


@given(days=st.lists(DATES, max_size=30), form=st.sampled_from(NUMERIC))
def test_any_column_round_trips(days: list[datetime.date], form: str) -> None:
    parsed = parse_dates(pd.Series([day.strftime(form) for day in days], dtype=object))
    assert parsed.values.tolist() == [day.isoformat() for day in days]
    assert parsed.errors.isna().all()


def test_two_hundred_thousand_values() -> None:
    rng = np.random.default_rng(7)
    days = pd.Series(np.datetime64("2011-01-01") + rng.integers(0, 5000, 200_000))
    seconds = pd.to_timedelta(rng.integers(0, 86_400, len(days)), unit="s")
    texts = pd.concat(
        [
            days[:100_000].dt.strftime("%d/%m/%Y"),
            (days[100_000:] + seconds[100_000:]).dt.strftime("%Y-%m-%dT%H:%M:%S"),
        ]
    )
    parsed = parse_dates(texts)
    assert parsed.errors.isna().all()
    assert (parsed.values == days.dt.strftime("%Y-%m-%d")).all()


@needs_shared_data
def test_leeds_dates_all_parse() -> None:
    path = SHARED_DATA / "leeds_almo_housing_payments_2011-2013.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    parsed = parse_dates(frame["Date paid"])
    assert parsed.errors.isna().all()
    assert parsed.values.min() >= "2010-12-01" and parsed.values.max() <= "2013-12-31"


@needs_shared_data
def test_detroit_month_first_dates_need_their_format() -> None:
    path = SHARED_DATA / "detroit_demolitions_contractors_2014-2019.csv"
    dates = pd.read_csv(path, dtype=str, keep_default_na=False)["Demolition Date"]
    day_first = parse_dates(dates)
    assert day_first.errors.str.startswith("impossible date").sum() > len(dates) / 3
    month_first = parse_dates(dates, "%m/%d/%Y")
    assert month_first.errors.isna().all()
