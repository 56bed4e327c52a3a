"""What needs an admin's attention, counted on the admin home; each count links to the admin
list showing those rows.

queues() is the one place to add to: a Queue names what it counts, the admin list that shows
it (a model and the filters in that list's query string) and the rows to count, which must be
the rows the list shows (tests/test_attention.py checks every queue against its list). Counts
only: the home page never shows what an enquiry or a claim says, just how many wait.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.urls import reverse

from clinics.models import ClaimRequest, Clinic, Decision, Enquiry, ErrorReport, Review, ReviewFlag
from treatments.models import Guide


@dataclass(frozen=True)
class Queue:
    label: str
    model: type[models.Model]
    filters: dict[str, str]
    rows: Callable[[], models.QuerySet]

    def url(self):
        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return f"{changelist}?{urlencode(self.filters)}"

    def visible_to(self, user):
        opts = self.model._meta
        return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        )


def queues():
    hidden_soon, waiting = settings.LISTING_HIDDEN_SOON_DAYS, settings.ENQUIRY_WAITING_DAYS
    overdue = settings.REPORT_OVERDUE_DAYS
    return [
        # Today "awaiting verification" means added (unpublished) and never checked; the
        # verification queue, when it comes, will say it better.
        Queue(
            "Clinics awaiting verification",
            Clinic,
            {"is_published__exact": "0", "verified_on__isempty": "1"},
            lambda: Clinic.objects.filter(is_published=False, verified_on__isnull=True),
        ),
        Queue(
            "Claims to manage a listing, waiting for a decision",
            ClaimRequest,
            {"status__exact": ClaimRequest.Status.PENDING},
            lambda: ClaimRequest.objects.filter(status=ClaimRequest.Status.PENDING),
        ),
        Queue(
            f"Listings leaving the search within {hidden_soon} days, as not confirmed",
            Clinic,
            {"listing": "hidden-soon"},
            lambda: Clinic.objects.to_be_hidden_within(hidden_soon),
        ),
        Queue(
            "Guides due for clinical review",
            Guide,
            {"review_due": "yes"},
            lambda: Guide.objects.due_for_review(),
        ),
        Queue(
            f"Enquiries unanswered for more than {waiting} days",
            Enquiry,
            {"waiting": "overdue"},
            lambda: Enquiry.objects.filter(answered_at__isnull=True).older_than(waiting),
        ),
        Queue(
            "Reviews held for a check (one of a burst to a clinic)",
            Review,
            {"status__exact": Review.Status.HELD},
            lambda: Review.objects.filter(status=Review.Status.HELD),
        ),
        Queue(
            "Reviews a clinic asked us to remove, waiting for a decision",
            ReviewFlag,
            {"status__exact": Decision.PENDING},
            lambda: ReviewFlag.objects.pending(),
        ),
        Queue(
            "Reports of errors, open",
            ErrorReport,
            {"state": "open"},
            lambda: ErrorReport.objects.open(),
        ),
        Queue(
            f"Listings with a report of an error open for more than {overdue} days",
            Clinic,
            {"reports": "overdue"},
            lambda: Clinic.objects.with_overdue_reports(),
        ),
    ]
