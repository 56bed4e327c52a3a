from django.core.management.base import BaseCommand
from django.utils import timezone

from clinics.models import REVIEW_INTERVAL, Enquiry, ReviewInvitation


class Command(BaseCommand):
    help = (
        "Invite patients, once each, to review the clinics they enquired with: "
        "REVIEW_INVITATION_DELAY_DAYS after the clinic marked the enquiry answered (or "
        "REVIEW_INVITATION_UNANSWERED_DAYS after it arrived, if it never was). Also deletes "
        "invitations unused for a year. Run daily by the outbox worker; safe to run by hand."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        due = Enquiry.objects.due_for_review_invitation(now).select_related("clinic")
        invited = sum(
            enquiry.invite_to_review(now) is not None
            for enquiry in due.order_by("pk").iterator(chunk_size=500)
        )
        stale, _ = ReviewInvitation.objects.filter(
            used_at=None, sent_at__lt=now - REVIEW_INTERVAL
        ).delete()
        self.stdout.write(f"{invited} review invitations sent; {stale} unused for a year deleted.")
