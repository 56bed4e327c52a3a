"""Two-step sign-in (django-allauth's mfa): an authenticator app with recovery codes, optional
for clinic staff, required for admins wherever ADMIN_REQUIRES_TWO_FACTOR is on. Each test names
the attack it stands against."""

import os
import re
import subprocess
import sys
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.test import Client
from django.urls import reverse

from tests.factories import make_clinic, make_staff, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-9"


def code_for(secret, steps=0):
    """The code the user's app shows now (or that many 30-second steps from now)."""
    return f"{hotp_value(secret, int(time.time()) // 30 + steps):06d}"


def wrong_code(secret):
    near = {code_for(secret, steps) for steps in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222") if code not in near)


def account(email="alice@example.com", **kwargs):
    return make_user(email=email, password=PASSWORD, **kwargs)


def with_app(user):
    """Give `user` an authenticator app and recovery codes; returns the app's secret and the
    codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    return secret, codes


@pytest.fixture
def alice():
    return account()


@pytest.fixture
def alice_app(alice):
    return with_app(alice)


def password_step(client, email="alice@example.com", password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def code_step(client, code):
    return client.post(reverse("mfa_authenticate"), {"code": code})


def signed_in(client):
    return "_auth_user_id" in client.session


def test_a_password_alone_does_not_sign_in_someone_with_an_app(client, alice_app):
    """Attack: a stolen (phished, reused, leaked) password."""
    response = password_step(client)
    assert response["Location"] == reverse("mfa_authenticate")
    assert not signed_in(client)
    portal = client.get(reverse("portal:home"))
    assert portal.status_code == 302 and portal["Location"].startswith(reverse("account_login"))


def test_the_password_then_the_right_code_signs_in(client, alice, alice_app):
    secret, _ = alice_app
    password_step(client)
    response = code_step(client, code_for(secret))
    assert response.status_code == 302 and signed_in(client)
    assert client.get(reverse("portal:home")).status_code == 200


def test_repeated_wrong_codes_are_throttled_even_for_the_right_code(client, alice_app, settings):
    """Attack: trying all million codes once the password is known."""
    secret, _ = alice_app
    password_step(client)
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        refused = code_step(client, wrong_code(secret))
        assert refused.status_code == 200 and "Incorrect code" in refused.content.decode()
    blocked = code_step(client, code_for(secret))
    assert "Too many failed login attempts" in blocked.content.decode()
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(client, alice_app):
    """Attack: reusing a recovery code seen on a printout."""
    _, codes = alice_app
    password_step(client)
    code_step(client, codes[0])
    assert signed_in(client)
    again = Client()
    password_step(again)
    code_step(again, codes[0])
    assert not signed_in(again)


def test_a_code_cannot_be_replayed(client, alice_app):
    """Attack: replaying a code seen over a shoulder or in a proxy log, within its 30 s."""
    secret, _ = alice_app
    code = code_for(secret)
    password_step(client)
    code_step(client, code)
    assert signed_in(client)
    thief = Client()
    password_step(thief)
    code_step(thief, code)
    assert not signed_in(thief)


def test_a_code_from_someone_elses_app_is_refused(client, alice_app):
    """Attack: an insider with their own app tries its codes on a colleague's account."""
    bob_secret, _ = with_app(account("bob@example.com"))
    password_step(client)
    code_step(client, code_for(bob_secret))
    assert not signed_in(client)


def test_staff_without_an_app_sign_in_with_their_password_alone(client, alice):
    assert password_step(client)["Location"] == reverse("portal:home")
    assert signed_in(client)


def test_signing_in_in_two_steps_rotates_the_session_key(client, alice_app):
    """Attack: session fixation, at either step."""
    secret, _ = alice_app
    client.get(reverse("account_login"))
    session = client.session
    session["planted"] = True
    session.save()
    planted = session.session_key
    password_step(client)
    code_step(client, code_for(secret))
    assert client.session.session_key != planted


def reauthenticate(client):
    return client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def test_turning_an_app_on_needs_the_password_again_and_a_right_code(client, alice):
    """Attack: a stolen session cookie used to add the thief's own app; or an app whose codes
    nobody can produce (a typo in the key) locking the owner out."""
    password_step(client)
    asks_again = client.get(reverse("mfa_activate_totp"))
    assert asks_again["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    refused = client.post(reverse("mfa_activate_totp"), {"code": wrong_code(secret)})
    assert "Incorrect code" in refused.content.decode()
    assert not Authenticator.objects.filter(user=alice).exists()
    turned_on = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert turned_on["Location"] == reverse("mfa_view_recovery_codes")
    codes_page = client.get(turned_on["Location"])
    assert len(codes_page.context["unused_codes"]) == 10
    assert "no-store" in codes_page["Cache-Control"]
    assert set(Authenticator.objects.filter(user=alice).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }


def test_turning_an_app_off_needs_a_recent_second_step(client, alice, alice_app):
    """Attack: a stolen session cookie used to strip the owner's second step."""
    secret, _ = alice_app
    client.force_login(alice)  # a session, but no recent sign-in in it
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=alice, type="totp").exists()
    client.post(reverse("mfa_reauthenticate"), {"code": code_for(secret)})
    client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=alice, type="totp").exists()


def test_state_changing_setup_urls_refuse_a_forged_post(alice, alice_app):
    """Attack: a page elsewhere posting to turn two-step sign-in off."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("mfa_deactivate_totp")).status_code == 403
    assert Authenticator.objects.filter(user=alice, type="totp").exists()


def test_setup_pages_need_a_signed_in_user(client):
    for name in ["mfa_index", "mfa_activate_totp", "mfa_view_recovery_codes"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_setup_page_has_no_inline_script(client, alice):
    """The QR code is an image drawn on the server; the CSP allows no inline script."""
    password_step(client)
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    assert 'src="data:image/svg+xml' in page
    assert "<script>" not in page


@pytest.fixture
def boss():
    return account("boss@example.com", is_staff=True, is_superuser=True)


def test_an_admin_without_an_app_is_sent_to_set_one_up_when_required(client, boss, settings):
    """Attack: an admin's stolen password (or session) opening the admin."""
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    password_step(client, "boss@example.com")
    for url in ["/admin/", "/admin/clinics/clinic/"]:
        response = client.get(url)
        assert response["Location"] == reverse("mfa_index") + "?next=" + url.replace("/", "%2F")


def test_an_admin_whose_session_skipped_the_second_step_must_give_a_code(client, boss, settings):
    """Attack: a session from before the admin set up their app, or a forced login."""
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    secret, _ = with_app(boss)
    client.force_login(boss)
    response = client.get("/admin/clinics/clinic/")
    assert (
        response["Location"]
        == reverse("mfa_reauthenticate") + "?next=%2Fadmin%2Fclinics%2Fclinic%2F"
    )
    client.post(response["Location"], {"code": code_for(secret)})
    assert client.get("/admin/clinics/clinic/").status_code == 200


def test_an_admin_who_signs_in_with_both_steps_reaches_the_admin(client, boss, settings):
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    secret, _ = with_app(boss)
    password_step(client, "boss@example.com")
    code_step(client, code_for(secret))
    assert client.get("/admin/").status_code == 200


def test_the_admin_needs_no_second_step_when_not_required(admin_client, settings):
    settings.ADMIN_REQUIRES_TWO_FACTOR = False
    assert admin_client.get("/admin/").status_code == 200


def test_the_requirement_is_on_wherever_https_is():
    code = "from django.conf import settings; print(settings.ADMIN_REQUIRES_TWO_FACTOR)"
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "directory.settings"}
    production = {**base, "DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a"}
    for env, expected in [(production, "True"), ({**base, "DEBUG": "true"}, "False")]:
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == expected


def test_clinic_staff_are_not_made_to_use_two_step_sign_in(client, settings):
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    make_staff(make_clinic(), email="sam@example.com", password=PASSWORD)
    password_step(client, "sam@example.com")
    assert client.get(reverse("portal:home")).status_code == 200


def test_the_admin_never_shows_a_secret_and_names_its_sections_for_people(
    client, boss, alice, alice_app, settings
):
    """Attack: anyone with admin access (or a leaked admin screenshot) copying a colleague's
    authenticator secret or recovery codes. And the index reads as words, not as
    OTP_STATIC-style labels."""
    settings.ADMIN_REQUIRES_TWO_FACTOR = False
    client.force_login(boss)
    index = client.get("/admin/").content.decode()
    assert "Two-step sign-in" in index and "Outbox" in index
    assert "OTP_" not in index and ">MFA<" not in index
    secret, codes = alice_app
    authenticators = Authenticator.objects.filter(user=alice)
    assert sorted(a.type for a in authenticators) == ["recovery_codes", "totp"]
    for authenticator in authenticators:
        page = client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/").content.decode()
        assert secret not in page and codes[0] not in page
        assert authenticator.data.get("seed", "not-there") not in page


def test_passkeys_and_security_keys_can_be_added_with_no_inline_script(client, alice):
    """Passkeys (WebAuthn) need JavaScript, served as files: the page's only script blocks
    are files or JSON data, so the CSP without 'unsafe-inline' holds."""
    password_step(client)
    reauthenticate(client)
    response = client.get(reverse("mfa_add_webauthn"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    for tag in re.findall(r"<script[^>]*>", response.content.decode()):
        assert "src=" in tag or 'type="application/json"' in tag, tag
