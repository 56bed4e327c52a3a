from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from clinics.models import (
    Area,
    ClaimRequest,
    Clinic,
    ClinicPhoto,
    Enquiry,
    Insurer,
    InsurerRecognition,
    Invitation,
    Language,
    Offer,
    OpeningHours,
    OutwardCode,
    Practitioner,
    PriceBand,
    StaffMembership,
)
from treatments.admin import PublishActionsMixin


class YesNoFilter(admin.SimpleListFilter):
    """A yes/no filter on whether a date field is set."""

    field = None

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(**{f"{self.field}__isnull": False})
        if self.value() == "no":
            return queryset.filter(**{f"{self.field}__isnull": True})
        return queryset


class VerifiedFilter(YesNoFilter):
    title = "verified"
    parameter_name = "verified"
    field = "verified_on"


class HcpcCheckedFilter(YesNoFilter):
    title = "HCPC register checked"
    parameter_name = "hcpc_checked"
    field = "hcpc_checked_on"


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
    list_filter = [("area", admin.EmptyFieldListFilter)]
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
        "is_published", VerifiedFilter, ListingFilter, StaffFilter, "accepting_new_patients",
        "step_free_access", "home_visits", "video_consultations", "area__kind",
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
        "is_published", HcpcCheckedFilter, "is_csp_member", "gender", "clinics__area",
    ]  # fmt: skip
    search_fields = ["first_name", "last_name", "hcpc_number", "slug"]
    autocomplete_fields = ["clinics", "treatments", "languages"]
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
    list_filter = ["insurer"]
    search_fields = ["practitioner__last_name", "practitioner__hcpc_number", "provider_number"]
    list_select_related = ["practitioner", "insurer"]
    autocomplete_fields = ["practitioner", "insurer"]


@admin.register(Offer)
class OfferAdmin(SimpleHistoryAdmin):
    list_display = [
        "clinic", "treatment", "session_type", "price", "duration_minutes", "price_confirmed_on",
    ]  # fmt: skip
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
    list_filter = ["role"]
    search_fields = ["user__email", "user__username", "clinic__name"]
    list_select_related = ["user", "clinic"]
    autocomplete_fields = ["user", "clinic"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "clinic", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "clinic__name"]
    list_select_related = ["clinic", "invited_by"]
    autocomplete_fields = ["clinic", "invited_by", "accepted_by"]
    readonly_fields = ["created_at"]


@admin.register(ClaimRequest)
class ClaimRequestAdmin(admin.ModelAdmin):
    list_display = ["clinic", "user", "role_at_clinic", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["clinic__name", "user__email"]
    list_select_related = ["clinic", "user"]
    autocomplete_fields = ["clinic", "user"]
    readonly_fields = ["created_at", "decided_at", "decided_by"]
    actions = ["approve", "refuse"]

    @admin.action(description="Approve: make the person an owner of the clinic")
    def approve(self, request, queryset):
        pending = queryset.filter(status=ClaimRequest.Status.PENDING).select_related(
            "clinic", "user"
        )
        for claim in pending:
            claim.approve(request.user)
        self.message_user(request, f"{len(pending)} claim(s) approved.")

    @admin.action(description="Refuse")
    def refuse(self, request, queryset):
        pending = queryset.filter(status=ClaimRequest.Status.PENDING)
        for claim in pending:
            claim.refuse(request.user)
        self.message_user(request, f"{len(pending)} claim(s) refused.")


@admin.register(Enquiry)
class EnquiryAdmin(admin.ModelAdmin):
    """Health data: listed without the message, opened only to read, never edited here."""

    list_display = ["clinic", "created_at", "read_at", "answered_at"]
    list_filter = [WaitingFilter, ("answered_at", admin.EmptyFieldListFilter)]
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
        description="Erase every enquiry from the selected enquiries' email addresses",
        permissions=["delete"],
    )
    def erase_by_email(self, request, queryset):
        """A patient's right to erasure: everything sent from their address goes."""
        emails = {email.lower() for email in queryset.values_list("email", flat=True)}
        deleted = 0
        for email in emails:
            deleted += Enquiry.objects.filter(email__iexact=email).delete()[0]
        self.message_user(
            request, f"{deleted} enquiries erased from {len(emails)} email address(es)."
        )


@admin.register(PriceBand)
class PriceBandAdmin(SimpleHistoryAdmin):
    list_display = ["label", "slug", "min_pence", "max_pence", "order"]
    list_editable = ["order"]
    search_fields = ["label"]
    prepopulated_fields = {"slug": ("label",)}
