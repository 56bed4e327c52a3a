"""The listings index's search against the plain one (tests/reference_search.py): on the demo
data, for hundreds of random searches, the same clinics in the same order with the same facet
counts; and again after random edits, which the index learns of one clinic at a time."""

import datetime
import io
import os
import random

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinics.facets import facet_counts
from clinics.index import listings_index
from clinics.models import (
    Area,
    Clinic,
    ClinicPhoto,
    Enquiry,
    Insurer,
    Language,
    Offer,
    OpeningHours,
    OutwardCode,
    Practitioner,
    PriceBand,
    Review,
)
from directory.filters import RATINGS, ClinicFilter
from tests import reference_search as reference
from tests.factories import make_invitation
from treatments.models import Condition, Treatment

pytestmark = pytest.mark.django_db

SEARCHES = settings(
    max_examples=int(os.environ.get("DIFF_EXAMPLES", 220)),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WORDS = [
    "needling", "neddling", "dry", "clapham", "clapam", "physio", "massage", "back", "sports",
    "wimbledon", "wimbeldon", "pain", "neck", "okafor", "hydro", "xylophone",
]  # fmt: skip


@pytest.fixture
def demo():
    """The demo data, with what it lacks for every rule of the order to matter: photos for a
    few clinics, and enough answered enquiries for some to have a typical reply time."""
    call_command("seed_demo", stdout=io.StringIO())
    rng = random.Random(30)
    clinics = list(Clinic.objects.published().order_by("pk"))
    for clinic in rng.sample(clinics, 25):
        ClinicPhoto.objects.create(clinic=clinic, image="clinics/x.jpg", alt_text="The room")
    # Next new-patient appointments in every state: within the week, later, lapsed, passed,
    # at clinics taking no new patients, and never given.
    today = timezone.localdate()
    for clinic in rng.sample(clinics, 60):
        said_on = today - datetime.timedelta(days=rng.choice([0, 3, 13, 14, 20]))
        if rng.random() < 0.3:
            clinic.set_next_available(this_week=True, today=said_on)
        else:
            ahead = datetime.timedelta(days=rng.choice([0, 1, 6, 7, 8, 15, 30]))
            clinic.set_next_available(on=said_on + ahead, today=said_on)
        if rng.random() < 0.15:
            clinic.accepting_new_patients = False
            clinic.save()
    now = timezone.now()
    for clinic in rng.sample(clinics, 30):
        wait = datetime.timedelta(hours=rng.choice([3, 30, 100]))
        for n in range(5):
            enquiry = Enquiry.objects.create(
                clinic=clinic, name="A patient", email="a@example.com", message="Hello",
                consent_given_at=now,
            )  # fmt: skip
            sent = now - datetime.timedelta(days=n + 1) - wait
            Enquiry.objects.filter(pk=enquiry.pk).update(created_at=sent, answered_at=sent + wait)


def choices_strategy(data):
    """A search as a dict of parameters (what a patient sends) drawn by hypothesis."""
    options = {
        "treatment": list(Treatment.objects.published().values_list("slug", flat=True)),
        "condition": list(Condition.objects.published().values_list("slug", flat=True)),
        "area": list(Area.objects.values_list("slug", flat=True)),
        "postcode": list(OutwardCode.objects.in_london().values_list("code", flat=True)),
        "insurer": list(Insurer.objects.values_list("slug", flat=True)),
        "price_band": list(PriceBand.objects.values_list("slug", flat=True)),
        "language": list(Language.objects.values_list("code", flat=True)),
    }
    params = {}
    for name, values in options.items():
        if data.draw(st.booleans(), label=f"with {name}"):
            if name == "insurer":
                params[name] = data.draw(st.lists(st.sampled_from(values), min_size=1, max_size=2))
            else:
                params[name] = data.draw(st.sampled_from(values), label=name)
    if data.draw(st.booleans(), label="with max_price"):
        params["max_price"] = str(data.draw(st.integers(40, 130), label="max_price"))
    if data.draw(st.booleans(), label="with gender"):
        params["gender"] = data.draw(st.sampled_from(["female", "male", "non_binary"]))
    params["open"] = data.draw(st.lists(st.sampled_from(["evening", "weekend"]), unique=True))
    for flag in ("home_visits", "video", "step_free"):
        if data.draw(st.booleans(), label=flag):
            params[flag] = "on"
    if data.draw(st.booleans(), label="available"):
        params["available"] = "week"
    if data.draw(st.booleans(), label="with rating"):
        params["rating"] = data.draw(st.sampled_from(["4.5", "4", "3"]), label="rating")
    if data.draw(st.booleans(), label="with words"):
        params["q"] = " ".join(data.draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=2)))
    sorts = ["relevance", "price", "rating", "name"] + (
        ["distance"] if "postcode" in params else []
    )
    params["sort"] = data.draw(st.sampled_from(sorts), label="sort")
    return params


def compare(params, listings, areas_to_count):
    """Assert that the index's search and the reference agree on `params`."""
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    results = ClinicFilter(query, index=listings_index())
    search = results.qs
    assert not results.form.errors, results.form.errors
    chosen = {k: v for k, v in results.form.cleaned_data.items() if v and k not in ("sort", "show")}
    index = search.index
    found = index.clinic_ids[search.ordered_rows()].tolist()
    assert found == reference.search(listings, chosen, sort=params["sort"]), params

    counts = facet_counts(search)
    expected = reference.facet_counts(listings, chosen, areas_to_count)
    for facet in ("treatment", "insurer", "price_band", "open", "available", "total"):
        assert counts[facet] == expected[facet], (facet, params)
    tenths = {value: RATINGS[value] for value in expected["rating"]}
    assert {v: counts["rating"][t] for v, t in tenths.items()} == expected["rating"], params
    for flag in ("home_visits", "video", "step_free"):
        assert counts[flag] == expected[flag], (flag, params)
    assert {a.pk: counts["area"][a.pk] for a in areas_to_count} == expected["area"], params


@pytest.fixture
def listings(demo):
    return reference.load()


@SEARCHES
@given(data=st.data())
def test_the_index_finds_what_the_plain_search_finds(listings, data):
    params = choices_strategy(data)
    areas = data.draw(st.lists(st.sampled_from(list(Area.objects.all())), max_size=4, unique=True))
    compare(params, listings, areas)


EDITS = settings(SEARCHES, max_examples=40)


def random_edit(data):
    """One change a clinic's staff or an admin might make, drawn by hypothesis."""
    kind = data.draw(
        st.sampled_from(
            ["price", "unpublish practitioner", "practitioner joins", "new offer", "move clinic",
             "hours", "confirm", "unpublish clinic", "insurer", "gender", "rename",
             "next available", "not taking new patients", "review", "remove review"]
        ),
        label="edit",
    )  # fmt: skip
    pick = data.draw(st.randoms(use_true_random=False), label="which")
    clinic = pick.choice(list(Clinic.objects.published().order_by("pk")))
    if kind == "price" and (offers := list(clinic.offers.all())):
        offer = pick.choice(offers)
        offer.price_pence = pick.choice([4500, 7000, 9900, 15000])
        offer.save()
    elif kind == "unpublish practitioner" and (people := list(clinic.practitioners.all())):
        person = pick.choice(people)
        person.is_published = False
        person.save()
    elif kind == "practitioner joins":
        pick.choice(list(Practitioner.objects.order_by("pk")[:300])).clinics.add(clinic)
    elif kind == "new offer":
        treatment = pick.choice(list(Treatment.objects.all()))
        Offer.objects.get_or_create(
            clinic=clinic, treatment=treatment, session_type="follow_up",
            defaults={"price_pence": 6100, "duration_minutes": 45},
        )  # fmt: skip
    elif kind == "move clinic":
        code = pick.choice(list(OutwardCode.objects.in_london()))
        clinic.move_to(code)
        clinic.save()
    elif kind == "hours":
        OpeningHours.objects.filter(clinic=clinic).delete()
        OpeningHours.objects.create(
            clinic=clinic, weekday=pick.choice([1, 5]), opens="10:00", closes="20:00"
        )
    elif kind == "confirm":
        clinic.confirm_details()
    elif kind == "unpublish clinic":
        clinic.is_published = False
        clinic.save()
    elif kind == "insurer" and (people := list(clinic.practitioners.all())):
        person = pick.choice(people)
        person.insurer_recognitions.all().delete()
    elif kind == "gender" and (people := list(clinic.practitioners.all())):
        person = pick.choice(people)
        person.gender = pick.choice(["female", "male", "non_binary", ""])
        person.save()
    elif kind == "next available":
        # As the portal saves it (NextAvailableForm), said today or some days ago.
        said_on = timezone.localdate() - datetime.timedelta(days=pick.choice([0, 5, 14]))
        if pick.random() < 0.5:
            clinic.set_next_available(this_week=True, today=said_on)
        else:
            ahead = datetime.timedelta(days=pick.choice([0, 4, 7, 8, 30]))
            clinic.set_next_available(on=said_on + ahead, today=said_on)
    elif kind == "not taking new patients":
        clinic.accepting_new_patients = not clinic.accepting_new_patients
        clinic.save()
    elif kind == "review":
        invitation, _ = make_invitation(clinic)
        invitation.write(
            Review(rating=pick.randint(1, 5), text="A review written in a test.", author_name="T")
        )
    elif kind == "remove review" and (reviews := list(clinic.reviews.published())):
        pick.choice(reviews).remove(Review.RemovalReason.ABUSE, None)
    elif kind == "rename":
        clinic.name = pick.choice(["Aardvark Physio", "Zulu Clinic", "Middle Practice"])
        clinic.description = "Now with hydrotherapy and a garden."
        clinic.save()


@EDITS
@given(data=st.data())
def test_the_index_follows_every_edit_as_the_plain_search_sees_it(demo, data):
    # Each example starts from the demo data: its edits are rolled back after it (which the
    # index notices, and rebuilds for).
    with transaction.atomic():
        listings_index()  # built before the edits: it must catch up with them
        for _ in range(data.draw(st.integers(1, 3), label="edits")):
            random_edit(data)
        listings = reference.load()
        for _ in range(3):
            compare(choices_strategy(data), listings, list(Area.objects.filter(slug="lambeth")))
        transaction.set_rollback(True)
