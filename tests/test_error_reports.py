""" "Report an error" on every clinic, practitioner and guide page: no account, trapped and
limited as enquiries are; reports reach the admins and the listing's staff, who close them
saying what was done, and the reporter is told."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinics.forms import ErrorReportForm
from clinics.models import Clinic, ClinicChange, ErrorReport
from directory.attention import queues
from tests.factories import (
    form_started,
    make_clinic,
    make_guide,
    make_practitioner,
    make_staff,
    make_treatment,
)

pytestmark = pytest.mark.django_db

DETAILS = "The Saturday hours say 9 to 5 but the clinic closes at 1 now."


@pytest.fixture
def pages():
    clinic = make_clinic(name="Alder Physio", slug="alder")
    make_staff(clinic, email="owner@alder.example")
    practitioner = make_practitioner(clinics=[clinic], slug="ada-okafor", first_name="Ada",
                                     last_name="Okafor")  # fmt: skip
    guide = make_guide(treatment=make_treatment(name="Dry needling", slug="dry-needling"))
    return {"clinic": clinic, "practitioner": practitioner, "guide": guide}


def started(seconds_ago=10):
    return form_started(ErrorReportForm, seconds_ago)


def report_data(**overrides):
    data = {
        "problem": "hours",
        "details": DETAILS,
        "email": "",
        "website": "",
        "started": started(),
    }
    return {**data, **overrides}


def send(client, kind, slug, capture, **overrides):
    with capture(execute=True):
        return client.post(
            reverse("clinics:report-error", args=[kind, slug]), report_data(**overrides)
        )


@pytest.mark.parametrize(
    "kind, slug, url",
    [
        ("clinic", "alder", "/clinics/alder/"),
        ("practitioner", "ada-okafor", "/practitioners/ada-okafor/"),
        ("guide", "dry-needling", "/treatments/dry-needling/"),
    ],
)
def test_every_clinic_practitioner_and_guide_page_links_to_report_an_error(
    client, pages, kind, slug, url
):
    page = client.get(url).content.decode()
    link = f'<a href="/report/{kind}/{slug}/">Report an error on this page</a>'
    assert link in page
    form = client.get(f"/report/{kind}/{slug}/")
    assert form.status_code == 200 and "no-store" in form["Cache-Control"]
    assert "You do not need an account" in form.content.decode()


def test_a_report_about_a_clinic_reaches_its_staff_and_the_admins(
    client, pages, django_capture_on_commit_callbacks, admin_client
):
    response = send(client, "clinic", "alder", django_capture_on_commit_callbacks,
                    email="Visitor@Example.com")  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == "/report/clinic/alder/sent/"
    assert "Thank you" in client.get(response["Location"]).content.decode()
    report = ErrorReport.objects.get()
    assert (report.subject, report.clinic, report.problem) == ("clinic", pages["clinic"], "hours")
    [email] = mail.outbox
    assert email.to == ["owner@alder.example"]
    assert "/portal/alder/reports/" in email.body
    home = admin_client.get(reverse("admin:index")).content.decode()
    assert '<span class="count">1</span> Reports of errors, open' in home


def test_only_the_problems_for_that_kind_of_page_can_be_chosen(client, pages):
    response = client.post("/report/guide/dry-needling/", report_data(problem="hours"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert DETAILS in response.content.decode()  # what was typed is kept
    assert not ErrorReport.objects.exists()


def test_unknown_kinds_and_unpublished_pages_cannot_be_reported(client, pages):
    make_clinic(slug="hidden", is_published=False)
    for url in ["/report/area/lambeth/", "/report/clinic/hidden/", "/report/clinic/nobody/",
                "/report/guide/alder/", "/report/practitioner/alder/"]:  # fmt: skip
        assert client.get(url).status_code == 404, url
        assert client.post(url, report_data()).status_code == 404, url
    assert not ErrorReport.objects.exists()


def test_spam_traps_keep_bots_out_as_on_the_enquiry_form(
    client, pages, django_capture_on_commit_callbacks
):
    honeypot = send(client, "clinic", "alder", django_capture_on_commit_callbacks, website="x")
    assert honeypot.status_code == 400
    forged = send(client, "clinic", "alder", django_capture_on_commit_callbacks, started="1.0:x")
    assert forged.status_code == 400
    quick = send(client, "clinic", "alder", django_capture_on_commit_callbacks,
                 started=started(seconds_ago=0))  # fmt: skip
    assert quick.status_code == 200 and "That was very quick" in quick.content.decode()
    # An enquiry form's start time does not open the report form.
    from tests.test_enquiries import started as enquiry_started

    borrowed = send(client, "clinic", "alder", django_capture_on_commit_callbacks,
                    started=enquiry_started())  # fmt: skip
    assert borrowed.status_code == 400
    assert not ErrorReport.objects.exists() and not mail.outbox


def test_reports_are_rate_limited_per_address_and_per_email(
    client, pages, settings, django_capture_on_commit_callbacks
):
    settings.ENQUIRY_LIMIT_PER_IP = 2
    settings.ENQUIRY_LIMIT_PER_EMAIL = 1
    statuses = [
        send(client, "clinic", "alder", django_capture_on_commit_callbacks).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert ErrorReport.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    first = send(other, "guide", "dry-needling", django_capture_on_commit_callbacks,
                 problem="facts", email="a@example.com")  # fmt: skip
    again = send(other, "guide", "dry-needling", django_capture_on_commit_callbacks,
                 problem="facts", email="A@example.com")  # fmt: skip
    assert (first.status_code, again.status_code) == (302, 429)


@pytest.fixture
def staff(pages):
    client = Client()
    client.force_login(pages["clinic"].memberships.get().user)
    return client


def test_staff_close_a_report_saying_what_was_done_and_the_reporter_is_told(
    client, staff, pages, django_capture_on_commit_callbacks
):
    send(client, "clinic", "alder", django_capture_on_commit_callbacks, email="me@example.com")
    send(client, "practitioner", "ada-okafor", django_capture_on_commit_callbacks,
         problem="registration", details="The HCPC number has a typo in it.")  # fmt: skip
    about_clinic, _ = ErrorReport.objects.order_by("pk")
    page = staff.get(reverse("portal:reports", args=["alder"])).content.decode()
    assert DETAILS in page and "The HCPC number has a typo" in page  # the profile it keeps
    dashboard = staff.get(reverse("portal:dashboard", args=["alder"])).content.decode()
    assert "2 open reports of an error" in dashboard

    url = reverse("portal:report-close", args=["alder", about_clinic.pk])
    empty = staff.post(url, {f"close-{about_clinic.pk}-resolution": ""})
    assert empty.status_code == 400  # a report is closed only saying what was done
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url, {f"close-{about_clinic.pk}-resolution": "Saturday hours corrected."})
    about_clinic.refresh_from_db()
    assert about_clinic.closed_at is not None
    assert about_clinic.resolution == "Saturday hours corrected."
    assert about_clinic.email == ""  # deleted once the reporter is told
    [told] = mail.outbox
    assert told.to == ["me@example.com"] and "Saturday hours corrected." in told.body
    assert ClinicChange.objects.filter(
        clinic=pages["clinic"], label="Closed a report: The opening hours are wrong"
    ).exists()
    # Closed twice (a double click): nothing more happens.
    with django_capture_on_commit_callbacks(execute=True):
        again = staff.post(url, {f"close-{about_clinic.pk}-resolution": "Again"})
    assert again.status_code == 404 and len(mail.outbox) == 1


def test_staff_of_another_clinic_never_see_or_close_a_report(
    client, pages, django_capture_on_commit_callbacks
):
    send(client, "clinic", "alder", django_capture_on_commit_callbacks)
    report = ErrorReport.objects.get()
    rival = make_clinic(slug="rival")
    outsider = Client()
    outsider.force_login(make_staff(rival))
    assert DETAILS not in outsider.get("/portal/rival/reports/").content.decode()
    for slug in ("alder", "rival"):
        url = reverse("portal:report-close", args=[slug, report.pk])
        assert outsider.post(url, {f"close-{report.pk}-resolution": "Done"}).status_code == 404
    assert outsider.get("/portal/alder/reports/").status_code == 404
    report.refresh_from_db()
    assert report.is_open()


def test_a_listing_with_a_report_left_open_too_long_is_flagged_to_admins(
    pages, admin_client, settings
):
    settings.REPORT_OVERDUE_DAYS = 14
    old = timezone.now() - datetime.timedelta(days=15)
    ErrorReport.objects.create(subject="practitioner", practitioner=pages["practitioner"],
                               problem="left", details="Left in May.", created_at=old)  # fmt: skip
    ErrorReport.objects.create(subject="clinic", clinic=make_clinic(), problem="prices",
                               details="New prices this week.")  # fmt: skip
    [queue] = [q for q in queues() if q.model is Clinic and "report" in q.label]
    assert list(queue.rows()) == [pages["clinic"]]  # the clinic that keeps the profile
    home = admin_client.get(reverse("admin:index")).content.decode()
    assert (
        '<span class="count">1</span> Listings with a report of an error open for more than 14'
        in home
    )
    listed = admin_client.get(queue.url())
    assert [c.name for c in listed.context["cl"].result_list] == ["Alder Physio"]


def test_an_admin_closes_a_guide_report_and_the_reporter_is_told(
    client, pages, admin_client, django_capture_on_commit_callbacks
):
    send(client, "guide", "dry-needling", django_capture_on_commit_callbacks, problem="figures",
         email="reader@example.com")  # fmt: skip
    report = ErrorReport.objects.get()
    assert not mail.outbox  # a guide is ours: no clinic is told
    url = reverse("admin:clinics_errorreport_change", args=[report.pk])
    assert admin_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"resolution": "The cost table now counts add-on sessions apart."})
    report.refresh_from_db()
    assert not report.is_open() and report.email == ""
    [told] = mail.outbox
    assert told.to == ["reader@example.com"] and "add-on sessions" in told.body
