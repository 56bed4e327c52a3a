"""Counting attempts in Django's cache, for rate limits that a real person never meets.

Keys are hashed, so no address or email is written into the cache in the clear.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _key(scope, key):
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()
    return f"throttle:{scope}:{digest}"


def attempts(scope, key):
    """How many attempts `key` made in its current window (0 when none or expired)."""
    return cache.get(_key(scope, key), 0)


def reset(scope, key):
    cache.delete_many([_key(scope, key), f"{_key(scope, key)}:ends"])


def allow(scope, key, limit, window_seconds):
    """Count one attempt for `key`; False once more than `limit` were made in the window
    that began with the first of them."""
    cache_key = _key(scope, key)
    if cache.add(cache_key, 1, window_seconds):
        cache.set(f"{cache_key}:ends", time.time() + window_seconds, window_seconds)
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, window_seconds)
        return True
    # Some caches (files) store an increment with their default timeout, which would move the
    # window's end with every attempt: put it back where the first attempt set it.
    if (ends := cache.get(f"{cache_key}:ends")) is not None:
        cache.touch(cache_key, max(1, round(ends - time.time())))
    return count <= limit


def client_address(request):
    """The address a rate limit counts. Behind TRUSTED_PROXY_COUNT proxies, each appending
    to X-Forwarded-For, it is the entry the outermost of them wrote; anything further left
    was sent by the client and could be anything, so it is never trusted."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
