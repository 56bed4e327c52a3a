"""The content admin: treatments, conditions and their guides.

Like the models, this layer knows nothing of clinics: how many clinics offer a treatment is
shown from the clinics side (the Offer list filters by treatment).
"""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from treatments.models import (
    Condition,
    Guide,
    GuideFAQ,
    GuideSection,
    Treatment,
    TreatmentCondition,
)


class CountedMessageMixin:
    def message_count(self, request, count, done):
        """'1 clinic published.', '3 clinics published.'"""
        meta = self.model._meta
        noun = meta.verbose_name if count == 1 else meta.verbose_name_plural
        self.message_user(request, f"{count} {noun} {done}.")

    def update_each(self, queryset, **values):
        """Save each object rather than QuerySet.update(), so that each change is kept in
        its history and the public pages' cached figures hear of it. Returns the count."""
        objects = list(queryset)
        for obj in objects:
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save()
        return len(objects)


class PublishActionsMixin(CountedMessageMixin):
    """Publish and unpublish actions for models with an `is_published` flag."""

    actions = ["publish", "unpublish"]

    @admin.action(description="Publish the selected %(verbose_name_plural)s")
    def publish(self, request, queryset):
        self.message_count(request, self.update_each(queryset, is_published=True), "published")

    @admin.action(description="Unpublish the selected %(verbose_name_plural)s")
    def unpublish(self, request, queryset):
        self.message_count(request, self.update_each(queryset, is_published=False), "unpublished")


class TreatmentConditionInline(admin.TabularInline):
    """Shown on both a treatment and a condition; the parent's own key is left out."""

    model = TreatmentCondition
    autocomplete_fields = ["treatment", "condition"]
    extra = 1

    def get_queryset(self, request):
        # Each row is headed by str(link), which names its treatment and condition.
        return super().get_queryset(request).select_related("treatment", "condition")


@admin.register(Treatment)
class TreatmentAdmin(PublishActionsMixin, SimpleHistoryAdmin):
    list_display = ["name", "slug", "is_published", "condition_count", "guide_status", "updated_at"]
    list_filter = ["is_published", "guide__status"]
    search_fields = ["name", "summary"]
    list_select_related = ["guide"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["related"]
    fields = [
        "name", "slug", "summary", "related", "is_published", "guide_link",
        "created_at", "updated_at",
    ]  # fmt: skip
    readonly_fields = ["guide_link", "created_at", "updated_at"]
    inlines = [TreatmentConditionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(condition_count=Count("conditions", distinct=True))
        )

    @admin.display(description="Conditions", ordering="condition_count")
    def condition_count(self, treatment):
        return treatment.condition_count

    @admin.display(description="Guide", ordering="guide__status")
    def guide_status(self, treatment):
        # select_related: a treatment without a guide raises here without a query.
        guide = getattr(treatment, "guide", None)
        return guide.get_status_display() if guide else None

    @admin.display(description="Guide")
    def guide_link(self, treatment):
        if not treatment.pk:
            return "Save the treatment, then write its guide."
        guide = getattr(treatment, "guide", None)
        if guide is None:
            url = reverse("admin:treatments_guide_add") + f"?treatment={treatment.pk}"
            return format_html('<a href="{}">Write the guide</a>', url)
        url = reverse("admin:treatments_guide_change", args=[guide.pk])
        return format_html('<a href="{}">{}</a> ({})', url, guide.title, guide.get_status_display())


@admin.register(Condition)
class ConditionAdmin(PublishActionsMixin, SimpleHistoryAdmin):
    list_display = ["name", "slug", "is_published", "treatment_count", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [TreatmentConditionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(treatment_count=Count("treatments", distinct=True))
        )

    @admin.display(description="Treatments", ordering="treatment_count")
    def treatment_count(self, condition):
        return condition.treatment_count


@admin.register(TreatmentCondition)
class TreatmentConditionAdmin(SimpleHistoryAdmin):
    list_display = ["treatment", "condition", "structures", "order"]
    list_filter = ["treatment"]
    search_fields = ["treatment__name", "condition__name", "structures"]
    autocomplete_fields = ["treatment", "condition"]
    list_select_related = ["treatment", "condition"]


class GuideSectionInline(admin.StackedInline):
    model = GuideSection  # in Meta's order: by `order`, then as added
    fields = ["order", "heading", "anchor", "body"]
    extra = 0


class GuideFAQInline(admin.StackedInline):
    model = GuideFAQ
    fields = ["order", "question", "answer"]
    extra = 0


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review due"
    parameter_name = "review_due"

    def lookups(self, request, model_admin):
        return [("yes", "Due or overdue"), ("no", "Reviewed recently")]

    def queryset(self, request, queryset):
        due = Guide.objects.due_for_review().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=due)
        if self.value() == "no":
            return queryset.exclude(pk__in=due)
        return queryset


@admin.register(Guide)
class GuideAdmin(CountedMessageMixin, SimpleHistoryAdmin):
    list_display = [
        "title", "treatment", "status", "reviewed_on", "review_due", "updated_at", "preview",
    ]  # fmt: skip
    list_filter = ["status", ReviewDueFilter]
    search_fields = ["title", "treatment__name", "reviewer_name"]
    list_select_related = ["treatment"]
    autocomplete_fields = ["treatment"]
    readonly_fields = ["created_at", "updated_at", "preview"]
    date_hierarchy = "updated_at"
    inlines = [GuideSectionInline, GuideFAQInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["treatment", "status", "title", "intro", "preview"]}),
        ("Search engines", {"fields": ["seo_title", "seo_description"]}),
        (
            "Facts and review",
            {
                "fields": [
                    "sessions_min",
                    "sessions_max",
                    "reviewer_name",
                    "reviewer_credentials",
                    "reviewed_on",
                ]
            },
        ),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="Review due", boolean=True)
    def review_due(self, guide):
        return guide.is_review_due()

    @admin.display(description="Preview")
    def preview(self, guide):
        if not guide.pk:
            return "Save the guide to preview it."
        url = reverse("guide-preview", args=[guide.pk])
        return format_html('<a href="{}">Preview as patients would see it</a>', url)

    @admin.action(description="Publish the selected guides")
    def publish(self, request, queryset):
        self.message_count(
            request, self.update_each(queryset, status=Guide.Status.PUBLISHED), "published"
        )

    @admin.action(description="Unpublish the selected guides (back to draft)")
    def unpublish(self, request, queryset):
        self.message_count(
            request, self.update_each(queryset, status=Guide.Status.DRAFT), "unpublished"
        )
