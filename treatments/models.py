"""Treatments, the conditions they help, and the guides that explain them.

This is the content layer: it knows nothing of clinics or prices. Figures such as "how many
clinics offer this" are computed by the layers above from the listings.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from treatments.markdown import markdown_to_text


class TreatmentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Treatment(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in the page's address.")
    summary = models.CharField(
        max_length=200, help_text="One sentence for cards and search results (200 characters)."
    )
    related = models.ManyToManyField(
        "self", blank=True, help_text="Shown as related treatments on each other's guides."
    )
    conditions = models.ManyToManyField(
        "Condition", through="TreatmentCondition", related_name="treatments", blank=True
    )
    is_published = models.BooleanField("published", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TreatmentQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("treatment-detail", args=[self.slug])


class ConditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Condition(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(blank=True, help_text="A sentence or two for patients.")
    is_published = models.BooleanField("published", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConditionQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("condition-detail", args=[self.slug])


class TreatmentCondition(models.Model):
    """A treatment used for a condition, and the muscles or structures it works on there."""

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE)
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE)
    structures = models.CharField(
        "muscles or structures involved",
        max_length=200,
        blank=True,
        help_text="For example: trapezius, levator scapulae and the suboccipital muscles.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "condition__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["treatment", "condition"], name="treatment_condition_unique"
            ),
        ]

    def __str__(self):
        return f"{self.treatment} for {self.condition}"


class GuideQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Guide.Status.PUBLISHED, treatment__is_published=True)

    def due_for_review(self, months=None, today=None):
        """Guides never reviewed, or last reviewed more than `months` ago (default
        GUIDE_REVIEW_MONTHS)."""
        return self.filter(
            Q(reviewed_on__isnull=True) | Q(reviewed_on__lt=review_cutoff(months, today))
        )


def review_cutoff(months=None, today=None):
    """The date before which a clinical review counts as out of date."""
    months = settings.GUIDE_REVIEW_MONTHS if months is None else months
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=round(months * 365.25 / 12))


class Guide(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    treatment = models.OneToOneField(Treatment, on_delete=models.CASCADE, related_name="guide")
    title = models.CharField(max_length=120, help_text="The page's main heading.")
    seo_title = models.CharField(
        "SEO title", max_length=70, help_text="The browser tab and search result title."
    )
    seo_description = models.CharField(
        "SEO description",
        max_length=160,
        help_text="The summary search engines show under the title (up to 160 characters).",
    )
    intro = models.TextField(help_text="Markdown, shown under the heading.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    sessions_min = models.PositiveSmallIntegerField(
        "usual sessions (from)", null=True, blank=True, help_text="The usual course, lower end."
    )
    sessions_max = models.PositiveSmallIntegerField(
        "usual sessions (to)", null=True, blank=True, help_text="The usual course, upper end."
    )
    reviewer_name = models.CharField(max_length=100, blank=True)
    reviewer_credentials = models.CharField(
        max_length=200, blank=True, help_text="For example: MCSP, HCPC-registered physiotherapist."
    )
    reviewed_on = models.DateField(
        null=True, blank=True, help_text="When the clinical content was last reviewed."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GuideQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["treatment__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions_min__isnull=True)
                | Q(sessions_max__isnull=True)
                | Q(sessions_min__lte=F("sessions_max")),
                name="guide_sessions_min_not_above_max",
                violation_error_message="The usual sessions 'from' cannot be more than 'to'.",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_on__isnull=True) | ~Q(reviewer_name=""),
                name="guide_review_has_reviewer",
                violation_error_message="A review date needs the reviewer's name.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.treatment.get_absolute_url()

    def is_published(self):
        return self.status == self.Status.PUBLISHED

    is_published.boolean = True

    def is_review_due(self, months=None, today=None):
        return self.reviewed_on is None or self.reviewed_on < review_cutoff(months, today)

    def structured_data(self, absolute_url, faqs):
        """Schema.org MedicalWebPage (with its clinical review) and FAQPage, as JSON-LD dicts.
        `absolute_url` turns a path into a full URL (request.build_absolute_uri)."""
        page = {
            "@context": "https://schema.org",
            "@type": "MedicalWebPage",
            "name": self.title,
            "headline": self.title,
            "description": self.seo_description,
            "url": absolute_url(self.get_absolute_url()),
            "about": {"@type": "MedicalTherapy", "name": self.treatment.name},
            "dateModified": self.updated_at.date().isoformat(),
        }
        if self.reviewed_on:
            page["lastReviewed"] = self.reviewed_on.isoformat()
            page["reviewedBy"] = {
                "@type": "Person",
                "name": self.reviewer_name,
                "description": self.reviewer_credentials,
            }
        if not faqs:
            return [page]
        faq_page = {
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": [
                {
                    "@type": "Question",
                    "name": faq.question,
                    "acceptedAnswer": {"@type": "Answer", "text": markdown_to_text(faq.answer)},
                }
                for faq in faqs
            ],
        }
        return [page, faq_page]


class GuideSection(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(max_length=150)
    anchor = models.SlugField(
        max_length=150, blank=True, help_text="Left blank, it is made from the heading."
    )
    body = models.TextField(help_text="Markdown. Links, lists and emphasis; HTML is removed.")
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "anchor"], name="guide_section_anchor_unique"),
        ]

    def __str__(self):
        return self.heading

    def save(self, *args, **kwargs):
        if not self.anchor:
            self.anchor = self._free_anchor(slugify(self.heading)[:140] or "section")
        super().save(*args, **kwargs)

    def _free_anchor(self, base):
        """Two sections with one heading get 'cost' and 'cost-2': anchors stay unique."""
        taken = set(
            GuideSection.objects.filter(guide_id=self.guide_id, anchor__startswith=base)
            .exclude(pk=self.pk)
            .values_list("anchor", flat=True)
        )
        anchor, n = base, 2
        while anchor in taken:
            anchor, n = f"{base}-{n}", n + 1
        return anchor


class GuideFAQ(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(max_length=200)
    answer = models.TextField(help_text="Markdown.")
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question
