from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = "Clinics and practitioners"

    def ready(self):
        from clinics import cache, models
        from treatments import models as treatments

        # Everything a public page's cached figures are computed from.
        cache.connect(
            models.Area,
            models.OutwardCode,
            models.Insurer,
            models.Language,
            models.Clinic,
            models.OpeningHours,
            models.Practitioner,
            models.InsurerRecognition,
            models.Offer,
            models.ClinicPhoto,
            treatments.Treatment,
            treatments.Condition,
            treatments.TreatmentCondition,
            treatments.Guide,
            treatments.GuideSection,
            treatments.GuideFAQ,
        )
