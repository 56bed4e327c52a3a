import logging
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from mailer import engine
from mailer.models import RESULT_FAILURE, RESULT_SUCCESS, Message, MessageLog

logger = logging.getLogger(__name__)

DAY_SECONDS = 24 * 60 * 60
# How often waiting emails are looked for: a patient's confirmation goes within seconds.
ROUND_SECONDS = 5


class Command(BaseCommand):
    help = (
        "The site's background worker, started by `make run` and `make serve`: sends the "
        "emails waiting in the outbox every few seconds, tries deferred ones again every "
        "OUTBOX_RETRY_SECONDS, and once a day invites patients to review the clinics they "
        "enquired with (send_review_invitations), deletes old enquiries (purge_enquiries) "
        "and the log of emails older than OUTBOX_LOG_DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="One round (retry, send, invite, purge), then stop."
        )

    def handle(self, *args, once=False, **options):
        self.next_retry = self.next_purge = 0.0
        while True:
            # A worker lives for weeks: reconnect if the database closed the connection.
            close_old_connections()
            try:
                self.round(time.monotonic())
            except Exception:
                if once:
                    raise
                # A database that is busy or briefly away: the next round tries again.
                logger.exception("Outbox round failed; trying again shortly")
            if once:
                return
            time.sleep(ROUND_SECONDS)

    def round(self, now):
        if now >= self.next_retry:
            retried = Message.objects.retry_deferred()
            if retried:
                logger.info("Trying %s deferred email(s) again", retried)
            self.next_retry = now + settings.OUTBOX_RETRY_SECONDS
        engine.send_all()
        if now >= self.next_purge:
            # Invitations first: they read enquiries that the purge may delete.
            call_command("send_review_invitations", stdout=self.stdout)
            call_command("purge_enquiries", stdout=self.stdout)
            MessageLog.objects.purge_old_entries(
                settings.OUTBOX_LOG_DAYS, [RESULT_SUCCESS, RESULT_FAILURE]
            )
            self.next_purge = now + DAY_SECONDS
