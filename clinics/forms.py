import datetime
import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError

from clinics.models import Enquiry, ErrorReport, OutwardCode, Review
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


def start_time(request=None, salt="clinics.enquiry.started"):
    """The signed moment a form with spam traps was shown."""
    return signing.TimestampSigner(salt=salt).sign(str(time.time()))


class SpamTraps(forms.Form):
    """Two spam traps that cost a person nothing: a field hidden from people (bots fill it)
    and a signed start time (bots submit instantly, or replay a form shown long ago). For
    forms anyone may send without an account: the enquiry and the report of an error."""

    # The honeypot: hidden by CSS and from assistive technology; left empty by people.
    website = forms.CharField(required=False, label="Leave this empty")
    started = forms.CharField(widget=forms.HiddenInput)

    SIGNING_SALT = "clinics.enquiry.started"
    TRAPS = (Div("website", css_class="visually-hidden", aria_hidden="true"), "started")

    def __init__(self, *args, started=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        # Every render starts the clock again, so a person whose form came back with an
        # error is not refused for answering quickly the second time.
        self.initial["started"] = started or start_time(salt=self.SIGNING_SALT)

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
                "This form was open for a long time. Please check it and send it again.",
                code="expired",
            ) from None
        except (signing.BadSignature, ValueError):
            raise forms.ValidationError("Please send the form again.", code="bad_start") from None
        if time.time() - started < settings.ENQUIRY_MIN_SECONDS:
            raise forms.ValidationError(
                "That was very quick. Please check the form and send it again.",
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


class EnquiryForm(SpamTraps, forms.ModelForm):
    """A patient's enquiry, with the spam traps."""

    consent = forms.BooleanField(
        label="I agree that the clinic may use what I write here, including any health "
        "information, to reply to my enquiry.",
        error_messages={"required": "Tick the box to agree, or we cannot send your enquiry."},
    )

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

    def __init__(self, *args, treatments, shown=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].help_text = (
            "Say briefly what you would like help with. Only the clinic reads it; we delete "
            f"enquiries after {settings.ENQUIRY_RETENTION_DAYS} days."
        )
        self.fields["email"].help_text = (
            "The clinic replies here. A few days after it does, we email you once to ask "
            "whether you would like to review it."
        )
        self.fields["treatment"].queryset = treatments
        self.fields["treatment"].empty_label = "Not sure / other"
        if shown is not None:
            # The treatments are already in hand (a clinic page's offers): listed from them,
            # not asked of the database again. A posted form checks against `treatments`.
            self.fields["treatment"].widget.choices = [("", "Not sure / other")] + [
                (t.pk, t.name) for t in shown
            ]
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
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
            *self.TRAPS,
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


RATINGS = [(1, "1: very poor"), (2, "2: poor"), (3, "3: fair"), (4, "4: good"), (5, "5: excellent")]


def _rating_field(label, required):
    empty = [] if required else [("", "Not rated")]
    return forms.TypedChoiceField(
        label=label,
        choices=empty + RATINGS,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating from 1 to 5."},
    )


def months_back(today, count=12):
    """The first days of this month and the `count - 1` before it, newest first."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


class ReviewForm(forms.ModelForm):
    """A patient's review, written from their invitation's link."""

    rating = _rating_field("Overall, how was your experience?", required=True)
    explanation_rating = _rating_field("How well were things explained? (optional)", False)
    value_rating = _rating_field("Value for money (optional)", False)
    waiting_rating = _rating_field("Waiting time (optional)", False)
    visited_in = forms.TypedChoiceField(
        label="When did you visit?",
        coerce=datetime.date.fromisoformat,
        empty_value=None,
        required=False,
    )
    declaration = forms.BooleanField(
        label="This is my own experience of this clinic, and I have not been offered anything "
        "for writing about it.",
        error_messages={"required": "Tick the box to confirm, or we cannot publish your review."},
    )

    class Meta:
        model = Review
        fields = [
            "rating", "explanation_rating", "value_rating", "waiting_rating", "text",
            "treatment", "visited_in", "author_name",
        ]  # fmt: skip
        labels = {
            "text": "Your review",
            "treatment": "Treatment (optional)",
            "author_name": "Your name, as shown with your review",
        }
        help_texts = {
            "author_name": "Your first name, or your initials.",
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    MIN_TEXT = 20

    def __init__(self, *args, treatments, today, **kwargs):
        super().__init__(*args, **kwargs)
        text = self.fields["text"]
        text.required = True
        text.help_text = (
            "What went well, and what did not? Write only about your own experience: a review "
            "that names anyone else or describes their health is removed."
        )
        text.error_messages["required"] = "Write a few words about your experience."
        self.fields["treatment"].queryset = treatments
        self.fields["treatment"].empty_label = "Not sure / other"
        self.fields["visited_in"].choices = [("", "I have not visited")] + [
            (month.isoformat(), f"{month:%B %Y}") for month in months_back(today)
        ]
        self.fields["author_name"].widget.attrs["autocomplete"] = "given-name"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "rating",
            "text",
            "explanation_rating",
            "value_rating",
            "waiting_rating",
            "treatment",
            "visited_in",
            "author_name",
            "declaration",
        )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < self.MIN_TEXT:
            raise forms.ValidationError(
                f"Please write at least a sentence ({self.MIN_TEXT} characters or more).",
                code="short",
            )
        return text

    def clean_author_name(self):
        return " ".join(self.cleaned_data["author_name"].split())


class ErrorReportForm(SpamTraps, forms.ModelForm):
    """ "Report an error" on a clinic, practitioner or guide page: no account, an address only
    if the reporter wants to hear back."""

    SIGNING_SALT = "clinics.report.started"

    class Meta:
        model = ErrorReport
        fields = ["problem", "details", "email"]
        labels = {
            "problem": "What is wrong?",
            "details": "Tell us more",
            "email": "Your email (optional)",
        }
        help_texts = {
            "details": "What is wrong, and what is right if you know it.",
            "email": "Only if you would like to hear what we did. We delete it once we have "
            "told you.",
        }
        widgets = {"problem": forms.RadioSelect, "details": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, **kwargs)
        problems = ErrorReport.PROBLEMS[subject]
        self.fields["problem"].choices = [(p.value, p.label) for p in problems]
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout("problem", "details", "email", *self.TRAPS)
