"""Free text (q): every word must match the clinic's name, area, description, treatments,
their conditions or its practitioners' names; typos and accents are forgiven, on SQLite as on
PostgreSQL (clinics/text.py)."""

from types import SimpleNamespace

import pytest

from tests.factories import (
    days_ago,
    make_borough,
    make_clinic,
    make_condition,
    make_neighbourhood,
    make_offer,
    make_practitioner,
    make_treatment,
)
from treatments.models import TreatmentCondition

pytestmark = pytest.mark.django_db


@pytest.fixture
def listings():
    lambeth = make_borough(name="Lambeth", slug="lambeth")
    clapham = make_neighbourhood(parent=lambeth, name="Clapham", slug="clapham")
    brixton = make_neighbourhood(parent=lambeth, name="Brixton", slug="brixton")
    hackney = make_borough(name="Hackney", slug="hackney", latitude=51.545, longitude=-0.055)
    dry_needling = make_treatment(name="Dry needling", slug="dry-needling")
    massage = make_treatment(name="Sports massage", slug="sports-massage")
    hydrotherapy = make_treatment(name="Hydrotherapy", slug="hydrotherapy")
    neck_pain = make_condition(name="Neck pain", slug="neck-pain")
    TreatmentCondition.objects.create(treatment=dry_needling, condition=neck_pain)
    tennis_elbow = make_condition(name="Tennis elbow", slug="tennis-elbow")
    TreatmentCondition.objects.create(treatment=massage, condition=tennis_elbow)

    def clinic(name, area, treatments=(), **fields):
        fields.setdefault("details_confirmed_on", days_ago(30))
        made = make_clinic(name=name, area=area, **fields)
        for treatment in treatments:
            make_offer(made, treatment)
        return made

    riverside = clinic(
        "Riverside Physiotherapy",
        clapham,
        [dry_needling],
        description="A quiet practice by the common, with a garden.",
    )
    make_practitioner(clinics=[riverside], first_name="Ada", last_name="Okafor")
    northgate = clinic("Northgate Sports Clinic", brixton, [massage])
    make_practitioner(clinics=[northgate], first_name="Bartosz", last_name="Kowalczyk")
    make_practitioner(
        clinics=[northgate], first_name="Hidden", last_name="Zimmerman", is_published=False
    )
    clinic("Eastway Hydro Centre", hackney, [hydrotherapy])
    return SimpleNamespace(clapham=clapham, lambeth=lambeth, hackney=hackney, clinic=clinic)


def found(client, q, **params):
    """The clinics found, in name order unless another order is asked for: which clinics match
    is what most tests here are about (relevance has its own)."""
    response = client.get("/search/", {"q": q, "sort": "name", **params})
    assert response.status_code == 200
    assert not response.context["filter"].form.errors
    return [clinic.name for clinic in response.context["page"]]


RIVERSIDE, NORTHGATE, EASTWAY = (
    "Riverside Physiotherapy",
    "Northgate Sports Clinic",
    "Eastway Hydro Centre",
)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("riverside", [RIVERSIDE]),  # name
        ("RIVERSIDE physiotherapy", [RIVERSIDE]),
        ("clapham", [RIVERSIDE]),  # neighbourhood
        ("lambeth", [NORTHGATE, RIVERSIDE]),  # the neighbourhood's borough
        ("garden", [RIVERSIDE]),  # description
        ("needling", [RIVERSIDE]),  # treatment
        ("massage", [NORTHGATE]),
        ("neck pain", [RIVERSIDE]),  # a condition the clinic's treatments help
        ("elbow", [NORTHGATE]),
        ("okafor", [RIVERSIDE]),  # a practitioner
        ("bartosz", [NORTHGATE]),
        ("zimmerman", []),  # an unpublished practitioner is not searched
        ("hydrotherapy hackney", [EASTWAY]),
    ],
)
def test_each_kind_of_word_finds_the_clinics_it_describes(client, listings, q, expected):
    assert found(client, q) == expected


@pytest.mark.parametrize(
    "q",
    ["needling brixton", "riverside massage", "okafor kowalczyk", "clapham hackney"],
)
def test_every_word_must_match(client, listings, q):
    assert found(client, q) == []


def test_words_mix_fields_and_combine_with_filters(client, listings):
    assert found(client, "okafor needling clapham") == [RIVERSIDE]
    assert found(client, "lambeth", treatment="sports-massage") == [NORTHGATE]
    assert found(client, "lambeth", area="hackney") == []


@pytest.mark.parametrize("q", ["", "   ", "!!!", "a", "- + *"])
def test_text_without_words_does_not_narrow(client, listings, q):
    assert found(client, q) == [EASTWAY, NORTHGATE, RIVERSIDE]


def test_a_name_match_comes_before_other_matches(client, listings):
    # "Alder" sorts first by name, but only its practitioner is called Okafor.
    alder = listings.clinic("Alder Clinic", listings.clapham)
    make_practitioner(clinics=[alder], first_name="Chidi", last_name="Okafor")
    listings.clinic("Okafor Physio", listings.clapham)

    # A name match first; then the two practitioner matches by the next rule of the ranking:
    # Riverside's listing is the more complete (it has a description).
    assert found(client, "okafor", sort="relevance") == ["Okafor Physio", RIVERSIDE, "Alder Clinic"]
    assert found(client, "okafor", sort="name") == ["Alder Clinic", "Okafor Physio", RIVERSIDE]


def test_relevance_still_puts_stale_listings_last(client, listings):
    listings.clinic(
        "Okafor Physio",
        listings.clapham,
        details_confirmed_on=days_ago(400),
    )

    assert found(client, "okafor", sort="relevance") == [RIVERSIDE, "Okafor Physio"]


# --- Typos and accents ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("dry neddling", [RIVERSIDE]),
        ("clapam", [RIVERSIDE]),
        ("riversid", [RIVERSIDE]),
        ("lambth", [NORTHGATE, RIVERSIDE]),
    ],
)
def test_a_typo_still_finds(client, listings, q, expected):
    assert found(client, q) == expected


def test_a_short_word_must_match_as_typed(client, listings):
    # Three letters have too few trigrams to judge a typo fairly.
    assert found(client, "dri needling") == []


@pytest.mark.parametrize(
    ("q", "expected"),
    [("Ökafor", [RIVERSIDE]), ("CLÁPHAM", [RIVERSIDE]), ("nèck páin", [RIVERSIDE])],
)
def test_accents_are_ignored_in_what_is_typed(client, listings, q, expected):
    assert found(client, q) == expected


def test_accents_are_ignored_in_what_is_stored(client, listings):
    clinic = listings.clinic("Zoë's Clinic", listings.clapham)
    make_practitioner(clinics=[clinic], first_name="Chloé", last_name="Müller")

    assert found(client, "zoe") == ["Zoë's Clinic"]
    assert found(client, "muller chloe") == ["Zoë's Clinic"]


def test_typos_do_not_match_unrelated_words(client, listings):
    assert found(client, "xylophone") == []
    assert found(client, "needling brixton") == []


def test_a_treatment_name_does_not_find_clinics_merely_called_physiotherapy(client, listings):
    assert found(client, "hydrotherapy") == [EASTWAY]
    assert found(client, "hydrotherapy clapham") == []


def test_a_letter_that_unaccent_makes_a_symbol_is_matched_literally(client, listings):
    """unaccent turns the modifier letter "ˆ" into "^": as a regular expression "ˆr" would
    find every name starting with R; it is looked for as typed."""
    assert found(client, "ˆr") == []


# --- Suggestions --------------------------------------------------------------------------


def test_a_slip_in_a_treatment_name_offers_the_words_it_found(client, listings):
    response = client.get("/search/", {"q": "dry neddling"})
    assert response.context["did_you_mean"] == "dry needling"
    page = response.content.decode()
    assert 'Did you mean <a href="/search/?q=dry+needling">dry needling</a>?' in page


def test_an_area_name_with_a_slip_is_offered_too(client, listings):
    assert client.get("/search/", {"q": "clapam"}).context["did_you_mean"] == "clapham"


def test_words_spelt_right_or_unknown_suggest_nothing(client, listings):
    for q in ["dry needling", "xylophone", "okafer"]:  # a surname is no treatment or area
        assert client.get("/search/", {"q": q}).context["did_you_mean"] is None, q


def test_an_area_typed_in_the_postcode_box_leads_to_that_area(client, listings):
    response = client.get("/search/", {"postcode": "clapham", "treatment": "dry-needling"})
    assert response.status_code == 302
    assert response["Location"] == "/search/?treatment=dry-needling&area=clapham"
    # With a slip, and sorted by distance (which needs a postcode, so the sort goes too).
    response = client.get("/search/", {"postcode": "Clapam", "sort": "distance"})
    assert response["Location"] == "/search/?area=clapham"


def test_anything_else_in_the_postcode_box_stays_an_error_in_the_form(client, listings):
    response = client.get("/search/", {"postcode": "atlantis"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["postcode"]
