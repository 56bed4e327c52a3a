"""Cached figures stay true: any change to clinics, offers, practitioners, guides or the
options a search offers shows on the next request, with local memory (development), files
(one machine's workers) and Redis (the cache several instances share)."""

import datetime
import io
import os
import socket

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinics import cache as listings_cache
from clinics.models import Clinic, Offer
from tests.factories import (
    make_borough,
    make_clinic,
    make_guide,
    make_insurer,
    make_offer,
    make_practitioner,
    make_staff,
    make_treatment,
)

pytestmark = pytest.mark.django_db

REDIS_LOCATION = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_is_up():
    host, port = "127.0.0.1", 6379
    try:
        socket.create_connection((host, port), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture(params=["locmem", "files", "redis"])
def backend(request, settings, tmp_path):
    if request.param == "files":  # production without Redis: one machine's workers share it
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    if request.param == "redis":
        if not redis_is_up():
            if os.environ.get("REQUIRE_REDIS"):
                pytest.fail("REQUIRE_REDIS is set but Redis is not reachable on 127.0.0.1:6379")
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_LOCATION,
            }
        }
    cache.clear()
    yield request.param
    cache.clear()


@pytest.fixture
def world():
    treatment = make_treatment(slug="dry-needling", name="Dry needling")
    make_guide(treatment=treatment)
    area = make_borough(slug="lambeth", name="Lambeth")
    clinic = make_clinic(area=area, slug="alpha", name="Alpha Physio")
    make_offer(clinic, treatment, price_pence=7000)
    make_practitioner(clinics=[clinic], treatments=[treatment])
    return treatment, area, clinic


def guide_count(client):
    return client.get("/treatments/dry-needling/").context["clinic_count"]


def search_count(client, query="treatment=dry-needling"):
    return client.get(f"/search/?{query}").context["page"].paginator.count


def test_pages_come_from_the_cache_when_nothing_changed(client, backend, world):
    """Otherwise caching proves nothing below."""
    client.get("/costs/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/costs/")
    assert len(queries) == 0


def test_a_new_clinic_shows_in_guide_figures_search_and_facets_at_once(client, backend, world):
    treatment, area, _ = world
    assert guide_count(client) == 1
    assert search_count(client) == 1

    bravo = make_clinic(area=area, slug="bravo")
    make_offer(bravo, treatment, price_pence=9000)

    assert guide_count(client) == 2
    assert search_count(client) == 2
    form = client.get("/search/").context["filter"].form
    assert "Dry needling (2)" in dict(form.fields["treatment"].widget.choices).values()


def test_a_price_change_shows_on_the_costs_page_and_the_guide(client, backend, world):
    assert "£70" in client.get("/costs/").content.decode()
    assert client.get("/treatments/dry-needling/").context["prices"]["standard"].lowest == 7000

    offer = Offer.objects.get()
    offer.price_pence = 6500
    offer.save()

    assert "£65" in client.get("/costs/").content.decode()
    assert client.get("/treatments/dry-needling/").context["prices"]["standard"].lowest == 6500


def test_a_deleted_offer_leaves_the_figures(client, backend, world):
    assert search_count(client) == 1
    Offer.objects.get().delete()
    assert search_count(client) == 0
    assert guide_count(client) == 0


def test_a_practitioner_joining_a_clinic_changes_the_insurer_counts(client, backend, world):
    treatment, _, clinic = world
    bupa = make_insurer(name="Bupa", slug="bupa")
    assert search_count(client, "treatment=dry-needling&insurer=bupa") == 0
    person = make_practitioner(treatments=[treatment], insurers=[bupa])

    person.clinics.add(clinic)  # a many-to-many change, no save() of either

    assert search_count(client, "treatment=dry-needling&insurer=bupa") == 1


def test_a_new_insurer_appears_among_the_search_choices(client, backend, world):
    client.get("/search/")
    make_insurer(name="Vitality", slug="vitality")
    form = client.get("/search/").context["filter"].form
    assert "vitality" in dict(form.fields["insurer"].widget.choices)


def test_unpublishing_in_the_admin_takes_a_clinic_out_at_once(admin_client, backend, world):
    _, _, clinic = world
    assert search_count(admin_client) == 1

    admin_client.post(
        "/admin/clinics/clinic/",
        {"action": "unpublish", "_selected_action": [clinic.pk]},
    )

    clinic.refresh_from_db()
    assert not clinic.is_published
    assert search_count(admin_client) == 0
    assert guide_count(admin_client) == 0


def test_confirming_details_in_the_portal_clears_the_stale_mark(client, backend, world):
    _, _, clinic = world
    Clinic.objects.filter(pk=clinic.pk).update(details_confirmed_on=datetime.date(2025, 9, 1))
    listings_cache.listings_changed()  # update() sends no signal: as a data fix would
    page = client.get("/search/?treatment=dry-needling").context["page"]
    assert [c.is_stale for c in page] == [True]

    client.force_login(make_staff(clinic))
    client.post(f"/portal/{clinic.slug}/confirm/")

    page = client.get("/search/?treatment=dry-needling").context["page"]
    assert [c.is_stale for c in page] == [False]


def test_demo_data_loaded_in_bulk_moves_the_version(backend, world):
    from django.core.management import call_command

    before = listings_cache.listings_version()
    call_command("seed_demo", stdout=io.StringIO())
    assert listings_cache.listings_version() != before


def test_a_cached_figure_survives_an_evicted_version_key(client, backend, world):
    """If the cache loses the version (eviction, restart), pages recompute, never fail."""
    assert guide_count(client) == 1
    cache.delete(listings_cache.VERSION_KEY)
    assert guide_count(client) == 1


# --- Whole pages for visitors without a session ---------------------------------------------


def test_a_signed_in_visitor_never_gets_or_leaves_a_shared_page(client, backend, world):
    _, _, clinic = world
    assert "For clinics" in client.get("/treatments/dry-needling/").content.decode()
    staff = Client()
    staff.force_login(make_staff(clinic))

    assert "Your clinics" in staff.get("/treatments/dry-needling/").content.decode()
    assert "Your clinics" not in Client().get("/treatments/dry-needling/").content.decode()


def test_shared_pages_tell_downstream_caches_they_vary_by_cookie(client, backend, world):
    for _ in range(2):  # made, then from the cache
        response = client.get("/search/?treatment=dry-needling")
        assert "Cookie" in response["Vary"]


def test_a_page_with_a_csrf_token_or_a_cookie_is_never_shared(rf, backend):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    calls = []

    @listings_cache.shared_page
    def with_form(request):
        calls.append(1)
        return HttpResponse(f"<input value='{get_token(request)}'>")

    @listings_cache.shared_page
    def with_cookie(request):
        calls.append(1)
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    for view in (with_form, with_cookie):
        calls.clear()
        view(rf.get("/page/"))
        view(rf.get("/page/"))
        assert len(calls) == 2, view.__name__


def test_a_visitor_with_messages_waiting_gets_the_page_fresh(rf, backend):
    from django.http import HttpResponse

    calls = []

    @listings_cache.shared_page
    def page(request):
        calls.append(1)
        return HttpResponse("hello")

    page(rf.get("/page/"))
    page(rf.get("/page/"))
    assert len(calls) == 1  # shared
    request = rf.get("/page/")
    request.COOKIES["messages"] = "something to show"
    page(request)
    assert len(calls) == 2


def test_a_shared_page_is_stored_compressed_for_browsers_that_accept_it(client, backend, world):
    import gzip

    plain = client.get("/costs/").content
    for _ in range(2):  # made, then from the cache
        response = client.get("/costs/", headers={"accept-encoding": "gzip, br"})
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        assert gzip.decompress(response.content) == plain


def test_a_clinic_edit_leaves_the_search_options_cached(client, backend, world):
    """Option lists change when an admin edits what can be chosen, not when a clinic edits its
    listing: after a clinic's edit the search recounts, but does not refetch them."""
    _, _, clinic = world
    client.get("/search/")
    clinic.home_visits = True
    clinic.save()

    with CaptureQueriesContext(connection) as queries:
        form = client.get("/search/").context["filter"].form
    assert not [q for q in queries if 'FROM "clinics_language"' in q["sql"]]
    assert "Home visits (1)" in form["home_visits"].label


def test_cached_figures_are_worked_out_again_the_next_day(backend):
    """Which listings are shown, and which are stale, depends on the date."""
    import time_machine

    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    with time_machine.travel(datetime.datetime(2026, 11, 25, 23, 0), tick=False):
        assert listings_cache.remember("figure", (), compute) == 1
        assert listings_cache.remember("figure", (), compute) == 1
    with time_machine.travel(datetime.datetime(2026, 11, 26, 9, 0), tick=False):
        assert listings_cache.remember("figure", (), compute) == 2


# --- A page with a form, shared: each visitor's own token and start time --------------------


def enquiry_form_values(page):
    import re

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    started = re.search(r'name="enquiry-started" value="([^"]+)"', page).group(1)
    return token, started


def test_a_clinic_page_is_shared_but_each_visitor_gets_their_own_form_tokens(backend, world):
    """The profile is made once; the CSRF token and the form's start time are each
    visitor's own, so the enquiry they send from the shared page is accepted."""
    import time_machine

    _, _, clinic = world
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        first_page = first.get(clinic.get_absolute_url()).content.decode()
    with (
        time_machine.travel(datetime.datetime(2026, 11, 25, 10, 20), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        second_page = second.get(clinic.get_absolute_url()).content.decode()
    assert len(queries) == 0  # from the cache
    assert "blank-" not in second_page
    assert enquiry_form_values(first_page)[0] != enquiry_form_values(second_page)[0]
    token, started = enquiry_form_values(second_page)

    post = {
        "csrfmiddlewaretoken": token,
        "enquiry-name": "Pat Patient",
        "enquiry-email": "pat@example.com",
        "enquiry-preferred_contact": "email",
        "enquiry-message": "My shoulder hurts when I lift my arm.",
        "enquiry-consent": "on",
        "enquiry-started": started,
    }
    url = f"{clinic.get_absolute_url()}enquiry/"
    # The start time is when this visitor got the page (10:20), not when it was made (10:00):
    # sent a second later, it is refused as too quick.
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 20, 1), tick=False):
        refused = second.post(url, post)
    assert refused.status_code == 200
    assert "That was very quick" in refused.content.decode()
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 21), tick=False):
        response = second.post(url, post)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert clinic.enquiries.count() == 1


@pytest.mark.parametrize("backend", ["locmem", "files"], indirect=True)
def test_a_shared_clinic_page_says_open_from_the_moment_the_clinic_opens(backend, world):
    """A page kept in the cache must not go on saying "Closed now" once the clinic opens
    (Redis keeps its own clock, which the test cannot move: local memory and files)."""
    import time_machine

    from tests.factories import make_opening_hours

    _, _, clinic = world
    make_opening_hours(clinic, weekday=2, opens="09:00", closes="17:00")  # a Wednesday
    url = clinic.get_absolute_url()
    with time_machine.travel(datetime.datetime(2026, 11, 25, 8, 59), tick=False):
        assert "Closed now" in Client().get(url).content.decode()
    with time_machine.travel(datetime.datetime(2026, 11, 25, 8, 59, 30), tick=False):
        with CaptureQueriesContext(connection) as queries:
            assert "Closed now" in Client().get(url).content.decode()
        assert len(queries) == 0  # still from the cache
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, 0, 1), tick=False):
        assert "Open now" in Client().get(url).content.decode()


def test_a_price_change_shows_on_the_shared_clinic_page_at_once(backend, world):
    _, _, clinic = world
    url = clinic.get_absolute_url()
    assert "£70" in Client().get(url).content.decode()
    offer = clinic.offers.get()
    offer.price_pence = 6500
    offer.save()
    page = Client().get(url).content.decode()
    assert "£65" in page and "£70" not in page


def visitor_secret(request):  # module-level: a cached page names the function
    return "visitor's own"


def test_a_blank_cannot_be_forged_by_text_on_the_page(rf, backend):
    """Blanks are keyed on the secret key: text that looks like one is left alone."""
    from django.http import HttpResponse

    @listings_cache.shared_page
    def page(request):
        blank = listings_cache.per_visitor(request, visitor_secret)
        return HttpResponse(f"{blank} | blank-0123456789abcdef")

    for _ in range(2):
        content = page(rf.get("/page/")).content.decode()
        assert content == "visitor&#x27;s own | blank-0123456789abcdef"


def test_a_practitioners_edit_shows_on_their_shared_page_at_once(backend, world):
    _, _, clinic = world
    practitioner = clinic.practitioners.get()
    url = practitioner.get_absolute_url()
    assert practitioner.last_name in Client().get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        Client().get(url)
    assert len(queries) == 0  # shared
    practitioner.last_name = "Okonkwo-Renamed"
    practitioner.save()
    assert "Okonkwo-Renamed" in Client().get(url).content.decode()
