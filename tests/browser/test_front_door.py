"""The patient's front door in a real browser, at a phone's width and a desktop's, with
JavaScript turned off: the site needs none for these journeys, and none for its maps."""

import re

import pytest
from playwright.sync_api import expect

from clinics.models import Enquiry
from tests.browser.conftest import screenshot

SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
NEAR_SW4 = "/search/?treatment=dry-needling&postcode=SW4"


@pytest.fixture(params=SIZES)
def visitor(request, browser):
    context = browser.new_context(locale="en-GB", java_script_enabled=False, **SIZES[request.param])
    page = context.new_page()
    page.size_name = request.param
    yield page
    context.close()


def no_sideways_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def distances(page):
    """The miles each fresh listing's card says, in the order shown."""
    fresh = page.locator("article.result-card:not(.result-card-out-of-date) .result-meta")
    return [float(re.search(r"([\d.]+) miles? away", t)[1]) for t in fresh.all_inner_texts()]


def test_a_patient_goes_from_a_postcode_on_the_home_page_to_an_enquiry(visitor, live_server, demo):
    page = visitor
    page.goto(live_server.url + "/")
    # The first thing on the page: where, and for what.
    expect(page.get_by_label("Postcode or area")).to_be_in_viewport()
    page.get_by_label("Postcode or area").fill("SW4 7AA")
    expect(page.get_by_label("Treatment", exact=True)).to_have_value("dry-needling")
    page.get_by_role("button", name="Search", exact=True).click()
    assert "postcode=SW4+7AA" in page.url and "treatment=dry-needling" in page.url

    cards = page.locator("article.result-card")
    assert cards.count() >= 10
    # Best match: every card says its distance, all within the search's radius, and the
    # nearest (within half a mile, counted as equally near) lead.
    miles = distances(page)
    assert miles and max(miles) <= 3.05 and miles[0] <= min(miles) + 0.55
    first = cards.first
    expect(first.locator(".result-price")).to_contain_text("from £")
    expect(first.get_by_role("link", name="What we check")).to_be_visible()

    page.get_by_label("Bupa").check()
    page.get_by_label("Maximum price (£)").fill("100")
    page.get_by_label("Sort by").select_option("distance")
    page.get_by_role("button", name="Show results").click()
    assert "insurer=bupa" in page.url and "max_price=100" in page.url
    miles = distances(page)  # fresh listings first, nearest first
    assert miles and miles == sorted(miles)
    screenshot(page, f"journey-postcode-results-{page.size_name}")
    name = page.locator("article.result-card h3").first.inner_text()
    page.locator("article.result-card").first.get_by_role("link", name="View and enquire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    if page.size_name == "phone":
        # Call and enquire stay at the bottom of the screen while reading.
        bar = page.get_by_role("region", name=f"Contact {name}")
        page.get_by_role("heading", name="Opening hours").scroll_into_view_if_needed()
        expect(bar).to_be_in_viewport()
        bar.get_by_role("link", name="Enquire").click()
    else:
        page.get_by_role("link", name="Send an enquiry").click()
    assert page.url.endswith("#enquiry")
    page.get_by_label("Your name").fill("Pat Patient")
    page.get_by_label("Your email").fill("pat@example.com")
    page.get_by_label("Your message").fill("Stiff neck after cycling; is dry needling suitable?")
    page.get_by_label("I agree that the clinic may use").check()
    page.get_by_role("button", name="Send enquiry").click()
    expect(page.get_by_role("heading", name="Your enquiry has been sent")).to_be_visible()
    assert Enquiry.objects.get().clinic.name == name


def test_a_patient_shortlists_three_clinics_from_a_search_and_compares_them(
    visitor, live_server, demo
):
    page = visitor
    page.goto(live_server.url + NEAR_SW4)
    chosen = []
    for n in range(3):
        card = page.locator("article.result-card").nth(n)
        chosen.append(card.locator("h3").inner_text())
        card.get_by_role("button", name=re.compile("^Shortlist")).click()
        # Back on the same search, at the same card, which now says so.
        assert "postcode=SW4" in page.url and page.url.endswith(f"#{card.get_attribute('id')}")
        expect(page.locator("article.result-card").nth(n)).to_contain_text("On your shortlist")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Shortlist 3")

    page.get_by_role("link", name="Compare your shortlist (3)").click()
    table = page.get_by_role("table")
    expect(page.locator("#compare-caption")).to_have_text(
        "3 clinics side by side, with prices for dry needling and distances from SW4."
    )
    headers = table.locator("thead th").all_inner_texts()
    assert [h.splitlines()[0] for h in headers] == chosen
    for row in ["Initial assessment", "Distance from SW4", "Next new-patient appointment",
                "Reply time", "Insurers", "Opening hours", "Access"]:  # fmt: skip
        expect(table.get_by_role("rowheader", name=row)).to_be_visible()
    prices = table.get_by_role("row", name=re.compile("^Initial assessment")).inner_text()
    assert prices.count("£") == 3
    assert no_sideways_scroll(page) <= 0
    screenshot(page, f"journey-compare-{page.size_name}")

    table.get_by_role("button", name=f"Remove {chosen[1]}").click()
    assert [h.splitlines()[0] for h in page.locator("thead th").all_inner_texts()] == [
        chosen[0],
        chosen[2],
    ]


def test_the_map_shows_the_same_clinics_as_the_list(visitor, live_server, demo):
    page = visitor
    for url in [NEAR_SW4, "/treatments/dry-needling/lambeth/", "/search/?page=2"]:
        page.goto(live_server.url + url)
        listed = page.locator("article.result-card").evaluate_all(
            "cards => cards.map(c => c.dataset.clinic)"
        )
        numbers = page.locator("article.result-card .result-number").all_inner_texts()
        the_map = page.get_by_role("img", name=re.compile("^Map of the"))
        the_map.scroll_into_view_if_needed()
        expect(the_map).to_be_visible()
        markers = the_map.locator(".map-marker")
        assert markers.evaluate_all("ms => ms.map(m => m.dataset.clinic)") == listed, url
        labels = markers.evaluate_all("ms => ms.map(m => m.textContent)")  # SVG: no innerText
        assert labels == numbers and len(numbers) == len(listed) > 0
        frame = the_map.bounding_box()
        for n in range(markers.count()):
            box = markers.nth(n).bounding_box()
            assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
            assert (
                frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
            )
        description = the_map.locator("desc").text_content()
        assert all(
            name in description for name in page.locator("article.result-card h3").all_inner_texts()
        )
    screenshot(page, f"map-results-{page.size_name}")
