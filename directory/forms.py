from crispy_forms.helper import FormHelper
from django import forms


class ClinicSearchForm(forms.Form):
    """The base form of ClinicFilter: django-filter adds the fields, crispy lays them out."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # The template supplies the <form>: landing pages submit to the search page.
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # A GET search changes nothing.

    def clean(self):
        cleaned = super().clean()
        wants_distance = cleaned.get("sort") == "distance"
        if wants_distance and not cleaned.get("postcode") and "postcode" not in self.errors:
            self.add_error("sort", "Sorting by distance needs a postcode.")
        return cleaned
