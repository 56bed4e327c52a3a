"""The migration to drafts and versions keeps what guides had: each published guide's text
becomes its version 1, and each review date a recorded review."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("treatments", "0001_initial")]
AFTER = [("treatments", "0004_remove_guide_review_fields_and_history")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_published_guides_become_version_1_and_review_dates_reviews():
    try:
        apps = migrate(BEFORE)
        Treatment = apps.get_model("treatments", "Treatment")
        Guide = apps.get_model("treatments", "Guide")
        fields = {"title": "T", "seo_title": "T", "seo_description": "D", "intro": "I"}
        published = Guide.objects.create(
            treatment=Treatment.objects.create(name="A", slug="a", summary="A"),
            status="published",
            reviewer_name="Dr Old Reviewer",
            reviewer_credentials="MCSP",
            reviewed_on=datetime.date(2026, 3, 1),
            **fields,
        )
        published.sections.create(heading="What is it?", anchor="what-is-it", body="B", order=0)
        published.faqs.create(question="Safe?", answer="Yes.", order=0)
        draft = Guide.objects.create(
            treatment=Treatment.objects.create(name="B", slug="b", summary="B"),
            status="draft",
            **fields,
        )

        apps = migrate(AFTER)
        GuideRevision = apps.get_model("treatments", "GuideRevision")
        GuideReview = apps.get_model("treatments", "GuideReview")
        version = GuideRevision.objects.get(guide_id=published.pk)
        assert version.number == 1 and version.published_at is not None
        assert version.text["sections"] == [
            {"heading": "What is it?", "body": "B", "anchor": "what-is-it"}
        ]
        assert version.text["faqs"] == [{"question": "Safe?", "answer": "Yes."}]
        assert not GuideRevision.objects.filter(guide_id=draft.pk).exists()
        review = GuideReview.objects.get(guide_id=published.pk)
        assert (review.reviewer_name, review.reviewer_role, review.version_id) == (
            "Dr Old Reviewer",
            "MCSP",
            version.pk,
        )
        assert review.reviewed_on == datetime.date(2026, 3, 1)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
