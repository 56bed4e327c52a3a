"""Display helpers: prices, distances, freshness and opening times, in London time."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clinics.models import NextAvailable
from clinics.templatetags.clinic_tags import (
    days_ago,
    hours_today,
    initials,
    miles,
    months_ago_phrase,
    next_available_phrase,
    next_opening_day,
    open_now,
    opening_status,
    pounds,
    week_of,
    week_summary,
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
    assert months_ago_phrase(today) == "this month"
    assert months_ago_phrase(today - datetime.timedelta(days=400)) == "13 months ago"
    assert months_ago_phrase(None) == "never"


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


# Monday 8 June 2026 in London (BST): 08:00 UTC is 09:00 there.
MONDAY_9AM = datetime.datetime(2026, 6, 8, 8, 0, tzinfo=UTC)


def at(hours_later):
    return MONDAY_9AM + datetime.timedelta(hours=hours_later)


def test_opening_status_says_until_when_or_from_when():
    week = [hours(0, "08:00", "12:00"), hours(0, "13:00", "18:00"), hours(2, "10:00", "14:00")]
    assert opening_status(week, at(0)) == "Open now · closes 12:00"
    assert opening_status(week, at(3.5)) == "Closed now · opens today 13:00"
    assert opening_status(week, at(10)) == "Closed now · opens Wednesday 10:00"
    assert opening_status([hours(1, "09:00", "17:00")], at(10)) == (
        "Closed now · opens tomorrow 09:00"
    )
    assert opening_status([], at(0)) == "No opening hours listed"


def test_the_card_names_the_next_day_the_clinic_opens():
    assert next_opening_day([hours(0, "08:00", "12:00")], at(8)) == "Open today 08:00–12:00"
    assert next_opening_day([hours(3, "09:30", "12:00")], at(0)) == (
        "Closed today · opens Thursday 09:30"
    )
    assert next_opening_day([hours(0, "09:00", "10:00")], at(24)) == (
        "Closed today · opens Monday 09:00"
    )


def test_a_week_summary_puts_days_with_the_same_hours_together():
    week = [hours(day, "09:00", "18:00") for day in range(5)] + [hours(5, "10:00", "13:00")]
    assert week_summary(week) == ["Mon–Fri 09:00–18:00", "Sat 10:00–13:00", "Sun closed"]
    assert week_summary([]) == ["Mon–Sun closed"]


def test_next_appointment_and_age_in_words():
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    assert next_available_phrase(NextAvailable(today + 6 * day, True, today)) == "this week"
    assert next_available_phrase(NextAvailable(today, False, today)) == "today"
    assert next_available_phrase(NextAvailable(today + day, False, today)) == "tomorrow"
    later = datetime.date(2026, 12, 15)
    assert next_available_phrase(NextAvailable(later, False, today)) == "Tue 15 December"
    assert next_available_phrase(None) == ""
    assert [days_ago(today - n * day) for n in (0, 1, 9)] == ["today", "yesterday", "9 days ago"]


def test_initials_stand_in_for_a_missing_photo():
    assert initials("Alder Physiotherapy Clapham") == "AP"
    assert initials("St. John's & Co") == "SJ"
