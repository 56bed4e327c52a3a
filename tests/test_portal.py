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
    InsurerRecognition,
    Invitation,
    ListingRequest,
    Offer,
    OpeningHours,
    OutwardCode,
    Practitioner,
    StaffMembership,
    VerificationRequest,
)
from tests.factories import (
    days_ago,
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


def week(**days):
    """The hours form's POST: {"0": ("09:00", "13:00", "14:00", "18:00")} for Monday."""
    slots = ["opens", "closes", "opens2", "closes2"]
    data = {f"{day}-{slot}": "" for day in range(7) for slot in slots}
    for day, times in days.items():
        data.update({f"{day}-{slot}": time for slot, time in zip(slots, times, strict=False)})
    return data


def test_opening_hours_are_one_week_table_with_breaks_but_no_overlaps(world):
    alice = signed_in(world["alice"])
    url = reverse("portal:hours", args=["clinic-a"])
    page = alice.get(url).content.decode()
    assert page.count("<tr>") == 8  # a header row and a row a day
    assert 'value="09:00"' in page and 'value="17:00"' in page  # Monday, as it is
    ok = week(**{"0": ("09:00", "13:00", "14:00", "18:00"), "5": ("10:00", "14:00")})
    assert alice.post(url, ok).status_code == 302
    kept = OpeningHours.objects.filter(clinic=world["a"]).values_list("weekday", "opens", "closes")
    assert sorted((d, f"{o:%H:%M}", f"{c:%H:%M}") for d, o, c in kept) == [
        (0, "09:00", "13:00"), (0, "14:00", "18:00"), (5, "10:00", "14:00"),
    ]  # fmt: skip

    overlap = week(**{"2": ("09:00", "12:00", "11:00", "15:00")})
    page = alice.post(url, overlap).content.decode()
    assert "The two times on Wednesday overlap." in page
    backwards = week(**{"0": ("18:00", "09:00")})
    page = alice.post(url, backwards).content.decode()
    assert "On Monday closing must be after opening." in page
    half = week(**{"1": ("09:00", "")})
    page = alice.post(url, half).content.decode()
    assert "Give both an opening and a closing time on Tuesday, or neither." in page
    assert 'value="09:00"' in page  # what was typed is kept
    assert OpeningHours.objects.filter(clinic=world["a"]).count() == 3  # nothing saved


def test_prices_are_one_table(world):
    alice = signed_in(world["alice"])
    page = alice.get(reverse("portal:offers", args=["clinic-a"])).content.decode()
    assert page.count("<table") == 1 and page.count("<fieldset") == 0
    assert page.count('name="offers-') > 4 * 4  # the price and three empty rows, in cells
    assert 'for="id_offers-0-price"' in page  # every cell labelled


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


def test_a_bad_hcpc_number_is_refused_with_a_reason(world):
    alice = signed_in(world["alice"])
    url = reverse("portal:add-practitioner", args=["clinic-a"])
    page = alice.post(url, practitioner_post(hcpc_number="XY12")).content.decode()
    assert "PH followed by up to six digits" in page


def test_only_the_home_clinic_can_change_a_shared_practitioner(world):
    """Attack (issue 14, finding 2): staff of any clinic listing a practitioner could rewrite
    their name, HCPC number, bio, languages and insurers, and it showed on every other
    clinic's page. Only the clinic that keeps the profile (its home) may now."""
    shared = world["practitioner_a"]  # kept by clinic A
    shared.clinics.add(world["b"])
    bob = signed_in(world["bob"])
    url = reverse("portal:edit-practitioner", args=["clinic-b", shared.pk])
    page = bob.get(url).content.decode()
    assert "their profile is kept by Clinic A" in page
    response = bob.post(url, practitioner_post(first_name="Hijacked", hcpc_number="PH999999"))
    assert response.status_code == 403
    shared.refresh_from_db()
    assert shared.first_name == "Alex" and shared.hcpc_number != "PH999999"
    assert not InsurerRecognition.objects.filter(practitioner=shared).exists()
    # Clinic A, its home, can.
    alice = signed_in(world["alice"])
    url = reverse("portal:edit-practitioner", args=["clinic-a", shared.pk])
    alice.post(url, practitioner_post(hcpc_number=shared.hcpc_number, first_name="Alexa"))
    assert Practitioner.objects.get(pk=shared.pk).first_name == "Alexa"
    # B's history does not show A's edit of the profile A keeps.
    bob_owner_history = bob.get(reverse("portal:history", args=["clinic-b"])).content.decode()
    assert "alice@example.com" not in bob_owner_history


def test_typing_a_listed_hcpc_number_asks_its_home_clinic_never_takes_the_profile(
    world, django_capture_on_commit_callbacks
):
    """Attack (issue 14, finding 2): a newly signed-up clinic typing an existing HCPC number
    to take the practitioner over. It gets a clear message and a request to the home clinic,
    which decides; the profile stays with its home either way."""
    dora_clinic = make_clinic(slug="clinic-d", name="Clinic D")
    dora = signed_in(make_staff(dora_clinic, email="dora@example.com"))
    target = world["practitioner_a"]
    url = reverse("portal:add-practitioner", args=["clinic-d"])
    page = dora.post(url, practitioner_post(hcpc_number=target.hcpc_number)).content.decode()
    assert "A practitioner with this HCPC number is already listed" in page
    assert f"Ask to list {target.full_name} here" in page
    assert not target.clinics.filter(pk=dora_clinic.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        dora.post(
            reverse("portal:request-listing", args=["clinic-d"]),
            {"hcpc_number": target.hcpc_number},
        )
    listing = ListingRequest.objects.get(practitioner=target, clinic=dora_clinic)
    [asked] = [m for m in mail.outbox if "asks to list" in m.subject]
    assert asked.to == ["alice@example.com"]
    # Clinic B's staff cannot decide for clinic A; clinic A's can.
    bob = signed_in(world["bob"])
    decide_as_b = reverse("portal:decide-listing", args=["clinic-b", listing.pk])
    assert bob.post(decide_as_b, {"decision": "approve"}).status_code == 404
    alice = signed_in(world["alice"])
    page = alice.get(reverse("portal:practitioners", args=["clinic-a"])).content.decode()
    assert "Clinic D asks to list" in page
    with django_capture_on_commit_callbacks(execute=True):
        alice.post(
            reverse("portal:decide-listing", args=["clinic-a", listing.pk]),
            {"decision": "approve"},
        )
    target.refresh_from_db()
    assert target.clinics.filter(pk=dora_clinic.pk).exists()
    assert target.home_clinic == world["a"]
    assert any(m.to == ["dora@example.com"] and "now listed" in m.subject for m in mail.outbox)
    # Listed at D, still not D's to edit.
    edit = reverse("portal:edit-practitioner", args=["clinic-d", target.pk])
    assert dora.post(edit, practitioner_post(first_name="Taken")).status_code == 403


def test_every_demo_practitioner_gets_the_clinic_they_were_first_linked_to_as_home(world):
    """The data migration: a home for each practitioner, the clinic of their first link."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "clinics.migrations.0009_practitioner_homes_and_pending_clinics"
    )
    later = make_clinic(slug="clinic-later")
    both = make_practitioner(clinics=[world["b"]])
    both.clinics.add(later)
    Practitioner.objects.update(home_clinic=None)
    migration.forwards(apps, None)
    both.refresh_from_db()
    assert both.home_clinic == world["b"]
    assert not Practitioner.objects.filter(home_clinic=None).exists()


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


def invite(world, email="carol@example.com"):
    alice = signed_in(world["alice"])
    alice.post(reverse("portal:team", args=["clinic-a"]), {"email": email, "role": "editor"})
    [message] = [m for m in mail.outbox if m.to == [email]]
    link = next(word for word in message.body.split() if "/portal/invitations/" in word)
    return link.split("127.0.0.1:8000")[1]


def test_owners_invite_a_colleague_with_a_link_that_works_once(world):
    path = invite(world)
    page = Client().get(path).content.decode()
    assert "Join Clinic A" in page and "carol@example.com" in page
    assert "Create an account" in page and "Sign in" in page
    carol = signed_in(make_user(email="carol@example.com"))
    assert "Clinic A" in carol.get(reverse("portal:home")).content.decode()  # waiting there
    assert carol.post(path).status_code == 302
    membership = StaffMembership.objects.get(user__email="carol@example.com")
    assert (membership.clinic, membership.role) == (world["a"], "editor")
    assert Client().get(path).status_code == 404  # used up


def test_an_invitation_is_refused_to_any_other_account(world, caplog):
    """Attack (issue 14, finding 3): invitations were bearer links: anyone signed in who held
    the link became a member. Only an account whose verified email is the invited address
    can accept now; a forwarded or leaked link is refused."""
    path = invite(world)
    mallory = signed_in(make_user(email="mallory@example.com"))
    response = mallory.post(path)
    assert response.status_code == 403
    assert "This invitation is for another email address" in response.content.decode()
    # The right address, not yet confirmed: refused too.
    unconfirmed = signed_in(make_user(email="carol@example.com", verified=False))
    assert unconfirmed.post(path).status_code == 403
    # A look-alike spelling of the address is not the address.
    lookalike = signed_in(make_user(email="carol@example.com.evil.example"))
    assert lookalike.post(path).status_code == 403
    assert (
        not StaffMembership.objects.filter(clinic=world["a"]).exclude(user=world["alice"]).exists()
    )
    assert "not its verified address" in caplog.text


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


def test_a_new_clinic_stays_unpublished_in_the_verification_queue(world):
    dora = signed_in(make_user())
    response = dora.post(
        reverse("portal:new-clinic"), details_post(name="Dora's Physio", is_published="on")
    )
    assert response.status_code == 302
    clinic = Clinic.objects.get(name="Dora's Physio")
    assert not clinic.is_published
    assert StaffMembership.objects.get(clinic=clinic).role == "owner"
    assert Client().get(clinic.get_absolute_url()).status_code == 404
    assert VerificationRequest.objects.pending().get().clinic == clinic
    page = dora.get(reverse("portal:dashboard", args=[clinic.slug])).content.decode()
    assert "Not in the search yet: waiting for us to verify the clinic." in page


def test_an_admin_verifies_or_refuses_with_a_reason_and_the_clinic_is_told(
    world, django_capture_on_commit_callbacks
):
    dora_user = make_user(email="dora@example.com")
    dora = signed_in(dora_user)
    dora.post(reverse("portal:new-clinic"), details_post(name="Dora's Physio"))
    clinic = Clinic.objects.get(name="Dora's Physio")
    request = VerificationRequest.objects.get(clinic=clinic)
    admin = make_user(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        request.refuse(admin, "The website does not mention this address.")
    [refused] = mail.outbox
    assert refused.to == ["dora@example.com"] and "could not verify" in refused.subject
    assert "The website does not mention this address." in refused.body
    page = dora.get(reverse("portal:dashboard", args=[clinic.slug])).content.decode()
    assert "we could not verify the clinic" in page
    assert "The website does not mention this address." in page
    dora.post(reverse("portal:request-verification", args=[clinic.slug]))
    again = VerificationRequest.objects.pending().get(clinic=clinic)
    with django_capture_on_commit_callbacks(execute=True):
        again.approve(admin)
    clinic.refresh_from_db()
    assert clinic.is_published and clinic.verified_on == timezone.localdate()
    assert "is now in the directory" in mail.outbox[-1].subject
    assert Client().get(clinic.get_absolute_url()).status_code == 200


def test_claiming_a_listing_without_staff_waits_for_an_admin(
    world, django_capture_on_commit_callbacks
):
    orphan = make_clinic(slug="orphan")
    erin = make_user()
    client = signed_in(erin)
    client.post(reverse("portal:claim", args=["orphan"]), {"role_at_clinic": "Manager"})
    claim = ClaimRequest.objects.get(clinic=orphan, user=erin)
    assert claim.status == "pending" and not claim.goes_to_owners()
    assert not mail.outbox  # nobody to ask but us: it waits in the admin's queue
    assert "Waiting for a decision" in client.get(reverse("portal:home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        claim.approve(make_user(is_staff=True))
    assert StaffMembership.objects.get(clinic=orphan, user=erin).role == "owner"
    assert "Approved" in client.get(reverse("portal:home")).content.decode()
    assert mail.outbox[-1].to == [erin.email] and "You can now manage" in mail.outbox[-1].subject


def test_a_claim_of_a_clinic_with_staff_goes_to_its_owners(
    world, django_capture_on_commit_callbacks
):
    erin = make_user(email="erin@example.com")
    client = signed_in(erin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:claim", args=["clinic-a"]), {"role_at_clinic": "Physio"})
    claim = ClaimRequest.objects.get(clinic=world["a"], user=erin)
    [to_owner] = mail.outbox
    assert to_owner.to == ["alice@example.com"] and "erin@example.com" in to_owner.body
    # Bob (another clinic) cannot decide it; an editor of A cannot either.
    bob = signed_in(world["bob"])
    assert bob.post(reverse("portal:decide-claim", args=["clinic-a", claim.pk])).status_code == 404
    editor = signed_in(make_staff(world["a"], role=StaffMembership.Role.EDITOR))
    url = reverse("portal:decide-claim", args=["clinic-a", claim.pk])
    assert editor.post(url, {"decision": "approve"}).status_code == 404
    alice = signed_in(world["alice"])
    team = alice.get(reverse("portal:team", args=["clinic-a"])).content.decode()
    assert "erin@example.com" in team
    with django_capture_on_commit_callbacks(execute=True):
        alice.post(url, {"decision": "refuse", "reason": "We do not know you."})
    claim.refresh_from_db()
    assert claim.status == "refused" and claim.decided_by == world["alice"]
    assert not StaffMembership.objects.filter(user=erin).exists()
    assert "We do not know you." in mail.outbox[-1].body


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


def test_one_action_is_one_history_entry_in_words(world):
    """ "Details still correct" touches the clinic and every price: one entry, not one a
    price, with human labels and old and new values."""
    for session in ("initial", "follow_up", "add_on"):
        make_offer(world["a"], world["treatment"], session_type=session)
    alice = signed_in(world["alice"])
    alice.post(reverse("portal:confirm", args=["clinic-a"]))
    alice.post(reverse("portal:hours", args=["clinic-a"]), week(**{"0": ("08:00", "17:00")}))
    entries = alice.get(reverse("portal:history", args=["clinic-a"])).context["entries"]
    labels = [entry["label"] for entry in entries]
    assert labels[:2] == [
        "Changed the opening hours",
        "Confirmed the details and prices are still correct",
    ]
    confirmed = entries[1]
    today = f"{timezone.localdate():%-d %B %Y}"
    assert confirmed["who"] == world["alice"]
    assert ("4 prices", "Price confirmed on", "(empty)", today) in confirmed["lines"]
    assert (None, "Details confirmed on", "1 October 2026", today) in confirmed["lines"]
    assert len(confirmed["lines"]) == 2
    hours = entries[0]["lines"]
    assert ("Removed", "Monday 09:00–17:00", None, None) in hours
    assert ("Added", "Monday 08:00–17:00", None, None) in hours
    page = alice.get(reverse("portal:history", args=["clinic-a"])).content.decode()
    assert "price_confirmed_on" not in page and "Price confirmed on" in page


@pytest.mark.parametrize("changes", [1, 15])
def test_the_history_page_runs_a_fixed_number_of_queries(world, changes, django_assert_num_queries):
    alice = signed_in(world["alice"])
    for i in range(changes):
        alice.post(reverse("portal:details", args=["clinic-a"]), details_post(name=f"Name {i}"))
    # session and user; membership; the clinic's changes with their users; then for each of
    # the six kinds of record (details, hours, prices with their treatment, photos, the
    # practitioners it keeps, their insurers) the recent ones and the history of those rows
    with django_assert_num_queries(3 + 6 * 2):
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


@pytest.mark.parametrize(
    ("published", "verified", "confirmed_days_ago", "state"),
    [
        (False, False, 0, "awaiting_verification"),
        (False, True, 0, "unpublished"),
        (True, False, 10, "listed"),  # listed before verification was asked of new clinics
        (True, True, 400, "stale"),
        (True, True, 600, "hidden"),
    ],
)
def test_the_dashboard_says_whether_the_listing_is_in_the_search_and_why_not(
    world, published, verified, confirmed_days_ago, state
):
    clinic = world["a"]
    clinic.is_published = published
    clinic.verified_on = timezone.localdate() if verified else None
    clinic.details_confirmed_on = days_ago(confirmed_days_ago)
    clinic.save()
    assert clinic.listing_state()["state"] == state
    page = signed_in(world["alice"]).get(reverse("portal:dashboard", args=["clinic-a"]))
    text = page.content.decode()
    expected = {
        "awaiting_verification": "waiting for us to verify the clinic",
        "unpublished": "we have unpublished the listing",
        "listed": "In the search.",
        "stale": "shown after other clinics",
        "hidden": "Not in the search: you have not confirmed your details for 19 months",
    }[state]
    assert expected in text
    # Only a listing in the search, or kept out of it for want of confirming, can be confirmed.
    can_confirm = state in ("stale", "hidden", "listed")
    assert ("Yes, details and prices are correct" in text) == can_confirm


def test_the_dashboard_counts_unread_enquiries_and_the_oldest_waiting(world):
    from clinics.models import Enquiry

    for days in (3, 1):
        enquiry = Enquiry.objects.create(
            clinic=world["a"], name="Pat", email="pat@example.com", message="Knee",
            consent_given_at=timezone.now(),
        )  # fmt: skip
        Enquiry.objects.filter(pk=enquiry.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days)
        )
    page = signed_in(world["alice"]).get(reverse("portal:dashboard", args=["clinic-a"]))
    text = page.content.decode()
    assert "2 unread enquiries" in text and "3\xa0days" in text
    checklist = {what[:10]: done for what, done, _ in page.context["checklist"]}
    assert checklist["A photo of"] and checklist["Opening ho"] and checklist["Practition"]
    assert not checklist["Insurers t"]
