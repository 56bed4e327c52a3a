"""Two-step sign-in: a stolen password alone signs nobody in who has set up an authenticator
app, and the admin can insist on it. Each test names the attack it refuses.

Codes are real TOTP codes worked out from the device's key, as the user's app would; the
clock is frozen (time_machine) and moved on where a test needs a new 30-second step.
"""

import datetime
import logging
import os
import re
import subprocess
import sys

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from directory.two_factor import devices
from tests.factories import make_clinic, make_staff, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-9"
ADDRESS = "203.0.113.7"
PRODUCTION_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "DJANGO_SETTINGS_MODULE": "directory.settings",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "physio.example",
}


@pytest.fixture
def clock():
    """The clock, stopped at a fixed moment; `clock.shift(seconds)` moves it on."""
    start = datetime.datetime(2026, 3, 2, 9, 0, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def code_for(device, steps_later=0):
    """The code the user's app shows now (or that many 30-second steps from now)."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, steps_later)
    return f"{code:06d}"


def wrong_code(device):
    """Six digits the app would not accept now, even allowing for clock drift."""
    near = {code_for(device, steps) for steps in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)


def with_app(user):
    """Give `user` a confirmed authenticator app; returns it and their backup codes."""
    app = devices.start_app(user)
    return app, devices.confirm_app(app)


@pytest.fixture
def alice(clock):
    return make_staff(make_clinic(), username="alice", password=PASSWORD)


@pytest.fixture
def alice_app(alice):
    return with_app(alice)


def password_step(client, username="alice", password=PASSWORD, next_url=None):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR=ADDRESS)


def code_step(client, code):
    return client.post(reverse("two-factor-verify"), {"code": code}, REMOTE_ADDR=ADDRESS)


def signed_in(client):
    return "_auth_user_id" in client.session


def verified(client):
    return DEVICE_ID_SESSION_KEY in client.session


# --- Signing in ---------------------------------------------------------------------------


def test_a_password_alone_does_not_sign_in_someone_with_an_app(client, alice_app):
    """Attack: a stolen (phished, reused, leaked) password."""
    response = password_step(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("two-factor-verify")
    assert not signed_in(client)
    portal = client.get(reverse("portal:home"))
    assert portal.status_code == 302 and portal["Location"].startswith(reverse("login"))


def test_the_password_then_the_right_code_signs_in_and_verifies_the_session(client, alice_app):
    app, _ = alice_app
    password_step(client)
    response = code_step(client, code_for(app))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert signed_in(client) and verified(client)
    assert client.get(reverse("portal:home")).status_code == 200


def test_a_wrong_code_is_refused_and_logged(client, alice_app, caplog):
    """Attack: guessing the code once the password is known."""
    app, _ = alice_app
    password_step(client)
    with caplog.at_level(logging.WARNING, logger="directory.two_factor.views"):
        response = code_step(client, wrong_code(app))
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not signed_in(client)
    assert "Sign-in code refused for user" in caplog.text and ADDRESS in caplog.text


def test_repeated_wrong_codes_are_throttled_even_for_the_right_code_then_lift(
    client, alice_app, clock, caplog
):
    """Attack: trying all million codes. Each wrong one doubles the wait before the next is
    even checked (1, 2, 4, 8, 16 s...), shared by every session of the account."""
    app, _ = alice_app
    password_step(client)
    for failures in range(5):
        if failures:
            clock.shift(2 ** (failures - 1) + 0.5)  # just past the wait, so each is checked
        assert code_step(client, wrong_code(app)).status_code == 200
    app.refresh_from_db()
    assert app.throttling_failure_count == 5
    with caplog.at_level(logging.WARNING, logger="directory.two_factor.views"):
        response = code_step(client, code_for(app))
    assert response.status_code == 429
    assert "Too many wrong codes" in response.content.decode()
    assert not signed_in(client)
    assert "throttled after repeated wrong codes" in caplog.text
    # Another session (the attacker's second browser) is refused too.
    elsewhere = Client()
    password_step(elsewhere)
    assert code_step(elsewhere, code_for(app)).status_code == 429
    clock.shift(16)  # the fifth wrong code's wait is over
    assert code_step(client, code_for(app)).status_code == 302
    assert signed_in(client)


def test_an_unconfirmed_app_does_not_count(client, alice):
    """Attack: an app someone started to set up (perhaps with a key shoulder-surfed from the
    screen) is never used to verify, and asks nothing of the password either."""
    app = devices.start_app(alice)
    assert devices.check_code(alice, code_for(app)).accepted is False
    response = password_step(client)
    assert response["Location"] == reverse("portal:home")
    assert signed_in(client) and not verified(client)
    # The code step has nothing to ask: there is no confirmed device.
    assert client.get(reverse("two-factor-verify"))["Location"] == reverse("portal:home")


def test_a_backup_code_signs_in_once(client, alice_app):
    """Attack: reusing a backup code seen on a printout."""
    _, codes = alice_app
    password_step(client)
    assert code_step(client, codes[0].upper()).status_code == 302  # typed in capitals
    assert signed_in(client) and verified(client)
    client.post(reverse("logout"))
    password_step(client)
    response = code_step(client, codes[0])
    assert response.status_code == 200 and not signed_in(client)
    assert StaticToken.objects.filter(device__user__username="alice").count() == 9


def test_a_code_cannot_be_replayed(client, alice_app, clock):
    """Attack: replaying a code seen over a shoulder or in a proxy log, within its 30 s (or
    the step either side that the tolerance for clock drift allows)."""
    app, _ = alice_app
    password_step(client)
    code = code_for(app)
    assert code_step(client, code).status_code == 302
    client.post(reverse("logout"))
    for seconds in (0, 35):  # the same step; the next, when the tolerance still allows it
        clock.shift(seconds)
        thief = Client()
        password_step(thief)
        assert code_step(thief, code).status_code == 200
        assert not signed_in(thief)
    # The app's next code still works: only used codes are refused.
    clock.shift(30)
    assert code_step(thief, code_for(app)).status_code == 302


def test_a_code_from_someone_elses_app_is_refused(client, alice_app):
    """Attack: an insider with their own app tries its codes on a colleague's account."""
    mallory_app, _ = with_app(make_user(username="mallory"))
    password_step(client)
    assert code_step(client, code_for(mallory_app)).status_code == 200
    assert not signed_in(client)


def test_staff_without_a_device_sign_in_with_their_password_alone(client, alice):
    response = password_step(client)
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert signed_in(client)


def test_the_sign_in_stays_throttled(client, alice_app, settings):
    """Attack: guessing the password, now that it leads to a second step."""
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert password_step(client, password="wrong").status_code == 200
    assert password_step(client).status_code == 429


def test_the_half_signed_in_state_expires(client, alice_app, clock):
    """Attack: a shared computer left at the code step, used later by someone else."""
    app, _ = alice_app
    password_step(client)
    clock.shift(11 * 60)
    response = code_step(client, code_for(app))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not signed_in(client)


def test_changing_the_password_ends_the_half_signed_in_state(client, alice, alice_app):
    """Attack: the old password still reaching the code step after the owner changed it."""
    app, _ = alice_app
    password_step(client)
    alice.set_password("a-brand-new-phrase-4")
    alice.save()
    assert code_step(client, code_for(app))["Location"] == reverse("login")
    assert not signed_in(client)


def test_signing_in_in_two_steps_rotates_the_session_key(client, alice_app):
    """Attack: session fixation, at either step."""
    app, _ = alice_app
    client.get(reverse("login"))
    client.session.save()
    first = client.session.session_key
    password_step(client)
    second = client.session.session_key
    code_step(client, code_for(app))
    assert len({first, second, client.session.session_key}) == 3


def test_a_half_finished_sign_in_does_not_keep_someone_elses_session(client, alice_app):
    """Attack: on a shared computer, the password step for one account leaving the previous
    person signed in (or the code step signing in the wrong one)."""
    app, _ = alice_app
    bob = make_user(username="bob")
    client.force_login(bob)
    password_step(client)
    assert not signed_in(client)
    assert client.get(reverse("portal:home")).status_code == 302
    code_step(client, code_for(app))
    assert client.session["_auth_user_id"] == str(app.user.pk)


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [("/portal/new/", "/portal/new/"), ("https://evil.example/", "/portal/")],
)
def test_the_second_step_goes_on_to_a_safe_next_page_only(client, alice_app, next_url, lands_on):
    """Attack: an open redirect carried through the second step."""
    app, _ = alice_app
    password_step(client, next_url=next_url)
    assert code_step(client, code_for(app))["Location"] == lands_on


# --- Setting up, backup codes, turning off --------------------------------------------------


def sign_in_without_second_step(client, user):
    """A session signed in, not verified: as after a sign-in before the app was set up."""
    client.force_login(user)
    return client


def test_setting_up_an_app_needs_a_right_code_from_it(client, alice, clock, caplog):
    """Attack: turning on a device whose codes nobody can produce (a typo in the key) would
    lock the owner out; a wrong code leaves it unconfirmed."""
    sign_in_without_second_step(client, alice)
    page = client.get(reverse("two-factor"))
    assert "Set up two-step sign-in" in page.content.decode()
    client.post(reverse("two-factor-start"))
    app = TOTPDevice.objects.get(user=alice)
    assert app.confirmed is False
    page = client.get(reverse("two-factor")).content.decode()
    assert devices.setup_key(app) in page
    assert '<svg role="img" aria-label="QR code' in page
    with caplog.at_level(logging.WARNING, logger="directory.two_factor.views"):
        refused = client.post(reverse("two-factor-confirm"), {"confirm-code": "123456"})
    assert refused.status_code == 200 and "That code is not right" in refused.content.decode()
    assert 'action="/accounts/two-factor/confirm/"' in refused.content.decode()  # to try again
    assert "Setup code refused" in caplog.text
    app.refresh_from_db()
    assert app.confirmed is False
    clock.shift(2)  # past the one-second wait after a wrong code
    shown = client.post(reverse("two-factor-confirm"), {"confirm-code": code_for(app)})
    app.refresh_from_db()
    assert app.confirmed is True
    assert verified(client)  # the code just given verifies this session
    codes = StaticToken.objects.filter(device__user=alice).values_list("token", flat=True)
    page = shown.content.decode()
    assert len(codes) == devices.BACKUP_CODE_COUNT and all(code in page for code in codes)
    assert "no-store" in shown["Cache-Control"]
    # Shown once: the account page afterwards counts them without showing them.
    page = client.get(reverse("two-factor")).content.decode()
    assert "10 unused backup codes" in page
    assert not any(code in page for code in codes)
    assert devices.setup_key(app) not in page


def test_starting_again_replaces_a_key_that_was_never_confirmed(client, alice):
    sign_in_without_second_step(client, alice)
    client.post(reverse("two-factor-start"))
    first = TOTPDevice.objects.get(user=alice).key
    client.post(reverse("two-factor-start"))
    assert list(TOTPDevice.objects.filter(user=alice).values_list("key", flat=True)) != [first]
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_turning_off_needs_a_current_code(client, alice, alice_app, clock):
    """Attack: a stolen session cookie used to strip the owner's second step."""
    _, codes = alice_app
    sign_in_without_second_step(client, alice)
    refused = client.post(reverse("two-factor-remove"), {"remove-code": "not-a-code"})
    assert refused.status_code == 200 and "Two-step sign-in is still on" in refused.content.decode()
    assert devices.has_two_factor(alice)
    clock.shift(2)
    response = client.post(reverse("two-factor-remove"), {"remove-code": codes[3]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not StaticDevice.objects.filter(user=alice).exists()
    client.post(reverse("logout"))
    assert password_step(client)["Location"] == reverse("portal:home")


def test_new_backup_codes_need_a_current_code_and_replace_the_old(client, alice, alice_app):
    """Attack: a stolen session cookie used to print a fresh set of backup codes."""
    _, old_codes = alice_app
    sign_in_without_second_step(client, alice)
    refused = client.post(reverse("two-factor-backup-codes"), {"backup-code": "999999"})
    assert "No new codes were made" in refused.content.decode()
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(old_codes)
    # No wait: six digits were checked against the app, a backup code by its own device.
    shown = client.post(reverse("two-factor-backup-codes"), {"backup-code": old_codes[0]})
    new_codes = re.findall(r"<li>([a-z2-7]{8})</li>", shown.content.decode())
    assert len(new_codes) == devices.BACKUP_CODE_COUNT
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new_codes)


@pytest.mark.parametrize("url_name", ["two-factor", "two-factor-verify"])
def test_two_factor_pages_are_not_cached(client, alice_app, alice, url_name):
    """Attack: a secret key or backup code read back from a shared computer's cache."""
    client.force_login(alice)
    response = client.get(reverse(url_name))
    assert "no-store" in response["Cache-Control"]


def test_the_setup_page_has_no_inline_script(client, alice):
    """The QR code is inline SVG drawn on the server; the CSP allows no inline script."""
    client.force_login(alice)
    client.post(reverse("two-factor-start"))
    page = client.get(reverse("two-factor")).content.decode()
    assert "<svg" in page
    assert "<script" not in page
    assert "http" not in re.search(r"<svg.*?</svg>", page, re.S).group(0)


def test_setup_pages_need_a_signed_in_user(client):
    for name in ["two-factor", "two-factor-start", "two-factor-confirm", "two-factor-remove"]:
        response = client.post(reverse(name)) if name != "two-factor" else client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_state_changing_setup_urls_refuse_get(client, alice):
    """Attack: a link or image tag that turns two-step sign-in on or off."""
    client.force_login(alice)
    for name in ["two-factor-start", "two-factor-confirm", "two-factor-remove"]:
        assert client.get(reverse(name)).status_code == 405


# --- The admin ------------------------------------------------------------------------------


@pytest.fixture
def boss(clock):
    return make_user(username="boss", password=PASSWORD, is_staff=True, is_superuser=True)


ADMIN_PAGES = ["/admin/", "/admin/clinics/clinic/", "/admin/auth/user/add/", "/guides/1/preview/"]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_an_admin_without_two_factor_is_sent_to_set_it_up_when_required(
    client, boss, settings, url
):
    """Attack: an admin's stolen password (or session) opening the admin."""
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    client.force_login(boss)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("two-factor") + "?next=" + url.replace("/", "%2F")
    page = client.get(response["Location"]).content.decode()
    assert "The admin needs two-step sign-in" in page


def test_an_admin_with_an_unverified_session_is_sent_to_the_code_step(client, boss, settings):
    """Attack: a session from before the admin set up their app, or a forced login."""
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    app, _ = with_app(boss)
    client.force_login(boss)
    response = client.get("/admin/clinics/clinic/")
    assert (
        response["Location"]
        == reverse("two-factor-verify") + "?next=%2Fadmin%2Fclinics%2Fclinic%2F"
    )
    assert code_step(client, code_for(app)).status_code == 302
    assert client.get("/admin/clinics/clinic/").status_code == 200


def test_an_admin_with_an_unconfirmed_app_is_still_refused(client, boss, settings):
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    devices.start_app(boss)
    client.force_login(boss)
    assert client.get("/admin/")["Location"].startswith(reverse("two-factor") + "?")


def test_an_admin_who_signs_in_with_both_steps_reaches_the_admin(client, boss, settings):
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    app, _ = with_app(boss)
    password_step(client, "boss", next_url="/admin/")
    assert code_step(client, code_for(app))["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_admin_sets_up_two_factor_on_the_way_into_the_admin(client, boss, settings, clock):
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    password_step(client, "boss", next_url="/admin/")
    to_setup = client.get("/admin/")["Location"]
    assert to_setup == reverse("two-factor") + "?next=%2Fadmin%2F"
    started = client.post(reverse("two-factor-start") + "?next=%2Fadmin%2F")
    assert started["Location"] == to_setup
    page = client.get(to_setup).content.decode()
    assert 'action="/accounts/two-factor/confirm/?next=%2Fadmin%2F"' in page
    app = TOTPDevice.objects.get(user=boss)
    shown = client.post(
        reverse("two-factor-confirm") + "?next=%2Fadmin%2F", {"confirm-code": code_for(app)}
    )
    assert 'href="/admin/"' in shown.content.decode()
    assert client.get("/admin/").status_code == 200


def test_turning_off_two_factor_shuts_the_admin_again(client, boss, settings, clock):
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    app, _ = with_app(boss)
    password_step(client, "boss")
    code_step(client, code_for(app))
    clock.shift(30)
    client.post(reverse("two-factor-remove"), {"remove-code": code_for(app)})
    assert client.get("/admin/")["Location"].startswith(reverse("two-factor"))


def test_the_admin_needs_no_second_step_when_not_required(admin_client, settings):
    settings.ADMIN_REQUIRES_TWO_FACTOR = False
    assert admin_client.get("/admin/").status_code == 200


def test_the_requirement_is_on_wherever_https_is():
    code = "from django.conf import settings; print(settings.ADMIN_REQUIRES_TWO_FACTOR)"
    for env, expected in [
        ({}, "True"),
        ({"HTTPS": "false"}, "False"),
        ({"HTTPS": "false", "ADMIN_REQUIRES_TWO_FACTOR": "true"}, "True"),
    ]:
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**PRODUCTION_ENV, "SECRET_KEY": "x" * 60, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == expected, env


def test_clinic_staff_are_not_made_to_use_two_factor(client, alice, settings):
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    password_step(client)
    assert client.get(reverse("portal:home")).status_code == 200


def test_the_admin_never_shows_a_device_secret_or_backup_code(admin_client, alice_app):
    """Attack: anyone with admin access (or a leaked admin screenshot) copying a colleague's
    authenticator key or backup codes."""
    app, codes = alice_app
    change = admin_client.get(reverse("admin:otp_totp_totpdevice_change", args=[app.pk]))
    assert change.status_code == 200
    page = change.content.decode()
    assert app.key not in page and devices.setup_key(app).replace(" ", "") not in page
    static = StaticDevice.objects.get(user=app.user)
    page = admin_client.get(reverse("admin:otp_static_staticdevice_change", args=[static.pk]))
    assert not any(code in page.content.decode() for code in codes)
    qr = admin_client.get(reverse("admin:otp_totp_totpdevice_config", args=[app.pk]))
    assert qr.status_code == 403
