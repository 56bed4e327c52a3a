"""Clinic staff turn on two-step sign-in and sign in with it, in a real browser, with the
Content Security Policy in force and axe-core checking each page."""

from base64 import b32decode

from django_otp.oath import totp

from tests.browser.conftest import axe_violations, describe, screenshot
from tests.factories import make_clinic, make_staff


def accessible(page, name):
    violations = axe_violations(page)
    screenshot(page, name)
    assert not violations, describe(violations)
    assert not page.csp_violations, page.csp_violations


def sign_in(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("sams-long-password-3")
    page.get_by_role("button", name="Sign in").click()


def test_staff_turn_on_two_step_sign_in_then_sign_in_with_a_backup_code(
    page, live_server, transactional_db
):
    make_staff(make_clinic(), username="sam", password="sams-long-password-3")
    sign_in(page, live_server)
    page.get_by_role("link", name="Two-step sign-in").click()
    page.get_by_role("button", name="Set up two-step sign-in").click()
    assert page.get_by_role("img", name="QR code to scan with your authenticator app").is_visible()
    accessible(page, "two-factor-setup")

    # What the person's app does with the key they typed in.
    key = b32decode(page.locator(".setup-key").inner_text().replace(" ", ""))
    near = {totp(key, drift=steps) for steps in (-1, 0, 1)}
    wrong = next(code for code in (0, 111111, 222222, 333333) if code not in near)
    page.get_by_label("Code from your app").fill(f"{wrong:06d}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert page.get_by_role("alert").filter(has_text="not on yet").is_visible()
    accessible(page, "two-factor-setup-error")
    page.wait_for_timeout(1100)  # the one-second wait after a wrong code
    page.get_by_label("Code from your app").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert page.get_by_role("heading", name="Your backup codes").is_visible()
    codes = page.locator(".backup-codes li").all_inner_texts()
    assert len(codes) == 10
    accessible(page, "two-factor-backup-codes")

    page.get_by_role("link", name="continue").click()
    page.goto(live_server.url + "/portal/")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server)
    assert page.get_by_role("heading", name="Enter your sign-in code").is_visible()
    assert "/portal/" not in page.url
    accessible(page, "two-factor-code-step")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", name="Your clinics").is_visible()
