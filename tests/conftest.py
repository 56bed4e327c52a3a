import os

import pytest
from django.core.cache import cache
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Tests marked postgresql_only are skipped on SQLite, saying so; REQUIRE_POSTGRESQL=1 (as
    CI sets for its PostgreSQL run) makes that a failure, so that they cannot go unrun."""
    if connection.vendor == "postgresql":
        return
    only = [item for item in items if item.get_closest_marker("postgresql_only")]
    if only and os.environ.get("REQUIRE_POSTGRESQL") == "1":
        raise pytest.UsageError(
            f"{len(only)} PostgreSQL-only tests would be skipped: DATABASE_URL is not "
            "PostgreSQL (REQUIRE_POSTGRESQL=1)."
        )
    skip = pytest.mark.skip(reason="PostgreSQL only: run with DATABASE_URL=postgres://...")
    for item in only:
        item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    # MD5 keeps user creation quick; uploads go to a throwaway folder; rate-limit counters
    # and cached figures from one test never reach the next.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()
