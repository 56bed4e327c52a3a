import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Whole-guide drafts and versions, and clinical reviews recorded as acts."""

    dependencies = [
        ("treatments", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="GuideRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(blank=True, help_text="Given at publication; a draft has none.", null=True, verbose_name="version")),
                ("text", models.JSONField(help_text="The whole text, as GuideText.to_json() writes it.")),
                ("note", models.CharField(blank=True, help_text="What changed, and why.", max_length=200)),
                ("edits", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("published_at", models.DateTimeField(blank=True, null=True)),
                ("guide", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="revisions", to="treatments.guide")),
                ("published_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("updated_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "ordering": ["guide", "-number"],
                "constraints": [
                    models.UniqueConstraint(condition=models.Q(("number__isnull", True)), fields=("guide",), name="guide_one_draft"),
                    models.UniqueConstraint(fields=("guide", "number"), name="guide_version_unique"),
                    models.CheckConstraint(condition=models.Q(models.Q(("number__isnull", True), ("published_at__isnull", True)), models.Q(("number__isnull", False), ("published_at__isnull", False)), _connector="OR"), name="guide_revision_published_has_number", violation_error_message="A published version has a number and a date."),
                ],
            },
        ),
        migrations.CreateModel(
            name="GuideReview",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reviewer_name", models.CharField(max_length=100)),
                ("reviewer_role", models.CharField(blank=True, help_text="For example: chartered physiotherapist, MCSP.", max_length=200, verbose_name="reviewer's profession")),
                ("register", models.CharField(blank=True, choices=[("HCPC", "Health and Care Professions Council (HCPC)"), ("GMC", "General Medical Council (GMC)"), ("NMC", "Nursing and Midwifery Council (NMC)")], max_length=10)),
                ("registration_number", models.CharField(blank=True, max_length=20)),
                ("reviewed_on", models.DateField()),
                ("note", models.TextField(blank=True, help_text="What was checked and anything changed as a result (shown).")),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                ("guide", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="reviews", to="treatments.guide")),
                ("recorded_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("version", models.ForeignKey(blank=True, help_text="The published version the reviewer read.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="reviews", to="treatments.guiderevision")),
            ],
            options={
                "verbose_name": "clinical review",
                "ordering": ["-reviewed_on", "-pk"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("reviewer_name", ""), _negated=True), name="guide_review_names_reviewer", violation_error_message="A review needs the reviewer's name."),
                ],
            },
        ),
        migrations.AlterModelOptions(
            name="historicaltreatmentcondition",
            options={"get_latest_by": ("history_date", "history_id"), "ordering": ("-history_date", "-history_id"), "verbose_name": "historical treatment for a condition", "verbose_name_plural": "historical treatments for conditions"},
        ),
        migrations.AlterModelOptions(
            name="treatmentcondition",
            options={"ordering": ["order", "condition__name"], "verbose_name": "treatment for a condition", "verbose_name_plural": "treatments for conditions"},
        ),
        migrations.AlterField(
            model_name="guide",
            name="intro",
            field=models.TextField(help_text="Markdown, shown under the heading.", verbose_name="introduction"),
        ),
        migrations.AlterField(
            model_name="guide",
            name="status",
            field=models.CharField(choices=[("draft", "Not published"), ("published", "Published")], default="draft", max_length=10),
        ),
    ]
