"""No page scrolls sideways on a 320 px screen, old or new, signed in or not; and the key
pages are photographed at 320, 390 and 1280 px for review (SCREENSHOT_DIR)."""

import pytest
from django.contrib.auth import get_user_model

from clinics.models import Clinic, Enquiry, Practitioner, StaffMembership
from tests.browser.conftest import photograph, screenshot
from tests.browser.test_accessibility import (
    ACCOUNT_PAGES,
    PORTAL_PAGES,
    PUBLIC_PAGES,
    shortlist_three,
    sign_in_as,
)

KEY_PAGES = {
    "home", "search-with-results", "clinic", "guide", "what-we-check", "shortlist", "compare",
    "portal-next-available",
}  # fmt: skip


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_no_page_scrolls_sideways(browser, live_server, demo, width):
    clinic = Clinic.objects.get(slug=photograph()[0])
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-GB")
    page = context.new_page()
    wide = []

    def visit(name, path):
        response = page.goto(live_server.url + path)
        assert response.status < 400, path
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            wide.append(f"{path} by {overflow}px")
        if name in KEY_PAGES:
            screenshot(page, f"{width}-{name}")

    pages = {
        **PUBLIC_PAGES,
        "clinic": clinic.get_absolute_url(),
        "enquiry": clinic.get_absolute_url() + "enquiry/",
        "practitioner": Practitioner.objects.published().first().get_absolute_url(),
    }
    for name, path in pages.items():
        visit(name, path)
    shortlist_three(page, live_server)
    visit("shortlist", "/shortlist/")
    visit("compare", "/compare/?treatment=dry-needling&postcode=SW4")

    staff = get_user_model().objects.get(email="staff@demo.example")
    own = StaffMembership.objects.get(user=staff, role="owner").clinic
    enquiry = Enquiry.objects.create(
        clinic=own, name="Pat", email="pat@example.com", message="Sore neck.",
        consent_given_at="2026-11-01T10:00Z",
    )  # fmt: skip
    sign_in_as(page, live_server, staff)
    visit("portal-home", "/portal/")
    for path in [*PORTAL_PAGES, f"enquiries/{enquiry.pk}/"]:
        visit(f"portal-{path.strip('/') or 'dashboard'}", f"/portal/{own.slug}/{path}")
    for path in ACCOUNT_PAGES:
        visit("account-" + path.strip("/").replace("/", "-"), path)
    context.close()
    assert not wide, f"Pages wider than {width}px: " + "; ".join(wide)
