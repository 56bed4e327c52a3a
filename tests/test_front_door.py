"""The patient's front door: the home page's search, result cards and clinic pages that answer
at a glance, badges that mean one thing each, and the pictures that go with them."""

import datetime
import io
import re
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from clinics.models import Clinic, ClinicPhoto, Offer, OutwardCode
from clinics.portal.forms import PhotoUploadForm
from tests.factories import (
    days_ago,
    make_borough,
    make_clinic,
    make_offer,
    make_practitioner,
    make_treatment,
)
from tests.test_public_pages import CARDS, VERSION

pytestmark = pytest.mark.django_db


@pytest.fixture
def london(london):
    """The shared London, with SW4's postcode district and a borough whose name patients
    write with an ampersand."""
    make_borough(parent=london.south, name="Kensington and Chelsea", slug="kensington-and-chelsea")
    OutwardCode.objects.create(code="SW4", area=london.clapham, latitude=51.4622, longitude=-0.1381)
    return london


# --- Home and /find/ ----------------------------------------------------------------------


def found(client, **params):
    response = client.get("/find/", params)
    assert response.status_code == 302, response.content[:300]
    url = urlsplit(response["Location"])
    return url.path, {key: values[0] for key, values in parse_qs(url.query).items()}


@pytest.mark.parametrize(
    "where, sent",
    [
        ("SW4", {"postcode": "SW4"}),
        ("sw4 7aa", {"postcode": "sw4 7aa"}),
        ("E1", {"postcode": "E1"}),
        ("clapham", {"area": "clapham"}),
        ("Claphm", {"area": "clapham"}),  # a slip, as the search's postcode box allows
        ("  Clapham  ", {"area": "clapham"}),
        ("Kensington & Chelsea", {"area": "kensington-and-chelsea"}),
        ("LAMBETH", {"area": "lambeth"}),
        ("", {}),
    ],
)
def test_the_home_box_takes_a_postcode_or_a_place(client, london, where, sent):
    path, params = found(client, where=where, treatment="dry-needling")
    assert path == "/search/"
    assert params == {"treatment": "dry-needling", **sent}


def test_a_place_we_do_not_know_comes_back_with_the_closest_names(client, london):
    make_treatment(slug="dry-needling", name="Dry needling")
    response = client.get("/find/", {"where": "Clpahm", "treatment": "dry-needling"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "We could not find “Clpahm”" in page
    assert 'href="/search/?treatment=dry-needling&amp;area=clapham"' in page
    assert 'value="Clpahm"' in page  # what was typed is kept
    assert '<option value="dry-needling" selected>Dry needling</option>' in page
    assert response["Cache-Control"] == "no-store"
    assert '<meta name="robots" content="noindex">' in page


@pytest.mark.parametrize("where", ["x" * 500, "<script>", "\x00", "SW99 9ZZ9", "💥"])
def test_anything_typed_is_answered_without_an_error(client, london, where):
    response = client.get("/find/", {"where": where, "q": "a" * 500})
    assert response.status_code in (200, 302)
    assert "<script>" not in response.content.decode()


def test_the_home_page_asks_where_and_for_what_first(client, london):
    clinic = make_clinic(area=london.clapham)
    make_offer(clinic, make_treatment(slug="dry-needling", name="Dry needling"))
    page = client.get("/").content.decode()
    main = page[page.index('<main id="main"') :]
    first_form = main[: main.index("</form>")]
    assert 'action="/find/"' in first_form
    assert 'name="where"' in first_form and 'name="treatment"' in first_form
    assert '<option value="Clapham">' in page  # places offered as the patient types
    assert 'name="q"' in page  # keywords
    assert 'href="/areas/clapham/">Clapham</a>' in page  # neighbourhoods reachable
    assert 'data-count="1"><strong>1 clinic</strong></a> across London' in page
    assert page.index("HCPC register") < page.index("Popular treatments")
    assert 'href="/what-we-check/"' in page


def test_the_trust_strip_counts_listed_clinics_as_the_search_does(client, london):
    make_clinic(area=london.clapham)
    make_clinic(area=london.clapham, is_published=False)
    make_clinic(
        area=london.clapham,
        details_confirmed_on=days_ago(600),
    )
    response = client.get("/")
    assert response.context["counts"]["clinics"] == Clinic.objects.listed().count() == 1


def test_what_we_check_explains_every_badge_with_the_rules_in_force(client, settings):
    settings.LISTING_STALE_AFTER_MONTHS, settings.LISTING_HIDDEN_AFTER_MONTHS = 11, 17
    page = client.get("/what-we-check/").content.decode()
    for words in ["Verified clinic", "HCPC checked", "Out of date", "Not confirmed for 17 months",
                  "not confirmed for 11 months", "14 days", "median over the last 90 days",
                  "What we do not check"]:  # fmt: skip
        assert words.lower() in page.lower(), words


# --- Cards and badges ---------------------------------------------------------------------


def months(n):
    return days_ago(round(n * 30.5))


def card_of(page, clinic):
    start = page.index(f'id="clinic-{clinic.slug}"')
    return page[start : page.index("</article>", start)]


def test_a_stale_listing_never_wears_verified(client, london):
    treatment = make_treatment(slug="dry-needling")
    fresh = make_clinic(
        area=london.clapham, name="Fresh", verified_on=months(30), details_confirmed_on=months(2)
    )
    stale = make_clinic(
        area=london.clapham, name="Stale", verified_on=months(1), details_confirmed_on=months(13)
    )
    for clinic in (fresh, stale):
        make_offer(clinic, treatment)
    page = client.get("/search/?treatment=dry-needling").content.decode()
    assert "Verified clinic" in card_of(page, fresh) and "Out of date" not in card_of(page, fresh)
    assert "Verified" not in card_of(page, stale)
    assert "Out of date" in card_of(page, stale)
    assert "not confirmed for over a year" in card_of(page, stale)
    profile = client.get(stale.get_absolute_url()).content.decode()
    assert "Verified" not in profile and "Out of date" in profile


def test_hcpc_checked_only_when_every_practitioner_was_found_on_the_register(client, london):
    treatment = make_treatment(slug="dry-needling")
    checked = make_clinic(area=london.clapham, name="Checked")
    partly = make_clinic(area=london.clapham, name="Partly")
    for clinic in (checked, partly):
        make_offer(clinic, treatment)
        make_practitioner(clinics=[clinic], treatments=[treatment], hcpc_checked_on=months(1))
    make_practitioner(clinics=[partly], treatments=[treatment], hcpc_checked_on=None)
    page = client.get("/search/?treatment=dry-needling").content.decode()
    assert "HCPC checked" in card_of(page, checked)
    assert "HCPC checked" not in card_of(page, partly)
    assert 'href="/what-we-check/">What we check' in card_of(page, partly)


def test_a_card_shows_the_first_session_price_of_the_chosen_treatment(client, london):
    needling = make_treatment(slug="dry-needling", name="Dry needling")
    massage = make_treatment(slug="massage", name="Massage")
    clinic = make_clinic(area=london.clapham)
    make_offer(clinic, needling, session_type=Offer.SessionType.INITIAL, price_pence=9500)
    make_offer(clinic, needling, session_type=Offer.SessionType.FOLLOW_UP, price_pence=6000)
    make_offer(clinic, massage, session_type=Offer.SessionType.INITIAL, price_pence=5000)
    card = card_of(client.get("/search/?treatment=dry-needling").content.decode(), clinic)
    assert 'class="amount">from £95</span>' in card and "first appointment, dry needling" in card
    assert "£60" not in card and "£50" not in card
    standard_only = make_clinic(area=london.clapham, name="Standard only")
    make_offer(standard_only, massage, session_type=Offer.SessionType.STANDARD, price_pence=7000)
    card = card_of(client.get("/search/?treatment=massage").content.decode(), standard_only)
    assert "from £70" in card and "first appointment, massage" in card


def test_a_card_shows_the_clinic_photo_from_the_same_query(client, london):
    treatment = make_treatment(slug="dry-needling")
    clinic = make_clinic(area=london.clapham)
    make_offer(clinic, treatment)
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (90, 140, 160)).save(buffer, "JPEG")
    upload = PhotoUploadForm(
        {"alt_text": "The treatment room"},
        {"image": SimpleUploadedFile("room.jpg", buffer.getvalue(), "image/jpeg")},
        clinic=clinic,
    )
    assert upload.is_valid(), upload.errors
    photo = upload.save()
    client.get("/search/?treatment=dry-needling")  # this process's index brought up to date
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/search/?treatment=dry-needling").content.decode()
    # The cards' first photos come with the page of clinics, in no query of their own.
    assert len(queries) == len([VERSION, *CARDS]), [q["sql"] for q in queries]
    card = card_of(page, clinic)
    assert f'src="{photo.thumbnail.url}" alt="The treatment room"' in card
    assert Image.open(photo.thumbnail.path).size == (settings.PHOTO_THUMBNAIL_SIDE, 320)


def test_a_card_says_when_the_clinic_next_opens(client, london):
    treatment = make_treatment(slug="dry-needling")
    clinic = make_clinic(area=london.clapham)
    make_offer(clinic, treatment)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).weekday()
    clinic.opening_hours.create(weekday=tomorrow, opens="08:30", closes="12:00")
    card = card_of(client.get("/search/?treatment=dry-needling").content.decode(), clinic)
    assert "Closed today · opens tomorrow 08:30" in card


# --- The clinic page ----------------------------------------------------------------------


def test_the_clinic_page_puts_photos_and_key_facts_first(client, london):
    treatment = make_treatment(name="Dry needling")
    clinic = make_clinic(area=london.clapham, phone="020 7946 0001", step_free_access=True)
    make_offer(clinic, treatment, session_type=Offer.SessionType.INITIAL, price_pence=9000)
    clinic.set_next_available(this_week=True)
    ClinicPhoto.objects.create(
        clinic=clinic, image="clinics/a.jpg", thumbnail="clinics/a-t.jpg", alt_text="Front door"
    )
    page = client.get(clinic.get_absolute_url()).content.decode()
    order = [page.index(marker) for marker in [
        'alt="Front door"', "<h1", "Price from", "Opening", "New patients", "Replies", "Access",
        "Treatments and prices", "Send an enquiry</h2>",
    ]]  # fmt: skip
    assert order == sorted(order)
    assert "Step-free entrance" in page and "Next appointment <strong>this week</strong>" in page
    bar = page[page.index('class="action-bar"') :]
    assert 'href="tel:02079460001"' in bar and 'href="#enquiry"' in bar
    assert 'id="enquiry"' in page


def test_every_page_carries_a_favicon_and_a_social_preview(client):
    page = client.get("/what-we-check/").content.decode()
    image = re.search(r'<meta property="og:image" content="([^"]+)"', page)[1]
    assert image.startswith("http://testserver/static/social-preview")
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    for href in ("favicon.svg", "favicon-32.png", "apple-touch-icon.png"):
        assert f"/static/{href}" in page
    assert Image.open(finders.find("social-preview.png")).size == (1200, 630)
    assert Image.open(finders.find("apple-touch-icon.png")).size == (180, 180)


# --- Demo photos --------------------------------------------------------------------------


def test_demo_photos_go_through_the_upload_path_and_a_second_run_adds_none(london):
    clinics = [make_clinic(area=london.clapham, slug=f"demo-{n}") for n in range(3)]
    out = StringIO()
    call_command("seed_demo_photos", clinic=[c.slug for c in clinics[:2]], stdout=out)
    photos = ClinicPhoto.objects.filter(clinic__in=clinics[:2])
    assert photos.exists() and not clinics[2].photos.exists()
    for photo in photos:
        assert photo.alt_text.startswith("Illustration of ") and "(demo image)" in photo.alt_text
        assert photo.image.name.endswith(".jpg") and photo.thumbnail.name.endswith(".jpg")
        with Image.open(photo.image.path) as image:
            assert image.format == "JPEG" and image.size == (960, 640)
    before = sorted(photos.values_list("image", flat=True))
    call_command("seed_demo_photos", clinic=[c.slug for c in clinics[:2]], stdout=StringIO())
    assert sorted(photos.values_list("image", flat=True)) == before
