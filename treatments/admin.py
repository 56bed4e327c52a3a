"""The content admin: treatments, conditions and their guides.

Like the models, this layer knows nothing of clinics: how many clinics offer a treatment is
shown from the clinics side (the Offer list filters by treatment).
"""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from treatments.diff import compare
from treatments.forms import GuideEditor
from treatments.markdown import render_markdown
from treatments.models import (
    REVIEW_DUE_SOON_DAYS,
    Condition,
    EditConflict,
    Guide,
    GuideReview,
    GuideText,
    Treatment,
    TreatmentCondition,
)
from treatments.templatetags.guide_admin import review_badge


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
    ordering = ["order", "condition__name"]
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
    ordering = ["order", "condition__name"]
    list_filter = ["treatment"]
    search_fields = ["treatment__name", "condition__name", "structures"]
    autocomplete_fields = ["treatment", "condition"]
    list_select_related = ["treatment", "condition"]


class ReviewDueFilter(admin.SimpleListFilter):
    title = "clinical review"
    parameter_name = "review_due"

    def lookups(self, request, model_admin):
        return [
            ("yes", "Due or overdue"),
            ("soon", f"Falling due within {REVIEW_DUE_SOON_DAYS} days"),
            ("no", "Not due yet"),
        ]

    def queryset(self, request, queryset):
        due = Guide.objects.due_for_review().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=due)
        if self.value() == "soon":
            soon = timezone.localdate() + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS)
            due_by_then = Guide.objects.due_for_review(today=soon).values("pk")
            return queryset.filter(pk__in=due_by_then).exclude(pk__in=due)
        if self.value() == "no":
            return queryset.exclude(pk__in=due)
        return queryset


class ChangesWaitingFilter(admin.SimpleListFilter):
    title = "changes waiting"
    parameter_name = "draft"

    def lookups(self, request, model_admin):
        return [("yes", "A draft waits to be published"), ("no", "No draft")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(has_draft=self.value() == "yes")
        return queryset


@admin.register(Guide)
class GuideAdmin(CountedMessageMixin, admin.ModelAdmin):
    """Guides are edited as a draft of the whole text (change_view), published as numbered
    versions (history_view lists them, with what changed), and reviewed by clinicians."""

    list_display = [
        "title", "treatment", "status", "changes_waiting", "version", "review", "updated_at",
    ]  # fmt: skip
    list_filter = ["status", ChangesWaitingFilter, ReviewDueFilter]
    ordering = ["treatment__name"]
    search_fields = ["title", "treatment__name"]
    list_select_related = ["treatment"]
    autocomplete_fields = ["treatment"]
    date_hierarchy = "updated_at"
    actions = ["publish", "unpublish"]
    # The add form starts a guide (not yet published); everything after goes through drafts.
    fields = [
        "treatment", "title", "intro", "seo_title", "seo_description", "sessions_min",
        "sessions_max",
    ]  # fmt: skip

    def get_queryset(self, request):
        guides = super().get_queryset(request).select_related("treatment")
        return guides.with_review_dates().with_draft().with_version()

    @admin.display(description="Changes waiting", ordering="has_draft")
    def changes_waiting(self, guide):
        return "A draft" if guide.has_draft else "None"

    @admin.display(description="Version", ordering="version_number")
    def version(self, guide):
        return guide.version_number or "Never published"

    @admin.display(description="Clinical review", ordering="last_reviewed")
    def review(self, guide):
        return review_badge(guide.review_state())

    @admin.action(description="Publish the selected guides, with any changes waiting")
    def publish(self, request, queryset):
        for guide in queryset:
            guide.publish(request.user)
        self.message_count(request, len(queryset), "published")

    @admin.action(description="Unpublish the selected guides (hide their pages)")
    def unpublish(self, request, queryset):
        self.message_count(
            request, self.update_each(queryset, status=Guide.Status.DRAFT), "unpublished"
        )

    def response_add(self, request, obj, post_url_continue=None):
        # A new guide goes straight to the editor, to write its sections and FAQs.
        messages.success(request, f"{obj} started. Write its sections and FAQs, then publish.")
        return HttpResponseRedirect(reverse("admin:treatments_guide_change", args=[obj.pk]))

    # --- Pages of its own -------------------------------------------------------------------

    def get_urls(self):
        def view(function, name, post=False):
            wrapped = self.admin_site.admin_view(require_POST(function) if post else function)
            return wrapped, f"treatments_guide_{name}"

        own = [
            ("<path:object_id>/publish/", *view(self.publish_view, "publish", post=True)),
            ("<path:object_id>/unpublish/", *view(self.unpublish_view, "unpublish", post=True)),
            ("<path:object_id>/discard/", *view(self.discard_view, "discard", post=True)),
            ("<path:object_id>/changes/", *view(self.changes_view, "changes")),
            ("<path:object_id>/versions/<int:number>/", *view(self.version_view, "version")),
            (
                "<path:object_id>/versions/<int:number>/restore/",
                *view(self.restore_view, "restore", post=True),
            ),
        ]
        preview = self.admin_site.admin_view(require_POST(self.markdown_preview_view))
        return [
            path("markdown-preview/", preview, name="markdown-preview"),
            *(path(route, function, name=name) for route, function, name in own),
            *super().get_urls(),
        ]

    def _guide(self, request, object_id, change=False):
        guide = self.get_object(request, unquote(object_id))
        if guide is None:
            raise Http404("No such guide.")
        allowed = (
            self.has_change_permission(request, guide)
            if change
            else self.has_view_or_change_permission(request, guide)
        )
        if not allowed:
            raise PermissionDenied
        return guide

    def _context(self, request, guide, title, **context):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": guide,
            "guide": guide,
            "title": title,
            "has_view_permission": True,
            "can_change": self.has_change_permission(request, guide),
            "media": self.media,
            **context,
        }

    def _editor_url(self, guide):
        return reverse("admin:treatments_guide_change", args=[guide.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The editor: the whole guide (its fields, sections and FAQs) as a draft. The public
        page keeps showing the published version until someone publishes the draft."""
        guide = self._guide(request, object_id)
        draft, version = guide.draft(), guide.current_version()
        token = guide.state_token(draft, version)
        conflict = None
        if request.method == "POST":
            if not self.has_change_permission(request, guide):
                raise PermissionDenied
            editor = GuideEditor(request.POST)
            if editor.is_valid() and "_refresh" not in request.POST:
                try:
                    draft = guide.save_draft(editor.text(), request.user, editor.token)
                except EditConflict as error:
                    # Nothing typed is lost: the form comes back as sent, over the latest
                    # draft, with their text compared to it.
                    draft, version = guide.draft(), guide.current_version()
                    theirs = draft.as_text() if draft else GuideText.of_guide(guide)
                    conflict = {"message": str(error), "changes": compare(theirs, editor.text())}
                    editor = editor.with_token(guide.state_token(draft, version))
                    editor.is_valid()
                else:
                    self.log_change(request, guide, "Saved the draft.")
                    if "_preview" in request.POST:
                        return HttpResponseRedirect(draft.get_absolute_url())
                    messages.success(
                        request,
                        "Draft saved. The public page shows the published version until you "
                        "publish the draft.",
                    )
                    return HttpResponseRedirect(self._editor_url(guide))
        else:
            text = draft.as_text() if draft else GuideText.of_guide(guide)
            editor = GuideEditor(text=text, token=token)
        context = self._context(
            request,
            guide,
            f"Edit {guide}",
            editor=editor,
            media=self.media + editor.media,
            draft=draft,
            version=version,
            token=token,
            conflict=conflict,
            review_state=guide.review_state(),
            latest_review=guide.latest_review(),
            add_review_url=reverse("admin:treatments_guidereview_add") + f"?guide={guide.pk}"
            if request.user.has_perm("treatments.add_guidereview")
            else None,
            view_on_site_url=self.get_view_on_site_url(guide),
        )
        return TemplateResponse(request, "admin/treatments/guide/edit.html", context)

    def publish_view(self, request, object_id):
        guide = self._guide(request, object_id, change=True)
        try:
            version = guide.publish(
                request.user, token=request.POST.get("token", ""), note=request.POST.get("note", "")
            )
        except EditConflict as error:
            messages.error(request, f"Not published: {error} Check the draft, then publish.")
        else:
            self.log_change(request, guide, f"Published version {version.number}.")
            messages.success(
                request, f"Version {version.number} published: the public page shows it now."
            )
        return HttpResponseRedirect(self._editor_url(guide))

    def unpublish_view(self, request, object_id):
        guide = self._guide(request, object_id, change=True)
        guide.status = Guide.Status.DRAFT
        guide.save()
        self.log_change(request, guide, "Unpublished.")
        messages.success(request, f"{guide} unpublished: its page is no longer shown.")
        return HttpResponseRedirect(self._editor_url(guide))

    def discard_view(self, request, object_id):
        guide = self._guide(request, object_id, change=True)
        try:
            guide.discard_draft(request.POST.get("token", ""))
        except EditConflict as error:
            messages.error(request, f"Not discarded: {error} Look at it before discarding it.")
        else:
            self.log_change(request, guide, "Discarded the draft.")
            messages.success(request, "Draft discarded: the editor shows the published text.")
        return HttpResponseRedirect(self._editor_url(guide))

    def restore_view(self, request, object_id, number):
        guide = self._guide(request, object_id, change=True)
        version = get_object_or_404(guide.revisions.versions(), number=number)
        try:
            guide.restore(version, request.user, request.POST.get("token", ""))
        except EditConflict as error:
            messages.error(request, f"Not restored: {error} Look at the draft first.")
            return HttpResponseRedirect(
                reverse("admin:treatments_guide_version", args=[guide.pk, number])
            )
        self.log_change(request, guide, f"Restored version {number} as the draft.")
        messages.success(
            request,
            f"Version {number} is now the draft. Preview it, then publish it to put it back "
            "on the public page.",
        )
        return HttpResponseRedirect(self._editor_url(guide))

    def history_view(self, request, object_id, extra_context=None):
        """Every published version (who, when, why), the draft, and the clinical reviews."""
        guide = self._guide(request, object_id)
        draft, version = guide.draft(), guide.current_version()
        context = self._context(
            request,
            guide,
            f"History of {guide}",
            draft=draft,
            versions=guide.revisions.versions().select_related("published_by"),
            token=guide.state_token(draft, version),
            reviews=guide.reviews.select_related("version", "recorded_by"),
        )
        return TemplateResponse(request, "admin/treatments/guide/history.html", context)

    def version_view(self, request, object_id, number):
        """One version beside the one before it, part by part."""
        guide = self._guide(request, object_id)
        versions = guide.revisions.versions().select_related("published_by")
        version = get_object_or_404(versions, number=number)
        previous = versions.filter(number__lt=number).first()
        draft = guide.draft()
        context = self._context(
            request,
            guide,
            f"{guide}: version {number}",
            version=version,
            previous=previous,
            draft=draft,
            token=guide.state_token(draft, guide.current_version()),
            changes=compare(previous.as_text() if previous else None, version.as_text()),
            is_current=version == guide.current_version(),
            before_label=f"Version {previous.number}" if previous else "Before (nothing)",
            after_label=f"Version {number}",
            here=f"Version {number}",
        )
        return TemplateResponse(request, "admin/treatments/guide/version.html", context)

    def changes_view(self, request, object_id):
        """The draft beside the published text: what publishing it would change."""
        guide = self._guide(request, object_id)
        draft = guide.draft()
        if draft is None:
            messages.info(request, "There is no draft: the guide is as published.")
            return HttpResponseRedirect(self._editor_url(guide))
        published = GuideText.of_guide(guide) if guide.revisions.versions().exists() else None
        context = self._context(
            request,
            guide,
            f"{guide}: changes waiting",
            draft=draft,
            changes=compare(published, draft.as_text()),
            before_label="Published now" if published else "Before (nothing published)",
            after_label="Draft",
            here="Changes waiting",
        )
        return TemplateResponse(request, "admin/treatments/guide/version.html", context)

    def markdown_preview_view(self, request):
        """Markdown rendered and sanitised exactly as the public pages do, for the editor's
        previews (js/markdown-preview.js)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        text = request.POST.get("text", "")[:MARKDOWN_PREVIEW_MAX_CHARS]
        response = HttpResponse(render_markdown(text), content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response


# Longer than any section anyone writes; a bound on the work one request can ask for.
MARKDOWN_PREVIEW_MAX_CHARS = 50_000


@admin.register(GuideReview)
class GuideReviewAdmin(admin.ModelAdmin):
    """Clinical reviews, recorded as acts: the reviewer and their registration, the date, a
    note, and the published version they read (the one current when it was recorded)."""

    list_display = [
        "guide", "reviewer_name", "registration", "reviewed_on", "version_read", "recorded_by",
    ]  # fmt: skip
    list_filter = ["register", "guide"]
    search_fields = ["reviewer_name", "registration_number", "guide__title"]
    list_select_related = ["guide", "version", "recorded_by"]
    date_hierarchy = "reviewed_on"  # a plain list of guides: there are few
    fields = [
        "guide", "reviewer_name", "reviewer_role", "register", "registration_number",
        "reviewed_on", "note", "version", "recorded_by", "recorded_at",
    ]  # fmt: skip
    readonly_fields = ["version", "recorded_by", "recorded_at"]

    def get_queryset(self, request):
        # The page title and the read-only fields name the guide, version and recorder.
        return (
            super().get_queryset(request).select_related("guide", "version__guide", "recorded_by")
        )

    def get_changeform_initial_data(self, request):
        return {"reviewed_on": timezone.localdate(), **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
            obj.version = obj.guide.current_version()
        super().save_model(request, obj, form, change)

    @admin.display(description="Version read", ordering="version__number")
    def version_read(self, review):
        return review.version.number if review.version else "—"

    @admin.display(description="Registration")
    def registration(self, review):
        return review.registration() or "Not recorded"
