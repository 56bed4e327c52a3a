"""Clinics joining on their own, in a real browser: a new clinic signs up and is verified into
the search; a claim from a clinic page through to access; an invitation refused to anyone but
the invited address. Emails are read from the outbox (django-mailer's queue), as the worker
would send them."""

import re

import pytest
from django.contrib.auth import get_user_model
from mailer.models import Message
from playwright.sync_api import expect

from clinics.models import Clinic, StaffMembership
from tests.browser.conftest import axe_violations, describe, screenshot


@pytest.fixture
def outbox(settings, demo):
    settings.EMAIL_BACKEND = "mailer.backend.DbBackend"
    Message.objects.all().delete()
    return settings


def accessible(page, name):
    violations = axe_violations(page)
    screenshot(page, name)
    assert not violations, describe(violations)
    assert not page.csp_violations, page.csp_violations


def emails_to(address):
    return [m.email for m in Message.objects.order_by("pk") if address in m.email.to]


def link_in(email, pattern, live_server=None):
    """The link in `email` whose path starts with `pattern`; on the live server when given
    (the site's own emails link to SITE_URL)."""
    link = re.search(r"https?://\S*" + pattern + r"\S*", email.body)[0]
    return live_server.url + link[link.index(pattern) :] if live_server else link


def sign_up(page, live_server, email, password="a-long-new-phrase-5"):
    page.get_by_role("link", name="Create a clinic staff account").click()
    page.get_by_label("Email").fill(email)
    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    [confirmation] = emails_to(email)
    page.goto(link_in(confirmation, "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()


def admin_signs_in(browser, live_server):
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin.goto(live_server.url + "/admin/")
    admin.get_by_label("Email").fill("admin@demo.example")
    admin.get_by_label("Password").fill("demo-admin-password")
    admin.get_by_role("button", name="Sign in").click()
    return admin


def test_a_new_clinic_signs_up_adds_its_clinic_and_is_verified_into_the_search(
    page, browser, live_server, outbox
):
    page.goto(live_server.url + "/portal/")
    accessible(page, "join-sign-in")
    sign_up(page, live_server, "nia@okapi-physio.example")
    expect(page.get_by_role("heading", name="Your clinics")).to_be_visible()

    page.get_by_role("link", name="Add a clinic").click()
    page.locator("#id_name").fill("Okapi Physio Stockwell")
    page.locator("#id_address_line1").fill("12 Lansdowne Way")
    page.get_by_label("Postcode").fill("sw8 2pa")
    page.get_by_label("Website").fill("okapi-physio.example")
    page.get_by_role("button", name="Add clinic").click()
    expect(page.get_by_text("waiting for us to verify the clinic")).to_be_visible()
    accessible(page, "join-dashboard-awaiting")
    clinic = Clinic.objects.get(name="Okapi Physio Stockwell")
    assert not clinic.is_published

    admin = admin_signs_in(browser, live_server)
    admin.goto(live_server.url + "/admin/clinics/verificationrequest/?status=pending")
    admin.get_by_role("link", name="Okapi Physio Stockwell").click()
    expect(admin.get_by_text("12 Lansdowne Way")).to_be_visible()
    admin.get_by_label("Decision").select_option("approve")
    admin.get_by_role("button", name="Save", exact=True).click()
    screenshot(admin, "join-admin-verified")
    admin.context.close()

    [verified] = [e for e in emails_to("nia@okapi-physio.example") if "now in" in e.subject]
    assert "Okapi Physio Stockwell" in verified.subject
    page.goto(live_server.url + "/search/?q=Okapi")
    expect(page.get_by_role("link", name="Okapi Physio Stockwell").first).to_be_visible()
    page.goto(f"{live_server.url}/portal/{clinic.slug}/")
    expect(page.get_by_text("In the search.")).to_be_visible()


def test_a_claim_from_a_clinic_page_through_to_access(page, browser, live_server, outbox):
    clinic = Clinic.objects.published().filter(memberships=None).order_by("pk").first()
    page.goto(live_server.url + clinic.get_absolute_url())
    page.get_by_role("link", name="Work here? Manage this listing").click()
    assert "/accounts/login/" in page.url
    sign_up(page, live_server, "leo@example.com")
    page.goto(live_server.url + clinic.get_absolute_url())
    page.get_by_role("link", name="Work here? Manage this listing").click()
    expect(page.get_by_text("Nobody manages this listing yet")).to_be_visible()
    accessible(page, "claim-form")
    page.get_by_label("Your role at the clinic").fill("Practice manager")
    page.get_by_role("button", name="Ask for access").click()
    expect(page.get_by_text("Waiting for a decision")).to_be_visible()

    admin = admin_signs_in(browser, live_server)
    admin.goto(live_server.url + "/admin/clinics/claimrequest/?waiting_for=us")
    admin.locator("input[name=_selected_action]").first.check()
    admin.locator("select[name=action]").select_option("approve")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_text("1 approved")).to_be_visible()
    admin.context.close()

    [decided] = [e for e in emails_to("leo@example.com") if "manage" in e.subject]
    assert decided.subject == f"You can now manage {clinic.name}"
    page.goto(link_in(decided, "/portal/", live_server))
    expect(page.get_by_role("heading", name=clinic.name)).to_be_visible()
    assert StaffMembership.objects.get(clinic=clinic, user__email="leo@example.com").role == "owner"


def test_an_invited_colleague_with_another_address_is_refused(page, browser, live_server, outbox):
    staff = get_user_model().objects.get(email="staff@demo.example")
    clinic = StaffMembership.objects.get(user=staff, role="owner").clinic
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("staff@demo.example")
    page.get_by_label("Password").fill("demo-staff-password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/portal/{clinic.slug}/team/")
    page.get_by_label("Colleague's email").fill("kai@example.com")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to kai@example.com.")).to_be_visible()
    [invitation] = emails_to("kai@example.com")
    link = link_in(invitation, "/portal/invitations/", live_server)

    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    other.on("console", lambda message: None)
    other.csp_violations = []
    other.goto(live_server.url + "/accounts/login/")
    sign_up(other, live_server, "someone-else@example.com")
    response = other.goto(link)
    assert response.status == 403
    assert other.get_by_role(
        "heading", name="This invitation is for another email address"
    ).is_visible()
    accessible(other, "invitation-refused")
    other.context.close()
    assert not StaffMembership.objects.filter(
        clinic=clinic, user__email="someone-else@example.com"
    ).exists()
