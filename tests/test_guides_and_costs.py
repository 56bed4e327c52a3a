"""Guide figures and the cost guide are computed from listed prices, exactly, and move when
the listings do; pages carry valid structured data and crawl hints."""

import json
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from clinics.figures import guide_figures
from clinics.index import listings_index
from clinics.prices import summarise
from tests.factories import (
    make_borough,
    make_clinic,
    make_guide,
    make_neighbourhood,
    make_offer,
    make_opening_hours,
    make_region,
    make_treatment,
)

pytestmark = pytest.mark.django_db


def json_ld(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


# --- Price statistics ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prices", "median", "lower", "upper"),
    [
        ([7000, 8000, 9000, 10000], "8500", "7750", "9250"),
        ([8500, 9000], "8750", "8625", "8875"),
        ([6000, 6500, 9000], "6500", "6250", "7750"),
        ([7500], "7500", "7500", "7500"),
        ([7001, 7002], "7002", "7001", "7002"),  # half pence round half up, never a float
    ],
)
def test_medians_and_quartiles_are_exact_pence(prices, median, lower, upper):
    stats = summarise(prices, range(len(prices)))
    assert stats.median == Decimal(median)
    assert (stats.lower_quartile, stats.upper_quartile) == (Decimal(lower), Decimal(upper))
    assert (stats.lowest, stats.highest, stats.count) == (min(prices), max(prices), len(prices))
    assert isinstance(stats.median, Decimal)


def test_nothing_to_summarise_gives_none():
    assert summarise([], []) is None


def test_statistics_group_by_session_type_in_patient_order():
    treatment = make_treatment()
    a, b = make_clinic(), make_clinic()
    make_offer(a, treatment, session_type="add_on", price_pence=2000)
    make_offer(a, treatment, session_type="initial", price_pence=9000)
    make_offer(b, treatment, session_type="initial", price_pence=11000)
    stats = guide_figures(listings_index(), treatment)["prices"]
    assert list(stats) == ["initial", "add_on"]
    assert stats["initial"].median == Decimal("10000")
    assert stats["initial"].clinics == 2


# --- The guide page -------------------------------------------------------------------------


@pytest.fixture
def guide():
    treatment = make_treatment(name="Dry needling", slug="dry-needling")
    return make_guide(
        treatment=treatment, title="Dry needling guide", sessions_min=3, sessions_max=6
    )


def test_guide_figures_move_when_an_offer_is_added(client, guide):
    treatment = guide.treatment
    clinic = make_clinic(area=make_neighbourhood(name="Clapham", slug="clapham"))
    make_offer(clinic, treatment, session_type="initial", price_pence=9000)
    page = client.get("/treatments/dry-needling/").content.decode()
    assert "<strong data-result-count>1</strong> listed clinic and" in page
    assert "£90" in page

    other = make_clinic(area=clinic.area)
    make_offer(other, treatment, session_type="initial", price_pence=11000)
    page = client.get("/treatments/dry-needling/").content.decode()
    assert "<strong data-result-count>2</strong> listed clinics" in page
    assert "<td>£100</td>" in page  # the new median
    # Where it is offered: the borough, counting its neighbourhood's clinics.
    assert f"{clinic.area.parent.name} <span" in page and ">2</span>" in page
    assert "Usual course: <strong>3–6 sessions</strong>" in page


def test_unpublished_clinics_do_not_count(client, guide):
    make_offer(make_clinic(is_published=False), guide.treatment, price_pence=5000)
    response = client.get("/treatments/dry-needling/")
    assert response.context["clinic_count"] == 0
    assert response.context["prices"] == {}


def test_guide_structured_data_is_valid_and_complete(client, guide):
    page = client.get("/treatments/dry-needling/").content.decode()
    blocks = {block["@type"]: block for block in json_ld(page)}
    web_page = blocks["MedicalWebPage"]
    assert web_page["reviewedBy"]["name"] == "Dr Test Reviewer"
    assert web_page["lastReviewed"] == "2026-09-01"
    assert web_page["url"] == "http://testserver/treatments/dry-needling/"
    assert [q["name"] for q in blocks["FAQPage"]["mainEntity"]] == ["Question 0?", "Question 1?"]
    trail = blocks["BreadcrumbList"]["itemListElement"]
    assert [item["name"] for item in trail] == ["Home", "Treatments", "Dry needling"]


def test_structured_data_cannot_be_closed_by_content(client, guide):
    guide.faqs.update(question="</script><script>alert(1)</script>")
    page = client.get("/treatments/dry-needling/").content.decode()
    assert "<script>alert(1)" not in page
    faq = next(b for b in json_ld(page) if b["@type"] == "FAQPage")
    assert faq["mainEntity"][0]["name"] == "</script><script>alert(1)</script>"


# --- The cost guide -------------------------------------------------------------------------


def build_costs():
    treatment = make_treatment(name="Dry needling", slug="dry-needling")
    north, south = make_region(name="North London"), make_region(name="South London")
    north_clinic = make_clinic(area=make_borough(parent=north))
    south_clinics = [make_clinic(area=make_neighbourhood(parent=make_borough(parent=south)))]
    south_clinics.append(make_clinic(area=south_clinics[0].area))
    make_offer(north_clinic, treatment, session_type="initial", price_pence=12000)
    make_offer(south_clinics[0], treatment, session_type="initial", price_pence=8500)
    make_offer(south_clinics[1], treatment, session_type="initial", price_pence=9500)
    return treatment


def test_costs_are_computed_from_listed_prices(client):
    build_costs()
    response = client.get("/costs/")
    assert response.status_code == 200
    [(treatment, session_type, stats)] = response.context["by_treatment"]
    assert (treatment.name, session_type) == ("Dry needling", "initial")
    assert (stats.median, stats.lowest, stats.highest, stats.clinics) == (9500, 8500, 12000, 3)
    regions = {region.name: rows for region, rows in response.context["by_region"]}
    assert regions["North London"][0][2].median == 12000
    assert regions["South London"][0][2].median == 9000  # a neighbourhood counts in its region
    page = response.content.decode()
    assert "<svg" in page and "<title" in page  # the chart, with a text alternative
    assert "median £95" in page
    assert "How the figures are worked out" in page


@pytest.mark.parametrize("clinics", [1, 30])
def test_costs_page_query_count_is_fixed(client, clinics):
    treatment = build_costs()
    for _ in range(clinics):
        make_offer(make_clinic(), treatment, session_type="follow_up", price_pence=7000)
    client.get("/costs/")  # brings the listings index up to date
    with CaptureQueriesContext(connection) as queries:
        client.get("/costs/")
    # Only the listings version: every figure comes from the index.
    assert len(queries) == 1


# --- Crawling ---------------------------------------------------------------------------------


def test_sitemap_lists_guides_clinics_and_landing_pages_with_results(client, guide):
    area = make_neighbourhood(slug="clapham")
    make_offer(make_clinic(area=area, slug="open-clinic"), guide.treatment)
    make_clinic(slug="hidden-clinic", is_published=False)
    index = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/sitemap-guides.xml" in index
    guides = client.get("/sitemap-guides.xml").content.decode()
    assert "http://testserver/treatments/dry-needling/" in guides
    clinics = client.get("/sitemap-clinics.xml").content.decode()
    assert "/clinics/open-clinic/" in clinics and "hidden-clinic" not in clinics
    pairs = client.get("/sitemap-treatments-in-areas.xml").content.decode()
    assert "/treatments/dry-needling/clapham/" in pairs
    assert f"/treatments/dry-needling/{area.parent.slug}/" in pairs
    assert f"/treatments/dry-needling/{make_borough().slug}/" not in pairs


def test_robots_keeps_crawlers_out_of_private_and_filtered_pages(client):
    body = client.get("/robots.txt").content.decode()
    for path in (
        "/portal/",
        "/admin/",
        "/accounts/",
        "/search/?",
        "/report/",
        "/clinics/*/review/",
    ):
        assert f"Disallow: {path}" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_filtered_search_is_noindex_with_a_canonical_landing_page(client):
    treatment = make_treatment(slug="dry-needling")
    area = make_borough(slug="lambeth")
    make_offer(make_clinic(area=area), treatment)
    page = client.get("/search/?treatment=dry-needling&area=lambeth&step_free=on").content.decode()
    assert '<meta name="robots" content="noindex, follow">' in page
    assert (
        '<link rel="canonical" href="http://testserver/treatments/dry-needling/lambeth/">' in page
    )
    landing = client.get("/treatments/dry-needling/lambeth/").content.decode()
    assert "noindex" not in landing


def test_every_page_has_its_own_title_description_and_open_graph(client, guide):
    clinic = make_clinic(area=make_neighbourhood(slug="clapham"))
    make_offer(clinic, guide.treatment)
    make_opening_hours(clinic)
    titles = set()
    for url in [
        "/",
        "/treatments/",
        "/treatments/dry-needling/",
        clinic.get_absolute_url(),
        "/costs/",
        "/areas/",
        "/conditions/",
        "/areas/clapham/",
    ]:
        page = client.get(url).content.decode()
        title = re.search(r"<title>(.*?)</title>", page).group(1)
        titles.add(title)
        assert page.count("<h1") == 1, url
        assert re.search(r'<meta name="description" content="[^"]{20,}">', page), url
        assert '<meta property="og:title"' in page, url
        assert f'<link rel="canonical" href="http://testserver{url}">' in page, url
    assert len(titles) == 8


def test_clinic_structured_data_has_address_geo_hours_and_prices(client):
    treatment = make_treatment(name="Dry needling")
    clinic = make_clinic(postcode="SW4 7AA", phone="020 7946 0001")
    make_offer(clinic, treatment, session_type="initial", price_pence=9550)
    make_opening_hours(clinic, weekday=5, opens="09:00", closes="13:00")
    blocks = json_ld(client.get(clinic.get_absolute_url()).content.decode())
    data = next(b for b in blocks if "MedicalClinic" in b["@type"])
    assert data["address"]["postalCode"] == "SW4 7AA"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 51.4622, "longitude": -0.1381}
    assert data["openingHoursSpecification"][0]["dayOfWeek"] == "https://schema.org/Saturday"
    assert data["makesOffer"][0]["price"] == "95.50"
    assert data["makesOffer"][0]["priceCurrency"] == "GBP"


def test_healthz_reports_the_database(client):
    assert client.get("/healthz").status_code == 200
    with mock.patch("directory.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
