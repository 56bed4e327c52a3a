"""Where treatments are offered: London's areas, clinics, practitioners, their prices and staff."""

import contextlib
import contextvars
import dataclasses
import datetime
import hashlib
import logging
import re
import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from django.utils.text import slugify
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record
from simple_history.utils import bulk_update_with_history

from clinics import emails
from clinics.geo import miles_between
from clinics.postcodes import (
    NORMALISED_POSTCODE_REGEX,
    normalise_outward_code,
    normalise_postcode,
    validate_outward_code,
    validate_postcode,
)
from clinics.validators import (
    HCPC_NUMBER_REGEX,
    LONDON_LATITUDE,
    LONDON_LONGITUDE,
    UK_LATITUDE,
    UK_LONGITUDE,
    normalise_hcpc_number,
    validate_hcpc_number,
    validate_london_latitude,
    validate_london_longitude,
)
from treatments.models import Guide, PublishedQuerySet, Treatment, months_ago
from treatments.slugs import first_free

logger = logging.getLogger(__name__)


def unique_slug(model, text, pk=None):
    """A slug for `text` not used by another row of `model`: 'ada-okafor', 'ada-okafor-2'..."""
    base = slugify(text)[:120] or model._meta.model_name
    taken = set(
        model.objects.filter(slug__startswith=base).exclude(pk=pk).values_list("slug", flat=True)
    )
    return first_free(base, taken)


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _within(latitude_range, longitude_range):
    """A Q() for coordinates inside a box, used by the CheckConstraints below."""
    return Q(
        **{
            "latitude__gte": latitude_range[0],
            "latitude__lte": latitude_range[1],
            "longitude__gte": longitude_range[0],
            "longitude__lte": longitude_range[1],
        }
    )


class AreaQuerySet(models.QuerySet):
    def regions(self):
        return self.filter(kind=Area.Kind.REGION)

    def boroughs(self):
        return self.filter(kind=Area.Kind.BOROUGH)

    def neighbourhoods(self):
        return self.filter(kind=Area.Kind.NEIGHBOURHOOD)

    def tree(self):
        """London's regions, each with its boroughs and theirs with their neighbourhoods
        (`children`, prefetched, in name order): three queries."""
        return self.regions().prefetch_related(
            Prefetch(
                "children",
                queryset=Area.objects.boroughs().prefetch_related(
                    Prefetch("children", queryset=Area.objects.order_by("name"))
                ),
            )
        )

    def with_clinic_counts(self, clinics):
        """The areas holding any of `clinics`, each with how many of them, busiest first."""
        return (
            self.filter(clinics__in=clinics)
            .annotate(clinic_count=Count("clinics", distinct=True))
            .order_by("-clinic_count", "name")
        )


# Choices that a model's constraints name are defined outside it (and given to it as an
# attribute, Area.Kind): the class Meta inside a model cannot see the model's own names.


class AreaKind(models.TextChoices):
    REGION = "region", "Region"
    BOROUGH = "borough", "Borough"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"


class Area(models.Model):
    """A part of London: a sub-region, a borough (or the City) or a neighbourhood in a borough.
    Its page, a search landing page, is the public site's (ABSOLUTE_URL_OVERRIDES)."""

    Kind = AreaKind

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in page addresses.")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="A borough's region, or a neighbourhood's borough. Regions have none.",
    )
    latitude = models.FloatField(validators=[validate_london_latitude])
    longitude = models.FloatField(validators=[validate_london_longitude])
    description = models.TextField(blank=True, help_text="A short introduction for its page.")

    objects = AreaQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=AreaKind.REGION, parent__isnull=True)
                | Q(kind__in=[AreaKind.BOROUGH, AreaKind.NEIGHBOURHOOD], parent__isnull=False),
                name="area_parent_matches_kind",
                violation_error_message="Regions have no parent; boroughs and neighbourhoods do.",
            ),
            models.CheckConstraint(
                condition=_within(LONDON_LATITUDE, LONDON_LONGITUDE),
                name="area_centre_in_london",
                violation_error_message="An area's centre point must be inside Greater London.",
            ),
        ]

    def __str__(self):
        return self.name

    def nearest(self, areas, limit=6):
        """The other areas of this one's kind among `areas`, nearest first (for "nearby
        areas" links)."""
        others = [area for area in areas if area.kind == self.kind and area.pk != self.pk]
        return sorted(
            others,
            key=lambda o: float(
                miles_between(self.latitude, self.longitude, o.latitude, o.longitude)
            ),
        )[:limit]

    def clean(self):
        expected_parent_kind = {
            self.Kind.BOROUGH: self.Kind.REGION,
            self.Kind.NEIGHBOURHOOD: self.Kind.BOROUGH,
        }.get(self.kind)
        if expected_parent_kind and not self.parent_id:
            raise ValidationError(
                {
                    "parent": f"A {self.get_kind_display().lower()} needs its parent "
                    f"{expected_parent_kind.label.lower()}."
                }
            )
        if self.parent_id and self.parent.kind != expected_parent_kind:
            if expected_parent_kind is None:
                raise ValidationError({"parent": "A region cannot have a parent area."})
            raise ValidationError(
                {
                    "parent": f"A {self.get_kind_display().lower()}'s parent must be a "
                    f"{expected_parent_kind.label.lower()}."
                }
            )


class OutwardCodeQuerySet(models.QuerySet):
    def in_london(self):
        return self.filter(area__isnull=False)

    def near_in_number(self, code, limit=5):
        """Known London codes of the same postcode area closest in number to `code`:
        for an unknown 'SW99', ['SW9', 'SW19', ...]. Used to suggest what was meant."""
        letters, number = re.match(r"([A-Z]+)(\d*)", code).groups()
        candidates = [
            known
            for known in self.in_london()
            .filter(code__startswith=letters)
            .values_list("code", flat=True)
            if re.match(r"[A-Z]+", known)[0] == letters
        ]

        def distance(known):
            return abs(int(re.match(r"[A-Z]+(\d+)", known)[1]) - int(number or 0))

        return sorted(candidates, key=lambda known: (distance(known), known))[:limit]


class OutwardCode(models.Model):
    """A postcode district ("SW4") with its centre point and the London area it belongs to.

    Codes outside London are kept with no area, so that a patient typing one is told the
    directory covers London rather than that the postcode does not exist.
    """

    code = models.CharField(max_length=4, unique=True, validators=[validate_outward_code])
    area = models.ForeignKey(
        Area, on_delete=models.SET_NULL, null=True, blank=True, related_name="outward_codes"
    )
    latitude = models.FloatField()
    longitude = models.FloatField()

    objects = OutwardCodeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=_within(UK_LATITUDE, UK_LONGITUDE),
                name="outward_code_centre_in_uk",
                violation_error_message="An outward code's centre point must be in the UK.",
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalise_outward_code(self.code)
        super().save(*args, **kwargs)


class Insurer(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    website = models.URLField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Language(models.Model):
    """A language a practitioner can treat in."""

    name = models.CharField(max_length=60, unique=True)
    code = models.SlugField(max_length=10, unique=True, help_text="ISO 639-1, such as 'pl'.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# How long a clinic's word on its next new-patient appointment holds unless refreshed.
NEXT_AVAILABLE_LIFETIME = datetime.timedelta(days=14)
# "This week", said on a day, means by the sixth day after it.
THIS_WEEK = datetime.timedelta(days=6)


@dataclass(frozen=True)
class NextAvailable:
    """A clinic's word on when a new patient can next be seen: on a day, or "this week"
    (then `on` is the last day of that week), said on `set_on`."""

    on: datetime.date
    this_week: bool
    set_on: datetime.date

    def within(self, days, today=None):
        today = today or timezone.localdate()
        return self.on <= today + datetime.timedelta(days=days)

    @property
    def shown_until(self):
        """The last day it shows, unless said again: its own day, or the end of its life."""
        return min(self.on, self.set_on + NEXT_AVAILABLE_LIFETIME - datetime.timedelta(days=1))


class ClinicQuerySet(PublishedQuerySet):
    def listed(self):
        """Published clinics shown in searches and counted on index pages: those whose
        details were confirmed (or, never confirmed, created) within
        LISTING_HIDDEN_AFTER_MONTHS. Annotated with that date as `confirmed`."""
        confirmed = Coalesce(
            "details_confirmed_on", TruncDate("created_at"), output_field=models.DateField()
        )
        return (
            self.published()
            .annotate(confirmed=confirmed)
            .filter(confirmed__gte=months_ago(settings.LISTING_HIDDEN_AFTER_MONTHS))
        )

    def to_be_hidden_within(self, days):
        """Listed clinics that leave the search within `days` days (their details will have
        gone unconfirmed for LISTING_HIDDEN_AFTER_MONTHS) unless they confirm them first."""
        cutoff = months_ago(settings.LISTING_HIDDEN_AFTER_MONTHS) + datetime.timedelta(days=days)
        return self.listed().filter(confirmed__lt=cutoff)

    def offering(self, treatment):
        # Exists rather than a join keeps one row per clinic without DISTINCT.
        return self.filter(Exists(Offer.objects.filter(clinic=OuterRef("pk"), treatment=treatment)))

    def in_area(self, area):
        """Clinics in an area or in any area inside it (areas nest at most three deep). The
        areas are found first, so that the clinics come from the index on their area."""
        inside = Area.objects.filter(Q(pk=area.pk) | Q(parent=area) | Q(parent__parent=area))
        return self.filter(area__in=inside.values("pk"))

    def for_listing(self):
        """Published clinics with what a result card shows, in two queries: the clinics with
        their area and its parent and their first photo (a thumbnail, else the image, and its
        alt text, as subqueries of the same statement), and their opening hours. Prices,
        distance, freshness and whether practitioners' registrations were checked come from
        the search (clinics/search.py); the next new-patient appointment is the clinic's own
        columns."""
        first_photo = ClinicPhoto.objects.filter(clinic=OuterRef("pk")).order_by("order", "pk")
        return (
            self.published()
            .select_related("area", "area__parent")
            .annotate(
                photo_thumbnail=Subquery(
                    first_photo.annotate(
                        file=Coalesce(
                            NullIf("thumbnail", Value("")), "image", output_field=models.CharField()
                        )
                    ).values("file")[:1]
                ),
                photo_alt_text=Subquery(first_photo.values("alt_text")[:1]),
            )
            .prefetch_related("opening_hours")
        )

    def with_overdue_reports(self, now=None):
        """Clinics whose staff have left a report of an error (on the clinic, or on a
        practitioner it keeps) open longer than REPORT_OVERDUE_DAYS."""
        return self.with_reports(ErrorReport.objects.overdue(now))

    def with_reports(self, reports):
        return self.filter(
            Q(pk__in=reports.values("clinic"))
            | Q(pk__in=reports.values("practitioner__home_clinic"))
        )

    def area_counts(self, parents=None):
        """{area id: clinics}, a neighbourhood's clinics counted in its borough and region
        too. One query, and one more for the area tree unless `parents` ({id: parent id})
        is given."""
        direct = dict(self.order_by().values_list("area").annotate(clinics=Count("pk")))
        if parents is None:
            parents = dict(Area.objects.values_list("pk", "parent_id"))
        counts = {}
        for area_id, clinic_count in direct.items():
            while area_id is not None:
                counts[area_id] = counts.get(area_id, 0) + clinic_count
                area_id = parents.get(area_id)
        return counts

    def for_profile(self):
        """Published clinics with everything their profile page shows, in a fixed number of
        queries: one per related list, whatever its length."""
        return (
            self.published()
            .annotate(has_staff=Exists(StaffMembership.objects.filter(clinic=OuterRef("pk"))))
            .select_related("area", "area__parent")
            .prefetch_related(
                "opening_hours",
                "photos",
                Prefetch(
                    "offers",
                    queryset=Offer.objects.select_related("treatment").order_by(
                        "treatment__name", session_rank()
                    ),
                ),
                Prefetch(
                    "practitioners",
                    queryset=Practitioner.objects.published().prefetch_related(
                        "languages",
                        Prefetch(
                            "insurer_recognitions",
                            queryset=InsurerRecognition.objects.by_insurer(),
                        ),
                    ),
                ),
            )
        )


class Clinic(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    description = models.TextField(blank=True)

    address_line1 = models.CharField("address", max_length=150)
    address_line2 = models.CharField("address (line 2)", max_length=150, blank=True)
    town = models.CharField(max_length=60, default="London")
    # Longer than a postcode, so that one typed with extra spaces reaches normalising.
    postcode = models.CharField(
        max_length=12, validators=[validate_postcode], help_text="A full postcode, such as SW4 7AA."
    )
    # The postcode's district, kept apart for admins to list and filter by.
    outward_code = models.CharField(max_length=4, editable=False, db_index=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="clinics")
    latitude = models.FloatField(validators=[validate_london_latitude])
    longitude = models.FloatField(validators=[validate_london_longitude])

    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)

    step_free_access = models.BooleanField("step-free entrance", default=False)
    has_lift = models.BooleanField("lift", default=False)
    accessible_toilet = models.BooleanField(default=False)
    parking = models.CharField(
        max_length=150, blank=True, help_text="For example: two free bays behind the building."
    )
    nearest_station = models.CharField(max_length=100, blank=True)
    home_visits = models.BooleanField(default=False)
    video_consultations = models.BooleanField(default=False)
    accepting_new_patients = models.BooleanField(default=True)
    # The clinic's word on its next new-patient appointment (see next_available()): it holds
    # for NEXT_AVAILABLE_LIFETIME after it was said, unless said again.
    next_available_on = models.DateField(
        "next new-patient appointment",
        null=True,
        blank=True,
        help_text="Set by the clinic. For “this week”, the last day of that week.",
    )
    next_available_this_week = models.BooleanField(
        "said “this week”", default=False, help_text="Rather than a day."
    )
    next_available_set_on = models.DateField(
        "next appointment given on",
        null=True,
        blank=True,
        help_text="When the clinic last said it; it stops showing 14 days later.",
    )

    is_published = models.BooleanField("published", default=False)
    verified_on = models.DateField(
        null=True, blank=True, help_text="When an admin last checked that this clinic is real."
    )
    details_confirmed_on = models.DateField(
        null=True, blank=True, help_text="When the clinic last confirmed its details are correct."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClinicQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(postcode__regex=NORMALISED_POSTCODE_REGEX),
                name="clinic_postcode_normalised",
                violation_error_message="The postcode must be a full postcode such as SW4 7AA.",
            ),
            models.CheckConstraint(
                condition=_within(LONDON_LATITUDE, LONDON_LONGITUDE),
                name="clinic_location_in_london",
                violation_error_message="The clinic's location must be inside Greater London.",
            ),
            models.CheckConstraint(
                condition=Q(
                    next_available_on__isnull=True,
                    next_available_set_on__isnull=True,
                    next_available_this_week=False,
                )
                | Q(
                    next_available_on__isnull=False,
                    next_available_set_on__isnull=False,
                    next_available_on__gte=F("next_available_set_on"),
                ),
                name="clinic_next_available_complete",
                violation_error_message="A next appointment needs its day and the day it was "
                "given, and cannot be before that day.",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Normalising here, not only in forms, keeps imports and the shell honest too.
        self.postcode = normalise_postcode(self.postcode)
        self.outward_code = self.postcode.split(" ")[0]
        if kwargs.get("update_fields") and "postcode" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "outward_code"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("clinics:clinic-detail", args=[self.slug])

    def clean(self):
        # A bad postcode is left as typed: the field's validator reports it, once.
        if self.postcode:
            with contextlib.suppress(ValidationError):
                self.postcode = normalise_postcode(self.postcode)

    def is_verified(self):
        return self.verified_on is not None

    is_verified.boolean = True

    def confirmed_on(self):
        """When the clinic last confirmed its details or, never confirmed, was listed (as
        ClinicQuerySet.listed() reckons it)."""
        return self.details_confirmed_on or timezone.localtime(self.created_at).date()

    @cached_property
    def is_stale(self):
        """Not confirmed for LISTING_STALE_AFTER_MONTHS: marked, and sorted after fresh ones.
        (A search hands over the listings index's own answer, ListingsIndex.stale().)"""
        return self.confirmed_on() < months_ago(settings.LISTING_STALE_AFTER_MONTHS)

    def shows_verified(self):
        """The "Verified" badge: an admin checked the clinic, and it keeps its details
        confirmed. A listing nobody keeps up never wears it, whatever was checked once."""
        return self.verified_on is not None and not self.is_stale

    def next_available(self, today=None):
        """The clinic's word on its next new-patient appointment while it holds, as a
        NextAvailable; None when it was never given, is NEXT_AVAILABLE_LIFETIME old, its day
        has passed, or the clinic takes no new patients."""
        today = today or timezone.localdate()
        if (
            not self.accepting_new_patients
            or self.next_available_on is None
            or self.next_available_on < today
            or self.next_available_set_on + NEXT_AVAILABLE_LIFETIME <= today
        ):
            return None
        return NextAvailable(
            self.next_available_on, self.next_available_this_week, self.next_available_set_on
        )

    def set_next_available(self, on=None, this_week=False, today=None):
        """Record the clinic's word on its next new-patient appointment, given today: a day,
        "this week", or neither (nothing shows)."""
        today = today or timezone.localdate()
        if this_week:
            on = today + THIS_WEEK
        self.next_available_on = on
        self.next_available_this_week = bool(on and this_week)
        self.next_available_set_on = today if on else None
        self.save(
            update_fields=[
                "next_available_on",
                "next_available_this_week",
                "next_available_set_on",
                "updated_at",
            ]
        )

    def first_session(self):
        """The cheapest first appointment (FIRST_SESSION_TYPES), of any treatment, from the
        prefetched offers: the clinic page's "from" price, as a result card's comes from the
        search. None when the clinic lists no such session."""
        first = [o for o in self.offers.all() if o.session_type in FIRST_SESSION_TYPES]
        return min(first, key=lambda offer: offer.price_pence, default=None)

    def address_lines(self):
        return [line for line in (self.address_line1, self.address_line2, self.town) if line]

    def next_opening_or_closing(self, after):
        """When "open now" next changes after the moment `after`, from the prefetched hours:
        the next opening or closing time in London within a week, or None without hours."""
        start = timezone.localtime(after)
        moments = (
            timezone.make_aware(datetime.datetime.combine(day, time))
            for day in (start.date() + datetime.timedelta(days=n) for n in range(8))
            for hours in self.opening_hours.all()
            if hours.weekday == day.weekday()
            for time in (hours.opens, hours.closes)
        )
        return min((moment for moment in moments if moment > after), default=None)

    def structured_data(self, absolute_url):
        """Schema.org MedicalClinic JSON-LD: address, geo, opening hours and offers in GBP.
        Uses the prefetched opening hours and offers of for_profile()."""
        data = {
            "@context": "https://schema.org",
            "@type": ["MedicalClinic", "Physiotherapy"],
            "name": self.name,
            "url": absolute_url(self.get_absolute_url()),
            "address": {
                "@type": "PostalAddress",
                "streetAddress": ", ".join(filter(None, [self.address_line1, self.address_line2])),
                "addressLocality": self.town,
                "postalCode": self.postcode,
                "addressCountry": "GB",
            },
            "geo": {
                "@type": "GeoCoordinates",
                "latitude": self.latitude,
                "longitude": self.longitude,
            },
            "openingHoursSpecification": [
                {
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": f"https://schema.org/{hours.get_weekday_display()}",
                    "opens": f"{hours.opens:%H:%M}",
                    "closes": f"{hours.closes:%H:%M}",
                }
                for hours in self.opening_hours.all()
            ],
            "makesOffer": [
                {
                    "@type": "Offer",
                    "name": f"{offer.treatment.name}: {offer.get_session_type_display()}",
                    "price": f"{offer.price:.2f}",
                    "priceCurrency": "GBP",
                }
                for offer in self.offers.all()
            ],
        }
        if self.phone:
            data["telephone"] = self.phone
        if self.description:
            data["description"] = self.description
        return data

    def review_structured_data(self, rating, reviews):
        """The clinic's AggregateRating and its latest published reviews as Schema.org
        Review, for its JSON-LD (nothing without a published review). Google shows review
        stars for a LocalBusiness only where the business does not control its reviews: here
        we collect them, from patients who enquired through the site, and the clinic can
        neither write, choose nor remove them. Removed reviews are never marked up."""
        if not rating:
            return {}
        return {
            "aggregateRating": {
                "@type": "AggregateRating",
                "ratingValue": f"{rating.average}",
                "bestRating": "5",
                "worstRating": "1",
                "ratingCount": rating.count,
                "reviewCount": rating.count,
            },
            "review": [
                {
                    "@type": "Review",
                    "author": {"@type": "Person", "name": review.author_name},
                    "datePublished": f"{timezone.localtime(review.created_at):%Y-%m-%d}",
                    "reviewBody": review.text,
                    "reviewRating": {
                        "@type": "Rating",
                        "ratingValue": str(review.rating),
                        "bestRating": "5",
                        "worstRating": "1",
                    },
                }
                for review in reviews
                if review.status == Review.Status.PUBLISHED
            ],
        }

    def assign_slug(self):
        self.slug = unique_slug(Clinic, f"{self.name} {self.postcode}", self.pk)

    def treatments_offered(self):
        return Treatment.objects.published().filter(offers__clinic=self).distinct()

    def treatments_listed(self):
        """treatments_offered(), from the prefetched offers (for_profile()): by name."""
        treatments = {o.treatment for o in self.offers.all() if o.treatment.is_published}
        return sorted(treatments, key=lambda t: (t.name, t.pk))

    def move_to(self, outward_code):
        """Place the clinic at a (known, London) outward code's area and centre point."""
        self.area = outward_code.area
        self.latitude, self.longitude = outward_code.latitude, outward_code.longitude

    def photo_slots_left(self):
        return max(settings.PHOTO_QUOTA_PER_CLINIC - self.photos.count(), 0)

    def listing_state(self, today=None):
        """Whether this listing is in the search and, if not, why, for its dashboard:
        {"state": one of awaiting_verification, not_verified (with "reason"), unpublished,
        hidden, stale, listed; "months": since details were last confirmed (or the clinic
        was added)}."""
        today = today or timezone.localdate()
        confirmed = self.confirmed_on()
        months = (today.year - confirmed.year) * 12 + today.month - confirmed.month
        months -= today.day < confirmed.day
        state = {"months": months}
        if not self.is_published:
            latest = self.verification_requests.order_by("-created_at").first()
            if latest is not None and latest.status == Decision.REFUSED:
                return state | {"state": "not_verified", "reason": latest.reason}
            if self.verified_on is None or (latest and latest.status == Decision.PENDING):
                return state | {"state": "awaiting_verification"}
            return state | {"state": "unpublished"}
        if confirmed < months_ago(settings.LISTING_HIDDEN_AFTER_MONTHS, today):
            return state | {"state": "hidden"}
        if confirmed < months_ago(settings.LISTING_STALE_AFTER_MONTHS, today):
            return state | {"state": "stale"}
        return state | {"state": "listed"}

    # What makes a listing complete: (what, the portal page where it is done). The search
    # ranks complete listings first (clinics/index.py counts these for every clinic at once).
    CHECKLIST = [
        ("A photo of the clinic", "portal:photos"),
        ("Opening hours", "portal:hours"),
        ("Prices for each treatment", "portal:offers"),
        ("Practitioners, with their HCPC numbers", "portal:practitioners"),
        ("Insurers that recognise your practitioners", "portal:practitioners"),
    ]

    def checklist(self):
        """CHECKLIST, each item with whether it is done: [(what, done, portal page name)]."""
        priced = set(self.offers.values_list("treatment_id", flat=True))
        # Published ones: those patients see.
        practitioners = self.practitioners.published()
        offered = Treatment.objects.filter(practitioners__in=practitioners).distinct()
        unpriced = [t.name for t in offered if t.pk not in priced]
        done = [
            self.photos.exists(),
            self.opening_hours.exists(),
            bool(priced) and not unpriced,
            practitioners.exists(),
            practitioners.filter(insurer_recognitions__isnull=False).exists(),
        ]
        items = [
            (what, finished, page)
            for (what, page), finished in zip(self.CHECKLIST, done, strict=True)
        ]
        if unpriced:
            what, finished, page = items[2]
            items[2] = (f"{what} (none yet for {', '.join(unpriced)})", finished, page)
        return items

    def owner_emails(self):
        return self.memberships.owners().emails()

    def staff_emails(self):
        return self.memberships.emails()

    def export_data(self):
        """All of this clinic's own data as plain JSON-ready values, for the clinic to keep."""
        fields = [
            "name", "slug", "description", "address_line1", "address_line2", "town", "postcode",
            "latitude", "longitude", "phone", "email", "website", "step_free_access", "has_lift",
            "accessible_toilet", "parking", "nearest_station", "home_visits",
            "video_consultations", "accepting_new_patients", "is_published", "verified_on",
            "details_confirmed_on", "created_at", "updated_at",
        ]  # fmt: skip
        return {
            "clinic": {field: _jsonable(getattr(self, field)) for field in fields}
            | {"area": self.area.name},
            "opening_hours": [
                {
                    "day": h.get_weekday_display(),
                    "opens": f"{h.opens:%H:%M}",
                    "closes": f"{h.closes:%H:%M}",
                }
                for h in self.opening_hours.all()
            ],
            "offers": [
                {
                    "treatment": o.treatment.name,
                    "session_type": o.get_session_type_display(),
                    "price": f"{o.price:.2f}",
                    "currency": "GBP",
                    "duration_minutes": o.duration_minutes,
                    "price_confirmed_on": _jsonable(o.price_confirmed_on),
                }
                for o in self.offers.by_treatment()
            ],
            "practitioners": [
                {
                    "name": p.full_name,
                    "hcpc_number": p.hcpc_number,
                    "hcpc_checked_on": _jsonable(p.hcpc_checked_on),
                    "gender": p.gender,
                    "languages": [language.name for language in p.languages.all()],
                    "treatments": [treatment.name for treatment in p.treatments.all()],
                    "insurers": [
                        {"insurer": r.insurer.name, "provider_number": r.provider_number}
                        for r in p.insurer_recognitions.all()
                    ],
                    "bio": p.bio,
                }
                for p in self.practitioners.prefetch_related(
                    "languages",
                    "treatments",
                    Prefetch(
                        "insurer_recognitions",
                        queryset=InsurerRecognition.objects.by_insurer(),
                    ),
                )
            ],
            "photos": [
                {"file": photo.image.name, "alt_text": photo.alt_text, "order": photo.order}
                for photo in self.photos.all()
            ],
            "enquiries": [
                {
                    "received": _jsonable(e.created_at),
                    "name": e.name,
                    "email": e.email,
                    "phone": e.phone,
                    "preferred_contact": e.preferred_contact,
                    "treatment": e.treatment.name if e.treatment else None,
                    "message": e.message,
                    "consent_given_at": _jsonable(e.consent_given_at),
                    "read_at": _jsonable(e.read_at),
                    "answered_at": _jsonable(e.answered_at),
                }
                for e in self.enquiries.select_related("treatment")
            ],
        }

    def confirm_details(self, today=None):
        """The clinic says its listing, prices included, is still right: record the day."""
        today = today or timezone.localdate()
        self.details_confirmed_on = today
        self.save(update_fields=["details_confirmed_on", "updated_at"])
        offers = list(self.offers.all())
        for offer in offers:
            offer.price_confirmed_on = today
        # With history, so the audit shows each price being confirmed (as part of the same
        # action, when one is being recorded).
        bulk_update_with_history(
            offers, Offer, ["price_confirmed_on"], default_change_reason=current_change_reason()
        )


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")),
                name="opening_hours_close_after_open",
                violation_error_message="Closing time must be after opening time.",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6),
                name="opening_hours_weekday_valid",
                violation_error_message="The weekday must be Monday to Sunday.",
            ),
            # Several intervals a day are fine (closed for lunch), but not two starting together.
            models.UniqueConstraint(
                fields=["clinic", "weekday", "opens"], name="opening_hours_unique_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class PractitionerQuerySet(PublishedQuerySet):
    def for_listing(self):
        """Published practitioners with their clinics, languages and insurers, prefetched."""
        return self.published().prefetch_related(
            Prefetch("clinics", queryset=Clinic.objects.published().select_related("area")),
            "languages",
            "treatments",
            Prefetch(
                "insurer_recognitions",
                queryset=InsurerRecognition.objects.by_insurer(),
            ),
        )

    def for_search_card(self):
        """Practitioners with what a search result shows: their clinics and insurers."""
        return self.order_by("last_name", "first_name", "pk").prefetch_related(
            Prefetch("clinics", queryset=Clinic.objects.select_related("area")),
            Prefetch(
                "insurer_recognitions",
                queryset=InsurerRecognition.objects.by_insurer(),
            ),
        )


class Practitioner(models.Model):
    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        NON_BINARY = "non_binary", "Non-binary"

    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=130, unique=True)
    hcpc_number = models.CharField(
        "HCPC number",
        max_length=8,
        unique=True,
        validators=[validate_hcpc_number],
        help_text="The Health and Care Professions Council registration, such as PH123456.",
    )
    hcpc_checked_on = models.DateField(
        "HCPC register checked on",
        null=True,
        blank=True,
        help_text="When an admin last found this number on the HCPC register.",
    )
    is_csp_member = models.BooleanField("CSP member", default=False)
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    languages = models.ManyToManyField(Language, blank=True, related_name="practitioners")
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="practitioners/", blank=True)
    treatments = models.ManyToManyField(Treatment, blank=True, related_name="practitioners")
    clinics = models.ManyToManyField(Clinic, blank=True, related_name="practitioners")
    home_clinic = models.ForeignKey(
        Clinic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="home_practitioners",
        help_text="The clinic whose staff keep this profile (name, HCPC number, bio, languages, "
        "insurers). Other clinics list the practitioner only with its approval, or an "
        "admin's. Empty: only admins edit the profile.",
    )
    insurers = models.ManyToManyField(
        Insurer, through="InsurerRecognition", blank=True, related_name="practitioners"
    )
    is_published = models.BooleanField("published", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PractitionerQuerySet.as_manager()

    # The many-to-many links are recorded too: joining or leaving a clinic is a change.
    history = HistoricalRecords(m2m_fields=[clinics, treatments, languages])

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hcpc_number__regex=HCPC_NUMBER_REGEX),
                name="practitioner_hcpc_number_format",
                violation_error_message="An HCPC number is PH followed by up to six digits.",
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.hcpc_number = normalise_hcpc_number(self.hcpc_number)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("clinics:practitioner-detail", args=[self.slug])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    def set_hcpc_number(self, number):
        """A new number has not been checked: clear the date until an admin checks it."""
        if number != self.hcpc_number:
            self.hcpc_number = number
            self.hcpc_checked_on = None

    def assign_slug(self):
        self.slug = unique_slug(Practitioner, f"{self.first_name} {self.last_name}", self.pk)

    def is_registration_checked(self):
        return self.hcpc_checked_on is not None

    is_registration_checked.boolean = True

    def is_kept_by(self, clinic):
        """Whether `clinic`'s staff may change this profile: only its home clinic's may."""
        return self.home_clinic_id is not None and self.home_clinic_id == clinic.pk

    def hcpc_register_url(self):
        """The HCPC's public register, where an admin checks the number (a search page)."""
        return f"https://www.hcpc-uk.org/check-the-register/?query={self.hcpc_number}"


class InsurerRecognitionQuerySet(models.QuerySet):
    def by_insurer(self):
        """With their insurers, by the insurer's name: as every page and form lists them."""
        return self.select_related("insurer").order_by("insurer__name")


class InsurerRecognition(models.Model):
    """Insurers recognise people, not buildings: a practitioner registered with an insurer."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="insurer_recognitions"
    )
    insurer = models.ForeignKey(Insurer, on_delete=models.PROTECT, related_name="recognitions")
    provider_number = models.CharField(max_length=40, blank=True)

    history = HistoricalRecords()

    objects = InsurerRecognitionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "insurer"], name="insurer_recognition_unique"
            ),
        ]

    def __str__(self):
        return f"{self.practitioner} with {self.insurer}"


class SessionType(models.TextChoices):
    """In the order a patient meets them, used wherever session types are listed."""

    INITIAL = "initial", "Initial assessment"
    FOLLOW_UP = "follow_up", "Follow-up session"
    STANDARD = "standard", "Standard session"
    ADD_ON = "add_on", "Added to another session"


SESSION_ORDER = SessionType.values
# What a patient can start treatment with: a card's and a clinic page's "from" price.
FIRST_SESSION_TYPES = (SessionType.INITIAL, SessionType.STANDARD)


def session_rank():
    """An expression ranking session types in SESSION_ORDER, for order_by()."""
    return Case(*[When(session_type=value, then=Value(i)) for i, value in enumerate(SESSION_ORDER)])


class OfferQuerySet(models.QuerySet):
    def by_treatment(self):
        """With their treatments, by treatment name then session type: as the portal's price
        table and the clinic's export list them."""
        return self.select_related("treatment").order_by("treatment__name", "session_type")


class Offer(models.Model):
    """A clinic's price for a treatment in one kind of session."""

    SessionType = SessionType

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="offers")
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="offers")
    session_type = models.CharField(max_length=10, choices=SessionType)
    # Whole pence: money is never a float here.
    price_pence = models.PositiveIntegerField(
        "price (pence)",
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text="In pence: £85.00 is 8500.",
    )
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    price_confirmed_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    objects = OfferQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "treatment", "session_type"], name="offer_unique_per_session"
            ),
            models.CheckConstraint(
                condition=Q(price_pence__gt=0),
                name="offer_price_positive",
                violation_error_message="The price must be more than zero.",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0),
                name="offer_duration_positive",
                violation_error_message="The duration must be more than zero minutes.",
            ),
            models.CheckConstraint(
                condition=Q(session_type__in=SessionType.values),
                name="offer_session_type_valid",
            ),
        ]

    def __str__(self):
        return f"{self.treatment} ({self.get_session_type_display()}) at {self.clinic}"

    @property
    def price(self):
        return Decimal(self.price_pence) / 100


class PriceBand(models.Model):
    """A range a patient picks from when searching ("under £60", "£60 to £80")."""

    label = models.CharField(max_length=40, unique=True, help_text="As patients see it.")
    slug = models.SlugField(max_length=40, unique=True)
    # Whole pence; a band includes its lower bound and excludes its upper bound.
    min_pence = models.PositiveIntegerField("from (pence)", null=True, blank=True)
    max_pence = models.PositiveIntegerField("up to (pence)", null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "min_pence"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_pence__isnull=False) | Q(max_pence__isnull=False),
                name="price_band_has_a_bound",
                violation_error_message="A price band needs a lower or an upper bound.",
            ),
            models.CheckConstraint(
                condition=Q(min_pence__isnull=True)
                | Q(max_pence__isnull=True)
                | Q(max_pence__gt=F("min_pence")),
                name="price_band_bounds_ordered",
                violation_error_message="The upper bound must be above the lower bound.",
            ),
        ]

    def __str__(self):
        return self.label

    def filter_offers(self, offers):
        """Narrow an Offer queryset to prices inside this band."""
        if self.min_pence is not None:
            offers = offers.filter(price_pence__gte=self.min_pence)
        if self.max_pence is not None:
            offers = offers.filter(price_pence__lt=self.max_pence)
        return offers

    def contains(self, pence):
        return (self.min_pence is None or pence >= self.min_pence) and (
            self.max_pence is None or pence < self.max_pence
        )


def clinic_photo_path(instance, filename):
    # The server chooses the name: nothing the uploader typed reaches the file system.
    return f"clinics/{uuid.uuid4().hex}.jpg"


class ClinicPhoto(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=clinic_photo_path)
    thumbnail = models.ImageField(upload_to=clinic_photo_path, blank=True)
    alt_text = models.CharField(
        max_length=200, help_text="What the photo shows, for people who cannot see it."
    )
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(alt_text=""),
                name="clinic_photo_has_alt_text",
                violation_error_message="Describe the photo for people who cannot see it.",
            ),
        ]

    def __str__(self):
        return self.alt_text


class StaffMembershipQuerySet(models.QuerySet):
    def owners(self):
        return self.filter(role=StaffMembership.Role.OWNER)

    def by_email(self):
        return self.select_related("user").order_by("user__email")

    def emails(self):
        return list(self.order_by("user__email").values_list("user__email", flat=True))


class StaffRole(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"


class StaffMembership(models.Model):
    Role = StaffRole

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_memberships"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    objects = StaffMembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "clinic"], name="staff_membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=StaffRole.values), name="staff_membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) at {self.clinic}"


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        cutoff = timezone.now() - datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        return self.filter(accepted_at=None, created_at__gte=cutoff)

    def waiting_for(self, user):
        """Usable invitations sent to one of `user`'s verified addresses."""
        verified = EmailAddress.objects.filter(user=user, verified=True).values("email")
        return self.usable().filter(email__in=verified).select_related("clinic")


class Invitation(models.Model):
    """An owner's invitation for a colleague to join a clinic's staff. The emailed link is
    signed and expires (INVITATION_MAX_AGE_DAYS); accepting it once uses it up."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=StaffMembership.Role.choices, default=StaffMembership.Role.EDITOR
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} to {self.clinic}"

    SIGNING_SALT = "clinics.invitation"

    def token(self):
        return signing.dumps(self.pk, salt=self.SIGNING_SALT)

    @classmethod
    def from_token(cls, token):
        """The unused invitation a token names, or None if it is forged, expired or used."""
        max_age = datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        try:
            pk = signing.loads(token, salt=cls.SIGNING_SALT, max_age=max_age)
        except signing.BadSignature:
            return None
        return cls.objects.select_related("clinic").filter(pk=pk, accepted_at=None).first()

    def is_for(self, user):
        """Whether `user` may accept: only an account whose verified email is the address
        the invitation was sent to (compared as sign-in compares emails)."""
        email = emails.normalise_address(self.email)
        return EmailAddress.objects.filter(user=user, email=email, verified=True).exists()

    def accept(self, user):
        """Make `user` a member with the invited role, if the invitation is for them (see
        is_for). Atomic and once only: a second accept of the same invitation (a double
        click, a replayed link) changes nothing."""
        if not self.is_for(user):
            return None
        with transaction.atomic():
            used = Invitation.objects.filter(pk=self.pk, accepted_at=None).update(
                accepted_at=timezone.now(), accepted_by=user
            )
            if not used:
                return None
            membership, _ = StaffMembership.objects.get_or_create(
                user=user, clinic=self.clinic, defaults={"role": self.role}
            )
        return membership


class Decision(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class DecisionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Decision.PENDING)


class DecidedRequest(models.Model):
    """What every request that someone decides has: its status, who decided and when."""

    status = models.CharField(max_length=10, choices=Decision, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        abstract = True

    def _decide(self, status, decider, *fields):
        self.status, self.decided_by, self.decided_at = status, decider, timezone.now()
        self.save(update_fields=["status", "decided_by", "decided_at", *fields])


class ClaimRequest(DecidedRequest):
    """Someone asks to manage a published listing. A listing with owners: its owners decide
    (an admin can too). A listing without staff: an admin decides. The claimant is told by
    email either way."""

    Status = Decision

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_claims"
    )
    role_at_clinic = models.CharField(
        "your role at the clinic", max_length=100, help_text="For example: practice manager."
    )
    message = models.TextField(blank=True, help_text="Anything that helps us check you work there.")
    reason = models.TextField(
        blank=True, help_text="Why it was refused, if it was: sent to the person who asked."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open claim per person and clinic; decided ones stay as a record.
            models.UniqueConstraint(
                fields=["clinic", "user"],
                condition=Q(status=Decision.PENDING),
                name="claim_one_pending_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.user} claims {self.clinic}"

    def goes_to_owners(self):
        return self.clinic.memberships.owners().exists()

    def submitted(self):
        """Tell whoever decides: the clinic's owners, if it has any (admins see the queue)."""
        owners = self.clinic.owner_emails()
        if owners:
            emails.send_on_commit("claim_to_owners", owners, {"claim": self})

    def approve(self, decider):
        """Let the claimant in: as an owner of a listing nobody manages, as an editor of one
        whose owners (or an admin on their behalf) approved."""
        with transaction.atomic():
            role = (
                StaffMembership.Role.EDITOR
                if self.clinic.memberships.owners().exists()
                else StaffMembership.Role.OWNER
            )
            self._decide(Decision.APPROVED, decider)
            StaffMembership.objects.get_or_create(
                user=self.user, clinic=self.clinic, defaults={"role": role}
            )
            emails.send_on_commit("claim_decided", [self.user.email], {"claim": self})

    def refuse(self, decider, reason=""):
        with transaction.atomic():
            self.reason = reason
            self._decide(Decision.REFUSED, decider, "reason")
            emails.send_on_commit("claim_decided", [self.user.email], {"claim": self})


class VerificationRequest(DecidedRequest):
    """A clinic added in the portal asks to be checked and published; an admin decides, and
    whoever asked is told by email either way."""

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="verification_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(
        blank=True,
        help_text="Why it was refused: sent to the clinic, who can fix it and ask again.",
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic"],
                condition=Q(status=Decision.PENDING),
                name="verification_one_pending_per_clinic",
            ),
            models.CheckConstraint(
                condition=~Q(status=Decision.REFUSED) | ~Q(reason=""),
                name="verification_refusal_has_reason",
                violation_error_message="Say why, for the clinic to read.",
            ),
        ]

    def __str__(self):
        return f"Verify {self.clinic}"

    def approve(self, admin_user):
        """Verify and publish the clinic, and tell whoever asked."""
        today = timezone.localdate()
        with transaction.atomic():
            self._decide(Decision.APPROVED, admin_user)
            clinic = self.clinic
            clinic.verified_on = today
            clinic.is_published = True
            clinic.details_confirmed_on = clinic.details_confirmed_on or today
            clinic.save(
                update_fields=["verified_on", "is_published", "details_confirmed_on", "updated_at"]
            )
            self._tell("clinic_verified")

    def refuse(self, admin_user, reason):
        with transaction.atomic():
            self.reason = reason
            self._decide(Decision.REFUSED, admin_user, "reason")
            self._tell("clinic_not_verified")

    def _tell(self, template):
        recipients = {self.requested_by.email} if self.requested_by else set()
        recipients |= set(self.clinic.owner_emails())
        emails.send_on_commit(
            template, sorted(recipients), {"request": self, "clinic": self.clinic}
        )


class ListingRequest(DecidedRequest):
    """A clinic asks to list a practitioner whose profile another clinic keeps (their home
    clinic). The home clinic's staff decide, or an admin when the profile has no home."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="listing_requests"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="listing_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "clinic"],
                condition=Q(status=Decision.PENDING),
                name="listing_request_one_pending",
            ),
        ]

    def __str__(self):
        return f"{self.clinic} asks to list {self.practitioner}"

    @classmethod
    def ask(cls, practitioner, clinic, user):
        """The pending request (made now, or earlier), its home clinic's staff told by email."""
        request, created = cls.objects.get_or_create(
            practitioner=practitioner,
            clinic=clinic,
            status=Decision.PENDING,
            defaults={"requested_by": user},
        )
        if created and practitioner.home_clinic_id:
            emails.send_on_commit(
                "listing_requested",
                practitioner.home_clinic.staff_emails(),
                {"request": request, "home": practitioner.home_clinic},
            )
        return request

    def approve(self, user):
        with transaction.atomic():
            self._decide(Decision.APPROVED, user)
            self.practitioner.clinics.add(self.clinic)
            self._tell()

    def refuse(self, user):
        with transaction.atomic():
            self._decide(Decision.REFUSED, user)
            self._tell()

    def _tell(self):
        recipients = [self.requested_by.email] if self.requested_by else []
        emails.send_on_commit("listing_decided", recipients, {"request": self})


_change = contextvars.ContextVar("clinic_change", default=None)


def current_change_reason():
    """The history tag of the action being recorded (ClinicChange.recording), or None."""
    change = _change.get()
    return change.tag if change else None


class ClinicChange(models.Model):
    """One thing a person did to a clinic's listing in the portal ("saved the opening hours",
    "confirmed the details"). The portal's history lists these, each with every field it
    changed: the history records written meanwhile carry its tag as their change reason."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The portal's history: one clinic's changes, newest first.
            models.Index(fields=["clinic", "-created_at"], name="clinic_change_history_idx"),
        ]

    def __str__(self):
        return self.label

    @property
    def tag(self):
        return f"change:{self.pk}"

    @classmethod
    @contextlib.contextmanager
    def recording(cls, clinic, user, label):
        """Everything saved inside is one entry of the clinic's history; an action that
        changed nothing leaves none."""
        with transaction.atomic():
            change = cls.objects.create(clinic=clinic, user=user, label=label)
            change.records = 0
            token = _change.set(change)
            try:
                yield change
            finally:
                _change.reset(token)
            if not change.records:
                change.delete()


@receiver(pre_create_historical_record)
def tag_history_with_the_change(sender, history_instance, **kwargs):
    change = _change.get()
    if change is not None:
        history_instance.history_change_reason = change.tag
        change.records += 1


class EnquiryQuerySet(models.QuerySet):
    def due_for_review_invitation(self, now=None):
        """Enquiries whose patient may now be asked, once, to review the clinic: marked
        answered REVIEW_INVITATION_DELAY_DAYS ago, or never marked answered and sent
        REVIEW_INVITATION_UNANSWERED_DAYS ago (so that no clinic chooses whom we ask by
        choosing what to mark answered); not yet looked at for this."""
        now = now or timezone.now()
        answered = now - datetime.timedelta(days=settings.REVIEW_INVITATION_DELAY_DAYS)
        unanswered = now - datetime.timedelta(days=settings.REVIEW_INVITATION_UNANSWERED_DAYS)
        return self.filter(
            Q(answered_at__lte=answered) | Q(answered_at=None, created_at__lte=unanswered),
            review_checked_at=None,
        )

    def inbox_order(self):
        """Unread first, then newest first."""
        return self.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")

    def older_than(self, days, now=None):
        return self.filter(created_at__lt=(now or timezone.now()) - datetime.timedelta(days=days))

    def typical_response_time(self, now=None):
        """The median time from arrival to "answered" over the last 90 days, or None until
        enough enquiries were answered for the figure to mean something."""
        since = (now or timezone.now()) - datetime.timedelta(days=90)
        waits = sorted(
            answered - created
            for created, answered in self.filter(
                created_at__gte=since, answered_at__isnull=False
            ).values_list("created_at", "answered_at")
        )
        if len(waits) < settings.ENQUIRY_RESPONSE_TIME_MIN_ANSWERED:
            return None
        middle = len(waits) // 2
        return waits[middle] if len(waits) % 2 else (waits[middle - 1] + waits[middle]) / 2


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"


class Enquiry(models.Model):
    """A patient's message to a clinic. Health data: keep little, keep it briefly."""

    ContactMethod = ContactMethod

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="enquiries")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.SET_NULL, null=True, blank=True, related_name="enquiries"
    )
    treatment = models.ForeignKey(
        Treatment, on_delete=models.SET_NULL, null=True, blank=True, related_name="enquiries"
    )
    name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    preferred_contact = models.CharField(
        max_length=5, choices=ContactMethod, default=ContactMethod.EMAIL
    )
    message = models.TextField(max_length=3000)
    # Consent is the lawful basis for holding health information: no timestamp, no enquiry.
    consent_given_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # When we decided whether to invite the patient to review the clinic (invited or not):
    # each enquiry is looked at once.
    review_checked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "enquiries"
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=F("created_at")),
                name="enquiry_answered_after_created",
                violation_error_message="An enquiry cannot be answered before it was received.",
            ),
            models.CheckConstraint(
                condition=Q(preferred_contact__in=ContactMethod.values),
                name="enquiry_contact_method_valid",
            ),
        ]
        indexes = [
            # The portal inbox lists one clinic's enquiries, newest first.
            models.Index(fields=["clinic", "-created_at"], name="enquiry_inbox_idx"),
        ]

    def __str__(self):
        return f"Enquiry to {self.clinic} on {self.created_at:%d %b %Y}"

    def mark_read(self):
        if self.read_at is None:
            self.read_at = timezone.now()
            self.save(update_fields=["read_at"])

    def send_notifications(self):
        """Tell the patient their enquiry was sent and the clinic (its address and each of
        its staff) that one is waiting. Neither email repeats the message: email is no place
        for health information. They go into the outbox, so a mail server that is down
        delays them but loses nothing and slows no page."""
        clinic = self.clinic
        staff = clinic.staff_emails()
        clinic_recipients = sorted({email for email in [clinic.email, *staff] if email})
        for template, recipients in [
            ("enquiry_sent", [self.email]),
            ("enquiry_received", clinic_recipients),
        ]:
            try:
                emails.send(template, recipients, {"clinic": clinic, "enquiry": self})
            except Exception as exc:  # the enquiry is stored: it must survive any mail failure
                logger.error(
                    "Enquiry %s: an email could not be sent (%s)", self.pk, type(exc).__name__
                )

    def mark_answered(self):
        now = timezone.now()
        self.read_at = self.read_at or now
        self.answered_at = self.answered_at or now
        self.save(update_fields=["read_at", "answered_at"])

    def invite_to_review(self, now=None):
        """Ask the patient, once and by one email, to review the clinic, unless they may not
        (see why_not_invited): the ReviewInvitation, or None. Each enquiry is looked at only
        once, however many workers run."""
        now = now or timezone.now()
        with transaction.atomic():
            if not Enquiry.objects.filter(pk=self.pk, review_checked_at=None).update(
                review_checked_at=now
            ):
                return None
            reason = self.why_not_invited(now)
            if reason:
                logger.info("Enquiry %s: no review invitation (%s)", self.pk, reason)
                return None
            invitation, token = ReviewInvitation.make(self, now)
            emails.send_on_commit(
                "review_invitation",
                [self.email],
                {
                    "clinic": self.clinic,
                    "link": invitation.link(token),
                    "max_age_days": settings.REVIEW_LINK_MAX_AGE_DAYS,
                },
            )
        return invitation

    def why_not_invited(self, now=None):
        """Why this patient may not review the clinic, or "" when they may. Reviews come only
        from patients: never from an address with an account here (clinic staff and admins),
        nor a clinic's own address; and an address is invited to review a clinic at most once
        a year."""
        now = now or timezone.now()
        address = emails.normalise_address(self.email)
        User = get_user_model()
        if not self.clinic.is_published:
            return "the clinic is not published"
        if (
            User.objects.filter(email__iexact=address).exists()
            or EmailAddress.objects.filter(email__iexact=address).exists()
        ):
            return "the address belongs to an account"
        if Clinic.objects.filter(email__iexact=address).exists():
            return "the address is a clinic's own"
        if self.clinic.review_invitations.filter(
            email_digest=email_digest(address), sent_at__gt=now - REVIEW_INTERVAL
        ).exists():
            return "the address was invited to review this clinic within a year"
        return ""


class ListingsVersion(models.Model):
    """One row whose number moves with every change to what the search reads (clinics/index.py),
    in the same transaction as the change. Its row lock orders those transactions, so a
    process that reads number n knows that every change numbered n or less is committed."""

    number = models.BigIntegerField(default=0)
    token = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="listings_version_single_row"),
        ]

    def __str__(self):
        return f"Listings version {self.number}"


class ListingChange(models.Model):
    """What one numbered change touched: a clinic whose listing each process's index reloads,
    or (`everything`) all of them, as after a change to areas, treatments or insurers. A row
    with neither marks the version itself. Rows older than a day are pruned; a process that
    slept longer rebuilds its index whole."""

    version = models.BigIntegerField()
    token = models.CharField(max_length=32)
    # Not a ForeignKey: a deleted clinic must still be named, so that it leaves the index.
    clinic_id = models.BigIntegerField(null=True, blank=True)
    everything = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Each search asks for the changes after the version its process has.
            models.Index(fields=["version"], name="listing_change_version_idx"),
        ]

    def __str__(self):
        return f"Change {self.version}"


# --- Verified reviews -------------------------------------------------------------------------

# An address reviews a clinic at most once in this long (and is invited at most once).
REVIEW_INTERVAL = datetime.timedelta(days=365)


def email_digest(address):
    """A keyed digest of an email address (normalised as sign-in compares them): enough to
    tell that the same address was invited to, or reviewed, a clinic before; never the
    address. Keyed on SECRET_KEY, so a table of digests cannot be reversed by hashing guesses
    (rotating the key starts the once-a-year count afresh)."""
    return salted_hmac("clinics.review.email", emails.normalise_address(address)).hexdigest()


def _token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class ReviewInvitation(models.Model):
    """A patient's single-use, expiring link to review a clinic they enquired with through
    the site: made by the outbox worker's daily pass (send_review_invitations) and emailed
    once, to the address the enquiry came from. Nobody else ever sees the link: the token is
    stored only as a digest, and clinics have no way to make one. The patient's address is
    kept only as a keyed digest, and the link to the enquiry goes when the enquiry does
    (ENQUIRY_RETENTION_DAYS, or an erasure)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="review_invitations")
    enquiry = models.OneToOneField(
        Enquiry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_invitation",
        help_text="Empty once the enquiry is deleted: a review keeps no link to its message.",
    )
    treatment = models.ForeignKey(
        Treatment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email_digest = models.CharField(max_length=64, editable=False)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(default=timezone.now, editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [
            # Was this address invited to review this clinic within a year?
            models.Index(fields=["clinic", "email_digest"], name="review_invitation_address_idx"),
        ]

    def __str__(self):
        return f"Invitation to review {self.clinic} ({self.sent_at:%d %b %Y})"

    @classmethod
    def make(cls, enquiry, now=None):
        """A new invitation for the enquiry's patient, and the token its link carries (kept
        nowhere but in the email)."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            clinic=enquiry.clinic,
            enquiry=enquiry,
            treatment_id=enquiry.treatment_id,
            email_digest=email_digest(enquiry.email),
            token_digest=_token_digest(token),
            sent_at=now or timezone.now(),
        )
        return invitation, token

    @classmethod
    def from_token(cls, clinic_slug, token):
        """The invitation a link names (used or not, expired or not), or None."""
        return (
            cls.objects.select_related("clinic", "treatment")
            .filter(token_digest=_token_digest(token), clinic__slug=clinic_slug)
            .first()
        )

    def link(self, token):
        return settings.SITE_URL + reverse("clinics:review", args=[self.clinic.slug, token])

    def expires_at(self):
        return self.sent_at + datetime.timedelta(days=settings.REVIEW_LINK_MAX_AGE_DAYS)

    def is_expired(self, now=None):
        return (now or timezone.now()) >= self.expires_at()

    def write(self, review, now=None):
        """Publish `review` (unsaved, from the form) as this invitation's, once. Refused
        (ReviewRefused, nothing saved) when the link was used meanwhile or has expired, or
        the address reviewed the clinic within a year. A review beyond REVIEW_BURST_LIMIT
        for the clinic within REVIEW_BURST_HOURS is held for an admin instead.

        The clinic's row is locked first (and SQLite's write lock taken when the transaction
        begins), so that reviews sent at once are counted one after another."""
        now = now or timezone.now()
        with transaction.atomic():
            list(Clinic.objects.select_for_update().filter(pk=self.clinic_id).values("pk"))
            if self.is_expired(now):
                raise ReviewRefused("expired")
            if not ReviewInvitation.objects.filter(pk=self.pk, used_at=None).update(used_at=now):
                raise ReviewRefused("used")
            reviewed = Review.objects.filter(
                clinic_id=self.clinic_id,
                invitation__email_digest=self.email_digest,
                created_at__gt=now - REVIEW_INTERVAL,
            )
            if reviewed.exists():
                raise ReviewRefused("reviewed")
            recent = Review.objects.filter(
                clinic_id=self.clinic_id,
                created_at__gt=now - datetime.timedelta(hours=settings.REVIEW_BURST_HOURS),
            ).count()
            burst = recent >= settings.REVIEW_BURST_LIMIT
            review.status = Review.Status.HELD if burst else Review.Status.PUBLISHED
            review.clinic_id, review.invitation, review.created_at = self.clinic_id, self, now
            review.save()
        self.used_at = now
        if review.status == Review.Status.HELD:
            logger.warning("Review %s held: one of a burst at clinic %s", review.pk, self.clinic_id)
        return review


class ReviewRefused(Exception):
    """A review that cannot be saved: `reason` is "used", "expired" or "reviewed"."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class RatingSummary:
    """A clinic's published reviews in brief: how many, their average (shown to one decimal,
    halves rounded up, and worked out in whole numbers so that the search's "4 and up" and
    the figure shown agree exactly), and the day of the latest."""

    total: int
    count: int
    latest: datetime.date | None

    @staticmethod
    def tenths(total, count):
        """The average in tenths, rounded half up: floor(10 * total / count + 1/2)."""
        return (20 * total + count) // (2 * count)

    @property
    def average(self):
        return Decimal(self.tenths(self.total, self.count)).scaleb(-1)  # 30 -> 3.0

    def __bool__(self):
        return self.count > 0


class ReviewQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Review.Status.PUBLISHED)

    def shown(self):
        """What the public lists show, in place: published reviews, and removed ones (as
        "removed because ...")."""
        return self.filter(status__in=[Review.Status.PUBLISHED, Review.Status.REMOVED])

    def summary(self):
        """A RatingSummary of the published reviews among these, in one query."""
        found = self.published().aggregate(
            total=Coalesce(models.Sum("rating"), 0),
            count=Count("pk"),
            latest=models.Max("created_at"),
        )
        latest = found["latest"]
        return RatingSummary(
            found["total"], found["count"], timezone.localtime(latest).date() if latest else None
        )


def _one_to_five(name, optional=False):
    condition = Q(**{f"{name}__gte": 1, f"{name}__lte": 5})
    if optional:
        condition |= Q(**{f"{name}__isnull": True})
    return models.CheckConstraint(condition=condition, name=f"review_{name}_one_to_five")


class ReviewStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    HELD = "held", "Held for a check (one of a burst)"
    REMOVED = "removed", "Removed"


class Review(models.Model):
    """A patient's review of a clinic, written through their ReviewInvitation: so only from
    someone who enquired through the site, once per enquiry. Published as written, whatever
    its rating; removed only for one of RemovalReason, which is shown in its place."""

    Status = ReviewStatus

    class RemovalReason(models.TextChoices):
        # Each completes "Removed because ...", as it is shown.
        ABUSE = "abuse", "it was abusive"
        PERSONAL_DETAILS = "personal_details", "it gave someone else's personal or health details"
        LEGAL = "legal", "we had to for legal reasons"
        NOT_THIS_CLINIC = "not_this_clinic", "it was evidently not about this clinic"

    ASPECTS = [
        ("explanation_rating", "Explanation"),
        ("value_rating", "Value for money"),
        ("waiting_rating", "Waiting time"),
    ]

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="reviews")
    invitation = models.OneToOneField(
        ReviewInvitation, on_delete=models.CASCADE, related_name="review", editable=False
    )
    rating = models.PositiveSmallIntegerField(
        "overall", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    explanation_rating = models.PositiveSmallIntegerField(
        "how well things were explained", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )  # fmt: skip
    value_rating = models.PositiveSmallIntegerField(
        "value for money", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )  # fmt: skip
    waiting_rating = models.PositiveSmallIntegerField(
        "waiting time", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )  # fmt: skip
    text = models.TextField("your review", max_length=2000, blank=True)
    treatment = models.ForeignKey(
        Treatment, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    visited_in = models.DateField(
        "month of the visit", null=True, blank=True, help_text="The first day of the month."
    )
    author_name = models.CharField("name shown", max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    removal_reason = models.CharField(
        "removed because", max_length=20, choices=RemovalReason.choices, blank=True
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    reply = models.TextField("the clinic's reply", max_length=1500, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reply_removal_reason = models.CharField(
        "reply removed because", max_length=20, choices=RemovalReason.choices, blank=True
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            _one_to_five("rating"),
            _one_to_five("explanation_rating", optional=True),
            _one_to_five("value_rating", optional=True),
            _one_to_five("waiting_rating", optional=True),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values),
                name="review_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.REMOVED, removed_at__isnull=False)
                & ~Q(removal_reason="")
                | Q(~Q(status=ReviewStatus.REMOVED), removed_at__isnull=True, removal_reason=""),
                name="review_removed_with_a_reason",
                violation_error_message="A removed review needs its reason, and only it has one.",
            ),
            # The clinic replies once: a reply has its time, and only a reply has one (a
            # reply removed keeps its time, so that none can be written again).
            models.CheckConstraint(
                condition=Q(reply="", replied_at__isnull=True) | Q(replied_at__isnull=False),
                name="review_reply_has_its_time",
            ),
        ]
        indexes = [
            # A clinic's reviews, newest first (its page, the index, the burst count).
            models.Index(fields=["clinic", "-created_at"], name="review_clinic_idx"),
        ]

    def __str__(self):
        return f"{self.rating}/5 for {self.clinic} ({self.created_at:%d %b %Y})"

    def written_on(self):
        return timezone.localtime(self.created_at).date()

    def aspects(self):
        """[(label, rating)] for the optional ratings given."""
        return [(label, getattr(self, name)) for name, label in self.ASPECTS if getattr(self, name)]

    def is_removed(self):
        return self.status == self.Status.REMOVED

    def removal_phrase(self):
        return f"Removed because {self.get_removal_reason_display()}."

    def shows_reply(self):
        return bool(self.reply) and self.status == self.Status.PUBLISHED

    def publish(self):
        """An admin lets a held review through."""
        if self.status == self.Status.HELD:
            self.status = self.Status.PUBLISHED
            self.save(update_fields=["status"])

    def remove(self, reason, user):
        """Take the review down for one of RemovalReason, shown in its place. Its text is
        deleted (it may hold what it was removed for); its rating no longer counts."""
        self.status, self.removal_reason = self.Status.REMOVED, reason
        self.removed_at, self.removed_by, self.text = timezone.now(), user, ""
        self.save(update_fields=["status", "removal_reason", "removed_at", "removed_by", "text"])

    def remove_reply(self, reason):
        """Take the clinic's reply down (its reason shown); the clinic cannot reply again."""
        self.reply, self.reply_removal_reason = "", reason
        self.save(update_fields=["reply", "reply_removal_reason"])

    def reply_once(self, user, text):
        """The clinic's one public reply: False, changing nothing, when it has replied
        already (or the review is not published)."""
        now = timezone.now()
        done = Review.objects.filter(
            pk=self.pk, replied_at=None, status=self.Status.PUBLISHED
        ).update(reply=text, replied_at=now, replied_by=user)
        if done:
            self.reply, self.replied_at, self.replied_by = text, now, user
        return bool(done)


class ReviewFlag(DecidedRequest):
    """Clinic staff ask us to remove a review, giving one of the reasons we remove reviews
    for. It stays published until an admin decides: approving removes it for that reason,
    refusing keeps it. Whoever asked is told by email."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="flags")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField("remove because", max_length=20, choices=Review.RemovalReason.choices)
    note = models.TextField(
        "what is wrong", max_length=1000, help_text="Quote the part that breaks the rule."
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = "review reported by a clinic"
        verbose_name_plural = "reviews reported by clinics"
        constraints = [
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(status=Decision.PENDING),
                name="review_flag_one_pending",
            ),
        ]

    def __str__(self):
        return f"Report of {self.review}"

    def approve(self, admin_user):
        with transaction.atomic():
            self._decide(Decision.APPROVED, admin_user)
            if self.review.status != Review.Status.REMOVED:
                self.review.remove(self.reason, admin_user)
            self._tell()

    def refuse(self, admin_user):
        with transaction.atomic():
            self._decide(Decision.REFUSED, admin_user)
            self._tell()

    def _tell(self):
        recipients = [self.reported_by.email] if self.reported_by else []
        emails.send_on_commit(
            "review_flag_decided", recipients, {"flag": self, "clinic": self.review.clinic}
        )


# --- Reports of errors ------------------------------------------------------------------------


class ErrorReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at=None)

    def about_listing(self, clinic):
        """Reports its staff deal with: about the clinic, or a practitioner it keeps."""
        return self.filter(Q(clinic=clinic) | Q(practitioner__home_clinic=clinic))

    def overdue(self, now=None):
        cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.REPORT_OVERDUE_DAYS)
        return self.open().filter(created_at__lt=cutoff)


class ErrorSubject(models.TextChoices):
    CLINIC = "clinic", "Clinic"
    PRACTITIONER = "practitioner", "Practitioner"
    GUIDE = "guide", "Guide"


class ErrorProblem(models.TextChoices):
    """What a report of an error says is wrong (ErrorReport.PROBLEMS: which for which page)."""

    CLOSED = "closed", "It has closed or moved"
    CONTACT = "contact", "The address, phone number or website is wrong"
    PRICES = "prices", "The prices are wrong"
    HOURS = "hours", "The opening hours are wrong"
    PRACTITIONERS = "practitioners", "A practitioner has left, or is missing"
    REGISTRATION = "registration", "A registration (HCPC) number is wrong"
    LEFT = "left", "They no longer work at a clinic listed"
    DETAILS = "details", "Their treatments, languages or insurers are wrong"
    FACTS = "facts", "A fact is wrong or out of date"
    FIGURES = "figures", "A figure or price looks wrong"
    TYPO = "typo", "A typing error or a broken link"
    OTHER = "other", "Something else"


class ErrorReport(models.Model):
    """Someone says a clinic, practitioner or guide page is wrong. Admins see every report;
    the staff of the clinic concerned (for a practitioner, the clinic that keeps the profile)
    see and close theirs in the portal. Closing says what was done, and the reporter, if they
    left an address, is told; the address is then deleted."""

    Subject = ErrorSubject
    Problem = ErrorProblem

    PROBLEMS = {
        Subject.CLINIC: [
            Problem.CLOSED, Problem.CONTACT, Problem.PRICES, Problem.HOURS,
            Problem.PRACTITIONERS, Problem.OTHER,
        ],
        Subject.PRACTITIONER: [
            Problem.REGISTRATION, Problem.LEFT, Problem.DETAILS, Problem.OTHER,
        ],
        Subject.GUIDE: [Problem.FACTS, Problem.FIGURES, Problem.TYPO, Problem.OTHER],
    }  # fmt: skip

    subject = models.CharField(max_length=15, choices=Subject.choices)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, null=True, blank=True, related_name="error_reports"
    )
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="error_reports",
    )
    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, null=True, blank=True, related_name="error_reports"
    )
    problem = models.CharField("what is wrong", max_length=15, choices=Problem.choices)
    details = models.TextField(max_length=2000)
    email = models.EmailField(
        blank=True, help_text="Only to tell the reporter what was done; deleted once they are."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(
        "what was done",
        max_length=1000,
        blank=True,
        help_text="Sent to the reporter, if they left an address.",
    )

    objects = ErrorReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "report of an error"
        verbose_name_plural = "reports of errors"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    subject=ErrorSubject.CLINIC, clinic__isnull=False, practitioner=None, guide=None
                )
                | Q(
                    subject=ErrorSubject.PRACTITIONER,
                    clinic=None,
                    practitioner__isnull=False,
                    guide=None,
                )
                | Q(
                    subject=ErrorSubject.GUIDE, clinic=None, practitioner=None, guide__isnull=False
                ),
                name="error_report_about_one_page",
                violation_error_message="A report is about one clinic, practitioner or guide.",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, resolution="")
                | Q(closed_at__isnull=False) & ~Q(resolution=""),
                name="error_report_closed_with_what_was_done",
                violation_error_message="Say what was done to close a report.",
            ),
            models.CheckConstraint(
                condition=Q(problem__in=ErrorProblem.values),
                name="error_report_problem_valid",
            ),
        ]
        indexes = [
            # The open reports, oldest first, as the admin queue and the portal read them.
            models.Index(fields=["closed_at", "created_at"], name="error_report_open_idx"),
        ]

    def __str__(self):
        return f"{self.get_problem_display()}: {self.about()}"

    def about(self):
        """The clinic, practitioner or guide the report is about."""
        return self.clinic or self.practitioner or self.guide

    def page_url(self):
        return self.about().get_absolute_url()

    def is_open(self):
        return self.closed_at is None

    is_open.boolean = True

    def listing(self):
        """The clinic whose staff deal with the report (None for a guide, or a practitioner
        no clinic keeps)."""
        if self.subject == self.Subject.PRACTITIONER:
            return self.practitioner.home_clinic
        return self.clinic

    def submitted(self):
        """Tell the staff of the listing concerned that a report waits in their portal (the
        report itself stays there)."""
        clinic = self.listing()
        if clinic is not None:
            emails.send_on_commit(
                "error_reported",
                clinic.staff_emails(),
                {
                    "report": self,
                    "clinic": clinic,
                    "overdue_days": settings.REPORT_OVERDUE_DAYS,
                },
            )

    def close(self, user, resolution):
        """Close with what was done; the reporter, if they left an address, is told, and the
        address deleted. False, changing nothing, when it was closed already."""
        with transaction.atomic():
            now = timezone.now()
            closed = ErrorReport.objects.filter(pk=self.pk, closed_at=None).update(
                closed_at=now, closed_by=user, resolution=resolution, email=""
            )
            if not closed:
                return False
            if self.email:
                emails.send_on_commit(
                    "error_report_closed", [self.email], {"report": self, "resolution": resolution}
                )
            self.closed_at, self.closed_by, self.resolution, self.email = now, user, resolution, ""
        return True
