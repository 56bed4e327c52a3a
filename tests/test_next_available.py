"""When a clinic can next see a new patient: set by its staff, shown with its age on cards and
profiles, and gone by itself once it is 14 days old or its day has passed."""

import datetime
import re

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinics.index import listings_index
from clinics.models import Clinic
from tests.factories import make_clinic, make_offer, make_staff, make_treatment, make_user

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 2)


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture
def clinic():
    clinic = make_clinic(name="Alder Physio", slug="alder")
    make_offer(clinic, make_treatment(slug="dry-needling", name="Dry needling"))
    return clinic


# --- The model ----------------------------------------------------------------------------


def test_this_week_holds_for_the_week_it_was_said_in(clinic):
    clinic.set_next_available(this_week=True, today=MONDAY)
    said = clinic.next_available(MONDAY)
    assert said.this_week and said.on == MONDAY + days(6) and said.set_on == MONDAY
    assert said.within(7, MONDAY)
    assert clinic.next_available(MONDAY + days(6)) is not None
    assert clinic.next_available(MONDAY + days(7)) is None


def test_a_day_shows_until_it_passes_or_for_14_days_whichever_is_first(clinic):
    clinic.set_next_available(on=MONDAY + days(3), today=MONDAY)
    assert clinic.next_available(MONDAY + days(3)).on == MONDAY + days(3)
    assert clinic.next_available(MONDAY + days(4)) is None  # the day has passed

    clinic.set_next_available(on=MONDAY + days(30), today=MONDAY)
    said = clinic.next_available(MONDAY)
    assert not said.within(7, MONDAY)
    assert said.shown_until == MONDAY + days(13)
    assert clinic.next_available(MONDAY + days(13)) is not None
    assert clinic.next_available(MONDAY + days(14)) is None  # not said again: lapsed


def test_saying_it_again_keeps_it_showing(clinic):
    clinic.set_next_available(on=MONDAY + days(20), today=MONDAY)
    clinic.set_next_available(on=MONDAY + days(20), today=MONDAY + days(10))
    assert clinic.next_available(MONDAY + days(20)).set_on == MONDAY + days(10)


def test_nothing_shows_for_a_clinic_not_taking_new_patients_or_when_cleared(clinic):
    clinic.set_next_available(this_week=True, today=MONDAY)
    clinic.accepting_new_patients = False
    assert clinic.next_available(MONDAY) is None
    clinic.accepting_new_patients = True
    clinic.set_next_available(today=MONDAY)
    clinic.refresh_from_db()
    assert clinic.next_available(MONDAY) is None
    assert (clinic.next_available_on, clinic.next_available_set_on) == (None, None)


def test_the_index_decides_within_a_week_exactly_as_the_model_does(clinic):
    """Clinic.next_available() is the rule as written; the listings index applies it to every
    clinic at once, on whatever day it is asked."""
    soon = make_clinic(name="Soon")
    soon.set_next_available(on=MONDAY + days(5), today=MONDAY)
    later = make_clinic(name="Later")
    later.set_next_available(on=MONDAY + days(9), today=MONDAY)
    lapsing = make_clinic(name="Lapsing")
    lapsing.set_next_available(on=MONDAY + days(20), today=MONDAY - days(12))
    full = make_clinic(name="Full", accepting_new_patients=False)
    full.set_next_available(this_week=True, today=MONDAY)
    make_clinic(name="Never said")
    clinic.set_next_available(this_week=True, today=MONDAY - days(2))

    index = listings_index()
    clinics = list(Clinic.objects.all())
    for today in (MONDAY + days(n) for n in range(-3, 25)):
        found = index.available_within(7, today)
        for each in clinics:
            said = each.next_available(today)
            expected = bool(said and said.within(7, today))
            assert found[index.clinic_row[each.pk]] == expected, (each.name, today)
    within = index.available_within(7, MONDAY)
    assert {c.name for c in clinics if within[index.clinic_row[c.pk]]} == {"Soon", "Alder Physio"}


# --- The search filter --------------------------------------------------------------------


def search(client, **params):
    response = client.get("/search/", {"treatment": "dry-needling", **params})
    return response, [c.name for c in response.context["page"]]


@time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_search_narrows_to_clinics_available_within_a_week_with_its_count(client, clinic):
    needling = clinic.offers.get().treatment
    for name, on in [("Soon", MONDAY + days(6)), ("Later", MONDAY + days(8))]:
        other = make_clinic(name=name)
        make_offer(other, needling)
        other.set_next_available(on=on, today=MONDAY)
    response, names = search(client)
    assert sorted(names) == ["Alder Physio", "Later", "Soon"]
    page = response.content.decode()
    assert not re.search(r'<input type="checkbox" name="available"[^>]* checked', page)
    assert "Available within a week (1)" in page

    response, names = search(client, available="week")
    assert names == ["Soon"]
    page = response.content.decode()
    assert re.search(r'<input type="checkbox" name="available" value="week"[^>]* checked', page)
    assert "Available within a week (1)" in page


@pytest.mark.parametrize("value", ["on", "yes", "month", "week\x00"])
def test_a_value_other_than_week_is_reported_and_left_out(client, clinic, value):
    response, names = search(client, available=value)
    assert response.status_code == 200
    assert response.context["filter"].form.errors["available"]
    assert names == ["Alder Physio"]


def test_a_staff_edit_reaches_the_next_search_and_lapses_by_itself(clinic):
    """The portal's save records the clinic for the listings index, and the index decides
    "within a week" on the day of each search, so nothing needs to be rebuilt as days pass."""
    staff = Client()
    staff.force_login(make_staff(clinic))
    patient = Client()
    today = timezone.localdate()
    assert search(patient, available="week")[1] == []
    staff.post(url(clinic), {"when": "this_week"})
    assert search(patient, available="week")[1] == ["Alder Physio"]
    history = staff.get(reverse("portal:history", args=[clinic.slug])).context["entries"]
    assert history[0]["label"] == "Gave the next new-patient appointment"
    with time_machine.travel(today + days(7)):
        assert search(patient, available="week")[1] == []
    staff.post(url(clinic), {"when": "none"})
    assert search(patient, available="week")[1] == []


def test_the_database_refuses_half_a_next_appointment(clinic):
    with pytest.raises(IntegrityError), transaction.atomic():
        Clinic.objects.filter(pk=clinic.pk).update(next_available_on=MONDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Clinic.objects.filter(pk=clinic.pk).update(
            next_available_on=MONDAY, next_available_set_on=MONDAY + days(1)
        )


# --- The portal page ----------------------------------------------------------------------


def url(clinic):
    return reverse("portal:next-available", args=[clinic.slug])


@pytest.fixture
def staff_client(clinic):
    client = Client()
    client.force_login(make_staff(clinic))
    return client


@time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_staff_say_this_week_and_patients_see_it_with_its_age(staff_client, clinic):
    response = staff_client.post(url(clinic), {"when": "this_week"}, follow=True)
    assert "patients see it until Sunday 8 November" in response.content.decode()
    clinic.refresh_from_db()
    assert clinic.next_available(MONDAY).this_week

    profile = Client().get(clinic.get_absolute_url()).content.decode()
    assert "Next appointment <strong>this week</strong>" in profile
    assert "(updated today)" in profile
    results = Client().get("/search/?treatment=dry-needling").content.decode()
    assert "New patients: <strong>this week</strong>" in results


def test_it_disappears_by_itself_from_a_cached_page(staff_client, clinic):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)):
        staff_client.post(url(clinic), {"when": "day", "on": "2026-11-30"})
        assert "Mon 30 November" in Client().get(clinic.get_absolute_url()).content.decode()
    with time_machine.travel(datetime.datetime(2026, 11, 12, 10, 0, tzinfo=datetime.UTC)):
        page = Client().get(clinic.get_absolute_url()).content.decode()
        assert "Mon 30 November" in page and "(updated 10 days ago)" in page
    with time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC)):
        page = Client().get(clinic.get_absolute_url()).content.decode()
        assert "30 November" not in page and "Taking new patients" in page


@time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize(
    "data, error",
    [
        ({"when": "day"}, "Give the day of your next new-patient appointment."),
        ({"when": "day", "on": "2026-11-01"}, "That day has passed"),
        ({"when": "day", "on": "2027-03-01"}, "Give a day within 90 days"),
        ({"when": "day", "on": "31/31/2026"}, "Enter a valid date."),
        ({"when": "next-year"}, "Select a valid choice."),
    ],
)
def test_a_day_that_cannot_be_used_is_refused_and_what_was_typed_kept(
    staff_client, clinic, data, error
):
    response = staff_client.post(url(clinic), data)
    page = response.content.decode()
    assert response.status_code == 200 and error in page
    assert "Nothing was saved" in page
    if data.get("on"):
        assert data["on"] in page
    clinic.refresh_from_db()
    assert clinic.next_available_on is None


def test_choosing_not_to_say_clears_it(staff_client, clinic):
    clinic.set_next_available(this_week=True)
    staff_client.post(url(clinic), {"when": "none", "on": "2026-11-30"})
    clinic.refresh_from_db()
    assert clinic.next_available() is None and clinic.next_available_on is None


def test_the_form_starts_from_what_patients_see(staff_client, clinic):
    clinic.set_next_available(on=timezone.localdate() + days(3))
    response = staff_client.get(url(clinic))
    assert response.context["form"]["when"].value() == "day"
    assert f'value="{timezone.localdate() + days(3):%Y-%m-%d}"' in response.content.decode()


def test_staff_of_another_clinic_cannot_see_or_set_it(clinic):
    outsider = Client()
    outsider.force_login(make_staff(make_clinic(name="Other")))
    assert outsider.get(url(clinic)).status_code == 404
    assert outsider.post(url(clinic), {"when": "this_week"}).status_code == 404
    clinic.refresh_from_db()
    assert clinic.next_available_on is None
    stranger = Client()
    stranger.force_login(make_user())
    assert stranger.post(url(clinic), {"when": "this_week"}).status_code == 404


def test_signing_in_and_a_csrf_token_are_needed(clinic):
    assert Client().get(url(clinic)).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_staff(clinic))
    assert strict.post(url(clinic), {"when": "this_week"}).status_code == 403
    assert strict.get(url(clinic))["Cache-Control"].startswith("max-age=0")
    clinic.refresh_from_db()
    assert clinic.next_available_on is None
