"""Treatments, the conditions they help, and the guides that explain them.

This is the content layer: it knows nothing of clinics or prices. Figures such as "how many
clinics offer this" are computed by the layers above from the listings.
"""

import datetime
import re
from dataclasses import asdict, dataclass, field, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from treatments.markdown import markdown_to_text
from treatments.slugs import first_free


class PublishedQuerySet(models.QuerySet):
    """Rows of a model with an `is_published` box (treatments, conditions, clinics,
    practitioners): published() are those patients see."""

    def published(self):
        return self.filter(is_published=True)


class Treatment(models.Model):
    """A treatment. Its page (get_absolute_url) is the public site's guide page, which the
    site names in ABSOLUTE_URL_OVERRIDES (directory/settings.py); so are a condition's."""

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

    objects = PublishedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Condition(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(blank=True, help_text="A sentence or two for patients.")
    is_published = models.BooleanField("published", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TreatmentConditionQuerySet(models.QuerySet):
    def with_conditions(self):
        """In a guide's order (the admin's `order`, then the condition's name)."""
        return self.select_related("condition").order_by("order", "condition__name")

    def with_treatments(self):
        """In a condition page's order (the admin's `order`, then the treatment's name)."""
        return self.select_related("treatment").order_by("order", "treatment__name")


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

    objects = TreatmentConditionQuerySet.as_manager()

    class Meta:
        verbose_name = "treatment for a condition"
        verbose_name_plural = "treatments for conditions"
        constraints = [
            models.UniqueConstraint(
                fields=["treatment", "condition"], name="treatment_condition_unique"
            ),
        ]

    def __str__(self):
        return f"{self.treatment} for {self.condition}"


def months_span(months):
    """`months` as days, each month of average length (365.25 / 12 days): every period said
    in months is counted so, a guide's clinical review here and a listing's age in clinics."""
    return datetime.timedelta(days=round(months * 365.25 / 12))


def months_ago(months, today=None):
    return (today or timezone.localdate()) - months_span(months)


def review_cutoff(months=None, today=None):
    """The date before which a clinical review counts as out of date."""
    return months_ago(settings.GUIDE_REVIEW_MONTHS if months is None else months, today)


# A review falling due within this many days is flagged "due soon", so it can be booked.
REVIEW_DUE_SOON_DAYS = 30


def _last_review_date():
    # A subquery rather than Max() over a join: no GROUP BY beside the other annotations.
    reviews = GuideReview.objects.filter(guide=OuterRef("pk")).order_by("-reviewed_on")
    return Subquery(reviews.values("reviewed_on")[:1])


class GuideQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Guide.Status.PUBLISHED, treatment__is_published=True)

    def with_review_dates(self):
        """Annotated with `last_reviewed`: the date of the latest clinical review, or None."""
        return self.annotate(last_reviewed=_last_review_date())

    def due_for_review(self, months=None, today=None):
        """Guides never reviewed, or last reviewed more than `months` ago (default
        GUIDE_REVIEW_MONTHS)."""
        return self.alias(latest_review=_last_review_date()).filter(
            Q(latest_review__isnull=True) | Q(latest_review__lt=review_cutoff(months, today))
        )

    def with_version(self):
        """Annotated with `version_number`: the number of the published version, or None."""
        versions = GuideRevision.objects.versions().filter(guide=OuterRef("pk"))
        return self.annotate(version_number=Subquery(versions.values("number")[:1]))

    def with_draft(self):
        """Annotated with `has_draft`: whether unpublished changes are waiting."""
        return self.annotate(
            has_draft=Exists(GuideRevision.objects.drafts().filter(guide=OuterRef("pk")))
        )


def _anchor_of(heading):
    return slugify(heading)[:140] or "section"


@dataclass
class SectionText:
    heading: str
    body: str
    anchor: str = ""


@dataclass
class FAQText:
    question: str
    answer: str


@dataclass
class GuideText:
    """The whole text of a guide: what a draft holds, what a version keeps, and what the
    guide page shows. Sections and FAQs in their order."""

    title: str
    seo_title: str
    seo_description: str
    intro: str
    sessions_min: int | None = None
    sessions_max: int | None = None
    sections: list[SectionText] = field(default_factory=list)
    faqs: list[FAQText] = field(default_factory=list)

    FIELDS = ("title", "seo_title", "seo_description", "intro", "sessions_min", "sessions_max")

    @classmethod
    def of_guide(cls, guide):
        """The text the guide's own rows hold: what patients see once it is published.
        Reads `guide.sections` and `guide.faqs`, prefetched or not."""
        return cls(
            **{name: getattr(guide, name) for name in cls.FIELDS},
            sections=[SectionText(s.heading, s.body, s.anchor) for s in guide.sections.all()],
            faqs=[FAQText(f.question, f.answer) for f in guide.faqs.all()],
        )

    @classmethod
    def from_json(cls, data):
        return cls(
            **{name: data.get(name) for name in cls.FIELDS},
            sections=[SectionText(**section) for section in data.get("sections", [])],
            faqs=[FAQText(**faq) for faq in data.get("faqs", [])],
        )

    def to_json(self):
        return asdict(self)

    def with_anchors(self):
        """Every section with an anchor, unique within the guide: one left blank is made
        from its heading, and a second 'cost' becomes 'cost-2'."""
        taken = set()
        sections = []
        for section in self.sections:
            anchor = first_free(section.anchor or _anchor_of(section.heading), taken)
            taken.add(anchor)
            sections.append(SectionText(section.heading, section.body, anchor))
        return replace(self, sections=sections)


class EditConflict(Exception):
    """The guide's draft changed (saved, published, discarded or started) by someone else
    after the form that would change it was opened. The message says who and when."""


class Guide(models.Model):
    """A treatment's guide. Its own fields and its sections and FAQs are the published text,
    which only publish() writes; changes wait in a draft (a GuideRevision) until then, and
    every publication is kept as a numbered version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Not published"
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
    intro = models.TextField("introduction", help_text="Markdown, shown under the heading.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    sessions_min = models.PositiveSmallIntegerField(
        "usual sessions (from)", null=True, blank=True, help_text="The usual course, lower end."
    )
    sessions_max = models.PositiveSmallIntegerField(
        "usual sessions (to)", null=True, blank=True, help_text="The usual course, upper end."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GuideQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions_min__isnull=True)
                | Q(sessions_max__isnull=True)
                | Q(sessions_min__lte=F("sessions_max")),
                name="guide_sessions_min_not_above_max",
                violation_error_message="The usual sessions 'from' cannot be more than 'to'.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.treatment.get_absolute_url()

    def is_published(self):
        return self.status == self.Status.PUBLISHED

    is_published.boolean = True

    # --- Drafts and versions ----------------------------------------------------------------

    def draft(self):
        return self.revisions.drafts().select_related("updated_by").first()

    def current_version(self):
        return self.revisions.versions().select_related("published_by").first()

    def state_token(self, draft=None, version=None):
        """What a form that changes the draft carries, to notice changes made since it was
        opened: the draft (if any) and how often it was saved, and the version published."""
        draft_part = f"{draft.pk}.{draft.edits}" if draft else "0.0"
        return f"{draft_part}.{version.number if version else 0}"

    def save_draft(self, text, user, token):
        """Keep `text` as the draft, starting one if there is none. Raises EditConflict if
        the draft is not as it was when `token` was read."""
        with transaction.atomic():
            draft, _ = self._lock(token)
            if draft is None:
                draft = GuideRevision(guide=self)
            draft.text = text.with_anchors().to_json()
            draft.edits += 1
            draft.updated_by = user
            draft.updated_at = timezone.now()
            draft.save()
            return draft

    def discard_draft(self, token):
        with transaction.atomic():
            draft, _ = self._lock(token)
            if draft is not None:
                draft.delete()

    def restore(self, version, user, token):
        """Put an earlier version's whole text in the draft, to check and publish again."""
        with transaction.atomic():
            draft = self.save_draft(GuideText.from_json(version.text), user, token)
            draft.note = f"Restores version {version.number}."
            draft.save(update_fields=["note"])
            return draft

    def publish(self, user, token=None, note=""):
        """Make the draft the published text, as the next version, and show the guide. With
        no draft, the guide is shown with the text it has (its first version if it has none).
        Returns the version now published."""
        with transaction.atomic():
            draft, version = self._lock(token)
            if draft is not None and version is not None and draft.text == version.text:
                draft.delete()  # nothing changed: no new version
                draft = None
            if draft is None and version is not None:
                revision = version
            else:
                revision = draft or GuideRevision(
                    guide=self, text=GuideText.of_guide(self).with_anchors().to_json()
                )
                revision.number = version.number + 1 if version else 1
                revision.published_at = timezone.now()
                revision.published_by = user
                revision.note = (note.strip() or revision.note)[:200]
                revision.save()
                self._write(GuideText.from_json(revision.text))
            self.status = self.Status.PUBLISHED
            self.save()
            return revision

    def _lock(self, token):
        """Lock this guide's row for the rest of the transaction, so that drafts and
        versions change one at a time, then check that nobody changed the draft since
        `token`. Returns the draft and the current version."""
        self.refresh_from_db(from_queryset=Guide.objects.select_for_update())
        draft, version = self.draft(), self.current_version()
        if token is not None and token != self.state_token(draft, version):
            raise EditConflict(self._describe_change(token, draft, version))
        return draft, version

    @staticmethod
    def _describe_change(token, draft, version):
        def by(user):
            return user.get_username() if user else "someone"

        def at(moment):
            moment = timezone.localtime(moment)
            return f"{moment.day} {moment:%B %Y at %H:%M}"

        parts = token.split(".")
        draft_seen, version_seen = parts[0], parts[-1]
        if draft is not None:
            if draft_seen == str(draft.pk):
                return f"{by(draft.updated_by)} saved the draft on {at(draft.updated_at)}."
            return f"{by(draft.updated_by)} started a new draft on {at(draft.updated_at)}."
        if version is not None and version_seen != str(version.number):
            return (
                f"{by(version.published_by)} published version {version.number} on "
                f"{at(version.published_at)}."
            )
        return "Someone discarded the draft."

    def _write(self, text):
        """Make `text` this guide's own (published) text."""
        for name in GuideText.FIELDS:
            setattr(self, name, getattr(text, name))
        self.sections.all().delete()
        self.faqs.all().delete()
        GuideSection.objects.bulk_create(
            GuideSection(guide=self, heading=s.heading, anchor=s.anchor, body=s.body, order=i)
            for i, s in enumerate(text.with_anchors().sections)
        )
        GuideFAQ.objects.bulk_create(
            GuideFAQ(guide=self, question=f.question, answer=f.answer, order=i)
            for i, f in enumerate(text.faqs)
        )

    # --- Clinical review --------------------------------------------------------------------

    def latest_review(self):
        return self.reviews.order_by("-reviewed_on", "-pk").first()

    def last_reviewed_on(self):
        if hasattr(self, "last_reviewed"):  # annotated by GuideQuerySet.with_review_dates()
            return self.last_reviewed
        return self.reviews.aggregate(last=Max("reviewed_on"))["last"]

    def review_state(self, today=None):
        """Where the clinical review stands, in words (see ReviewState)."""
        return ReviewState.of(self.last_reviewed_on(), today or timezone.localdate())

    def structured_data(self, absolute_url, text, review=None):
        """Schema.org MedicalWebPage (with its clinical review) and FAQPage, as JSON-LD dicts,
        for `text` (a GuideText). `absolute_url` turns a path into a full URL
        (request.build_absolute_uri)."""
        page = {
            "@context": "https://schema.org",
            "@type": "MedicalWebPage",
            "name": text.title,
            "headline": text.title,
            "description": text.seo_description,
            "url": absolute_url(self.get_absolute_url()),
            "about": {"@type": "MedicalTherapy", "name": self.treatment.name},
            "dateModified": self.updated_at.date().isoformat(),
        }
        if review is not None:
            page["lastReviewed"] = review.reviewed_on.isoformat()
            page["reviewedBy"] = {
                "@type": "Person",
                "name": review.reviewer_name,
                "description": review.credentials(),
            }
        if not text.faqs:
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
                for faq in text.faqs
            ],
        }
        return [page, faq_page]


@dataclass(frozen=True)
class ReviewState:
    """A guide's clinical review status, said in words whose colour (`code`) agrees."""

    code: str  # "never", "overdue", "soon" or "current": the admin colours by it
    words: str
    due_on: datetime.date | None

    @classmethod
    def of(cls, last_reviewed, today):
        if last_reviewed is None:
            return cls("never", "Never reviewed: a review is needed", None)
        due_on = last_reviewed + months_span(settings.GUIDE_REVIEW_MONTHS)
        day = f"{due_on.day} {due_on:%B %Y}"
        if due_on < today:
            return cls("overdue", f"Overdue: was due {day}", due_on)
        if (due_on - today).days <= REVIEW_DUE_SOON_DAYS:
            return cls("soon", f"Due soon: by {day}", due_on)
        return cls("current", f"Up to date: next due {day}", due_on)


class GuideRevisionQuerySet(models.QuerySet):
    def drafts(self):
        return self.filter(number__isnull=True)

    def versions(self):
        return self.filter(number__isnull=False).order_by("-number")


class GuideRevision(models.Model):
    """A guide's whole text at one moment (introduction, sections in order, FAQs): either
    its draft, at most one, being edited; or a published version, numbered and kept as it
    was. Only a draft has a page, the site's preview of it (get_absolute_url, from
    ABSOLUTE_URL_OVERRIDES); a published version is read in the admin's history."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(
        "version", null=True, blank=True, help_text="Given at publication; a draft has none."
    )
    text = models.JSONField(help_text="The whole text, as GuideText.to_json() writes it.")
    note = models.CharField(max_length=200, blank=True, help_text="What changed, and why.")
    # Saves of the draft so far: a form carries the count it started from (optimistic locking).
    edits = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = GuideRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["guide", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["guide"], condition=Q(number__isnull=True), name="guide_one_draft"
            ),
            models.UniqueConstraint(fields=["guide", "number"], name="guide_version_unique"),
            models.CheckConstraint(
                condition=Q(number__isnull=True, published_at__isnull=True)
                | Q(number__isnull=False, published_at__isnull=False),
                name="guide_revision_published_has_number",
                violation_error_message="A published version has a number and a date.",
            ),
        ]

    def __str__(self):
        return f"{self.guide}: version {self.number}" if self.number else f"{self.guide}: draft"

    def is_draft(self):
        return self.number is None

    def as_text(self):
        return GuideText.from_json(self.text)


class GuideReview(models.Model):
    """A clinician's review of a guide's clinical content, as an act on the record: who (and
    their professional registration, so readers can check it), when, what they said, and
    which published version they read."""

    class Register(models.TextChoices):
        HCPC = "HCPC", "Health and Care Professions Council (HCPC)"
        GMC = "GMC", "General Medical Council (GMC)"
        NMC = "NMC", "Nursing and Midwifery Council (NMC)"

    # Registration numbers as each register prints them.
    NUMBER_PATTERNS = {
        Register.HCPC: (r"[A-Z]{2}\d{5,6}", "two letters and five or six digits, e.g. PH123456"),
        Register.GMC: (r"\d{7}", "seven digits, e.g. 1234567"),
        Register.NMC: (r"\d{2}[A-Z]\d{4}[A-Z]", "as 12A3456E"),
    }

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(
        GuideRevision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
        help_text="The published version the reviewer read.",
    )
    reviewer_name = models.CharField(max_length=100)
    reviewer_role = models.CharField(
        "reviewer's profession",
        max_length=200,
        blank=True,
        help_text="For example: chartered physiotherapist, MCSP.",
    )
    register = models.CharField(max_length=10, choices=Register.choices, blank=True)
    registration_number = models.CharField(max_length=20, blank=True)
    reviewed_on = models.DateField()
    note = models.TextField(
        blank=True, help_text="What was checked and anything changed as a result (shown)."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        verbose_name = "clinical review"
        constraints = [
            models.CheckConstraint(
                condition=~Q(reviewer_name=""),
                name="guide_review_names_reviewer",
                violation_error_message="A review needs the reviewer's name.",
            ),
        ]

    def __str__(self):
        return f"{self.guide} reviewed by {self.reviewer_name} on {self.reviewed_on}"

    def clean(self):
        errors = {}
        if not self.register:
            errors["register"] = "Choose the register the reviewer is on."
        if not self.registration_number:
            errors["registration_number"] = "Give the reviewer's registration number."
        elif self.register in self.NUMBER_PATTERNS:
            self.registration_number = self.registration_number.strip().upper()
            pattern, example = self.NUMBER_PATTERNS[self.register]
            if not re.fullmatch(pattern, self.registration_number):
                errors["registration_number"] = f"A {self.register} number is {example}."
        if self.reviewed_on and self.reviewed_on > timezone.localdate():
            errors["reviewed_on"] = "A review cannot be recorded before it has happened."
        if errors:
            raise ValidationError(errors)

    def registration(self):
        """'HCPC registration PH123456', or '' where none was recorded."""
        if not (self.register and self.registration_number):
            return ""
        return f"{self.register} registration {self.registration_number}"

    def credentials(self):
        return ", ".join(part for part in (self.reviewer_role, self.registration()) if part)


class GuideSection(models.Model):
    """A section of a guide's published text, in order; written by Guide.publish()."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(max_length=150)
    anchor = models.SlugField(
        max_length=150, blank=True, help_text="Left blank, it is made from the heading."
    )
    body = models.TextField(help_text="Markdown. Links, lists and emphasis; HTML is removed.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "anchor"], name="guide_section_anchor_unique"),
        ]

    def __str__(self):
        return self.heading

    def save(self, *args, **kwargs):
        if not self.anchor:
            self.anchor = self._free_anchor(_anchor_of(self.heading))
        super().save(*args, **kwargs)

    def _free_anchor(self, base):
        """Two sections with one heading get 'cost' and 'cost-2': anchors stay unique."""
        taken = set(
            GuideSection.objects.filter(guide_id=self.guide_id, anchor__startswith=base)
            .exclude(pk=self.pk)
            .values_list("anchor", flat=True)
        )
        return first_free(base, taken)


class GuideFAQ(models.Model):
    """A question and answer of a guide's published text, in order."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(max_length=200)
    answer = models.TextField(help_text="Markdown.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question
