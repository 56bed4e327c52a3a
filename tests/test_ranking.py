"""Best match, rule by rule, as /how-results-are-ordered/ publishes it: listings kept up to date
first; then how well the words match; then distance in half-mile steps; how complete the
listing is; how quickly the clinic replies; how recently it confirmed its details; the name."""

import datetime

import pytest
from django.utils import timezone

from clinics.models import ClinicPhoto, Enquiry, OutwardCode
from tests.factories import (
    make_borough,
    make_clinic,
    make_insurer,
    make_neighbourhood,
    make_offer,
    make_opening_hours,
    make_practitioner,
    make_treatment,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def area():
    return make_neighbourhood(parent=make_borough(name="Lambeth"), name="Clapham")


def listing(name, area, *, complete=0, confirmed_days_ago=10, **fields):
    """A clinic with the first `complete` items of the checklist done."""
    clinic = make_clinic(
        name=name,
        area=area,
        details_confirmed_on=TODAY() - datetime.timedelta(days=confirmed_days_ago),
        **fields,
    )
    treatment = make_treatment()
    if complete >= 1:
        ClinicPhoto.objects.create(clinic=clinic, image="clinics/x.jpg", alt_text="The room")
    if complete >= 2:
        make_opening_hours(clinic)
    if complete >= 3:
        make_offer(clinic, treatment)
    if complete >= 4:
        make_practitioner(clinics=[clinic], treatments=[treatment])
    if complete >= 5:
        make_practitioner(clinics=[clinic], treatments=[treatment], insurers=[make_insurer()])
    return clinic


def answered(clinic, hours, count=5):
    now = timezone.now()
    for n in range(count):
        enquiry = Enquiry.objects.create(
            clinic=clinic, name="A patient", email="a@example.com", message="Hello",
            consent_given_at=now,
        )  # fmt: skip
        sent = now - datetime.timedelta(days=n + 1, hours=hours)
        Enquiry.objects.filter(pk=enquiry.pk).update(
            created_at=sent, answered_at=sent + datetime.timedelta(hours=hours)
        )


def best_match(client, **params):
    response = client.get("/search/", {"sort": "relevance", **params})
    assert response.status_code == 200
    assert not response.context["filter"].form.errors
    return [clinic.name for clinic in response.context["page"]]


def test_a_more_complete_listing_comes_first(client, area):
    listing("Alpha", area, complete=1)
    listing("Bravo", area, complete=5)
    listing("Charlie", area, complete=3)
    assert best_match(client) == ["Bravo", "Charlie", "Alpha"]


def test_a_listing_kept_up_to_date_beats_a_more_complete_stale_one(client, area):
    listing("Complete but stale", area, complete=5, confirmed_days_ago=400)
    listing("Bare but fresh", area, complete=0)
    assert best_match(client) == ["Bare but fresh", "Complete but stale"]


def test_then_the_clinic_that_replies_sooner(client, area):
    for name, hours in [("Slow", 100), ("Same day", 3), ("Next day", 30)]:
        answered(listing(name, area), hours)
    listing("Not known yet", area)
    assert best_match(client) == ["Same day", "Next day", "Not known yet", "Slow"]


def test_then_the_more_recently_confirmed_by_the_month(client, area):
    listing("Last spring", area, confirmed_days_ago=200)
    listing("Last week", area, confirmed_days_ago=7)
    listing("Yesterday", area, confirmed_days_ago=1)  # the same month as last week: by name
    assert best_match(client) == ["Last week", "Yesterday", "Last spring"]


def test_words_matter_before_completeness(client, area):
    listing("Riverside Physio", area, complete=0)
    listing("Elm Clinic", area, complete=5, description="A physio practice by the river.")
    assert best_match(client, q="riverside") == ["Riverside Physio"]
    # "physio": in one's name (scores most), in the other's description.
    assert best_match(client, q="physio") == ["Riverside Physio", "Elm Clinic"]


def test_a_word_spelt_as_typed_beats_one_matched_despite_a_slip(client, area):
    listing("Clapham Sports", area)  # the area's name too: both match "clapham" there
    listing("Clapam Road Clinic", area)
    assert best_match(client, q="clapam") == ["Clapam Road Clinic", "Clapham Sports"]


def test_near_a_postcode_distance_counts_in_half_mile_steps(client, area):
    OutwardCode.objects.create(code="SW4", area=area, latitude=51.4622, longitude=-0.1381)

    def at(name, miles_north, complete):
        clinic = listing(name, area, complete=complete)
        clinic.latitude = 51.4622 + miles_north / 69.05
        clinic.longitude = -0.1381
        clinic.save()

    at("Next door, bare", 0.05, complete=0)
    at("Quarter mile, complete", 0.25, complete=5)
    at("A mile, complete", 1.0, complete=5)
    # Within the same half mile the complete listing wins; a mile away it does not.
    assert best_match(client, postcode="SW4") == [
        "Quarter mile, complete",
        "Next door, bare",
        "A mile, complete",
    ]
    assert best_match(client, postcode="SW4", sort="distance") == [
        "Next door, bare",
        "Quarter mile, complete",
        "A mile, complete",
    ]


def test_nothing_a_clinic_could_buy_or_claim_moves_it(client, area):
    plain = listing("Alpha", area, complete=2)
    listing("Bravo", area, complete=2, verified_on=TODAY(), home_visits=True)
    before = best_match(client)
    plain.website = "https://alpha.example"
    plain.save()
    assert best_match(client) == before == ["Alpha", "Bravo"]


def test_the_rules_are_published_and_linked_from_the_sort_control(client, area):
    listing("Alpha", area)
    page = client.get("/how-results-are-ordered/").content.decode()
    assert "No clinic can pay to be placed higher" in page
    rules = [
        "Listings kept up to date come first",
        "How well your words match",
        "0.5 miles",
        "How complete the listing is",
        "A photo of the clinic",
        "How quickly the clinic replies",
        "How recently the clinic confirmed",
    ]
    for rule in rules:
        assert rule in page, rule
    search = client.get("/search/").content.decode()
    assert '<a href="/how-results-are-ordered/">How results are ordered</a>' in search
