"""Verified reviews: only a patient who enquired through the site can review a clinic, once,
through a link emailed to them alone; every genuine review is published; removals are for
stated reasons, shown in place; clinics reply once and cannot edit or remove."""

import datetime
import importlib
import io
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import clinics.migrations
from clinics.models import (
    ClinicChange,
    Enquiry,
    Review,
    ReviewFlag,
    ReviewInvitation,
    ReviewRefused,
)
from tests.factories import (
    make_clinic,
    make_enquiry,
    make_invitation,
    make_offer,
    make_review,
    make_staff,
    make_treatment,
    make_user,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def clinic():
    clinic = make_clinic(name="Alder Physio", slug="alder", email="desk@alder.example")
    make_offer(clinic, make_treatment(name="Dry needling", slug="dry-needling"))
    make_staff(clinic, email="owner@alder.example")
    return clinic


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """invite(now): the worker's daily pass at `now`; the review emails it sent, by recipient."""

    def run(now=None):
        mail.outbox.clear()
        with (
            time_machine.travel(now or timezone.now(), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            call_command("send_review_invitations", stdout=io.StringIO())
        return {message.to[0]: message for message in mail.outbox}

    return run


def link_of(message):
    return re.search(r"https?://\S+/review/\S+/", message.body)[0]


def path_of(link):
    return link[link.index("/clinics/") :]


def review_data(**overrides):
    data = {
        "rating": "2",
        "explanation_rating": "",
        "value_rating": "1",
        "waiting_rating": "",
        "text": "The first appointment was rushed and nobody explained the plan.",
        "treatment": "",
        "visited_in": "",
        "author_name": "Jo",
        "declaration": "on",
    }
    return {**data, **overrides}


def write_review(client, path, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(path, review_data(**overrides))


# --- Invitations ----------------------------------------------------------------------------


def test_an_answered_enquiry_brings_one_email_with_a_link_after_the_delay(clinic, settings, invite):
    settings.REVIEW_INVITATION_DELAY_DAYS = 7
    now = timezone.now()
    enquiry = make_enquiry(
        clinic, email="pat@example.com", created_at=now - 9 * DAY, answered_at=now - 6 * DAY
    )
    assert invite(now) == {}  # answered six days ago: not yet
    sent = invite(now + 2 * DAY)
    assert list(sent) == ["pat@example.com"]  # the patient alone: never the clinic's staff
    email = sent["pat@example.com"]
    assert "Alder Physio" in email.subject
    assert enquiry.message not in email.body  # the enquiry is not repeated
    for offer in ("£", "voucher", "discount", "prize", "draw", "free"):
        assert offer not in email.body.lower()  # nothing is offered for a review
    assert "/reviews/how-reviews-work/" in email.body
    invitation = ReviewInvitation.objects.get()
    assert invitation.enquiry == enquiry and invitation.clinic == clinic
    assert "pat@example.com" not in invitation.email_digest  # a keyed digest, not the address
    # The token is kept only as a digest: the link cannot be made again from the database.
    token = link_of(email).rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_digest
    assert invite(now + 3 * DAY) == {}  # once only


def test_an_enquiry_the_clinic_never_marks_answered_is_followed_up_too(clinic, settings, invite):
    """Otherwise a clinic would choose whom we ask by choosing what to mark answered."""
    settings.REVIEW_INVITATION_UNANSWERED_DAYS = 14
    now = timezone.now()
    make_enquiry(clinic, email="ignored@example.com", created_at=now - 13 * DAY)
    assert invite(now) == {}
    assert list(invite(now + 2 * DAY)) == ["ignored@example.com"]


def test_staff_admins_and_clinics_own_addresses_are_never_invited(clinic, invite):
    """Reviews come only from patients: not from the clinic's staff (their own or a
    competitor's), our admins, or a clinic's own address."""
    rival = make_clinic(email="front@rival.example")
    make_staff(rival, email="boss@rival.example")
    make_user(email="admin@directory.example", is_staff=True)
    old = timezone.now() - 30 * DAY
    for email in [
        "owner@alder.example",  # staff of the clinic itself
        "BOSS@rival.example",  # a competitor's staff, however spelled
        "admin@directory.example",
        "front@rival.example",
        "desk@alder.example",
    ]:
        make_enquiry(clinic, email=email, created_at=old, answered_at=old)
    make_enquiry(clinic, email="patient@example.com", created_at=old, answered_at=old)
    assert list(invite()) == ["patient@example.com"]
    assert Enquiry.objects.filter(review_checked_at=None).count() == 0  # each looked at once


def test_an_address_is_invited_to_review_a_clinic_once_a_year(clinic, invite):
    now = timezone.now()
    for days in (40, 30):
        make_enquiry(clinic, email="Pat@Example.com", created_at=now - days * DAY,
                     answered_at=now - days * DAY)  # fmt: skip
    assert len(invite(now)) == 1
    assert ReviewInvitation.objects.count() == 1
    later = now + 370 * DAY
    make_enquiry(clinic, email="pat@example.com", created_at=later - 20 * DAY,
                 answered_at=later - 20 * DAY)  # fmt: skip
    assert len(invite(later)) == 1  # a year on, asked again


def test_enquiries_from_before_reviews_existed_are_not_invited(clinic, invite):
    """The migration marks them looked at: their patients were never told they might be
    asked, as the enquiry form tells patients now."""
    from django.apps import apps

    migration = importlib.import_module(
        next(
            f"clinics.migrations.{path.stem}"
            for path in Path(clinics.migrations.__file__).parent.glob("*.py")
            if path.stem.endswith("reviews_and_error_reports")
        )
    )
    old = timezone.now() - 30 * DAY
    make_enquiry(clinic, created_at=old, answered_at=old)
    migration.enquiries_before_reviews_are_not_invited(apps, None)
    assert invite() == {}
    form = Client().get(reverse("clinics:enquiry", args=[clinic.slug])).content.decode()
    assert "we email you once to ask" in form


# --- Writing a review -----------------------------------------------------------------------


@pytest.fixture
def invitation(clinic):
    invitation, token = make_invitation(clinic, email="pat@example.com")
    invitation.path = path_of(invitation.link(token))
    return invitation


def test_the_patient_reviews_and_the_review_is_published_with_its_rating(
    client, clinic, invitation, django_capture_on_commit_callbacks
):
    form = client.get(invitation.path)
    assert form.status_code == 200
    assert form["Cache-Control"].startswith("max-age=0") or "no-store" in form["Cache-Control"]
    page = form.content.decode()
    assert 'name="robots" content="noindex, nofollow"' in page
    assert invitation.path not in page.split("<main")[0]  # the token is in no meta tag
    response = write_review(client, invitation.path, django_capture_on_commit_callbacks)
    review = Review.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/clinics/alder/reviews/#review-{review.pk}"
    assert review.status == Review.Status.PUBLISHED and review.rating == 2  # negative: shown
    assert review.invitation.used_at is not None
    profile = client.get(clinic.get_absolute_url()).content.decode()
    assert "The first appointment was rushed" in profile
    assert "<strong>2.0</strong>" in profile and "1 verified review" in profile
    assert "/reviews/how-reviews-work/" in profile


def test_a_review_link_works_once(client, invitation, django_capture_on_commit_callbacks):
    write_review(client, invitation.path, django_capture_on_commit_callbacks)
    again = client.get(invitation.path)
    assert again.status_code == 410
    assert "This review link has been used" in again.content.decode()
    replay = write_review(
        client, invitation.path, django_capture_on_commit_callbacks, rating="5", text="x" * 30
    )
    assert replay.status_code == 410
    assert Review.objects.count() == 1 and Review.objects.get().rating == 2


def test_a_link_used_meanwhile_in_another_tab_is_refused_when_sent(clinic, invitation):
    review = Review(rating=5, text="Great care throughout my visits.", author_name="Al")
    invitation.write(review)
    with pytest.raises(ReviewRefused) as refused:
        invitation.write(Review(rating=1, text="Changed my mind about it.", author_name="Al"))
    assert refused.value.reason == "used"
    assert Review.objects.count() == 1


def test_an_expired_link_is_refused(client, clinic, invitation, settings):
    settings.REVIEW_LINK_MAX_AGE_DAYS = 30
    with time_machine.travel(timezone.now() + 31 * DAY):
        response = client.get(invitation.path)
        assert response.status_code == 410
        assert "This review link has expired" in response.content.decode()
        assert client.post(invitation.path, review_data()).status_code == 410
    assert not Review.objects.exists()


def test_a_forged_link_or_one_for_another_clinic_is_not_found(client, clinic, invitation):
    other = make_clinic(slug="other")
    token = invitation.path.rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/clinics/{other.slug}/review/{token}/").status_code == 404
    assert client.get(f"/clinics/alder/review/{'x' * 43}/").status_code == 404


def test_one_email_cannot_review_a_clinic_twice_within_a_year(clinic):
    now = timezone.now()
    first, _ = make_invitation(clinic, email="pat@example.com")
    first.write(Review(rating=5, text="Very good, clear explanations.", author_name="Pat"), now)
    # A second invitation (a new enquiry after the first was used) from the same address,
    # spelled differently: still the same patient.
    second, _ = make_invitation(clinic, email=" PAT@example.COM ", now=now + 200 * DAY)
    with pytest.raises(ReviewRefused) as refused:
        second.write(Review(rating=1, text="Writing again to sink it.", author_name="P"),
                     now + 201 * DAY)  # fmt: skip
    assert refused.value.reason == "reviewed"
    assert Review.objects.count() == 1
    # Another address reviews the same clinic freely; the same address, a year on, too.
    other, _ = make_invitation(clinic, email="sam@example.com", now=now + 200 * DAY)
    other.write(Review(rating=3, text="Fine, if a little slow.", author_name="Sam"),
                now + 201 * DAY)  # fmt: skip
    third, _ = make_invitation(clinic, email="pat@example.com", now=now + 366 * DAY)
    third.write(Review(rating=4, text="Back again a year later.", author_name="Pat"),
                now + 367 * DAY)  # fmt: skip
    assert Review.objects.count() == 3


def test_the_year_rule_is_said_to_the_patient(client, clinic, django_capture_on_commit_callbacks):
    first, _ = make_invitation(clinic, email="pat@example.com")
    first.write(Review(rating=5, text="Very good, clear explanations.", author_name="Pat"))
    second, token = make_invitation(clinic, email="pat@example.com")
    response = write_review(client, path_of(second.link(token)), django_capture_on_commit_callbacks)
    assert response.status_code == 409
    assert "already reviewed Alder Physio this year" in response.content.decode()


def test_a_burst_of_reviews_to_one_clinic_is_held_for_an_admin(
    client, clinic, settings, admin_client
):
    settings.REVIEW_BURST_LIMIT = 2
    settings.REVIEW_BURST_HOURS = 24
    written = []
    for n in range(4):
        invitation, _ = make_invitation(clinic)
        written.append(
            invitation.write(Review(rating=5, text="Superb, simply superb!!", author_name=f"P{n}"))
        )
    assert [r.status for r in written] == ["published", "published", "held", "held"]
    profile = client.get(clinic.get_absolute_url()).content.decode()
    assert "2 verified reviews" in profile  # held ones are neither shown nor counted
    # An admin lets one through, from the queue on the admin home.
    home = admin_client.get(reverse("admin:index")).content.decode()
    assert '<span class="count">2</span> Reviews held for a check' in home
    admin_client.post(
        reverse("admin:clinics_review_change", args=[written[2].pk]), {"decision": "publish"}
    )
    assert "3 verified reviews" in client.get(clinic.get_absolute_url()).content.decode()
    # A day later the count starts afresh.
    later, _ = make_invitation(clinic)
    review = later.write(
        Review(rating=4, text="Good physio, good advice.", author_name="Q"),
        timezone.now() + 2 * DAY,
    )
    assert review.status == "published"


def test_a_held_review_tells_the_patient_it_waits_for_a_check(
    client, clinic, settings, django_capture_on_commit_callbacks
):
    settings.REVIEW_BURST_LIMIT = 0
    invitation, token = make_invitation(clinic)
    response = write_review(
        client, path_of(invitation.link(token)), django_capture_on_commit_callbacks
    )
    page = client.get(response["Location"]).content.decode()
    assert "will appear once we have checked it" in page
    assert "The first appointment was rushed" not in page


def test_a_failed_review_form_keeps_what_was_typed(client, invitation):
    response = client.post(invitation.path, review_data(rating="", text="Too short"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your review was not sent" in page
    assert "Choose a rating from 1 to 5." in page
    assert "at least a sentence" in page
    assert "Too short" in page and 'value="Jo"' in page
    response = client.post(invitation.path, review_data(declaration=""))
    assert "Tick the box to confirm" in response.content.decode()
    assert not Review.objects.exists() and invitation.used_at is None


def test_ratings_out_of_range_are_refused_by_the_form(client, invitation):
    for bad in ("0", "6", "banana", "-1"):
        response = client.post(invitation.path, review_data(rating=bad))
        assert (
            response.status_code == 200 and "Your review was not sent" in response.content.decode()
        )
    response = client.post(invitation.path, review_data(visited_in="1999-01-01"))
    assert "When did you visit?" in response.content.decode()
    assert not Review.objects.exists()


# --- Retention and erasure ------------------------------------------------------------------


def test_a_review_keeps_no_link_to_the_enquiry_once_it_is_purged(client, clinic, settings):
    settings.ENQUIRY_RETENTION_DAYS = 180
    enquiry = make_enquiry(clinic, message="A private message about my hip.")
    invitation, _ = ReviewInvitation.make(enquiry)
    invitation.write(Review(rating=4, text="Helpful, and on time.", author_name="Kim"))
    Enquiry.objects.filter(pk=enquiry.pk).update(created_at=timezone.now() - 181 * DAY)
    call_command("purge_enquiries", stdout=io.StringIO())
    assert not Enquiry.objects.exists()
    invitation.refresh_from_db()
    assert invitation.enquiry is None
    review = Review.objects.get()
    assert review.invitation == invitation
    page = client.get(reverse("clinics:reviews", args=[clinic.slug])).content.decode()
    assert "Helpful, and on time." in page and "private message" not in page


def test_erasing_an_address_erases_its_reviews_too(admin_client, clinic):
    enquiry = make_enquiry(clinic, email="pat@example.com")
    ReviewInvitation.make(enquiry)[0].write(
        Review(rating=1, text="Not for me, I am afraid.", author_name="Pat")
    )
    make_review(clinic, email="someone@example.com")
    admin_client.post(
        reverse("admin:clinics_enquiry_changelist"),
        {"action": "erase_by_email", "_selected_action": [enquiry.pk]},
    )
    assert not Enquiry.objects.filter(email="pat@example.com").exists()
    assert list(Review.objects.values_list("author_name", flat=True)) == ["Sam"]


# --- Moderation and replies -----------------------------------------------------------------


def test_a_removed_review_says_why_in_its_place_and_leaves_the_rating(client, admin_client, clinic):
    make_review(clinic, rating=5)
    abusive = make_review(clinic, rating=1, text="The physio is an idiot and a crook.")
    assert "<strong>3.0</strong>" in client.get(clinic.get_absolute_url()).content.decode()
    response = admin_client.post(
        reverse("admin:clinics_review_change", args=[abusive.pk]),
        {"decision": "remove", "reason": ""},
    )
    assert "Say why" in response.content.decode()  # no removal without a stated reason
    admin_client.post(
        reverse("admin:clinics_review_change", args=[abusive.pk]),
        {"decision": "remove", "reason": "abuse"},
    )
    abusive.refresh_from_db()
    assert abusive.status == "removed" and abusive.text == ""  # the text is deleted
    page = client.get(clinic.get_absolute_url()).content.decode()
    assert "Removed because it was abusive." in page
    assert "idiot" not in page
    assert "<strong>5.0</strong>" in page and "1 verified review<" in page


def test_an_admin_cannot_edit_a_review(admin_client, clinic):
    review = make_review(clinic, rating=1, text="Honest but harsh words here.")
    admin_client.post(
        reverse("admin:clinics_review_change", args=[review.pk]),
        {"rating": "5", "text": "Lovely!", "decision": ""},
    )
    review.refresh_from_db()
    assert (review.rating, review.text) == (1, "Honest but harsh words here.")
    assert admin_client.get(reverse("admin:clinics_review_add")).status_code == 403


@pytest.fixture
def staff(clinic):
    user = clinic.memberships.get().user
    client = Client()
    client.force_login(user)
    return client


def test_the_clinic_replies_once_and_cannot_change_it(client, staff, clinic):
    review = make_review(clinic, rating=2)
    url = reverse("portal:review-reply", args=[clinic.slug, review.pk])
    staff.post(url, {f"reply-{review.pk}-reply": "Sorry to hear this; please call us."})
    staff.post(url, {f"reply-{review.pk}-reply": "Actually, you were rude."})
    review.refresh_from_db()
    assert review.reply == "Sorry to hear this; please call us."
    page = client.get(clinic.get_absolute_url()).content.decode()
    assert "Reply from Alder Physio" in page and "Sorry to hear this" in page
    assert "you were rude" not in page
    history = ClinicChange.objects.filter(clinic=clinic).values_list("label", flat=True)
    assert list(history) == [f"Replied to the review of {review.written_on():%-d %B %Y}"]


def test_clinic_staff_can_neither_edit_nor_remove_a_review(staff, clinic):
    review = make_review(clinic, rating=1, text="Harsh but fair words here.")
    for path in ["/portal/alder/reviews/{}/", "/portal/alder/reviews/{}/delete/",
                 "/portal/alder/reviews/{}/edit/"]:  # fmt: skip
        assert staff.post(path.format(review.pk), {"text": "Great!"}).status_code == 404
    assert staff.get("/admin/clinics/review/").status_code == 302  # not admin staff
    review.refresh_from_db()
    assert review.text == "Harsh but fair words here." and review.status == "published"


def test_a_review_the_clinic_reports_stays_published_until_an_admin_decides(
    client, staff, clinic, admin_client, django_capture_on_commit_callbacks
):
    review = make_review(clinic, rating=1, text="Dr Smith told me about Mrs Jones's cancer.")
    staff.post(
        reverse("portal:review-flag", args=[clinic.slug, review.pk]),
        {
            f"flag-{review.pk}-reason": "personal_details",
            f"flag-{review.pk}-note": "Names a patient",
        },
    )
    flag = ReviewFlag.objects.get()
    assert flag.reported_by.email == "owner@alder.example"
    assert "Mrs Jones" in client.get(clinic.get_absolute_url()).content.decode()
    home = admin_client.get(reverse("admin:index")).content.decode()
    assert '<span class="count">1</span> Reviews a clinic asked us to remove' in home
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:clinics_reviewflag_changelist"),
            {"action": "approve", "_selected_action": [flag.pk]},
        )
    review.refresh_from_db()
    assert review.status == "removed" and review.removal_reason == "personal_details"
    page = client.get(clinic.get_absolute_url()).content.decode()
    assert "Removed because it gave someone else&#x27;s personal or health details." in page
    assert [m.to for m in mail.outbox] == [["owner@alder.example"]]


def test_a_refused_report_keeps_the_review(staff, clinic, admin_client):
    review = make_review(clinic, rating=1, text="Slow, expensive and unhelpful.")
    flag = ReviewFlag.objects.create(review=review, reason="abuse", note="Unfair")
    admin_client.post(
        reverse("admin:clinics_reviewflag_changelist"),
        {"action": "refuse", "_selected_action": [flag.pk]},
    )
    review.refresh_from_db()
    assert review.status == "published"
    page = staff.get(reverse("portal:reviews", args=[clinic.slug])).content.decode()
    assert "kept, as it breaks none of our rules" in page


def test_staff_of_another_clinic_cannot_reply_to_or_report_a_review(clinic):
    review = make_review(clinic)
    rival = make_clinic(slug="rival")
    outsider = Client()
    outsider.force_login(make_staff(rival))
    for name in ("review-reply", "review-flag"):
        for slug in ("alder", "rival"):
            response = outsider.post(reverse(f"portal:{name}", args=[slug, review.pk]), {})
            assert response.status_code == 404
    assert outsider.get(reverse("portal:reviews", args=["alder"])).status_code == 404
    assert not ReviewFlag.objects.exists()
    review.refresh_from_db()
    assert review.replied_at is None


def test_no_portal_page_shows_or_makes_a_review_link(staff, clinic, invite):
    old = timezone.now() - 30 * DAY
    enquiry = make_enquiry(clinic, created_at=old, answered_at=old)
    [email] = invite().values()
    token = link_of(email).rstrip("/").rsplit("/", 1)[1]
    for name, args in [("dashboard", []), ("enquiries", []), ("enquiry", [enquiry.pk]),
                       ("reviews", []), ("reports", [])]:  # fmt: skip
        page = staff.get(reverse(f"portal:{name}", args=[clinic.slug, *args])).content.decode()
        assert token not in page
    assert not any("invit" in name and "review" in name for name in _portal_url_names())


def _portal_url_names():
    from clinics.portal import urls

    return [pattern.name for pattern in urls.urlpatterns]


# --- What patients see ----------------------------------------------------------------------


def structured(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


def test_json_ld_marks_up_the_rating_and_published_reviews_only(client, clinic):
    assert "aggregateRating" not in client.get(clinic.get_absolute_url()).content.decode()
    make_review(clinic, rating=5, author_name="Ana", text="Brilliant, thorough and kind.")
    make_review(clinic, rating=4, author_name="Ben", text="Good advice and fair prices.")
    removed = make_review(clinic, rating=1, author_name="Cy", text="Rude words here and more.")
    removed.remove("abuse", None)
    [data] = [d for d in structured(client.get(clinic.get_absolute_url()).content.decode())
              if d.get("name") == "Alder Physio"]  # fmt: skip
    assert data["aggregateRating"] == {
        "@type": "AggregateRating", "ratingValue": "4.5", "bestRating": "5", "worstRating": "1",
        "ratingCount": 2, "reviewCount": 2,
    }  # fmt: skip
    assert sorted(r["author"]["name"] for r in data["review"]) == ["Ana", "Ben"]
    # A list of clinics marks up no ratings: Google's rules are for one business's page.
    search = client.get("/search/").content.decode()
    assert "aggregateRating" not in search and "4.5" in search


def test_the_card_shows_the_rating_count_and_latest_date_linking_to_how_reviews_work(
    client, clinic
):
    make_review(clinic, rating=5, created_at=timezone.now() - 40 * DAY)
    make_review(clinic, rating=4, created_at=timezone.make_aware(datetime.datetime(2026, 3, 2, 12)))
    card = client.get("/search/").content.decode()
    assert "<strong>4.5</strong>" in card
    assert "2 verified reviews" in card
    latest = max(r.written_on() for r in Review.objects.all())
    assert f'datetime="{latest:%Y-%m-%d}"' in card
    assert "/reviews/how-reviews-work/" in card


def test_the_average_is_rounded_half_up_in_whole_numbers(clinic):
    for rating in (4, 4, 4, 5):  # 4.25 -> 4.3
        make_review(clinic, rating=rating)
    assert str(clinic.reviews.summary().average) == "4.3"
    for rating in (3, 3, 4, 4):  # 31 / 8 = 3.875 -> 3.9
        make_review(clinic, rating=rating)
    assert str(clinic.reviews.summary().average) == "3.9"


def test_reviews_are_listed_newest_first_with_the_removed_in_place(client, clinic):
    now = timezone.now()
    make_review(clinic, rating=5, text="Oldest review of them all.", created_at=now - 90 * DAY)
    removed = make_review(clinic, rating=2, text="To be removed soon.", created_at=now - 60 * DAY)
    removed.remove("not_this_clinic", None)
    make_review(clinic, rating=1, text="Newest and the lowest.", created_at=now - DAY)
    page = client.get(reverse("clinics:reviews", args=[clinic.slug])).content.decode()
    order = [page.index(t) for t in ("Newest and the lowest.", "Removed because it was evidently",
                                     "Oldest review of them all.")]  # fmt: skip
    assert order == sorted(order)
    highest = client.get(reverse("clinics:reviews", args=[clinic.slug]) + "?order=highest")
    page = highest.content.decode()
    assert page.index("Oldest review") < page.index("Newest and the lowest") < page.index("Removed")
    assert (
        client.get(reverse("clinics:reviews", args=[clinic.slug]) + "?order=%FF").status_code == 200
    )


def test_how_reviews_work_says_how_reviews_are_collected_checked_and_removed(client, settings):
    settings.REVIEW_INVITATION_DELAY_DAYS = 7
    page = client.get("/reviews/how-reviews-work/").content.decode()
    for words in [
        "Only a patient who sent the clinic an enquiry through this site",
        "7 days after the clinic marks the enquiry answered",
        "works once",
        "at most once a year",
        "Clinics cannot send review links",
        "Nobody is paid or offered anything",
        "good or bad, newest first",
        "We remove a review only because:",
        "it was abusive;",
        "it gave someone else&#x27;s personal or health details;",
        "we had to for legal reasons;",
        "it was evidently not about this clinic.",
        "Removed because",
        "reply to each review once",
    ]:
        assert words in page, words


# On SQLite every transaction takes the write lock when it begins (transaction_mode
# IMMEDIATE), so its requests never run side by side.
@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_reviews_sent_at_once_cannot_beat_the_rules(settings):
    """Sent side by side, the same link still publishes once, one address still reviews a
    clinic once, and a burst is still held beyond the limit: the clinic's row is locked
    while its reviews are counted and one is added."""
    settings.REVIEW_BURST_LIMIT = 3
    clinic = make_clinic(slug="alder")
    same_link = make_invitation(clinic, email="one@example.com")
    same_address = [make_invitation(clinic, email="two@example.com") for _ in range(3)]
    others = [make_invitation(clinic) for _ in range(4)]
    posts = [same_link] * 3 + same_address + others
    start = threading.Barrier(len(posts))

    def send(invitation_and_token):
        invitation, token = invitation_and_token
        try:
            start.wait()
            return Client().post(path_of(invitation.link(token)), review_data()).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(posts)) as pool:
        statuses = list(pool.map(send, posts))
    assert sorted(statuses) == [302] * 6 + [409] * 2 + [410] * 2, statuses
    reviews = Review.objects.filter(clinic=clinic)
    assert reviews.count() == 6
    assert reviews.filter(invitation__email_digest=same_address[0][0].email_digest).count() == 1
    assert reviews.filter(status="published").count() == 3  # the rest held for an admin
