from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError

from directory.two_factor import devices


class CodeForm(forms.Form):
    """A code from the authenticator app, or a backup code, checked against `user`'s
    confirmed devices (or only against `device`, an app being set up)."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, user, *args, device=None, submit="Continue", action="", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = device
        self.result = None
        if device is not None:
            self.fields["code"].label = "Code from your app"
            self.fields["code"].help_text = "The 6-digit code your app shows now."
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", submit))

    def clean_code(self):
        self.result = devices.check_code(self.user, self.cleaned_data["code"], device=self.device)
        if self.result.locked:
            raise ValidationError(
                "Too many wrong codes. Wait %(seconds)s seconds, then try again.",
                code="throttled",
                params={"seconds": self.result.wait_seconds()},
            )
        if not self.result.accepted:
            raise ValidationError(
                "That code is not right. Enter the code your app shows now (it changes every "
                "30 seconds)" + ("." if self.device else ", or an unused backup code."),
                code="wrong",
            )
        return self.cleaned_data["code"]

    @property
    def throttled(self):
        return self.result is not None and self.result.locked

    @property
    def accepted_device(self):
        return self.result.device if self.result else None
