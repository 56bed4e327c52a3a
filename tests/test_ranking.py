"""Best match, rule by rule, as /how-results-are-ordered/ publishes it: listings kept up to date
first; then how well the words match; then distance in half-mile steps; how complete the
listing is; how quickly the clinic replies; what patients rate it, with how many reviews; how
recently it confirmed its details; the name. And the order by patients' rating."""

import datetime

import pytest
from django.utils import timezone

from clinics.models import ClinicPhoto, Enquiry, OutwardCode
from tests.factories import (
    days_ago,
    make_borough,
    make_clinic,
    make_insurer,
    make_neighbourhood,
    make_offer,
    make_opening_hours,
    make_practitioner,
    make_review,
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
        details_confirmed_on=days_ago(confirmed_days_ago),
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


def rated(clinic, *ratings):
    for rating in ratings:
        make_review(clinic, rating=rating)
    return clinic


def test_then_what_patients_rate_it_once_enough_have(client, area):
    rated(listing("Three fives", area, confirmed_days_ago=200), 5, 5, 4)
    rated(listing("Three ones", area, confirmed_days_ago=1), 1, 2, 2)
    rated(listing("One five", area, confirmed_days_ago=100), 5)  # too few to count yet
    listing("No reviews", area, confirmed_days_ago=1)
    rated(listing("Middling", area, confirmed_days_ago=1), 3, 3, 4)
    # Rated 4+ by three first, rated below 3 by three last; the rest by how recently
    # confirmed, then by name.
    assert best_match(client) == ["Three fives", "Middling", "No reviews", "One five", "Three ones"]


def test_replies_and_completeness_matter_before_the_rating(client, area):
    rated(listing("Loved but bare", area, complete=0), 5, 5, 5, 5)
    listing("Complete, unrated", area, complete=3)
    assert best_match(client) == ["Complete, unrated", "Loved but bare"]


def test_sorting_by_rating_puts_the_highest_shown_first_then_more_reviews(client, area):
    rated(listing("Alpha", area), 4, 5)  # 4.5, two reviews
    rated(listing("Bravo", area), 5, 4, 5, 4)  # 4.5, four
    rated(listing("Charlie", area), 5)  # 5.0, one
    listing("Delta", area)
    rated(listing("Echo", area), 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4)
    assert best_match(client, sort="rating") == ["Charlie", "Echo", "Bravo", "Alpha", "Delta"]


def test_choosing_4_and_up_keeps_clinics_whose_shown_rating_is_4_or_more(client, area):
    rated(
        listing("Rounds up to 4.0", area),
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        3,
    )
    rated(listing("3.8", area), 4, 4, 4, 4, 4, 4, 4, 4, 3, 3)
    listing("Unrated", area)
    response = client.get("/search/", {"rating": "4"})
    assert [c.name for c in response.context["page"]] == ["Rounds up to 4.0"]
    page = response.content.decode()
    assert '<option value="4" selected>4 and up (1)</option>' in page
    assert '<option value="3">3 and up (2)</option>' in page
    bad = client.get("/search/", {"rating": "4.2"})
    assert bad.status_code == 200 and bad.context["filter"].form.errors["rating"]


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
        "What patients rate the clinic",
        "once at least 3 of them have reviewed it",
        "Patients’ rating, highest first",
        "How recently the clinic confirmed",
    ]
    for rule in rules:
        assert rule in page, rule
    search = client.get("/search/").content.decode()
    assert '<a href="/how-results-are-ordered/">How results are ordered</a>' in search
