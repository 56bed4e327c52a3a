"""What the site promises against what the internet sends. Each test names the attack."""

import datetime
import os
import re
import secrets
import subprocess
import sys

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import make_clinic, make_user

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "DJANGO_SETTINGS_MODULE": "directory.settings",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "physio.example",
}


def run(args, **env):
    return subprocess.run(
        [sys.executable, *args],
        env={**PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_deploy_check_has_no_warnings_in_production():
    """Attack: a deployment with an insecure setting left at its default."""
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_host_only():
    """Attack: a session cookie sent over plain HTTP or to a sibling subdomain."""
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, "
        "s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)"
    )
    result = run(["-c", code])
    assert result.stdout.split() == [
        "__Host-sessionid", "True", "True", "Lax", "True", "31536000", "True",
    ]  # fmt: skip


def test_every_html_response_carries_the_security_headers(client):
    """Attack: injected script, framing (clickjacking), MIME sniffing, referrer leaks."""
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_no_page_has_an_inline_script(client):
    """Attack: the policy is only as strict as the pages allow; no inline script to allow."""
    clinic = make_clinic()
    for url in [
        "/",
        "/search/",
        clinic.get_absolute_url(),
        "/accounts/login/",
        "/accounts/signup/",
    ]:
        page = client.get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", page):
            assert 'type="application/ld+json"' in tag or "src=" in tag, (url, tag)


@pytest.fixture
def alice():
    return make_account("alice@example.com", "correct-horse-9")


def make_account(email, password, verified=True, **kwargs):
    return make_user(email=email, password=password, verified=verified, **kwargs)


def sign_in(client, email, password, address="203.0.113.5"):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client):
    return "_auth_user_id" in client.session


def test_repeated_failures_for_one_account_are_throttled_then_lift(client, alice, settings):
    """Attack: guessing one account's password."""
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert sign_in(client, "alice@example.com", "wrong").status_code == 200
    blocked = sign_in(client, "alice@example.com", "correct-horse-9")
    assert blocked.status_code == 429 and not signed_in(client)
    assert "Too many failed login attempts" in blocked.content.decode()
    with time_machine.travel(datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)):
        assert sign_in(client, "alice@example.com", "correct-horse-9").status_code == 302
    assert signed_in(client)


FULL_WIDTH = str.maketrans(
    {c: chr(ord(c) + 0xFEE0) for c in "abcdefghijklmnopqrstuvwxyz0123456789@.-"}
)


def test_lookalike_spellings_of_the_email_share_one_failure_count(client, alice, settings):
    """Attack (issue 14, finding 1): after the per-account limit, the same name typed in
    full-width letters signed in with the right password, and wrong passwords under each
    such spelling were counted apart. Failures now count against the account the
    normalised email resolves to, however it is spelled."""
    spellings = [
        "alice@example.com",
        "ALICE@Example.COM",
        " alice@example.com ",
        "alice@example.com".translate(FULL_WIDTH),  # ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ
        "ALICE@EXAMPLE.COM".translate(FULL_WIDTH),
    ]
    for attempt in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        sign_in(client, spellings[attempt % len(spellings)], "wrong")
    for spelling in spellings:
        response = sign_in(client, spelling, "correct-horse-9")
        assert response.status_code == 429, spelling
        assert not signed_in(client)


def test_a_lookalike_spelling_reaches_the_same_account_not_another(client, alice):
    """The normalised spelling is the account's own address: it signs in as alice (never
    as a different account), and an unknown address is refused with the usual message."""
    response = sign_in(client, "alice@example.com".translate(FULL_WIDTH), "correct-horse-9")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(alice.pk)


def test_wrong_password_and_unknown_email_get_the_same_generic_error(client, alice):
    """Attack: finding out which emails have accounts from the sign-in page."""
    wrong = sign_in(client, "alice@example.com", "wrong").content.decode()
    unknown = sign_in(client, "nobody@example.com", "wrong").content.decode()
    message = "The email address and/or password you specified are not correct."
    assert message in wrong and message in unknown


def test_throttling_one_account_does_not_lock_out_others(client, alice, settings):
    """Attack: locking a real user out by failing on purpose from elsewhere."""
    make_account("bob@example.com", "bobs-password-9")
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        sign_in(client, "alice@example.com", "wrong", address="198.51.100.1")
    bob = Client()
    assert sign_in(bob, "bob@example.com", "bobs-password-9", "198.51.100.1").status_code == 302


def test_repeated_failures_from_one_address_are_throttled(client, settings):
    """Attack: one address trying one password against many accounts."""
    settings.LOGIN_FAILURES_PER_ADDRESS = 3  # read into allauth's limits below
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "3/900s/ip,10/900s/key",
    }
    make_account("carol@example.com", "carols-password-9")
    for n in range(3):
        sign_in(client, f"user{n}@example.com", "Password1", address="198.51.100.2")
    assert (
        sign_in(client, "carol@example.com", "carols-password-9", "198.51.100.2").status_code == 429
    )
    assert (
        sign_in(Client(), "carol@example.com", "carols-password-9", "198.51.100.3").status_code
        == 302
    )


def test_behind_a_proxy_the_limit_counts_the_address_the_proxy_saw(settings, rf):
    """Attack: dodging a per-address limit by sending a made-up X-Forwarded-For, or (behind a
    load balancer) every patient sharing the balancer's address and one count."""
    from allauth.account.adapter import get_adapter

    from clinics.throttle import client_address

    forged_then_real = "203.0.113.9, 198.51.100.7"  # client's claim, then the proxy's entry
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forged_then_real)
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"  # no proxy trusted: the header is ignored
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "198.51.100.7"
    assert get_adapter().get_client_ip(request) == "198.51.100.7"  # allauth's limits too
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer entries than proxies: the header is not trusted
    assert client_address(request) == "10.0.0.2"


def test_the_admin_sign_in_is_the_throttled_one(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def reset(client, email, address="203.0.113.5"):
    return client.post(reverse("account_reset_password"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_answers_the_same_for_known_and_unknown_emails(client, alice):
    """Attack: finding out which emails have accounts."""
    known = reset(client, "alice@example.com")
    unknown = reset(client, "nobody@example.com")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]


def test_password_reset_is_limited_per_email_and_per_client(client, alice, settings):
    """Attack (issue 14, finding 7): seven reset emails went to one address within seconds.
    Now at most PASSWORD_RESETS_PER_EMAIL an hour go to one address, however it is spelled,
    and one client can ask at most PASSWORD_RESETS_PER_ADDRESS times an hour; beyond the
    limit the answer is the same page as ever, so it tells nothing about the address."""
    first = reset(client, "alice@example.com")
    answers = {(first.status_code, first["Location"])}
    spellings = [
        "alice@example.com",
        "ALICE@example.com",
        "alice@example.com".translate(FULL_WIDTH),
    ]
    for n in range(7):
        response = reset(client, spellings[n % 3], address=f"198.51.100.{n}")
        answers.add((response.status_code, response["Location"]))
    assert len(mail.outbox) == settings.PASSWORD_RESETS_PER_EMAIL
    assert answers == {(302, reverse("account_reset_password_done"))}

    mail.outbox.clear()
    for n in range(settings.PASSWORD_RESETS_PER_ADDRESS + 5):
        make_account(f"person{n}@example.com", "a-long-test-password")
        response = reset(client, f"person{n}@example.com", address="192.0.2.9")
        assert response.status_code == 302
    assert len(mail.outbox) == settings.PASSWORD_RESETS_PER_ADDRESS


def reset_link(message):
    return re.search(r"http://testserver(/accounts/password/reset/key/\S+)", message.body)[1]


def choose_password(client, link, password="a-new-long-phrase-7"):
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    return client.post(form_url, {"password1": password, "password2": password})


def test_a_reset_link_works_once(client, alice):
    """Attack: reusing a reset link found in someone's mailbox later."""
    reset(client, "alice@example.com")
    link = reset_link(mail.outbox[0])
    assert choose_password(client, link).status_code == 302
    again = Client().get(link, follow=True)
    assert "This link has already been used or has expired" in again.content.decode()


def test_a_reset_link_older_than_three_days_is_refused(client, alice):
    reset(client, "alice@example.com")
    link = reset_link(mail.outbox[0])
    with time_machine.travel(datetime.timedelta(days=3, hours=1)):
        page = Client().get(link, follow=True).content.decode()
    assert "This link has already been used or has expired" in page
    with time_machine.travel(datetime.timedelta(days=2)):
        assert "Choose a new password" in Client().get(link, follow=True).content.decode()


def test_signing_in_rotates_the_session_key(client, alice):
    """Attack: session fixation."""
    client.get(reverse("account_login"))
    session = client.session
    session["planted"] = True
    session.save()
    before = session.session_key
    sign_in(client, "alice@example.com", "correct-horse-9")
    assert client.session.session_key != before


def test_a_session_cookie_replayed_after_sign_out_is_refused(client, alice):
    """Attack: a stolen cookie used after its owner signed out."""
    sign_in(client, "alice@example.com", "correct-horse-9")
    stolen = client.cookies["sessionid"].value
    client.post(reverse("account_logout"))
    thief = Client()
    thief.cookies["sessionid"] = stolen
    response = thief.get(reverse("portal:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_deactivating_a_user_ends_their_sessions(client, alice):
    sign_in(client, "alice@example.com", "correct-horse-9")
    get_user_model().objects.filter(pk=alice.pk).update(is_active=False)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unverified_email_cannot_sign_in_until_confirmed(client):
    """Sign-up needs a verified email: a right password for an unconfirmed address only sends
    (again) the confirmation link."""
    make_account("new@example.com", "a-long-test-password", verified=False)
    response = sign_in(client, "new@example.com", "a-long-test-password")
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not signed_in(client)
    assert "Confirm your email address" in mail.outbox[0].subject


def test_signing_up_with_a_taken_email_answers_as_for_a_new_one(client, alice):
    """Attack: finding out which emails have accounts from the sign-up form."""
    data = {"password1": "a-long-new-phrase-5", "password2": "a-long-new-phrase-5"}
    taken = client.post(reverse("account_signup"), {**data, "email": "alice@example.com"})
    new = Client().post(reverse("account_signup"), {**data, "email": "someone@example.com"})
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == ["Confirm your email address", "You already have an account"]


ACCOUNT_PAGES = [
    "account_login", "account_signup", "account_reset_password",
    "account_reset_password_done", "account_email_verification_sent",
]  # fmt: skip


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_account_pages_are_not_cached(client, name):
    assert "no-store" in client.get(reverse(name))["Cache-Control"]


def test_signed_in_account_pages_are_not_cached(client, alice):
    sign_in(client, "alice@example.com", "correct-horse-9")
    for name in ["account_email", "account_change_password", "mfa_index", "account_reauthenticate"]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name


def test_a_server_error_shows_a_generic_page(client, settings):
    """Attack: reading a stack trace for secrets and paths."""
    from unittest import mock

    client.raise_request_exception = False
    with mock.patch("directory.views.Guide.objects.published", side_effect=RuntimeError("boom")):
        response = client.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "boom" not in page and "Traceback" not in page


def test_unknown_pages_get_the_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()


def test_health_checks_over_plain_http_are_not_redirected(settings):
    """Load balancers check /healthz inside the network, over plain HTTP; every other page
    still goes to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/treatments/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_production_caches_are_shared_by_every_worker():
    """With DEBUG off the cache (rate limits, cached figures) is never one process's own
    memory: files shared by one machine's workers, or Redis when REDIS_URL is set."""
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    production = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a"}
    production.pop("REDIS_URL", None)
    for extra, backend in [
        ({}, "django.core.cache.backends.filebased.FileBasedCache"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/1"}, "django.core.cache.backends.redis.RedisCache"),
    ]:
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env={**production, **extra, "DJANGO_SETTINGS_MODULE": "directory.settings"},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == backend
