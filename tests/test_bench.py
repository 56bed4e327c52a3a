"""The benchmark's own pieces (bench/): its yardstick must cost nothing but Django, and its query
count must count every query of a request."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from bench.middleware import count_queries
from tests.factories import make_clinic

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urls")]


def test_the_reference_page_runs_no_sql(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/bench/reference/")
    assert response.status_code == 200
    assert response.templates[0].name == "base.html"


def test_the_site_is_served_as_well(client):
    clinic = make_clinic()
    assert client.get(clinic.get_absolute_url()).status_code == 200


def _with_counting(settings):
    return override_settings(MIDDLEWARE=["bench.middleware.count_queries", *settings.MIDDLEWARE])


def test_query_counts_are_given_when_asked(client, settings):
    clinic = make_clinic()
    with _with_counting(settings):
        with CaptureQueriesContext(connection) as captured:
            asked = client.get(clinic.get_absolute_url(), headers={"X-Bench-Count-Queries": "1"})
        assert int(asked["X-Bench-Queries"]) == len(captured) > 0
        assert "X-Bench-Queries" not in client.get(clinic.get_absolute_url())


def test_the_counting_middleware_passes_other_requests_through(rf):
    response = object()
    request = rf.get("/")
    assert count_queries(lambda request: response)(request) is response


def test_the_listing_changed_address_makes_the_next_request_reload_a_clinic(client):
    """How the benchmark measures a page after a clinic's edit: the next request brings the
    listings index up to date first."""
    make_clinic()
    client.get("/costs/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/costs/")
    assert len(captured) == 1  # the listings version only
    assert client.get("/bench/listing-changed/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/costs/").status_code == 200
    assert any('FROM "clinics_listingchange"' in q["sql"] for q in captured)


def test_the_cold_mix_draws_different_addresses_that_all_answer(client):
    """bench/addresses.py: as many different addresses as asked, the same ones for the same
    seed, each a search the site can answer without a form error."""
    from io import StringIO

    from django.core.management import call_command

    from bench.addresses import draw, national_data

    call_command("seed_demo", stdout=StringIO())
    data = national_data()
    addresses = draw(data, 120, seed=7)
    assert len(set(addresses)) == 120
    assert draw(data, 120, seed=7) == addresses != draw(data, 120, seed=8)
    assert sum(a.startswith("/search/") for a in addresses) > 80  # landing pages besides
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        assert not response.context["filter"].form.errors, address
