from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Public site"

    def ready(self):
        from clinics import cache
        from directory.models import PriceBand

        cache.connect(PriceBand, receiver=cache.choices_changed)
