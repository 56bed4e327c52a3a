"""Forms clinic staff use to keep their listing true. Each lists its fields explicitly, so a
field an attacker adds to the POST (clinic, published, verified) is never read."""

import datetime
import itertools
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone

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
    StaffMembership,
)
from clinics.postcodes import normalise_postcode


def _helper(submit_label):
    helper = FormHelper()
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


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]
        widgets = {
            "opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


class BaseOpeningHoursFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        intervals = sorted(
            (form.cleaned_data["weekday"], form.cleaned_data["opens"], form.cleaned_data["closes"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and {"weekday", "opens", "closes"} <= form.cleaned_data.keys()
        )
        for (day, _, closes), (next_day, next_opens, _) in itertools.pairwise(intervals):
            if day == next_day and next_opens < closes:
                label = OpeningHours.Weekday(day).label
                raise ValidationError(f"Two opening times overlap on {label}.")


OpeningHoursFormSet = inlineformset_factory(
    Clinic,
    OpeningHours,
    form=OpeningHoursForm,
    formset=BaseOpeningHoursFormSet,
    extra=3,
    can_delete=True,
)


class OfferForm(forms.ModelForm):
    # Staff type pounds; the database keeps whole pence.
    price = forms.DecimalField(
        label="Price (£)", min_value=Decimal("0.01"), max_value=Decimal("1000"), decimal_places=2
    )

    class Meta:
        model = Offer
        fields = ["treatment", "session_type", "price", "duration_minutes"]
        labels = {"duration_minutes": "Length (minutes)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["treatment"].queryset = self.fields["treatment"].queryset.published()
        if self.instance.pk:
            self.initial.setdefault("price", self.instance.price)

    def save(self, commit=True):
        self.instance.price_pence = int(self.cleaned_data["price"] * 100)
        return super().save(commit)


OfferFormSet = inlineformset_factory(Clinic, Offer, form=OfferForm, extra=2, can_delete=True)


class PractitionerForm(forms.ModelForm):
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
        number = self.cleaned_data["hcpc_number"].strip().upper().replace(" ", "")
        Practitioner._meta.get_field("hcpc_number").run_validators(number)
        clash = Practitioner.objects.filter(hcpc_number=number).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(
                "Another practitioner is listed with this HCPC number. If they work with you, "
                "ask us to add them to your clinic."
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
        self.helper.attrs = {"enctype": "multipart/form-data"}

    def clean_image(self):
        if self.clinic.photo_slots_left() < 1:
            raise ValidationError(
                "This clinic already has as many photos as we keep. Delete one to add another."
            )
        self.processed = process_photo(self.cleaned_data["image"])
        return self.cleaned_data["image"]

    def save(self, commit=True):
        photo = self.instance
        photo.clinic = self.clinic
        photo.order = self.clinic.photos.count()
        photo.image.save(self.processed.full.name, self.processed.full, save=False)
        photo.thumbnail.save(self.processed.thumbnail.name, self.processed.thumbnail, save=False)
        photo.save()
        return photo


class PhotoForm(forms.ModelForm):
    class Meta:
        model = ClinicPhoto
        fields = ["alt_text", "order"]
        labels = {"alt_text": "Description", "order": "Position"}


PhotoFormSet = forms.modelformset_factory(ClinicPhoto, form=PhotoForm, extra=0)


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Colleague's email")
    role = forms.ChoiceField(choices=StaffMembership.Role.choices, initial="editor")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Send invitation")


class AcceptInvitationForm(forms.Form):
    """For a colleague without an account: one is made for the invited address."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.helper = _helper("Create account and join")

    def clean(self):
        cleaned = super().clean()
        if get_user_model().objects.filter(username__iexact=self.email).exists():
            raise ValidationError("An account already uses this email: sign in to accept.")
        if "password" in cleaned:
            user = get_user_model()(
                username=self.email,
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(cleaned["password"], user)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned

    def save(self):
        return get_user_model().objects.create_user(
            username=self.email,
            email=self.email,
            password=self.cleaned_data["password"],
            first_name=self.cleaned_data["first_name"],
            last_name=self.cleaned_data["last_name"],
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
