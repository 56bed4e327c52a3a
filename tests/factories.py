"""Plain functions that build valid objects, with defaults a test can override.

Each call gets fresh names and numbers from one counter, so tests never collide on unique fields.
"""

import datetime
import itertools
import time

import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinics.forms import start_time
from clinics.models import (
    Area,
    Clinic,
    Enquiry,
    Insurer,
    InsurerRecognition,
    Language,
    Offer,
    OpeningHours,
    Practitioner,
    Review,
    ReviewInvitation,
    StaffMembership,
)
from treatments.models import (
    Condition,
    Guide,
    GuideFAQ,
    GuideReview,
    GuideRevision,
    GuideSection,
    GuideText,
    Treatment,
)

_sequence = itertools.count(1)


def _next():
    return next(_sequence)


def days_ago(days):
    """London's date `days` days before today (a listing's `details_confirmed_on`)."""
    return timezone.localdate() - datetime.timedelta(days=days)


def form_started(form_class, seconds_ago=10):
    """The signed start time a form with spam traps (`form_class`) carries, as if it had been
    shown `seconds_ago` seconds ago."""
    with time_machine.travel(time.time() - seconds_ago):
        return start_time(salt=form_class.SIGNING_SALT)


def make_region(**kwargs):
    n = _next()
    defaults = {
        "name": f"Region {n}",
        "slug": f"region-{n}",
        "kind": Area.Kind.REGION,
        "latitude": 51.5072,
        "longitude": -0.1276,
    }
    return Area.objects.create(**{**defaults, **kwargs})


def make_borough(parent=None, **kwargs):
    n = _next()
    defaults = {
        "name": f"Borough {n}",
        "slug": f"borough-{n}",
        "kind": Area.Kind.BOROUGH,
        "parent": parent or make_region(),
        "latitude": 51.4607,
        "longitude": -0.1163,
    }
    return Area.objects.create(**{**defaults, **kwargs})


def make_neighbourhood(parent=None, **kwargs):
    n = _next()
    defaults = {
        "name": f"Neighbourhood {n}",
        "slug": f"neighbourhood-{n}",
        "kind": Area.Kind.NEIGHBOURHOOD,
        "parent": parent or make_borough(),
        "latitude": 51.4622,
        "longitude": -0.1381,
    }
    return Area.objects.create(**{**defaults, **kwargs})


def make_treatment(**kwargs):
    n = _next()
    defaults = {"name": f"Treatment {n}", "slug": f"treatment-{n}", "summary": "A treatment."}
    return Treatment.objects.create(**{**defaults, **kwargs})


def make_condition(**kwargs):
    n = _next()
    defaults = {"name": f"Condition {n}", "slug": f"condition-{n}", "summary": "A condition."}
    return Condition.objects.create(**{**defaults, **kwargs})


def make_guide(
    treatment=None,
    sections=2,
    faqs=2,
    reviewer_name="Dr Test Reviewer",
    reviewed_on=datetime.date(2026, 9, 1),
    **kwargs,
):
    """A guide with its rows; published ones (the default) with their version 1, and a
    clinical review unless `reviewed_on` is None."""
    defaults = {
        "treatment": treatment or make_treatment(),
        "title": "A guide",
        "seo_title": "A guide",
        "seo_description": "What the treatment is and who offers it.",
        "intro": "An *introduction*.",
        "status": Guide.Status.PUBLISHED,
    }
    guide = Guide.objects.create(**{**defaults, **kwargs})
    for i in range(sections):
        GuideSection.objects.create(guide=guide, heading=f"Section {i}", body="Body", order=i)
    for i in range(faqs):
        GuideFAQ.objects.create(guide=guide, question=f"Question {i}?", answer="Yes.", order=i)
    version = None
    if guide.is_published():
        version = GuideRevision.objects.create(
            guide=guide,
            number=1,
            text=GuideText.of_guide(guide).to_json(),
            published_at=timezone.now(),
        )
    if reviewed_on is not None:
        GuideReview.objects.create(
            guide=guide,
            version=version,
            reviewer_name=reviewer_name,
            reviewer_role="Chartered physiotherapist",
            register=GuideReview.Register.HCPC,
            registration_number="PH100001",
            reviewed_on=reviewed_on,
        )
    return guide


def make_insurer(**kwargs):
    n = _next()
    defaults = {"name": f"Insurer {n}", "slug": f"insurer-{n}"}
    return Insurer.objects.create(**{**defaults, **kwargs})


def make_language(**kwargs):
    n = _next()
    defaults = {"name": f"Language {n}", "code": f"l{n}"}
    return Language.objects.create(**{**defaults, **kwargs})


def make_clinic(area=None, **kwargs):
    n = _next()
    defaults = {
        "name": f"Clinic {n}",
        "slug": f"clinic-{n}",
        "address_line1": f"{n} High Street",
        "postcode": "SW4 7AA",
        "area": area or make_borough(),
        "latitude": 51.4622,
        "longitude": -0.1381,
        "is_published": True,
        "details_confirmed_on": datetime.date(2026, 10, 1),
    }
    return Clinic.objects.create(**{**defaults, **kwargs})


def make_listed_clinic(name, area, *, offers=(), hours=(), confirmed_days_ago=30, **kwargs):
    """A published clinic at `area`'s centre, confirmed a month ago unless told otherwise.
    offers: (treatment, pence) or (treatment, pence, session type), standard by default;
    hours: (weekday, opens, closes)."""
    defaults = {
        "details_confirmed_on": days_ago(confirmed_days_ago),
        "latitude": area.latitude,
        "longitude": area.longitude,
    }
    clinic = make_clinic(name=name, area=area, **{**defaults, **kwargs})
    for treatment, pence, *session in offers:
        session_type = session[0] if session else Offer.SessionType.STANDARD
        make_offer(clinic, treatment, price_pence=pence, session_type=session_type)
    for weekday, opens, closes in hours:
        make_opening_hours(clinic, weekday=weekday, opens=opens, closes=closes)
    return clinic


def make_opening_hours(clinic, weekday=0, opens="09:00", closes="17:00"):
    return OpeningHours.objects.create(clinic=clinic, weekday=weekday, opens=opens, closes=closes)


def make_practitioner(clinics=(), treatments=(), insurers=(), **kwargs):
    """A practitioner listed at `clinics`, whose profile the first of them keeps (its home)
    unless `home_clinic` says otherwise."""
    n = _next()
    clinics = list(clinics)
    defaults = {
        "first_name": "Alex",
        "last_name": f"Tester{n}",
        "slug": f"alex-tester-{n}",
        "hcpc_number": f"PH{n:06d}"[-8:],
        "gender": Practitioner.Gender.FEMALE,
        "home_clinic": clinics[0] if clinics else None,
    }
    practitioner = Practitioner.objects.create(**{**defaults, **kwargs})
    practitioner.clinics.set(clinics)
    practitioner.treatments.set(treatments)
    for insurer in insurers:
        InsurerRecognition.objects.create(practitioner=practitioner, insurer=insurer)
    return practitioner


def make_offer(clinic, treatment, **kwargs):
    defaults = {
        "session_type": Offer.SessionType.STANDARD,
        "price_pence": 8000,
        "duration_minutes": 45,
    }
    return Offer.objects.create(clinic=clinic, treatment=treatment, **{**defaults, **kwargs})


def make_user(verified=True, **kwargs):
    """A user who signs in with their email, verified unless `verified` is False."""
    n = _next()
    defaults = {"username": f"user{n}", "email": f"user{n}@example.com"}
    password = kwargs.pop("password", "a-long-test-password")
    user = get_user_model()(**{**defaults, **kwargs})
    user.set_password(password)
    user.save()
    if user.email:
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def make_staff(clinic, role=StaffMembership.Role.OWNER, **kwargs):
    user = make_user(**kwargs)
    StaffMembership.objects.create(user=user, clinic=clinic, role=role)
    return user


def make_enquiry(clinic, *, created_at=None, answered_at=None, **kwargs):
    """An enquiry to `clinic`, received `created_at` (now by default), answered at
    `answered_at` if given, not yet looked at for a review invitation."""
    n = _next()
    defaults = {
        "name": "Pat Patient",
        "email": f"patient{n}@example.com",
        "message": "My knee hurts after running.",
        "consent_given_at": timezone.now(),
    }
    enquiry = Enquiry.objects.create(clinic=clinic, **{**defaults, **kwargs})
    moved = {"created_at": created_at, "answered_at": answered_at}
    moved = {field: value for field, value in moved.items() if value is not None}
    if moved:
        Enquiry.objects.filter(pk=enquiry.pk).update(**moved)
        enquiry.refresh_from_db()
    return enquiry


def make_invitation(clinic, email=None, **kwargs):
    """An invitation as the worker makes one, from an enquiry: (invitation, token)."""
    enquiry = make_enquiry(clinic, **({"email": email} if email else {}))
    return ReviewInvitation.make(enquiry, **kwargs)


def make_review(clinic, rating=4, email=None, created_at=None, **kwargs):
    """A published review of `clinic`, written through an invitation of its own."""
    invitation, _ = make_invitation(clinic, email=email)
    defaults = {
        "rating": rating,
        "text": "Clear advice and a plan I could follow at home.",
        "author_name": "Sam",
        "created_at": created_at or timezone.now(),
    }
    return Review.objects.create(clinic=clinic, invitation=invitation, **{**defaults, **kwargs})
