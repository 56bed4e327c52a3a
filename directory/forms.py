from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

# The search form is drawn on every search, the site's busiest page, so its widgets write
# their markup in Python and templates/directory/_search_form.html lays the fields out: Django's
# per-option templates and crispy's per-field ones cost more than the facet counts, the
# ordering and the cards' queries together (measured: 4.3 ms of a 21 ms search; 1.1 ms then;
# the text, number and tick-box inputs a further 2 ms of a 30 ms search, on another machine).
# Every other form of the site is a crispy form.


class QuickChoices:
    """Choices kept as given, (value, label) pairs: Django's widgets normalise every list set
    on them, which for the search's lists on every search cost as much as drawing them."""

    @property
    def choices(self):
        return self._quick_choices

    @choices.setter
    def choices(self, value):
        self._quick_choices = list(value)


class QuickSelect(QuickChoices, forms.Select):
    """A <select>, its options written in Python rather than each from a template."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")


class QuickCheckboxes(QuickChoices, forms.CheckboxSelectMultiple):
    """Tick boxes for several choices, in Bootstrap's markup, written in Python."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        attrs = self.build_attrs(self.attrs, attrs)
        prefix = escape(attrs.pop("id", f"id_{name}"))
        attrs.pop("aria-describedby", None)  # said by the fieldset around them
        extra = flatatt(attrs)
        return mark_safe(
            "".join(
                f'<div class="form-check"><input type="checkbox" class="form-check-input" '
                f'name="{escape(name)}" value="{escape(str(key))}" id="{prefix}_{i}"'
                f"{' checked' if str(key) in chosen else ''}{extra}>"
                f'<label class="form-check-label" for="{prefix}_{i}">{escape(str(label))}</label>'
                "</div>"
                for i, (key, label) in enumerate(self.choices)
            )
        )


class QuickInput:
    """An <input> written in Python, with the attributes Django's input.html writes, in the
    same order (the widget's own context, so `value`, `checked`, `min` and the rest are as
    Django gives them)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        markup = f'<input type="{widget["type"]}" name="{conditional_escape(widget["name"])}"'
        if widget["value"] is not None:
            markup += f' value="{conditional_escape(widget["value"])}"'
        for key, attr in widget["attrs"].items():
            if attr is True:
                markup += f" {key}"
            elif attr is not False:
                markup += f' {key}="{conditional_escape(attr)}"'
        return mark_safe(markup + ">")


class QuickTextInput(QuickInput, forms.TextInput):
    pass


class QuickNumberInput(QuickInput, forms.NumberInput):
    pass


class ClinicSearchForm(forms.Form):
    """The base form of ClinicFilter: django-filter adds the fields; the search page lays them
    out with templates/directory/_search_form.html."""

    CLASSES = {"quickselect": "form-select", "tickbox": "form-check-input"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            kind = self[name].widget_type
            if kind != "quickcheckboxes":
                field.widget.attrs["class"] = self.CLASSES.get(kind, "form-control")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def clean(self):
        cleaned = super().clean()
        wants_distance = cleaned.get("sort") == "distance"
        if wants_distance and not cleaned.get("postcode") and "postcode" not in self.errors:
            self.add_error("sort", "Sorting by distance needs a postcode.")
        return cleaned
