"""Landing pages over the search (/areas/<area>/, /treatments/<treatment>/<area>/,
/conditions/<condition>/) and the index pages /areas/ and /conditions/."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone

from clinics.models import Offer
from tests.factories import (
    make_borough,
    make_clinic,
    make_condition,
    make_neighbourhood,
    make_offer,
    make_region,
    make_treatment,
)
from treatments.models import TreatmentCondition

pytestmark = pytest.mark.django_db

INITIAL, STANDARD = Offer.SessionType.INITIAL, Offer.SessionType.STANDARD


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def london():
    south = make_region(name="South London", slug="south-london", latitude=51.45, longitude=-0.13)
    east = make_region(name="East London", slug="east-london", latitude=51.52, longitude=-0.03)
    boroughs = {
        name: make_borough(parent=region, name=name, slug=slug, latitude=lat, longitude=lng)
        for name, slug, region, lat, lng in [
            ("Lambeth", "lambeth", south, 51.46, -0.12),
            ("Wandsworth", "wandsworth", south, 51.45, -0.19),
            ("Southwark", "southwark", south, 51.47, -0.07),
            ("Tower Hamlets", "tower-hamlets", east, 51.515, -0.035),
        ]
    }
    places = {
        name: make_neighbourhood(
            parent=boroughs[borough], name=name, slug=slug, latitude=lat, longitude=lng
        )
        for name, slug, borough, lat, lng in [
            ("Clapham", "clapham", "Lambeth", 51.4622, -0.1381),
            ("Stockwell", "stockwell", "Lambeth", 51.4723, -0.1230),
            ("Brixton", "brixton", "Lambeth", 51.4613, -0.1140),
            ("Battersea", "battersea", "Wandsworth", 51.4700, -0.1700),
            ("Balham", "balham", "Wandsworth", 51.4400, -0.1525),
            ("Peckham", "peckham", "Southwark", 51.4740, -0.0690),
            ("Canary Wharf", "canary-wharf", "Tower Hamlets", 51.5054, -0.0235),
            ("Stratford", "stratford", "Tower Hamlets", 51.5430, -0.0030),
        ]
    }
    named = {name.lower().replace(" ", "_"): area for name, area in {**boroughs, **places}.items()}
    return SimpleNamespace(south=south, east=east, **named)


@pytest.fixture
def catalogue():
    dry_needling = make_treatment(name="Dry needling", slug="dry-needling")
    acupuncture = make_treatment(name="Acupuncture", slug="acupuncture")
    massage = make_treatment(name="Sports massage", slug="sports-massage")
    hidden = make_treatment(name="Cupping", slug="cupping", is_published=False)
    neck_pain = make_condition(
        name="Neck pain", slug="neck-pain", summary="Stiffness and pain in the neck."
    )
    make_condition(name="Tennis elbow", slug="tennis-elbow")
    make_condition(name="Retired condition", slug="retired", is_published=False)
    TreatmentCondition.objects.create(
        treatment=dry_needling,
        condition=neck_pain,
        structures="trapezius, levator scapulae",
        order=1,
    )
    TreatmentCondition.objects.create(treatment=acupuncture, condition=neck_pain, order=2)
    TreatmentCondition.objects.create(treatment=hidden, condition=neck_pain, order=3)
    return SimpleNamespace(
        dry_needling=dry_needling, acupuncture=acupuncture, massage=massage, neck_pain=neck_pain
    )


def clinic(name, area, offers=(), **fields):
    fields.setdefault("details_confirmed_on", days_ago(30))
    made = make_clinic(
        name=name, area=area, latitude=area.latitude, longitude=area.longitude, **fields
    )
    for treatment, pence, session_type in offers:
        make_offer(made, treatment, price_pence=pence, session_type=session_type)
    return made


@pytest.fixture
def listings(london, catalogue):
    dn, massage = catalogue.dry_needling, catalogue.massage
    clinic(
        "Clapham Needles",
        london.clapham,
        [(dn, 9500, INITIAL), (dn, 7000, STANDARD), (massage, 4000, STANDARD)],
    )
    clinic("Common Physio", london.clapham, [(dn, 8500, INITIAL)])
    clinic("Clapham Massage", london.clapham, [(massage, 5000, STANDARD)])
    clinic("Brixton Needles", london.brixton, [(dn, 7500, STANDARD)])
    clinic("Battersea Points", london.battersea, [(catalogue.acupuncture, 6000, STANDARD)])
    clinic("Wharf Physio", london.canary_wharf, [(massage, 5500, STANDARD)])


@pytest.fixture
def forgotten(london, catalogue):
    """A dry needling listing in Clapham not confirmed for 19 months: hidden everywhere."""
    clinic(
        "Forgotten",
        london.clapham,
        [(catalogue.dry_needling, 1000, STANDARD)],
        details_confirmed_on=days_ago(580),
    )


def get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return response


def text(response):
    return " ".join(response.content.decode().split())


def heading(response):
    return re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S)[1].strip()


def listed(response):
    return [item.name for item in response.context["page"]]


def nearby(response):
    """The names in the "Nearby areas" list, with their links."""
    section = text(response).split('id="nearby-heading"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', section)


# --- /areas/<area>/ -----------------------------------------------------------------------


def test_area_page_has_its_heading_count_and_clinics(client, listings):
    response = get(client, "/areas/clapham/")

    assert heading(response) == "Physiotherapy in Clapham"
    assert "<p>3 listed clinics in Clapham. </p>" in text(response)
    assert listed(response) == ["Clapham Massage", "Clapham Needles", "Common Physio"]


def test_area_page_lists_the_nearest_areas_of_the_same_kind(client, listings):
    response = get(client, "/areas/clapham/")

    # Six at most, nearest first: Stratford, the farthest, is left out.
    assert nearby(response) == [
        ("/areas/stockwell/", "Stockwell"),
        ("/areas/brixton/", "Brixton"),
        ("/areas/battersea/", "Battersea"),
        ("/areas/balham/", "Balham"),
        ("/areas/peckham/", "Peckham"),
        ("/areas/canary-wharf/", "Canary Wharf"),
    ]


def test_borough_page_holds_its_neighbourhoods_clinics_and_lists_boroughs(client, listings):
    response = get(client, "/areas/lambeth/")

    assert heading(response) == "Physiotherapy in Lambeth"
    assert listed(response) == [
        "Brixton Needles",
        "Clapham Massage",
        "Clapham Needles",
        "Common Physio",
    ]
    assert [name for _, name in nearby(response)] == ["Southwark", "Wandsworth", "Tower Hamlets"]


def test_region_page_holds_every_clinic_in_the_region(client, listings):
    response = get(client, "/areas/south-london/")

    assert heading(response) == "Physiotherapy in South London"
    assert "Wharf Physio" not in listed(response)
    assert len(listed(response)) == 5
    assert [name for _, name in nearby(response)] == ["East London"]


def test_area_page_keeps_its_area_and_applies_other_choices(client, listings):
    assert listed(get(client, "/areas/clapham/", area="battersea")) == [
        "Clapham Massage",
        "Clapham Needles",
        "Common Physio",
    ]
    assert listed(get(client, "/areas/clapham/", treatment="dry-needling", max_price=80)) == [
        "Clapham Needles"
    ]


# --- /treatments/<treatment>/<area>/ ------------------------------------------------------


def test_treatment_in_area_page_has_heading_count_and_local_prices(client, listings, forgotten):
    response = get(client, "/treatments/dry-needling/clapham/")

    assert heading(response) == "Dry needling in Clapham"
    # The massage price, other areas' prices and the hidden listing's are not local prices.
    assert (
        "<p>2 listed clinics offer dry needling in Clapham. "
        "Local prices: initial assessment £85–£95; standard session £70.</p>"
    ) in text(response)
    assert listed(response) == ["Clapham Needles", "Common Physio"]


def test_treatment_in_area_page_with_one_clinic_says_so_in_the_singular(client, listings):
    response = get(client, "/treatments/dry-needling/brixton/")

    assert (
        "<p>1 listed clinic offers dry needling in Brixton. Local prices: standard session £75.</p>"
    ) in text(response)


def test_treatment_in_area_page_without_clinics_has_no_prices(client, listings):
    response = get(client, "/treatments/dry-needling/peckham/")

    assert "<p>0 listed clinics offer dry needling in Peckham. </p>" in text(response)
    assert "Local prices" not in text(response)
    assert listed(response) == []


def test_treatment_in_area_page_links_to_the_treatment_in_nearby_areas(client, listings):
    links = nearby(get(client, "/treatments/dry-needling/clapham/"))

    assert links[:3] == [
        ("/treatments/dry-needling/stockwell/", "Stockwell"),
        ("/treatments/dry-needling/brixton/", "Brixton"),
        ("/treatments/dry-needling/battersea/", "Battersea"),
    ]


def test_treatment_in_borough_page_covers_its_neighbourhoods(client, listings):
    response = get(client, "/treatments/dry-needling/lambeth/")

    assert heading(response) == "Dry needling in Lambeth"
    assert listed(response) == ["Brixton Needles", "Clapham Needles", "Common Physio"]
    assert "initial assessment £85–£95; standard session £70–£75." in text(response)


def test_landing_pages_leave_out_unpublished_clinics(client, listings, london, catalogue):
    clinic("Draft", london.clapham, [(catalogue.dry_needling, 2000, STANDARD)], is_published=False)

    response = get(client, "/treatments/dry-needling/clapham/")

    assert listed(response) == ["Clapham Needles", "Common Physio"]
    assert "standard session £70." in text(response)
    assert "Draft" not in listed(get(client, "/areas/clapham/"))


# --- /conditions/<condition>/ -------------------------------------------------------------


def test_condition_page_lists_the_treatments_that_help_and_their_clinics(client, listings):
    response = get(client, "/conditions/neck-pain/")

    assert heading(response) == "Physiotherapy for neck pain in London"
    assert '<p class="lead">Stiffness and pain in the neck.</p>' in text(response)
    # In the editors' order, with the muscles involved; never an unpublished treatment.
    assert (
        '<p>Treatments that can help: <a href="/treatments/dry-needling/">Dry needling</a> '
        '(trapezius, levator scapulae), <a href="/treatments/acupuncture/">Acupuncture</a>.</p>'
    ) in text(response)
    assert "Cupping" not in text(response)
    assert listed(response) == [
        "Battersea Points",
        "Brixton Needles",
        "Clapham Needles",
        "Common Physio",
    ]
    assert "<p>4 listed clinics. </p>" in text(response)


def test_condition_page_applies_an_area_choice(client, listings):
    response = get(client, "/conditions/neck-pain/", area="wandsworth")

    assert listed(response) == ["Battersea Points"]


# --- Index pages --------------------------------------------------------------------------


def area_counts_shown(response):
    """{area name: the count beside it} on /areas/."""
    page = text(response)
    counts = {
        name: int(n)
        for name, n in re.findall(r'<a href="/areas/[^/]+/"[^>]*>([^<]+)</a> \((\d+)\)', page)
    }
    counts.update(
        (name, int(n))
        for name, n in re.findall(
            r'<a href="/areas/[^/]+/"[^>]*>([^<]+)</a> <span[^>]*>\((\d+) clinics\)</span>', page
        )
    )
    return counts


def test_area_index_lists_every_area_with_its_clinic_count(client, listings):
    counts = area_counts_shown(get(client, "/areas/"))

    assert counts == {
        "South London": 5,
        "East London": 1,
        "Lambeth": 4,
        "Wandsworth": 1,
        "Southwark": 0,
        "Tower Hamlets": 1,
        "Clapham": 3,
        "Stockwell": 0,
        "Brixton": 1,
        "Battersea": 1,
        "Balham": 0,
        "Peckham": 0,
        "Canary Wharf": 1,
        "Stratford": 0,
    }


def condition_counts_shown(response):
    return {
        name: int(n)
        for name, n in re.findall(
            r'<a href="/conditions/[^/]+/"[^>]*>([^<]+)</a></h2> ?<p class="mb-0 small">[^<]*'
            r"\((\d+) clinics?\)",
            text(response),
        )
    }


def test_condition_index_lists_every_published_condition_with_its_clinic_count(client, listings):
    response = get(client, "/conditions/")

    assert condition_counts_shown(response) == {"Neck pain": 4, "Tennis elbow": 0}
    assert "(4 clinics)" in text(response)
    assert "(0 clinics)" in text(response)
    assert "Retired condition" not in text(response)


def test_index_counts_are_what_the_landing_pages_show(client, listings, forgotten):
    # "Forgotten" (Clapham, dry needling, hidden after 19 months) must not be counted.
    areas = area_counts_shown(get(client, "/areas/"))
    conditions = condition_counts_shown(get(client, "/conditions/"))

    for slug, name in [("clapham", "Clapham"), ("lambeth", "Lambeth")]:
        page = get(client, f"/areas/{slug}/")
        assert areas[name] == page.context["page"].paginator.count
    page = get(client, "/conditions/neck-pain/")
    assert conditions["Neck pain"] == page.context["page"].paginator.count


# --- Not found ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/areas/atlantis/",
        "/treatments/no-such-treatment/clapham/",
        "/treatments/dry-needling/atlantis/",
        "/treatments/cupping/clapham/",  # unpublished treatment
        "/conditions/no-such-condition/",
        "/conditions/retired/",  # unpublished condition
    ],
)
def test_unknown_or_unpublished_slugs_are_not_found(client, listings, path):
    assert client.get(path).status_code == 404
