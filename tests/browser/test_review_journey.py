"""A verified review, from the enquiry to the clinic's reply, in a real browser: the patient
enquires, the clinic marks it answered, the worker's pass emails the patient a link (read
from the outbox), the patient reviews, the review shows on the clinic's page and its search
card, the clinic replies once; the link then refuses a second use. And "report an error",
from a clinic's page to the clinic closing it. axe finds nothing on any of these pages."""

import io
import re
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from mailer.models import Message
from playwright.sync_api import expect

from clinics.models import ErrorReport, Review, StaffMembership
from tests.browser.conftest import axe_violations, describe, screenshot

PATIENT = "pat.reviewer@example.com"


@pytest.fixture
def outbox(settings, demo):
    settings.EMAIL_BACKEND = "mailer.backend.DbBackend"
    # The setting says how many days after the answer the patient is asked: at once, here.
    settings.REVIEW_INVITATION_DELAY_DAYS = 0
    Message.objects.all().delete()
    return settings


def accessible(page, name):
    violations = axe_violations(page)
    screenshot(page, name)
    assert not violations, f"{page.url}\n{describe(violations)}"
    assert not page.csp_violations, page.csp_violations


def emails_to(address):
    return [m.email for m in Message.objects.order_by("pk") if address in m.email.to]


def staff_signs_in(browser, live_server):
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = staff.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page.csp_violations.append(m.text),
    )
    page.goto(live_server.url + "/portal/")
    page.get_by_label("Email").fill("staff@demo.example")
    page.get_by_label("Password").fill("demo-staff-password")
    page.get_by_role("button", name="Sign in").click()
    return staff, page


def test_enquiry_answer_invitation_review_reply_and_a_used_link(page, browser, live_server, outbox):
    staff_user = get_user_model().objects.get(email="staff@demo.example")
    clinic = StaffMembership.objects.get(user=staff_user, role="owner").clinic

    # The patient enquires from the clinic's page.
    page.goto(live_server.url + clinic.get_absolute_url())
    page.get_by_label("Your name").fill("Pat Reviewer")
    page.get_by_label("Your email").fill(PATIENT)
    page.get_by_label("Your message").fill("Sore lower back after moving house.")
    page.get_by_label("I agree that the clinic may use").check()
    page.get_by_role("button", name="Send enquiry").click()
    expect(page.get_by_role("heading", name="Your enquiry has been sent")).to_be_visible()

    # The clinic reads it and marks it answered.
    staff, portal = staff_signs_in(browser, live_server)
    portal.get_by_role("link", name=clinic.name).click()
    # (Its details confirmed, so that the listing is in the search, whatever the demo's age.)
    portal.get_by_role("button", name="Yes, details and prices are correct").click()
    portal.get_by_role("link", name="Enquiries", exact=True).click()
    portal.get_by_role("link", name="Pat Reviewer").click()
    portal.get_by_role("button", name="Mark as answered").click()
    expect(portal.get_by_text("Marked as answered.")).to_be_visible()

    # The worker's daily pass invites the patient: one email, through the outbox.
    call_command("send_review_invitations", stdout=io.StringIO())
    [invitation] = [e for e in emails_to(PATIENT) if "How was" in e.subject]
    link = re.search(r"https?://\S+/review/\S+/", invitation.body)[0]
    path = link[link.index("/clinics/") :]

    # The patient reviews, from the link.
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", name=f"Review {clinic.name}")).to_be_visible()
    page.get_by_role("button", name="Publish my review").click()  # nothing chosen yet
    expect(page.get_by_text("Your review was not sent")).to_be_visible()
    accessible(page, "review-form-errors")
    page.get_by_role("group", name="Overall, how was your experience?").get_by_label(
        "4: good"
    ).check()
    page.get_by_role("textbox", name=re.compile(r"^Your review")).fill(
        "Quick to reply, and the exercises sorted my back out within three weeks."
    )
    page.get_by_role("group", name="Value for money (optional)").get_by_label("3: fair").check()
    page.get_by_label("When did you visit?").select_option(index=1)
    page.get_by_label("Your name, as shown with your review").fill("Pat R.")
    page.get_by_label("This is my own experience").check()
    accessible(page, "review-form")
    page.get_by_role("button", name="Publish my review").click()
    expect(page.get_by_text("Thank you: your review is published.")).to_be_visible()
    expect(page.get_by_text("the exercises sorted my back out")).to_be_visible()
    accessible(page, "clinic-reviews")
    review = Review.objects.get(author_name="Pat R.")
    assert review.rating == 4 and review.value_rating == 3 and review.status == "published"

    # The clinic replies, once, in the portal.
    portal.get_by_role("link", name="Reviews", exact=True).click()
    accessible(portal, "portal-reviews")
    entry = portal.locator(f"#review-{review.pk}").locator("..")
    entry.get_by_text("Reply publicly").click()
    entry.get_by_label("Your public reply").fill("Thank you, Pat: glad the exercises helped.")
    entry.get_by_role("button", name="Publish the reply").click()
    expect(portal.get_by_text("Your reply is published under the review.")).to_be_visible()
    assert (
        not portal.locator(f"#review-{review.pk}")
        .locator("..")
        .get_by_text("Reply publicly")
        .count()
    )  # once only

    # Patients see the review with the reply on the clinic's page, and its rating on the card.
    page.goto(live_server.url + clinic.get_absolute_url())
    shown = page.locator(f"#review-{review.pk}")
    expect(shown.get_by_text("the exercises sorted my back out")).to_be_visible()
    expect(shown.get_by_text("Thank you, Pat: glad the exercises helped.")).to_be_visible()
    expect(shown.get_by_text(f"Reply from {clinic.name}")).to_be_visible()
    accessible(page, "clinic-with-reviews")
    summary = clinic.reviews.summary()
    page.goto(live_server.url + "/search/?" + urlencode({"q": clinic.name}))
    card = page.locator("article.card", has=page.get_by_role("link", name=clinic.name))
    expect(card.get_by_text(f"{summary.count} verified reviews")).to_be_visible()
    expect(card.locator("strong", has_text=str(summary.average))).to_be_visible()
    expect(card.get_by_role("link", name="How reviews work")).to_be_visible()

    # The link works once.
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", name="This review link has been used")).to_be_visible()
    assert (
        Review.objects.filter(invitation__token_digest=review.invitation.token_digest).count() == 1
    )
    accessible(page, "review-link-used")
    staff.close()


def test_a_report_of_an_error_reaches_the_clinic_which_closes_it(
    page, browser, live_server, outbox
):
    staff_user = get_user_model().objects.get(email="staff@demo.example")
    clinic = StaffMembership.objects.get(user=staff_user, role="owner").clinic
    page.goto(live_server.url + clinic.get_absolute_url())
    page.get_by_role("link", name="Report an error on this page").click()
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Your report was not sent")).to_be_visible()
    accessible(page, "report-error-errors")
    page.get_by_label("The prices are wrong").check()
    page.get_by_label("Tell us more").fill("The follow-up costs £70 now, not £65.")
    page.get_by_label("Your email (optional)").fill("visitor@example.com")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", name="Thank you: your report has been sent")).to_be_visible()

    staff, portal = staff_signs_in(browser, live_server)
    portal.get_by_role("link", name=clinic.name).click()
    portal.get_by_role("link", name="Reports of errors", exact=True).click()
    accessible(portal, "portal-reports")
    report = ErrorReport.objects.get(details__startswith="The follow-up costs")
    section = portal.locator(f"#report-{report.pk}")
    section.get_by_label("What did you do?").fill("Updated the follow-up price to £70.")
    section.get_by_role("button", name="Close the report").click()
    expect(portal.get_by_text("Whoever sent it has been told.")).to_be_visible()
    [told] = emails_to("visitor@example.com")
    assert "Updated the follow-up price to £70." in told.body
    staff.close()
