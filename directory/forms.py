from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

# The search form is drawn on every search, the site's busiest page, so its widgets write
# their markup in Python and templates/directory/_search_form.html lays the fields out: Django's
# per-option templates and crispy's per-field ones cost more than the facet counts, the
# ordering and the cards' queries together (measured: 4.3 ms of a 21 ms search; 1.1 ms now).
# Every other form of the site is a crispy form.


class QuickSelect(forms.Select):
    """A <select>, its options written in Python rather than each from a template."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), options)


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    """Tick boxes for several choices, in Bootstrap's markup, written in Python."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        attrs = self.build_attrs(self.attrs, attrs)
        prefix = attrs.pop("id", f"id_{name}")
        attrs.pop("aria-describedby", None)  # said by the fieldset around them
        return format_html_join(
            "",
            '<div class="form-check"><input type="checkbox" class="form-check-input" '
            'name="{}" value="{}" id="{}_{}"{}{}>'
            '<label class="form-check-label" for="{}_{}">{}</label></div>',
            (
                (name, key, prefix, i, " checked" if str(key) in chosen else "",
                 flatatt(attrs), prefix, i, label)
                for i, (key, label) in enumerate(self.choices)
            ),
        )  # fmt: skip


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
