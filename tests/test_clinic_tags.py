"""Display helpers: prices, distances, freshness and opening times, in London time."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clinics.templatetags.clinic_tags import (
    hours_today,
    miles,
    months_ago,
    open_now,
    pounds,
    week_of,
)

UTC = ZoneInfo("UTC")


def hours(weekday, opens, closes):
    return SimpleNamespace(
        weekday=weekday,
        opens=datetime.time.fromisoformat(opens),
        closes=datetime.time.fromisoformat(closes),
    )


@pytest.mark.parametrize(
    ("pence", "shown"), [(8500, "£85"), (8550, "£85.50"), (5, "£0.05"), (123400, "£1,234")]
)
def test_prices_are_shown_in_pounds(pence, shown):
    assert pounds(pence) == shown


@pytest.mark.parametrize(
    ("distance", "shown"), [(0.84, "0.8 miles"), (1.04, "1.0 mile"), (2.96, "3.0 miles")]
)
def test_distances_have_one_decimal(distance, shown):
    assert miles(distance) == shown


def test_freshness_is_in_whole_months():
    today = timezone.localdate()
    assert months_ago(today) == "this month"
    assert months_ago(today - datetime.timedelta(days=400)) == "13 months ago"
    assert months_ago(None) == "never"


def test_a_week_lists_every_day_with_split_intervals():
    week = week_of(
        [hours(0, "14:00", "18:00"), hours(0, "09:00", "13:00"), hours(5, "10:00", "12:00")]
    )
    assert week[0] == ("Monday", "09:00–13:00, 14:00–18:00")
    assert week[5] == ("Saturday", "10:00–12:00")
    assert week[6] == ("Sunday", "Closed")


def test_open_now_uses_london_time_in_summer():
    # Monday 8 June 2026, 08:30 UTC is 09:30 in London (BST).
    now = datetime.datetime(2026, 6, 8, 8, 30, tzinfo=UTC)
    monday = [hours(0, "09:00", "17:00")]
    assert open_now(monday, now=now)
    assert hours_today(monday, now=now) == "Open today 09:00–17:00"
    assert not open_now(monday, now=datetime.datetime(2026, 6, 8, 16, 30, tzinfo=UTC))


def test_closed_today_when_no_interval_falls_on_today():
    sunday_morning = datetime.datetime(2026, 6, 7, 10, 0, tzinfo=UTC)
    assert hours_today([hours(0, "09:00", "17:00")], now=sunday_morning) == "Closed today"
    assert not open_now([hours(0, "09:00", "17:00")], now=sunday_morning)
