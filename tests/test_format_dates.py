"""Dates as readers see them: one calendar per language (Thai: the Buddhist Era; English: the Common Era),
never an ISO date on a screen or in a document (issue 25)."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from i18n.format import (
    DATE_PICKER_FORMAT,
    date_label,
    dates_label,
    excel_date_format,
    fiscal_year_of,
    local_day,
    local_time,
    month_label,
)

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)


@pytest.mark.parametrize(("day", "th", "en"), [
    (date(2026, 12, 6), "6 ธ.ค. 2569", "6 Dec 2026"),
    (date(2026, 12, 31), "31 ธ.ค. 2569", "31 Dec 2026"),      # the last day of a B.E. year ...
    (date(2027, 1, 1), "1 ม.ค. 2570", "1 Jan 2027"),          # ... and the first of the next
    (date(2026, 9, 30), "30 ก.ย. 2569", "30 Sep 2026"),       # the last day of fiscal year 2569 ...
    (date(2026, 10, 1), "1 ต.ค. 2569", "1 Oct 2026"),         # ... the first of 2570: the calendar year stays
    (date(2028, 2, 29), "29 ก.พ. 2571", "29 Feb 2028"),
    ("2026-12-06", "6 ธ.ค. 2569", "6 Dec 2026"),               # ISO text, as the store keeps dates
    ("2026-12-06T23:10:00", "6 ธ.ค. 2569", "6 Dec 2026"),
    (datetime(2026, 12, 6, 8, 0), "6 ธ.ค. 2569", "6 Dec 2026"),
    (pd.Timestamp("2026-12-06"), "6 ธ.ค. 2569", "6 Dec 2026"),  # a data editor's cell
    (None, "", ""), ("", "", ""), (pd.NaT, "", ""), (float("nan"), "", ""),
])
def test_a_date_in_each_language_calendar(day, th, en):
    assert date_label(day, "th") == th
    assert date_label(day, "en") == en


@pytest.mark.parametrize(("stamp", "th", "en"), [
    ("2026-11-23T19:59:34.123+00:00", "24 พ.ย. 2569 02:59", "24 Nov 2026 02:59"),
    ("2026-11-23T10:00:00", "23 พ.ย. 2569 17:00", "23 Nov 2026 17:00"),          # naive: UTC
    ("2026-12-31T16:59:00+00:00", "31 ธ.ค. 2569 23:59", "31 Dec 2026 23:59"),
    ("2026-12-31T17:30:00+00:00", "1 ม.ค. 2570 00:30", "1 Jan 2027 00:30"),       # New Year in Thailand first
    ("2026-09-30T17:00:00+00:00", "1 ต.ค. 2569 00:00", "1 Oct 2026 00:00"),       # a new fiscal year there
    (datetime(2026, 12, 6, 1, 0, tzinfo=UTC), "6 ธ.ค. 2569 08:00", "6 Dec 2026 08:00"),
    (None, "", ""), ("", "", ""),
])
def test_a_stored_time_is_thailand_time_in_each_language_calendar(stamp, th, en):
    assert local_time(stamp, "th") == th
    assert local_time(stamp, "en") == en
    assert local_time(stamp) == th  # Thai first


@pytest.mark.parametrize(("stamp", "day"), [
    ("2026-12-31T17:30:00+00:00", date(2027, 1, 1)), ("2026-12-31T16:59:59+00:00", date(2026, 12, 31)),
    ("2026-09-30T18:00:00+00:00", date(2026, 10, 1)), (None, None),
])
def test_the_day_of_a_stored_time_is_the_day_in_thailand(stamp, day):
    assert local_day(stamp) == day


@pytest.mark.parametrize(("month", "th", "en", "th_short", "en_short"), [
    ("2026-10", "ต.ค. 2569", "Oct 2026", "ต.ค. 69", "Oct 26"),
    ("2026-12", "ธ.ค. 2569", "Dec 2026", "ธ.ค. 69", "Dec 26"),
    ("2027-01", "ม.ค. 2570", "Jan 2027", "ม.ค. 70", "Jan 27"),
    (date(2027, 9, 15), "ก.ย. 2570", "Sep 2027", "ก.ย. 70", "Sep 27"),
])
def test_a_month_in_each_language_calendar(month, th, en, th_short, en_short):
    assert (month_label(month, "th"), month_label(month, "en")) == (th, en)
    assert (month_label(month, "th", short=True), month_label(month, "en", short=True)) == (th_short, en_short)


@pytest.mark.parametrize(("day", "year"), [
    (date(2026, 9, 30), 2569), (date(2026, 10, 1), 2570), (date(2026, 12, 31), 2570), (date(2027, 1, 1), 2570),
    (date(2027, 9, 30), 2570), (date(2027, 10, 1), 2571),
])
def test_the_fiscal_year_of_a_day_starts_in_october(day, year):
    assert fiscal_year_of(day) == year


@pytest.mark.parametrize(("days", "th", "en"), [
    ((), "", ""), (None, "", ""), (date(2026, 12, 6), "6 ธ.ค. 2569", "6 Dec 2026"),
    ((date(2026, 12, 30),), "30 ธ.ค. 2569", "30 Dec 2026"),                       # a range being picked
    ((date(2026, 12, 30), date(2027, 1, 2)), "30 ธ.ค. 2569 – 2 ม.ค. 2570", "30 Dec 2026 – 2 Jan 2027"),
    ((date(2026, 12, 30), date(2026, 12, 30)), "30 ธ.ค. 2569", "30 Dec 2026"),
])
def test_a_pickers_choice_in_each_language_calendar(days, th, en):
    assert (dates_label(days, "th"), dates_label(days, "en")) == (th, en)


def test_pickers_show_the_day_first_and_workbooks_the_language_calendar():
    assert DATE_PICKER_FORMAT == "DD/MM/YYYY"
    assert excel_date_format("th") == "[$-7041E]d mmm yyyy"  # Thai locale, Buddhist calendar
    assert excel_date_format("en", time=True) == "[$-409]d mmm yyyy hh:mm"
