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
    for url in ["/", "/search/", clinic.get_absolute_url(), "/accounts/login/"]:
        page = client.get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", page):
            assert 'type="application/ld+json"' in tag or "src=" in tag, (url, tag)


@pytest.fixture
def alice():
    return make_user(username="alice", email="alice@example.com", password="correct-horse-9")


def sign_in(client, username, password, address="203.0.113.5"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_repeated_failures_for_one_account_are_throttled_then_lift(client, alice, settings):
    """Attack: guessing one account's password."""
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert sign_in(client, "alice", "wrong").status_code == 200
    assert sign_in(client, "alice", "correct-horse-9").status_code == 429
    from django.core.cache import cache

    cache.clear()  # the window has passed
    assert sign_in(client, "alice", "correct-horse-9").status_code == 302


def test_throttling_one_account_does_not_lock_out_others(client, alice, settings):
    """Attack: locking a real user out by failing on purpose from elsewhere."""
    make_user(username="bob", password="bobs-password-9")
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        sign_in(client, "alice", "wrong", address="198.51.100.1")
    assert sign_in(Client(), "bob", "bobs-password-9", address="198.51.100.1").status_code == 302


def test_behind_a_proxy_the_limit_counts_the_address_the_proxy_saw(settings, rf):
    """Attack: dodging a per-address limit by sending a made-up X-Forwarded-For, or (behind a
    load balancer) every patient sharing the balancer's address and one count."""
    from clinics.throttle import client_address

    forged_then_real = "203.0.113.9, 198.51.100.7"  # client's claim, then the proxy's entry
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forged_then_real)
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"  # no proxy trusted: the header is ignored
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer entries than proxies: the header is not trusted
    assert client_address(request) == "10.0.0.2"


def test_the_admin_sign_in_is_the_throttled_one(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_password_reset_answers_the_same_for_known_and_unknown_emails(client, alice):
    """Attack: finding out which emails have accounts."""
    known = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1


def test_a_reset_link_works_once(client, alice):
    """Attack: reusing a reset link found in someone's mailbox later."""
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    set_password_page = client.get(link, follow=True)
    form_url = set_password_page.redirect_chain[-1][0]
    new = {"new_password1": "a-new-long-phrase-7", "new_password2": "a-new-long-phrase-7"}
    assert client.post(form_url, new).status_code == 302
    again = Client().get(link, follow=True)
    assert "already been used or has expired" in again.content.decode()


def test_a_reset_link_older_than_three_days_is_refused(client, alice):
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    with time_machine.travel(datetime.timedelta(days=3, hours=1)):
        page = Client().get(link, follow=True).content.decode()
    assert "already been used or has expired" in page
    with time_machine.travel(datetime.timedelta(days=2)):
        assert "Choose a new password" in Client().get(link, follow=True).content.decode()


def test_signing_in_rotates_the_session_key(client, alice):
    """Attack: session fixation."""
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    sign_in(client, "alice", "correct-horse-9")
    assert client.session.session_key != before


def test_a_session_cookie_replayed_after_sign_out_is_refused(client, alice):
    """Attack: a stolen cookie used after its owner signed out."""
    sign_in(client, "alice", "correct-horse-9")
    stolen = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    thief = Client()
    thief.cookies["sessionid"] = stolen
    response = thief.get(reverse("portal:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_deactivating_a_user_ends_their_sessions(client, alice):
    sign_in(client, "alice", "correct-horse-9")
    get_user_model().objects.filter(pk=alice.pk).update(is_active=False)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_account_pages_are_not_cached(client):
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]


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
