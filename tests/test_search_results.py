"""Which clinics /search/ finds, and in which order: each filter alone and together, on small
known data sets, asserting the exact names that come back."""

import pytest

from clinics.models import Offer, Practitioner, PriceBand
from tests.factories import (
    make_listed_clinic,
    make_practitioner,
)

pytestmark = pytest.mark.django_db

FEMALE, MALE, NON_BINARY = Practitioner.Gender.values
MONDAY, FRIDAY, SATURDAY, SUNDAY = 0, 4, 5, 6


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
    make_listed_clinic("Needles", london.clapham, offers=[(catalogue.dry_needling, 8000)])
    make_listed_clinic("Points", london.clapham, offers=[(catalogue.acupuncture, 6000)])
    make_listed_clinic(
        "Both",
        london.battersea,
        offers=[(catalogue.acupuncture, 6000), (catalogue.dry_needling, 7000)],
    )
    make_listed_clinic("Nothing listed", london.clapham)

    assert found(client, treatment="dry-needling") == ["Both", "Needles"]
    assert found(client, treatment="acupuncture") == ["Both", "Points"]
    assert found(client, treatment="sports-massage") == []
    assert found(client) == ["Both", "Needles", "Nothing listed", "Points"]


def test_condition_finds_clinics_offering_any_treatment_that_helps_it(client, london, catalogue):
    make_listed_clinic("Needles", london.clapham, offers=[(catalogue.dry_needling, 8000)])
    make_listed_clinic("Points", london.clapham, offers=[(catalogue.acupuncture, 6000)])
    make_listed_clinic("Kneads", london.clapham, offers=[(catalogue.massage, 5000)])

    assert found(client, condition="neck-pain") == ["Needles", "Points"]
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
    make_listed_clinic("In Clapham", london.clapham)
    make_listed_clinic("In Brixton", london.brixton)
    make_listed_clinic("In Lambeth", london.lambeth)
    make_listed_clinic("In Battersea", london.battersea)
    make_listed_clinic("In Canary Wharf", london.canary_wharf)

    assert found(client, area=area) == expected


def test_insurer_finds_clinics_with_a_published_practitioner_it_recognises(
    client, london, catalogue
):
    bupa_only = make_listed_clinic("Bupa only", london.clapham)
    axa_only = make_listed_clinic("AXA only", london.clapham)
    both = make_listed_clinic("Both", london.clapham)
    uninsured = make_listed_clinic("Uninsured", london.clapham)
    hidden_person = make_listed_clinic("Unpublished practitioner", london.clapham)
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
        add_practitioner([make_listed_clinic(name, london.clapham)], insurers=insurers)

    assert found(client, insurer=["bupa", "axa-health"]) == ["AXA only", "Bupa only"]
    assert found(client, insurer=["bupa", "vitality"]) == ["Bupa only", "Vitality only"]


@pytest.fixture
def priced(london, catalogue):
    """Three clinics whose prices differ by treatment."""
    make_listed_clinic(
        "Pricey needles",
        london.clapham,
        offers=[(catalogue.dry_needling, 9000), (catalogue.massage, 4000)],
    )
    make_listed_clinic(
        "Fair needles",
        london.clapham,
        offers=[(catalogue.dry_needling, 7000), (catalogue.massage, 5000)],
    )
    make_listed_clinic("Points only", london.clapham, offers=[(catalogue.acupuncture, 6000)])
    make_listed_clinic("Odd pence", london.clapham, offers=[(catalogue.dry_needling, 7050)])


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
    women = make_listed_clinic("Women", london.clapham)
    men = make_listed_clinic("Men", london.clapham)
    mixed = make_listed_clinic("Mixed", london.clapham)
    non_binary = make_listed_clinic("Non-binary", london.clapham)
    add_practitioner([women, mixed], gender=FEMALE)
    add_practitioner([men, mixed], gender=MALE)
    add_practitioner([non_binary], gender=NON_BINARY)
    add_practitioner([women], gender=MALE, is_published=False)

    assert found(client, gender="female") == ["Mixed", "Women"]
    assert found(client, gender="male") == ["Men", "Mixed"]
    assert found(client, gender="non_binary") == ["Non-binary"]


def test_language_finds_clinics_with_a_practitioner_who_speaks_it(client, london, catalogue):
    polish = make_listed_clinic("Polish spoken", london.clapham)
    spanish = make_listed_clinic("Spanish spoken", london.clapham)
    make_listed_clinic("English only", london.clapham)
    add_practitioner([polish], languages=[catalogue.polish])
    add_practitioner([spanish], languages=[catalogue.spanish, catalogue.polish])

    assert found(client, language="es") == ["Spanish spoken"]
    assert found(client, language="pl") == ["Polish spoken", "Spanish spoken"]


def test_gender_and_language_must_hold_for_the_same_practitioner(client, london, catalogue):
    one_person = make_listed_clinic("One Polish woman", london.clapham)
    two_people = make_listed_clinic("Polish man, English woman", london.clapham)
    add_practitioner([one_person], gender=FEMALE, languages=[catalogue.polish])
    add_practitioner([two_people], gender=MALE, languages=[catalogue.polish])
    add_practitioner([two_people], gender=FEMALE)

    assert found(client, gender="female", language="pl") == ["One Polish woman"]


def test_open_evening_means_a_weekday_closing_after_six(client, london):
    make_listed_clinic("Monday late", london.clapham, hours=[(MONDAY, "09:00", "19:00")])
    make_listed_clinic("Friday late", london.clapham, hours=[(FRIDAY, "12:00", "20:00")])
    make_listed_clinic("Shuts at six", london.clapham, hours=[(MONDAY, "09:00", "18:00")])
    make_listed_clinic("Saturday late", london.clapham, hours=[(SATURDAY, "10:00", "20:00")])
    make_listed_clinic("No hours given", london.clapham)

    assert found(client, open="evening") == ["Friday late", "Monday late"]


def test_open_weekend_means_saturday_or_sunday_hours(client, london):
    make_listed_clinic("Saturdays", london.clapham, hours=[(SATURDAY, "09:00", "13:00")])
    make_listed_clinic("Sundays", london.clapham, hours=[(SUNDAY, "10:00", "12:00")])
    make_listed_clinic("Weekdays", london.clapham, hours=[(MONDAY, "09:00", "20:00")])
    make_listed_clinic(
        "Every day", london.clapham, hours=[(d, "08:00", "20:00") for d in range(MONDAY, 7)]
    )

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
    make_listed_clinic("Has it", london.clapham, **{field: True})
    make_listed_clinic("Lacks it", london.clapham, **{field: False})
    make_listed_clinic("Has it too", london.brixton, **{field: True})

    assert found(client, **{param: "on"}) == ["Has it", "Has it too"]
    assert found(client) == ["Has it", "Has it too", "Lacks it"]


# --- Together -----------------------------------------------------------------------------


def test_dry_needling_in_lambeth_taking_bupa_under_80_open_weekends(client, london, catalogue):
    """The issue's example journey, with one decoy failing each condition."""
    dn, bupa = catalogue.dry_needling, catalogue.bupa
    saturday = [(SATURDAY, "09:00", "13:00")]

    def listing(name, area=london.clapham, price=7500, hours=saturday, insurer=bupa, **fields):
        clinic = make_listed_clinic(name, area, offers=[(dn, price)], hours=hours, **fields)
        add_practitioner([clinic], treatments=[dn], insurers=[insurer])
        return clinic

    listing("Clapham match")
    listing("Brixton match", area=london.brixton, price=8000, hours=[(SUNDAY, "10:00", "12:00")])
    listing("Stale match", confirmed_days_ago=400)
    listing("Too dear", price=8001)
    listing("Weekdays only", hours=[(MONDAY, "09:00", "20:00")])
    listing("AXA only", insurer=catalogue.axa)
    listing("In Battersea", area=london.battersea)
    acupuncture = make_listed_clinic(
        "Acupuncture only", london.clapham, offers=[(catalogue.acupuncture, 6000)], hours=saturday
    )
    add_practitioner([acupuncture], treatments=[catalogue.acupuncture], insurers=[bupa])
    # Bupa recognises someone here, but not someone who does dry needling.
    massage_only = make_listed_clinic(
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
        clinic = make_listed_clinic(
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
    make_listed_clinic("Neck only", london.brixton, offers=[(catalogue.dry_needling, 5000)])

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
    shown = make_listed_clinic("Published", london.clapham, offers=[(catalogue.dry_needling, 7000)])
    hidden = make_listed_clinic(
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
    make_listed_clinic("Aardvark stale", london.clapham, confirmed_days_ago=13 * 31)
    make_listed_clinic("Zebra fresh", london.clapham, confirmed_days_ago=10)
    make_listed_clinic("Middle fresh", london.clapham, confirmed_days_ago=11 * 30)
    make_listed_clinic("Never confirmed, just listed", london.clapham, details_confirmed_on=None)

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
    make_listed_clinic("Seventeen months", london.clapham, confirmed_days_ago=17 * 30)
    make_listed_clinic("Nineteen months", london.clapham, confirmed_days_ago=19 * 31)
    make_listed_clinic("Three years", london.clapham, confirmed_days_ago=3 * 365)

    assert found(client) == ["Seventeen months"]
    assert found(client, area="clapham") == ["Seventeen months"]


# --- Sorting ------------------------------------------------------------------------------


def test_without_text_or_postcode_results_come_in_name_order(client, london):
    for name in ["Mango", "Apple", "Cherry", "Banana"]:
        make_listed_clinic(name, london.clapham)

    # Equally complete, equally fresh: best match falls back on the name.
    assert found(client, sort="relevance") == ["Apple", "Banana", "Cherry", "Mango"]
    assert found(client, sort="name") == ["Apple", "Banana", "Cherry", "Mango"]


@pytest.fixture
def for_price_sort(london, catalogue):
    dn = catalogue.dry_needling
    make_listed_clinic("Ninety", london.clapham, offers=[(dn, 9000)])
    make_listed_clinic(
        "Seventy, with cheap massage",
        london.clapham,
        offers=[(dn, 7000), (catalogue.massage, 3000)],
    )
    make_listed_clinic(
        "Sixty-five follow-up",
        london.clapham,
        offers=[(dn, 9500, Offer.SessionType.INITIAL), (dn, 6500, Offer.SessionType.FOLLOW_UP)],
    )
    make_listed_clinic("Also seventy", london.clapham, offers=[(dn, 7000)])
    make_listed_clinic("No prices", london.clapham)
    make_listed_clinic(
        "Stale and cheapest", london.clapham, offers=[(dn, 1000)], confirmed_days_ago=400
    )


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
    make_listed_clinic("Beta", london.clapham)
    make_listed_clinic("Alpha", london.brixton)

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
        make_listed_clinic(
            "Same Name Physio", london.clapham, offers=[(catalogue.dry_needling, 7000)]
        ).pk
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
    clapham = make_listed_clinic("Clapham Physio", london.clapham, offers=[(dn, 7000)])
    brixton = make_listed_clinic("Brixton Physio", london.brixton, offers=[(dn, 7000)])
    battersea = make_listed_clinic("Battersea Physio", london.battersea, offers=[(dn, 7000)])

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
