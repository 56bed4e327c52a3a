"""Figures computed from many listings, cached until any listing changes.

Guide figures, cost tables, search facet counts and the search form's option lists are
cached under keys that carry a *listings version*. Saving or deleting anything a public
page is computed from (clinics, offers, practitioners, hours, photos, areas, insurers,
treatments, conditions, guides; see `LISTING_MODELS`) moves the version on, so the next
request computes afresh: a change shows at once, on every instance sharing the cache
(Redis when REDIS_URL is set).

The version moves twice: at once, so this process never reads its own change stale, and
again after the transaction commits, so that a request which read the old rows while the
transaction was open cannot leave them cached under the new version.
"""

import hashlib
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "listings-version"
# Entries also expire by themselves, so a missed signal (a raw SQL fix, say) heals itself.
TIMEOUT_SECONDS = 60 * 60


def listings_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _move_version():
    # A new unique value rather than incr(): incr fails on a key evicted meanwhile.
    cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def listings_changed(**kwargs):
    """Call after a change that sends no model signals (QuerySet.update(), bulk_create())."""
    _move_version()
    transaction.on_commit(_move_version)


def remember(name, parts, compute):
    """compute(), cached under `name` and `parts` (anything with a stable repr) for the
    current listings version."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"{name}:{listings_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT_SECONDS)
    return value


def connect(*models):
    """Move the listings version whenever one of `models` (or a many-to-many relation they
    own) is saved or deleted."""
    for model in models:
        uid = f"listings-cache-{model._meta.label}"
        post_save.connect(listings_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(listings_changed, sender=model, dispatch_uid=uid)
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                listings_changed, sender=through, dispatch_uid=f"{uid}-{field.name}"
            )
