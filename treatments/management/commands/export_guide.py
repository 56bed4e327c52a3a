from django.core.management.base import BaseCommand, CommandError

from treatments.guide_files import GuideSource, ReviewSource, write_guide
from treatments.models import Guide, GuideText


class Command(BaseCommand):
    help = (
        "Write a guide as files (treatments/guide_files.py) into FOLDER/<treatment slug>/, to "
        "edit outside the site and bring back with import_guide: its published text, or with "
        "--draft its draft."
    )

    def add_arguments(self, parser):
        parser.add_argument("treatment", help="The treatment's slug, e.g. dry-needling.")
        parser.add_argument("folder")
        parser.add_argument("--draft", action="store_true", help="Write the draft's text.")

    def handle(self, treatment, folder, draft, **options):
        guide = (
            Guide.objects.select_related("treatment")
            .prefetch_related("sections", "faqs")
            .filter(treatment__slug=treatment)
            .first()
        )
        if guide is None:
            raise CommandError(f"No guide for the treatment {treatment!r}.")
        text = GuideText.of_guide(guide)
        if draft:
            revision = guide.draft()
            if revision is None:
                raise CommandError(f"{guide} has no draft.")
            text = revision.as_text()
        review = guide.latest_review()
        links = guide.treatment.treatmentcondition_set.with_conditions()
        source = GuideSource(
            slug=guide.treatment.slug,
            name=guide.treatment.name,
            summary=guide.treatment.summary,
            related=sorted(guide.treatment.related.values_list("slug", flat=True)),
            conditions=[(link.condition.slug, link.structures) for link in links],
            text=text.with_anchors(),
            review=review
            and ReviewSource(
                reviewer_name=review.reviewer_name,
                reviewer_role=review.reviewer_role,
                register=review.register,
                registration_number=review.registration_number,
                reviewed_on=review.reviewed_on,
                note=review.note,
            ),
        )
        target = f"{folder.rstrip('/')}/{guide.treatment.slug}"
        write_guide(source, target)
        self.stdout.write(f"{guide}: written to {target}/")
