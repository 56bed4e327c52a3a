"""Clinic staff turn on two-step sign-in (an authenticator app, with recovery codes) and sign in
with it, in a real browser, with the Content Security Policy in force and axe-core checking
each page."""

import time

from allauth.mfa.totp.internal.auth import hotp_value
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, describe, screenshot
from tests.factories import make_clinic, make_staff

PASSWORD = "sams-long-password-3"


def accessible(page, name):
    violations = axe_violations(page)
    screenshot(page, name)
    assert not violations, describe(violations)
    assert not page.csp_violations, page.csp_violations


def sign_in(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def code_for(secret, steps=0):
    return f"{hotp_value(secret, int(time.time()) // 30 + steps):06d}"


def test_staff_turn_on_two_step_sign_in_then_sign_in_with_a_recovery_code(
    page, live_server, transactional_db
):
    make_staff(make_clinic(), email="sam@example.com", password=PASSWORD)
    sign_in(page, live_server)
    page.get_by_role("link", name="Two-step sign-in").click()
    accessible(page, "two-factor-index")
    page.get_by_role("link", name="Activate").first.click()
    # Turning it on asks for the password again.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    accessible(page, "two-factor-setup")

    # What the person's app does with the key they typed in.
    secret = page.locator("#authenticator_secret").input_value()
    near = {code_for(secret, steps) for steps in (-1, 0, 1)}
    wrong = next(code for code in ("000000", "111111", "222222") if code not in near)
    page.get_by_label("Authenticator code").fill(wrong)
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    accessible(page, "two-factor-setup-error")
    page.get_by_label("Authenticator code").fill(code_for(secret))
    page.get_by_role("button", name="Activate").click()
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10
    accessible(page, "two-factor-recovery-codes")

    page.goto(live_server.url + "/portal/")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server)
    assert "/portal/" not in page.url
    accessible(page, "two-factor-code-step")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your clinics")).to_be_visible()
