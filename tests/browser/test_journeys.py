"""The journeys people make, in a real browser, without JavaScript being needed."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from PIL import Image
from playwright.sync_api import expect

from clinics.models import Clinic, ClinicPhoto, Enquiry, Offer, StaffMembership
from tests.browser.conftest import screenshot


def test_patient_on_a_phone_can_search_and_read_a_guide(phone, live_server, demo):
    for url in ["/search/?treatment=dry-needling&area=lambeth", "/treatments/dry-needling/", "/"]:
        phone.goto(live_server.url + url)
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
        screenshot(phone, "phone-" + (url.strip("/").split("/")[0] or "home"))
    phone.goto(live_server.url + "/search/?treatment=dry-needling")
    phone.get_by_label("Step-free entrance").check()
    phone.get_by_role("button", name="Show results").click()
    assert "step_free=on" in phone.url


def test_keyboard_only_patient_can_search_and_sees_errors_announced(page, live_server, demo):
    page.goto(live_server.url + "/search/?treatment=dry-needling")
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent")
    assert skip.strip() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    outline = page.evaluate(
        "() => { const a = [...document.querySelectorAll('main a')]"
        ".find((link) => link.offsetParent !== null); a.focus();"
        " return getComputedStyle(a).outlineStyle; }"
    )
    assert outline != "none"
    page.locator("#id_postcode").focus()
    page.keyboard.type("SW99")
    page.keyboard.press("Enter")  # submits the filter form
    summary = page.locator("#search-errors")
    assert summary.get_attribute("role") == "alert"
    link = summary.get_by_role("link").first
    assert "We don't know the district SW99" in link.inner_text()
    link.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_postcode"


def test_clinic_staff_change_a_price_upload_a_photo_confirm_and_read_an_enquiry(
    page, live_server, demo, tmp_path
):
    staff = get_user_model().objects.get(email="staff@demo.example")
    clinic = StaffMembership.objects.get(user=staff, role="owner").clinic
    Enquiry.objects.create(
        clinic=clinic, name="Pat", email="pat@example.com", message="Sore shoulder.",
        consent_given_at="2026-11-01T10:00Z",
    )  # fmt: skip
    page.goto(live_server.url + "/portal/")
    page.get_by_label("Email").fill("staff@demo.example")
    page.get_by_label("Password").fill("demo-staff-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=clinic.name).click()

    page.get_by_role("link", name="Treatments and prices").click()
    page.locator("#id_offers-0-price").fill("99.50")
    page.get_by_role("button", name="Save prices").click()
    expect(page.get_by_text("Treatments and prices saved.")).to_be_visible()
    assert Offer.objects.filter(clinic=clinic, price_pence=9950).exists()

    photo = tmp_path / "room.jpg"
    Image.new("RGB", (1200, 800), (90, 140, 160)).save(photo, "JPEG")
    page.get_by_role("link", name="Photos").click()
    page.get_by_label("Describe the photo").fill("Our treatment room")
    page.locator("#id_upload-image").set_input_files(str(photo))
    page.get_by_role("button", name="Upload photo").click()
    expect(page.get_by_text("Photo added.")).to_be_visible()
    assert ClinicPhoto.objects.filter(clinic=clinic, alt_text="Our treatment room").exists()

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Yes, details and prices are correct").click()
    expect(page.get_by_text("confirmed today")).to_be_visible()

    page.get_by_role("link", name="Enquiries").click()
    page.get_by_role("link", name="Pat").click()
    expect(page.get_by_text("Sore shoulder.")).to_be_visible()
    screenshot(page, "journey-staff-enquiry")

    page.goto(live_server.url + clinic.get_absolute_url())
    expect(page.get_by_text("£99.50").first).to_be_visible()
    photo_on_page = page.get_by_alt_text("Our treatment room")
    photo_on_page.scroll_into_view_if_needed()
    expect(photo_on_page).to_be_visible()
    assert photo_on_page.evaluate("img => img.complete && img.naturalWidth") == 1200
    assert Path(ClinicPhoto.objects.get(clinic=clinic).image.path).exists()


def test_admin_drafts_previews_publishes_and_restores_a_guide(page, browser, live_server, demo):
    """The published dry needling guide: an admin changes a section and a question in a
    draft, previews it while patients still see the published page, publishes it, then
    restores the earlier version and publishes that: the page is as it was."""
    guide_url = live_server.url + "/treatments/dry-needling/"
    patients = browser.new_context()
    patient = patients.new_page()

    def public_text():
        patient.goto(guide_url)
        return patient.locator(".guide-body").inner_text()

    before = public_text()
    assert "Is dry needling safe?" in before

    page.goto(live_server.url + "/admin/")
    page.get_by_label("Email").fill("admin@demo.example")
    page.get_by_label("Password").fill("demo-admin-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Guides", exact=True).click()
    page.get_by_role("link", name="Dry needling: treatment and benefits guide").click()

    section = page.get_by_role("group", name="Section: How many sessions will I need?")
    body = section.get_by_role("textbox", name="Body")
    body.fill(body.input_value() + "\n\nMost people notice a change by the third session.")
    question = page.get_by_role("group", name="Question: Is dry needling safe?")
    question.get_by_role("textbox", name="Question").fill("Is dry needling safe for me?")
    page.get_by_role("button", name="Save draft and preview the page").click()

    expect(page.get_by_text("Preview of the draft")).to_be_visible()
    expect(page.get_by_role("heading", name="Is dry needling safe for me?")).to_be_visible()
    expect(page.get_by_text("Most people notice a change by the third session.")).to_be_visible()
    screenshot(page, "journey-admin-guide-preview")
    assert public_text() == before  # patients still see the published guide

    page.get_by_role("button", name="Publish this draft").click()
    assert "Version 2 published" in page.locator(".messagelist").inner_text()
    published = public_text()
    assert "Is dry needling safe for me?" in published
    assert "Most people notice a change by the third session." in published
    assert "Is dry needling safe?\n" not in published

    page.get_by_role("link", name="Versions and history").click()
    page.get_by_role("link", name="What version 2 changed").click()
    changes = page.locator("table.guide-diff")
    expect(changes.get_by_text("Section: How many sessions will I need?")).to_be_visible()
    expect(changes.get_by_text("FAQ: Is dry needling safe for me?")).to_be_visible()
    screenshot(page, "journey-admin-guide-changes")
    page.get_by_role("link", name="All versions").click()
    page.get_by_role("button", name="Restore version 1 as the draft").click()
    assert "Version 1 is now the draft" in page.locator(".messagelist").inner_text()
    assert public_text() == published  # a restored version is only a draft

    page.get_by_role("button", name="Publish the draft").click()
    assert "Version 3 published" in page.locator(".messagelist").inner_text()
    assert public_text() == before
    assert not page.csp_violations, page.csp_violations
    patients.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_printed_and_narrow_clinic_pages_keep_what_matters(browser, live_server, demo, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    clinic = Clinic.objects.published().first()
    page.goto(live_server.url + clinic.get_absolute_url())
    page.emulate_media(media="print")
    assert page.locator("form").first.is_hidden()
    expect(page.get_by_role("heading", name="Opening hours")).to_be_visible()
    screenshot(page, f"clinic-print-{width}")
    context.close()
