from django.conf import settings
from django.core.management.base import BaseCommand

from clinics.models import Enquiry


class Command(BaseCommand):
    help = (
        "Delete enquiries older than ENQUIRY_RETENTION_DAYS (default 180). Safe to run daily "
        "from cron: it only ever removes what is past the retention period."
    )

    def handle(self, *args, **options):
        days = settings.ENQUIRY_RETENTION_DAYS
        deleted, _ = Enquiry.objects.older_than(days).delete()
        self.stdout.write(f"{deleted} enquiries older than {days} days deleted.")
