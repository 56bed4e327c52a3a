import os
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection

from tests.factories import (
    make_borough,
    make_condition,
    make_insurer,
    make_language,
    make_neighbourhood,
    make_region,
    make_treatment,
)
from treatments.models import TreatmentCondition


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


@pytest.fixture
def london():
    """Two regions, four boroughs and eight neighbourhoods at their real centres,
    each an attribute named after the place (`london.canary_wharf`)."""
    south = make_region(name="South London", slug="south-london", latitude=51.45, longitude=-0.13)
    east = make_region(name="East London", slug="east-london", latitude=51.52, longitude=-0.03)
    boroughs = {
        name: make_borough(parent=region, name=name, slug=slug, latitude=lat, longitude=lng)
        for name, slug, region, lat, lng in [
            ("Lambeth", "lambeth", south, 51.46, -0.12),
            ("Wandsworth", "wandsworth", south, 51.45, -0.19),
            ("Southwark", "southwark", south, 51.47, -0.07),
            ("Tower Hamlets", "tower-hamlets", east, 51.515, -0.035),
        ]
    }
    places = {
        name: make_neighbourhood(
            parent=boroughs[borough], name=name, slug=slug, latitude=lat, longitude=lng
        )
        for name, slug, borough, lat, lng in [
            ("Clapham", "clapham", "Lambeth", 51.4622, -0.1381),
            ("Stockwell", "stockwell", "Lambeth", 51.4723, -0.1230),
            ("Brixton", "brixton", "Lambeth", 51.4613, -0.1156),
            ("Battersea", "battersea", "Wandsworth", 51.4700, -0.1700),
            ("Balham", "balham", "Wandsworth", 51.4400, -0.1525),
            ("Peckham", "peckham", "Southwark", 51.4740, -0.0690),
            ("Canary Wharf", "canary-wharf", "Tower Hamlets", 51.5054, -0.0235),
            ("Stratford", "stratford", "Tower Hamlets", 51.5430, -0.0030),
        ]
    }
    named = {name.lower().replace(" ", "_"): area for name, area in {**boroughs, **places}.items()}
    return SimpleNamespace(south=south, east=east, **named)


@pytest.fixture
def catalogue():
    """Three published treatments and one withdrawn (cupping); neck pain (helped by dry
    needling, then acupuncture, then cupping), back pain (acupuncture, massage), tennis elbow
    (nothing yet) and a withdrawn condition; three insurers and two languages."""
    dry_needling = make_treatment(name="Dry needling", slug="dry-needling")
    acupuncture = make_treatment(name="Acupuncture", slug="acupuncture")
    massage = make_treatment(name="Sports massage", slug="sports-massage")
    cupping = make_treatment(name="Cupping", slug="cupping", is_published=False)
    neck_pain = make_condition(
        name="Neck pain", slug="neck-pain", summary="Stiffness and pain in the neck."
    )
    back_pain = make_condition(name="Back pain", slug="back-pain")
    make_condition(name="Tennis elbow", slug="tennis-elbow")
    make_condition(name="Retired condition", slug="retired", is_published=False)
    for order, treatment in enumerate([dry_needling, acupuncture, cupping], start=1):
        TreatmentCondition.objects.create(
            treatment=treatment,
            condition=neck_pain,
            structures="trapezius, levator scapulae" if treatment == dry_needling else "",
            order=order,
        )
    TreatmentCondition.objects.create(treatment=acupuncture, condition=back_pain)
    TreatmentCondition.objects.create(treatment=massage, condition=back_pain)
    return SimpleNamespace(
        dry_needling=dry_needling,
        acupuncture=acupuncture,
        massage=massage,
        neck_pain=neck_pain,
        back_pain=back_pain,
        bupa=make_insurer(name="Bupa", slug="bupa"),
        axa=make_insurer(name="AXA Health", slug="axa-health"),
        vitality=make_insurer(name="Vitality", slug="vitality"),
        polish=make_language(name="Polish", code="pl"),
        spanish=make_language(name="Spanish", code="es"),
    )
