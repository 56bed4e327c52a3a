"""Settings come from the environment and refuse bad values loudly, at start-up."""

import os
import subprocess
import sys

import pytest

BASE_ENV = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "directory.settings"}


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly this environment."""
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DATABASES)"],
        env={**BASE_ENV, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_defaults_work_for_a_developer():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert "sqlite3" in result.stdout


def test_database_url_selects_postgresql():
    result = load_settings(DATABASE_URL="postgres://u:p@db.example:5432/physio")
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.postgresql" in result.stdout
    assert "'NAME': 'physio'" in result.stdout


def test_postgresql_connections_keep_the_urls_own_options():
    result = load_settings(
        DATABASE_URL="postgres://u:p@db.example:5432/physio?options=-c%20statement_timeout%3D5000"
    )
    assert result.returncode == 0, result.stderr
    assert "'options': '-c statement_timeout=5000'" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"DEBUG": "false"}, "SECRET_KEY must be set"),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS must be set"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT must be a whole number"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL must point at SQLite or PostgreSQL"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
    ],
)
def test_bad_values_stop_the_site_with_a_message(env, message):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
