"""Figures computed from many listings, and whole public pages, cached until any listing
changes or the day does.

Guide figures, cost tables, search facet counts and whole pages are cached under keys that
carry a *listings version* and today's date (which listings are shown, and which are stale,
depends on the date). Saving or deleting anything a public page is computed from (the models
connected in clinics/apps.py and directory/apps.py) moves the version on, so the next request
computes afresh: a change shows at once, on every instance sharing the cache (Redis when
REDIS_URL is set). The search's option lists use a second version, moved only by changes to
what a search can choose.

The version moves twice: at once, so this process never reads its own change stale, and
again after the transaction commits, so that a request which read the old rows while the
transaction was open cannot leave them cached under the new version.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.gzip import GZipMiddleware
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.html import escape

VERSION_KEY = "listings-version"
CHOICES_VERSION_KEY = "choices-version"
# Entries also expire by themselves, so a missed signal (a raw SQL fix, say) heals itself.
TIMEOUT_SECONDS = 60 * 60


def _version(key):
    version = cache.get(key)
    if version is None:
        cache.add(key, time.time_ns(), timeout=None)
        version = cache.get(key)
    return version


def listings_version():
    return _version(VERSION_KEY)


def choices_version():
    """Moves only when something a search can choose changes (a treatment, condition, area,
    insurer, price band or language), so a clinic's edit does not refetch the option lists."""
    return _version(CHOICES_VERSION_KEY)


def _move(*keys):
    # A new unique value rather than incr(): incr fails on a key evicted meanwhile.
    for key in keys:
        cache.set(key, time.time_ns(), timeout=None)


def listings_changed(**kwargs):
    """Call after a change that sends no model signals (QuerySet.update(), bulk_create())."""
    _move(VERSION_KEY)
    transaction.on_commit(lambda: _move(VERSION_KEY))


def choices_changed(**kwargs):
    """As listings_changed(), for a change to what a search can choose (which changes the
    listings' pages too)."""
    _move(VERSION_KEY, CHOICES_VERSION_KEY)
    transaction.on_commit(lambda: _move(VERSION_KEY, CHOICES_VERSION_KEY))


def _key(name, version, parts):
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"{name}:{version}:{timezone.localdate().isoformat()}:{digest}"


def remember(name, parts, compute, version=listings_version):
    """compute(), cached under `name` and `parts` (anything with a stable repr) for the
    current `version` (of the listings, by default) and today."""
    key = _key(name, version(), parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT_SECONDS)
    return value


def per_visitor(request, make):
    """make(request): a value each visitor gets their own of (a CSRF token, a form's start
    time). While a shared copy of a page is made, a blank instead, which every copy served
    is filled in with make(request) for its visitor. `make` must be a module-level function:
    the cached page names it."""
    blanks = getattr(request, "_shared_page_blanks", None)
    if blanks is None:
        return make(request)
    # Keyed on the secret key, so that no text written into a page can pass for a blank.
    blank = "blank-" + salted_hmac(__name__, f"{make.__module__}.{make.__qualname__}").hexdigest()
    blanks[blank] = make
    return blank


def _filled(response, blanks, request):
    if blanks:
        content = response.content.decode(response.charset)
        for blank, make in blanks.items():
            content = content.replace(blank, escape(make(request)))
        response.content = content
    return response


def shared_page(view):
    """A public page as every visitor without a session sees it, cached whole until a listing
    changes, the day does (pages say "confirmed 3 months ago") or the time the view set in
    `response.shared_until` comes ("open now").

    A visitor with any cookie but the CSRF one (a session, messages) may see something
    personal, so gets the page fresh. Values each visitor needs their own of (the CSRF
    token, through clinics.context_processors) are left blank in the shared copy and filled
    in for each visitor (per_visitor()). A page that set a cookie or asked for the CSRF token
    any other way is never stored."""

    @wraps(view)
    def view_or_cached_page(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or set(request.COOKIES) - {
            settings.CSRF_COOKIE_NAME
        }:
            return view(request, *args, **kwargs)
        gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        address = (request.method, request.get_host(), request.get_full_path(), gzip)
        # An entry holds (listings version, response, blanks), so that it and the current
        # version come back in one round trip; a key of its own ("shared-page", "*"), so that
        # pages cached in another shape by an earlier release are never read as this one.
        key = _key("shared-page", "*", address)
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or listings_version()
        if (cached := found.get(key)) is not None and cached[0] == version:
            _, response, blanks = cached
        else:
            request._shared_page_blanks = blanks = {}
            try:
                response = view(request, *args, **kwargs)
            finally:
                del request._shared_page_blanks
            timeout = TIMEOUT_SECONDS
            if until := getattr(response, "shared_until", None):
                timeout = min(timeout, (until - timezone.now()).total_seconds())
            if (
                response.status_code == 200
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                and timeout >= 1
            ):
                if not blanks:
                    # Compressed once here rather than on every request the cache answers;
                    # a page with blanks is compressed after they are filled.
                    response = GZipMiddleware(view).process_response(request, response)
                cache.set(key, (version, response, blanks), timeout)
        # What a signed-in visitor sees differs: shared caches downstream must tell them apart.
        patch_vary_headers(response, ["Cookie"])
        return _filled(response, blanks, request)

    return view_or_cached_page


def connect(*models, receiver=listings_changed):
    """Call `receiver` (moving the listings version) whenever one of `models` (or a
    many-to-many relation they own) is saved or deleted."""
    for model in models:
        uid = f"listings-cache-{model._meta.label}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, dispatch_uid=uid)
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(receiver, sender=through, dispatch_uid=f"{uid}-{field.name}")
