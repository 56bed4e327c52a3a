"""The rate limits' counters (clinics/throttle.py) hold on every cache the site can run with:
local memory (development), files (one machine's workers) and Redis (several instances): two
instances count into one window, and the window ends by itself."""

import os
import socket
import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from clinics import throttle

REDIS_LOCATION = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_is_up():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture(params=["locmem", "files", "redis"])
def backend(request, settings, tmp_path):
    """Two caches as two instances would have them: the same store, two clients."""
    if request.param == "redis" and not redis_is_up():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("REQUIRE_REDIS is set but Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    config = {
        "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
        "files": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        },
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_LOCATION,
        },
    }[request.param]
    settings.CACHES = {"default": config, "other": config}
    classes = {"locmem": LocMemCache, "files": FileBasedCache, "redis": RedisCache}
    first, second = caches["default"], caches["other"]
    assert isinstance(first, classes[request.param])
    first.clear()
    yield first, second
    first.clear()


def test_two_instances_count_into_one_window(backend, monkeypatch):
    first, second = backend
    for cache, allowed in [(first, True), (second, True), (first, True), (second, False)]:
        monkeypatch.setattr(throttle, "cache", cache)
        assert throttle.allow("enquiry-ip", "192.0.2.1", 3, 60) is allowed
    monkeypatch.setattr(throttle, "cache", first)
    assert throttle.attempts("enquiry-ip", "192.0.2.1") == 4
    assert throttle.allow("enquiry-ip", "192.0.2.2", 3, 60)  # another address, its own count


def test_a_window_ends_by_itself_and_a_reset_ends_it_at_once(backend, monkeypatch):
    first, _ = backend
    monkeypatch.setattr(throttle, "cache", first)
    for _ in range(3):
        throttle.allow("login", "someone", 2, 1)
    assert not throttle.allow("login", "someone", 2, 1)
    time.sleep(1.1)
    assert throttle.allow("login", "someone", 2, 1)
    throttle.reset("login", "someone")
    assert throttle.attempts("login", "someone") == 0


def test_no_address_is_written_in_the_clear(backend, monkeypatch):
    first, _ = backend
    monkeypatch.setattr(throttle, "cache", first)
    throttle.allow("enquiry-email", "patient@example.com", 3, 60)
    key = throttle._key("enquiry-email", "patient@example.com")
    assert first.get(key) == 1 and "patient" not in key
