"""The national-scale benchmark (bench/run, `make bench`; see bench/README.md).

Builds or reuses the national data set in PostgreSQL, serves the site with gunicorn under
production settings, then measures two things, each beside a reference page served by the
same server in the same run:

- cold: a mix of at least 500 different search addresses as patients make them, drawn afresh
  each run (bench/addresses.py), each asked once, by 4 clients at once: what a patient with
  a new question gets;
- warm: each of a few pages asked again and again by wrk for a while: what a popular page
  costs.

It prints throughput (and its ratio to the reference), latency percentiles and SQL query
counts against the targets, the workers' peak memory and the search page's weight.

    bench/run                    # everything (about 3 minutes)
    bench/run --cold-only        # the mix only; --addresses 1000, --seed N to repeat one
    bench/run --warm-only --only search
    bench/run --sql              # no load: each page's SQL with timings
"""

import argparse
import datetime
import html.parser
import http.client
import json
import math
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/physio_bench"
# A Redis database of the benchmark's own: it is emptied before each page's first request.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
NATIONAL_CLINICS = 10_000
CACHE_DIR = Path(tempfile.gettempdir()) / "bench-cache"
LATENCY_SCRIPT = ROOT / "bench" / "latency.lua"

# The targets. Cold: the issue "Search that is fast without any cache". Warm: each page asked
# over and over (with no page cache any more, a popular page costs what a new one does): a
# search answers within SEARCH_P95_MS, and every page runs at most MAX_QUERIES queries once
# its worker's listings index is up to date (the catch-up after an edit is the index's own
# cost, pinned in tests/test_public_pages.py, and shown beside).
COLD_P95_MS = 100
COLD_MIN_RATIO = 0.15
COLD_ADDRESSES = 500
SEARCH_P95_MS = 100
MAX_QUERIES = 10
MAX_PAGE_BYTES = 300 * 1024
MAX_JS_BYTES = 50 * 1024
MAX_REQUESTS = 15
BROWSER_ENCODINGS = "gzip, deflate, br"


@dataclass
class Page:
    name: str
    path: str
    kind: str  # reference, home, search, cacheable or clinic
    result: dict = field(default_factory=dict)


def main():
    args = parse_args()
    env = server_environment(args)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    step("PostgreSQL database")
    prepare_database(args, env)
    pages, few_many = pick_pages(args)
    if args.only:
        pages = [p for p in pages if p.kind == "reference" or args.only in p.name]
    seed = args.seed if args.seed is not None else secrets.randbelow(1_000_000)
    addresses = draw_addresses(args.addresses, seed)

    if args.sql:
        show_sql(pages, args)
        return 0

    ensure_wrk()
    step("Static files")
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env["STATIC_ROOT"] = os.environ["STATIC_ROOT"] = str(static_root)
    manage(env, "collectstatic", "--noinput", quiet=True)

    server = Server(args, env)
    cold = None
    weight = counts = None
    try:
        server.start()
        if not args.warm_only:
            cold = measure_cold(server, addresses, seed, args)
        if not args.cold_only:
            # The reference again at the end: the average of both is the yardstick, and how
            # far they differ says how steady the machine was.
            pages.append(Page("reference, again", "/bench/reference/", "reference"))
            for page in pages:
                measure(page, server, args)
            searches = [p for p in pages if p.kind == "search"]
            weight = page_weight(server, searches[0]) if searches else None
            counts = [(path, *probes(server, path)) for path in few_many]
        memory = server.worker_memory()
    finally:
        server.stop()
        shutil.rmtree(static_root, ignore_errors=True)

    missed = report_cold(cold, args) if cold else 0
    if not args.cold_only:
        missed += report(pages, weight, counts, memory, args)
    print_machine(memory, args)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "when": datetime.datetime.now().isoformat(timespec="seconds"),
                    "command": command_line(),
                    "cold": cold,
                    "pages": [p.__dict__ for p in pages],
                    "weight": weight,
                    "memory": memory,
                },
                indent=2,
                default=str,
            )
        )
    return 1 if missed and args.strict else 0


def draw_addresses(count, seed):
    from bench.addresses import draw, national_data

    addresses = draw(national_data(), count, seed)
    from django.db import connections

    connections.close_all()
    return addresses


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page (10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per page (2)")
    parser.add_argument("--connections", type=int, default=4, help="warm mode: wrk connections (4)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn worker class (sync, or gthread)"
    )
    parser.add_argument(
        "--worker-threads", type=int, default=1, help="threads per worker (gthread only)"
    )
    parser.add_argument("--port", type=int, default=8765, help="port to serve on (8765)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL database to build or reuse ({DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        help=f"the cache, for rate limits ({DEFAULT_REDIS_URL}); 'none' for the settings' "
        "file cache (in a temporary folder)",
    )
    parser.add_argument("--reseed", action="store_true", help="drop the database and rebuild it")
    parser.add_argument(
        "--addresses",
        type=int,
        default=600,
        help=f"cold mode: how many different addresses (600; at least {COLD_ADDRESSES})",
    )
    parser.add_argument("--seed", type=int, help="cold mode: the addresses' seed (random)")
    parser.add_argument("--clients", type=int, default=4, help="cold mode: clients at once (4)")
    parser.add_argument("--cold-only", action="store_true", help="only the cold mix")
    parser.add_argument("--warm-only", action="store_true", help="only the warm pages")
    parser.add_argument("--only", help="only the pages whose name contains this")
    parser.add_argument(
        "--sql",
        action="store_true",
        help="no load: print each page's SQL queries with their times: after a clinic's "
        "edit, and with the listings index up to date",
    )
    parser.add_argument(
        "--explain-over-ms",
        type=float,
        default=20,
        help="with --sql: EXPLAIN ANALYZE the queries slower than this (20)",
    )
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 if any target is missed"
    )
    return parser.parse_args()


def step(text):
    print(f"\n== {text}", flush=True)


def command_line():
    return " ".join(shlex.quote(a) for a in ["bench/run", *sys.argv[1:]])


# --- Set-up ----------------------------------------------------------------------------------


def server_environment(args):
    """Production settings (DEBUG off, WhiteNoise's compressed, hashed static files) over plain
    HTTP on the loopback, on the benchmark's database and cache."""
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": args.database_url,
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env["REDIS_URL"] = "" if args.redis_url.lower() == "none" else args.redis_url
    # Without Redis, settings use a file cache: the benchmark's own, emptied before each page.
    env["CACHE_DIR"] = str(CACHE_DIR)
    if args.sql:
        # In process, without collected static files: their plain names will do.
        env["PLAIN_STATIC"] = "true"
    return env


def ensure_wrk():
    if shutil.which("wrk"):
        return
    step("Installing wrk (Debian package)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    install = [*sudo, "apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update", "-q"], check=True)
        subprocess.run(install, check=True)


def manage(env, *command, quiet=False):
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *command],
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def psycopg_database_name(url):
    import psycopg

    return psycopg.conninfo.conninfo_to_dict(url)["dbname"]


def prepare_database(args, env):
    """Create the database if needed, migrate, seed national data unless already there, and
    ANALYZE so that the planner knows the tables' real sizes (as autovacuum would soon)."""
    import psycopg

    name = psycopg_database_name(args.database_url)
    with psycopg.connect(args.database_url, dbname="postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and args.reseed:
            print(f"Dropping {name}")
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            print(f"Creating {name}")
            admin.execute(f'CREATE DATABASE "{name}"')
    manage(env, "migrate", "--noinput", quiet=True)
    with psycopg.connect(args.database_url, autocommit=True) as db:
        clinics, newest = db.execute(
            "SELECT count(*), max(details_confirmed_on) FROM clinics_clinic"
        ).fetchone()
        # The demo's dates are relative to the day it was loaded: a week on, load it again
        # (seed_demo updates what changed) so that as many clinics are listed as on day one.
        fresh = newest is not None and newest >= datetime.date.today() - datetime.timedelta(7)
        if clinics >= NATIONAL_CLINICS and fresh:
            print(f"Reusing {name}: {clinics:,} clinics")
        else:
            print(f"Seeding {name} at national scale ({clinics:,} clinics, newest {newest})")
            started = time.monotonic()
            manage(env, "seed_demo", "--scale", "national", quiet=True)
            print(f"Seeded in {time.monotonic() - started:.0f} s")
        db.execute("VACUUM ANALYZE")


def pick_pages(args):
    """The pages to measure, with real values from the seeded data."""
    import django

    django.setup()
    from django.db.models import Count, Min, Q

    from clinics.models import Area, Clinic, Insurer, Offer
    from treatments.models import Guide

    listed = Clinic.objects.listed()
    guide = (
        Guide.objects.published()
        .select_related("treatment")
        .annotate(n=Count("treatment__offers__clinic", distinct=True))
        .order_by("-n")
        .first()
    )
    treatment = guide.treatment
    with_counts = Area.objects.annotate(
        n=Count(
            "clinics",
            filter=Q(clinics__in=listed.offering(treatment).values("pk")),
            distinct=True,
        )
    )
    borough = with_counts.filter(kind=Area.Kind.BOROUGH).order_by("-n", "slug").first()
    postcode = listed.in_area(borough).order_by("pk").values_list("postcode").first()
    insurer = Insurer.objects.annotate(n=Count("recognitions")).order_by("-n", "slug").first()
    clinic = listed.annotate(n=Count("practitioners")).order_by("-n", "pk").first()
    quote = urllib.parse.quote_plus
    t = treatment.slug
    pages = [
        Page("reference", "/bench/reference/", "reference"),
        Page("home", "/", "home"),
        Page("search: treatment in area", f"/search/?treatment={t}&area={borough.slug}", "search"),
        Page(
            "search: postcode by distance",
            f"/search/?postcode={quote(postcode[0])}&sort=distance",
            "search",
        ),
        Page(
            "search: insurer, max price",
            f"/search/?insurer={insurer.slug}&max_price=80",
            "search",
        ),
        Page("search: text with a typo", "/search/?q=dry+neddling", "search"),
        Page("search: deep page", "/search/?page=20", "search"),
        Page("guide", treatment.get_absolute_url(), "cacheable"),
        Page("costs", "/costs/", "cacheable"),
        Page("area landing", borough.get_absolute_url(), "cacheable"),
        Page("clinic", clinic.get_absolute_url(), "clinic"),
    ]
    # The same search with very few results and with many: the query count must not change.
    # Few: the area where the fewest clinics charge the lowest price there is for the treatment.
    cheapest = Offer.objects.filter(treatment=treatment).aggregate(p=Min("price_pence"))["p"]
    rare = (
        Offer.objects.filter(
            treatment=treatment, price_pence=cheapest, clinic__in=listed.values("pk")
        )
        .values_list("clinic__area__slug")
        .annotate(n=Count("clinic", distinct=True))
        .order_by("n", "clinic__area__slug")
        .first()[0]
    )
    few_many = [
        f"/search/?treatment={t}&area={rare}&max_price={math.ceil(cheapest / 100)}",
        f"/search/?treatment={t}&area={borough.slug}&max_price=1000",
    ]
    from django.db import connections

    connections.close_all()
    return pages, few_many


# --- The server ------------------------------------------------------------------------------


class Server:
    def __init__(self, args, env):
        self.args, self.env = args, env
        self.host, self.port = "127.0.0.1", args.port
        self.process = None
        self.log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
        self.access_log = Path(tempfile.mkstemp(prefix="bench-access-", suffix=".log")[1])

    def start(self):
        step(
            f"gunicorn: {self.args.workers} {self.args.worker_class} workers on "
            f"{self.host}:{self.port}"
        )
        command = [
            str(Path(PYTHON).with_name("gunicorn")),
            "directory.wsgi",
            f"--config={ROOT / 'ops' / 'gunicorn.conf.py'}",
            f"--bind={self.host}:{self.port}",
            f"--workers={self.args.workers}",
            f"--worker-class={self.args.worker_class}",
            f"--threads={self.args.worker_threads}",
            "--timeout=120",
            "--backlog=64",
            # As ops/serve does in production: one line per request.
            f"--access-logfile={self.access_log}",
            # Its default path is shared by every gunicorn on the machine.
            "--no-control-socket",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start; its log:\n{self.log.read_text()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.access_log.unlink(missing_ok=True)
        print(f"gunicorn's log: {self.log}")

    def wait_until_idle(self, quick_ms=50, timeout=120):
        """Wait for the requests wrk left in flight (the backlog of the last page) to finish:
        until the health check answers quickly twice in a row."""
        deadline, quick = time.monotonic() + timeout, 0
        while quick < 2 and time.monotonic() < deadline:
            started = time.perf_counter()
            self.get("/healthz")
            quick = quick + 1 if (time.perf_counter() - started) * 1000 < quick_ms else 0

    def url(self, path):
        return f"http://{self.host}:{self.port}{path}"

    def get(self, path, headers=None):
        """(status, headers, body, header bytes) of one GET on a new connection."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            body = response.read()
            # The status line, the header lines and the blank line after them.
            head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n\r\n") + sum(
                len(f"{k}: {v}\r\n") for k, v in response.getheaders()
            )
            return response.status, dict(response.getheaders()), body, head
        finally:
            connection.close()

    def worker_memory(self):
        """{pid: (peak RSS, RSS) in MiB} of the gunicorn workers (VmHWM, VmRSS)."""
        workers = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                status = (stat.parent / "status").read_text()
                values = dict(re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", status, re.M))
                workers[int(stat.parent.name)] = (
                    int(values["VmHWM"]) / 1024,
                    int(values["VmRSS"]) / 1024,
                )
        return workers


def probe(server, path):
    """One request that asks for its SQL query count: (status, queries, milliseconds, the
    number of results a search page says it found)."""
    started = time.perf_counter()
    status, headers, body, _ = server.get(path, {"X-Bench-Count-Queries": "1"})
    elapsed = (time.perf_counter() - started) * 1000
    queries = headers.get("X-Bench-Queries")
    found = re.search(rb"<strong data-result-count>(\d+)</strong> (?:clinic|practitioner)", body)
    return (
        status,
        int(queries) if queries is not None else None,
        elapsed,
        int(found.group(1)) if found else None,
    )


def probes(server, path):
    """Probes of one page: just after a clinic's edit (the page first brings its worker's
    listings index up to date, reloading that clinic), then with the index up to date. Each
    is (status, queries, ms, results). Which worker answers is gunicorn's choice: of three
    more probes, the one with the fewest queries is a worker already up to date."""
    server.wait_until_idle()
    server.get("/bench/listing-changed/")
    changed = probe(server, path)
    later = [probe(server, path) for _ in range(3)]
    return changed, min(later, key=lambda p: (p[1] is None, p[1] or 0))


def wrk(server, path, seconds, args, connections=None, threads=None):
    command = [
        "wrk",
        f"--connections={connections or args.connections}",
        f"--threads={threads or args.threads}",
        f"--duration={seconds}s",
        "--timeout=60s",
        # As a browser asks: the site compresses what it sends (GZipMiddleware, WhiteNoise).
        f"--header=Accept-Encoding: {BROWSER_ENCODINGS}",
        f"--script={LATENCY_SCRIPT}",
        server.url(path),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH-RESULT "))
    return json.loads(line.removeprefix("BENCH-RESULT "))


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_by_process(server, database):
    """{pid: (CPU seconds, whether it is the benchmark's own)} of every process. Ours: this
    script and its children (wrk), gunicorn's processes, and the PostgreSQL backends serving
    the benchmark's database with their parallel workers."""
    processes = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        pid, parent = int(proc.name), int(stat[1])
        processes[pid] = (parent, cmdline, (int(stat[11]) + int(stat[12])) / CLOCK_TICKS)
    ours = {os.getpid(), server.process.pid}
    ours |= {pid for pid, (parent, _, _) in processes.items() if parent in ours}
    ours |= {
        pid
        for pid, (_, cmdline, _) in processes.items()
        if cmdline.startswith("postgres:") and f" {database} " in cmdline
    }
    for pid, (_, cmdline, _) in processes.items():
        leader = re.search(r"parallel worker for PID (\d+)", cmdline)
        if leader and int(leader.group(1)) in ours:
            ours.add(pid)
    return {pid: (seconds, pid in ours) for pid, (_, _, seconds) in processes.items()}


class OtherLoad:
    """How much CPU other work on the machine took during a run, in percent of one core.
    The machine may be shared, and a busy neighbour makes every figure pessimistic. Counts
    the processes that are not the benchmark's; one that starts and ends within the run is
    missed, so this is a lower bound."""

    def __init__(self, server, database):
        self.server, self.database = server, database

    def __enter__(self):
        self.started = time.monotonic()
        self.before = cpu_by_process(self.server, self.database)
        return self

    def __exit__(self, *exc):
        elapsed = time.monotonic() - self.started
        other = sum(
            seconds - self.before.get(pid, (0.0, False))[0]
            for pid, (seconds, ours) in cpu_by_process(self.server, self.database).items()
            if not ours and not self.before.get(pid, (0.0, False))[1]
        )
        self.percent = max(other, 0.0) / elapsed * 100


def measure(page, server, args):
    print(f"{page.name:32} {page.path}", flush=True)
    changed, current = probes(server, page.path)
    if args.warmup:
        wrk(server, page.path, args.warmup, args)
    database = psycopg_database_name(args.database_url)
    with OtherLoad(server, database) as other:
        run = wrk(server, page.path, args.duration, args)
    page.result = {
        "other_cpu": other.percent,
        "status": current[0],
        "changed_queries": changed[1],
        "queries": current[1],
        "changed_ms": changed[2],
        **rates(run),
    }


def rates(run):
    seconds = run["duration_us"] / 1e6
    return {
        "rps": run["requests"] / seconds,
        "p50_ms": run["p50_us"] / 1000,
        "p95_ms": run["p95_us"] / 1000,
        "p99_ms": run["p99_us"] / 1000,
        "max_ms": run["max_us"] / 1000,
        "requests": run["requests"],
        "errors": sum(v for k, v in run.items() if k.startswith("errors_")),
        "bytes_per_response": run["bytes"] / max(run["requests"], 1),
    }


# --- Cold: many different addresses, each once ------------------------------------------------


def measure_cold(server, addresses, seed, args):
    """The reference with `clients` wrk connections for a while, the mix of addresses each
    asked once by as many clients, and the reference again."""
    step(f"Cold: {len(addresses)} different addresses, each once, {args.clients} clients")
    database = psycopg_database_name(args.database_url)
    clients = {"connections": args.clients, "threads": args.clients}
    server.wait_until_idle()
    wrk(server, "/bench/reference/", args.warmup or 1, args, **clients)
    reference = rates(wrk(server, "/bench/reference/", args.duration, args, **clients))
    server.wait_until_idle()
    with OtherLoad(server, database) as other:
        mix = ask_each_once(server, addresses, args.clients)
    server.wait_until_idle()
    again = rates(wrk(server, "/bench/reference/", args.duration, args, **clients))
    return {
        "seed": seed,
        "addresses": addresses,
        "clients": args.clients,
        "reference": reference,
        "reference_again": again,
        "mix": {**mix, "other_cpu": other.percent},
    }


def ask_each_once(server, addresses, clients):
    """Each address asked once, by `clients` threads at once, each taking the next address
    not yet asked, with a new connection each time as wrk makes (gunicorn's sync workers
    close them). Python rather than wrk, which cannot stop when a list is done: its client
    work takes a little of the CPU the server shares, so these figures err on the slow
    side."""
    pending = iter(addresses)
    lock = threading.Lock()
    latencies, errors, sizes = [], [], []

    def client():
        while True:
            with lock:
                path = next(pending, None)
            if path is None:
                return
            started = time.perf_counter()
            try:
                status, _, body, _ = server.get(path, {"Accept-Encoding": BROWSER_ENCODINGS})
            except OSError as exc:
                status, body = type(exc).__name__, b""
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                sizes.append(len(body))
                if status != 200:
                    errors.append((status, path))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)

    def percentile(share):
        return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)] * 1000

    return {
        "rps": len(latencies) / seconds,
        "p50_ms": percentile(0.50),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
        "max_ms": ordered[-1] * 1000,
        "requests": len(latencies),
        "errors": len(errors),
        "failed": errors[:10],
        "bytes_per_response": sum(sizes) / max(len(sizes), 1),
    }


def report_cold(cold, args):
    """Print the cold mix's figures; return how many of its targets were missed."""
    reference = (cold["reference"]["rps"] + cold["reference_again"]["rps"]) / 2
    mix = cold["mix"]
    ratio = mix["rps"] / reference
    misses = []
    if len(cold["addresses"]) < COLD_ADDRESSES:
        misses.append(f"only {len(cold['addresses'])} addresses < {COLD_ADDRESSES}")
    if mix["errors"] or mix["requests"] < len(cold["addresses"]):
        misses.append(f"{mix['requests']} answered, {mix['errors']} errors")
    if mix["p95_ms"] >= COLD_P95_MS:
        misses.append(f"p95 {mix['p95_ms']:.0f} ms >= {COLD_P95_MS}")
    if ratio < COLD_MIN_RATIO:
        misses.append(f"x{ratio:.3f} < {COLD_MIN_RATIO}")
    step(
        f"Results, cold: {len(cold['addresses'])} different addresses each asked once "
        f"(seed {cold['seed']}), {cold['clients']} clients, {args.workers} gunicorn "
        f"{args.worker_class} workers"
    )
    header = (
        f"| {'':20} | {'req/s':>7} | {'x ref':>6} | {'p50 ms':>6} | {'p95 ms':>6} | "
        f"{'max ms':>6} | {'answered':>8} | {'other CPU':>9} | {'target':24} | result |"
    )
    print(header)
    print("|" + "|".join("-" * len(cell) for cell in header.split("|")[1:-1]) + "|")
    rows = [
        ("reference", cold["reference"], ""),
        ("the search mix", mix, "pass" if not misses else "MISS: " + "; ".join(misses)),
        ("reference, again", cold["reference_again"], ""),
    ]
    for name, r, result in rows:
        target = f">=x{COLD_MIN_RATIO}, p95<{COLD_P95_MS}" if name == "the search mix" else ""
        print(
            f"| {name:20} | {r['rps']:7.1f} | {r['rps'] / reference:6.3f} | {r['p50_ms']:6.1f} | "
            f"{r['p95_ms']:6.1f} | {r['max_ms']:6.1f} | {r['requests']:8} | "
            f"{r.get('other_cpu', 0):8.0f}% | {target:24} | {result} |"
        )
    drift = abs(cold["reference"]["rps"] - cold["reference_again"]["rps"]) / reference * 100
    for status, path in mix.get("failed", []):
        print(f"  not answered with 200: {status} {path}")
    print(
        f"\nx ref: over the reference's average ({reference:.0f} req/s, {cold['clients']} "
        f"clients); the two reference runs differ by {drift:.0f}%. Addresses: bench/run "
        f"--seed {cold['seed']} draws the same ones again. The first ten:"
    )
    for address in cold["addresses"][:10]:
        print(f"  {address}")
    return int(bool(misses))


# --- Page weight -----------------------------------------------------------------------------


class _Assets(html.parser.HTMLParser):
    """What a browser fetches for a page: stylesheets, icons, preloads, scripts, images."""

    FETCHED_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and self.FETCHED_LINKS & set((attrs.get("rel") or "").lower().split()):
            self.found.append(("script" if attrs.get("as") == "script" else "link", attrs["href"]))
        elif tag == "script" and attrs.get("src"):
            self.found.append(("script", attrs["src"]))
        elif tag in ("img", "source", "iframe") and attrs.get("src"):
            self.found.append(("image", attrs["src"]))


def page_weight(server, page):
    """A search page as a browser with an empty cache loads it: the HTML and everything it
    references (and anything their CSS references), compressed as a browser would accept.
    Counts bytes on the wire: bodies as sent, with their headers."""
    accept = {"Accept-Encoding": BROWSER_ENCODINGS}
    total = {"page": page.path, "requests": 0, "bytes": 0, "js_bytes": 0, "files": []}

    def fetch(kind, path):
        status, headers, body, head = server.get(path, accept)
        total["requests"] += 1
        total["bytes"] += len(body) + head
        if kind == "script" or headers.get("Content-Type", "").startswith(
            ("application/javascript", "text/javascript")
        ):
            total["js_bytes"] += len(body)
        total["files"].append((path, status, len(body), headers.get("Content-Encoding", "-")))
        return body

    fetch("html", page.path)
    # What the page references, read from an uncompressed copy.
    parser = _Assets()
    parser.feed(server.get(page.path)[2].decode("utf-8", "replace"))
    seen = set()
    for kind, href in parser.found:
        path = urllib.parse.urljoin(page.path, href)
        if href.startswith("data:") or path in seen or urllib.parse.urlsplit(href).netloc:
            continue
        seen.add(path)
        fetch(kind, path)
        if path.split("?")[0].endswith(".css"):
            _, _, plain, _ = server.get(path)
            for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", plain.decode("utf-8", "replace")):
                ref_path = urllib.parse.urljoin(path, ref.strip())
                if not ref.startswith("data:") and ref_path not in seen:
                    seen.add(ref_path)
                    fetch("image", ref_path)
    return total


# --- The report ------------------------------------------------------------------------------


def verdict(page):
    r = page.result
    misses = []
    if r["status"] != 200 or r["errors"] or not r["requests"]:
        misses.append(f"HTTP {r['status']}, {r['requests']} answered, {r['errors']} errors")
    if page.kind != "reference" and (r["queries"] or 0) > MAX_QUERIES:
        misses.append(f"{r['queries']} queries > {MAX_QUERIES}")
    if page.kind == "search" and r["p95_ms"] >= SEARCH_P95_MS:
        misses.append(f"p95 {r['p95_ms']:.0f} ms >= {SEARCH_P95_MS}")
    return misses


def target_text(kind):
    if kind == "reference":
        return ""
    return f"p95<{SEARCH_P95_MS}, <={MAX_QUERIES} q" if kind == "search" else f"<={MAX_QUERIES} q"


def report(pages, weight, counts, memory, args):
    """Print the warm results; return how many targets were missed."""
    references = [p.result["rps"] for p in pages if p.kind == "reference"]
    reference = sum(references) / len(references)
    step(
        f"Results, warm: each page asked again and again, {args.connections} connections, "
        f"{args.duration} s a page, {args.workers} gunicorn {args.worker_class} workers"
    )
    header = (
        f"| {'page':30} | {'req/s':>7} | {'x ref':>5} | {'p50 ms':>6} | {'p95 ms':>6} | "
        f"{'p99 ms':>6} | {'SQL edit/then':>13} | {'edit ms':>7} | {'other CPU':>9} | "
        f"{'target':34} | result |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    missed = 0
    for page in pages:
        r = page.result
        r["ratio"] = r["rps"] / reference
        misses = verdict(page)
        missed += bool(misses)
        result = "" if page.kind == "reference" else ("pass" if not misses else "MISS: ")
        print(
            f"| {page.name:30} | {r['rps']:7.1f} | {r['ratio']:5.2f} | {r['p50_ms']:6.1f} | "
            f"{r['p95_ms']:6.1f} | {r['p99_ms']:6.1f} | "
            f"{r['changed_queries']!s:>6} /{r['queries']!s:<5} | {r['changed_ms']:7.0f} | "
            f"{r['other_cpu']:8.0f}% | {target_text(page.kind):34} | {result}{'; '.join(misses)} |"
        )
    busiest = max(p.result["other_cpu"] for p in pages)
    print(
        "\nSQL edit/then: the page's queries just after a clinic's edit (its worker reloads that "
        "clinic into its listings index first), then with the index up to date. edit ms: that "
        "first request's time, alone on the server. other CPU: what other work on the "
        f"machine took during each run, in % of one core (of {os.cpu_count() * 100}%)."
    )
    if busiest > 20:
        print(
            f"WARNING: other work took up to {busiest:.0f}% of a core during a run: the figures "
            "of those pages are pessimistic. Run again on a quiet machine."
        )
    print("\nPages and the paths measured:")
    for page in pages:
        print(f"  {page.name:32} {page.path}")

    print("\nSQL queries of the same search with few results and with many (must be equal):")
    numbers = set()
    for path, (status, changed, _, found), (_, current, _, _) in counts:
        numbers.add((changed, current))
        print(
            f"  {found} results: {changed} queries after a clinic's edit, {current} then "
            f"(HTTP {status})  {path}"
        )
    print(f"  -> {'the same' if len(numbers) == 1 else 'DIFFERENT: MISS'}")
    other_missed = int(len(numbers) > 1)

    if weight:
        other_missed += print_weight(weight)

    if len(references) > 1:
        drift = abs(references[0] - references[-1]) / reference * 100
        print(
            f"\nx ref: throughput over the reference's average ({reference:.0f} req/s); the two "
            f"reference runs differ by {drift:.0f}%."
        )
    pages_measured = len([p for p in pages if p.kind != "reference"])
    print(
        f"\nPages missing a target: {missed} of {pages_measured}; other targets missed (query "
        f"counts, page weight): {other_missed}"
    )
    return missed + other_missed


def print_machine(memory, args):
    print("\nWorkers' memory (MiB):")
    for pid, (peak, now) in sorted(memory.items()):
        print(f"  worker {pid}: peak {peak:.0f}, now {now:.0f}")
    if memory:
        print(f"  peak of any worker: {max(peak for peak, _ in memory.values()):.0f} MiB")
    print(f"\nRun: {datetime.datetime.now():%Y-%m-%d %H:%M}, `{command_line()}`")
    print(
        f"Machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
        f"{postgres_version(args.database_url)}, {wrk_version()}, commit {git_commit()}"
    )


def print_weight(weight):
    print(f"\nSearch page weight, empty browser cache ({weight['page']}):")
    for path, status, size, encoding in weight["files"]:
        print(f"  {size / 1024:7.1f} KiB  {encoding:5} {status}  {path}")
    checks = [
        ("transferred", weight["bytes"] / 1024, MAX_PAGE_BYTES / 1024, "KiB"),
        ("JavaScript", weight["js_bytes"] / 1024, MAX_JS_BYTES / 1024, "KiB"),
        ("requests", weight["requests"], MAX_REQUESTS, ""),
    ]
    for label, value, limit, unit in checks:
        print(
            f"  {label:12} {value:7.1f} {unit:3} (target <= {limit:g} {unit}) "
            f"{'pass' if value <= limit else 'MISS'}"
        )
    return sum(value > limit for _, value, limit, _ in checks)


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def postgres_version(url):
    import psycopg

    with psycopg.connect(url) as db:
        return "PostgreSQL " + db.execute("SHOW server_version").fetchone()[0].split()[0]


def wrk_version():
    output = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return output.split(" Copyright")[0].strip() or "wrk"


def git_commit():
    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" with uncommitted changes" if git("status", "--porcelain") else "")


# --- --sql: each page's queries, in process --------------------------------------------------


def show_sql(pages, args):
    """Each page twice through Django's test client (just after a clinic's edit, then with
    the listings index up to date), with every SQL query it ran and how long it took;
    EXPLAIN ANALYZE for the slow ones."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from clinics.index import listings_index, record_change
    from clinics.models import Clinic

    warnings.filterwarnings("ignore", message="No directory at")
    client = Client(HTTP_HOST="127.0.0.1")
    listings_index()
    edited = Clinic.objects.published().order_by("pk").values_list("pk", flat=True)[0]
    for page in pages:
        for label in ("after a clinic's edit", "index up to date"):
            if label == "after a clinic's edit":
                record_change([edited])
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(page.path)
                elapsed = (time.perf_counter() - started) * 1000
            queries = captured.captured_queries
            sql_ms = sum(float(q["time"]) for q in queries) * 1000
            step(
                f"{page.name} ({label}): {page.path} -> HTTP {response.status_code}, "
                f"{len(queries)} queries, {sql_ms:.0f} ms SQL of {elapsed:.0f} ms"
            )
            for number, query in enumerate(queries, 1):
                ms = float(query["time"]) * 1000
                print(f"  {number:2}. {ms:7.1f} ms  {query['sql'][:300]}")
                if ms > args.explain_over_ms and query["sql"].startswith("SELECT"):
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                        plan = "\n".join(row[0] for row in cursor.fetchall())
                    print("      " + plan.replace("\n", "\n      "))


if __name__ == "__main__":
    sys.exit(main())
