"""The admin home counts what needs attention, and each count leads to a list of those rows."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import ClaimRequest, Enquiry, ErrorReport, ReviewFlag, months_ago
from directory.attention import queues
from tests.factories import make_clinic, make_guide, make_review, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def needing_attention(settings):
    """One row for each queue, beside one that does not belong in it."""
    settings.LISTING_HIDDEN_SOON_DAYS = 30
    settings.ENQUIRY_WAITING_DAYS = 3
    today = timezone.localdate()
    hidden_on = months_ago(settings.LISTING_HIDDEN_AFTER_MONTHS)
    make_clinic(is_published=False, verified_on=None)
    make_clinic(is_published=False, verified_on=today)  # checked, and unpublished on purpose
    make_clinic(details_confirmed_on=hidden_on + datetime.timedelta(days=10))  # hidden soon
    make_clinic(details_confirmed_on=hidden_on - datetime.timedelta(days=1))  # hidden already
    make_clinic(details_confirmed_on=today)
    for status in (ClaimRequest.Status.PENDING, ClaimRequest.Status.REFUSED):
        ClaimRequest.objects.create(
            clinic=make_clinic(), user=make_user(), role_at_clinic="Manager", status=status
        )
    make_guide(reviewed_on=today - datetime.timedelta(days=400))
    make_guide(reviewed_on=today - datetime.timedelta(days=40))
    for days, answered in [(5, False), (5, True), (1, False)]:
        enquiry = Enquiry.objects.create(
            clinic=make_clinic(),
            name="Pat",
            email="pat@example.com",
            message="A private message about my knee.",
            consent_given_at=timezone.now(),
        )
        created = timezone.now() - datetime.timedelta(days=days)
        Enquiry.objects.filter(pk=enquiry.pk).update(
            created_at=created,
            answered_at=created + datetime.timedelta(hours=1) if answered else None,
        )
    make_review(make_clinic(), status="held")
    reviewed = make_clinic()
    for status in ("pending", "refused"):
        ReviewFlag.objects.create(
            review=make_review(reviewed), reason="abuse", note="Rude", status=status
        )
    settings.REPORT_OVERDUE_DAYS = 14
    reported = make_clinic()
    ErrorReport.objects.create(
        subject="clinic", clinic=reported, problem="hours", details="Closed on Mondays.",
        created_at=timezone.now() - datetime.timedelta(days=20),
    )  # fmt: skip
    ErrorReport.objects.create(
        subject="clinic", clinic=reported, problem="prices", details="Higher now.",
        created_at=timezone.now() - datetime.timedelta(days=30),
        closed_at=timezone.now(), resolution="Prices updated.",
    )  # fmt: skip


@pytest.mark.parametrize("queue", queues(), ids=lambda queue: queue.label)
def test_each_count_is_the_number_of_rows_its_link_lists(admin_client, needing_attention, queue):
    [queue] = [q for q in queues() if q.label == queue.label]  # with today's settings
    listed = admin_client.get(queue.url())
    assert listed.status_code == 200  # a filter the list did not know would redirect (?e=1)
    assert listed.context["cl"].result_count == queue.rows().count() == 1


def test_the_admin_home_shows_each_count_as_a_link_and_never_an_enquiry(
    admin_client, needing_attention
):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Needs attention" in page
    for queue in queues():
        link = f'<a href="{queue.url().replace("&", "&amp;")}"><span class="count">1</span> '
        assert link + queue.label in page, queue.label
    assert "private message" not in page and "pat@example.com" not in page


def test_the_admin_home_counts_in_one_query_per_queue(admin_client, needing_attention):
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(reverse("admin:index"))
    # The session and its user; one count per queue; the user's recent actions.
    assert len(queries) == 2 + len(queues()) + 1, [q["sql"] for q in queries]


def test_staff_see_only_the_queues_of_what_they_may_see(client, needing_attention):
    editor = make_user(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_guide"))
    client.force_login(editor)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Guides due for clinical review" in page
    assert "Enquiries unanswered" not in page and "Clinics awaiting verification" not in page
