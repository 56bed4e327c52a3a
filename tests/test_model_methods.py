import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinics.models import Clinic, Offer, OutwardCode, PriceBand
from tests.factories import (
    make_borough,
    make_clinic,
    make_guide,
    make_neighbourhood,
    make_offer,
    make_practitioner,
    make_region,
    make_treatment,
)
from treatments.models import Guide, GuideSection

# 23:30 UTC on 14 June 2027: already 15 June in London (BST), where "today" is counted.
LATE_EVENING_UTC = datetime.datetime(2027, 6, 14, 23, 30, tzinfo=datetime.UTC)

# Clinics


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "postcode", "outward_code"),
    [
        (" sw47aa", "SW4 7AA", "SW4"),
        ("ec1a1bb", "EC1A 1BB", "EC1A"),
        ("sw19 5ae", "SW19 5AE", "SW19"),
    ],
)
def test_saving_a_clinic_normalises_its_postcode_and_sets_its_outward_code(
    typed, postcode, outward_code
):
    clinic = make_clinic(postcode=typed)
    clinic.refresh_from_db()
    assert (clinic.postcode, clinic.outward_code) == (postcode, outward_code)


@pytest.mark.django_db
def test_saving_only_the_postcode_also_saves_the_new_outward_code():
    clinic = make_clinic(postcode="SW4 7AA")
    clinic.postcode = "ec1a1bb"
    clinic.save(update_fields=["postcode"])
    clinic.refresh_from_db()
    assert (clinic.postcode, clinic.outward_code) == ("EC1A 1BB", "EC1A")


@pytest.mark.django_db
def test_saving_a_clinic_with_an_unusable_postcode_is_refused():
    with pytest.raises(ValidationError, match="Enter a full UK postcode"):
        make_clinic(postcode="SW4")
    assert not Clinic.objects.exists()


@pytest.mark.django_db
def test_confirming_details_records_todays_london_date():
    clinic = make_clinic(details_confirmed_on=datetime.date(2026, 1, 5))
    # 23:30 UTC on 14 June is 00:30 on 15 June in London (BST).
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        clinic.confirm_details()
    clinic.refresh_from_db()
    assert clinic.details_confirmed_on == datetime.date(2027, 6, 15)


@pytest.mark.django_db
def test_confirming_details_saves_only_the_date_not_stale_fields():
    clinic = make_clinic(name="Old name")
    Clinic.objects.filter(pk=clinic.pk).update(name="Name changed meanwhile")
    clinic.confirm_details(today=datetime.date(2027, 2, 1))
    clinic.refresh_from_db()
    assert (clinic.name, clinic.details_confirmed_on) == (
        "Name changed meanwhile",
        datetime.date(2027, 2, 1),
    )


@pytest.mark.django_db
def test_published_clinics_leave_out_unpublished_ones():
    published = make_clinic(is_published=True)
    make_clinic(is_published=False)
    assert list(Clinic.objects.published()) == [published]


@pytest.mark.django_db
def test_offering_finds_each_clinic_with_a_price_for_the_treatment_once():
    massage, needling = make_treatment(), make_treatment()
    both_sessions = make_clinic()
    make_offer(both_sessions, massage, session_type="initial")
    make_offer(both_sessions, massage, session_type="follow_up")
    other_treatment = make_clinic()
    make_offer(other_treatment, needling)
    make_clinic()
    assert list(Clinic.objects.offering(massage)) == [both_sessions]


@pytest.mark.django_db
def test_a_clinic_in_a_neighbourhood_is_found_in_its_borough_and_its_region():
    neighbourhood = make_neighbourhood()
    borough, region = neighbourhood.parent, neighbourhood.parent.parent
    clinic = make_clinic(area=neighbourhood)
    for area in (neighbourhood, borough, region):
        assert list(Clinic.objects.in_area(area)) == [clinic], area.kind


@pytest.mark.django_db
def test_a_clinic_is_not_found_in_an_area_it_is_not_in():
    neighbourhood = make_neighbourhood()
    borough = neighbourhood.parent
    in_borough = make_clinic(area=borough)
    make_clinic(area=make_neighbourhood(parent=make_borough(parent=borough.parent)))
    # A clinic on the borough itself is in no neighbourhood, and a sibling borough's is not ours.
    assert not Clinic.objects.in_area(neighbourhood).exists()
    assert list(Clinic.objects.in_area(borough)) == [in_borough]
    assert not Clinic.objects.in_area(make_region()).exists()


# Outward codes and practitioners


@pytest.mark.django_db
def test_saving_an_outward_code_normalises_it():
    code = OutwardCode.objects.create(code=" ec2a ", latitude=51.52, longitude=-0.08)
    code.refresh_from_db()
    assert code.code == "EC2A"


@pytest.mark.django_db
def test_saving_a_practitioner_tidies_the_hcpc_number():
    practitioner = make_practitioner(hcpc_number=" ph 123456 ")
    practitioner.refresh_from_db()
    assert practitioner.hcpc_number == "PH123456"


# Prices


@pytest.mark.parametrize(
    ("pence", "pounds"), [(8500, "85.00"), (8550, "85.50"), (1, "0.01"), (100_000, "1000.00")]
)
def test_an_offer_price_is_an_exact_decimal_of_pounds(pence, pounds):
    price = Offer(price_pence=pence).price
    assert isinstance(price, Decimal)
    assert price == Decimal(pounds)


@pytest.mark.parametrize(
    ("min_pence", "max_pence", "inside", "outside"),
    [
        (6000, 8000, [6000, 7999], [5999, 8000]),
        (None, 6000, [0, 5999], [6000]),
        (8000, None, [8000, 100_000], [7999]),
    ],
)
def test_a_price_band_includes_its_lower_bound_and_excludes_its_upper(
    min_pence, max_pence, inside, outside
):
    band = PriceBand(min_pence=min_pence, max_pence=max_pence)
    assert [band.contains(pence) for pence in inside] == [True] * len(inside)
    assert [band.contains(pence) for pence in outside] == [False] * len(outside)


# Guides


@pytest.mark.django_db
def test_published_guides_leave_out_drafts_and_guides_of_unpublished_treatments():
    published = make_guide(sections=0, faqs=0)
    make_guide(sections=0, faqs=0, status=Guide.Status.DRAFT)
    make_guide(treatment=make_treatment(is_published=False), sections=0, faqs=0)
    assert list(Guide.objects.published()) == [published]


@pytest.mark.django_db
def test_a_guide_is_due_for_review_when_never_reviewed_or_reviewed_over_a_year_ago():
    today = datetime.date(2027, 6, 15)
    never = make_guide(sections=0, faqs=0, reviewer_name="", reviewed_on=None)
    thirteen_months_ago = make_guide(sections=0, faqs=0, reviewed_on=datetime.date(2026, 5, 15))
    make_guide(sections=0, faqs=0, reviewed_on=datetime.date(2026, 7, 15))
    due = Guide.objects.due_for_review(today=today)
    assert set(due) == {never, thirteen_months_ago}


@pytest.mark.django_db
def test_a_shorter_review_period_makes_more_guides_due():
    today = datetime.date(2027, 6, 15)
    eight_months_ago = make_guide(sections=0, faqs=0, reviewed_on=datetime.date(2026, 10, 15))
    make_guide(sections=0, faqs=0, reviewed_on=datetime.date(2027, 2, 15))
    assert list(Guide.objects.due_for_review(months=6, today=today)) == [eight_months_ago]


@pytest.mark.django_db
def test_due_for_review_counts_from_todays_london_date():
    reviewed_a_year_ago = make_guide(sections=0, faqs=0, reviewed_on=datetime.date(2026, 6, 14))
    # 23:30 UTC on 14 June 2027 is already 15 June in London: 366 days after the review.
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        assert list(Guide.objects.due_for_review()) == [reviewed_a_year_ago]


@pytest.mark.django_db
def test_a_section_anchor_is_made_from_its_heading():
    section = GuideSection.objects.create(
        guide=make_guide(sections=0, faqs=0), heading="What happens at a session?", body="Body"
    )
    assert section.anchor == "what-happens-at-a-session"


@pytest.mark.django_db
def test_a_section_anchor_stays_put_when_the_heading_changes():
    # Links to #the-anchor from other pages must keep working after an edit.
    section = GuideSection.objects.create(
        guide=make_guide(sections=0, faqs=0), heading="Costs", body="Body", anchor="prices"
    )
    section.heading = "What it costs"
    section.save()
    section.refresh_from_db()
    assert section.anchor == "prices"


@pytest.mark.django_db
def test_next_opening_or_closing_is_when_open_now_changes():
    from tests.factories import make_opening_hours

    london = zoneinfo.ZoneInfo("Europe/London")
    clinic = make_clinic()
    assert clinic.next_opening_or_closing(after=timezone.now()) is None  # no hours
    make_opening_hours(clinic, weekday=0, opens="09:00", closes="17:00")  # Mondays
    make_opening_hours(clinic, weekday=2, opens="18:30", closes="21:00")  # Wednesday evenings

    def after(*moment):
        return clinic.next_opening_or_closing(
            after=datetime.datetime(*moment, tzinfo=london)
        ).replace(tzinfo=None)

    # Monday 23 November 2026
    assert after(2026, 11, 23, 8, 0) == datetime.datetime(2026, 11, 23, 9, 0)
    assert after(2026, 11, 23, 9, 0) == datetime.datetime(2026, 11, 23, 17, 0)
    assert after(2026, 11, 23, 17, 0) == datetime.datetime(2026, 11, 25, 18, 30)
    assert after(2026, 11, 26, 12, 0) == datetime.datetime(2026, 11, 30, 9, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("days_ago", [0, 300, 335, 336, 365, 366, 367, 500])
def test_a_reviews_state_in_words_agrees_with_the_review_due_filter(days_ago):
    today = datetime.date(2027, 6, 15)
    guide = make_guide(sections=0, faqs=0, reviewed_on=today - datetime.timedelta(days=days_ago))
    state = guide.review_state(today)
    due = Guide.objects.due_for_review(today=today).filter(pk=guide.pk).exists()
    assert (state.code == "overdue") == due
    expected = "overdue" if due else "soon" if days_ago >= 335 else "current"
    assert state.code == expected
    assert state.words.startswith(
        {"overdue": "Overdue", "soon": "Due soon", "current": "Up to date"}[expected]
    )


@pytest.mark.django_db
def test_a_guide_never_reviewed_says_so():
    guide = make_guide(sections=0, faqs=0, reviewed_on=None)
    assert guide.review_state().code == "never"
    assert guide in Guide.objects.due_for_review()
