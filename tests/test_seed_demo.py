"""seed_demo builds the London demo the product describes, the same every time."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from clinics.models import Area, Clinic, Insurer, Offer, Practitioner, StaffMembership
from directory.demo import areas as area_data
from treatments.models import Guide, Treatment

pytestmark = pytest.mark.django_db

WELL_KNOWN_NEIGHBOURHOODS = [
    "Clapham", "Battersea", "Canary Wharf", "Shoreditch", "Kensington", "Chelsea", "Fulham",
    "Wimbledon", "Richmond", "Hampstead", "Camden Town", "Notting Hill", "Marylebone",
    "Stratford", "Brixton", "Balham", "Putney",
]  # fmt: skip


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot():
    """Every row of every project table, as plain values."""
    tables = {}
    for label in ("treatments", "clinics", "directory", "auth"):
        for model in apps.get_app_config(label).get_models():
            tables[model._meta.label] = sorted(
                model.objects.values_list(), key=lambda row: [str(v) for v in row]
            )
    return tables


@pytest.fixture
def seeded():
    return seed()


def test_areas_cover_london(seeded):
    assert Area.objects.regions().count() == 5
    boroughs = Area.objects.boroughs()
    assert boroughs.count() == 33
    assert boroughs.filter(name="City of London").exists()
    assert all(b.parent.kind == Area.Kind.REGION for b in boroughs.select_related("parent"))
    neighbourhoods = Area.objects.neighbourhoods()
    assert neighbourhoods.count() >= 40
    names = set(neighbourhoods.values_list("name", flat=True))
    assert set(WELL_KNOWN_NEIGHBOURHOODS) <= names
    clapham = Area.objects.get(slug="clapham")
    assert clapham.parent.slug == "lambeth"
    assert list(clapham.outward_codes.values_list("code", flat=True)) == ["SW4"]


def test_outward_codes_belong_to_one_area_each():
    codes = [
        code
        for entry in [*area_data.BOROUGHS, *area_data.NEIGHBOURHOODS]
        for code in entry["postcodes"]
    ]
    assert len(codes) == len(set(codes))
    assert set(codes) == set(area_data.OUTWARD_CODES)


def test_listings_match_the_product_description(seeded):
    assert 180 <= Clinic.objects.count() <= 220
    dry_needling = Treatment.objects.get(slug="dry-needling")
    assert Clinic.objects.published().offering(dry_needling).count() > 120
    assert 450 <= Practitioner.objects.count() <= 550
    assert set(Insurer.objects.values_list("name", flat=True)) == {
        "Bupa", "AXA Health", "Vitality", "Aviva", "WPA", "Cigna", "Simplyhealth",
    }  # fmt: skip
    # Every borough has at least one clinic, in it or in one of its neighbourhoods.
    for borough in Area.objects.boroughs():
        assert Clinic.objects.in_area(borough).exists(), borough.name


@pytest.mark.parametrize(
    ("session_type", "low", "high"),
    [
        ("standard", 7000, 10000),
        ("add_on", 1500, 3000),
        ("initial", 8500, 12000),
        ("follow_up", 6000, 9000),
    ],
)
def test_dry_needling_prices_stay_inside_the_guide_ranges(seeded, session_type, low, high):
    prices = list(
        Offer.objects.filter(treatment__slug="dry-needling", session_type=session_type).values_list(
            "price_pence", flat=True
        )
    )
    assert len(prices) > 10
    assert all(low <= p <= high for p in prices)
    assert all(p % 100 == 0 for p in prices)


def test_guides_are_complete(seeded):
    guide = Guide.objects.get(treatment__slug="dry-needling")
    assert guide.is_published()
    headings = [s.heading.lower() for s in guide.sections.all()]
    for topic in (
        "what is",
        "work",
        "conditions",
        "session",
        "hurt",
        "how many",
        "cost",
        "acupuncture",
    ):
        assert any(topic in h for h in headings), topic
    questions = [f.question.lower() for f in guide.faqs.all()]
    assert len(questions) == 3
    assert any("safe" in q for q in questions)
    assert any("chronic" in q for q in questions)
    assert any("insurance" in q for q in questions)
    assert guide.treatment.treatmentcondition_set.count() == 8
    assert Guide.objects.published().exclude(pk=guide.pk).count() >= 6


def test_demo_accounts_are_created_and_printed(seeded):
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    staff = User.objects.get(username="staff")
    assert not staff.is_staff
    roles = set(StaffMembership.objects.filter(user=staff).values_list("role", flat=True))
    assert roles == {"owner", "editor"}
    assert "email admin@demo.example, password demo-admin-password" in seeded
    assert "email staff@demo.example, password demo-staff-password" in seeded
    # Sign-in is by verified email, and these sign in at once.
    for user in (admin, staff):
        assert EmailAddress.objects.filter(user=user, verified=True, primary=True).count() == 1
    client = Client()
    signed_in = client.post(
        reverse("account_login"),
        {"login": "staff@demo.example", "password": "demo-staff-password"},
    )
    assert signed_in["Location"] == reverse("portal:home")


def test_second_run_changes_nothing(seeded):
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert "created" not in output.split("Demo accounts")[0]
    assert "updated" not in output


def test_a_changed_row_is_put_back(seeded):
    clinic = Clinic.objects.order_by("pk").first()
    Clinic.objects.filter(pk=clinic.pk).update(name="Renamed")
    output = seed()
    clinic.refresh_from_db()
    assert clinic.name != "Renamed"
    assert "Clinics: 0 created, 1 updated" in output
