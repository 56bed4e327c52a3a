"""The outbox: pages store emails and answer at once; the worker (`manage.py outbox`) sends
them, keeping any it cannot send for a retry, so a mail server that is down for an hour loses
nothing. Tested against a real SMTP server (aiosmtpd) that the test stops and starts again."""

import contextlib
import datetime
import socket
import threading
import time
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from mailer.models import PRIORITY_DEFERRED, Message, MessageLog

from clinics.models import Enquiry
from tests.factories import make_clinic, make_staff, make_treatment
from tests.test_enquiries import enquiry_data

pytestmark = pytest.mark.django_db(transaction=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd's handler: keeps what it is sent."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def recipients(self):
        return sorted(address for e in self.envelopes for address in e.rcpt_tos)


class MailServer:
    """A real SMTP server (aiosmtpd) on one port, which the test stops and starts again."""

    def __init__(self, port):
        self.port = port
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    """The server, not yet started; the site's emails go to the outbox and from there to
    it."""
    server = MailServer(free_port())
    settings.EMAIL_BACKEND = "mailer.backend.DbBackend"
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.ENQUIRY_MIN_SECONDS = 0
    yield server, server.inbox
    server.stop()


def worker_round():
    call_command("outbox", "--once", stdout=StringIO())


def send_enquiry(clinic):
    started = time.monotonic()
    response = Client().post(reverse("clinics:enquiry", args=[clinic.slug]), enquiry_data())
    return response, time.monotonic() - started


def test_with_the_mail_server_down_no_email_is_lost_and_pages_answer_at_once(smtp):
    server, inbox = smtp
    clinic = make_clinic(slug="clinic-a", email="desk@clinic.example")
    make_staff(clinic, email="owner@clinic.example")
    make_treatment()

    server.start()
    server.stop()  # the mail server goes down
    response, seconds = send_enquiry(clinic)
    assert response.status_code == 302 and seconds < 2
    assert Enquiry.objects.count() == 1
    assert Message.objects.count() == 3  # the patient, the clinic's address, its owner

    worker_round()  # refused: every email kept, deferred
    assert Message.objects.count() == 3
    assert set(Message.objects.values_list("priority", flat=True)) == {PRIORITY_DEFERRED}
    assert MessageLog.objects.filter(result="3").exists()  # the failure is logged
    assert inbox.envelopes == []

    server.start()  # back an hour later: the next round tries the deferred ones again
    worker_round()
    assert inbox.recipients() == [
        "desk@clinic.example", "owner@clinic.example", "pat@example.com",
    ]  # fmt: skip
    assert not Message.objects.exists()
    bodies = " ".join(e.content.decode() for e in inbox.envelopes)
    assert "stiff neck" not in bodies.lower()  # the message never goes by email


def test_a_server_that_hangs_up_defers_rather_than_stopping_the_worker(smtp, settings):
    """A listener that accepts and closes at once: smtplib's SMTPServerDisconnected, which
    django-mailer's own handler would raise (stopping the worker)."""

    def hang_up(listener):
        with contextlib.suppress(OSError):  # until the listener is closed
            while True:
                listener.accept()[0].close()

    with socket.socket() as rude:
        rude.bind(("127.0.0.1", 0))
        rude.listen()
        threading.Thread(target=hang_up, args=[rude], daemon=True).start()
        settings.EMAIL_PORT = rude.getsockname()[1]
        clinic = make_clinic(slug="clinic-a", email="desk@clinic.example")
        send_enquiry(clinic)
        worker_round()
    assert Message.objects.deferred().count() == 2
    assert MessageLog.objects.filter(log_message__startswith="SMTPServerDisconnected").exists()


def test_a_page_never_waits_for_a_mail_server_that_does_not_answer(smtp, settings):
    """A server that takes connections and never speaks: a page talking to it would hang
    for EMAIL_TIMEOUT. Pages only store emails."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.EMAIL_PORT = silent.getsockname()[1]
        settings.EMAIL_TIMEOUT = 10
        clinic = make_clinic(slug="clinic-a", email="desk@clinic.example")
        response, seconds = send_enquiry(clinic)
    assert response.status_code == 302 and seconds < 2
    assert Message.objects.count() == 2


def test_the_worker_deletes_old_enquiries_once_a_day(smtp, settings):
    clinic = make_clinic(slug="clinic-a")
    old = timezone.now() - datetime.timedelta(days=settings.ENQUIRY_RETENTION_DAYS + 1)
    for created in (old, timezone.now()):
        enquiry = Enquiry.objects.create(
            clinic=clinic, name="Pat", email="pat@example.com", message="Knee",
            consent_given_at=created,
        )  # fmt: skip
        Enquiry.objects.filter(pk=enquiry.pk).update(created_at=created)
    worker_round()
    assert Enquiry.objects.count() == 1


def test_the_worker_keeps_going_round_after_round(smtp, monkeypatch):
    """As `make run` starts it: no --once, an empty outbox, round after round (the second
    round is where a worker that cannot wait between rounds would stop)."""
    from directory.management.commands import outbox

    waits = []

    def wait(seconds):
        waits.append(seconds)
        if len(waits) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(outbox.time, "sleep", wait)
    with pytest.raises(KeyboardInterrupt):
        call_command("outbox", stdout=StringIO())
    assert waits == [outbox.ROUND_SECONDS] * 3
