"""Facet counts: the number beside each choice is the number of results that choice gives.
Zero-result searches suggest what to drop and where to look; the page's query count does not
grow with the number of results."""

import re
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from clinics.index import listings_index
from clinics.models import Practitioner, PriceBand
from directory.filters import ClinicFilter
from tests.factories import (
    make_borough,
    make_insurer,
    make_language,
    make_listed_clinic,
    make_neighbourhood,
    make_practitioner,
    make_region,
    make_treatment,
)

pytestmark = pytest.mark.django_db

FEMALE, MALE, _ = Practitioner.Gender.values
MONDAY, SATURDAY, SUNDAY = 0, 5, 6
FLAGS = ["home_visits", "video", "step_free"]


def person(clinic, gender, treatments, insurers=(), languages=()):
    practitioner = make_practitioner(
        clinics=[clinic], gender=gender, treatments=treatments, insurers=insurers
    )
    practitioner.languages.set(languages)


@pytest.fixture
def world():
    """Six clinics in four neighbourhoods and a borough, with an empty neighbourhood, a
    treatment nobody offers and an insurer nobody takes, so that zeros are shown too."""
    south = make_region(name="South London", slug="south-london", latitude=51.45, longitude=-0.13)
    east = make_region(name="East London", slug="east-london", latitude=51.52, longitude=-0.03)
    lambeth = make_borough(
        parent=south, name="Lambeth", slug="lambeth", latitude=51.46, longitude=-0.12
    )
    wandsworth = make_borough(
        parent=south, name="Wandsworth", slug="wandsworth", latitude=51.45, longitude=-0.19
    )
    hamlets = make_borough(
        parent=east, name="Tower Hamlets", slug="tower-hamlets", latitude=51.515, longitude=-0.035
    )

    def neighbourhood(parent, name, latitude, longitude):
        slug = name.lower().replace(" ", "-")
        return make_neighbourhood(
            parent=parent, name=name, slug=slug, latitude=latitude, longitude=longitude
        )

    clapham = neighbourhood(lambeth, "Clapham", 51.4622, -0.1381)
    brixton = neighbourhood(lambeth, "Brixton", 51.4613, -0.1156)
    neighbourhood(lambeth, "Stockwell", 51.4723, -0.1230)
    battersea = neighbourhood(wandsworth, "Battersea", 51.47, -0.17)
    canary_wharf = neighbourhood(hamlets, "Canary Wharf", 51.5054, -0.0235)

    dn = make_treatment(name="Dry needling", slug="dry-needling")
    acupuncture = make_treatment(name="Acupuncture", slug="acupuncture")
    massage = make_treatment(name="Sports massage", slug="sports-massage")
    make_treatment(name="Hydrotherapy", slug="hydrotherapy")
    bupa = make_insurer(name="Bupa", slug="bupa")
    axa = make_insurer(name="AXA Health", slug="axa-health")
    make_insurer(name="Vitality", slug="vitality")
    polish, spanish = (
        make_language(name="Polish", code="pl"),
        make_language(name="Spanish", code="es"),
    )
    PriceBand.objects.create(label="Under £60", slug="under-60", max_pence=6000, order=1)
    PriceBand.objects.create(
        label="£60 to £80", slug="60-to-80", min_pence=6000, max_pence=8000, order=2
    )
    PriceBand.objects.create(label="£80 and over", slug="80-and-over", min_pence=8000, order=3)

    alpha = make_listed_clinic(
        "Alpha",
        clapham,
        offers=[(dn, 7000), (massage, 5000)],
        hours=[(SATURDAY, "09:00", "13:00")],
        step_free_access=True,
    )
    person(alpha, FEMALE, [dn, massage], [bupa], [polish])
    bravo = make_listed_clinic(
        "Bravo",
        clapham,
        offers=[(dn, 9000)],
        hours=[(MONDAY, "09:00", "19:00")],
        video_consultations=True,
    )
    person(bravo, MALE, [dn], [bupa, axa])
    charlie = make_listed_clinic(
        "Charlie",
        brixton,
        offers=[(acupuncture, 6000)],
        hours=[(SUNDAY, "10:00", "14:00")],
        home_visits=True,
        step_free_access=True,
    )
    person(charlie, FEMALE, [acupuncture], [axa], [spanish])
    delta = make_listed_clinic(
        "Delta",
        battersea,
        offers=[(dn, 8000), (acupuncture, 7500)],
        hours=[(MONDAY, "12:00", "20:00"), (SATURDAY, "09:00", "12:00")],
        step_free_access=True,
        video_consultations=True,
    )
    person(delta, FEMALE, [dn], [bupa])
    person(delta, MALE, [acupuncture], [axa])
    echo = make_listed_clinic("Echo", canary_wharf, offers=[(massage, 4500)], home_visits=True)
    person(echo, MALE, [massage])
    make_listed_clinic("Foxtrot", lambeth, offers=[(dn, 6500)])
    return SimpleNamespace(clapham=clapham)


def search(client, params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response


def count_in(label):
    return int(re.search(r"\((\d+)\)$", label)[1])


def shown_counts(response):
    """{(parameter, value): the count the form shows beside that choice}."""
    form = response.context["filter"].form
    counts = {}
    for name in ("treatment", "area", "insurer", "price_band", "open"):
        for value, label in form.fields[name].widget.choices:
            if value:
                counts[(name, str(value))] = count_in(label)
    for name in FLAGS:
        counts[(name, "on")] = count_in(form[name].label)
    return counts


def with_choice(params, name, value):
    """The search a patient gets by making this choice: single choices replace, ticks add.
    An insurer's count is that of the insurer alone."""
    chosen = dict(params)
    if name == "open":
        chosen["open"] = sorted({*params.get("open", []), value})
    elif name == "insurer":
        chosen["insurer"] = [value]
    else:
        chosen[name] = value
    return chosen


FACETS = {"treatment", "area", "insurer", "price_band", "open", *FLAGS}


def results_count(params):
    """The number of clinics the search finds for `params`, by the page's own filter (the
    page itself is checked by test_choosing_an_option_gives_the_count_shown_beside_it)."""
    data = QueryDict(urlencode(params, doseq=True))
    return ClinicFilter(data, index=listings_index()).qs.count()


def wrong_counts(client, params, facets=FACETS):
    """Every option of `facets` whose shown count differs from the results its choice gives."""
    response = search(client, params)
    assert not response.context["filter"].form.errors
    wrong = {}
    for (name, value), shown in shown_counts(response).items():
        if name in facets and shown != (actual := results_count(with_choice(params, name, value))):
            wrong[(name, value)] = f"shows {shown}, gives {actual}"
    return wrong


def normalised(response):
    return " ".join(response.content.decode().split())


# --- Exact counts -------------------------------------------------------------------------


# Every choice's count, for an open search and for dry needling: each is the number of
# results that choice would give in place of the current one.
EXACT_COUNTS = {
    "open search": (
        {},
        {
            ("treatment", "acupuncture"): 2,
            ("treatment", "dry-needling"): 4,
            ("treatment", "hydrotherapy"): 0,
            ("treatment", "sports-massage"): 2,
            ("area", "battersea"): 1,
            ("area", "brixton"): 1,
            ("area", "canary-wharf"): 1,
            ("area", "clapham"): 2,
            ("area", "east-london"): 1,
            ("area", "lambeth"): 4,
            ("area", "south-london"): 5,
            ("area", "stockwell"): 0,
            ("area", "tower-hamlets"): 1,
            ("area", "wandsworth"): 1,
            ("insurer", "axa-health"): 3,
            ("insurer", "bupa"): 3,
            ("insurer", "vitality"): 0,
            ("price_band", "under-60"): 2,
            ("price_band", "60-to-80"): 4,
            ("price_band", "80-and-over"): 2,
            ("open", "evening"): 2,
            ("open", "weekend"): 3,
            ("home_visits", "on"): 2,
            ("video", "on"): 2,
            ("step_free", "on"): 3,
        },
    ),
    "dry needling, its prices and its practitioners": (
        {"treatment": "dry-needling"},
        {
            # Every treatment as if chosen instead.
            ("treatment", "acupuncture"): 2,
            ("treatment", "dry-needling"): 4,
            ("treatment", "hydrotherapy"): 0,
            ("treatment", "sports-massage"): 2,
            ("area", "battersea"): 1,
            ("area", "brixton"): 0,
            ("area", "canary-wharf"): 0,
            ("area", "clapham"): 2,
            ("area", "east-london"): 0,
            ("area", "lambeth"): 3,
            ("area", "south-london"): 4,
            ("area", "stockwell"): 0,
            ("area", "tower-hamlets"): 0,
            ("area", "wandsworth"): 1,
            # Delta's AXA practitioner does acupuncture, not dry needling.
            ("insurer", "axa-health"): 1,
            ("insurer", "bupa"): 3,
            ("insurer", "vitality"): 0,
            # Alpha's massage at £50 is not a dry needling price.
            ("price_band", "under-60"): 0,
            ("price_band", "60-to-80"): 2,
            ("price_band", "80-and-over"): 2,
            ("open", "evening"): 2,
            ("open", "weekend"): 2,
            ("home_visits", "on"): 0,
            ("video", "on"): 2,
            ("step_free", "on"): 2,
        },
    ),
}


@pytest.mark.parametrize("params, expected", EXACT_COUNTS.values(), ids=EXACT_COUNTS)
def test_exact_counts(client, world, params, expected):
    assert shown_counts(search(client, params)) == expected


def test_counts_and_zeros_are_shown_beside_the_choices(client, world):
    page = normalised(search(client, {"treatment": "dry-needling"}))

    assert '<option value="dry-needling" selected>Dry needling (4)</option>' in page
    assert '<option value="hydrotherapy">Hydrotherapy (0)</option>' in page
    assert '<option value="stockwell">Stockwell (0)</option>' in page
    assert '<option value="80-and-over">£80 and over (2)</option>' in page
    for label in ["Bupa (3)", "Vitality (0)", "Weekends (2)", "Home visits (0)",
                  "Step-free entrance (2)"]:  # fmt: skip
        assert re.search(
            rf'<label class="form-check-label" for="id_[a-z_0-9]+">{re.escape(label)}</label>', page
        ), label


def test_a_ticked_feature_shows_the_current_total(client, world):
    counts = shown_counts(search(client, {"step_free": "on", "open": ["weekend"]}))

    # Alpha, Charlie and Delta are step-free and open at weekends.
    assert counts[("step_free", "on")] == 3
    assert counts[("open", "weekend")] == 3
    assert counts[("open", "evening")] == 1
    assert counts[("home_visits", "on")] == 1


# --- Each count is what its choice gives --------------------------------------------------


def wrong_counts_for_each(client, searches):
    """{(search, option): what is wrong} over several searches, each (params, facets)."""
    return {
        (urlencode(params, doseq=True), option): wrong
        for params, facets in searches
        for option, wrong in wrong_counts(client, params, facets).items()
    }


def test_every_count_shown_is_the_number_of_results_that_choice_gives(client, world):
    searches = [
        {},
        {"treatment": "dry-needling"},
        {"area": "lambeth", "open": ["weekend"]},
        {"area": "south-london", "step_free": "on"},
        {"treatment": "dry-needling", "video": "on", "open": ["evening"]},
        {"treatment": "acupuncture", "home_visits": "on", "area": "lambeth"},
        {"q": "needling"},
    ]
    assert wrong_counts_for_each(client, [(params, FACETS) for params in searches]) == {}


def test_choosing_an_option_gives_the_count_shown_beside_it(client, world):
    """A few counts checked against the page a patient reaches by choosing them."""
    params = {"area": "lambeth"}
    counts = shown_counts(search(client, params))
    for name, value in [
        ("treatment", "dry-needling"),
        ("area", "clapham"),
        ("insurer", "axa-health"),
        ("price_band", "under-60"),
        ("open", "weekend"),
        ("step_free", "on"),
    ]:
        chosen = search(client, with_choice(params, name, value))
        assert chosen.context["page"].paginator.count == counts[(name, value)] > 0, name


# Searches whose price or practitioner choices once upset some facets' counts, with those
# facets: the first test below proves the other facets, the two after it these.
UPSETTING = [
    ({"treatment": "dry-needling", "max_price": "80"}, {"treatment"}),
    ({"treatment": "dry-needling", "price_band": "60-to-80"}, {"treatment"}),
    ({"max_price": "75", "open": ["evening"]}, {"treatment"}),
    ({"insurer": ["bupa"], "step_free": "on"}, {"treatment"}),
    ({"gender": "female", "video": "on"}, {"treatment"}),
    ({"treatment": "dry-needling", "insurer": ["axa-health"]}, {"treatment"}),
    ({"treatment": "sports-massage", "gender": "male"}, {"treatment"}),
    ({"gender": "female", "insurer": ["bupa"]}, {"treatment", "insurer"}),
    ({"language": "pl", "insurer": ["axa-health"]}, {"insurer"}),
]


def test_counts_of_the_other_facets_hold_with_price_and_practitioner_choices(client, world):
    searches = [(params, FACETS - upset) for params, upset in UPSETTING]
    assert wrong_counts_for_each(client, searches) == {}


def test_treatment_counts_with_price_or_practitioner_choices(client, world):
    # Once wrong: with dry needling under £80, Acupuncture said (1), yet acupuncture under £80
    # gives Charlie (£60) and Delta (£75); with insurer=bupa, Acupuncture said (1) for Delta,
    # whose Bupa practitioner does dry needling, yet acupuncture with Bupa gives none.
    searches = [(params, {"treatment"}) for params, upset in UPSETTING if "treatment" in upset]
    assert wrong_counts_for_each(client, searches) == {}


def test_insurer_counts_with_gender_or_language(client, world):
    # Once wrong: with gender=female and Bupa, AXA Health said (0), yet female + AXA gives
    # Charlie.
    searches = [(params, {"insurer"}) for params, upset in UPSETTING if "insurer" in upset]
    assert wrong_counts_for_each(client, searches) == {}


# --- Searches with no results -------------------------------------------------------------


def test_no_results_suggests_the_filter_to_drop_and_the_nearest_areas_with_results(client, world):
    response = search(client, {"treatment": "acupuncture", "area": "clapham"})
    suggestions = response.context["suggestions"]

    assert response.context["page"].paginator.count == 0
    assert suggestions["drops"] == [("treatment", "Treatment", 2), ("area", "Area", 2)]
    # Areas with acupuncture, nearest to Clapham's centre first, regions left out.
    assert [(a.name, count) for a, count in suggestions["nearest_areas"]] == [
        ("Lambeth", 1),
        ("Brixton", 1),
        ("Battersea", 1),
        ("Wandsworth", 1),
    ]
    page = normalised(response)
    assert "No clinic matches every choice" in page
    assert "Without “Treatment”</a>: 2 results" in page
    assert (
        '<a href="/search/?treatment=acupuncture&amp;area=brixton" data-count="1">Brixton</a>: 1'
        in page
    )


def test_only_drops_that_give_results_are_suggested(client, world):
    response = search(
        client, {"treatment": "sports-massage", "area": "clapham", "open": ["evening"]}
    )

    # Without the area: Echo has no evening hours. Without "open": Alpha. Without the
    # treatment: Bravo.
    assert response.context["suggestions"]["drops"] == [
        ("treatment", "Treatment", 1),
        ("open", "Open", 1),
    ]


def test_no_results_suggests_dropping_a_practitioner_choice(client, world):
    response = search(client, {"gender": "male", "insurer": ["vitality"]})

    # Without the insurer: Bravo, Delta and Echo have a male practitioner.
    assert response.context["suggestions"]["drops"] == [("insurer", "Insurer", 3)]


def test_a_search_with_results_suggests_nothing(client, world):
    response = search(client, {"area": "clapham"})

    assert response.context["suggestions"] is None
    assert "No clinic matches every choice" not in response.content.decode()


# --- Query count --------------------------------------------------------------------------


@pytest.fixture
def add_matching_clinics():
    """Adds clinics that all match BUSY_SEARCH."""
    lambeth = make_borough(slug="lambeth")
    clapham = make_neighbourhood(parent=lambeth, name="Clapham", slug="clapham")
    dn = make_treatment(name="Dry needling", slug="dry-needling")
    bupa = make_insurer(slug="bupa")
    PriceBand.objects.create(label="Under £80", slug="under-80", max_pence=8000)

    def add(count):
        for _ in range(count):
            made = make_listed_clinic(
                "Needling in Clapham",
                clapham,
                offers=[(dn, 7000)],
                hours=[(SATURDAY, "09:00", "13:00")],
                step_free_access=True,
            )
            person(made, FEMALE, [dn], [bupa])

    return add


BUSY_SEARCH = {
    "treatment": "dry-needling",
    "area": "lambeth",
    "insurer": ["bupa"],
    "max_price": "80",
    "open": ["weekend"],
    "step_free": "on",
    "q": "needling",
}


def queries_for(client, params):
    search(client, params)  # brings the listings index up to date (its own cost is pinned
    # in test_public_pages): what is compared here is the search itself
    with CaptureQueriesContext(connection) as queries:
        response = search(client, params)
    assert not response.context["filter"].form.errors
    return response, [query["sql"] for query in queries]


def test_the_search_runs_as_many_queries_for_one_result_as_for_sixty(client, add_matching_clinics):
    shows = ["clinics", "practitioners"]
    add_matching_clinics(1)
    one = {show: queries_for(client, {**BUSY_SEARCH, "show": show}) for show in shows}
    add_matching_clinics(59)
    sixty = {show: queries_for(client, {**BUSY_SEARCH, "show": show}) for show in shows}

    for show in shows:
        (few_response, few), (many_response, many) = one[show], sixty[show]
        assert few_response.context["page"].paginator.count == 1
        assert many_response.context["page"].paginator.count == 60
        assert len(many_response.context["page"]) == 20
        assert len(many) == len(few), (show, many)


def test_the_search_runs_as_many_queries_for_three_options_as_for_thirty(
    client, add_matching_clinics
):
    add_matching_clinics(3)
    _, few = queries_for(client, BUSY_SEARCH)
    wandsworth = make_borough(slug="wandsworth")
    for i in range(25):
        elsewhere = make_listed_clinic(
            f"Elsewhere {i}",
            make_neighbourhood(parent=wandsworth),
            offers=[(make_treatment(), 5000 + i * 100)],
            hours=[(i % 7, "09:00", "19:00")],
        )
        person(elsewhere, MALE, [], [make_insurer()])
    for i in range(5):
        PriceBand.objects.create(label=f"Band {i}", slug=f"band-{i}", min_pence=i * 2000)
    options, many = queries_for(client, BUSY_SEARCH)

    assert len(options.context["filter"].form.fields["area"].widget.choices) > 30
    assert len(many) == len(few), many
