"""Every rule of the data model, proved twice: the database refuses a row that breaks it (even one
written with .update(), which skips save() and validation), and full_clean() refuses it with a
message an admin can act on."""

import datetime
import itertools
from contextlib import contextmanager

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinics.models import (
    Area,
    Clinic,
    ClinicPhoto,
    Enquiry,
    InsurerRecognition,
    Offer,
    OpeningHours,
    OutwardCode,
    Practitioner,
    PriceBand,
    StaffMembership,
)
from tests.factories import (
    make_borough,
    make_clinic,
    make_condition,
    make_guide,
    make_insurer,
    make_language,
    make_neighbourhood,
    make_offer,
    make_opening_hours,
    make_practitioner,
    make_region,
    make_staff,
    make_treatment,
    make_user,
)
from treatments.models import Guide, GuideRevision, GuideSection, TreatmentCondition

pytestmark = pytest.mark.django_db


@contextmanager
def refused_by_database(match):
    """The statement inside reaches the database and breaks the constraint `match` names.

    SQLite and PostgreSQL both name a broken CHECK constraint in their message."""
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        yield


def duplicate_of(*columns):
    """The message of a unique violation over `columns`, on either database: SQLite says
    "UNIQUE constraint failed: table.a, table.b", PostgreSQL "Key (a, b)=(...) already exists"."""
    return r"(?s)(UNIQUE constraint failed|duplicate key).*" + ".*".join(columns)


_sequence = itertools.count(1)


def validation_errors(instance):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def make_outward_code(**kwargs):
    n = next(_sequence)
    defaults = {"code": f"E{n % 99 + 1}", "latitude": 51.5172, "longitude": -0.0612}
    return OutwardCode.objects.create(**{**defaults, **kwargs})


def make_price_band(**kwargs):
    n = next(_sequence)
    defaults = {"label": f"Band {n}", "slug": f"band-{n}", "min_pence": 6000, "max_pence": 8000}
    return PriceBand.objects.create(**{**defaults, **kwargs})


def make_enquiry(clinic, **kwargs):
    defaults = {
        "name": "Pat Patient",
        "email": "pat@example.com",
        "message": "Do you treat shoulders?",
        "consent_given_at": timezone.now(),
    }
    return Enquiry.objects.create(clinic=clinic, **{**defaults, **kwargs})


# Opening hours


@pytest.mark.parametrize(("opens", "closes"), [("10:00", "09:00"), ("10:00", "10:00")])
def test_closing_before_or_at_opening_time_is_refused(opens, closes):
    clinic = make_clinic()
    with refused_by_database("opening_hours_close_after_open"):
        make_opening_hours(clinic, opens=opens, closes=closes)

    hours = OpeningHours(
        clinic=clinic,
        weekday=0,
        opens=datetime.time.fromisoformat(opens),
        closes=datetime.time.fromisoformat(closes),
    )
    assert validation_errors(hours) == {
        NON_FIELD_ERRORS: ["Closing time must be after opening time."]
    }


def test_moving_closing_time_before_opening_with_update_is_refused():
    hours = make_opening_hours(make_clinic(), opens="09:00", closes="17:00")
    with refused_by_database("opening_hours_close_after_open"):
        OpeningHours.objects.filter(pk=hours.pk).update(closes=datetime.time(8))


def test_a_weekday_after_sunday_is_refused():
    clinic = make_clinic()
    with refused_by_database("opening_hours_weekday_valid"):
        make_opening_hours(clinic, weekday=7)

    hours = OpeningHours(clinic=clinic, weekday=7, opens=datetime.time(9), closes=datetime.time(17))
    assert validation_errors(hours) == {"weekday": ["Value 7 is not a valid choice."]}


def test_a_negative_weekday_is_refused():
    # Both the positive integer check and opening_hours_weekday_valid refuse it; either may report.
    with refused_by_database("weekday"):
        make_opening_hours(make_clinic(), weekday=-1)


def test_two_opening_intervals_on_the_same_day_are_allowed():
    clinic = make_clinic()
    make_opening_hours(clinic, weekday=2, opens="09:00", closes="13:00")
    afternoon = OpeningHours(
        clinic=clinic, weekday=2, opens=datetime.time(14), closes=datetime.time(18)
    )
    afternoon.full_clean()
    afternoon.save()
    assert clinic.opening_hours.filter(weekday=2).count() == 2


def test_two_opening_intervals_starting_at_the_same_time_are_refused():
    clinic = make_clinic()
    make_opening_hours(clinic, weekday=2, opens="09:00", closes="13:00")
    with refused_by_database(duplicate_of("clinic_id", "weekday", "opens")):
        make_opening_hours(clinic, weekday=2, opens="09:00", closes="17:00")

    same_start = OpeningHours(
        clinic=clinic, weekday=2, opens=datetime.time(9), closes=datetime.time(17)
    )
    assert validation_errors(same_start) == {
        NON_FIELD_ERRORS: ["Opening hours with this Clinic, Weekday and Opens already exists."]
    }


def test_the_same_start_time_on_another_day_or_at_another_clinic_is_allowed():
    clinic = make_clinic()
    make_opening_hours(clinic, weekday=0, opens="09:00")
    make_opening_hours(clinic, weekday=1, opens="09:00")
    make_opening_hours(make_clinic(), weekday=0, opens="09:00")
    assert OpeningHours.objects.filter(opens=datetime.time(9)).count() == 3


# Offers


def test_a_zero_price_is_refused():
    clinic, treatment = make_clinic(), make_treatment()
    with refused_by_database("offer_price_positive"):
        make_offer(clinic, treatment, price_pence=0)

    offer = make_offer(clinic, treatment)
    with refused_by_database("offer_price_positive"):
        Offer.objects.filter(pk=offer.pk).update(price_pence=0)

    offer.price_pence = 0
    assert validation_errors(offer) == {
        "price_pence": ["Ensure this value is greater than or equal to 1."]
    }


def test_a_negative_price_is_refused_by_the_positive_integer_check():
    clinic, treatment = make_clinic(), make_treatment()
    # PostgreSQL names clinics_offer_price_pence_check, SQLite the column's own check.
    with refused_by_database("price_pence"):
        make_offer(clinic, treatment, price_pence=-500)

    offer = make_offer(clinic, treatment)
    offer.price_pence = -500
    assert validation_errors(offer) == {
        "price_pence": ["Ensure this value is greater than or equal to 1."]
    }


def test_a_zero_duration_is_refused():
    clinic, treatment = make_clinic(), make_treatment()
    with refused_by_database("offer_duration_positive"):
        make_offer(clinic, treatment, duration_minutes=0)

    offer = make_offer(clinic, treatment)
    offer.duration_minutes = 0
    assert validation_errors(offer) == {
        "duration_minutes": ["Ensure this value is greater than or equal to 5."]
    }


def test_an_unknown_session_type_is_refused():
    with refused_by_database("offer_session_type_valid"):
        make_offer(make_clinic(), make_treatment(), session_type="group")


def test_a_second_price_for_the_same_treatment_and_session_type_is_refused():
    clinic, treatment = make_clinic(), make_treatment()
    offer = make_offer(clinic, treatment, session_type="initial")
    with refused_by_database(duplicate_of("clinic_id", "treatment_id", "session_type")):
        make_offer(clinic, treatment, session_type="initial")

    offer.pk = None
    assert validation_errors(offer) == {
        NON_FIELD_ERRORS: ["Offer with this Clinic, Treatment and Session type already exists."]
    }


def test_the_same_treatment_in_another_session_type_is_allowed():
    clinic, treatment = make_clinic(), make_treatment()
    offer = make_offer(clinic, treatment, session_type="initial")
    offer.pk = None
    offer.session_type = "follow_up"
    offer.full_clean()
    offer.save()
    assert clinic.offers.filter(treatment=treatment).count() == 2


# Practitioners


@pytest.mark.parametrize("number", ["ph123456", "CS123456", "PH 12", "PH12345A", "PH", ""])
def test_a_badly_formed_hcpc_number_written_by_update_is_refused(number):
    practitioner = make_practitioner()
    with refused_by_database("practitioner_hcpc_number_format"):
        Practitioner.objects.filter(pk=practitioner.pk).update(hcpc_number=number)


def test_an_hcpc_number_with_a_trailing_newline_written_by_update_is_refused():
    practitioner = make_practitioner()
    with refused_by_database("practitioner_hcpc_number_format"):
        Practitioner.objects.filter(pk=practitioner.pk).update(hcpc_number="PH123\n")


def test_a_badly_formed_hcpc_number_fails_validation_on_its_field():
    practitioner = make_practitioner()
    practitioner.hcpc_number = "CS123456"
    assert validation_errors(practitioner) == {
        "hcpc_number": [
            "An HCPC physiotherapist number is PH followed by up to six digits, such as PH123456."
        ]
    }


def test_a_duplicate_hcpc_number_is_refused_however_it_is_typed():
    make_practitioner(hcpc_number="PH000777")
    with refused_by_database(duplicate_of("hcpc_number")):
        make_practitioner(hcpc_number="ph 000777")

    second = make_practitioner()
    second.hcpc_number = "PH000777"
    assert validation_errors(second) == {
        "hcpc_number": ["Practitioner with this HCPC number already exists."]
    }


# Clinics


@pytest.mark.parametrize(
    "postcode", ["sw4 7aa", "SW47AA", "SW4  7AA", " SW4 7AA", "SW4 7AC", "SW4"]
)
def test_a_postcode_not_in_normalised_form_written_by_update_is_refused(postcode):
    clinic = make_clinic()
    with refused_by_database("clinic_postcode_normalised"):
        Clinic.objects.filter(pk=clinic.pk).update(postcode=postcode)


@pytest.mark.parametrize("postcode", ["SW4 7AA", "EC1A 1BB", "W1U 6TQ", "SW19 5AE", "CR0 2RH"])
def test_the_database_accepts_every_postcode_as_python_normalises_it(postcode):
    # The constraint and normalise_postcode() must agree, or save() would write refused rows.
    clinic = make_clinic()
    Clinic.objects.filter(pk=clinic.pk).update(postcode=postcode)
    clinic.refresh_from_db()
    assert clinic.postcode == postcode


def test_a_postcode_with_a_trailing_newline_written_by_update_is_refused():
    clinic = make_clinic()
    with refused_by_database("clinic_postcode_normalised"):
        Clinic.objects.filter(pk=clinic.pk).update(postcode="SW4 7AA\n")


@pytest.mark.parametrize(
    ("typed", "normalised"), [("ec1a1bb", "EC1A 1BB"), ("sw4  7aa", "SW4 7AA")]
)
def test_validation_normalises_a_postcode_typed_loosely(typed, normalised):
    clinic = make_clinic()
    clinic.postcode = typed
    clinic.full_clean()
    assert clinic.postcode == normalised


def test_an_invalid_postcode_is_reported_once_on_its_field():
    clinic = make_clinic()
    clinic.postcode = "SW4"
    assert validation_errors(clinic) == {"postcode": ["Enter a full UK postcode, such as SW4 7AA."]}


OUTSIDE_LONDON = [
    pytest.param(52.4862, -1.8904, id="birmingham"),
    pytest.param(-0.1276, 51.5072, id="swapped"),
    pytest.param(51.27, -0.1276, id="south-of-the-box"),
    pytest.param(51.5072, 0.35, id="east-of-the-box"),
]


@pytest.mark.parametrize(("latitude", "longitude"), OUTSIDE_LONDON)
def test_a_clinic_outside_london_is_refused(latitude, longitude):
    with refused_by_database("clinic_location_in_london"):
        make_clinic(latitude=latitude, longitude=longitude)

    clinic = make_clinic()
    with refused_by_database("clinic_location_in_london"):
        Clinic.objects.filter(pk=clinic.pk).update(latitude=latitude, longitude=longitude)


def test_a_clinic_outside_london_fails_validation_on_the_coordinate_that_is_wrong():
    clinic = make_clinic()
    clinic.latitude = 52.4862
    assert validation_errors(clinic) == {
        "latitude": ["Latitude 52.4862 is outside Greater London (51.28 to 51.7)."]
    }


@pytest.mark.parametrize(("latitude", "longitude"), [(51.28, -0.52), (51.70, 0.34)])
def test_a_clinic_on_the_edge_of_the_london_box_is_allowed(latitude, longitude):
    clinic = make_clinic(latitude=latitude, longitude=longitude)
    clinic.full_clean()


# Areas


def test_a_region_with_a_parent_is_refused():
    region = make_region()
    with refused_by_database("area_parent_matches_kind"):
        make_region(parent=make_region())
    with refused_by_database("area_parent_matches_kind"):
        Area.objects.filter(pk=region.pk).update(parent=make_region())

    region.parent = make_region()
    assert validation_errors(region) == {"parent": ["A region cannot have a parent area."]}


@pytest.mark.parametrize("make_area", [make_borough, make_neighbourhood])
def test_a_borough_or_neighbourhood_without_a_parent_is_refused(make_area):
    area = make_area()
    with refused_by_database("area_parent_matches_kind"):
        Area.objects.filter(pk=area.pk).update(parent=None)

    area.parent = None
    kind = area.get_kind_display().lower()
    parent_kind = "region" if area.kind == "borough" else "borough"
    assert validation_errors(area)["parent"] == [f"A {kind} needs its parent {parent_kind}."]


def test_a_neighbourhood_whose_parent_is_a_region_fails_validation():
    neighbourhood = make_neighbourhood()
    neighbourhood.parent = make_region()
    assert validation_errors(neighbourhood) == {
        "parent": ["A neighbourhood's parent must be a borough."]
    }


def test_a_borough_whose_parent_is_a_borough_fails_validation():
    borough = make_borough()
    borough.parent = make_borough()
    assert validation_errors(borough) == {"parent": ["A borough's parent must be a region."]}


def test_areas_nested_region_borough_neighbourhood_pass_validation():
    neighbourhood = make_neighbourhood()
    for area in (neighbourhood, neighbourhood.parent, neighbourhood.parent.parent):
        area.full_clean()


@pytest.mark.parametrize(("latitude", "longitude"), OUTSIDE_LONDON)
def test_an_area_centre_outside_london_is_refused(latitude, longitude):
    with refused_by_database("area_centre_in_london"):
        make_region(latitude=latitude, longitude=longitude)


def test_an_area_centre_outside_london_fails_validation_on_each_wrong_coordinate():
    region = make_region()
    region.latitude, region.longitude = -0.1276, 51.5072
    assert validation_errors(region) == {
        "latitude": ["Latitude -0.1276 is outside Greater London (51.28 to 51.7)."],
        "longitude": ["Longitude 51.5072 is outside Greater London (-0.52 to 0.34)."],
    }


# Outward codes


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        pytest.param(40.4168, -3.7038, id="madrid"),
        pytest.param(-0.1381, 51.4622, id="swapped"),
        pytest.param(51.4622, 2.0, id="east-of-the-uk"),
    ],
)
def test_an_outward_code_centre_outside_the_uk_is_refused(latitude, longitude):
    with refused_by_database("outward_code_centre_in_uk"):
        make_outward_code(latitude=latitude, longitude=longitude)

    code = OutwardCode(code="SW4", latitude=latitude, longitude=longitude)
    assert validation_errors(code) == {
        NON_FIELD_ERRORS: ["An outward code's centre point must be in the UK."]
    }


def test_an_outward_code_outside_london_but_in_the_uk_is_kept():
    # Kept so that the search can tell a patient the directory covers London only.
    make_outward_code(code="GU1", latitude=51.24, longitude=-0.57)
    assert OutwardCode.objects.filter(code="GU1", area=None).exists()


# Photos


def test_a_photo_without_alt_text_is_refused():
    clinic = make_clinic()
    with refused_by_database("clinic_photo_has_alt_text"):
        ClinicPhoto.objects.create(clinic=clinic, image="clinics/photo.jpg", alt_text="")

    photo = ClinicPhoto(clinic=clinic, image="clinics/photo.jpg", alt_text="")
    assert validation_errors(photo) == {"alt_text": ["This field cannot be blank."]}


# Guides


def test_a_guide_with_more_usual_sessions_from_than_to_is_refused():
    guide = make_guide(sections=0, faqs=0)
    with refused_by_database("guide_sessions_min_not_above_max"):
        Guide.objects.filter(pk=guide.pk).update(sessions_min=6, sessions_max=3)

    guide.sessions_min, guide.sessions_max = 6, 3
    assert validation_errors(guide) == {
        NON_FIELD_ERRORS: ["The usual sessions 'from' cannot be more than 'to'."]
    }


@pytest.mark.parametrize(("sessions_min", "sessions_max"), [(3, 3), (3, 6), (3, None), (None, 6)])
def test_a_guide_with_an_ordered_or_open_session_range_is_allowed(sessions_min, sessions_max):
    guide = make_guide(sections=0, faqs=0, sessions_min=sessions_min, sessions_max=sessions_max)
    guide.full_clean()


def test_a_clinical_review_without_a_reviewer_is_refused():
    with refused_by_database("guide_review_names_reviewer"):
        make_guide(sections=0, faqs=0, reviewer_name="", reviewed_on=datetime.date(2026, 9, 1))

    review = make_guide(sections=0, faqs=0).reviews.get()
    review.reviewer_name = ""
    assert "reviewer_name" in validation_errors(review)


HCPC_SHAPE = "two letters and five or six digits, e.g. PH123456"
GMC_SHAPE = "seven digits, e.g. 1234567"


@pytest.mark.parametrize(
    ("register", "number", "errors"),
    [
        ("HCPC", "PH12345X", {"registration_number": [f"A HCPC number is {HCPC_SHAPE}."]}),
        ("GMC", "PH123456", {"registration_number": [f"A GMC number is {GMC_SHAPE}."]}),
        ("", "PH123456", {"register": ["Choose the register the reviewer is on."]}),
        ("HCPC", "", {"registration_number": ["Give the reviewer's registration number."]}),
    ],
)  # fmt: skip
def test_a_clinical_review_names_a_register_and_a_number_in_its_shape(register, number, errors):
    review = make_guide(sections=0, faqs=0).reviews.get()
    review.register, review.registration_number = register, number
    assert validation_errors(review) == errors


def test_a_clinical_review_cannot_be_dated_in_the_future():
    review = make_guide(sections=0, faqs=0).reviews.get()
    review.reviewed_on = timezone.localdate() + datetime.timedelta(days=2)
    assert validation_errors(review) == {
        "reviewed_on": ["A review cannot be recorded before it has happened."]
    }


def test_a_guide_has_at_most_one_draft_and_numbered_versions():
    guide = make_guide(sections=0, faqs=0)  # published: version 1
    text = guide.revisions.get().text
    GuideRevision.objects.create(guide=guide, text=text)
    with refused_by_database(duplicate_of("guide_id")):  # a second draft
        GuideRevision.objects.create(guide=guide, text=text)
    with refused_by_database(duplicate_of("guide_id", "number")):
        GuideRevision.objects.create(guide=guide, text=text, number=1, published_at=timezone.now())
    with refused_by_database("guide_revision_published_has_number"):
        GuideRevision.objects.create(guide=guide, text=text, number=2)


def test_a_second_guide_for_the_same_treatment_is_refused():
    guide = make_guide(sections=0, faqs=0)
    with refused_by_database(duplicate_of("treatment_id")):
        make_guide(treatment=guide.treatment, sections=0, faqs=0)


def test_two_sections_with_the_same_heading_in_one_guide_get_distinct_anchors():
    # Otherwise an in-page link could reach only one of them.
    guide = make_guide(sections=0, faqs=0)
    first = GuideSection.objects.create(guide=guide, heading="What to expect", body="Body")
    second = GuideSection.objects.create(guide=guide, heading="What to expect", body="Body")
    assert (first.anchor, second.anchor) == ("what-to-expect", "what-to-expect-2")


def test_a_duplicate_anchor_set_by_hand_is_refused():
    guide = make_guide(sections=0, faqs=0)
    GuideSection.objects.create(guide=guide, heading="One", anchor="same", body="Body")
    with refused_by_database(duplicate_of("guide_id", "anchor")):
        GuideSection.objects.create(guide=guide, heading="Two", anchor="same", body="Body")


def test_the_same_heading_in_two_guides_is_allowed():
    for guide in (make_guide(sections=0, faqs=0), make_guide(sections=0, faqs=0)):
        GuideSection.objects.create(guide=guide, heading="What to expect", body="Body")
    assert GuideSection.objects.filter(anchor="what-to-expect").count() == 2


# Price bands


def test_a_price_band_without_bounds_is_refused():
    with refused_by_database("price_band_has_a_bound"):
        make_price_band(min_pence=None, max_pence=None)

    band = PriceBand(label="Any price", slug="any")
    assert validation_errors(band) == {
        NON_FIELD_ERRORS: ["A price band needs a lower or an upper bound."]
    }


@pytest.mark.parametrize("max_pence", [6000, 5000])
def test_a_price_band_whose_upper_bound_is_not_above_its_lower_bound_is_refused(max_pence):
    with refused_by_database("price_band_bounds_ordered"):
        make_price_band(min_pence=6000, max_pence=max_pence)

    band = PriceBand(label="Odd band", slug="odd", min_pence=6000, max_pence=max_pence)
    assert validation_errors(band) == {
        NON_FIELD_ERRORS: ["The upper bound must be above the lower bound."]
    }


@pytest.mark.parametrize(("min_pence", "max_pence"), [(None, 6000), (6000, 8000), (8000, None)])
def test_a_price_band_with_one_bound_or_ordered_bounds_is_allowed(min_pence, max_pence):
    band = make_price_band(min_pence=min_pence, max_pence=max_pence)
    band.full_clean()


# Staff, enquiries, links between treatments, conditions and insurers


def test_a_second_membership_of_the_same_clinic_is_refused():
    clinic = make_clinic()
    user = make_staff(clinic)
    with refused_by_database(duplicate_of("user_id", "clinic_id")):
        StaffMembership.objects.create(user=user, clinic=clinic, role="editor")

    membership = StaffMembership(user=user, clinic=clinic, role="editor")
    assert validation_errors(membership) == {
        NON_FIELD_ERRORS: ["Staff membership with this User and Clinic already exists."]
    }


def test_membership_of_two_clinics_is_allowed():
    user = make_staff(make_clinic())
    StaffMembership.objects.create(user=user, clinic=make_clinic(), role="editor")
    assert user.clinic_memberships.count() == 2


def test_an_unknown_staff_role_is_refused():
    clinic, user = make_clinic(), make_user()
    with refused_by_database("staff_membership_role_valid"):
        StaffMembership.objects.create(user=user, clinic=clinic, role="admin")

    membership = StaffMembership(user=user, clinic=clinic, role="admin")
    assert validation_errors(membership) == {"role": ["Value 'admin' is not a valid choice."]}


def test_an_enquiry_answered_before_it_was_received_is_refused():
    clinic = make_clinic()
    with refused_by_database("enquiry_answered_after_created"):
        make_enquiry(clinic, answered_at=timezone.now() - datetime.timedelta(days=1))

    enquiry = make_enquiry(clinic)
    with refused_by_database("enquiry_answered_after_created"):
        Enquiry.objects.filter(pk=enquiry.pk).update(
            answered_at=enquiry.created_at - datetime.timedelta(seconds=1)
        )


def test_an_enquiry_answered_when_or_after_it_was_received_is_allowed():
    enquiry = make_enquiry(make_clinic())
    for answered_at in (enquiry.created_at, enquiry.created_at + datetime.timedelta(hours=2)):
        Enquiry.objects.filter(pk=enquiry.pk).update(answered_at=answered_at)
        enquiry.refresh_from_db()
        assert enquiry.answered_at == answered_at


def test_an_enquiry_answered_before_it_was_received_fails_validation_clearly():
    enquiry = make_enquiry(make_clinic())
    enquiry.answered_at = enquiry.created_at - datetime.timedelta(hours=1)
    assert validation_errors(enquiry) == {
        NON_FIELD_ERRORS: ["An enquiry cannot be answered before it was received."]
    }


def test_an_unknown_contact_method_is_refused():
    with refused_by_database("enquiry_contact_method_valid"):
        make_enquiry(make_clinic(), preferred_contact="fax")


def test_a_treatment_linked_twice_to_the_same_condition_is_refused():
    treatment, condition = make_treatment(), make_condition()
    TreatmentCondition.objects.create(treatment=treatment, condition=condition)
    with refused_by_database(duplicate_of("treatment_id", "condition_id")):
        TreatmentCondition.objects.create(treatment=treatment, condition=condition)

    link = TreatmentCondition(treatment=treatment, condition=condition)
    assert validation_errors(link) == {
        NON_FIELD_ERRORS: [
            "Treatment for a condition with this Treatment and Condition already exists."
        ]
    }


def test_a_practitioner_recognised_twice_by_the_same_insurer_is_refused():
    insurer = make_insurer()
    practitioner = make_practitioner(insurers=[insurer])
    with refused_by_database(duplicate_of("practitioner_id", "insurer_id")):
        InsurerRecognition.objects.create(practitioner=practitioner, insurer=insurer)


# Unique names and slugs


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (make_treatment, "slug"),
        (make_treatment, "name"),
        (make_condition, "slug"),
        (make_condition, "name"),
        (make_region, "slug"),
        (make_clinic, "slug"),
        (make_practitioner, "slug"),
        (make_insurer, "slug"),
        (make_insurer, "name"),
        (make_language, "code"),
        (make_language, "name"),
        (make_price_band, "slug"),
        (make_price_band, "label"),
        (make_outward_code, "code"),
    ],
)
def test_a_name_or_slug_used_twice_is_refused(make, field):
    first, second = make(), make()
    value = getattr(first, field)
    with refused_by_database(duplicate_of(field)):
        type(second).objects.filter(pk=second.pk).update(**{field: value})

    setattr(second, field, value)
    errors = validation_errors(second)
    assert list(errors) == [field]
    assert errors[field][0].endswith("already exists.")
