"""Landing pages over the search (/areas/<area>/, /treatments/<treatment>/<area>/,
/conditions/<condition>/) and the index pages /areas/ and /conditions/."""

import re

import pytest

from clinics.models import Offer
from tests.factories import days_ago, make_listed_clinic

pytestmark = pytest.mark.django_db

INITIAL, STANDARD = Offer.SessionType.INITIAL, Offer.SessionType.STANDARD


@pytest.fixture
def listings(london, catalogue):
    dn, massage = catalogue.dry_needling, catalogue.massage
    make_listed_clinic(
        "Clapham Needles",
        london.clapham,
        offers=[(dn, 9500, INITIAL), (dn, 7000, STANDARD), (massage, 4000, STANDARD)],
    )
    make_listed_clinic("Common Physio", london.clapham, offers=[(dn, 8500, INITIAL)])
    make_listed_clinic("Clapham Massage", london.clapham, offers=[(massage, 5000, STANDARD)])
    make_listed_clinic("Brixton Needles", london.brixton, offers=[(dn, 7500, STANDARD)])
    make_listed_clinic(
        "Battersea Points", london.battersea, offers=[(catalogue.acupuncture, 6000, STANDARD)]
    )
    make_listed_clinic("Wharf Physio", london.canary_wharf, offers=[(massage, 5500, STANDARD)])


@pytest.fixture
def forgotten(london, catalogue):
    """A dry needling listing in Clapham not confirmed for 19 months: hidden everywhere."""
    make_listed_clinic(
        "Forgotten",
        london.clapham,
        offers=[(catalogue.dry_needling, 1000, STANDARD)],
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
    make_listed_clinic(
        "Draft",
        london.clapham,
        offers=[(catalogue.dry_needling, 2000, STANDARD)],
        is_published=False,
    )

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

    # Back pain: the clinics offering massage or acupuncture.
    assert condition_counts_shown(response) == {"Neck pain": 4, "Back pain": 4, "Tennis elbow": 0}
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
