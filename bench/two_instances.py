"""Two instances of the site, one PostgreSQL, one Redis, one photo folder (bench/two-instances).

Starts two gunicorn servers on different ports with the same settings (production settings,
plain HTTP on the loopback), then, as clinic staff in a scripted browser:

  1. signs in on A, and uses the same session cookie on B: still signed in there;
  2. edits the clinic's details on A: B's public page shows the change at once, and B's
     search counts (cached in Redis) move with it;
  3. uploads a photo (a real JPEG) on A: B's public page shows it, and B serves the file;
  4. deletes the photo through B, with B's own form: A's page no longer shows it.

Prints PASS or FAIL for each check and exits non-zero if any failed.
"""

import argparse
import html.parser
import http.cookiejar
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
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STAFF = ("staff", "demo-staff-password")


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


# --- A scripted browser ----------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect comes back as the response, to be checked


class Browser:
    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects
        )

    def cookie(self, name):
        return next((c for c in self.cookies if c.name == name), None)

    def get(self, path):
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path, fields, files=None):
        """A form POST; `files` is {field: (file name, content type, bytes)}."""
        if files:
            boundary = secrets.token_hex(16)
            body = _multipart(boundary, fields, files)
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type}, method="POST"
        )
        return self._open(request)

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


def _multipart(boundary, fields, files):
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{item}\r\n".encode()
            )
    for name, (filename, content_type, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


class _Forms(html.parser.HTMLParser):
    """Each POST form's action and the values a browser would submit (submit buttons left
    out): [(action, {name: value or [values]})]."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._textarea, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {}
            self.forms.append((attrs.get("action") or "", self._form))
        if self._form is None or (not attrs.get("name") and tag != "option"):
            return
        name = attrs.get("name")
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form.setdefault(name, []).append(attrs.get("value") or "on")
                return
            self._form[name] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self._form[name] = ""
        elif tag == "select":
            self._select = name
        elif (
            tag == "option"
            and self._select
            and ("selected" in attrs or self._select not in self._form)
        ):
            self._form[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data


def post_form(page_html, having):
    """(action, fields) of the page's POST form that has the field `having`."""
    parser = _Forms()
    parser.feed(page_html)
    for action, fields in parser.forms:
        if having in fields:
            return action, {
                k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in fields.items()
            }
    raise AssertionError(f"no form with a field {having!r} on the page")


def jpeg(width=640, height=480):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 160)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


# --- The checks ------------------------------------------------------------------------------


def run_checks(a_url, b_url):
    a, b = Browser(a_url), Browser(b_url)
    failures = 0

    def check(label, passed, detail=""):
        nonlocal failures
        failures += not passed
        print(f"{'PASS' if passed else 'FAIL'}  {label}{f'  ({detail})' if detail else ''}")
        return passed

    print(f"\nInstance A: {a_url}   Instance B: {b_url}\n")

    # 1. Sign in on A; the session works on B.
    status, _, body = a.get("/accounts/login/")
    _, fields = post_form(body.decode(), "csrfmiddlewaretoken")
    fields.update(username=STAFF[0], password=STAFF[1])
    status, headers, _ = a.post("/accounts/login/", fields)
    check("sign in as clinic staff on A", status == 302, f"HTTP {status} to {headers['Location']}")
    status, _, body = a.get("/portal/")
    slugs = re.findall(r'href="/portal/([a-z0-9-]+)/"', body.decode())
    if not check("A's portal lists the staff member's clinics", status == 200 and slugs):
        return failures
    slug = slugs[0]
    session = a.cookie("sessionid")
    b.cookies.set_cookie(session)  # the same cookie, as a load balancer would send it on
    status, headers, body = b.get("/portal/")
    check(
        "A's session cookie is signed in on B",
        status == 200 and f"/portal/{slug}/" in body.decode(),
        f"HTTP {status}{' to ' + headers['Location'] if status == 302 else ''}",
    )

    # 2. An edit made on A shows on B at once, counts included.
    confirm_page = a.get(f"/portal/{slug}/")[2].decode()
    _, fields = post_form(confirm_page, "csrfmiddlewaretoken")
    status, _, _ = a.post(
        f"/portal/{slug}/confirm/", {"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"]}
    )
    check(
        "confirm the clinic's details on A (so that it is listed)", status == 302, f"HTTP {status}"
    )
    clinic_page = b.get(f"/clinics/{slug}/")[2].decode()
    area = re.search(r'href="/areas/([a-z0-9-]+)/"', clinic_page).group(1)
    before = home_visits_count(b, area)
    details = a.get(f"/portal/{slug}/details/")[2].decode()
    _, fields = post_form(details, "address_line1")
    marker = f"Two-instance check {secrets.token_hex(4)}."
    original = dict(fields)
    fields["description"] = f"{fields.get('description', '')} {marker}".strip()
    home_visits_now = "home_visits" not in fields
    if home_visits_now:
        fields["home_visits"] = "on"
    else:
        fields.pop("home_visits")
    status, _, body = a.post(f"/portal/{slug}/details/", fields)
    check("edit the clinic's details on A", status == 302, f"HTTP {status}")
    status, _, body = b.get(f"/clinics/{slug}/")
    check("B's public clinic page shows A's edit at once", marker in body.decode())
    after = home_visits_count(b, area)
    expected = before + (1 if home_visits_now else -1)
    check(
        "B's search counts (cached in Redis) follow A's edit at once",
        after == expected,
        f"home visits in {area}: {before} before, {after} after, {expected} expected",
    )

    # 3. A photo uploaded on A is shown and served by B.
    photos = a.get(f"/portal/{slug}/photos/")[2].decode()
    _, fields = post_form(photos, "upload-alt_text")
    alt = f"Treatment room {secrets.token_hex(4)}"
    fields["upload-alt_text"] = alt
    status, _, _ = a.post(
        f"/portal/{slug}/photos/",
        fields,
        files={"upload-image": ("room.jpg", "image/jpeg", jpeg())},
    )
    check("upload a JPEG photo on A", status == 302, f"HTTP {status}")
    page = b.get(f"/clinics/{slug}/")[2].decode()
    found = re.search(rf'<img[^>]*src="([^"]+)"[^>]*alt="{re.escape(alt)}"', page)
    if check("B's public clinic page shows the photo", found is not None):
        src = urllib.parse.urlsplit(found.group(1)).path
        status, headers, data = b.get(src)
        check(
            "B serves the photo file",
            status == 200 and headers["Content-Type"] == "image/jpeg" and is_jpeg(data),
            f"HTTP {status}, {headers['Content-Type']}, {len(data):,} bytes, {src}",
        )
        check("A serves the same file", a.get(src)[2] == data)

    # 4. Delete it through B (B's own CSRF token, A's session): gone from A's page.
    photos = b.get(f"/portal/{slug}/photos/")[2].decode()
    delete = re.search(
        rf'<form method="post" action="(/portal/{slug}/photos/\d+/delete/)">'
        rf'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
        rf"<button[^>]*>Delete “{re.escape(alt)}”",
        photos,
    )
    if check("B's portal lists the photo uploaded on A", delete is not None):
        status, _, _ = b.post(delete.group(1), {"csrfmiddlewaretoken": delete.group(2)})
        check("delete the photo through B", status == 302, f"HTTP {status}")
        check(
            "A's public page no longer shows it", alt not in a.get(f"/clinics/{slug}/")[2].decode()
        )

    # Put the details back, through B this time: A shows them.
    details = b.get(f"/portal/{slug}/details/")[2].decode()
    _, fields = post_form(details, "address_line1")
    original["csrfmiddlewaretoken"] = fields["csrfmiddlewaretoken"]
    status, _, _ = b.post(f"/portal/{slug}/details/", original)
    check(
        "an edit on B (putting the details back) shows on A at once",
        status == 302 and marker not in a.get(f"/clinics/{slug}/")[2].decode(),
    )
    return failures


def home_visits_count(browser, area):
    status, _, body = browser.get(f"/areas/{area}/")
    found = re.search(r"Home visits \((\d+)\)", body.decode())
    assert status == 200 and found, f"no home visits count on /areas/{area}/ (HTTP {status})"
    return int(found.group(1))


def is_jpeg(data):
    from PIL import Image

    try:
        return Image.open(io.BytesIO(data)).format == "JPEG"
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
