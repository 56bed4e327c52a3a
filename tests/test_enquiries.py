"""Enquiries are health data: consent first, spam kept out, the message never emailed,
kept only as long as needed."""

import datetime
import logging
import time

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinics.forms import EnquiryForm
from clinics.models import Enquiry, StaffMembership
from tests.factories import (
    form_started,
    make_clinic,
    make_offer,
    make_practitioner,
    make_staff,
    make_treatment,
)

pytestmark = pytest.mark.django_db

MESSAGE = "My left shoulder has hurt since a fall in March; it keeps me awake."


@pytest.fixture
def clinic():
    clinic = make_clinic(slug="clinic-a", email="desk@clinic-a.example")
    make_offer(clinic, make_treatment(name="Dry needling", slug="dry-needling"))
    make_staff(clinic, email="owner@clinic-a.example")
    return clinic


def started(seconds_ago=10):
    return form_started(EnquiryForm, seconds_ago)


def enquiry_data(**overrides):
    data = {
        "name": "Pat Patient",
        "email": "pat@example.com",
        "phone": "",
        "preferred_contact": "email",
        "treatment": "",
        "message": MESSAGE,
        "consent": "on",
        "website": "",
        "started": started(),
    }
    data.update(overrides)
    return {f"enquiry-{key}": value for key, value in data.items()}


def send(client, clinic, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("clinics:enquiry", args=[clinic.slug]), enquiry_data(**overrides)
        )


def test_an_enquiry_is_stored_and_both_emails_leave_out_the_message(
    client, clinic, django_capture_on_commit_callbacks
):
    response = send(client, clinic, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/clinics/clinic-a/enquiry/sent/"  # no personal data
    enquiry = Enquiry.objects.get()
    assert (enquiry.clinic, enquiry.message, enquiry.email) == (clinic, MESSAGE, "pat@example.com")
    assert enquiry.consent_given_at is not None
    # One email each, so that nobody sees who else was told.
    patient, *staff = mail.outbox
    assert patient.to == ["pat@example.com"]
    assert sorted(message.to[0] for message in staff) == [
        "desk@clinic-a.example", "owner@clinic-a.example",
    ]  # fmt: skip
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert f"/portal/clinic-a/enquiries/{enquiry.pk}/" in staff[0].body
    for email in mail.outbox:
        assert "shoulder" not in email.body and "shoulder" not in email.subject
        assert "Pat Patient" not in email.body


def test_without_consent_nothing_is_stored(client, clinic, django_capture_on_commit_callbacks):
    response = send(client, clinic, django_capture_on_commit_callbacks, consent="")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tick the box to agree" in page
    assert MESSAGE in page  # what was typed is kept
    assert not Enquiry.objects.exists() and not mail.outbox


def test_the_honeypot_refuses_bots(client, clinic, django_capture_on_commit_callbacks):
    response = send(client, clinic, django_capture_on_commit_callbacks, website="http://spam")
    assert response.status_code == 400
    assert not Enquiry.objects.exists() and not mail.outbox


def test_a_forged_start_time_is_refused(client, clinic, django_capture_on_commit_callbacks):
    response = send(client, clinic, django_capture_on_commit_callbacks, started="12345")
    assert response.status_code == 400
    assert not Enquiry.objects.exists()


def test_an_old_start_time_cannot_be_replayed(
    client, clinic, django_capture_on_commit_callbacks, settings
):
    """Attack (issue 14, finding 8): a signed start time taken once was accepted for ever, so
    a script could fetch one and replay it. It now expires after ENQUIRY_FORM_MAX_AGE_SECONDS;
    a person who left the form open is asked to send it again, keeping what they typed."""
    max_age = settings.ENQUIRY_FORM_MAX_AGE_SECONDS
    with time_machine.travel(time.time() - max_age - 60):
        old = started()
    with time_machine.travel(time.time() - max_age + 60):
        fresh = started()
    response = send(client, clinic, django_capture_on_commit_callbacks, started=old)
    page = response.content.decode()
    assert response.status_code == 200 and "This form was open for a long time" in page
    assert MESSAGE in page
    assert not Enquiry.objects.exists() and not mail.outbox
    fresh = started(settings.ENQUIRY_FORM_MAX_AGE_SECONDS - 60)
    assert (
        send(client, clinic, django_capture_on_commit_callbacks, started=fresh).status_code == 302
    )


def test_too_fast_a_submission_is_refused_but_a_person_can_resend(
    client, clinic, django_capture_on_commit_callbacks
):
    response = send(client, clinic, django_capture_on_commit_callbacks, started=started(0))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<li>That was very quick" in page  # said plainly, not as a field nobody can see
    assert "Started:" not in page
    assert not Enquiry.objects.exists()
    assert send(client, clinic, django_capture_on_commit_callbacks).status_code == 302


def test_the_sixth_enquiry_from_one_address_in_a_minute_is_refused(
    clinic, django_capture_on_commit_callbacks
):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(5):
        email = f"person{i}@example.com"
        assert (
            send(client, clinic, django_capture_on_commit_callbacks, email=email).status_code == 302
        )
    sent = len(mail.outbox)
    response = send(client, clinic, django_capture_on_commit_callbacks, email="sixth@example.com")
    assert response.status_code == 429
    assert Enquiry.objects.count() == 5
    assert len(mail.outbox) == sent
    other_address = Client(REMOTE_ADDR="198.51.100.7")
    assert send(other_address, clinic, django_capture_on_commit_callbacks).status_code == 302


def test_one_email_address_is_limited_too(clinic, django_capture_on_commit_callbacks):
    for i in range(3):
        client = Client(REMOTE_ADDR=f"192.0.2.{i}")
        assert send(client, clinic, django_capture_on_commit_callbacks).status_code == 302
    client = Client(REMOTE_ADDR="192.0.2.99")
    assert send(client, clinic, django_capture_on_commit_callbacks).status_code == 429


def test_failed_mail_loses_no_enquiry_and_logs_no_message(
    client, clinic, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.test_enquiries.BrokenBackend"
    with caplog.at_level(logging.INFO):
        response = send(client, clinic, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert (
        f"Enquiry {enquiry.pk}: an email could not be sent (ConnectionRefusedError)" in caplog.text
    )
    assert "shoulder" not in caplog.text and "pat@example.com" not in caplog.text


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down for pat@example.com")


def test_an_enquiry_about_a_practitioner_is_addressed_to_their_clinic(
    client, clinic, django_capture_on_commit_callbacks
):
    ada = make_practitioner(clinics=[clinic], slug="ada")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("clinics:enquiry", args=[clinic.slug]) + "?practitioner=ada", enquiry_data()
        )
    assert Enquiry.objects.get().practitioner == ada


def test_enquiry_pages_are_not_cached(client, clinic):
    assert "no-store" in client.get(reverse("clinics:enquiry", args=["clinic-a"]))["Cache-Control"]
    sent = client.get(reverse("clinics:enquiry-sent", args=["clinic-a"]))
    assert "no-store" in sent["Cache-Control"]


# --- The clinic's inbox ---------------------------------------------------------------------


def make_enquiry(clinic, **kwargs):
    defaults = {
        "name": "Pat",
        "email": "pat@example.com",
        "message": MESSAGE,
        "consent_given_at": timezone.now(),
    }
    return Enquiry.objects.create(clinic=clinic, **{**defaults, **kwargs})


def test_the_inbox_lists_unread_first_and_marks_read_only_when_asked(clinic):
    """Issue 14, finding 8: opening an enquiry with GET marked it read, so a link previewer
    or a prefetching browser would mark it. Now only a POST (the button, or marking it
    answered) does."""
    read = make_enquiry(clinic, name="Read one", read_at=timezone.now())
    unread = make_enquiry(clinic, name="Unread one")
    staff = StaffMembership.objects.get(clinic=clinic).user
    client = Client()
    client.force_login(staff)
    inbox = client.get(reverse("portal:enquiries", args=["clinic-a"]))
    assert [e.name for e in inbox.context["enquiries"]] == ["Unread one", "Read one"]
    url = reverse("portal:enquiry", args=["clinic-a", unread.pk])
    page = client.get(url).content.decode()
    client.head(url)
    assert MESSAGE in page and "mailto:pat@example.com" in page
    unread.refresh_from_db()
    assert unread.read_at is None
    assert (
        client.get(reverse("portal:enquiry-read", args=["clinic-a", unread.pk])).status_code == 405
    )
    client.post(reverse("portal:enquiry-read", args=["clinic-a", unread.pk]))
    unread.refresh_from_db()
    assert unread.read_at is not None
    client.post(reverse("portal:enquiry-answered", args=["clinic-a", read.pk]))
    read.refresh_from_db()
    assert read.answered_at is not None


def test_staff_of_another_clinic_cannot_read_or_answer_an_enquiry(clinic):
    enquiry = make_enquiry(clinic)
    other = make_clinic(slug="clinic-b")
    intruder = make_staff(other)
    client = Client()
    client.force_login(intruder)
    for method, url in [
        ("get", reverse("portal:enquiries", args=["clinic-a"])),
        ("get", reverse("portal:enquiry", args=["clinic-a", enquiry.pk])),
        ("get", reverse("portal:enquiry", args=["clinic-b", enquiry.pk])),
        ("post", reverse("portal:enquiry-answered", args=["clinic-a", enquiry.pk])),
        ("post", reverse("portal:enquiry-answered", args=["clinic-b", enquiry.pk])),
    ]:
        assert getattr(client, method)(url).status_code == 404, url
    enquiry.refresh_from_db()
    assert enquiry.read_at is None and enquiry.answered_at is None


# --- Retention and figures -------------------------------------------------------------------


def test_purge_deletes_only_enquiries_past_retention(clinic, capsys):
    with time_machine.travel(datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC)):
        make_enquiry(clinic, name="Old")
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)):
        make_enquiry(clinic, name="Recent")
        call_command("purge_enquiries")
        assert "0 enquiries older than 180 days deleted." in capsys.readouterr().out
    with time_machine.travel(datetime.datetime(2026, 7, 1, 12, tzinfo=datetime.UTC)):
        call_command("purge_enquiries")
        assert "1 enquiries older than 180 days deleted." in capsys.readouterr().out
    assert list(Enquiry.objects.values_list("name", flat=True)) == ["Recent"]


def test_typical_response_time_is_the_median_of_answered_enquiries(client, clinic):
    now = timezone.now()
    for hours in (1, 2, 3, 4):
        make_enquiry(clinic, answered_at=now + datetime.timedelta(hours=hours))
    assert clinic.enquiries.typical_response_time() is None  # too few to say
    make_enquiry(clinic, answered_at=now + datetime.timedelta(hours=30))
    make_enquiry(clinic)  # not answered: does not count
    wait = clinic.enquiries.typical_response_time()
    assert round(wait.total_seconds() / 3600) == 3
    assert (
        "usually replies within 3 hours" in client.get(clinic.get_absolute_url()).content.decode()
    )


def test_patients_and_staff_are_told_the_retention_period_the_purge_applies(
    client, clinic, settings
):
    settings.ENQUIRY_RETENTION_DAYS = 90
    form_page = client.get(reverse("clinics:enquiry", args=[clinic.slug])).content.decode()
    assert "we delete enquiries after 90 days" in form_page
    client.force_login(make_staff(clinic))
    inbox = client.get(reverse("portal:enquiries", args=[clinic.slug])).content.decode()
    assert "We delete enquiries 90 days after they arrive" in inbox


def test_the_clinic_page_form_carries_one_csrf_token(client, clinic):
    page = client.get(clinic.get_absolute_url()).content.decode()
    action = f'action="{reverse("clinics:enquiry", args=[clinic.slug])}"'
    enquiry_form = page[page.index(action) :].split("</form>")[0]
    assert enquiry_form.count('name="csrfmiddlewaretoken"') == 1
