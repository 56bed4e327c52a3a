from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from clinics.models import (
    Area,
    ClaimRequest,
    Clinic,
    ClinicChange,
    ClinicPhoto,
    Decision,
    Enquiry,
    ErrorReport,
    Insurer,
    InsurerRecognition,
    Invitation,
    Language,
    ListingRequest,
    Offer,
    OpeningHours,
    OutwardCode,
    Practitioner,
    PriceBand,
    Review,
    ReviewFlag,
    ReviewInvitation,
    StaffMembership,
    VerificationRequest,
    email_digest,
)
from treatments.admin import PublishActionsMixin


def set_or_not(title, set_label, unset_label):
    """Django's filter for a field that is set or empty (`?verified_on__isempty=1`), in the
    words of what it means: "By verification: Verified / Not yet verified", not "By verified
    on: Not empty / Empty"."""

    class SetOrNot(admin.EmptyFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

        def choices(self, changelist):
            # Django's own choices (All, Empty, Not empty, each with its count when the
            # admin shows counts), renamed.
            words = [None, unset_label, set_label]
            for choice, word in zip(super().choices(changelist), words, strict=True):
                if word:
                    count = str(choice["display"]).partition(" (")[2]
                    choice["display"] = f"{word} ({count}" if count else word
                yield choice

    return SetOrNot


BY_AREA_SET = set_or_not("area", "Has an area", "No area")
BY_VERIFICATION = set_or_not("verification", "Verified", "Not yet verified")
BY_HCPC_CHECK = set_or_not("HCPC check", "Checked on the register", "Not yet checked")
BY_ACCEPTANCE = set_or_not("acceptance", "Accepted", "Not yet accepted")
BY_HOME_CLINIC = set_or_not("home clinic", "Has one", "None yet")
BY_ANSWER = set_or_not("answer", "Answered", "Not yet answered")
BY_REPLY = set_or_not("clinic's reply", "Replied", "No reply yet")
BY_USE = set_or_not("use", "Used", "Not used yet")


class ListingFilter(admin.SimpleListFilter):
    """Where a published clinic stands in the search, as its details age unconfirmed."""

    title = "in the search"
    parameter_name = "listing"

    def lookups(self, request, model_admin):
        return [
            ("listed", "Listed"),
            (
                "hidden-soon",
                f"Leaving within {settings.LISTING_HIDDEN_SOON_DAYS} days, as not confirmed",
            ),
            ("hidden", "Hidden, as not confirmed for too long"),
        ]

    def queryset(self, request, queryset):
        listed = Clinic.objects.listed().values("pk")
        if self.value() == "listed":
            return queryset.filter(pk__in=listed)
        if self.value() == "hidden-soon":
            soon = Clinic.objects.to_be_hidden_within(settings.LISTING_HIDDEN_SOON_DAYS)
            return queryset.filter(pk__in=soon.values("pk"))
        if self.value() == "hidden":
            return queryset.filter(is_published=True).exclude(pk__in=listed)
        return queryset


class StaffFilter(admin.SimpleListFilter):
    title = "managed by staff"
    parameter_name = "staff"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No: open to a claim")]

    def queryset(self, request, queryset):
        managed = Exists(StaffMembership.objects.filter(clinic=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(managed)
        if self.value() == "no":
            return queryset.filter(~managed)
        return queryset


class OverdueReportsFilter(admin.SimpleListFilter):
    """Listings whose staff have left a report of an error open too long: for admins to
    follow up (the admin home counts them)."""

    title = "reports of errors"
    parameter_name = "reports"

    def lookups(self, request, model_admin):
        return [
            ("open", "Open"),
            ("overdue", f"Open for more than {settings.REPORT_OVERDUE_DAYS} days"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.with_reports(ErrorReport.objects.open())
        if self.value() == "overdue":
            return queryset.with_overdue_reports()
        return queryset


class WaitingFilter(admin.SimpleListFilter):
    title = "waiting for a reply"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [
            ("overdue", f"Unanswered for more than {settings.ENQUIRY_WAITING_DAYS} days"),
            ("unanswered", "Unanswered"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(answered_at__isnull=True).older_than(
                settings.ENQUIRY_WAITING_DAYS
            )
        if self.value() == "unanswered":
            return queryset.filter(answered_at__isnull=True)
        return queryset


@admin.register(Area)
class AreaAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "parent", "clinic_count", "latitude", "longitude"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(clinic_count=Count("clinics", distinct=True))

    @admin.display(description="Clinics here", ordering="clinic_count")
    def clinic_count(self, area):
        return area.clinic_count


@admin.register(OutwardCode)
class OutwardCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "area", "latitude", "longitude"]
    list_filter = [("area", BY_AREA_SET)]
    search_fields = ["code", "area__name"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]


@admin.register(Insurer)
class InsurerAdmin(SimpleHistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "slug", "website", "practitioner_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(practitioner_count=Count("recognitions", distinct=True))
        )

    @admin.display(description="Practitioners recognised", ordering="practitioner_count")
    def practitioner_count(self, insurer):
        return insurer.practitioner_count


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class OfferInline(admin.TabularInline):
    model = Offer
    ordering = ["treatment__name", "session_type"]
    autocomplete_fields = ["treatment"]
    fields = ["treatment", "session_type", "price_pence", "duration_minutes", "price_confirmed_on"]
    extra = 0

    def get_queryset(self, request):
        # Each row is headed by str(offer), which names its treatment and clinic.
        return super().get_queryset(request).select_related("treatment", "clinic")


class ClinicPhotoInline(admin.TabularInline):
    model = ClinicPhoto
    fields = ["thumbnail_preview", "alt_text", "order"]
    readonly_fields = ["thumbnail_preview"]
    extra = 0

    @admin.display(description="Photo")
    def thumbnail_preview(self, photo):
        image = photo.thumbnail or photo.image
        if not image:
            return ""
        return format_html('<img src="{}" alt="{}" width="120">', image.url, photo.alt_text)

    def has_add_permission(self, request, obj=None):
        # Uploads go through the portal, where they are checked and re-encoded.
        return False


class StaffMembershipInline(admin.TabularInline):
    model = StaffMembership
    ordering = ["user__email"]
    autocomplete_fields = ["user"]
    extra = 0

    def get_queryset(self, request):
        # Each row is headed by str(membership), which names its user and clinic.
        return super().get_queryset(request).select_related("user", "clinic")


@admin.register(Clinic)
class ClinicAdmin(PublishActionsMixin, SimpleHistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name", "area", "postcode", "is_published", "is_verified", "details_confirmed_on",
        "offer_count",
    ]  # fmt: skip
    list_filter = [
        "is_published", ("verified_on", BY_VERIFICATION), ListingFilter, StaffFilter,
        OverdueReportsFilter,
        "accepting_new_patients", "step_free_access", "home_visits", "video_consultations",
        "area__kind",
    ]  # fmt: skip
    search_fields = ["name", "postcode", "email", "area__name"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["outward_code", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [OpeningHoursInline, OfferInline, ClinicPhotoInline, StaffMembershipInline]
    actions = ["publish", "unpublish", "mark_verified"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "is_published"]}),
        (
            "Address",
            {
                "fields": [
                    "address_line1",
                    "address_line2",
                    "town",
                    "postcode",
                    "outward_code",
                    "area",
                    "latitude",
                    "longitude",
                    "nearest_station",
                    "parking",
                ]
            },
        ),
        ("Contact", {"fields": ["phone", "email", "website"]}),
        (
            "Access and appointments",
            {
                "fields": [
                    "step_free_access",
                    "has_lift",
                    "accessible_toilet",
                    "home_visits",
                    "video_consultations",
                    "accepting_new_patients",
                ]
            },
        ),
        ("Checks", {"fields": ["verified_on", "details_confirmed_on", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(offer_count=Count("offers", distinct=True))

    @admin.display(description="Prices", ordering="offer_count")
    def offer_count(self, clinic):
        return clinic.offer_count

    @admin.display(description="Verified", boolean=True, ordering="verified_on")
    def is_verified(self, clinic):
        return clinic.is_verified()

    @admin.action(description="Mark the selected clinics verified today")
    def mark_verified(self, request, queryset):
        count = self.update_each(queryset, verified_on=timezone.localdate())
        self.message_count(request, count, "marked verified")


class InsurerRecognitionInline(admin.TabularInline):
    model = InsurerRecognition
    ordering = ["insurer__name"]
    autocomplete_fields = ["insurer"]
    extra = 0

    def get_queryset(self, request):
        # Each row is headed by str(recognition), which names its practitioner and insurer.
        return super().get_queryset(request).select_related("practitioner", "insurer")


@admin.register(Practitioner)
class PractitionerAdmin(PublishActionsMixin, SimpleHistoryAdmin):
    list_display = [
        "full_name", "hcpc_number", "is_registration_checked", "hcpc_checked_on",
        "is_csp_member", "gender", "is_published", "clinic_count",
    ]  # fmt: skip
    list_filter = [
        "is_published", ("hcpc_checked_on", BY_HCPC_CHECK), "is_csp_member",
        "gender", "clinics__area",
    ]  # fmt: skip
    search_fields = ["first_name", "last_name", "hcpc_number", "slug"]
    # The home clinic keeps the profile: an admin settles disputes by moving it.
    autocomplete_fields = ["home_clinic", "clinics", "treatments", "languages"]
    prepopulated_fields = {"slug": ("first_name", "last_name")}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [InsurerRecognitionInline]
    actions = ["publish", "unpublish", "mark_verified"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(clinic_count=Count("clinics", distinct=True))

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, practitioner):
        return practitioner.full_name

    @admin.display(description="Clinics", ordering="clinic_count")
    def clinic_count(self, practitioner):
        return practitioner.clinic_count

    @admin.action(description="Mark HCPC numbers checked on the register today")
    def mark_verified(self, request, queryset):
        count = self.update_each(queryset, hcpc_checked_on=timezone.localdate())
        self.message_count(request, count, "marked checked on the HCPC register")


@admin.register(InsurerRecognition)
class InsurerRecognitionAdmin(SimpleHistoryAdmin):
    list_display = ["practitioner", "insurer", "provider_number"]
    ordering = ["insurer__name"]
    list_filter = ["insurer"]
    search_fields = ["practitioner__last_name", "practitioner__hcpc_number", "provider_number"]
    list_select_related = ["practitioner", "insurer"]
    autocomplete_fields = ["practitioner", "insurer"]


@admin.register(Offer)
class OfferAdmin(SimpleHistoryAdmin):
    list_display = [
        "clinic", "treatment", "session_type", "price", "duration_minutes", "price_confirmed_on",
    ]  # fmt: skip
    ordering = ["treatment__name", "session_type"]
    list_filter = ["session_type", "treatment"]
    search_fields = ["clinic__name", "treatment__name"]
    list_select_related = ["clinic", "treatment"]
    autocomplete_fields = ["clinic", "treatment"]

    @admin.display(description="Price", ordering="price_pence")
    def price(self, offer):
        return f"£{offer.price:.2f}"


@admin.register(OpeningHours)
class OpeningHoursAdmin(SimpleHistoryAdmin):
    list_display = ["clinic", "weekday", "opens", "closes"]
    list_filter = ["weekday"]
    search_fields = ["clinic__name"]
    list_select_related = ["clinic"]
    autocomplete_fields = ["clinic"]


@admin.register(ClinicPhoto)
class ClinicPhotoAdmin(SimpleHistoryAdmin):
    list_display = ["alt_text", "clinic", "order", "created_at"]
    search_fields = ["alt_text", "clinic__name"]
    list_select_related = ["clinic"]
    autocomplete_fields = ["clinic"]

    def has_add_permission(self, request):
        return False  # uploads are checked and re-encoded in the portal


@admin.register(StaffMembership)
class StaffMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "clinic", "role", "created_at"]
    ordering = ["clinic__name", "user__email"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__username", "clinic__name"]
    list_select_related = ["user", "clinic"]
    autocomplete_fields = ["user", "clinic"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "clinic", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = [
        "role",
        ("accepted_at", BY_ACCEPTANCE),
    ]
    search_fields = ["email", "clinic__name"]
    list_select_related = ["clinic", "invited_by"]
    autocomplete_fields = ["clinic", "invited_by", "accepted_by"]
    readonly_fields = ["created_at"]


class ClaimWaitingForFilter(admin.SimpleListFilter):
    title = "waiting for"
    parameter_name = "waiting_for"

    def lookups(self, request, model_admin):
        return [("us", "Us (the listing has no owner)"), ("owners", "The clinic's owners")]

    def queryset(self, request, queryset):
        owned = Exists(StaffMembership.objects.owners().filter(clinic=OuterRef("clinic")))
        pending = queryset.filter(status=Decision.PENDING)
        if self.value() == "us":
            return pending.filter(~owned)
        if self.value() == "owners":
            return pending.filter(owned)
        return queryset


class DecisionActionsMixin:
    """Approve and refuse actions for requests with a status; each decision is emailed."""

    @admin.action(description="Approve the selected requests")
    def approve(self, request, queryset):
        pending = list(queryset.filter(status=Decision.PENDING))
        for item in pending:
            item.approve(request.user)
        self.message_user(request, f"{len(pending)} approved; each was told by email.")

    @admin.action(description="Refuse the selected requests")
    def refuse(self, request, queryset):
        pending = list(queryset.filter(status=Decision.PENDING))
        for item in pending:
            item.refuse(request.user)
        self.message_user(request, f"{len(pending)} refused; each was told by email.")


@admin.register(ClaimRequest)
class ClaimRequestAdmin(DecisionActionsMixin, admin.ModelAdmin):
    """Claims of listings nobody manages wait for us; the others for the clinic's owners
    first, though an admin can decide them too (for a dispute, or owners who do not
    answer)."""

    list_display = ["clinic", "user", "role_at_clinic", "status", "created_at", "decided_at"]
    list_filter = ["status", ClaimWaitingForFilter]
    search_fields = ["clinic__name", "user__email"]
    list_select_related = ["clinic", "user"]
    autocomplete_fields = ["clinic", "user"]
    readonly_fields = ["created_at", "decided_at", "decided_by"]
    actions = ["approve", "refuse"]


@admin.register(ListingRequest)
class ListingRequestAdmin(DecisionActionsMixin, admin.ModelAdmin):
    """A clinic asking to list a practitioner another clinic keeps. The home clinic decides;
    an admin settles disputes, and decides for practitioners with no home."""

    list_display = ["practitioner", "clinic", "home_clinic", "status", "created_at"]
    list_filter = [
        "status",
        ("practitioner__home_clinic", BY_HOME_CLINIC),
    ]
    search_fields = ["practitioner__last_name", "practitioner__hcpc_number", "clinic__name"]
    list_select_related = ["practitioner", "practitioner__home_clinic", "clinic"]
    autocomplete_fields = ["practitioner", "clinic", "requested_by"]
    readonly_fields = ["status", "created_at", "decided_at", "decided_by"]
    actions = ["approve", "refuse"]

    @admin.display(description="Kept by", ordering="practitioner__home_clinic__name")
    def home_clinic(self, listing):
        return listing.practitioner.home_clinic


class VerificationDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(
        choices=[("", "Not yet"), ("approve", "Verify and publish"), ("refuse", "Refuse")],
        required=False,
        help_text="Either way, the clinic is told by email.",
    )

    class Meta:
        model = VerificationRequest
        fields = ["reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why, for the clinic to read and put right.")
        return cleaned


@admin.register(VerificationRequest)
class VerificationRequestAdmin(admin.ModelAdmin):
    """The queue of clinics added in the portal. Each page shows what to check (the address,
    the website, each practitioner's HCPC number against the public register) and takes a
    decision: verify and publish, or refuse with a reason."""

    form = VerificationDecisionForm
    list_display = ["clinic", "requested_by", "created_at", "status", "decided_at"]
    list_filter = ["status"]
    search_fields = ["clinic__name", "requested_by__email"]
    list_select_related = ["clinic", "requested_by"]
    fields = [
        "clinic_link", "address", "website", "contact", "requested_by", "created_at",
        "practitioners_to_check", "status", "decision", "reason", "decided_by", "decided_at",
    ]  # fmt: skip
    readonly_fields = [
        "clinic_link", "address", "website", "contact", "requested_by", "created_at",
        "practitioners_to_check", "status", "decided_by", "decided_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("clinic", "requested_by")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Decision.PENDING:
            return [*self.readonly_fields, "reason"]
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is not None and obj.status != Decision.PENDING:
            return [name for name in self.fields if name != "decision"]
        return self.fields

    @admin.display(description="Clinic")
    def clinic_link(self, request_):
        clinic = request_.clinic
        url = reverse("admin:clinics_clinic_change", args=[clinic.pk])
        return format_html('<a href="{}">{}</a>', url, clinic.name)

    @admin.display(description="Address")
    def address(self, request_):
        return ", ".join([*request_.clinic.address_lines(), request_.clinic.postcode])

    @admin.display(description="Website")
    def website(self, request_):
        url = request_.clinic.website
        if not url:
            return "None given"
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', url, url
        )

    @admin.display(description="Phone and email")
    def contact(self, request_):
        return " · ".join(filter(None, [request_.clinic.phone, request_.clinic.email])) or "None"

    @admin.display(description="Practitioners: check each on the HCPC register")
    def practitioners_to_check(self, request_):
        people = request_.clinic.practitioners.order_by("last_name")
        if not people:
            return "None added yet."
        return format_html_join(
            mark_safe("<br>"),
            '{} {}: <a href="{}" rel="noopener noreferrer" target="_blank">{}</a>{}',
            (
                (
                    p.first_name,
                    p.last_name,
                    p.hcpc_register_url(),
                    p.hcpc_number,
                    " (checked)" if p.hcpc_checked_on else "",
                )
                for p in people
            ),
        )

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if decision == "approve":
            obj.approve(request.user)
        elif decision == "refuse":
            obj.refuse(request.user, form.cleaned_data["reason"])
        else:
            super().save_model(request, obj, form, change)


@admin.register(ClinicChange)
class ClinicChangeAdmin(admin.ModelAdmin):
    """What staff did in the portal, one row an action (each object's own history, with the
    fields changed, is on its admin page)."""

    list_display = ["label", "clinic", "user", "created_at"]
    search_fields = ["clinic__name", "user__email", "label"]
    list_select_related = ["clinic", "user"]
    date_hierarchy = "created_at"
    fields = ["clinic", "user", "label", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Enquiry)
class EnquiryAdmin(admin.ModelAdmin):
    """Health data: listed without the message, opened only to read, never edited here."""

    list_display = ["clinic", "created_at", "read_at", "answered_at"]
    list_filter = [WaitingFilter, ("answered_at", BY_ANSWER)]
    search_fields = ["email"]
    list_select_related = ["clinic"]
    date_hierarchy = "created_at"
    actions = ["erase_by_email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(
        description="Erase every enquiry and review from the selected enquiries' email addresses",
        permissions=["delete"],
    )
    def erase_by_email(self, request, queryset):
        """A patient's right to erasure: everything sent from their address goes, their
        reviews (found by the address's digest) with their enquiries."""
        emails = {email.lower() for email in queryset.values_list("email", flat=True)}
        deleted = reviews = 0
        for email in emails:
            invitations = ReviewInvitation.objects.filter(email_digest=email_digest(email))
            reviews += Review.objects.filter(invitation__in=invitations).count()
            invitations.delete()  # with their reviews
            deleted += Enquiry.objects.filter(email__iexact=email).delete()[0]
        self.message_user(
            request,
            f"{deleted} enquiries and {reviews} reviews erased from {len(emails)} email "
            "address(es).",
        )


@admin.register(PriceBand)
class PriceBandAdmin(SimpleHistoryAdmin):
    list_display = ["label", "slug", "min_pence", "max_pence", "order"]
    list_editable = ["order"]
    search_fields = ["label"]
    prepopulated_fields = {"slug": ("label",)}


# --- Reviews and reports of errors ------------------------------------------------------------


class ReviewDecisionForm(forms.ModelForm):
    """What an admin may do to a review: let a held one through, or remove it (or the
    clinic's reply) for one of the stated reasons, which is shown in its place."""

    decision = forms.ChoiceField(
        choices=[
            ("", "No change"),
            ("publish", "Publish it (a held review)"),
            ("remove", "Remove the review"),
            ("remove_reply", "Remove the clinic's reply"),
        ],
        required=False,
    )
    reason = forms.ChoiceField(
        label="Because",
        choices=[("", "---------"), *Review.RemovalReason.choices],
        required=False,
        help_text="Shown in its place: “Removed because …”. Nothing else is a reason.",
    )

    class Meta:
        model = Review
        fields = []

    def clean(self):
        cleaned = super().clean()
        decision, review = cleaned.get("decision"), self.instance
        if decision in ("remove", "remove_reply") and not cleaned.get("reason"):
            self.add_error("reason", "Say why: patients see the reason.")
        if decision == "publish" and review.status != Review.Status.HELD:
            self.add_error("decision", "Only a held review can be published.")
        if decision == "remove" and review.status == Review.Status.REMOVED:
            self.add_error("decision", "This review is removed already.")
        if decision == "remove_reply" and not review.reply:
            self.add_error("decision", "There is no reply to remove.")
        return cleaned


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Reviews come only from patients' invitations and are never edited here: an admin lets
    a held one through, or removes one for a stated reason (removing deletes its text).
    Deleting one outright is for an erasure request from its writer."""

    form = ReviewDecisionForm
    list_display = ["clinic", "rating", "status", "author_name", "created_at", "has_reply"]
    list_filter = ["status", ("replied_at", BY_REPLY), "rating"]
    search_fields = ["clinic__name", "author_name"]
    list_select_related = ["clinic"]
    date_hierarchy = "created_at"
    shown_fields = [
        "clinic", "status", "created_at", "rating", "explanation_rating", "value_rating",
        "waiting_rating", "text", "treatment", "visited_in", "author_name", "removal_reason",
        "removed_at", "removed_by", "reply", "replied_at", "replied_by", "reply_removal_reason",
    ]  # fmt: skip
    readonly_fields = shown_fields
    fields = [*shown_fields, "decision", "reason"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Replied", boolean=True, ordering="replied_at")
    def has_reply(self, review):
        return review.replied_at is not None

    def save_model(self, request, obj, form, change):
        decision, reason = form.cleaned_data.get("decision"), form.cleaned_data.get("reason")
        if decision == "publish":
            obj.publish()
        elif decision == "remove":
            obj.remove(reason, request.user)
        elif decision == "remove_reply":
            obj.remove_reply(reason)

    @admin.action(description="Publish the selected held reviews")
    def publish_held(self, request, queryset):
        held = list(queryset.filter(status=Review.Status.HELD))
        for review in held:
            review.publish()
        self.message_user(request, f"{len(held)} held review(s) published.")

    actions = ["publish_held"]


@admin.register(ReviewFlag)
class ReviewFlagAdmin(DecisionActionsMixin, admin.ModelAdmin):
    """Clinics asking us to remove a review: approving removes it for the reason they gave
    (check it is one that applies); refusing keeps it. Either way they are told."""

    list_display = ["review", "clinic", "reason", "reported_by", "status", "created_at"]
    list_filter = ["status", "reason"]
    search_fields = ["review__clinic__name", "reported_by__email"]
    list_select_related = ["review", "review__clinic", "reported_by"]
    fields = ["review_text", "reason", "note", "reported_by", "status", "created_at",
              "decided_by", "decided_at"]  # fmt: skip
    readonly_fields = fields
    actions = ["approve", "refuse"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Clinic", ordering="review__clinic__name")
    def clinic(self, flag):
        return flag.review.clinic

    @admin.display(description="The review")
    def review_text(self, flag):
        review = flag.review
        url = reverse("admin:clinics_review_change", args=[review.pk])
        return format_html(
            '<a href="{}">{}/5, {}</a><br>{}', url, review.rating, review.author_name, review.text
        )


@admin.register(ReviewInvitation)
class ReviewInvitationAdmin(admin.ModelAdmin):
    """The invitations sent: when, and whether used. Addresses and links are never stored
    in the clear, so none is shown."""

    list_display = ["clinic", "sent_at", "used_at", "from_an_enquiry_kept"]
    list_filter = [("used_at", BY_USE)]
    search_fields = ["clinic__name"]
    list_select_related = ["clinic"]
    date_hierarchy = "sent_at"
    fields = ["clinic", "treatment", "sent_at", "used_at", "from_an_enquiry_kept"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Enquiry still kept", boolean=True)
    def from_an_enquiry_kept(self, invitation):
        return invitation.enquiry_id is not None


class ReportStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("open", "Open"),
            ("overdue", f"Open for more than {settings.REPORT_OVERDUE_DAYS} days"),
            ("closed", "Closed"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "closed":
            return queryset.exclude(closed_at=None)
        return queryset


class CloseReportAdminForm(forms.ModelForm):
    class Meta:
        model = ErrorReport
        fields = ["resolution"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "resolution" in self.fields:
            self.fields["resolution"].help_text = (
                "Saving with this filled in closes the report; the reporter, if they left "
                "an address, is emailed it."
            )


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    """Every report of an error: guides' are ours to close; a listing's staff close theirs in
    the portal, and the overdue ones wait here for us to chase."""

    form = CloseReportAdminForm
    list_display = ["problem", "subject", "about", "created_at", "is_open", "closed_at"]
    list_filter = [ReportStateFilter, "subject", "problem"]
    search_fields = ["clinic__name", "practitioner__last_name", "guide__title", "details"]
    list_select_related = ["clinic", "practitioner", "guide"]
    date_hierarchy = "created_at"
    shown_fields = ["page", "subject", "problem", "details", "wants_a_reply", "created_at",
                    "closed_at", "closed_by"]  # fmt: skip
    readonly_fields = shown_fields

    def has_add_permission(self, request):
        return False

    def get_fields(self, request, obj=None):
        return [*self.shown_fields, "resolution"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_open():
            return [*self.shown_fields, "resolution"]
        return self.shown_fields

    @admin.display(description="About")
    def about(self, report):
        return report.about()

    @admin.display(description="Page")
    def page(self, report):
        return format_html('<a href="{}">{}</a>', report.page_url(), report.about())

    @admin.display(description="Reporter asked to hear back", boolean=True)
    def wants_a_reply(self, report):
        return bool(report.email)

    def save_model(self, request, obj, form, change):
        resolution = form.cleaned_data.get("resolution", "").strip()
        if change and resolution and obj.closed_at is None:
            ErrorReport.objects.get(pk=obj.pk).close(request.user, resolution)
