"""Property tests: whatever arrives in the query string or the address, the search and landing
pages answer 200 or 404, never 500; a value the form cannot use is reported in the form and
left out of the search, never used silently."""

import html
from urllib.parse import quote, quote_from_bytes

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinics.models import OutwardCode, Practitioner, PriceBand
from tests.factories import (
    days_ago,
    make_borough,
    make_clinic,
    make_condition,
    make_insurer,
    make_language,
    make_neighbourhood,
    make_offer,
    make_opening_hours,
    make_practitioner,
    make_region,
    make_treatment,
)
from treatments.models import TreatmentCondition

pytestmark = pytest.mark.django_db

# Examples share one data set and one client: the pages only read.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ALPHA, BRAVO, CHARLIE = "Alpha", "Bravo", "Charlie"
EVERYONE = [ALPHA, BRAVO, CHARLIE]


@pytest.fixture
def tiny_world():
    south = make_region(name="South London", slug="south-london")
    lambeth = make_borough(parent=south, name="Lambeth", slug="lambeth")
    wandsworth = make_borough(parent=south, name="Wandsworth", slug="wandsworth")
    clapham = make_neighbourhood(parent=lambeth, name="Clapham", slug="clapham")
    brixton = make_neighbourhood(parent=lambeth, name="Brixton", slug="brixton")
    battersea = make_neighbourhood(parent=wandsworth, name="Battersea", slug="battersea")
    dn = make_treatment(name="Dry needling", slug="dry-needling")
    acupuncture = make_treatment(name="Acupuncture", slug="acupuncture")
    neck_pain = make_condition(name="Neck pain", slug="neck-pain")
    TreatmentCondition.objects.create(treatment=dn, condition=neck_pain)
    bupa, axa = make_insurer(slug="bupa"), make_insurer(slug="axa-health")
    polish = make_language(name="Polish", code="pl")
    PriceBand.objects.create(label="Under £80", slug="under-80", max_pence=8000)
    OutwardCode.objects.create(code="SW4", area=clapham, latitude=51.4622, longitude=-0.1381)
    confirmed = days_ago(30)

    def clinic(name, area, **fields):
        return make_clinic(name=name, area=area, details_confirmed_on=confirmed, **fields)

    alpha = clinic(ALPHA, clapham, step_free_access=True, home_visits=True)
    make_offer(alpha, dn, price_pence=7000)
    make_opening_hours(alpha, weekday=5, opens="09:00", closes="13:00")
    make_practitioner(
        clinics=[alpha], treatments=[dn], insurers=[bupa], gender=Practitioner.Gender.FEMALE
    ).languages.add(polish)
    bravo = clinic(BRAVO, brixton, video_consultations=True)
    make_offer(bravo, dn, price_pence=9000)
    make_opening_hours(bravo, weekday=0, opens="12:00", closes="20:00")
    make_practitioner(
        clinics=[bravo], treatments=[dn], insurers=[axa], gender=Practitioner.Gender.MALE
    )
    charlie = clinic(CHARLIE, battersea)
    make_offer(charlie, acupuncture, price_pence=5000)
    make_practitioner(clinics=[charlie], gender=Practitioner.Gender.NON_BINARY)


# What each known value finds in tiny_world. A value not listed here must be refused.
SINGLE_CHOICES = {
    "treatment": {"dry-needling": [ALPHA, BRAVO], "acupuncture": [CHARLIE]},
    "condition": {"neck-pain": [ALPHA, BRAVO]},
    "area": {
        "clapham": [ALPHA],
        "brixton": [BRAVO],
        "battersea": [CHARLIE],
        "lambeth": [ALPHA, BRAVO],
        "wandsworth": [CHARLIE],
        "south-london": EVERYONE,
    },
    "price_band": {"under-80": [ALPHA, CHARLIE]},
    "gender": {"female": [ALPHA], "male": [BRAVO], "non_binary": [CHARLIE]},
    "language": {"pl": [ALPHA]},
    "sort": {"relevance": EVERYONE, "name": EVERYONE, "price": EVERYONE},
    # Practitioners are listed instead of clinics: valid, and another test's business.
    "show": {"clinics": EVERYONE, "practitioners": None},
}
MULTIPLE_CHOICES = {
    # Any of the insurers; all of the opening times.
    "insurer": ({"bupa": {ALPHA}, "axa-health": {BRAVO}}, set.union),
    "open": ({"weekend": {ALPHA}, "evening": {BRAVO}}, set.intersection),
}
LOWEST_PRICE = {ALPHA: 7000, BRAVO: 9000, CHARLIE: 5000}
PARAMETERS = [
    *SINGLE_CHOICES,
    *MULTIPLE_CHOICES,
    "max_price",
    "postcode",
    "q",
    "home_visits",
    "video",
    "step_free",
    "page",
]
LANDING_SLUGS = ["clapham", "lambeth", "south-london", "dry-needling", "neck-pain"]

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "-0",
    "0",
    "1.5",
    "80.0",
    "9" * 5000,
    "-" + "9" * 40,
    str(2**63),
    "٨٠",
    "null",
    "None",
    "[]",
    "{}",
    "' OR 1=1 --",
    "%",
    "%%",
    "\\",
    "<script>alert(1)</script>",
    "𝔡𝔯𝔶",
    "\u202e",
    "\ufeff",
    "ﬀ1",
    "SW99",
    "GU1 1AA",
    "distance",
    "practitioners",
]


def near_misses(valid):
    """Known values changed a little: what a sloppy check would let through."""
    return st.sampled_from(valid).flatmap(
        lambda value: st.sampled_from(
            [value.upper(), f" {value}", f"{value} ", f"{value}\x00", value[:-1], value + "s"]
        )
    )


def values_for(name):
    junk = st.one_of(
        st.text(max_size=40),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(NASTY),
    )
    known = list(SINGLE_CHOICES.get(name, {})) or list(MULTIPLE_CHOICES.get(name, ({},))[0])
    if known:
        return st.one_of(st.sampled_from(known), near_misses(known), junk)
    if name == "max_price":
        return st.one_of(st.integers(min_value=-5, max_value=1005).map(str), junk)
    return junk


@st.composite
def one_parameter(draw):
    """A parameter, given one to three times (repeated keys)."""
    name = draw(st.sampled_from(PARAMETERS))
    values = draw(st.lists(values_for(name), min_size=1, max_size=3))
    return name, values


def encoded(text):
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


raw_parts = st.one_of(
    st.text(max_size=20).map(encoded),
    st.binary(max_size=20).map(lambda b: quote_from_bytes(b, safe="")),  # not UTF-8, often
    st.sampled_from(["%", "%G0", "%FF%FE", "%C0%AF", "%ED%A0%80", "%00", "+", "=", ";", "&&"]),
    st.sampled_from(NASTY).map(encoded),
)


@st.composite
def raw_query_strings(draw):
    pairs = draw(
        st.lists(
            st.tuples(
                st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=8).map(encoded)),
                st.lists(raw_parts, min_size=0, max_size=3).map("".join),
            ),
            max_size=8,
        )
    )
    return "&".join(f"{key}={value}" for key, value in pairs)


def listed(response):
    return [clinic.name for clinic in response.context["page"]]


# --- Never a server error -----------------------------------------------------------------


@FUZZ
@given(query=raw_query_strings())
def test_search_never_fails_whatever_the_query_string(client, tiny_world, query):
    response = client.get("/search/", QUERY_STRING=query)

    assert response.status_code == 200
    assert response.content.count(b"<h1>") == 1


LANDING_PATTERNS = [
    "/areas/{}/",
    "/conditions/{}/",
    "/treatments/dry-needling/{}/",
    "/treatments/{}/clapham/",
]
landing_paths = st.one_of(
    st.sampled_from(LANDING_SLUGS).map("/areas/{}/".format),
    st.sampled_from(LANDING_SLUGS).map("/conditions/{}/".format),
    st.tuples(st.sampled_from(LANDING_SLUGS), st.sampled_from(LANDING_SLUGS)).map(
        lambda slugs: "/treatments/{}/{}/".format(*slugs)
    ),
    st.tuples(
        st.sampled_from(LANDING_PATTERNS),
        st.one_of(st.from_regex(r"[-a-zA-Z0-9_]{1,30}", fullmatch=True), raw_parts),
    ).map(lambda parts: parts[0].format(parts[1])),
)


@FUZZ
@given(path=landing_paths, query=raw_query_strings())
def test_landing_pages_answer_200_or_404_whatever_the_address(client, tiny_world, path, query):
    response = client.get(path, QUERY_STRING=query)

    known = {
        "/areas/clapham/",
        "/areas/lambeth/",
        "/areas/south-london/",
        "/conditions/neck-pain/",
        "/treatments/dry-needling/clapham/",
        "/treatments/dry-needling/lambeth/",
        "/treatments/dry-needling/south-london/",
    }
    assert response.status_code == (200 if path in known else 404)


# --- Refused, not used silently -----------------------------------------------------------


def expected_results(name, values, form):
    """The clinics a value the form accepted must find (every known value is listed)."""
    if name in SINGLE_CHOICES:
        last = values[-1]  # a repeated key: the last one counts, as for any GET form
        assert last == "" or last in SINGLE_CHOICES[name], f"accepted {last!r}"
        return SINGLE_CHOICES[name].get(last, EVERYONE) if last else EVERYONE
    if name in MULTIPLE_CHOICES:
        known, combine = MULTIPLE_CHOICES[name]
        assert all(value in known for value in values), f"accepted {values!r}"
        return sorted(combine(*(known[value] for value in values)))
    if name == "max_price":
        pounds = form.cleaned_data["max_price"]
        if pounds is None:
            assert values[-1].strip() == "", f"accepted {values[-1]!r} as no price"
            return EVERYONE
        assert 1 <= pounds <= 1000
        if values[-1].strip().isascii() and values[-1].strip().lstrip("+-").isdigit():
            assert pounds == int(values[-1])
        return [name for name in EVERYONE if LOWEST_PRICE[name] <= pounds * 100]
    return None  # free text, postcodes, flags and pages: not judged here


@FUZZ
@given(parameter=one_parameter())
def test_a_value_the_form_cannot_use_is_reported_and_left_out(client, tiny_world, parameter):
    cache.clear()  # examples repeat: the page must be made, not served whole from the cache
    name, values = parameter
    response = client.get("/search/", {name: values})

    assert response.status_code == 200
    form = response.context["filter"].form
    page = response.content.decode()
    if name in form.errors:
        assert 'id="search-errors"' in page
        for message in form.errors[name]:
            assert html.escape(message) in page
        assert listed(response) == EVERYONE
    elif (expected := expected_results(name, values, form)) is not None:
        assert sorted(listed(response)) == expected  # the order is another test's business


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("treatment", "no-such-treatment"),
        ("area", "atlantis"),
        ("insurer", "not-an-insurer"),
        ("max_price", "-5"),
        ("max_price", "1e309"),
        ("price_band", "free"),
        ("gender", "robot"),
        ("language", "klingon"),
        ("open", "midnight"),
        ("sort", "random"),
        ("postcode", "NOT A POSTCODE"),
        ("q", "x" * 101),
        ("q", "a\x00b"),
    ],
)
def test_each_parameter_reports_a_bad_value_beside_its_field(client, tiny_world, name, value):
    response = client.get("/search/", {name: value})

    form = response.context["filter"].form
    assert list(form.errors) == [name]
    [message] = form.errors[name]
    assert html.escape(f"{form[name].label}: {message}") in response.content.decode()
    assert listed(response) == EVERYONE


@pytest.mark.parametrize("value", ["0", "no", "off", "banana"])
def test_a_yes_no_filter_does_not_read_nonsense_as_yes(client, tiny_world, value):
    response = client.get("/search/", {"step_free": value})

    form = response.context["filter"].form
    assert "step_free" in form.errors or listed(response) == EVERYONE
