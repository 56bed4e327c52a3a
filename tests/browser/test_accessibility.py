"""axe-core finds no WCAG 2.2 A/AA or best-practice violation on any page a person uses,
with the Content Security Policy in force."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from clinics.models import Clinic, Enquiry, Practitioner, StaffMembership
from tests.browser.conftest import axe_violations, describe, screenshot
from treatments.models import Guide, GuideText

PUBLIC_PAGES = {
    "home": "/",
    "search-with-results": "/search/?treatment=dry-needling&postcode=SW4&sort=distance",
    "search-with-none": "/search/?treatment=dry-needling&area=clapham&max_price=1",
    "search-with-errors": "/search/?postcode=SW99&max_price=-3&sort=distance",
    "guide": "/treatments/dry-needling/",
    "treatments": "/treatments/",
    "area": "/areas/lambeth/",
    "areas": "/areas/",
    "treatment-in-area": "/treatments/dry-needling/lambeth/",
    "conditions": "/conditions/",
    "condition": "/conditions/neck-pain/",
    "costs": "/costs/",
    "sign-in": "/accounts/login/",
    "sign-up": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
    "password-reset-sent": "/accounts/password/reset/done/",
    "what-we-check": "/what-we-check/",
    "find-unknown-place": "/find/?where=Clpahm&treatment=dry-needling",
    "shortlist-empty": "/shortlist/",
    "compare-empty": "/compare/",
    "how-reviews-work": "/reviews/how-reviews-work/",
    "report-error-guide": "/report/guide/dry-needling/",
    "search-by-rating": "/search/?treatment=dry-needling&rating=4&sort=rating",
}

PORTAL_PAGES = [
    "", "details/", "hours/", "next-available/", "prices/", "practitioners/",
    "practitioners/add/", "photos/", "team/", "history/", "enquiries/", "reviews/", "reports/",
]  # fmt: skip
ACCOUNT_PAGES = ["/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"]


def check(page, url, name):
    response = page.goto(url)
    assert response.status < 400, url
    violations = axe_violations(page)
    screenshot(page, name)
    assert not violations, f"{url}\n{describe(violations)}"
    assert not page.csp_violations, page.csp_violations


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_no_violations(page, live_server, demo, name):
    check(page, live_server.url + PUBLIC_PAGES[name], name)


def test_clinic_and_practitioner_pages_have_no_violations(page, live_server, demo):
    clinic = Clinic.objects.published().filter(practitioners__isnull=False).first()
    check(page, live_server.url + clinic.get_absolute_url(), "clinic")
    practitioner = Practitioner.objects.published().first()
    check(page, live_server.url + practitioner.get_absolute_url(), "practitioner")
    # A clinic with reviews, one of them removed: its page and all its reviews.
    reviewed = Clinic.objects.filter(reviews__status="removed").first()
    check(page, live_server.url + reviewed.get_absolute_url(), "clinic-reviewed")
    check(page, f"{live_server.url}/clinics/{reviewed.slug}/reviews/", "clinic-all-reviews")
    check(page, f"{live_server.url}/report/practitioner/{practitioner.slug}/", "report-error")


def shortlist_three(page, live_server):
    """Shortlist the first three clinics near SW4, as a patient would, by their buttons."""
    page.goto(live_server.url + "/search/?treatment=dry-needling&postcode=SW4")
    for n in range(3):
        page.locator("article.result-card").nth(n).get_by_role("button", name="Shortlist").click()


def test_shortlist_compare_and_a_kept_clinic_have_no_violations(page, live_server, demo):
    shortlist_three(page, live_server)
    check(page, live_server.url + "/search/?treatment=dry-needling&postcode=SW4", "search-kept")
    check(page, live_server.url + "/shortlist/", "shortlist")
    check(page, live_server.url + "/compare/?treatment=dry-needling&postcode=SW4", "compare")
    kept = page.locator("thead a").first.get_attribute("href")
    check(page, live_server.url + kept, "clinic-kept")


def test_enquiry_form_with_errors_has_no_violations(page, live_server, demo):
    clinic = Clinic.objects.published().first()
    page.goto(live_server.url + clinic.get_absolute_url() + "enquiry/")
    page.get_by_role("button", name="Send enquiry").click()
    expect(page.get_by_text("Your enquiry was not sent")).to_be_visible()
    violations = axe_violations(page)
    screenshot(page, "enquiry-errors")
    assert not violations, describe(violations)


def sign_in_as(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("path", PORTAL_PAGES)
def test_portal_page_has_no_violations(page, live_server, demo, path):
    staff = get_user_model().objects.get(email="staff@demo.example")
    membership = StaffMembership.objects.filter(user=staff, role="owner").select_related("clinic")
    clinic = membership.get().clinic
    Enquiry.objects.create(
        clinic=clinic, name="Pat", email="pat@example.com", message="Sore neck.",
        consent_given_at="2026-11-01T10:00Z",
    )  # fmt: skip
    sign_in_as(page, live_server, staff)
    check(
        page,
        f"{live_server.url}/portal/{clinic.slug}/{path}",
        f"portal-{path.strip('/') or 'dashboard'}",
    )


def test_portal_home_and_enquiry_have_no_violations(page, live_server, demo):
    staff = get_user_model().objects.get(email="staff@demo.example")
    sign_in_as(page, live_server, staff)
    check(page, f"{live_server.url}/portal/", "portal-home")
    clinic = staff.clinic_memberships.first().clinic
    enquiry = Enquiry.objects.create(
        clinic=clinic, name="Pat", email="pat@example.com", message="Sore neck.",
        consent_given_at="2026-11-01T10:00Z",
    )  # fmt: skip
    check(page, f"{live_server.url}/portal/{clinic.slug}/enquiries/{enquiry.pk}/", "portal-enquiry")


def test_admin_home_and_guide_pages_have_no_violations(page, live_server, demo):
    """The pages admins curate guides with (Django's own list filters and widgets aside)."""
    guide = Guide.objects.get(treatment__slug="dry-needling")
    text = GuideText.of_guide(guide)
    text.faqs[0].question = "Is dry needling safe for me?"
    guide.save_draft(text, None, guide.state_token(None, guide.current_version()))
    sign_in_as(page, live_server, get_user_model().objects.get(email="admin@demo.example"))
    for name, path in [
        ("admin-home", "/admin/"),
        ("admin-guides", "/admin/treatments/guide/"),
        ("admin-guide-editor", f"/admin/treatments/guide/{guide.pk}/change/"),
        ("admin-guide-changes", f"/admin/treatments/guide/{guide.pk}/changes/"),
        ("admin-guide-history", f"/admin/treatments/guide/{guide.pk}/history/"),
        ("admin-guide-version", f"/admin/treatments/guide/{guide.pk}/versions/1/"),
        ("admin-guide-preview", f"/guides/{guide.pk}/preview/"),
        ("admin-review-form", f"/admin/treatments/guidereview/add/?guide={guide.pk}"),
    ]:
        check(page, live_server.url + path, name)


@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_account_page_has_no_violations(page, live_server, demo, path):
    sign_in_as(page, live_server, get_user_model().objects.get(email="staff@demo.example"))
    check(page, live_server.url + path, "account-" + path.strip("/").replace("/", "-"))
