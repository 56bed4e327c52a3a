from django.db import migrations


class Migration(migrations.Migration):
    """The review fields now live in GuideReview, and whole-guide versions replace the
    per-row history of guides, sections and FAQs (which could not put a guide back whole)."""

    dependencies = [("treatments", "0003_guide_versions_from_existing_guides")]

    operations = [
        migrations.RemoveConstraint(model_name="guide", name="guide_review_has_reviewer"),
        migrations.RemoveField(model_name="guide", name="reviewed_on"),
        migrations.RemoveField(model_name="guide", name="reviewer_credentials"),
        migrations.RemoveField(model_name="guide", name="reviewer_name"),
        migrations.DeleteModel(name="HistoricalGuide"),
        migrations.DeleteModel(name="HistoricalGuideFAQ"),
        migrations.DeleteModel(name="HistoricalGuideSection"),
    ]
