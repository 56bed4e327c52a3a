"""Two instances of the site, one PostgreSQL, one Redis, one photo folder (bench/two-instances).

Starts two gunicorn servers on different ports with the same settings (production settings,
plain HTTP on the loopback), then, as clinic staff in a real browser (Debian's Chromium, driven
by Playwright, one browser context per instance):

  1. signs in on A, and uses the same session cookie on B: still signed in there;
  2. edits the clinic's details on A: B's public page shows the change at once, and B's
     search counts move with it (B's listings index catches up from PostgreSQL);
  3. uploads a photo (a real JPEG) on A: B's public page shows it, and B serves the file;
  4. deletes the photo through B, with B's own form: A's page no longer shows it;
  5. fails to sign in as one account, half the allowed times on A and half on B: B refuses
     the next attempt (the counters are shared in Redis).

Prints PASS or FAIL for each check and exits non-zero if any failed.
"""

import argparse
import io
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STAFF = ("staff@demo.example", "demo-staff-password")
# Failed sign-ins allowed per account in the window; the instances are started with it.
LOGIN_FAILURES_PER_ACCOUNT = 10
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/physio_instances",
        help="PostgreSQL database both instances use (created and seeded if needed)",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/12",
        help="Redis both instances use ('' for none: then the cached counts check fails)",
    )
    parser.add_argument("--ports", type=int, nargs=2, default=[8771, 8772], metavar="PORT")
    args = parser.parse_args()

    media = Path(tempfile.mkdtemp(prefix="two-instances-media-"))
    static = Path(tempfile.mkdtemp(prefix="two-instances-static-"))
    caches = Path(tempfile.mkdtemp(prefix="two-instances-cache-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "MEDIA_ROOT": str(media),
        "STATIC_ROOT": str(static),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "LOGIN_FAILURES_PER_ACCOUNT": str(LOGIN_FAILURES_PER_ACCOUNT),
        # Every sign-in comes from 127.0.0.1: runs one after another must not reach the
        # per-address limit (counted in Redis for 15 minutes) before the per-account one.
        "LOGIN_FAILURES_PER_ADDRESS": "100000",
    }
    servers = []
    try:
        prepare(args.database_url, env)
        servers = [start(port, env, caches) for port in args.ports]
        for port in args.ports:
            wait_until_up(port)
        failures = run_checks(*(f"http://127.0.0.1:{port}" for port in args.ports))
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
        shutil.rmtree(media, ignore_errors=True)
        shutil.rmtree(static, ignore_errors=True)
        shutil.rmtree(caches, ignore_errors=True)
    print(f"\n{'All checks passed.' if not failures else f'{failures} check(s) FAILED.'}")
    return 1 if failures else 0


def prepare(database_url, env):
    import psycopg

    name = psycopg.conninfo.conninfo_to_dict(database_url)["dbname"]
    with psycopg.connect(database_url, dbname="postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')

    def manage(*command):
        subprocess.run(
            [PYTHON, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    print(f"Preparing {name}: migrate, seed_demo (London scale), collectstatic")
    manage("migrate", "--noinput")
    # Also puts back anything a previous run changed.
    manage("seed_demo")
    manage("collectstatic", "--noinput")


def start(port, env, cache_dir):
    # Without Redis, settings fall back to a file cache: each instance gets a folder of its
    # own, as on separate machines, so that Redis is the only cache they could share.
    env = {**env, "CACHE_DIR": str(cache_dir / str(port))}
    return subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "directory.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--log-level=warning",
            # Gunicorn's control socket has one default path: two servers would share it.
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def wait_until_up(port):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"The instance on port {port} did not start.")


# --- The checks, in a real browser -----------------------------------------------------------


def run_checks(a_url, b_url):
    """Chromium (Debian's, driven by Playwright as tests/browser/ does), one browser context
    per instance: each has its own cookies, as two visits through a load balancer would,
    except the session cookie, which is handed from A to B."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            a, b = (browser.new_context(base_url=url, locale="en-GB") for url in (a_url, b_url))
            return _checks(a.new_page(), b.new_page(), a_url, b_url)
        finally:
            browser.close()


def _checks(a, b, a_url, b_url):
    failures = 0

    def check(label, passed, detail=""):
        nonlocal failures
        failures += not passed
        print(f"{'PASS' if passed else 'FAIL'}  {label}{f'  ({detail})' if detail else ''}")
        return passed

    print(f"\nInstance A: {a_url}   Instance B: {b_url}\n")

    # 1. Sign in on A; the session works on B.
    a.goto("/accounts/login/")
    a.get_by_label("Email").fill(STAFF[0])
    a.get_by_label("Password").fill(STAFF[1])
    a.get_by_role("button", name="Sign in").click()
    a.wait_for_url(f"{a_url}/portal/**")
    check("sign in as clinic staff on A", path(a) == "/portal/", f"at {path(a)}")
    slugs = [
        found[1]
        for href in a.locator("main a").evaluate_all("links => links.map(l => l.pathname)")
        if (found := re.fullmatch(r"/portal/([a-z0-9-]+)/", href)) and found[1] != "new"
    ]
    if not check("A's portal lists the staff member's clinics", bool(slugs), ", ".join(slugs)):
        return failures
    slug = slugs[0]
    session = [c for c in a.context.cookies() if c["name"] == "sessionid"]
    # The same cookie, as a load balancer would send it on; B keeps its own CSRF cookie.
    b.context.add_cookies(session)
    b.goto("/portal/")
    check(
        "A's session cookie is signed in on B",
        path(b) == "/portal/" and b.locator(f'a[href="/portal/{slug}/"]').count() > 0,
        f"at {path(b)}",
    )

    # 2. An edit made on A shows on B at once, counts included.
    a.goto(f"/portal/{slug}/")
    confirm = a.get_by_role("button", name="Yes, details and prices are correct")
    if confirm.count():
        confirm.click()
    check(
        "confirm the clinic's details on A (so that it is listed)",
        shows(a, "your listing now shows it was confirmed today"),
    )
    b.goto(f"/clinics/{slug}/")
    # The clinic's area, from its breadcrumbs.
    area = next(
        found[1]
        for href in b.locator("nav a").evaluate_all("links => links.map(l => l.pathname)")
        if (found := re.fullmatch(r"/areas/([a-z0-9-]+)/", href))
    )
    before = home_visits_count(b, area)
    a.goto(f"/portal/{slug}/details/")
    description, home_visits = a.locator("#id_description"), a.locator("#id_home_visits")
    original = (description.input_value(), home_visits.is_checked())
    marker = f"Two-instance check {secrets.token_hex(4)}."
    description.fill(f"{original[0]} {marker}".strip())
    home_visits.set_checked(not original[1])
    a.get_by_role("button", name="Save details").click()
    check("edit the clinic's details on A", shows(a, "Details saved."))
    b.goto(f"/clinics/{slug}/")
    check("B's public clinic page shows A's edit at once", shows(b, marker))
    after = home_visits_count(b, area)
    expected = before + (-1 if original[1] else 1)
    check(
        "B's search counts follow A's edit at once (B's listings index catches up)",
        after == expected,
        f"home visits in {area}: {before} before, {after} after, {expected} expected",
    )

    # 3. A photo uploaded on A is shown and served by B.
    a.goto(f"/portal/{slug}/photos/")
    alt = f"Treatment room {secrets.token_hex(4)}"
    a.get_by_label("Describe the photo").fill(alt)
    a.locator("#id_upload-image").set_input_files(
        {"name": "room.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    a.get_by_role("button", name="Upload photo").click()
    check("upload a JPEG photo on A", shows(a, "Photo added."))
    b.goto(f"/clinics/{slug}/")
    photo = b.get_by_alt_text(alt)
    if check("B's public clinic page shows the photo", photo.count() == 1):
        photo.scroll_into_view_if_needed()
        width = photo.evaluate(
            "img => img.complete ? img.naturalWidth"
            " : new Promise(done => { img.onload = img.onerror = () => done(img.naturalWidth); })"
        )
        src = photo.evaluate("img => new URL(img.src).pathname")
        served = b.request.get(src)
        check(
            "B serves the photo file, and B's browser draws it",
            served.ok and served.headers["content-type"] == "image/jpeg" and width > 0,
            f"HTTP {served.status}, {served.headers['content-type']}, "
            f"{len(served.body()):,} bytes, {width} px wide, {src}",
        )
        check("A serves the same file", a.request.get(src).body() == served.body())

    # 4. Delete it through B (B's own CSRF token, A's session): gone from A's page.
    b.goto(f"/portal/{slug}/photos/")
    delete = b.get_by_role("button", name=f"Delete “{alt}”")
    if check("B's portal lists the photo uploaded on A", delete.count() == 1):
        delete.click()
        check("delete the photo through B", shows(b, "Photo deleted."))
        a.goto(f"/clinics/{slug}/")
        check("A's public page no longer shows it", a.get_by_alt_text(alt).count() == 0)

    # 5. Failed sign-ins count into one window whichever instance answers (Redis): the
    # failures allowed per account, made half on A and half on B, and the next is refused.
    nobody = f"nobody-{secrets.token_hex(4)}@example.com"
    signed_out = [
        a.context.browser.new_context(base_url=url, locale="en-GB").new_page()
        for url in (a_url, b_url)
    ]
    for page in signed_out * (LOGIN_FAILURES_PER_ACCOUNT // 2):
        status = failed_sign_in(page, nobody)
    refused = failed_sign_in(signed_out[1], nobody)
    check(
        f"{LOGIN_FAILURES_PER_ACCOUNT} failed sign-ins, half on A, half on B: B refuses the next",
        status == 200 and refused == 429,
        f"HTTP {status} for the last allowed, {refused} for the next",
    )

    # Put the details back, through B this time: A shows them.
    b.goto(f"/portal/{slug}/details/")
    b.locator("#id_description").fill(original[0])
    b.locator("#id_home_visits").set_checked(original[1])
    b.get_by_role("button", name="Save details").click()
    saved = shows(b, "Details saved.")
    a.goto(f"/clinics/{slug}/")
    check(
        "an edit on B (putting the details back) shows on A at once",
        saved and marker not in a.content(),
    )
    return failures


def failed_sign_in(page, email):
    """Signs in as `email` with a wrong password: the HTTP status of the answer."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    return answer.value.status


def path(page):
    return urllib.parse.urlsplit(page.url).path


def shows(page, text):
    """Whether `text` appears on the page within a few seconds (a form's answer loads)."""
    from playwright.sync_api import expect

    try:
        expect(page.get_by_text(text).first).to_be_visible(timeout=10_000)
    except AssertionError:
        return False
    return True


def jpeg(width=640, height=480):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 160)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def home_visits_count(page, area):
    page.goto(f"/areas/{area}/")
    found = re.search(r"Home visits \((\d+)\)", page.content())
    assert found, f"no home visits count on /areas/{area}/"
    return int(found[1])


if __name__ == "__main__":
    sys.exit(main())
