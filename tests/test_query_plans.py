"""The search's query plans at a size where the planner cares (PostgreSQL only).

The search itself runs in memory (clinics/index.py). What reaches PostgreSQL on a search is
the listings version, the page's cards and, after a clinic's edit, the catch-up that reloads
that clinic into the index: those run on the request path, so each must find its few rows
through an index. For each shape of search, after one clinic changed, every SELECT the search
page runs is explained with EXPLAIN (ANALYZE, FORMAT JSON), and the test fails when the
clinics, offers or practitioners tables (or their link tables) are read by a sequential scan
that the query then mostly throws away: a scan whose rows are narrowed to under a tenth of
the table before the query uses them (a join with a few rows, a filter on a joined table, a
nested loop around it). That is exactly the case an index serves.

The data set is the national one the benchmark serves, made by the same command
(`seed_demo --scale national`: 10,000 clinics over London's boroughs and neighbourhoods,
60,000 practitioners with their treatments, languages and insurers), loaded once for the
module and rolled back afterwards. The tables are ANALYZEd, as autovacuum would.
"""

import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clinics.index import record_change
from clinics.models import Area, Clinic, Insurer
from directory.management.commands.seed_demo import SCALES
from treatments.models import Treatment

CLINICS, PRACTITIONERS = SCALES["national"]
# Tables whose sequential scans this test looks at: the big ones, growing with the listings.
WATCHED = {
    "clinics_clinic",
    "clinics_offer",
    "clinics_practitioner",
    "clinics_practitioner_clinics",
    "clinics_practitioner_treatments",
    "clinics_practitioner_languages",
    "clinics_insurerrecognition",
}
# A sequential scan is fine when the query goes on to use at least this share of what it read.
MOSTLY_NEEDED = 0.1
# Plan nodes that end a row stream: above them, row counts no longer say how much of a
# scanned table the query used.
STREAM_ENDS = {"Aggregate", "Sort", "Incremental Sort", "Limit", "Unique", "SetOp", "WindowAgg"}

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql_only]


@pytest.fixture(scope="module")
def national(django_db_setup, django_db_blocker):
    """The national data set, inside a transaction rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", scale="national", stdout=io.StringIO())
        with connection.cursor() as cursor:
            # Statistics on rows this transaction inserted: ANALYZE counts them as live.
            for table in sorted(WATCHED | {"clinics_area", "clinics_openinghours"}):
                cursor.execute(f"ANALYZE {table}")
            sizes = {}
            for table in WATCHED:
                cursor.execute(f"SELECT count(*) FROM {table}")
                sizes[table] = cursor.fetchone()[0]
        yield SimpleNamespace(
            sizes=sizes,
            borough=Area.objects.get(slug="lambeth"),
            treatment=Treatment.objects.get(slug="dry-needling"),
            insurer=Insurer.objects.get(slug="bupa"),
        )
        transaction.set_rollback(True)


# --- Reading plans ---------------------------------------------------------------------------


def explain(sql, params):
    # Statements the ORM runs through a server-side cursor explain like the query inside.
    if sql.startswith("DECLARE "):
        sql = sql[sql.index(" FOR ") + len(" FOR ") :]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def wasteful_scans(plan, sizes):
    """The sequential scans of watched tables in a plan that read far more than the query
    used: [(table, rows read, rows used, loops)]."""
    found = []

    def walk(node, chain):
        chain = [*chain, node]
        table = node.get("Relation Name")
        if node["Node Type"] == "Seq Scan" and table in WATCHED:
            loops = node["Actual Loops"]
            read = sizes[table] * loops
            used = read
            # Up through joins and hashes to the end of the row stream (or of the subplan):
            # the fewest rows on the way is how much of the scan the query used.
            for step in reversed(chain):
                if step["Node Type"] in STREAM_ENDS:
                    break
                used = min(used, step["Actual Rows"] * step["Actual Loops"])
                if step.get("Parent Relationship") in ("SubPlan", "InitPlan"):
                    break
            if loops > 1 or used < MOSTLY_NEEDED * read:
                found.append((table, read, used, loops))
        for child in node.get("Plans", []):
            walk(child, chain)

    walk(plan, [])
    return found


def search_plans(client, sizes, params):
    """Every watched-table SELECT the search page runs for `params` just after a clinic's
    edit, with its wasteful sequential scans."""
    client.get("/search/", params)  # the index built whole: reading everything is its job
    record_change([Clinic.objects.filter(is_published=True).order_by("pk")[0].pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/search/", params)
    assert response.status_code == 200
    assert not response.context["filter"].form.errors
    assert response.context["page"].paginator.count, "the shape should find clinics"
    problems = []
    statements = [q["sql"] for q in captured.captured_queries]
    assert statements, "the search ran no SQL"
    for number, sql in enumerate(statements, 1):
        if not sql.lstrip().startswith(("SELECT", "DECLARE")):
            continue
        if not any(f'"{table}"' in sql for table in WATCHED):
            continue
        # The captured SQL has its parameters inlined (quoted by the database driver).
        for table, read, used, loops in wasteful_scans(explain(sql, None), sizes):
            problems.append(
                f"query {number}: Seq Scan on {table} read {read:,} rows"
                f"{f' ({loops} loops)' if loops > 1 else ''}, the query used {used:,}:\n"
                f"    {sql[:400]}"
            )
    return problems


def assert_no_wasteful_scans(client, national, params):
    problems = search_plans(client, national.sizes, params)
    assert not problems, "\n".join(problems)


# --- The shapes of search ----------------------------------------------------------------


def test_the_data_set_is_big_enough_for_the_planner(national):
    # At this size a sequential scan of clinics costs hundreds of pages: the planner uses an
    # index wherever one would read less.
    assert national.sizes["clinics_clinic"] == CLINICS
    assert national.sizes["clinics_practitioner"] == PRACTITIONERS
    assert national.sizes["clinics_offer"] > 4 * CLINICS
    assert national.sizes["clinics_insurerrecognition"] > 2 * PRACTITIONERS


def test_treatment_in_an_area(client, national):
    assert_no_wasteful_scans(
        client, national, {"treatment": national.treatment.slug, "area": national.borough.slug}
    )


def test_postcode_sorted_by_distance(client, national):
    assert_no_wasteful_scans(client, national, {"postcode": "SW4", "sort": "distance"})


def test_insurer_with_a_maximum_price(client, national):
    assert_no_wasteful_scans(
        client, national, {"insurer": national.insurer.slug, "max_price": "80"}
    )


def test_free_text_with_a_typo(client, national):
    assert_no_wasteful_scans(client, national, {"q": "dry neddling"})


def test_a_deep_page(client, national):
    assert_no_wasteful_scans(client, national, {"page": "20"})


def test_a_wasteful_scan_is_recognised(national):
    """The check itself: a filter keeping one clinic of the ten thousand, on a column without
    an index (each clinic's email address is its own), is reported; a full count is not."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM clinics_clinic ORDER BY id LIMIT 1")
        first = cursor.fetchone()[0]
    narrow = explain(f"SELECT id FROM clinics_clinic WHERE email = '{first}'", None)
    assert [scan[0] for scan in wasteful_scans(narrow, national.sizes)] == ["clinics_clinic"]
    everything = explain("SELECT count(*) FROM clinics_clinic WHERE is_published", None)
    assert wasteful_scans(everything, national.sizes) == []
