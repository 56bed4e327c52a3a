"""Which clinics /search/ finds, and in which order: each filter alone and together, on small
known data sets, asserting the exact names that come back."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from clinics.models import Offer, Practitioner, PriceBand
from tests.factories import (
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

FEMALE, MALE, NON_BINARY = Practitioner.Gender.values
MONDAY, FRIDAY, SATURDAY, SUNDAY = 0, 4, 5, 6


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def london():
    south = make_region(name="South London", slug="south-london", latitude=51.45, longitude=-0.13)
    east = make_region(name="East London", slug="east-london", latitude=51.52, longitude=-0.03)
    lambeth = make_borough(
        parent=south, name="Lambeth", slug="lambeth", latitude=51.46, longitude=-0.12
    )
    wandsworth = make_borough(
        parent=south, name="Wandsworth", slug="wandsworth", latitude=51.45, longitude=-0.19
    )
    tower_hamlets = make_borough(
        parent=east, name="Tower Hamlets", slug="tower-hamlets", latitude=51.515, longitude=-0.035
    )
    return SimpleNamespace(
        south=south,
        east=east,
        lambeth=lambeth,
        wandsworth=wandsworth,
        tower_hamlets=tower_hamlets,
        clapham=make_neighbourhood(
            parent=lambeth, name="Clapham", slug="clapham", latitude=51.4622, longitude=-0.1381
        ),
        brixton=make_neighbourhood(
            parent=lambeth, name="Brixton", slug="brixton", latitude=51.4613, longitude=-0.1156
        ),
        battersea=make_neighbourhood(
            parent=wandsworth, name="Battersea", slug="battersea", latitude=51.47, longitude=-0.17
        ),
        canary_wharf=make_neighbourhood(
            parent=tower_hamlets,
            name="Canary Wharf",
            slug="canary-wharf",
            latitude=51.5054,
            longitude=-0.0235,
        ),
    )


@pytest.fixture
def catalogue():
    dry_needling = make_treatment(name="Dry needling", slug="dry-needling")
    acupuncture = make_treatment(name="Acupuncture", slug="acupuncture")
    massage = make_treatment(name="Sports massage", slug="sports-massage")
    neck_pain = make_condition(name="Neck pain", slug="neck-pain")
    back_pain = make_condition(name="Back pain", slug="back-pain")
    TreatmentCondition.objects.create(treatment=dry_needling, condition=neck_pain)
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


def add_clinic(name, area, *, offers=(), hours=(), confirmed_days_ago=30, **fields):
    """A published clinic at its area's centre, confirmed a month ago unless told otherwise.
    offers: (treatment, pence) or (treatment, pence, session type); hours: (weekday, opens,
    closes)."""
    defaults = {
        "details_confirmed_on": days_ago(confirmed_days_ago),
        "latitude": area.latitude,
        "longitude": area.longitude,
    }
    clinic = make_clinic(name=name, area=area, **{**defaults, **fields})
    for treatment, pence, *session in offers:
        make_offer(
            clinic,
            treatment,
            price_pence=pence,
            session_type=session[0] if session else Offer.SessionType.STANDARD,
        )
    for weekday, opens, closes in hours:
        make_opening_hours(clinic, weekday=weekday, opens=opens, closes=closes)
    return clinic


def add_practitioner(clinics, *, languages=(), **fields):
    practitioner = make_practitioner(clinics=clinics, **fields)
    practitioner.languages.set(languages)
    return practitioner


def search(client, path="/search/", **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return response


def found(client, path="/search/", **params):
    """The names on the page, in name order unless another is asked for (which clinics match
    is what most tests here are about; the ranking has tests of its own); the search must
    have used every parameter."""
    response = search(client, path, **{"sort": "name", **params})
    assert not response.context["filter"].form.errors
    return [clinic.name for clinic in response.context["page"]]


# --- One filter at a time -----------------------------------------------------------------


def test_treatment_finds_the_clinics_offering_it(client, london, catalogue):
    add_clinic("Needles", london.clapham, offers=[(catalogue.dry_needling, 8000)])
    add_clinic("Points", london.clapham, offers=[(catalogue.acupuncture, 6000)])
    add_clinic(
        "Both",
        london.battersea,
        offers=[(catalogue.acupuncture, 6000), (catalogue.dry_needling, 7000)],
    )
    add_clinic("Nothing listed", london.clapham)

    assert found(client, treatment="dry-needling") == ["Both", "Needles"]
    assert found(client, treatment="acupuncture") == ["Both", "Points"]
    assert found(client, treatment="sports-massage") == []
    assert found(client) == ["Both", "Needles", "Nothing listed", "Points"]


def test_condition_finds_clinics_offering_any_treatment_that_helps_it(client, london, catalogue):
    add_clinic("Needles", london.clapham, offers=[(catalogue.dry_needling, 8000)])
    add_clinic("Points", london.clapham, offers=[(catalogue.acupuncture, 6000)])
    add_clinic("Kneads", london.clapham, offers=[(catalogue.massage, 5000)])

    assert found(client, condition="neck-pain") == ["Needles"]
    assert found(client, condition="back-pain") == ["Kneads", "Points"]


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("clapham", ["In Clapham"]),
        ("brixton", ["In Brixton"]),
        # A borough: its own clinics and its neighbourhoods'.
        ("lambeth", ["In Brixton", "In Clapham", "In Lambeth"]),
        # A region: its boroughs' and their neighbourhoods'.
        ("south-london", ["In Battersea", "In Brixton", "In Clapham", "In Lambeth"]),
        ("east-london", ["In Canary Wharf"]),
        ("wandsworth", ["In Battersea"]),
    ],
)
def test_area_finds_clinics_in_it_and_in_the_areas_inside_it(client, london, area, expected):
    add_clinic("In Clapham", london.clapham)
    add_clinic("In Brixton", london.brixton)
    add_clinic("In Lambeth", london.lambeth)
    add_clinic("In Battersea", london.battersea)
    add_clinic("In Canary Wharf", london.canary_wharf)

    assert found(client, area=area) == expected


def test_insurer_finds_clinics_with_a_published_practitioner_it_recognises(
    client, london, catalogue
):
    bupa_only = add_clinic("Bupa only", london.clapham)
    axa_only = add_clinic("AXA only", london.clapham)
    both = add_clinic("Both", london.clapham)
    uninsured = add_clinic("Uninsured", london.clapham)
    hidden_person = add_clinic("Unpublished practitioner", london.clapham)
    add_practitioner([bupa_only], insurers=[catalogue.bupa])
    add_practitioner([axa_only], insurers=[catalogue.axa])
    add_practitioner([both], insurers=[catalogue.bupa])
    add_practitioner([both], insurers=[catalogue.axa])
    add_practitioner([uninsured])
    add_practitioner([hidden_person], insurers=[catalogue.bupa], is_published=False)

    assert found(client, insurer="bupa") == ["Both", "Bupa only"]
    assert found(client, insurer="axa-health") == ["AXA only", "Both"]
    assert found(client, insurer="vitality") == []


def test_repeated_insurer_means_any_of_them(client, london, catalogue):
    for name, insurers in [
        ("Bupa only", [catalogue.bupa]),
        ("AXA only", [catalogue.axa]),
        ("Vitality only", [catalogue.vitality]),
    ]:
        add_practitioner([add_clinic(name, london.clapham)], insurers=insurers)

    assert found(client, insurer=["bupa", "axa-health"]) == ["AXA only", "Bupa only"]
    assert found(client, insurer=["bupa", "vitality"]) == ["Bupa only", "Vitality only"]


@pytest.fixture
def priced(london, catalogue):
    """Three clinics whose prices differ by treatment."""
    add_clinic(
        "Pricey needles",
        london.clapham,
        offers=[(catalogue.dry_needling, 9000), (catalogue.massage, 4000)],
    )
    add_clinic(
        "Fair needles",
        london.clapham,
        offers=[(catalogue.dry_needling, 7000), (catalogue.massage, 5000)],
    )
    add_clinic("Points only", london.clapham, offers=[(catalogue.acupuncture, 6000)])
    add_clinic("Odd pence", london.clapham, offers=[(catalogue.dry_needling, 7050)])


def test_max_price_looks_at_the_chosen_treatments_prices(client, priced):
    assert found(client, treatment="dry-needling", max_price=70) == ["Fair needles"]
    assert found(client, treatment="dry-needling", max_price=69) == []
    # £70.50 is over £70 but within £71.
    assert found(client, treatment="dry-needling", max_price=71) == ["Fair needles", "Odd pence"]
    # The massage at £40 does not make Pricey needles a dry needling clinic under £80.
    assert found(client, treatment="dry-needling", max_price=80) == ["Fair needles", "Odd pence"]
    assert found(client, treatment="sports-massage", max_price=45) == ["Pricey needles"]


def test_max_price_without_a_treatment_looks_at_any_offer(client, priced):
    assert found(client, max_price=45) == ["Pricey needles"]
    assert found(client, max_price=60) == ["Fair needles", "Points only", "Pricey needles"]
    assert found(client, max_price=39) == []


@pytest.fixture
def price_bands():
    PriceBand.objects.create(label="Under £60", slug="under-60", max_pence=6000, order=1)
    PriceBand.objects.create(
        label="£60 to £80", slug="60-to-80", min_pence=6000, max_pence=8000, order=2
    )
    PriceBand.objects.create(label="£80 and over", slug="80-and-over", min_pence=8000, order=3)


def test_price_band_looks_at_the_chosen_treatments_prices(client, priced, price_bands):
    assert found(client, treatment="dry-needling", price_band="60-to-80") == [
        "Fair needles",
        "Odd pence",
    ]
    assert found(client, treatment="dry-needling", price_band="80-and-over") == ["Pricey needles"]
    assert found(client, treatment="dry-needling", price_band="under-60") == []


def test_price_band_without_a_treatment_looks_at_any_offer(client, priced, price_bands):
    # A band includes its lower bound (Points only at £60) and excludes its upper bound.
    assert found(client, price_band="under-60") == ["Fair needles", "Pricey needles"]
    assert found(client, price_band="60-to-80") == ["Fair needles", "Odd pence", "Points only"]
    assert found(client, price_band="80-and-over") == ["Pricey needles"]


def test_gender_finds_clinics_with_a_practitioner_of_that_gender(client, london):
    women = add_clinic("Women", london.clapham)
    men = add_clinic("Men", london.clapham)
    mixed = add_clinic("Mixed", london.clapham)
    non_binary = add_clinic("Non-binary", london.clapham)
    add_practitioner([women, mixed], gender=FEMALE)
    add_practitioner([men, mixed], gender=MALE)
    add_practitioner([non_binary], gender=NON_BINARY)
    add_practitioner([women], gender=MALE, is_published=False)

    assert found(client, gender="female") == ["Mixed", "Women"]
    assert found(client, gender="male") == ["Men", "Mixed"]
    assert found(client, gender="non_binary") == ["Non-binary"]


def test_language_finds_clinics_with_a_practitioner_who_speaks_it(client, london, catalogue):
    polish = add_clinic("Polish spoken", london.clapham)
    spanish = add_clinic("Spanish spoken", london.clapham)
    add_clinic("English only", london.clapham)
    add_practitioner([polish], languages=[catalogue.polish])
    add_practitioner([spanish], languages=[catalogue.spanish, catalogue.polish])

    assert found(client, language="es") == ["Spanish spoken"]
    assert found(client, language="pl") == ["Polish spoken", "Spanish spoken"]


def test_gender_and_language_must_hold_for_the_same_practitioner(client, london, catalogue):
    one_person = add_clinic("One Polish woman", london.clapham)
    two_people = add_clinic("Polish man, English woman", london.clapham)
    add_practitioner([one_person], gender=FEMALE, languages=[catalogue.polish])
    add_practitioner([two_people], gender=MALE, languages=[catalogue.polish])
    add_practitioner([two_people], gender=FEMALE)

    assert found(client, gender="female", language="pl") == ["One Polish woman"]


def test_open_evening_means_a_weekday_closing_after_six(client, london):
    add_clinic("Monday late", london.clapham, hours=[(MONDAY, "09:00", "19:00")])
    add_clinic("Friday late", london.clapham, hours=[(FRIDAY, "12:00", "20:00")])
    add_clinic("Shuts at six", london.clapham, hours=[(MONDAY, "09:00", "18:00")])
    add_clinic("Saturday late", london.clapham, hours=[(SATURDAY, "10:00", "20:00")])
    add_clinic("No hours given", london.clapham)

    assert found(client, open="evening") == ["Friday late", "Monday late"]


def test_open_weekend_means_saturday_or_sunday_hours(client, london):
    add_clinic("Saturdays", london.clapham, hours=[(SATURDAY, "09:00", "13:00")])
    add_clinic("Sundays", london.clapham, hours=[(SUNDAY, "10:00", "12:00")])
    add_clinic("Weekdays", london.clapham, hours=[(MONDAY, "09:00", "20:00")])
    add_clinic("Every day", london.clapham, hours=[(d, "08:00", "20:00") for d in range(MONDAY, 7)])

    assert found(client, open="weekend") == ["Every day", "Saturdays", "Sundays"]
    assert found(client, open=["evening", "weekend"]) == ["Every day"]


@pytest.mark.parametrize(
    ("param", "field"),
    [
        ("home_visits", "home_visits"),
        ("video", "video_consultations"),
        ("step_free", "step_free_access"),
    ],
)
def test_a_ticked_feature_keeps_only_clinics_with_it(client, london, param, field):
    add_clinic("Has it", london.clapham, **{field: True})
    add_clinic("Lacks it", london.clapham, **{field: False})
    add_clinic("Has it too", london.brixton, **{field: True})

    assert found(client, **{param: "on"}) == ["Has it", "Has it too"]
    assert found(client) == ["Has it", "Has it too", "Lacks it"]


# --- Together -----------------------------------------------------------------------------


def test_dry_needling_in_lambeth_taking_bupa_under_80_open_weekends(client, london, catalogue):
    """The issue's example journey, with one decoy failing each condition."""
    dn, bupa = catalogue.dry_needling, catalogue.bupa
    saturday = [(SATURDAY, "09:00", "13:00")]

    def listing(name, area=london.clapham, price=7500, hours=saturday, insurer=bupa, **fields):
        clinic = add_clinic(name, area, offers=[(dn, price)], hours=hours, **fields)
        add_practitioner([clinic], treatments=[dn], insurers=[insurer])
        return clinic

    listing("Clapham match")
    listing("Brixton match", area=london.brixton, price=8000, hours=[(SUNDAY, "10:00", "12:00")])
    listing("Stale match", confirmed_days_ago=400)
    listing("Too dear", price=8001)
    listing("Weekdays only", hours=[(MONDAY, "09:00", "20:00")])
    listing("AXA only", insurer=catalogue.axa)
    listing("In Battersea", area=london.battersea)
    acupuncture = add_clinic(
        "Acupuncture only", london.clapham, offers=[(catalogue.acupuncture, 6000)], hours=saturday
    )
    add_practitioner([acupuncture], treatments=[catalogue.acupuncture], insurers=[bupa])
    # Bupa recognises someone here, but not someone who does dry needling.
    massage_only = add_clinic(
        "Bupa for massage", london.clapham, offers=[(dn, 7000)], hours=saturday
    )
    add_practitioner([massage_only], treatments=[catalogue.massage], insurers=[bupa])

    names = found(
        client,
        treatment="dry-needling",
        area="lambeth",
        insurer="bupa",
        max_price=80,
        open="weekend",
    )

    assert names == ["Brixton match", "Clapham match", "Stale match"]


def test_condition_with_practitioner_and_access_choices(client, london, catalogue):
    def listing(name, gender=FEMALE, languages=(catalogue.polish,), **fields):
        access = {"step_free_access": True, "video_consultations": True, "home_visits": True}
        clinic = add_clinic(
            name, london.brixton, offers=[(catalogue.massage, 5000)], **{**access, **fields}
        )
        add_practitioner([clinic], gender=gender, languages=languages)
        return clinic

    listing("Match")
    listing("Also a match")
    listing("Steps at the door", step_free_access=False)
    listing("No video", video_consultations=False)
    listing("No home visits", home_visits=False)
    listing("Man", gender=MALE)
    listing("No Polish", languages=(catalogue.spanish,))
    add_clinic("Neck only", london.brixton, offers=[(catalogue.dry_needling, 5000)])

    names = found(
        client,
        condition="back-pain",
        gender="female",
        language="pl",
        step_free="on",
        video="on",
        home_visits="on",
    )

    assert names == ["Also a match", "Match"]


# --- What is never shown, and freshness ---------------------------------------------------


def test_unpublished_clinics_never_appear(client, london, catalogue):
    shown = add_clinic("Published", london.clapham, offers=[(catalogue.dry_needling, 7000)])
    hidden = add_clinic(
        "Unpublished",
        london.clapham,
        offers=[(catalogue.dry_needling, 7000)],
        is_published=False,
    )
    add_practitioner([shown, hidden], first_name="Ada", last_name="Okafor")
    add_practitioner([hidden], first_name="Only", last_name="Unpublished")

    assert found(client) == ["Published"]
    assert found(client, treatment="dry-needling", area="clapham") == ["Published"]
    assert found(client, "/areas/clapham/") == ["Published"]
    people = search(client, show="practitioners").context["page"]
    assert [p.full_name for p in people] == ["Ada Okafor"]


def test_listings_not_confirmed_for_a_year_come_last_and_say_so(client, london):
    add_clinic("Aardvark stale", london.clapham, confirmed_days_ago=13 * 31)
    add_clinic("Zebra fresh", london.clapham, confirmed_days_ago=10)
    add_clinic("Middle fresh", london.clapham, confirmed_days_ago=11 * 30)
    add_clinic("Never confirmed, just listed", london.clapham, details_confirmed_on=None)

    response = search(client)

    # Stale last; before it, the more recently confirmed first (by the month), then by name.
    assert [c.name for c in response.context["page"]] == [
        "Never confirmed, just listed",
        "Zebra fresh",
        "Middle fresh",
        "Aardvark stale",
    ]
    assert response.content.decode().count("not confirmed for over a year") == 1


def test_listings_not_confirmed_for_18_months_leave_the_results(client, london):
    add_clinic("Seventeen months", london.clapham, confirmed_days_ago=17 * 30)
    add_clinic("Nineteen months", london.clapham, confirmed_days_ago=19 * 31)
    add_clinic("Three years", london.clapham, confirmed_days_ago=3 * 365)

    assert found(client) == ["Seventeen months"]
    assert found(client, area="clapham") == ["Seventeen months"]


# --- Sorting ------------------------------------------------------------------------------


def test_without_text_or_postcode_results_come_in_name_order(client, london):
    for name in ["Mango", "Apple", "Cherry", "Banana"]:
        add_clinic(name, london.clapham)

    # Equally complete, equally fresh: best match falls back on the name.
    assert found(client, sort="relevance") == ["Apple", "Banana", "Cherry", "Mango"]
    assert found(client, sort="name") == ["Apple", "Banana", "Cherry", "Mango"]


@pytest.fixture
def for_price_sort(london, catalogue):
    dn = catalogue.dry_needling
    add_clinic("Ninety", london.clapham, offers=[(dn, 9000)])
    add_clinic(
        "Seventy, with cheap massage",
        london.clapham,
        offers=[(dn, 7000), (catalogue.massage, 3000)],
    )
    add_clinic(
        "Sixty-five follow-up",
        london.clapham,
        offers=[(dn, 9500, Offer.SessionType.INITIAL), (dn, 6500, Offer.SessionType.FOLLOW_UP)],
    )
    add_clinic("Also seventy", london.clapham, offers=[(dn, 7000)])
    add_clinic("No prices", london.clapham)
    add_clinic("Stale and cheapest", london.clapham, offers=[(dn, 1000)], confirmed_days_ago=400)


def test_sort_by_price_uses_the_lowest_price_of_the_chosen_treatment(client, for_price_sort):
    assert found(client, treatment="dry-needling", sort="price") == [
        "Sixty-five follow-up",
        "Also seventy",  # a tie at £70, broken by name
        "Seventy, with cheap massage",
        "Ninety",
        "Stale and cheapest",
    ]


def test_sort_by_price_without_a_treatment_uses_the_lowest_price_and_puts_unpriced_last(
    client, for_price_sort
):
    assert found(client, sort="price") == [
        "Seventy, with cheap massage",
        "Sixty-five follow-up",
        "Also seventy",
        "Ninety",
        "No prices",
        "Stale and cheapest",
    ]


def test_sort_by_distance_without_a_postcode_says_it_needs_one(client, london):
    add_clinic("Beta", london.clapham)
    add_clinic("Alpha", london.brixton)

    response = search(client, sort="distance")

    assert response.context["filter"].form.errors == {
        "sort": ["Sorting by distance needs a postcode."]
    }
    assert "Sorting by distance needs a postcode." in response.content.decode()
    assert [c.name for c in response.context["page"]] == ["Alpha", "Beta"]


# --- Pages --------------------------------------------------------------------------------


@pytest.fixture
def forty_five_namesakes(london, catalogue):
    """45 clinics nobody can tell apart by name, price or area: only the id orders them."""
    return [
        add_clinic("Same Name Physio", london.clapham, offers=[(catalogue.dry_needling, 7000)]).pk
        for _ in range(45)
    ]


@pytest.mark.parametrize(
    "params",
    [{}, {"sort": "name"}, {"sort": "price", "treatment": "dry-needling"}, {"q": "same name"}],
    ids=["default", "name", "price", "text"],
)
def test_pages_never_repeat_or_skip_a_clinic(client, forty_five_namesakes, params):
    pages = [search(client, **params, page=n).context["page"] for n in (1, 2, 3)]

    assert [len(page) for page in pages] == [20, 20, 5]
    listed = [clinic.pk for page in pages for clinic in page]
    assert sorted(listed) == sorted(forty_five_namesakes)
    assert listed == sorted(listed)  # the final tie-break is the id


@pytest.mark.parametrize(
    ("page", "number"),
    [("999", 3), ("abc", 1), ("", 1), ("2.5", 1), ("1e309", 1), ("0", 3), ("-1", 3)],
)
def test_an_odd_page_number_gives_a_clean_page(client, forty_five_namesakes, page, number):
    response = client.get("/search/", {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == number
    assert f"Page {number} of 3" in response.content.decode()


# --- Practitioners instead of clinics -----------------------------------------------------


def test_show_practitioners_lists_the_matching_people_at_the_matching_clinics(
    client, london, catalogue
):
    dn = catalogue.dry_needling
    clapham = add_clinic("Clapham Physio", london.clapham, offers=[(dn, 7000)])
    brixton = add_clinic("Brixton Physio", london.brixton, offers=[(dn, 7000)])
    battersea = add_clinic("Battersea Physio", london.battersea, offers=[(dn, 7000)])

    def person(first, last, clinics, gender=FEMALE, languages=(catalogue.polish,), **fields):
        fields.setdefault("insurers", [catalogue.bupa])
        fields.setdefault("treatments", [dn])
        add_practitioner(
            clinics, first_name=first, last_name=last, gender=gender, languages=languages, **fields
        )

    person("Ada", "Okafor", [clapham, brixton])  # two matching clinics, listed once
    person("Bea", "Nowak", [brixton])
    person("Cal", "Male", [clapham], gender=MALE)
    person("Dee", "Spanish", [clapham], languages=(catalogue.spanish,))
    person("Eve", "Axa", [clapham], insurers=[catalogue.axa])
    person("Fay", "Battersea", [battersea])  # a clinic outside the area
    person("Gil", "Massage", [clapham], treatments=[catalogue.massage])
    person("Hal", "Hidden", [clapham], is_published=False)

    response = search(
        client,
        show="practitioners",
        treatment="dry-needling",
        area="lambeth",
        gender="female",
        language="pl",
        insurer="bupa",
    )

    assert [p.full_name for p in response.context["page"]] == ["Bea Nowak", "Ada Okafor"]
    assert "<strong data-result-count>2</strong> practitioners found" in response.content.decode()
    everyone = search(client, show="practitioners", area="lambeth").context["page"]
    assert [p.last_name for p in everyone] == [
        "Axa",
        "Male",
        "Massage",
        "Nowak",
        "Okafor",
        "Spanish",
    ]
