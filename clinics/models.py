"""Where treatments are offered: London's areas, clinics, practitioners, their prices and staff."""

import contextlib
import contextvars
import datetime
import logging
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
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
    validate_hcpc_number,
    validate_london_latitude,
    validate_london_longitude,
)
from treatments.models import Treatment

logger = logging.getLogger(__name__)


def unique_slug(model, text, pk=None):
    """A slug for `text` not used by another row of `model`: 'ada-okafor', 'ada-okafor-2'..."""
    base = slugify(text)[:120] or model._meta.model_name
    taken = set(
        model.objects.filter(slug__startswith=base).exclude(pk=pk).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


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


class Area(models.Model):
    """A part of London: a sub-region, a borough (or the City) or a neighbourhood in a borough."""

    class Kind(models.TextChoices):
        REGION = "region", "Region"
        BOROUGH = "borough", "Borough"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"

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
                condition=Q(kind="region", parent__isnull=True)
                | Q(kind__in=["borough", "neighbourhood"], parent__isnull=False),
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

    def get_absolute_url(self):
        return reverse("area-detail", args=[self.slug])

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


def months_ago(months, today=None):
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=round(months * 365.25 / 12))


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


class ClinicQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

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
                            queryset=InsurerRecognition.objects.select_related("insurer"),
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

    def assign_slug(self):
        self.slug = unique_slug(Clinic, f"{self.name} {self.postcode}", self.pk)

    def treatments_offered(self):
        return Treatment.objects.published().filter(offers__clinic=self).distinct()

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
        return list(self.memberships.owners().values_list("user__email", flat=True))

    def staff_emails(self):
        return list(self.memberships.values_list("user__email", flat=True))

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
                for o in self.offers.select_related("treatment")
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
                        queryset=InsurerRecognition.objects.select_related("insurer"),
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


class PractitionerQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_listing(self):
        """Published practitioners with their clinics, languages and insurers, prefetched."""
        return self.published().prefetch_related(
            Prefetch("clinics", queryset=Clinic.objects.published().select_related("area")),
            "languages",
            "treatments",
            Prefetch(
                "insurer_recognitions",
                queryset=InsurerRecognition.objects.select_related("insurer"),
            ),
        )

    def for_search_card(self):
        """Practitioners with what a search result shows: their clinics and insurers."""
        return self.order_by("last_name", "first_name", "pk").prefetch_related(
            Prefetch("clinics", queryset=Clinic.objects.select_related("area")),
            Prefetch(
                "insurer_recognitions",
                queryset=InsurerRecognition.objects.select_related("insurer"),
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
        self.hcpc_number = self.hcpc_number.strip().upper().replace(" ", "")
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


class InsurerRecognition(models.Model):
    """Insurers recognise people, not buildings: a practitioner registered with an insurer."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="insurer_recognitions"
    )
    insurer = models.ForeignKey(Insurer, on_delete=models.PROTECT, related_name="recognitions")
    provider_number = models.CharField(max_length=40, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["insurer__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "insurer"], name="insurer_recognition_unique"
            ),
        ]

    def __str__(self):
        return f"{self.practitioner} with {self.insurer}"


# The order a patient meets them in, used wherever session types are listed.
SESSION_ORDER = ["initial", "follow_up", "standard", "add_on"]
# What a patient can start treatment with: a card's and a clinic page's "from" price.
FIRST_SESSION_TYPES = ("initial", "standard")


def session_rank():
    """An expression ranking session types in SESSION_ORDER, for order_by()."""
    return Case(*[When(session_type=value, then=Value(i)) for i, value in enumerate(SESSION_ORDER)])


class Offer(models.Model):
    """A clinic's price for a treatment in one kind of session."""

    class SessionType(models.TextChoices):
        INITIAL = "initial", "Initial assessment"
        FOLLOW_UP = "follow_up", "Follow-up session"
        STANDARD = "standard", "Standard session"
        ADD_ON = "add_on", "Added to another session"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="offers")
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="offers")
    session_type = models.CharField(max_length=10, choices=SessionType.choices)
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

    class Meta:
        ordering = ["treatment__name", "session_type"]
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
                condition=Q(session_type__in=["initial", "follow_up", "standard", "add_on"]),
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


class StaffMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        EDITOR = "editor", "Editor"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_memberships"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    objects = StaffMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["clinic__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "clinic"], name="staff_membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "editor"]), name="staff_membership_role_valid"
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

    status = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
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
                condition=Q(status="pending"),
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
                condition=Q(status="pending"),
                name="verification_one_pending_per_clinic",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(reason=""),
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
                condition=Q(status="pending"),
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


class Enquiry(models.Model):
    """A patient's message to a clinic. Health data: keep little, keep it briefly."""

    class ContactMethod(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"

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
        max_length=5, choices=ContactMethod.choices, default=ContactMethod.EMAIL
    )
    message = models.TextField(max_length=3000)
    # Consent is the lawful basis for holding health information: no timestamp, no enquiry.
    consent_given_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

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
                condition=Q(preferred_contact__in=["email", "phone"]),
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
