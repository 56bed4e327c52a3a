import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError

from clinics.models import Enquiry, OutwardCode
from clinics.postcodes import normalise_outward_code, outward_code_of


class PostcodeField(forms.CharField):
    """A full postcode or a district ("sw4 7aa", "SW47AA", "SW4"), cleaned to the known London
    OutwardCode it belongs to, or a message saying why it cannot be used. The known codes are
    looked up in `outward_codes` ({code: OutwardCode}) when the form is given them, as the
    search's is from the listings index, else in the database."""

    outward_codes = None

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            code = outward_code_of(value)
        except ValidationError:
            try:
                code = normalise_outward_code(value)
            except ValidationError:
                raise ValidationError(
                    "Enter a postcode such as SW4 7AA, or a district such as SW4.",
                    code="invalid",
                ) from None
        if self.outward_codes is not None:
            found = self.outward_codes.get(code)
        else:
            found = OutwardCode.objects.select_related("area").filter(code=code).first()
        if found is not None and found.area_id is not None:
            return found
        if found is not None:
            raise ValidationError(
                f"{code} is outside London. The directory covers London only.",
                code="outside_london",
            )
        nearby = OutwardCode.objects.near_in_number(code)
        if nearby:
            raise ValidationError(
                f"We don't know the district {code}. Did you mean {', '.join(nearby)}?",
                code="unknown",
            )
        raise ValidationError(
            f"{code} is not a London postcode. The directory covers London only.",
            code="outside_london",
        )

    def prepare_value(self, value):
        return value.code if isinstance(value, OutwardCode) else value


def start_time(request=None):
    """The signed moment an enquiry form was shown (for per_visitor(), which passes the
    request)."""
    return signing.TimestampSigner(salt=EnquiryForm.SIGNING_SALT).sign(str(time.time()))


class EnquiryForm(forms.ModelForm):
    """A patient's enquiry. Two spam traps cost a person nothing: a field hidden from people
    (bots fill it) and a signed start time (bots submit instantly)."""

    consent = forms.BooleanField(
        label="I agree that the clinic may use what I write here, including any health "
        "information, to reply to my enquiry.",
        error_messages={"required": "Tick the box to agree, or we cannot send your enquiry."},
    )
    # The honeypot: hidden by CSS and from assistive technology; left empty by people.
    website = forms.CharField(required=False, label="Leave this empty")
    started = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Enquiry
        fields = ["name", "email", "phone", "preferred_contact", "treatment", "message"]
        labels = {
            "name": "Your name",
            "email": "Your email",
            "phone": "Your phone (optional)",
            "preferred_contact": "How should the clinic reply?",
            "treatment": "Treatment (optional)",
            "message": "Your message",
        }
        widgets = {
            "message": forms.Textarea(attrs={"rows": 5}),
            "preferred_contact": forms.RadioSelect,
        }

    SIGNING_SALT = "clinics.enquiry.started"

    def __init__(self, *args, treatments, started=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].help_text = (
            "Say briefly what you would like help with. Only the clinic reads it; we delete "
            f"enquiries after {settings.ENQUIRY_RETENTION_DAYS} days."
        )
        self.fields["treatment"].queryset = treatments
        self.fields["treatment"].empty_label = "Not sure / other"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        # Every render starts the clock again, so a person whose form came back with an
        # error is not refused for answering quickly the second time.
        self.initial["started"] = started or start_time()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> carries the token once
        self.helper.layout = Layout(
            "name",
            "email",
            "phone",
            "preferred_contact",
            "treatment",
            "message",
            "consent",
            Div("website", css_class="visually-hidden", aria_hidden="true"),
            "started",
        )

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError("This field must be left empty.", code="honeypot")
        return ""

    def clean_started(self):
        signer = signing.TimestampSigner(salt=self.SIGNING_SALT)
        try:
            started = float(
                signer.unsign(
                    self.cleaned_data["started"], max_age=settings.ENQUIRY_FORM_MAX_AGE_SECONDS
                )
            )
        except signing.SignatureExpired:
            # A real person who left the page open: told so, with what they typed kept and
            # a fresh start time. A script replaying an old token gets no further.
            raise forms.ValidationError(
                "This form was open for a long time. Please check your message and send it again.",
                code="expired",
            ) from None
        except (signing.BadSignature, ValueError):
            raise forms.ValidationError("Please send the form again.", code="bad_start") from None
        if time.time() - started < settings.ENQUIRY_MIN_SECONDS:
            raise forms.ValidationError(
                "That was very quick. Please check your message and send it again.",
                code="too_fast",
            )
        return ""

    def is_spam(self):
        """A bot: it filled the hidden field, or the start time was forged."""
        return any(
            error.code in ("honeypot", "bad_start")
            for field in ("website", "started")
            for error in self.errors.as_data().get(field, [])
        )


class CompareForm(forms.Form):
    """What the shortlist is compared on: one treatment's prices, distances from a postcode.
    Both checked against the listings index's lists (`choices`), with no query."""

    treatment = forms.ChoiceField(required=False, label="Prices for")
    postcode = PostcodeField(
        required=False,
        label="Distance from",
        help_text="A postcode or district, such as SW4.",
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.treatments = {t.slug: t for t in choices.treatments}
        self.fields["treatment"].choices = [("", "Choose a treatment")] + [
            (t.slug, t.name) for t in choices.treatments
        ]
        self.fields["postcode"].outward_codes = choices.outward_codes
        self.fields["postcode"].widget.attrs.update(autocomplete="postal-code", maxlength="10")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div(Div("treatment", css_class="col-sm-6"), Div("postcode", css_class="col-sm-6"),
                css_class="row g-3"),
        )  # fmt: skip

    def clean_treatment(self):
        return self.treatments.get(self.cleaned_data["treatment"])
