"""`make serve` (ops/serve) starts the site as production runs it: migrations, static files,
the deployment checks, then gunicorn. Run for real, in a subprocess, on a free port."""

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVE = ROOT / "ops" / "serve"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp_path, **env):
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),  # gunicorn's control socket goes under it
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        # HTTPS stays on, as in production; the test plays the TLS-ending proxy by saying so.
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "WEB_CONCURRENCY": "1",
        **env,
    }


def get(url):
    """(status, headers, body) of a GET sent as the proxy would pass it on."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def served(tmp_path):
    """ops/serve running until /healthz answers 200; stopped with SIGTERM afterwards."""
    port = free_port()
    out, err = (tmp_path / "stdout.log").open("w+"), (tmp_path / "stderr.log").open("w+")
    process = subprocess.Popen(
        [str(SERVE)],
        env=production_env(tmp_path, BIND=f"127.0.0.1:{port}"),
        stdout=out,
        stderr=err,
        start_new_session=True,  # its own process group, so no worker outlives the test
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if process.poll() is not None:
                err.seek(0)
                pytest.fail(f"ops/serve exited with {process.returncode}:\n{err.read()}")
            if time.monotonic() > deadline:
                pytest.fail("ops/serve did not answer /healthz within 30 s")
            try:
                if get(base + "/healthz")[0] == 200:
                    break
            except OSError:  # not listening yet
                time.sleep(0.2)
        yield base, tmp_path, out
    finally:
        process.terminate()  # ops/serve passes it on to gunicorn and the outbox worker
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        out.close()
        err.close()


def test_serve_starts_gunicorn_with_hashed_static_files_and_logs_requests(served):
    base, tmp_path, out = served
    status, _, body = get(base + "/healthz")
    assert (status, body) == (200, b"ok\n")

    status, headers, body = get(base + "/")
    assert status == 200
    assert b"London Physio Directory" in body
    assert "Strict-Transport-Security" in headers

    # collectstatic ran with the manifest storage: the page links to the hashed name, which
    # is served with far-future caching (WhiteNoise, from the process itself).
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed != "css/site.css"
    assert f"/static/{hashed}".encode() in body
    status, headers, body = get(f"{base}/static/{hashed}")
    assert status == 200 and b".site-name" in body
    assert "max-age=315360000" in headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]

    # The migrations ran against the database it was given.
    assert (tmp_path / "db.sqlite3").stat().st_size > 0
    # Access log on stdout, one line per request.
    out.seek(0)
    log = out.read()
    assert '"GET /healthz HTTP/1.1" 200' in log
    # The outbox worker runs beside gunicorn: its first round has purged old enquiries.
    deadline = time.monotonic() + 10
    while "enquiries older than" not in log and time.monotonic() < deadline:
        time.sleep(0.2)
        out.seek(0)
        log = out.read()
    assert "enquiries older than 180 days deleted." in log


@pytest.mark.parametrize(
    ("missing", "message"),
    [("SECRET_KEY", "SECRET_KEY must be set"), ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set")],
)
def test_serve_refuses_to_start_without_production_settings(tmp_path, missing, message):
    env = production_env(tmp_path)
    del env[missing]
    result = subprocess.run(
        [str(SERVE)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # it stopped before touching anything


def test_serve_refuses_to_start_when_the_deployment_checks_warn(tmp_path):
    """Plain HTTP in production (HTTPS=false): insecure cookies, no HSTS. Caught before
    gunicorn starts, not found out later."""
    result = subprocess.run(
        [str(SERVE)],
        env=production_env(tmp_path, HTTPS="false", BIND=f"127.0.0.1:{free_port()}"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout  # SESSION_COOKIE_SECURE
    assert not (tmp_path / "db.sqlite3").exists()  # stopped before migrating
