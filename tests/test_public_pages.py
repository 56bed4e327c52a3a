"""The public pages render for the demo data and for small known data, in a fixed number of
queries whatever the number of clinics behind them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinics.index import forget_index, listings_index
from clinics.models import Clinic, Offer, Practitioner
from tests.factories import (
    make_borough,
    make_clinic,
    make_condition,
    make_guide,
    make_insurer,
    make_language,
    make_neighbourhood,
    make_offer,
    make_opening_hours,
    make_practitioner,
    make_treatment,
)
from treatments.models import GuideSection, TreatmentCondition

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=StringIO())


def test_demo_pages_render(client, demo):
    clinic = Clinic.objects.published().order_by("pk").first()
    practitioner = Practitioner.objects.published().order_by("pk").first()
    for url in [
        "/",
        "/treatments/",
        "/treatments/dry-needling/",
        "/treatments/acupuncture/",
        clinic.get_absolute_url(),
        practitioner.get_absolute_url(),
        "/areas/",
        "/areas/lambeth/",
        "/areas/clapham/",
        "/areas/central-london/",
        "/treatments/dry-needling/clapham/",
        "/conditions/",
        "/conditions/neck-pain/",
        "/search/?treatment=dry-needling&area=clapham",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.count(b"<h1") == 1, url


def test_guide_page_shows_the_demo_guide_and_live_figures(client, demo):
    response = client.get("/treatments/dry-needling/")
    page = response.content.decode()
    assert "Dry needling: treatment and benefits guide" in page
    assert "Trapezius" in page  # conditions with the muscles involved
    assert "Is dry needling safe?" in page
    # Counted as its search counts: listings not confirmed for 18 months are left out.
    offering = Clinic.objects.listed().offering(response.context["treatment"]).count()
    assert response.context["clinic_count"] == offering > 110
    assert f"<strong data-result-count>{offering}</strong> listed clinics" in page
    initial = response.context["prices"]["initial"]
    assert 8500 <= initial.lowest <= initial.median <= initial.highest <= 12000
    assert "/treatments/dry-needling/lambeth/" in page  # where it is offered, by borough


def test_clinic_page_shows_what_a_patient_needs(client):
    treatment = make_treatment(name="Dry needling", slug="dry-needling")
    clinic = make_clinic(name="Test Clinic", phone="020 7946 0001", nearest_station="Clapham North")
    make_offer(clinic, treatment, session_type=Offer.SessionType.INITIAL, price_pence=9550)
    make_opening_hours(clinic, weekday=0, opens="09:00", closes="13:00")
    make_opening_hours(clinic, weekday=0, opens="14:00", closes="18:00")
    insurer = make_insurer(name="Bupa")
    make_practitioner(
        clinics=[clinic], first_name="Ada", last_name="Okafor", hcpc_number="PH123456",
        insurers=[insurer],
    )  # fmt: skip
    page = client.get(clinic.get_absolute_url()).content.decode()
    assert "£95.50" in page
    assert "Initial assessment" in page
    assert "09:00–13:00, 14:00–18:00" in page
    assert "Sunday</th><td>Closed" in page
    assert "HCPC PH123456" in page
    assert "Recognised by Bupa" in page
    assert "Clapham North" in page
    assert "openstreetmap.org/?mlat=51.46220&amp;mlon=-0.13810" in page


def test_unpublished_clinics_and_guides_are_not_found(client):
    clinic = make_clinic(is_published=False)
    assert client.get(clinic.get_absolute_url()).status_code == 404
    guide = make_guide(status="draft")
    assert client.get(guide.get_absolute_url()).status_code == 404
    practitioner = make_practitioner(is_published=False)
    assert client.get(practitioner.get_absolute_url()).status_code == 404


def test_admin_markdown_cannot_run_script_on_the_guide_page(client):
    guide = make_guide(sections=0, faqs=0, intro='<img src=x onerror="alert(1)">Hello')
    GuideSection.objects.create(
        guide=guide,
        heading="Safety",
        body='<script>alert("x")</script>[click](javascript:alert(2)) <b onclick="x()">bold</b>',
    )
    page = client.get(guide.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "onerror" not in page
    assert "javascript:" not in page
    assert "onclick" not in page
    assert "<b>bold</b>" in page


def test_search_reports_bad_parameters_in_the_form(client):
    make_clinic()
    response = client.get("/search/?treatment=no-such-thing&area=%FF&page=-3")
    assert response.status_code == 200
    assert response.context["filter"].form.errors["treatment"]
    assert "Select a valid choice" in response.content.decode()


def test_search_finds_clinics_offering_a_treatment_in_an_area(client):
    treatment = make_treatment()
    borough = make_borough()
    inside = make_clinic(area=make_neighbourhood(parent=borough), name="Inside")
    make_offer(inside, treatment)
    elsewhere = make_clinic(name="Elsewhere")
    make_offer(elsewhere, treatment)
    make_clinic(area=borough, name="Without the treatment")
    response = client.get(f"/search/?treatment={treatment.slug}&area={borough.slug}")
    assert [c.name for c in response.context["page"]] == ["Inside"]


# --- Fixed query counts -------------------------------------------------------------------


def build_listings(clinic_count):
    """A treatment with a guide, a condition, and `clinic_count` clinics with full profiles."""
    treatment = make_treatment(slug="dry-needling")
    make_guide(treatment=treatment)
    condition = make_condition(slug="neck-pain")
    TreatmentCondition.objects.create(treatment=treatment, condition=condition, structures="x")
    insurer, language = make_insurer(), make_language()
    borough = make_borough(slug="lambeth")
    clinics = []
    for i in range(clinic_count):
        clinic = make_clinic(area=make_neighbourhood(parent=borough), slug=f"clinic-n{i}")
        make_offer(clinic, treatment, session_type=Offer.SessionType.INITIAL)
        make_offer(clinic, treatment, session_type=Offer.SessionType.FOLLOW_UP, price_pence=6500)
        make_opening_hours(clinic)
        practitioner = make_practitioner(
            clinics=[clinic], treatments=[treatment], insurers=[insurer], slug=f"person-{i}"
        )
        practitioner.languages.add(language)
        clinics.append(clinic)
    return clinics


VERSION = "the listings version: is this process's index up to date?"
CARDS = ["the page of clinics, with their areas and first photos", "their opening hours"]
# Each page's queries once the listings index is up to date (its own cost is pinned below):
# the same for one clinic as for sixty.
PAGES = {
    "/": [
        VERSION,
        "regions",
        "their boroughs",
        "their neighbourhoods",
        "published guides with their treatments",
    ],
    "/treatments/": [VERSION, "which treatments have a published guide"],
    "/treatments/dry-needling/": [
        "the guide with its treatment",
        "its sections",
        "its FAQs",
        "its latest clinical review",
        VERSION,
        "the conditions it helps, with the muscles involved",
        "related treatments",
    ],
    "/clinics/clinic-n0/": [
        "the clinic with its area",
        "opening hours",
        "photos",
        "offers with their treatments",
        "practitioners",
        "their languages",
        "their insurers",
        "its published reviews in brief: their rating, count and latest date",
        "its latest reviews with their treatments",
        "answered enquiries of the last 90 days: the typical reply time",
    ],
    "/practitioners/person-0/": [
        "the practitioner",
        "their clinics with areas",
        "languages",
        "treatments",
        "insurers",
    ],
    "/search/?treatment=dry-needling&area=lambeth": [VERSION, *CARDS],
    "/areas/lambeth/": [VERSION, *CARDS],
    "/treatments/dry-needling/lambeth/": [VERSION, *CARDS],
    "/conditions/neck-pain/": [VERSION, *CARDS, "the treatments that help the condition"],
    "/search/?treatment=dry-needling&show=practitioners": [
        VERSION,
        "the page of practitioners",
        "their clinics with areas",
        "their insurers",
    ],
    "/areas/": [VERSION, "regions", "their boroughs", "their neighbourhoods"],
    "/conditions/": [VERSION],
    "/costs/": [VERSION],
    "/what-we-check/": [],
}
INDEX_BUILD = [
    VERSION,
    "treatments",
    "published conditions",
    "which treatments help which conditions",
    "areas",
    "insurers",
    "languages",
    "price bands",
    "postcode districts",
    "published clinics",
    "their offers",
    "their opening hours",
    "which have photos",
    "their links to published practitioners",
    "those practitioners",
    "their treatments",
    "their languages",
    "their insurers",
    "enquiries answered in the last 90 days",
    "their published reviews: the sum of ratings, count and latest, by clinic",
]
INDEX_CATCH_UP = [
    VERSION,
    "the changes since this index's version",
    *INDEX_BUILD[9:],  # the same rows, of the changed clinics only
]


@pytest.mark.parametrize("clinic_count", [1, 60])
@pytest.mark.parametrize("url", PAGES)
def test_page_query_count_is_fixed(client, url, clinic_count):
    """The same number of queries for one clinic as for many, once the index is current."""
    build_listings(clinic_count)
    assert client.get(url).status_code == 200  # this process's index built
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == len(PAGES[url]), [q["sql"] for q in queries]


@pytest.mark.parametrize("clinic_count", [1, 60])
def test_the_listings_index_costs_a_fixed_number_of_queries(clinic_count):
    """Built whole, and brought up to date after a clinic's edit, in the same number of
    queries for one clinic as for sixty."""
    clinics = build_listings(clinic_count)
    forget_index()
    with CaptureQueriesContext(connection) as queries:
        listings_index()
    assert len(queries) == len(INDEX_BUILD), [q["sql"] for q in queries]

    clinics[-1].save()
    with CaptureQueriesContext(connection) as queries:
        listings_index()
    assert len(queries) == len(INDEX_CATCH_UP), [q["sql"] for q in queries]
