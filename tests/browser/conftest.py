"""Browser tests: Playwright driving Debian's Chromium against a live server, with axe-core
injected for accessibility. Where Chromium or axe-core is missing they are skipped with one
line saying how to install them, unless REQUIRE_BROWSER=1 makes that a failure (as in CI)."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "test-artifacts/screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
MISSING = [
    what
    for what, present in [
        ("Chromium (apt-get install chromium)", CHROMIUM.exists()),
        ("axe-core (npm ci)", AXE.exists()),
    ]
    if not present
]

# The live server runs in a thread of this process; Django's async-safety check would
# otherwise refuse the ORM calls tests make while Playwright's event loop is running.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if not MISSING:
        return
    message = "Browser tests need " + " and ".join(MISSING)
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(message + " (REQUIRE_BROWSER=1).")
    skip = pytest.mark.skip(reason=message + ": install to run them.")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and page.csp_violations.append(message.text)
        ),
    )
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB"
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db, settings):
    """The London demo data, in the database the live server reads."""
    call_command("seed_demo", stdout=StringIO())
    settings.ENQUIRY_MIN_SECONDS = 0  # Playwright types faster than any person


def photograph(url="/search/?treatment=dry-needling&postcode=SW4"):
    """Drawn demo photos for the clinics a search lists, so screenshots look as pages will;
    the slugs of those clinics, in the search's order."""
    from django.test import Client

    slugs = [clinic.slug for clinic in Client().get(url).context["page"]]
    call_command("seed_demo_photos", clinic=slugs, stdout=StringIO())
    return slugs


def axe_violations(page):
    """axe-core's violations of WCAG 2.0/2.1/2.2 A and AA and best practices on this page.
    Evaluated through the DevTools protocol, so the page's own CSP stays in force."""
    page.evaluate(AXE.read_text())
    return page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values: [
            'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'
        ]}}).then(result => result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)
        })))"""
    )


def describe(violations):
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
        for v in violations
    )


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # A full-page picture shows what is below the fold, so the images there are needed now.
    page.evaluate(
        "() => Promise.all([...document.images].map((img) => { img.loading = 'eager';"
        " return img.complete ? null : new Promise((done) => { img.onload = img.onerror = done; });"
        " }))"
    )
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
