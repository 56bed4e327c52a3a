from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = "Clinics and practitioners"

    def ready(self):
        from clinics import cache, models
        from treatments import models as treatments

        # Everything a public page's cached figures are computed from ...
        cache.connect(
            models.Clinic,
            models.OpeningHours,
            models.Practitioner,
            models.InsurerRecognition,
            models.Offer,
            models.ClinicPhoto,
            treatments.TreatmentCondition,
            treatments.Guide,
            treatments.GuideSection,
            treatments.GuideFAQ,
            treatments.GuideReview,
        )
        # ... and what a search can choose, which its option lists are made of (and the
        # postcode districts it looks up).
        cache.connect(
            models.OutwardCode,
            models.Area,
            models.Insurer,
            models.Language,
            treatments.Treatment,
            treatments.Condition,
            receiver=cache.choices_changed,
        )
