"""Searching near a postcode: normalising what patients type, distances in miles, the radius,
and the messages for districts we do not know or that are outside London."""

import html
from types import SimpleNamespace

import pytest
from django.test import override_settings

from clinics.models import OutwardCode
from tests.factories import days_ago, make_borough, make_clinic, make_neighbourhood

pytestmark = pytest.mark.django_db

# SW4's centre; a hundredth of a degree of latitude is 0.69 miles, and at this latitude a
# hundredth of a degree of longitude is 0.43 miles.
SW4 = (51.4622, -0.1381)


@pytest.fixture
def districts():
    lambeth = make_borough(name="Lambeth", slug="lambeth", latitude=51.46, longitude=-0.12)
    clapham = make_neighbourhood(
        parent=lambeth, name="Clapham", slug="clapham", latitude=SW4[0], longitude=SW4[1]
    )
    brixton = make_neighbourhood(
        parent=lambeth, name="Brixton", slug="brixton", latitude=51.4613, longitude=-0.1156
    )
    merton = make_borough(name="Merton", slug="merton", latitude=51.41, longitude=-0.19)
    OutwardCode.objects.create(code="SW4", area=clapham, latitude=SW4[0], longitude=SW4[1])
    OutwardCode.objects.create(code="SW9", area=brixton, latitude=51.4700, longitude=-0.1150)
    OutwardCode.objects.create(code="SW19", area=merton, latitude=51.4200, longitude=-0.2000)
    OutwardCode.objects.create(code="W9", area=lambeth, latitude=51.5270, longitude=-0.1920)
    # Known, but outside London: kept so that we can say so.
    OutwardCode.objects.create(code="GU1", area=None, latitude=51.2362, longitude=-0.5704)
    return SimpleNamespace(lambeth=lambeth, clapham=clapham, brixton=brixton, merton=merton)


def clinic_at(name, north=0.0, east=0.0, area=None, **fields):
    """A clinic `north` and `east` degrees from SW4's centre."""
    fields.setdefault("details_confirmed_on", days_ago(30))
    return make_clinic(
        name=name, area=area, latitude=SW4[0] + north, longitude=SW4[1] + east, **fields
    )


@pytest.fixture
def around_sw4(districts):
    clinic_at("At the centre", area=districts.clapham)
    clinic_at("North", north=0.01, area=districts.clapham)  # 0.69 miles
    clinic_at("Mile", north=0.0145, area=districts.clapham)  # 1.001 miles
    clinic_at("East", east=0.04, area=districts.brixton)  # 1.72 miles
    clinic_at("South edge", north=-0.042, area=districts.lambeth)  # 2.90 miles
    clinic_at("Too far south", north=-0.045, area=districts.lambeth)  # 3.11 miles
    # 2.07 miles north and 2.58 east: inside the box around the circle, 3.31 miles away.
    clinic_at("Corner", north=0.03, east=0.06, area=districts.brixton)


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response


def listed(response):
    return [clinic.name for clinic in response.context["page"]]


def distances(response):
    """{name: distance as the card shows it}."""
    page = response.content.decode()
    shown = {}
    for clinic in response.context["page"]:
        start = page.index(f">{clinic.name}</a>")
        subtitle = page[start : page.index("</p>", start)]
        shown[clinic.name] = (
            subtitle.split(" · ")[1].removesuffix(" away") if "·" in subtitle else None
        )
    return shown


def errors_shown(response):
    return response.context["filter"].form.errors


NEAREST_FIRST = ["At the centre", "North", "Mile", "East", "South edge"]


@pytest.mark.parametrize("typed", ["sw4 7aa", "SW47AA", "SW4", " sw4 ", "Sw4 7Aa", "SW4  7AA"])
def test_a_postcode_or_district_in_any_shape_finds_clinics_near_its_district(
    client, around_sw4, typed
):
    response = search(client, postcode=typed)

    assert not errors_shown(response)
    assert response.context["filter"].form.cleaned_data["postcode"].code == "SW4"
    assert listed(response) == NEAREST_FIRST
    assert distances(response) == {
        "At the centre": "0.0 miles",
        "North": "0.7 miles",
        "Mile": "1.0 mile",
        "East": "1.7 miles",
        "South edge": "2.9 miles",
    }


def test_distance_is_measured_from_the_district_typed(client, around_sw4):
    response = search(client, postcode="SW9 8AB", sort="distance")

    # SW9's centre is 0.54 miles north and 0.99 miles east of SW4's.
    assert distances(response) == {
        "East": "0.9 miles",
        "North": "1.0 mile",
        "Mile": "1.1 miles",
        "At the centre": "1.1 miles",  # 1.13 miles, behind Mile's 1.10
        "Corner": "2.2 miles",
    }
    assert listed(response) == ["East", "North", "Mile", "At the centre", "Corner"]


def test_clinics_outside_the_search_radius_are_left_out(client, around_sw4):
    names = listed(search(client, postcode="SW4"))

    assert "Too far south" not in names
    assert "Corner" not in names
    assert "Too far south" in listed(search(client))


@override_settings(SEARCH_RADIUS_MILES=1)
def test_the_radius_comes_from_settings(client, around_sw4):
    # "Mile" is 1.001 miles away.
    assert listed(search(client, postcode="SW4")) == ["At the centre", "North"]


def test_sort_by_distance_puts_stale_listings_after_fresh_ones(client, districts):
    clinic_at(
        "Near but stale", north=0.001, area=districts.clapham, details_confirmed_on=days_ago(400)
    )
    clinic_at("Far", north=0.03, area=districts.clapham)
    clinic_at("Nearer", north=0.02, area=districts.clapham)

    for sort in ("distance", "relevance"):
        response = search(client, postcode="SW4", sort=sort)
        assert listed(response) == ["Nearer", "Far", "Near but stale"]


def test_sort_by_name_near_a_postcode_still_shows_distances(client, around_sw4):
    response = search(client, postcode="SW4", sort="name")

    assert listed(response) == sorted(NEAREST_FIRST)
    assert distances(response)["North"] == "0.7 miles"


def test_postcode_and_area_together_need_both(client, around_sw4):
    assert listed(search(client, postcode="SW4", area="brixton")) == ["East"]
    assert listed(search(client, postcode="SW4", area="lambeth")) == NEAREST_FIRST


def test_without_a_postcode_no_distance_is_shown(client, around_sw4):
    response = search(client)

    assert set(distances(response).values()) == {None}


def assert_postcode_refused(response, message):
    """The message is shown beside the field, and the postcode is not used."""
    assert errors_shown(response) == {"postcode": [message]}
    assert html.escape(message) in response.content.decode()
    assert "Too far south" in listed(response)
    assert set(distances(response).values()) == {None}


@pytest.mark.parametrize("typed", ["SW99", "sw99 1aa"])
def test_an_unknown_london_district_names_the_nearest_known_ones(client, around_sw4, typed):
    response = search(client, postcode=typed, sort="distance")

    # Nearest in number first; W9 is another postcode area and is not offered.
    assert_postcode_refused(
        response, "We don't know the district SW99. Did you mean SW19, SW9, SW4?"
    )


@pytest.mark.parametrize("typed", ["GU1", "gu1 1aa"])
def test_a_known_district_outside_london_says_the_directory_covers_london(
    client, around_sw4, typed
):
    assert_postcode_refused(
        search(client, postcode=typed),
        "GU1 is outside London. The directory covers London only.",
    )


def test_a_postcode_from_an_area_we_do_not_know_is_not_a_london_postcode(client, around_sw4):
    assert_postcode_refused(
        search(client, postcode="M1 1AA"),
        "M1 is not a London postcode. The directory covers London only.",
    )


@pytest.mark.parametrize("typed", ["hello", "12345", "SW4 7AAA", "SW", "4SW", "SW4-7AA", "ÄB1"])
def test_anything_else_gets_an_example_of_what_to_type(client, around_sw4, typed):
    assert_postcode_refused(
        search(client, postcode=typed),
        "Enter a postcode such as SW4 7AA, or a district such as SW4.",
    )
