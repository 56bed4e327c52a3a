"""A patient's shortlist without an account: up to four clinics in a signed cookie of their
own, compared side by side, and never leaking into a page other visitors are served."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics import shortlist
from clinics.models import Enquiry, Offer, OutwardCode
from tests.factories import (
    make_clinic,
    make_insurer,
    make_neighbourhood,
    make_offer,
    make_opening_hours,
    make_practitioner,
    make_treatment,
)
from tests.test_public_pages import CARDS, VERSION

pytestmark = pytest.mark.django_db

ADD, REMOVE = reverse("clinics:shortlist-add"), reverse("clinics:shortlist-remove")


@pytest.fixture
def needling():
    return make_treatment(slug="dry-needling", name="Dry needling")


@pytest.fixture(autouse=True)
def sw4():
    area = make_neighbourhood(slug="clapham", name="Clapham")
    return OutwardCode.objects.create(code="SW4", area=area, latitude=51.4622, longitude=-0.1381)


@pytest.fixture
def clinics(needling, sw4):
    area = sw4.area
    found = []
    for n in range(5):
        clinic = make_clinic(area=area, slug=f"clinic-{n}", name=f"Clinic {n}")
        make_offer(clinic, needling, session_type=Offer.SessionType.INITIAL, price_pence=9000 + n)
        found.append(clinic)
    return found


def add(client, clinic, next_url="/search/"):
    return client.post(ADD, {"clinic": clinic.slug, "next": next_url})


def kept(client):
    return [c.slug for c in client.get(reverse("clinics:shortlist")).context["clinics"]]


def test_a_patient_keeps_up_to_four_clinics_in_the_order_added(client, clinics):
    for clinic in clinics[:4]:
        assert add(client, clinic).status_code == 302
    response = add(client, clinics[4])
    assert kept(client) == ["clinic-0", "clinic-1", "clinic-2", "clinic-3"]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Remove one to add Clinic 4" in messages[-1]

    add(client, clinics[0])  # twice: still once
    client.post(REMOVE, {"clinic": "clinic-1"})
    assert kept(client) == ["clinic-0", "clinic-2", "clinic-3"]
    client.post(REMOVE, {"clinic": "all"})
    assert kept(client) == []


def test_buttons_return_to_the_page_they_were_on_and_nowhere_else(client, clinics):
    back = "/search/?treatment=dry-needling#clinic-clinic-0"
    assert add(client, clinics[0], back)["Location"] == back
    assert add(client, clinics[1], "https://evil.example/")["Location"] == "/shortlist/"
    assert add(client, clinics[2], "//evil.example/")["Location"] == "/shortlist/"


def test_the_cookie_is_signed_private_and_only_read_when_untouched(client, clinics):
    response = add(client, clinics[0])
    cookie = response.cookies[settings.SHORTLIST_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == shortlist.MAX_AGE.total_seconds()
    assert str(clinics[0].pk) in cookie.value and ":" in cookie.value  # value:signature

    forged = Client()
    forged.cookies[settings.SHORTLIST_COOKIE_NAME] = f"{clinics[1].pk},{clinics[2].pk}"
    assert kept(forged) == []


def test_the_cookie_is_secure_and_host_only_over_https(client, clinics, settings):
    settings.SHORTLIST_COOKIE_NAME, settings.SESSION_COOKIE_SECURE = "__Host-shortlist", True
    cookie = add(client, clinics[0]).cookies["__Host-shortlist"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]


def test_unknown_or_unpublished_clinics_and_wrong_methods_are_refused(client, clinics):
    hidden = make_clinic(is_published=False, slug="hidden")
    assert add(client, hidden).status_code == 404
    assert client.post(ADD, {"clinic": "no-such\x00thing"}).status_code == 404
    assert client.get(ADD).status_code == 405
    assert client.get(REMOVE).status_code == 405
    assert client.post(REMOVE, {"clinic": "nobody"}).status_code == 302
    assert client.post(REMOVE, {"clinic": "no\x00body"}).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(ADD, {"clinic": clinics[0].slug}).status_code == 403


def test_a_clinic_that_leaves_the_directory_leaves_the_shortlist(client, clinics):
    add(client, clinics[0])
    add(client, clinics[1])
    clinics[0].is_published = False
    clinics[0].save()
    assert kept(client) == ["clinic-1"]
    assert client.cookies[settings.SHORTLIST_COOKIE_NAME].value.startswith(str(clinics[1].pk))


# --- Personal state is marked as such, and never reaches another visitor ------------------

SEARCH = "/search/?treatment=dry-needling"


def shows_a_shortlist(page):
    return any(
        words in page
        for words in ("On your shortlist", "Compare your shortlist", 'text-bg-primary">')
    )


@pytest.mark.parametrize("patient_first", [True, False], ids=["patient first", "stranger first"])
@pytest.mark.parametrize("path", [SEARCH, "/clinics/clinic-1/", "/"])
def test_a_page_showing_a_shortlist_is_private_and_the_next_visitor_sees_none(
    clinics, path, patient_first
):
    """No page cache is left to leak into, but a cache in front of the site (a proxy, a CDN)
    must learn from the headers which pages are one visitor's own: those showing a shortlist
    say `Cache-Control: private`, and every page that looked for one says `Vary: Cookie`."""
    patient = Client()
    add(patient, clinics[1])
    add(patient, clinics[2])
    visits = [("patient", patient), ("stranger", Client())]
    for who, client in visits if patient_first else visits[::-1]:
        response = client.get(path)
        page = response.content.decode()
        assert "Cookie" in response["Vary"], (who, path)
        if who == "patient":
            assert "private" in response["Cache-Control"], path
            assert 'text-bg-primary">2<span class="visually-hidden"> clinics' in page
            if path != "/":
                assert "On your shortlist" in page
        else:
            assert "private" not in response.get("Cache-Control", ""), path
            assert not shows_a_shortlist(page), path
    theirs = patient.get(SEARCH).content.decode()
    assert theirs.count("On your shortlist") == 2 and "Compare your shortlist (2)" in theirs


def test_a_page_that_never_looks_at_the_shortlist_does_not_depend_on_it(client, clinics):
    add(client, clinics[0])
    response = client.get("/robots.txt")
    assert "Cookie" not in response.get("Vary", "")
    assert "private" not in response.get("Cache-Control", "")


def test_shortlist_and_compare_pages_are_never_stored(client, clinics):
    add(client, clinics[0])
    for name in ("clinics:shortlist", "clinics:compare"):
        response = client.get(reverse(name))
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert "Clinic 0" in response.content.decode()
        assert "Clinic 0" not in Client().get(reverse(name)).content.decode()


# --- Compare ------------------------------------------------------------------------------


def test_compare_shows_each_clinic_side_by_side_for_the_chosen_treatment(client, needling):
    area = make_neighbourhood(name="Clapham")
    bupa, axa = make_insurer(name="Bupa"), make_insurer(name="AXA Health")
    near = make_clinic(area=area, name="Near Clinic", latitude=51.4622, longitude=-0.1381)
    near.set_next_available(this_week=True)
    make_offer(near, needling, session_type=Offer.SessionType.INITIAL, price_pence=9500)
    make_offer(near, needling, session_type=Offer.SessionType.FOLLOW_UP, price_pence=6500)
    make_opening_hours(near, weekday=0, opens="09:00", closes="18:00")
    make_practitioner(clinics=[near], insurers=[bupa])
    far = make_clinic(
        area=area, name="Far Clinic", latitude=51.55, longitude=-0.1, step_free_access=True
    )
    make_offer(far, needling, session_type=Offer.SessionType.INITIAL, price_pence=11000)
    make_offer(far, make_treatment(name="Acupuncture", slug="acupuncture"), price_pence=5000)
    make_practitioner(clinics=[far], insurers=[axa])
    now = timezone.now()
    for _ in range(5):
        Enquiry.objects.create(
            clinic=far, name="P", email="p@example.com", message="x", consent_given_at=now,
            answered_at=now + datetime.timedelta(hours=3),
        )  # fmt: skip
    add(client, near)
    add(client, far)

    response = client.get(reverse("clinics:compare") + "?postcode=SW4")
    page = response.content.decode()
    assert response.context["treatment"] == needling  # the one both offer, until chosen
    assert [c.name for c in response.context["clinics"]] == ["Near Clinic", "Far Clinic"]
    assert "with prices for dry needling and distances from SW4" in page
    assert "<strong>£95</strong>" in page and "<strong>£110</strong>" in page
    assert "Follow-up session" in page and "Not offered" in page  # far has no follow-up
    assert "0.0 miles" in page and "6.3 miles" in page
    assert "<strong>This week</strong>" in page and "Not given; taking new patients" in page
    assert "Usually within 3 hours" in page and "Too few enquiries yet to say" in page
    assert "Bupa" in page and "AXA Health" in page
    assert "Mon 09:00–18:00" in page and "Mon–Sun closed" in page
    assert "Step-free entrance" in page and "No step-free entrance" in page

    acupuncture = client.get(reverse("clinics:compare") + "?treatment=acupuncture").content
    assert b"Standard session" in acupuncture and b"<strong>\xc2\xa350</strong>" in acupuncture


def test_compare_reports_a_postcode_it_cannot_use_and_keeps_the_rest(client, clinics):
    add(client, clinics[0])
    response = client.get(reverse("clinics:compare") + "?postcode=SW99&treatment=nope")
    page = response.content.decode()
    assert response.status_code == 200
    assert "We don&#x27;t know the district SW99" in page
    assert "Select a valid choice" in page
    assert 'value="SW99"' in page


COMPARE = [
    VERSION,
    *CARDS,
    "their offers of the chosen treatment",
    "their published practitioners",
    "those practitioners' insurers",
]  # the treatments, the postcode district and the reply times come from the listings index
SHORTLIST = [VERSION, *CARDS]


def test_compare_and_shortlist_pages_run_a_fixed_number_of_queries(needling):
    insurer = make_insurer()
    counts = {}
    for size in (1, 4):
        client = Client()
        for n in range(size):
            clinic = make_clinic(name=f"Size {size} clinic {n}")
            make_offer(clinic, needling, session_type=Offer.SessionType.INITIAL)
            make_opening_hours(clinic)
            make_practitioner(clinics=[clinic], insurers=[insurer])
            add(client, clinic)
        client.get(reverse("clinics:shortlist"))  # this process's index brought up to date
        with CaptureQueriesContext(connection) as compare:
            client.get(reverse("clinics:compare") + "?treatment=dry-needling&postcode=SW4")
        with CaptureQueriesContext(connection) as kept_page:
            client.get(reverse("clinics:shortlist"))
        counts[size] = (len(compare), len(kept_page))
    assert counts[1] == counts[4] == (len(COMPARE), len(SHORTLIST)), counts
