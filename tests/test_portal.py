"""The staff portal: staff keep their own clinic true, and can never touch another's."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinics.models import (
    ClaimRequest,
    Clinic,
    ClinicPhoto,
    Invitation,
    Offer,
    OpeningHours,
    OutwardCode,
    Practitioner,
    StaffMembership,
)
from tests.factories import (
    make_borough,
    make_clinic,
    make_offer,
    make_opening_hours,
    make_practitioner,
    make_staff,
    make_treatment,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Clinic A (alice owns it) and clinic B (bob owns it), each with a practitioner, a price,
    opening hours and a photo row."""
    clapham = make_borough(name="Lambeth", slug="lambeth")
    OutwardCode.objects.create(code="SW4", area=clapham, latitude=51.4622, longitude=-0.1381)
    balham = make_borough(name="Wandsworth", slug="wandsworth")
    OutwardCode.objects.create(code="SW12", area=balham, latitude=51.4433, longitude=-0.1525)
    treatment = make_treatment(name="Dry needling", slug="dry-needling")
    world = {"treatment": treatment}
    for key, owner in (("a", "alice"), ("b", "bob")):
        clinic = make_clinic(area=clapham, slug=f"clinic-{key}", name=f"Clinic {key.upper()}")
        world[key] = clinic
        world[owner] = make_staff(clinic, username=owner, email=f"{owner}@example.com")
        world[f"practitioner_{key}"] = make_practitioner(clinics=[clinic])
        world[f"offer_{key}"] = make_offer(clinic, treatment, price_pence=8000)
        world[f"hours_{key}"] = make_opening_hours(clinic)
        world[f"photo_{key}"] = ClinicPhoto.objects.create(
            clinic=clinic, image="clinics/existing.jpg", alt_text="Reception"
        )
    return world


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def clinic_urls(world, key):
    """Every portal URL that belongs to clinic `key`, with the methods it answers."""
    clinic = world[key]
    slug = clinic.slug
    practitioner = world[f"practitioner_{key}"]
    photo = world[f"photo_{key}"]
    membership = StaffMembership.objects.get(clinic=clinic)
    return [
        ("get", reverse("portal:dashboard", args=[slug])),
        ("get", reverse("portal:details", args=[slug])),
        ("post", reverse("portal:details", args=[slug])),
        ("get", reverse("portal:hours", args=[slug])),
        ("post", reverse("portal:hours", args=[slug])),
        ("get", reverse("portal:offers", args=[slug])),
        ("post", reverse("portal:offers", args=[slug])),
        ("get", reverse("portal:practitioners", args=[slug])),
        ("get", reverse("portal:add-practitioner", args=[slug])),
        ("post", reverse("portal:add-practitioner", args=[slug])),
        ("get", reverse("portal:edit-practitioner", args=[slug, practitioner.pk])),
        ("post", reverse("portal:edit-practitioner", args=[slug, practitioner.pk])),
        ("post", reverse("portal:remove-practitioner", args=[slug, practitioner.pk])),
        ("get", reverse("portal:photos", args=[slug])),
        ("post", reverse("portal:photos", args=[slug])),
        ("post", reverse("portal:delete-photo", args=[slug, photo.pk])),
        ("post", reverse("portal:confirm", args=[slug])),
        ("get", reverse("portal:team", args=[slug])),
        ("post", reverse("portal:team", args=[slug])),
        ("post", reverse("portal:remove-member", args=[slug, membership.pk])),
        ("get", reverse("portal:history", args=[slug])),
        ("get", reverse("portal:export", args=[slug])),
    ]


def snapshot(world, key):
    clinic = Clinic.objects.get(pk=world[key].pk)
    return (
        {f.name: getattr(clinic, f.name) for f in Clinic._meta.concrete_fields},
        list(Offer.objects.filter(clinic=clinic).values()),
        list(OpeningHours.objects.filter(clinic=clinic).values()),
        list(clinic.practitioners.values()),
        list(ClinicPhoto.objects.filter(clinic=clinic).values()),
        list(StaffMembership.objects.filter(clinic=clinic).values()),
        list(Invitation.objects.filter(clinic=clinic).values()),
    )


def test_staff_of_one_clinic_get_404_for_every_url_of_another(world, caplog):
    alice = signed_in(world["alice"])
    before = snapshot(world, "b")
    hostile_post = {
        "name": "Taken over",
        "postcode": "SW4 7AA",
        "address_line1": "1 Road",
        "email": "evil@example.com",
        "role": "owner",
        "alt_text": "x",
        "first_name": "X",
        "last_name": "Y",
        "hcpc_number": "PH1",
    }
    for method, url in clinic_urls(world, "b"):
        response = getattr(alice, method)(url, hostile_post if method == "post" else None)
        assert response.status_code == 404, (method, url)
    assert snapshot(world, "b") == before
    assert "Portal access refused" in caplog.text


def test_ids_of_another_clinic_are_not_found_through_ones_own(world):
    alice = signed_in(world["alice"])
    a = world["a"].slug
    other_practitioner = world["practitioner_b"]
    other_photo = world["photo_b"]
    other_member = StaffMembership.objects.get(clinic=world["b"])
    for url in [
        reverse("portal:edit-practitioner", args=[a, other_practitioner.pk]),
        reverse("portal:remove-practitioner", args=[a, other_practitioner.pk]),
        reverse("portal:delete-photo", args=[a, other_photo.pk]),
        reverse("portal:remove-member", args=[a, other_member.pk]),
    ]:
        assert alice.post(url, {"first_name": "Hacked"}).status_code == 404, url
    assert ClinicPhoto.objects.filter(pk=other_photo.pk).exists()
    assert Practitioner.objects.get(pk=other_practitioner.pk).first_name == "Alex"
    assert world["b"].practitioners.filter(pk=other_practitioner.pk).exists()
    assert StaffMembership.objects.filter(pk=other_member.pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(world):
    client = Client()
    for method, url in clinic_urls(world, "a"):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_post_without_a_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["alice"])
    response = client.post(reverse("portal:confirm", args=["clinic-a"]))
    assert response.status_code == 403
    assert Clinic.objects.get(pk=world["a"].pk).details_confirmed_on == datetime.date(2026, 10, 1)


@pytest.mark.parametrize(
    "name", ["portal:confirm", "portal:remove-practitioner", "portal:delete-photo"]
)
def test_state_changing_urls_refuse_get(world, name):
    alice = signed_in(world["alice"])
    args = {
        "portal:confirm": ["clinic-a"],
        "portal:remove-practitioner": ["clinic-a", world["practitioner_a"].pk],
        "portal:delete-photo": ["clinic-a", world["photo_a"].pk],
    }[name]
    before = snapshot(world, "a")
    assert alice.get(reverse(name, args=args)).status_code == 405
    assert snapshot(world, "a") == before


def details_post(**overrides):
    data = {
        "name": "Clinic A renamed",
        "description": "We treat runners.",
        "address_line1": "2 High Street",
        "town": "London",
        "postcode": "sw12 8aa",
        "phone": "020 7946 0002",
        "email": "hello@clinic-a.example",
        "step_free_access": "on",
        "accepting_new_patients": "on",
    }
    return {**data, **overrides}


def test_details_are_saved_and_a_new_district_moves_the_clinic(world):
    alice = signed_in(world["alice"])
    response = alice.post(reverse("portal:details", args=["clinic-a"]), details_post())
    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=world["a"].pk)
    assert clinic.name == "Clinic A renamed"
    assert (clinic.postcode, clinic.outward_code) == ("SW12 8AA", "SW12")
    assert clinic.area.slug == "wandsworth"
    assert (clinic.latitude, clinic.longitude) == (51.4433, -0.1525)


def test_hidden_fields_in_a_post_are_ignored(world):
    alice = signed_in(world["alice"])
    Clinic.objects.filter(pk=world["a"].pk).update(is_published=False, verified_on=None)
    alice.post(
        reverse("portal:details", args=["clinic-a"]),
        details_post(is_published="on", verified_on="2026-01-01", clinic=world["b"].pk),
    )
    clinic = Clinic.objects.get(pk=world["a"].pk)
    assert clinic.name == "Clinic A renamed"
    assert not clinic.is_published
    assert clinic.verified_on is None


def test_a_failed_form_keeps_what_was_typed_and_says_why(world):
    alice = signed_in(world["alice"])
    response = alice.post(
        reverse("portal:details", args=["clinic-a"]),
        details_post(postcode="ZZ9 9ZZ", name="Typed name"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "ZZ9 9ZZ" in page and "Typed name" in page
    assert "not a London postcode" in page
    assert Clinic.objects.get(pk=world["a"].pk).name == "Clinic A"


def formset_post(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def test_opening_hours_allow_several_intervals_a_day_but_not_overlaps(world):
    alice = signed_in(world["alice"])
    hours = world["hours_a"]
    url = reverse("portal:hours", args=["clinic-a"])
    existing = {"id": hours.pk, "weekday": "0", "opens": "09:00", "closes": "13:00"}
    ok = formset_post(
        "opening_hours",
        [existing, {"weekday": "0", "opens": "14:00", "closes": "18:00"}],
        initial=1,
    )
    assert alice.post(url, ok).status_code == 302
    assert OpeningHours.objects.filter(clinic=world["a"], weekday=0).count() == 2

    overlap = formset_post(
        "opening_hours",
        [existing, {"weekday": "2", "opens": "09:00", "closes": "12:00"},
         {"weekday": "2", "opens": "11:00", "closes": "15:00"}],
        initial=1,
    )  # fmt: skip
    response = alice.post(url, overlap)
    assert "Two opening times overlap on Wednesday." in response.content.decode()
    backwards = formset_post(
        "opening_hours", [{**existing, "opens": "18:00", "closes": "09:00"}], initial=1
    )
    response = alice.post(url, backwards)
    assert "Closing time must be after opening time." in response.content.decode()


def test_prices_are_typed_in_pounds_and_kept_in_pence(world):
    alice = signed_in(world["alice"])
    offer = world["offer_a"]
    data = formset_post(
        "offers",
        [
            {"id": offer.pk, "treatment": world["treatment"].pk, "session_type": "standard",
             "price": "85.50", "duration_minutes": "45"},
            {"treatment": world["treatment"].pk, "session_type": "add_on", "price": "20",
             "duration_minutes": "15"},
        ],
        initial=1,
    )  # fmt: skip
    assert alice.post(reverse("portal:offers", args=["clinic-a"]), data).status_code == 302
    prices = dict(
        Offer.objects.filter(clinic=world["a"]).values_list("session_type", "price_pence")
    )
    assert prices == {"standard": 8550, "add_on": 2000}

    negative = formset_post(
        "offers",
        [{"id": offer.pk, "treatment": world["treatment"].pk, "session_type": "standard",
          "price": "-5", "duration_minutes": "45"}],
        initial=1,
    )  # fmt: skip
    response = alice.post(reverse("portal:offers", args=["clinic-a"]), negative)
    assert "Ensure this value is greater than or equal to 0.01." in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).price_pence == 8550


def practitioner_post(**overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Okafor",
        "hcpc_number": "ph 123456",
        "gender": "female",
        **formset_post("insurer_recognitions", []),
    }
    return {**data, **overrides}


def test_staff_add_a_practitioner_to_their_clinic(world):
    alice = signed_in(world["alice"])
    response = alice.post(
        reverse("portal:add-practitioner", args=["clinic-a"]), practitioner_post()
    )
    assert response.status_code == 302
    ada = Practitioner.objects.get(hcpc_number="PH123456")
    assert ada.slug == "ada-okafor"
    assert list(ada.clinics.all()) == [world["a"]]
    assert ada.hcpc_checked_on is None


def test_a_changed_hcpc_number_is_unchecked_until_an_admin_checks_it(world):
    alice = signed_in(world["alice"])
    practitioner = world["practitioner_a"]
    Practitioner.objects.filter(pk=practitioner.pk).update(
        hcpc_checked_on=datetime.date(2026, 1, 1)
    )
    url = reverse("portal:edit-practitioner", args=["clinic-a", practitioner.pk])
    alice.post(url, practitioner_post(hcpc_number=practitioner.hcpc_number, first_name="Alexa"))
    assert Practitioner.objects.get(pk=practitioner.pk).hcpc_checked_on == datetime.date(2026, 1, 1)
    alice.post(url, practitioner_post(hcpc_number="PH777777"))
    practitioner.refresh_from_db()
    assert (practitioner.hcpc_number, practitioner.hcpc_checked_on) == ("PH777777", None)


def test_a_bad_or_taken_hcpc_number_is_refused_with_a_reason(world):
    alice = signed_in(world["alice"])
    url = reverse("portal:add-practitioner", args=["clinic-a"])
    page = alice.post(url, practitioner_post(hcpc_number="XY12")).content.decode()
    assert "PH followed by up to six digits" in page
    taken = world["practitioner_b"].hcpc_number
    page = alice.post(url, practitioner_post(hcpc_number=taken)).content.decode()
    assert "Another practitioner is listed with this HCPC number" in page


def test_removing_a_practitioner_only_unlinks_them_from_this_clinic(world):
    alice = signed_in(world["alice"])
    shared = world["practitioner_a"]
    shared.clinics.add(world["b"])
    alice.post(reverse("portal:remove-practitioner", args=["clinic-a", shared.pk]))
    assert list(shared.clinics.all()) == [world["b"]]


def test_confirming_details_dates_the_listing_and_its_prices(world):
    alice = signed_in(world["alice"])
    alice.post(reverse("portal:confirm", args=["clinic-a"]))
    today = timezone.localdate()
    assert Clinic.objects.get(pk=world["a"].pk).details_confirmed_on == today
    assert Offer.objects.get(pk=world["offer_a"].pk).price_confirmed_on == today


def test_owners_invite_a_colleague_with_a_link_that_works_once(world):
    alice = signed_in(world["alice"])
    alice.post(
        reverse("portal:team", args=["clinic-a"]), {"email": "carol@example.com", "role": "editor"}
    )
    [message] = mail.outbox
    assert message.to == ["carol@example.com"]
    link = next(word for word in message.body.split() if "/portal/invitations/" in word)
    path = link.split("testserver")[1]

    carol = Client()
    page = carol.get(path).content.decode()
    assert "Join Clinic A" in page
    response = carol.post(
        path, {"first_name": "Carol", "last_name": "Jones", "password": "a-long-secret-phrase"}
    )
    assert response.status_code == 302
    membership = StaffMembership.objects.get(user__email="carol@example.com")
    assert (membership.clinic, membership.role) == (world["a"], "editor")
    assert Client().get(path).status_code == 404  # used up


def test_an_expired_or_forged_invitation_is_refused(world, settings):
    invitation = Invitation.objects.create(clinic=world["a"], email="dan@example.com")
    token = invitation.token()
    settings.INVITATION_MAX_AGE_DAYS = 0
    assert Client().get(reverse("portal:accept-invitation", args=[token])).status_code == 404
    settings.INVITATION_MAX_AGE_DAYS = 7
    forged = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    assert Client().get(reverse("portal:accept-invitation", args=[forged])).status_code == 404


def test_editors_cannot_invite_or_remove_others(world):
    editor = make_staff(world["a"], role=StaffMembership.Role.EDITOR)
    client = signed_in(editor)
    assert (
        client.post(
            reverse("portal:team", args=["clinic-a"]), {"email": "x@example.com", "role": "owner"}
        ).status_code
        == 404
    )
    alice_membership = StaffMembership.objects.get(user=world["alice"])
    client.post(reverse("portal:remove-member", args=["clinic-a", alice_membership.pk]))
    assert StaffMembership.objects.filter(pk=alice_membership.pk).exists()
    assert not Invitation.objects.exists()


def test_the_last_owner_cannot_leave(world):
    alice = signed_in(world["alice"])
    own = StaffMembership.objects.get(user=world["alice"])
    response = alice.post(reverse("portal:remove-member", args=["clinic-a", own.pk]), follow=True)
    assert "A clinic needs an owner" in response.content.decode()
    assert StaffMembership.objects.filter(pk=own.pk).exists()
    other_owner = make_staff(world["a"], role=StaffMembership.Role.OWNER)
    alice.post(reverse("portal:remove-member", args=["clinic-a", own.pk]))
    assert not StaffMembership.objects.filter(pk=own.pk).exists()
    assert StaffMembership.objects.filter(user=other_owner).exists()


def test_a_new_clinic_stays_unpublished_until_verified(world):
    dora = signed_in(make_user())
    response = dora.post(
        reverse("portal:new-clinic"), details_post(name="Dora's Physio", is_published="on")
    )
    assert response.status_code == 302
    clinic = Clinic.objects.get(name="Dora's Physio")
    assert not clinic.is_published
    assert StaffMembership.objects.get(clinic=clinic).role == "owner"
    assert Client().get(clinic.get_absolute_url()).status_code == 404


def test_claiming_a_listing_without_staff_waits_for_an_admin(world):
    orphan = make_clinic(slug="orphan")
    erin = make_user()
    client = signed_in(erin)
    assert client.get(reverse("portal:claim", args=["clinic-a"])).status_code == 404  # has staff
    client.post(reverse("portal:claim", args=["orphan"]), {"role_at_clinic": "Manager"})
    claim = ClaimRequest.objects.get(clinic=orphan, user=erin)
    assert claim.status == "pending"
    assert "Waiting for a decision" in client.get(reverse("portal:home")).content.decode()
    claim.approve(make_user(is_staff=True))
    assert StaffMembership.objects.get(clinic=orphan, user=erin).role == "owner"
    assert "Approved" in client.get(reverse("portal:home")).content.decode()


def test_owners_see_who_changed_what(world):
    alice = signed_in(world["alice"])
    alice.post(reverse("portal:details", args=["clinic-a"]), details_post(name="Renamed Clinic"))
    page = alice.get(reverse("portal:history", args=["clinic-a"])).content.decode()
    assert "alice@example.com" in page
    assert "Clinic A → Renamed Clinic" in page
    record = Clinic.history.filter(id=world["a"].pk).latest("history_date")
    assert record.history_user == world["alice"]


def test_editors_cannot_read_the_history(world):
    editor = make_staff(world["a"], role=StaffMembership.Role.EDITOR)
    assert signed_in(editor).get(reverse("portal:history", args=["clinic-a"])).status_code == 404


def test_portal_pages_are_never_cached(world):
    response = signed_in(world["alice"]).get(reverse("portal:dashboard", args=["clinic-a"]))
    assert "no-store" in response["Cache-Control"]


def test_removing_a_practitioner_shows_in_the_history(world):
    alice = signed_in(world["alice"])
    practitioner = world["practitioner_a"]
    alice.post(reverse("portal:remove-practitioner", args=["clinic-a", practitioner.pk]))
    record = practitioner.history.latest("history_date")
    assert record.history_user == world["alice"]
    assert list(record.clinics.values_list("clinic_id", flat=True)) == []


@pytest.mark.parametrize("changes", [1, 15])
def test_the_history_page_runs_a_fixed_number_of_queries(world, changes, django_assert_num_queries):
    alice = signed_in(world["alice"])
    for i in range(changes):
        alice.post(reverse("portal:details", args=["clinic-a"]), details_post(name=f"Name {i}"))
    # session and user; membership; five kinds of record (details, hours, prices with their
    # treatment, photos, practitioners) with their users; the practitioners' ids
    with django_assert_num_queries(8):
        alice.get(reverse("portal:history", args=["clinic-a"]))


def test_a_clinic_downloads_all_of_its_own_data(world):
    from clinics.models import Enquiry

    Enquiry.objects.create(
        clinic=world["a"], name="Pat", email="pat@example.com", message="Sore knee",
        consent_given_at=timezone.now(),
    )  # fmt: skip
    response = signed_in(world["alice"]).get(reverse("portal:export", args=["clinic-a"]))
    assert response["Content-Disposition"] == 'attachment; filename="clinic-a-data.json"'
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["clinic"]["name"] == "Clinic A"
    assert data["offers"] == [
        {"treatment": "Dry needling", "session_type": "Standard session", "price": "80.00",
         "currency": "GBP", "duration_minutes": 45, "price_confirmed_on": None}
    ]  # fmt: skip
    assert [p["hcpc_number"] for p in data["practitioners"]] == [
        world["practitioner_a"].hcpc_number
    ]
    assert data["photos"][0]["alt_text"] == "Reception"
    assert data["enquiries"][0]["message"] == "Sore knee"
    assert "Clinic B" not in response.content.decode()
