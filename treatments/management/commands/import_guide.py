from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from treatments.guide_files import GuideFileError, read_guide
from treatments.models import (
    Condition,
    Guide,
    GuideFAQ,
    GuideReview,
    GuideSection,
    GuideText,
    Treatment,
    TreatmentCondition,
)


class Command(BaseCommand):
    help = (
        "Import a guide written outside the site: a folder as treatments/guide_files.py "
        "describes (guide.md, sections/, faqs/), named by the treatment's slug. Its text "
        "becomes the guide's draft, to preview and publish in the admin; --publish publishes "
        "it at once. A new treatment is created unpublished. Nothing is saved if any part is "
        "wrong: the message names the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the text as the guide's next version, and apply the treatment's "
            "summary, related treatments and conditions (otherwise only a new treatment gets "
            "them).",
        )
        parser.add_argument(
            "--replace-draft",
            action="store_true",
            help="Replace a draft someone is working on (refused otherwise).",
        )
        parser.add_argument("--user", help="The username the draft is saved as.")

    def handle(self, folder, publish, replace_draft, user, **options):
        try:
            source = read_guide(folder)
        except GuideFileError as error:
            raise CommandError(str(error)) from None
        user = self.find_user(user)
        self.validate(source)
        with transaction.atomic():
            treatment, new_treatment = self.treatment(source, publish)
            guide = Guide.objects.filter(treatment=treatment).first()
            if guide is None:
                guide = Guide.objects.create(
                    treatment=treatment,
                    **{name: getattr(source.text, name) for name in GuideText.FIELDS},
                )
            draft, version = guide.draft(), guide.current_version()
            if draft is not None and not replace_draft:
                by = draft.updated_by.get_username() if draft.updated_by else "someone"
                raise CommandError(
                    f"{guide} has a draft, saved by {by} on {draft.updated_at:%d %B %Y}. "
                    "Publish or discard it in the admin, or use --replace-draft."
                )
            draft = guide.save_draft(source.text, user, guide.state_token(draft, version))
            if publish:
                version = guide.publish(user, note=f"Imported from {source.files[0].parent}.")
                outcome = f"published as version {version.number}"
            else:
                outcome = (
                    f"saved as a draft: preview it at {draft.get_absolute_url()}, "
                    "then publish it in the admin"
                )
            self.record_review(source, guide, user)
        self.stdout.write(f"{guide}: {outcome}.")
        if new_treatment and not publish:
            self.stdout.write(f"The treatment {treatment} is new and not published yet.")

    def find_user(self, username):
        if username is None:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None

    def validate(self, source):
        """Every value fits its field, and every condition and related treatment exists."""
        errors = []
        where = source.files[0]

        def clean(model, name, value, path):
            try:
                model._meta.get_field(name).clean(value, None)
            except ValidationError as error:
                errors.append(f"{path}: {name}: {' '.join(error.messages)}")

        for name in GuideText.FIELDS:
            clean(Guide, name, getattr(source.text, name), where)
        clean(Treatment, "name", source.name, where)
        clean(Treatment, "summary", source.summary, where)
        section_files = [path for path in source.files if path.parent.name == "sections"]
        for path, section in zip(section_files, source.text.sections, strict=True):
            for name in ("heading", "anchor", "body"):
                clean(GuideSection, name, getattr(section, name), path)
        faq_files = [path for path in source.files if path.parent.name == "faqs"]
        for path, faq in zip(faq_files, source.text.faqs, strict=True):
            for name in ("question", "answer"):
                clean(GuideFAQ, name, getattr(faq, name), path)
        known = set(Condition.objects.values_list("slug", flat=True))
        for slug, _ in source.conditions:
            if slug not in known:
                errors.append(f"{where}: no condition {slug!r}: add it in the admin first.")
        known = set(Treatment.objects.values_list("slug", flat=True)) | {source.slug}
        for slug in source.related:
            if slug not in known:
                errors.append(f"{where}: no treatment {slug!r} to relate to.")
        if source.review:
            review = GuideReview(**vars(source.review))
            try:
                review.clean()
            except ValidationError as error:
                errors += [f"{where}: review: {message}" for message in error.messages]
        if errors:
            raise CommandError("Nothing was imported:\n" + "\n".join(errors))

    def treatment(self, source, publish):
        treatment = Treatment.objects.filter(slug=source.slug).first()
        created = treatment is None
        if created:
            treatment = Treatment(slug=source.slug, is_published=publish)
        if created or publish:
            treatment.name, treatment.summary = source.name, source.summary
            treatment.is_published = treatment.is_published or publish
            treatment.save()
            treatment.related.set(Treatment.objects.filter(slug__in=source.related))
            TreatmentCondition.objects.filter(treatment=treatment).delete()
            conditions = dict(Condition.objects.values_list("slug", "pk"))
            TreatmentCondition.objects.bulk_create(
                TreatmentCondition(
                    treatment=treatment,
                    condition_id=conditions[slug],
                    structures=structures,
                    order=order,
                )
                for order, (slug, structures) in enumerate(source.conditions)
            )
        return treatment, created

    def record_review(self, source, guide, user):
        review = source.review
        if review is None or guide.reviews.filter(reviewed_on=review.reviewed_on).exists():
            return
        GuideReview.objects.create(
            guide=guide, version=guide.current_version(), recorded_by=user, **vars(review)
        )
        self.stdout.write(f"Recorded the clinical review of {review.reviewed_on:%d %B %Y}.")
