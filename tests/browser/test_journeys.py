"""The journeys people make, in a real browser, without JavaScript being needed."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from PIL import Image
from playwright.sync_api import expect

from clinics.models import Clinic, ClinicPhoto, Enquiry, Offer, StaffMembership
from tests.browser.conftest import screenshot
from treatments.models import GuideFAQ


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
    staff = get_user_model().objects.get(username="staff")
    clinic = StaffMembership.objects.get(user=staff, role="owner").clinic
    Enquiry.objects.create(
        clinic=clinic, name="Pat", email="pat@example.com", message="Sore shoulder.",
        consent_given_at="2026-11-01T10:00Z",
    )  # fmt: skip
    page.goto(live_server.url + "/portal/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("demo-staff-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=clinic.name).click()

    page.get_by_role("link", name="Treatments and prices").click()
    page.locator("#id_offers-0-price").fill("99.50")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Treatments and prices saved.").is_visible()
    assert Offer.objects.filter(clinic=clinic, price_pence=9950).exists()

    photo = tmp_path / "room.jpg"
    Image.new("RGB", (1200, 800), (90, 140, 160)).save(photo, "JPEG")
    page.get_by_role("link", name="Photos").click()
    page.get_by_label("Describe the photo").fill("Our treatment room")
    page.locator("#id_upload-image").set_input_files(str(photo))
    page.get_by_role("button", name="Upload photo").click()
    assert page.get_by_text("Photo added.").is_visible()
    assert ClinicPhoto.objects.filter(clinic=clinic, alt_text="Our treatment room").exists()

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Yes, details and prices are correct").click()
    assert page.get_by_text("confirmed today").is_visible()

    page.get_by_role("link", name="Enquiries").click()
    page.get_by_role("link", name="Pat").click()
    assert page.get_by_text("Sore shoulder.").is_visible()
    screenshot(page, "journey-staff-enquiry")

    page.goto(live_server.url + clinic.get_absolute_url())
    assert page.get_by_text("£99.50").first.is_visible()
    photo_on_page = page.get_by_alt_text("Our treatment room")
    photo_on_page.scroll_into_view_if_needed()
    expect(photo_on_page).to_be_visible()
    assert photo_on_page.evaluate("img => img.complete && img.naturalWidth") == 1200
    assert Path(ClinicPhoto.objects.get(clinic=clinic).image.path).exists()


def test_admin_edits_a_faq_publishes_the_guide_and_sees_it(page, live_server, demo):
    faq = GuideFAQ.objects.filter(guide__treatment__slug="acupuncture").first()
    guide = faq.guide
    guide.status = "draft"
    guide.save()
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("demo-admin-password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/admin/treatments/guide/{guide.pk}/change/")
    question = page.locator(f"input[value='{faq.question}']")
    question.fill("Does acupuncture hurt at all?")
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save", exact=True).click()
    screenshot(page, "journey-admin-saved")
    assert "changed successfully" in page.locator(".messagelist").inner_text()
    page.goto(live_server.url + "/treatments/acupuncture/")
    assert page.get_by_role("heading", name="Does acupuncture hurt at all?").is_visible()


@pytest.mark.parametrize("width", [390, 1280])
def test_printed_and_narrow_clinic_pages_keep_what_matters(browser, live_server, demo, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    clinic = Clinic.objects.published().first()
    page.goto(live_server.url + clinic.get_absolute_url())
    page.emulate_media(media="print")
    assert page.locator("form").first.is_hidden()
    assert page.get_by_role("heading", name="Opening hours").is_visible()
    screenshot(page, f"clinic-print-{width}")
    context.close()
