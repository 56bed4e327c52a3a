"""CI's PostgreSQL run cannot pass with the PostgreSQL-only tests skipped: with
REQUIRE_POSTGRESQL=1 on another database the run stops before any test (tests/conftest.py),
and CI sets it for that run (.ci/run)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
POSTGRESQL_ONLY = "tests/test_reviews.py::test_reviews_sent_at_once_cannot_beat_the_rules"


def run_on_sqlite(tmp_path, require):
    """pytest run on that one PostgreSQL-only test, on SQLite whatever this run is on."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("REQUIRE_POSTGRESQL", None)
    if require:
        env["REQUIRE_POSTGRESQL"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", POSTGRESQL_ONLY, "-rs", "-p", "no:randomly"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_on_sqlite_a_postgresql_only_test_is_skipped_saying_so(tmp_path):
    result = run_on_sqlite(tmp_path, require=False)
    assert result.returncode == pytest.ExitCode.OK, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "PostgreSQL only: run with DATABASE_URL=postgres://" in result.stdout


def test_with_postgresql_required_a_skip_fails_the_run_before_any_test(tmp_path):
    result = run_on_sqlite(tmp_path, require=True)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert "1 PostgreSQL-only tests would be skipped" in result.stderr
    assert "passed" not in result.stdout and "skipped" not in result.stdout


def test_ci_requires_postgresql_for_its_postgresql_run():
    ci = (ROOT / ".ci" / "run").read_text()
    # The command that gives make test the PostgreSQL database, continued lines joined.
    commands = re.sub(r"\\\n\s*", " ", ci).splitlines()
    postgresql_runs = [line for line in commands if 'DATABASE_URL="$PG_URL"' in line]
    assert postgresql_runs, "CI runs no suite on PostgreSQL"
    for line in postgresql_runs:
        assert re.search(r"\bREQUIRE_POSTGRESQL=1\b.*\bmake test\b", line), line
