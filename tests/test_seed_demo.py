"""seed_demo builds the London demo the product describes, the same every time."""

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from clinics.models import Area, Clinic, Insurer, Offer, Practitioner, StaffMembership
from directory.demo import files
from treatments.models import Guide, GuideText, Treatment

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
    areas = files.areas()
    codes = [
        code for entry in [*areas.boroughs, *areas.neighbourhoods] for code in entry["postcodes"]
    ]
    assert len(codes) == len(set(codes))
    assert set(codes) == set(areas.outward_codes)
    assert not any(entry["postcodes"] for entry in areas.regions)


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


# Words that may repeat in any sentence: a repeated phrase must hold something else.
COMMON_WORDS = {
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "is", "it", "of", "on", "or",
    "the", "to", "with", "you", "your", "we", "our",
}  # fmt: skip


def repeated_phrases(text):
    """Runs of two or more words said twice in one text ('golf and tennis ... golf and
    tennis'), unless every word in them is a common one ('of the')."""
    words = re.findall(r"[a-z']+", text.lower())
    found = set()
    for n in (2, 3, 4):
        seen = set()
        for i in range(len(words) - n + 1):
            phrase = tuple(words[i : i + n])
            if phrase in seen and set(phrase) - COMMON_WORDS:
                found.add(" ".join(phrase))
            seen.add(phrase)
    return found


def test_the_repeated_phrase_check_finds_what_it_should():
    assert repeated_phrases("sees adults with golf and tennis and golf and tennis") >= {
        "golf and tennis"
    }
    assert not repeated_phrases("The team sees adults with running injuries and tendon pain.")


def test_no_demo_description_repeats_itself(seeded):
    texts = [
        *Clinic.objects.values_list("name", "description"),
        *Practitioner.objects.values_list("slug", "bio"),
    ]
    repeating = {name: repeated_phrases(text) for name, text in texts if repeated_phrases(text)}
    assert not repeating, repeating
    # Each clinic names two different interests, never one twice.
    interests = re.compile(r"particular interest in (.+?), as well as (.+?), and offers")
    pairs = [interests.search(text).groups() for _, text in texts[: Clinic.objects.count()]]
    assert all(first != second for first, second in pairs)


def test_each_demo_guide_is_published_as_a_version_with_its_review(seeded):
    guides = Guide.objects.prefetch_related("sections", "faqs")
    assert {guide.treatment.slug for guide in guides} == {source.slug for source in files.guides()}
    for guide in guides:
        version = guide.current_version()
        assert version.as_text() == GuideText.of_guide(guide)
        review = guide.latest_review()
        assert review.version == version
        assert review.registration().startswith("HCPC registration PH99")
        assert review.full_clean() is None


def test_a_second_run_after_an_admin_published_puts_the_demo_text_back_as_a_version(seeded):
    guide = Guide.objects.get(treatment__slug="dry-needling")
    text = guide.current_version().as_text()
    text.sections = text.sections[:2]
    guide.save_draft(text, None, guide.state_token(None, guide.current_version()))
    guide.publish(None)
    assert guide.sections.count() == 2

    output = seed()
    assert "Guide versions: 1 created" in output
    guide = Guide.objects.prefetch_related("sections", "faqs").get(pk=guide.pk)
    assert guide.current_version().number == 3
    assert guide.current_version().as_text() == GuideText.of_guide(guide)
    demo = next(source for source in files.guides() if source.slug == "dry-needling")
    assert guide.sections.count() == len(demo.text.sections)


def test_the_dry_needling_guide_carries_the_safety_points(seeded):
    guide = Guide.objects.get(treatment__slug="dry-needling")
    text = " ".join(
        [s.body for s in guide.sections.all()] + [f.answer for f in guide.faqs.all()]
    ).lower()
    for fact in (
        "pneumothorax",
        "collapsed lung",
        "chest wall",
        "call 999",
        "single-use",
        "24–48 hours",
        "0.20–0.30 mm",
        "5 and 12 needles",
        "10–30 minutes",
        "leave it out",  # why some insurers exclude it
        "clinically necessary",
        "bupa, axa health and vitality",
    ):
        assert fact in text, fact
