"""The clinic search: every public search parameter is a django-filter filter and a form field.

Malformed or unknown values become form errors on their fields and are left out of the query;
they never reach the database. Facet counts ("how many results would this choice give") are
computed here in one query per facet, whatever the number of options.
"""

import datetime
import math
from functools import cached_property

import django_filters
from django import forms
from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
)
from django.db.models.functions import Sqrt
from django.urls import reverse

from clinics.cache import choices_version, remember
from clinics.forms import PostcodeField
from clinics.models import (
    Area,
    Clinic,
    Insurer,
    InsurerRecognition,
    Language,
    Offer,
    OpeningHours,
    Practitioner,
    months_ago,
)
from clinics.search import relevance, search_clinics, search_terms
from directory.forms import ClinicSearchForm
from directory.models import PriceBand
from treatments.models import Condition, Treatment

MILES_PER_DEGREE_LATITUDE = 69.05
# Choices about one practitioner (the same person must match all of them) and about the
# price of one treatment: they are applied together, in ClinicFilter.joint_conditions().
PRACTITIONER_CHOICES = ("insurer", "gender", "language")
PRICE_CHOICES = ("max_price", "price_band")
CHOICE_FIELDS = ("treatment", "condition", "area", "insurer", "price_band", "language")
EVENING_STARTS = datetime.time(18, 0)


class Sort:
    RELEVANCE, PRICE, DISTANCE, NAME = "relevance", "price", "distance", "name"
    CHOICES = [
        (RELEVANCE, "Best match"),
        (PRICE, "Price, lowest first"),
        (DISTANCE, "Distance, nearest first"),
        (NAME, "Name"),
    ]


OPEN_CHOICES = [("evening", "Evenings (after 6pm)"), ("weekend", "Weekends")]
FLAGS = {
    # parameter: (clinic field, label)
    "home_visits": ("home_visits", "Home visits"),
    "video": ("video_consultations", "Video consultations"),
    "step_free": ("step_free_access", "Step-free entrance"),
}


YES = {"on", "true", "1", "yes"}
NO = {"", "off", "false", "0", "no"}


def is_yes(value):
    return value is True or (isinstance(value, str) and value.strip().lower() in YES)


class TickBox(forms.CheckboxInput):
    """A checkbox that hands its field the raw value, so that "banana" is an error rather
    than a tick (Django's CheckboxInput reads anything but "false" as ticked)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=is_yes)

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class YesNoField(forms.BooleanField):
    widget = TickBox

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return bool(value)
        text = str(value).strip().lower()
        if text in YES or text in NO:
            return text in YES
        raise forms.ValidationError("Tick the box or leave it empty.", code="invalid")


class FlagFilter(django_filters.BooleanFilter):
    """A tick box: ticked narrows to clinics with the feature; unticked does not filter."""

    field_class = YesNoField

    def filter(self, qs, value):
        return qs.filter(**{self.field_name: True}) if value else qs


class KnownChoiceField(django_filters.fields.ModelChoiceField):
    """A choice checked against objects already in hand (`known`: {value: object}, from
    the search's cached option lists) rather than with a query."""

    known = None

    def to_python(self, value):
        if self.known is None or value in self.empty_values:
            return super().to_python(value)
        self.validate_no_null_characters(value)
        if (chosen := self.known.get(str(value))) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return chosen


class KnownMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """As KnownChoiceField, for several choices."""

    known = None

    def _check_values(self, value):
        if self.known is None:
            return super()._check_values(value)
        try:
            values = {str(item) for item in value}
        except TypeError:
            raise forms.ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from None
        for item in values:
            self.validate_no_null_characters(item)
            if item not in self.known:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return [chosen for key, chosen in self.known.items() if key in values]


class KnownChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = KnownChoiceField


class KnownMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = KnownMultipleChoiceField


class WholePoundsFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class PostcodeFilter(django_filters.Filter):
    field_class = PostcodeField


class ClinicFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Keywords", method="filter_text", max_length=100)
    treatment = KnownChoiceFilter(
        queryset=Treatment.objects.published(),
        to_field_name="slug",
        method="filter_treatment",
        empty_label="Any treatment",
        label="Treatment",
    )
    condition = KnownChoiceFilter(
        queryset=Condition.objects.published(),
        to_field_name="slug",
        method="filter_condition",
        empty_label="Any condition",
        label="Condition",
    )
    area = KnownChoiceFilter(
        queryset=Area.objects.order_by("name"),
        to_field_name="slug",
        method="filter_area",
        empty_label="Anywhere in London",
        label="Area",
    )
    postcode = PostcodeFilter(
        method="filter_postcode",
        label="Postcode",
        help_text="A full postcode or a district, such as SW4.",
    )
    insurer = KnownMultipleChoiceFilter(
        queryset=Insurer.objects.all(),
        to_field_name="slug",
        method="filter_jointly",
        widget=forms.CheckboxSelectMultiple,
        label="Insurer",
    )
    max_price = WholePoundsFilter(
        method="filter_jointly", label="Maximum price (£)", min_value=1, max_value=1000
    )
    price_band = KnownChoiceFilter(
        queryset=PriceBand.objects.all(),
        to_field_name="slug",
        method="filter_jointly",
        empty_label="Any price",
        label="Price",
    )
    gender = django_filters.ChoiceFilter(
        choices=Practitioner.Gender.choices,
        method="filter_jointly",
        empty_label="No preference",
        label="Practitioner's gender",
    )
    language = KnownChoiceFilter(
        queryset=Language.objects.all(),
        to_field_name="code",
        method="filter_jointly",
        empty_label="Any language",
        label="Speaks",
    )
    open = django_filters.MultipleChoiceFilter(
        choices=OPEN_CHOICES,
        method="filter_open",
        widget=forms.CheckboxSelectMultiple,
        label="Open",
    )
    home_visits = FlagFilter(field_name="home_visits", label="Home visits")
    video = FlagFilter(field_name="video_consultations", label="Video consultations")
    step_free = FlagFilter(field_name="step_free_access", label="Step-free entrance")
    sort = django_filters.ChoiceFilter(
        choices=Sort.CHOICES, method="filter_nothing", empty_label=None, label="Sort by"
    )
    show = django_filters.ChoiceFilter(
        choices=[("clinics", "Clinics"), ("practitioners", "Practitioners")],
        method="filter_nothing",
        empty_label=None,
        label="Show",
    )

    class Meta:
        model = Clinic
        fields = []
        form = ClinicSearchForm

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            # Chosen slugs are checked against the cached option lists: no query each.
            for name in CHOICE_FIELDS:
                field = form.fields[name]
                field.known = {str(getattr(o, field.to_field_name)): o for o in self.options[name]}
        return self._form

    # --- Filters ---------------------------------------------------------------------------

    def chosen(self, name):
        """A cleaned value, or None when absent or invalid."""
        return self.form.cleaned_data.get(name) if hasattr(self.form, "cleaned_data") else None

    def treatment_in_scope(self, without=(), treatment=None):
        """The treatment that price and practitioner choices are about: `treatment` when
        given, else the chosen one unless it is left out."""
        if treatment is not None:
            return treatment
        return None if "treatment" in without else self.chosen("treatment")

    def practitioner_lookups(self, without=(), treatment=None):
        """The practitioner choices not in `without`, but the insurer, as field lookups on
        a published practitioner."""
        lookups = {"is_published": True}
        if treatment := self.treatment_in_scope(without, treatment):
            lookups["treatments"] = treatment
        if "gender" not in without and (gender := self.chosen("gender")):
            lookups["gender"] = gender
        if "language" not in without and (language := self.chosen("language")):
            lookups["languages"] = language
        return lookups

    def matching_practitioners(self, without=(), treatment=None):
        """Published practitioners matching every practitioner choice not in `without`
        (not tied to a clinic)."""
        people = Practitioner.objects.filter(**self.practitioner_lookups(without, treatment))
        if "insurer" not in without and (insurers := self.chosen("insurer")):
            people = people.filter(
                Exists(
                    InsurerRecognition.objects.filter(
                        practitioner=OuterRef("pk"), insurer__in=insurers
                    )
                )
            )
        return people

    def offers_in_scope(self, without=(), treatment=None):
        """The offers price choices look at: the treatment's in scope, or any."""
        offers = Offer.objects.filter(clinic=OuterRef("pk"))
        if treatment := self.treatment_in_scope(without, treatment):
            offers = offers.filter(treatment=treatment)
        return offers

    def priced(self, offers, without=()):
        """`offers` narrowed to the price choices not in `without`: one session must be both
        under the maximum and in the band."""
        if "max_price" not in without and (pounds := self.chosen("max_price")):
            offers = offers.filter(price_pence__lte=int(pounds) * 100)
        if "price_band" not in without and (band := self.chosen("price_band")):
            offers = band.filter_offers(offers)
        return offers

    def has_price_choice(self, without=()):
        return any(self.chosen(name) for name in PRICE_CHOICES if name not in without)

    def has_practitioner_choice(self, without=()):
        return any(self.chosen(name) for name in PRACTITIONER_CHOICES if name not in without)

    def joint_conditions(self, without=(), treatment=None):
        """Q() for the price and practitioner choices not in `without`. They qualify one
        treatment's offers and one practitioner who does it, so they cannot be applied one
        filter at a time: leaving out the insurer must not leave it in through the gender."""
        conditions = Q()
        if self.has_price_choice(without):
            offers = self.priced(self.offers_in_scope(without, treatment), without)
            conditions &= Q(Exists(offers))
        if self.has_practitioner_choice(without):
            people = self.matching_practitioners(without, treatment)
            conditions &= Q(Exists(people.filter(clinics=OuterRef("pk"))))
        return conditions

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_jointly(self, queryset, name, value):
        """Price and practitioner choices: applied together by filtered()."""
        return queryset

    def filter_text(self, queryset, name, value):
        if not search_terms(value):
            return queryset
        # Worked out once, then shared by the results and every facet count.
        return queryset.filter(pk__in=self.text_matches)

    @cached_property
    def text_matches(self):
        """The ids of the listed clinics the text describes (cached: fuzzy matching reads
        every practitioner's name)."""
        text = self.chosen("q")
        return remember(
            "text-matches",
            search_terms(text),
            lambda: list(
                search_clinics(Clinic.objects.listed(), text).values_list("pk", flat=True)
            ),
        )

    def filter_treatment(self, queryset, name, treatment):
        return queryset.offering(treatment)

    def filter_condition(self, queryset, name, condition):
        return queryset.filter(
            Exists(Offer.objects.filter(clinic=OuterRef("pk"), treatment__conditions=condition))
        )

    def filter_area(self, queryset, name, area):
        return queryset.in_area(area)

    def filter_postcode(self, queryset, name, outward_code):
        radius = settings.SEARCH_RADIUS_MILES
        lat_margin = radius / MILES_PER_DEGREE_LATITUDE
        lng_margin = lat_margin / math.cos(math.radians(outward_code.latitude))
        # The box lets an index on the coordinates do the work; the exact circle follows.
        return (
            queryset.filter(
                latitude__range=(
                    outward_code.latitude - lat_margin,
                    outward_code.latitude + lat_margin,
                ),
                longitude__range=(
                    outward_code.longitude - lng_margin,
                    outward_code.longitude + lng_margin,
                ),
            )
            .annotate(distance=distance_from(outward_code))
            .filter(distance__lte=radius)
        )

    def filter_open(self, queryset, name, values):
        hours = OpeningHours.objects.filter(clinic=OuterRef("pk"))
        if "evening" in values:
            queryset = queryset.filter(
                Exists(hours.filter(weekday__lte=4, closes__gt=EVENING_STARTS))
            )
        if "weekend" in values:
            queryset = queryset.filter(Exists(hours.filter(weekday__gte=5)))
        return queryset

    # --- The query as a whole ------------------------------------------------------------

    def base_queryset(self):
        """Listed clinics, those not confirmed for a year marked as stale."""
        stale = Q(confirmed__lt=months_ago(settings.LISTING_STALE_AFTER_MONTHS))
        return self.queryset.listed().annotate(
            is_stale=ExpressionWrapper(stale, output_field=BooleanField())
        )

    def filtered(self, without=()):
        """The clinics matching every valid choice except those named in `without`."""
        queryset = self.base_queryset()
        for name, value in self.form.cleaned_data.items():
            if name not in without:
                queryset = self.filters[name].filter(queryset, value)
        return queryset.filter(self.joint_conditions(without))

    def filter_queryset(self, queryset):
        return self.sorted(self.filtered())

    def sort_order(self):
        sort = self.chosen("sort") or Sort.RELEVANCE
        if sort == Sort.RELEVANCE:
            if self.chosen("q"):
                return [F("relevance").desc()]
            return [F("distance").asc()] if self.chosen("postcode") else []
        if sort == Sort.DISTANCE:
            return [F("distance").asc()] if self.chosen("postcode") else []
        if sort == Sort.PRICE:
            return [F("lowest_price").asc(nulls_last=True)]
        return []

    def sorted(self, queryset):
        if self.chosen("q") and (self.chosen("sort") or Sort.RELEVANCE) == Sort.RELEVANCE:
            queryset = queryset.annotate(relevance=relevance(self.chosen("q")))
        if self.chosen("sort") == Sort.PRICE:
            cheapest = self.offers_in_scope().order_by("price_pence").values("price_pence")[:1]
            queryset = queryset.annotate(lowest_price=cheapest)
        # Fresh listings first; name and id last, so that pages never repeat or skip a clinic.
        return queryset.order_by("is_stale", *self.sort_order(), "name", "pk")

    # --- Facets and suggestions ----------------------------------------------------------

    def facet_counts(self):
        """For each option of each facet, how many clinics the search would find with that
        option chosen and every other choice kept, whatever the number of options: one query
        each for treatments, areas and insurers, and one for price bands and yes/no choices."""
        return {
            "treatment": self._treatment_counts(),
            "area": self._area_counts(self.filtered(without={"area"})),
            "insurer": self._insurer_counts(),
            **self._price_and_feature_counts(),
        }

    @cached_property
    def options(self):
        """Each choice field's options, fetched once (and cached until one of them changes)
        for counting and labelling."""
        return remember(
            "search-options",
            (),
            lambda: {name: list(self.filters[name].queryset) for name in CHOICE_FIELDS},
            version=choices_version,
        )

    def _treatment_counts(self):
        """Each treatment's count, with the price and practitioner choices applied to that
        treatment's offers and practitioners rather than to the chosen one's: one pass over
        the offers of the clinics the other choices leave."""
        clinics = self.filtered(without={"treatment", *PRICE_CHOICES, *PRACTITIONER_CHOICES})
        offers = self.priced(Offer.objects.filter(clinic__in=clinics.values("pk")))
        if self.has_practitioner_choice():
            people = self.matching_practitioners(without={"treatment"}).filter(
                clinics=OuterRef("clinic"), treatments=OuterRef("treatment")
            )
            offers = offers.filter(Exists(people))
        rows = offers.values_list("treatment").annotate(n=Count("clinic", distinct=True))
        return dict(rows.order_by())

    def _area_counts(self, clinics):
        parents = {area.pk: area.parent_id for area in self.options["area"]}
        return Clinic.objects.filter(pk__in=clinics.values("pk")).area_counts(parents)

    def _insurer_counts(self):
        """Clinics per insurer: from the clinics the other choices leave, through their
        links to the practitioners who match, to those practitioners' insurers. Every join
        is on a key, from the clinics themselves (not from a list of their ids or of the
        matching practitioners'), so that a narrow search follows indexes from its few
        clinics rather than hashing every practitioner who does the treatment."""
        lookups = self.practitioner_lookups(without={"insurer"})
        rows = (
            self.filtered(without={"insurer"})
            # One filter() call: every lookup is about the same practitioner ...
            .filter(**{f"practitioners__{lookup}": value for lookup, value in lookups.items()})
            # ... and so are the insurers counted (values() reuses the filter's join).
            .values_list("practitioners__insurer_recognitions__insurer")
            .annotate(clinics=Count("pk", distinct=True))
            .order_by()
        )
        return {insurer: n for insurer, n in rows if insurer is not None}

    def _price_and_feature_counts(self):
        """Price bands and yes/no choices, in one pass over the clinics every other choice
        leaves. A band's count: a session of the treatment in scope in the band (and under
        the maximum price, if one is chosen). Yes/no choices are counted over the current
        results, since ticking one only narrows; a ticked one's count is the current total."""
        priced = Q(Exists(self.priced(self.offers_in_scope()))) if self.has_price_choice() else Q()
        in_bands = self.priced(self.offers_in_scope(), without={"price_band"})
        hours = OpeningHours.objects.filter(clinic=OuterRef("pk"))
        features = {
            "evening": Q(Exists(hours.filter(weekday__lte=4, closes__gt=EVENING_STARTS))),
            "weekend": Q(Exists(hours.filter(weekday__gte=5))),
            **{param: Q(**{field: True}) for param, (field, _) in FLAGS.items()},
        }
        counts = self.filtered(without=PRICE_CHOICES).aggregate(
            total=Count("pk", filter=priced or None),
            **{
                name: Count("pk", filter=priced & condition) for name, condition in features.items()
            },
            **{
                f"band-{band.pk}": Count("pk", filter=Q(Exists(band.filter_offers(in_bands))))
                for band in self.options["price_band"]
            },
        )
        return {
            "price_band": {
                band.pk: counts[f"band-{band.pk}"] for band in self.options["price_band"]
            },
            "open": {"evening": counts["evening"], "weekend": counts["weekend"]},
            **{param: counts[param] for param in FLAGS},
            "total": counts["total"],
        }

    def label_with_counts(self, counts):
        """Put each option's count in its label, so the form says what a choice would give.
        Only the widgets change: validation still uses the fields' own querysets."""
        fields = self.form.fields

        def label(text, n):
            return f"{text} ({n})"

        treatment = fields["treatment"]
        treatment.widget.choices = [("", treatment.empty_label)] + [
            (t.slug, label(t.name, counts["treatment"].get(t.pk, 0)))
            for t in self.options["treatment"]
        ]
        condition = fields["condition"]
        condition.widget.choices = [("", condition.empty_label)] + [
            (c.slug, c.name) for c in self.options["condition"]
        ]
        language = fields["language"]
        language.widget.choices = [("", language.empty_label)] + [
            (lang.code, lang.name) for lang in self.options["language"]
        ]
        area = fields["area"]
        area.widget.choices = [("", area.empty_label)] + [
            (a.slug, label(a.name, counts["area"].get(a.pk, 0))) for a in self.options["area"]
        ]
        insurer = fields["insurer"]
        insurer.widget.choices = [
            (i.slug, label(i.name, counts["insurer"].get(i.pk, 0))) for i in self.options["insurer"]
        ]
        band = fields["price_band"]
        band.widget.choices = [("", band.empty_label)] + [
            (b.slug, label(b.label, counts["price_band"].get(b.pk, 0)))
            for b in self.options["price_band"]
        ]
        fields["open"].widget.choices = [
            (value, label(text, counts["open"][value])) for value, text in OPEN_CHOICES
        ]
        for param, (_, text) in FLAGS.items():
            # The bound field caches its label when the form is validated.
            self.form[param].label = fields[param].label = label(text, counts[param])

    def landing_path(self):
        """The landing page this search narrows: treatment in area, area, condition, or the
        plain search page."""
        treatment, area = self.chosen("treatment"), self.chosen("area")
        if treatment and area:
            return reverse("treatment-area", args=[treatment.slug, area.slug])
        if area:
            return area.get_absolute_url()
        if condition := self.chosen("condition"):
            return condition.get_absolute_url()
        if treatment:
            return reverse("search") + f"?treatment={treatment.slug}"
        return reverse("search")

    def active_choices(self):
        """The parameters that narrow the search now, by name."""
        data = getattr(self.form, "cleaned_data", {})
        return [name for name, value in data.items() if name not in ("sort", "show") and value]

    def suggestions(self, area_counts_nearby=5):
        """For a search with no results: the single choice to drop (with the count it would
        give), and the nearest areas that have results. One count per active choice."""
        drops = []
        for name in self.active_choices():
            count = self.filtered(without={name}).count()
            if count:
                drops.append((name, self.filters[name].label or name.replace("_", " "), count))
        centre = self.chosen("postcode") or self.chosen("area")
        nearest = []
        if centre is not None:
            counts = self._area_counts(self.filtered(without={"area", "postcode"}))
            areas = Area.objects.exclude(kind=Area.Kind.REGION).filter(
                pk__in=[pk for pk, n in counts.items() if n]
            )
            nearest = sorted(
                areas,
                key=lambda a: (
                    (a.latitude - centre.latitude) ** 2
                    + ((a.longitude - centre.longitude) * 0.62) ** 2
                ),
            )[:area_counts_nearby]
            for area in nearest:
                area.clinic_count = counts[area.pk]
        return {"drops": drops, "nearest_areas": nearest}


def distance_from(outward_code):
    """Miles from an outward code's centre: an equirectangular approximation, which within
    London is within a few metres of the great-circle distance and needs only Sqrt."""
    miles_per_degree_longitude = MILES_PER_DEGREE_LATITUDE * math.cos(
        math.radians(outward_code.latitude)
    )
    north = (F("latitude") - outward_code.latitude) * MILES_PER_DEGREE_LATITUDE
    east = (F("longitude") - outward_code.longitude) * miles_per_degree_longitude
    return Sqrt(north * north + east * east)
