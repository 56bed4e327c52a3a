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

The data set (built once for the module, rolled back afterwards) keeps the national data's
proportions at about a third of its size: clinics spread over 48 areas, six offers, six
practitioners and their insurers per clinic. The tables are ANALYZEd, as autovacuum would.
"""

import datetime
import json
import random
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinics.index import record_change
from clinics.models import (
    Area,
    Clinic,
    Insurer,
    InsurerRecognition,
    Language,
    Offer,
    OpeningHours,
    OutwardCode,
    Practitioner,
    PriceBand,
)
from treatments.models import Condition, Treatment, TreatmentCondition

CLINICS = 3_000
PRACTITIONERS = 18_000
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
    """A third of the national data set, inside a transaction rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        data = build_listings(random.Random(20261125))
        with connection.cursor() as cursor:
            # Statistics on rows this transaction inserted: ANALYZE counts them as live.
            for table in sorted(WATCHED | {"clinics_area", "clinics_openinghours"}):
                cursor.execute(f"ANALYZE {table}")
            sizes = {}
            for table in WATCHED:
                cursor.execute(f"SELECT count(*) FROM {table}")
                sizes[table] = cursor.fetchone()[0]
        data.sizes = sizes
        yield data
        transaction.set_rollback(True)


def build_listings(rng):
    today = timezone.localdate()
    regions = Area.objects.bulk_create(
        Area(name=f"Region {r}", slug=f"region-{r}", kind="region", latitude=51.5, longitude=-0.1)
        for r in range(3)
    )
    boroughs = Area.objects.bulk_create(
        Area(
            name=f"Borough {b}",
            slug=f"borough-{b}",
            kind="borough",
            parent=regions[b % 3],
            latitude=51.40 + 0.02 * b,
            longitude=-0.30 + 0.04 * b,
        )
        for b in range(12)
    )
    neighbourhoods = Area.objects.bulk_create(
        Area(
            name=f"Neighbourhood {n}",
            slug=f"neighbourhood-{n}",
            kind="neighbourhood",
            parent=boroughs[n % 12],
            latitude=51.40 + 0.005 * n,
            longitude=-0.30 + 0.01 * n,
        )
        for n in range(36)
    )
    areas = boroughs + neighbourhoods
    OutwardCode.objects.create(code="SW4", area=boroughs[0], latitude=51.4622, longitude=-0.1381)
    names = [
        "Dry needling",
        "Acupuncture",
        "Sports massage",
        "Manual therapy",
        "Shockwave therapy",
        "Hydrotherapy",
    ]
    treatments = Treatment.objects.bulk_create(
        Treatment(name=name, slug=name.lower().replace(" ", "-"), summary=name) for name in names
    )
    conditions = Condition.objects.bulk_create(
        Condition(name=name, slug=name.lower().replace(" ", "-"), summary=name)
        for name in ["Neck pain", "Back pain", "Tennis elbow", "Plantar fasciitis"]
    )
    TreatmentCondition.objects.bulk_create(
        TreatmentCondition(treatment=t, condition=c)
        for i, t in enumerate(treatments)
        for c in conditions[i % 2 :: 2]
    )
    insurers = Insurer.objects.bulk_create(
        Insurer(name=name, slug=name.lower().replace(" ", "-"))
        for name in ["Bupa", "AXA Health", "Vitality", "Aviva", "WPA", "Cigna", "Simplyhealth"]
    )
    languages = Language.objects.bulk_create(
        Language(name=f"Language {i}", code=f"l{i}") for i in range(12)
    )
    PriceBand.objects.bulk_create(
        PriceBand(label=label, slug=f"band-{i}", min_pence=low, max_pence=high, order=i)
        for i, (label, low, high) in enumerate(
            [("Under £60", None, 6000), ("£60-£80", 6000, 8000), ("£80 and up", 8000, None)]
        )
    )

    clinics = Clinic.objects.bulk_create(
        (
            Clinic(
                name=f"{rng.choice(['Alder', 'Birch', 'Cedar', 'Elm', 'Hazel'])} Physio {n}",
                slug=f"clinic-{n}",
                description=words(rng, 30),
                address_line1=f"{n} High Street",
                postcode="SW4 7AA",
                outward_code="SW4",
                area=areas[n % len(areas)],
                # Across Greater London, so a postcode's three miles hold a few per cent.
                latitude=rng.uniform(51.33, 51.66),
                longitude=rng.uniform(-0.48, 0.26),
                step_free_access=rng.random() < 0.5,
                home_visits=rng.random() < 0.2,
                video_consultations=rng.random() < 0.3,
                is_published=rng.random() < 0.97,
                details_confirmed_on=today - datetime.timedelta(days=rng.randrange(0, 610)),
            )
            for n in range(CLINICS)
        ),
        batch_size=1000,
    )
    offers, hours = [], []
    for clinic in clinics:
        # Dry needling at most clinics, as in the national data; two or three others.
        offered = [treatments[0]] * (rng.random() < 0.6) + rng.sample(treatments[1:], 2)
        for treatment in offered:
            for session_type in ("initial", "follow_up"):
                offers.append(
                    Offer(
                        clinic=clinic,
                        treatment=treatment,
                        session_type=session_type,
                        price_pence=rng.randrange(4000, 12000, 500),
                        duration_minutes=45,
                    )
                )
        for weekday in range(rng.choice([5, 6, 7])):
            closes = datetime.time(rng.choice([17, 19, 20]))
            hours.append(
                OpeningHours(clinic=clinic, weekday=weekday, opens=datetime.time(9), closes=closes)
            )
    Offer.objects.bulk_create(offers, batch_size=5000)
    OpeningHours.objects.bulk_create(hours, batch_size=5000)

    first_names = ["Ada", "Bartosz", "Chioma", "Dev", "Elena", "Farid", "Grace", "Hiro"]
    people = Practitioner.objects.bulk_create(
        (
            Practitioner(
                first_name=rng.choice(first_names),
                last_name=f"Surname{n}",
                slug=f"practitioner-{n}",
                hcpc_number=f"PH{n:06d}",
                gender=rng.choice(["female", "male", "non_binary"]),
                bio=words(rng, 20),
                is_published=rng.random() < 0.98,
            )
            for n in range(PRACTITIONERS)
        ),
        batch_size=5000,
    )
    works_at, treats, speaks, recognised = [], [], [], []
    for n, person in enumerate(people):
        for clinic in {clinics[n % CLINICS], *rng.sample(clinics, rng.random() < 0.15)}:
            works_at.append(Practitioner.clinics.through(practitioner=person, clinic=clinic))
        for treatment in rng.sample(treatments, 2):
            treats.append(Practitioner.treatments.through(practitioner=person, treatment=treatment))
        speaks.append(
            Practitioner.languages.through(practitioner=person, language=rng.choice(languages))
        )
        for insurer in rng.sample(insurers, rng.randrange(1, 6)):
            recognised.append(InsurerRecognition(practitioner=person, insurer=insurer))
    Practitioner.clinics.through.objects.bulk_create(works_at, batch_size=5000)
    Practitioner.treatments.through.objects.bulk_create(treats, batch_size=5000)
    Practitioner.languages.through.objects.bulk_create(speaks, batch_size=5000)
    InsurerRecognition.objects.bulk_create(recognised, batch_size=5000)
    return SimpleNamespace(borough=boroughs[0], treatment=treatments[0], insurer=insurers[0])


VOCABULARY = ["physiotherapy", "assessment", "treatment", "exercise", "injury", "pain"]


def words(rng, count):
    """Text as long as the national data's descriptions and biographies: rows as wide as
    theirs, so that tables span as many pages for their rows as at national scale."""
    return " ".join(rng.choice(VOCABULARY) for _ in range(count))


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
    """The check itself: a filter keeping one clinic in a thousand, on a column without an
    index, is reported; a full count is not."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM clinics_clinic")
        first = cursor.fetchone()[0]
    narrow = explain(
        f"SELECT id FROM clinics_clinic WHERE address_line1 = '{first} High Street'", None
    )
    assert [scan[0] for scan in wasteful_scans(narrow, national.sizes)] == ["clinics_clinic"]
    everything = explain("SELECT count(*) FROM clinics_clinic WHERE is_published", None)
    assert wasteful_scans(everything, national.sizes) == []
