"""The search form's inputs are written in Python for speed (directory/forms.py); they must
write exactly what Django's own widgets write, escaping included."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from directory.filters import TickBox, is_yes
from directory.forms import QuickNumberInput, QuickTextInput

HOSTILE = "\"><script>alert(1)</script>&amp;'é"


@pytest.mark.parametrize(
    ("quick", "django_widget", "value"),
    [
        (QuickTextInput, forms.TextInput, None),
        (QuickTextInput, forms.TextInput, ""),
        (QuickTextInput, forms.TextInput, "dry neddling"),
        (QuickTextInput, forms.TextInput, HOSTILE),
        (QuickTextInput, forms.TextInput, mark_safe("a &amp; b")),
        (QuickNumberInput, forms.NumberInput, None),
        (QuickNumberInput, forms.NumberInput, 80),
        (QuickNumberInput, forms.NumberInput, HOSTILE),
    ],
)
def test_quick_inputs_write_what_djangos_write(quick, django_widget, value):
    attrs = {"class": "form-control is-invalid", "min": 1, "aria-describedby": "x_error"}
    given = {"id": "id_q", "required": False, "autofocus": True, "placeholder": HOSTILE}
    expected = django_widget(attrs=attrs).render("q", value, attrs=given)
    assert quick(attrs=attrs).render("q", value, attrs=given) == expected


@pytest.mark.parametrize("value", [None, "", "on", "yes", "banana", True, False, HOSTILE])
def test_tick_box_writes_what_djangos_checkbox_writes(value):
    expected = forms.CheckboxInput(attrs={"class": "form-check-input"}, check_test=is_yes)
    tick = TickBox(attrs={"class": "form-check-input"})
    assert tick.render("step_free", value, {"id": "id_step_free"}) == expected.render(
        "step_free", value, {"id": "id_step_free"}
    )
