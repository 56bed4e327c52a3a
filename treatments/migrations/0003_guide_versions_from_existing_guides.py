"""Each published guide's text becomes its version 1, and each recorded review date an act
of review, before the fields that held them go (0004)."""

from django.db import migrations


def text_of(guide):
    # As treatments.models.GuideText.to_json() writes it (a migration cannot import the
    # model's own methods).
    sections = [
        {"heading": section.heading, "body": section.body, "anchor": section.anchor}
        for section in guide.sections.order_by("order", "id")
    ]
    return {
        "title": guide.title,
        "seo_title": guide.seo_title,
        "seo_description": guide.seo_description,
        "intro": guide.intro,
        "sessions_min": guide.sessions_min,
        "sessions_max": guide.sessions_max,
        "sections": sections,
        "faqs": [
            {"question": faq.question, "answer": faq.answer}
            for faq in guide.faqs.order_by("order", "id")
        ],
    }


def forwards(apps, schema_editor):
    Guide = apps.get_model("treatments", "Guide")
    GuideRevision = apps.get_model("treatments", "GuideRevision")
    GuideReview = apps.get_model("treatments", "GuideReview")
    for guide in Guide.objects.all():
        version = None
        if guide.status == "published":
            version = GuideRevision.objects.create(
                guide=guide,
                number=1,
                text=text_of(guide),
                note="The guide as published before versions were kept.",
                updated_at=guide.updated_at,
                published_at=guide.updated_at,
            )
        if guide.reviewed_on:
            # The register and number were never asked for: they stay blank until edited.
            GuideReview.objects.create(
                guide=guide,
                version=version,
                reviewer_name=guide.reviewer_name,
                reviewer_role=guide.reviewer_credentials,
                reviewed_on=guide.reviewed_on,
            )


def backwards(apps, schema_editor):
    Guide = apps.get_model("treatments", "Guide")
    for guide in Guide.objects.all():
        review = guide.reviews.order_by("-reviewed_on", "-pk").first()
        if review is not None:
            guide.reviewer_name = review.reviewer_name
            guide.reviewer_credentials = review.reviewer_role
            guide.reviewed_on = review.reviewed_on
            guide.save(update_fields=["reviewer_name", "reviewer_credentials", "reviewed_on"])


class Migration(migrations.Migration):
    dependencies = [("treatments", "0002_guide_revisions_and_reviews")]

    operations = [migrations.RunPython(forwards, backwards)]
