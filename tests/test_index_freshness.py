"""The listings index stays true: any change to clinics, offers, practitioners, hours or the
options a search offers shows on the next request, in every figure and count, whichever way
it was made (a form, the admin, a many-to-many change, a bulk write that records itself)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clinics import index
from clinics.index import listings_index, record_change
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


def test_an_unchanged_index_costs_one_query_a_page(client, world):
    """Otherwise nothing below proves the index was brought up to date rather than rebuilt."""
    client.get("/costs/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/costs/")
    assert queries[0]["sql"].startswith('SELECT "clinics_listingsversion"')
    assert len(queries) == 1


def test_a_new_clinic_shows_in_guide_figures_search_and_facets_at_once(client, world):
    treatment, area, _ = world
    assert guide_count(client) == 1
    assert search_count(client) == 1

    bravo = make_clinic(area=area, slug="bravo")
    make_offer(bravo, treatment, price_pence=9000)

    assert guide_count(client) == 2
    assert search_count(client) == 2
    form = client.get("/search/").context["filter"].form
    assert "Dry needling (2)" in dict(form.fields["treatment"].widget.choices).values()


def test_a_price_change_shows_on_the_costs_page_and_the_guide(client, world):
    assert "£70" in client.get("/costs/").content.decode()
    assert client.get("/treatments/dry-needling/").context["prices"]["standard"].lowest == 7000

    offer = Offer.objects.get()
    offer.price_pence = 6500
    offer.save()

    assert "£65" in client.get("/costs/").content.decode()
    assert client.get("/treatments/dry-needling/").context["prices"]["standard"].lowest == 6500


def test_a_deleted_offer_leaves_the_figures(client, world):
    assert search_count(client) == 1
    Offer.objects.get().delete()
    assert search_count(client) == 0
    assert guide_count(client) == 0


def test_a_practitioner_joining_a_clinic_changes_the_insurer_counts(client, world):
    treatment, _, clinic = world
    bupa = make_insurer(name="Bupa", slug="bupa")
    assert search_count(client, "treatment=dry-needling&insurer=bupa") == 0
    person = make_practitioner(treatments=[treatment], insurers=[bupa])

    person.clinics.add(clinic)  # a many-to-many change, no save() of either

    assert search_count(client, "treatment=dry-needling&insurer=bupa") == 1


def test_a_new_insurer_appears_among_the_search_choices(client, world):
    client.get("/search/")
    make_insurer(name="Vitality", slug="vitality")
    form = client.get("/search/").context["filter"].form
    assert "vitality" in dict(form.fields["insurer"].widget.choices)


def test_unpublishing_in_the_admin_takes_a_clinic_out_at_once(admin_client, world):
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


def test_confirming_details_in_the_portal_clears_the_stale_mark(client, world):
    _, _, clinic = world
    record_change([clinic.pk])  # update() sends no signal: a data fix records itself
    Clinic.objects.filter(pk=clinic.pk).update(details_confirmed_on=datetime.date(2025, 9, 1))
    page = client.get("/search/?treatment=dry-needling").context["page"]
    assert [c.is_stale for c in page] == [True]

    client.force_login(make_staff(clinic))
    client.post(f"/portal/{clinic.slug}/confirm/")

    page = client.get("/search/?treatment=dry-needling").context["page"]
    assert [c.is_stale for c in page] == [False]


def test_demo_data_loaded_in_bulk_is_found_at_once(client, world):
    assert search_count(client, "") == 1
    call_command("seed_demo", stdout=io.StringIO())
    assert search_count(client, "") > 100


def test_every_process_learns_of_a_change_it_did_not_make(client, world):
    """Another process's index (here: this one's, set back to before the change, as if it had
    been built elsewhere) reloads just the clinic changed, with no rebuild."""
    treatment, area, _ = world
    before = listings_index()
    make_offer(make_clinic(area=area), treatment)
    index.forget_index()
    index._current = before

    with CaptureQueriesContext(connection) as queries:
        assert search_count(client) == 2
    assert not any('FROM "treatments_treatment"' in q["sql"] for q in queries)  # no rebuild


def test_an_index_that_saw_a_change_later_rolled_back_rebuilds(client, world):
    treatment, area, _ = world
    try:
        with transaction.atomic():
            make_offer(make_clinic(area=area), treatment)
            assert search_count(client) == 2
            raise RuntimeError("the change is abandoned")
    except RuntimeError:
        pass
    assert search_count(client) == 1
    make_offer(make_clinic(area=area), treatment)  # the same version number again
    assert search_count(client) == 2
