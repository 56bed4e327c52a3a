"""The clinic search's parameters: every public search parameter is a django-filter filter and a
form field, and each filter narrows a Search of the listings index (clinics/search.py).

Malformed or unknown values become form errors on their fields and are left out of the
search; they never cause a server error. Chosen treatments, areas and the like are checked
against the index's lists, with no query.
"""

import django_filters
from django import forms
from django.urls import reverse
from django.utils.safestring import mark_safe

from clinics.forms import PostcodeField
from clinics.models import Practitioner
from clinics.search import FEATURES, RATING_CHOICES, Search, Sort
from directory.forms import (
    ClinicSearchForm,
    QuickCheckboxes,
    QuickInput,
    QuickNumberInput,
    QuickSelect,
    QuickTextInput,
)

OPEN_CHOICES = [("evening", "Evenings (after 6pm)"), ("weekend", "Weekends")]
# rating=4: "4 and up", as the rating is shown (to one decimal). Values in tenths as searched.
RATINGS = {f"{tenths / 10:g}": tenths for tenths in RATING_CHOICES}
RATING_LABELS = {value: f"{value} and up" for value in RATINGS}
FEATURE_LABELS = {
    "home_visits": "Home visits",
    "video": "Video consultations",
    "step_free": "Step-free entrance",
}
AVAILABLE_LABEL = "Available within a week"
YES = {"on", "true", "1", "yes"}
NO = {"", "off", "false", "0", "no"}


def is_yes(value):
    return value is True or (isinstance(value, str) and value.strip().lower() in YES)


class TickBox(QuickInput, forms.CheckboxInput):
    """A checkbox that hands its field the raw value, so that "banana" is an error rather
    than a tick (Django's CheckboxInput reads anything but "false" as ticked). Given an
    `option`, it stands for that one option of its field: ticked, it sends it
    ("available=week")."""

    def __init__(self, attrs=None, option=None):
        self.option = option
        ticked = is_yes if option is None else lambda value: value == option
        super().__init__(attrs, check_test=ticked)

    def format_value(self, value):
        return self.option if self.option is not None else super().format_value(value)

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


class OptionField(forms.ChoiceField):
    """A choice among objects in hand (the listings index's lists), keyed by an attribute
    (a slug, a code); cleans to the object."""

    widget = QuickSelect

    def __init__(self, *, key="slug", empty_label=None, **kwargs):
        self.key, self.empty_label = key, empty_label
        self.known = {}
        super().__init__(**kwargs)

    def set_options(self, objects, label=str):
        """The objects to choose from; their labels go straight to the widget (the field
        itself checks against `known`, so it needs no list of its own)."""
        self.known = {str(getattr(o, self.key)): o for o in objects}
        empty = [("", self.empty_label)] if self.empty_label is not None else []
        self.widget.choices = empty + [(k, label(o)) for k, o in self.known.items()]

    def to_python(self, value):
        value = super().to_python(value)
        return self.known.get(value, value) if value else None

    def valid_value(self, value):
        return value in self.known.values()

    def prepare_value(self, value):
        return getattr(value, self.key, value)


class MultipleOptionField(forms.MultipleChoiceField):
    """As OptionField, for several choices (cleans to a list of objects, in list order)."""

    def __init__(self, *, key="slug", **kwargs):
        self.key, self.known = key, {}
        super().__init__(**kwargs)

    def set_options(self, objects, label=str):
        self.known = {str(getattr(o, self.key)): o for o in objects}
        self.widget.choices = [(k, label(o)) for k, o in self.known.items()]

    def to_python(self, value):
        chosen = set(super().to_python(value))
        unknown = chosen - set(self.known)
        if unknown:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": sorted(unknown)[0]},
            )
        return [o for k, o in self.known.items() if k in chosen]

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def prepare_value(self, value):
        return [getattr(v, self.key, v) for v in value] if isinstance(value, list) else value


class OptionFilter(django_filters.Filter):
    field_class = OptionField


class MultipleOptionFilter(django_filters.MultipleChoiceFilter):
    field_class = MultipleOptionField


class FeatureFilter(django_filters.BooleanFilter):
    """A tick box: ticked narrows to clinics with the feature; unticked does not filter."""

    field_class = YesNoField

    def filter(self, search, value):
        return search.with_feature(self.field_name) if value else search


class AvailableFilter(django_filters.Filter):
    """A tick box: "available within a week" narrows to clinics whose next new-patient
    appointment, as they last said it, falls within the week; unticked does not filter."""

    field_class = forms.ChoiceField

    def __init__(self, **kwargs):
        super().__init__(
            choices=[("week", AVAILABLE_LABEL)],
            widget=TickBox(option="week"),
            label=AVAILABLE_LABEL,
            **kwargs,
        )

    def filter(self, search, value):
        return search.available_within(value) if value else search


class WholePoundsFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class PostcodeFilter(django_filters.Filter):
    field_class = PostcodeField


class ClinicFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Keywords", method="filter_text", max_length=100, widget=QuickTextInput
    )
    treatment = OptionFilter(
        method="filter_treatment", empty_label="Any treatment", label="Treatment"
    )
    condition = OptionFilter(
        method="filter_condition", empty_label="Any condition", label="Condition"
    )
    area = OptionFilter(method="filter_area", empty_label="Anywhere in London", label="Area")
    postcode = PostcodeFilter(
        method="filter_postcode",
        label="Postcode",
        help_text="A full postcode or a district, such as SW4.",
        widget=QuickTextInput,
    )
    insurer = MultipleOptionFilter(method="filter_insurer", widget=QuickCheckboxes, label="Insurer")
    max_price = WholePoundsFilter(
        method="filter_max_price",
        label="Maximum price (£)",
        min_value=1,
        max_value=1000,
        widget=QuickNumberInput,
    )
    price_band = OptionFilter(method="filter_price_band", empty_label="Any price", label="Price")
    gender = django_filters.ChoiceFilter(
        choices=Practitioner.Gender.choices,
        method="filter_gender",
        widget=QuickSelect,
        empty_label="No preference",
        label="Practitioner's gender",
    )
    language = OptionFilter(
        key="code", method="filter_language", empty_label="Any language", label="Speaks"
    )
    open = django_filters.MultipleChoiceFilter(
        choices=OPEN_CHOICES,
        method="filter_open",
        widget=QuickCheckboxes,
        label="Open",
    )
    home_visits = FeatureFilter(field_name="home_visits", label=FEATURE_LABELS["home_visits"])
    video = FeatureFilter(field_name="video", label=FEATURE_LABELS["video"])
    step_free = FeatureFilter(field_name="step_free", label=FEATURE_LABELS["step_free"])
    available = AvailableFilter()
    rating = django_filters.ChoiceFilter(
        choices=list(RATING_LABELS.items()),
        method="filter_rating",
        widget=QuickSelect,
        empty_label="Any rating",
        label="Patients' rating",
        help_text=mark_safe('<a href="/reviews/how-reviews-work/">How reviews work</a>'),
    )
    sort = django_filters.ChoiceFilter(
        choices=Sort.CHOICES,
        method="filter_sort",
        widget=QuickSelect,
        empty_label=None,
        label="Sort by",
        # A stable public address (README), so no reverse() at import time.
        help_text=mark_safe('<a href="/how-results-are-ordered/">How results are ordered</a>'),
    )
    show = django_filters.ChoiceFilter(
        choices=[("clinics", "Clinics"), ("practitioners", "Practitioners")],
        method="keep",
        widget=QuickSelect,
        empty_label=None,
        label="Show",
    )

    class Meta:
        model = None
        fields = []
        form = ClinicSearchForm

    def __init__(self, data, index, **kwargs):
        self.index = index
        super().__init__(data, queryset=Search(index), **kwargs)
        options = index.choices
        fields = self.form.fields
        fields["treatment"].set_options(options.treatments, label=lambda t: t.name)
        fields["condition"].set_options(options.conditions, label=lambda c: c.name)
        fields["area"].set_options(options.areas, label=lambda a: a.name)
        fields["insurer"].set_options(options.insurers, label=lambda i: i.name)
        fields["price_band"].set_options(options.price_bands, label=lambda b: b.label)
        fields["language"].set_options(options.languages, label=lambda lang: lang.name)
        fields["postcode"].outward_codes = options.outward_codes

    # --- Each filter: one narrowing of the Search -------------------------------------------

    def filter_text(self, search, name, value):
        return search.matching(value)

    def filter_treatment(self, search, name, treatment):
        return search.offering(treatment)

    def filter_condition(self, search, name, condition):
        return search.for_condition(condition)

    def filter_area(self, search, name, area):
        return search.in_area(area)

    def filter_postcode(self, search, name, outward_code):
        return search.near(outward_code)

    def filter_insurer(self, search, name, insurers):
        return search.taking(insurers)

    def filter_max_price(self, search, name, pounds):
        return search.costing_at_most(pounds)

    def filter_price_band(self, search, name, band):
        return search.in_price_band(band)

    def filter_gender(self, search, name, gender):
        return search.with_practitioner_gender(gender)

    def filter_language(self, search, name, language):
        return search.with_practitioner_speaking(language)

    def filter_open(self, search, name, times):
        return search.open_at(times)

    def filter_rating(self, search, name, value):
        return search.rated_at_least(RATINGS[value])

    def filter_sort(self, search, name, sort):
        return search.ordered_by(sort)

    def keep(self, search, name, value):
        return search

    def filter_queryset(self, search):
        """django-filter's own loop, without its check that each step returns a QuerySet:
        here each returns a Search."""
        for name, value in self.form.cleaned_data.items():
            search = self.filters[name].filter(search, value)
        return search

    # --- What the page shows around the results ------------------------------------------

    def chosen(self, name):
        """A cleaned value, or None when absent or invalid."""
        return self.form.cleaned_data.get(name) if hasattr(self.form, "cleaned_data") else None

    def label_with_counts(self, counts):
        """Put each option's count in its label, so the form says what a choice would give."""
        fields = self.form.fields

        def with_count(key, label, n):
            return key, f"{label} ({n})"

        choices = self.index.choices
        for name, anything, options in (
            ("treatment", [("", "Any treatment")], choices.treatments),
            ("area", [("", "Anywhere in London")], choices.areas),
            ("insurer", [], choices.insurers),
            ("price_band", [("", "Any price")], choices.price_bands),
        ):
            fields[name].widget.choices = anything + [
                with_count(option.slug, str(option), counts[name].get(option.pk, 0))
                for option in options
            ]
        fields["open"].widget.choices = [
            with_count(value, text, counts["open"][value]) for value, text in OPEN_CHOICES
        ]
        fields["rating"].widget.choices = [("", "Any rating")] + [
            with_count(value, text, counts["rating"][RATINGS[value]])
            for value, text in RATING_LABELS.items()
        ]
        labels = {name: (FEATURE_LABELS[name], counts[name]) for name in FEATURES}
        labels["available"] = (AVAILABLE_LABEL, counts["available"]["week"])
        for name, (label, n) in labels.items():
            # The bound field caches its label when the form is validated.
            self.form[name].label = fields[name].label = f"{label} ({n})"

    def area_typed_as_postcode(self):
        """When the postcode box holds an area's name ("clapham") rather than a postcode: the
        query string of the same search by that area; else None."""
        if "postcode" not in self.form.errors:
            return None
        area = self.index.area_named(self.data.get("postcode", ""))
        if area is None:
            return None
        data = self.data.copy()
        del data["postcode"]
        if data.get("sort") == Sort.DISTANCE:
            del data["sort"]
        data["area"] = area.slug
        return data.urlencode()

    def labels(self):
        return {name: f.label or name.replace("_", " ") for name, f in self.filters.items()}

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
