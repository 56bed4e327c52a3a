from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = "Clinics and practitioners"

    def ready(self):
        from clinics import signals

        # Every change to what the listings index holds is recorded for every process's index.
        signals.connect()
