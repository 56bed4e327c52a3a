"""Forms clinic staff use to keep their listing true. Each lists its fields explicitly, so a
field an attacker adds to the POST (clinic, published, verified) is never read."""

import datetime
import itertools
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone

from clinics.emails import normalise_address
from clinics.forms import PostcodeField
from clinics.images import process_photo
from clinics.models import (
    ClaimRequest,
    Clinic,
    ClinicPhoto,
    InsurerRecognition,
    Offer,
    OpeningHours,
    Practitioner,
    ReviewFlag,
    StaffMembership,
)
from clinics.postcodes import normalise_postcode
from clinics.validators import normalise_hcpc_number


def _helper(submit_label):
    helper = FormHelper()
    # The server checks and says what is wrong; browsers' own checks would refuse what it
    # accepts (a website typed without https://).
    helper.attrs = {"novalidate": ""}
    helper.add_input(Submit("save", submit_label, css_class="btn-primary"))
    return helper


class ClinicDetailsForm(forms.ModelForm):
    # A website typed without a scheme ("clinic.example") is taken as https://.
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Clinic
        fields = [
            "name", "description", "address_line1", "address_line2", "town", "postcode",
            "phone", "email", "website", "nearest_station", "parking", "step_free_access",
            "has_lift", "accessible_toilet", "home_visits", "video_consultations",
            "accepting_new_patients",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "postcode": "A full postcode, such as SW4 7AA. It places the clinic on the map "
            "and in its area of London."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save details")

    def clean_postcode(self):
        """A full London postcode; a new district moves the clinic to its area and centre."""
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        outward_code = PostcodeField().clean(postcode)  # says why a district cannot be used
        if self.instance.outward_code != outward_code.code or not self.instance.area_id:
            self.instance.move_to(outward_code)
        return postcode


class WeekHoursForm(forms.Form):
    """The week as one table, a row a day: closed, or open from one time to another, with a
    second pair of times for a day with a break (closed for lunch)."""

    SLOTS = [("opens", "Opens"), ("closes", "Closes"), ("opens2", "Opens again"),
             ("closes2", "Closes again")]  # fmt: skip

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.existing = list(clinic.opening_hours.all())
        by_day = {}
        for hours in self.existing:
            by_day.setdefault(hours.weekday, []).append(hours)
        # Two times a day are shown; a third (entered in the admin) is kept as it is.
        self.shown = set()
        for day in OpeningHours.Weekday:
            intervals = sorted(by_day.get(day.value, []), key=lambda h: h.opens)
            self.shown.update((h.weekday, h.opens, h.closes) for h in intervals[:2])
            times = [t for h in intervals[:2] for t in (h.opens, h.closes)]
            for (slot, label), value in itertools.zip_longest(self.SLOTS, times):
                self.fields[f"{day.value}-{slot}"] = forms.TimeField(
                    label=f"{day.label}: {label.lower()}",
                    required=False,
                    initial=value,
                    widget=forms.TimeInput(
                        attrs={"type": "time", "class": "form-control"}, format="%H:%M"
                    ),
                )

    def rows(self):
        """[(weekday label, [bound field for each slot])], for the template's table."""
        return [
            (day.label, [self[f"{day.value}-{slot}"] for slot, _ in self.SLOTS])
            for day in OpeningHours.Weekday
        ]

    def clean(self):
        cleaned = super().clean()
        self.intervals = []
        for day in OpeningHours.Weekday:
            times = [cleaned.get(f"{day.value}-{slot}") for slot, _ in self.SLOTS]
            pairs = [(times[0], times[1], "opens"), (times[2], times[3], "opens2")]
            for opens, closes, slot in pairs:
                if opens is None and closes is None:
                    continue
                if opens is None or closes is None:
                    self.add_error(
                        f"{day.value}-{slot}",
                        f"Give both an opening and a closing time on {day.label}, or neither.",
                    )
                elif closes <= opens:
                    self.add_error(
                        f"{day.value}-{slot}", f"On {day.label} closing must be after opening."
                    )
                else:
                    self.intervals.append((day.value, opens, closes))
            day_intervals = sorted(i for i in self.intervals if i[0] == day.value)
            if len(day_intervals) == 2 and day_intervals[1][1] < day_intervals[0][2]:
                self.add_error(f"{day.value}-opens2", f"The two times on {day.label} overlap.")
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"class": "form-control is-invalid", "aria-invalid": "true"}
                )
        return cleaned

    def save(self):
        """Make the clinic's hours these, touching only rows that change (each one is a line
        of the history)."""
        wanted = set(self.intervals)
        have = {(h.weekday, h.opens, h.closes): h for h in self.existing}
        with transaction.atomic():
            for key, hours in have.items():
                if key in self.shown and key not in wanted:
                    hours.delete()
            for weekday, opens, closes in sorted(wanted - have.keys()):
                OpeningHours.objects.create(
                    clinic=self.clinic, weekday=weekday, opens=opens, closes=closes
                )


class OfferForm(forms.ModelForm):
    # Staff type pounds; the database keeps whole pence.
    price = forms.DecimalField(
        label="Price (£)", min_value=Decimal("0.01"), max_value=Decimal("1000"), decimal_places=2
    )

    class Meta:
        model = Offer
        fields = ["treatment", "session_type", "duration_minutes", "price"]
        labels = {"duration_minutes": "Length (minutes)"}
        widgets = {"duration_minutes": forms.NumberInput(attrs={"min": 5, "max": 240})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["treatment"].queryset = self.fields["treatment"].queryset.published()
        if self.instance.pk:
            self.initial.setdefault("price", self.instance.price)
        for name, field in self.fields.items():
            if name != "DELETE":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    def save(self, commit=True):
        self.instance.price_pence = int(self.cleaned_data["price"] * 100)
        return super().save(commit)


class BaseOfferFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            data = form.cleaned_data if form.is_valid() else {}
            if not data or data.get("DELETE"):
                continue
            key = (data.get("treatment"), data.get("session_type"))
            if key in seen:
                raise ValidationError(
                    f"{key[0]} has two prices for {Offer.SessionType(key[1]).label.lower()}: "
                    "keep one."
                )
            seen.add(key)


# One table of treatment, session type, length and price, with empty rows to add more.
OfferFormSet = inlineformset_factory(
    Clinic, Offer, form=OfferForm, formset=BaseOfferFormSet, extra=3, can_delete=True
)


class PractitionerForm(forms.ModelForm):
    existing_practitioner = None

    hcpc_number = forms.CharField(
        label="HCPC number",
        max_length=10,
        help_text="PH followed by up to six digits. A changed number shows as unchecked "
        "until we check it on the register.",
    )

    class Meta:
        model = Practitioner
        fields = [
            "first_name", "last_name", "is_csp_member", "gender", "languages", "treatments",
            "bio",
        ]  # fmt: skip
        widgets = {
            "languages": forms.CheckboxSelectMultiple,
            "treatments": forms.CheckboxSelectMultiple,
            "bio": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("hcpc_number", self.instance.hcpc_number)
        self.fields["treatments"].queryset = self.fields["treatments"].queryset.published()
        self.helper = _helper("Save practitioner")
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> carries the token once

    def clean_hcpc_number(self):
        """A number already listed is someone's profile, kept by their home clinic: never
        handed over here. The form offers to ask that clinic to list them here too."""
        number = normalise_hcpc_number(self.cleaned_data["hcpc_number"])
        Practitioner._meta.get_field("hcpc_number").run_validators(number)
        self.existing_practitioner = (
            Practitioner.objects.select_related("home_clinic")
            .filter(hcpc_number=number)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if self.existing_practitioner is not None:
            raise ValidationError(
                "A practitioner with this HCPC number is already listed. If they work with "
                "you too, ask to list them at your clinic (below); their profile stays with "
                "the clinic that keeps it.",
                code="listed",
            )
        return number

    def save(self, commit=True):
        self.instance.set_hcpc_number(self.cleaned_data["hcpc_number"])
        if not self.instance.slug:
            self.instance.assign_slug()
        return super().save(commit)


InsurerRecognitionFormSet = inlineformset_factory(
    Practitioner,
    InsurerRecognition,
    fields=["insurer", "provider_number"],
    extra=2,
    can_delete=True,
)


QUOTA_REACHED = "This clinic already has as many photos as we keep. Delete one to add another."


class PhotoUploadForm(forms.ModelForm):
    image = forms.FileField(
        label="Photo",
        help_text="A JPEG, PNG or WebP photo. We resize it and remove its location data.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = ClinicPhoto
        fields = ["alt_text"]
        labels = {"alt_text": "Describe the photo"}

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.helper = _helper("Upload photo")
        self.helper.attrs = {"enctype": "multipart/form-data", "novalidate": ""}

    def clean_image(self):
        if self.clinic.photo_slots_left() < 1:
            raise ValidationError(QUOTA_REACHED)
        self.processed = process_photo(self.cleaned_data["image"])
        return self.cleaned_data["image"]

    def save(self, commit=True):
        """The photo, or None (with the error on the form) when the clinic's last slot was
        taken meanwhile. The clinic's row is locked while counting and adding, so uploads
        sent at once cannot each see the same free slot."""
        with transaction.atomic():
            clinic = Clinic.objects.select_for_update().get(pk=self.clinic.pk)
            count = clinic.photos.count()
            if count >= settings.PHOTO_QUOTA_PER_CLINIC:
                self.add_error("image", QUOTA_REACHED)
                return None
            photo = self.instance
            photo.clinic, photo.order = clinic, count
            photo.image.save(self.processed.full.name, self.processed.full, save=False)
            thumbnail = self.processed.thumbnail
            photo.thumbnail.save(thumbnail.name, thumbnail, save=False)
            photo.save()
        return photo


class PhotoForm(forms.ModelForm):
    class Meta:
        model = ClinicPhoto
        fields = ["alt_text", "order"]
        labels = {"alt_text": "Description", "order": "Position"}


class BasePhotoFormSet(forms.BaseModelFormSet):
    def clean(self):
        # Photos come in through the upload form, which checks and re-encodes them: a POST
        # with more rows than the clinic has photos (another tab deleted one, or a forged
        # form) is refused as a whole, and extra rows are never created (edit_only).
        super().clean()
        if self.total_form_count() != self.initial_form_count() or self.initial_form_count() != len(
            self.get_queryset()
        ):
            raise ValidationError(
                "Your photos changed since this page was opened (one was added or deleted). "
                "Here they are as they are now: make your changes again.",
                code="stale",
            )


PhotoFormSet = forms.modelformset_factory(
    ClinicPhoto, form=PhotoForm, formset=BasePhotoFormSet, extra=0, edit_only=True
)


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Colleague's email",
        help_text="Only an account with this address, once confirmed, can accept.",
    )
    role = forms.ChoiceField(
        choices=StaffMembership.Role.choices, initial=StaffMembership.Role.EDITOR
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Send invitation")

    def clean_email(self):
        return normalise_address(self.cleaned_data["email"])


class DecisionForm(forms.Form):
    """Approve or decline a request, with a reason the person who asked will read."""

    reason = forms.CharField(
        label="Reason (sent to them if you decline)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


class ClaimForm(forms.ModelForm):
    class Meta:
        model = ClaimRequest
        fields = ["role_at_clinic", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Ask for access")


class NewClinicForm(ClinicDetailsForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Add clinic")


class NextAvailableForm(forms.Form):
    """When the clinic can next see a new patient: "this week", a day, or nothing said.
    Saving it again, unchanged, keeps it showing (it lapses NEXT_AVAILABLE_LIFETIME after)."""

    THIS_WEEK, ON_A_DAY, NOT_SAID = "this_week", "day", "none"
    MAX_DAYS_AHEAD = 90

    when = forms.ChoiceField(
        label="When can you next see a new patient?",
        choices=[
            (THIS_WEEK, "This week"),
            (ON_A_DAY, "On a particular day"),
            (NOT_SAID, "We would rather not say (nothing is shown)"),
        ],
        widget=forms.RadioSelect,
    )
    on = forms.DateField(
        label="The day",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=f"Only for “On a particular day”: today or within {MAX_DAYS_AHEAD} days.",
    )

    def __init__(self, *args, clinic, today=None, **kwargs):
        self.clinic = clinic
        self.today = today or timezone.localdate()
        said = clinic.next_available(self.today)
        if said is None:
            initial = {"when": self.NOT_SAID}
        elif said.this_week:
            initial = {"when": self.THIS_WEEK}
        else:
            initial = {"when": self.ON_A_DAY, "on": said.on}
        super().__init__(*args, initial=initial, **kwargs)
        self.helper = _helper("Save")

    def clean(self):
        cleaned = super().clean()
        on = cleaned.get("on")
        if cleaned.get("when") == self.ON_A_DAY:
            if on is None and "on" not in self.errors:
                self.add_error("on", "Give the day of your next new-patient appointment.")
            elif on is not None and on < self.today:
                self.add_error("on", "That day has passed: give today or a later day.")
            elif on is not None and on > self.today + datetime.timedelta(self.MAX_DAYS_AHEAD):
                self.add_error(
                    "on", f"Give a day within {self.MAX_DAYS_AHEAD} days, or choose not to say."
                )
        return cleaned

    def save(self):
        when = self.cleaned_data["when"]
        self.clinic.set_next_available(
            on=self.cleaned_data["on"] if when == self.ON_A_DAY else None,
            this_week=when == self.THIS_WEEK,
            today=self.today,
        )
        return self.clinic.next_available(self.today)


class ReplyForm(forms.Form):
    """A clinic's one public reply to a review."""

    reply = forms.CharField(
        label="Your public reply",
        max_length=1500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown under the review, with your clinic's name. You can reply once, and "
        "cannot change it afterwards. Never mention the patient's health or treatment.",
    )


class ReviewFlagForm(forms.ModelForm):
    """Clinic staff ask us to remove a review that breaks one of our rules."""

    class Meta:
        model = ReviewFlag
        fields = ["reason", "note"]
        labels = {"reason": "Remove it because", "note": "What is wrong with it"}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class CloseReportForm(forms.Form):
    """Closing a report of an error: what was done, for the reporter and the admins."""

    resolution = forms.CharField(
        label="What did you do?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: “Corrected the Saturday opening hours.” Sent to whoever "
        "reported it, if they left an email address.",
    )
