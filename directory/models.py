"""Price bands: the ranges a patient picks from when searching ("under £60", "£60 to £80")."""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords


class PriceBand(models.Model):
    label = models.CharField(max_length=40, unique=True, help_text="As patients see it.")
    slug = models.SlugField(max_length=40, unique=True)
    # Whole pence; a band includes its lower bound and excludes its upper bound.
    min_pence = models.PositiveIntegerField("from (pence)", null=True, blank=True)
    max_pence = models.PositiveIntegerField("up to (pence)", null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "min_pence"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_pence__isnull=False) | Q(max_pence__isnull=False),
                name="price_band_has_a_bound",
                violation_error_message="A price band needs a lower or an upper bound.",
            ),
            models.CheckConstraint(
                condition=Q(min_pence__isnull=True)
                | Q(max_pence__isnull=True)
                | Q(max_pence__gt=F("min_pence")),
                name="price_band_bounds_ordered",
                violation_error_message="The upper bound must be above the lower bound.",
            ),
        ]

    def __str__(self):
        return self.label

    def filter_offers(self, offers):
        """Narrow an Offer queryset to prices inside this band."""
        if self.min_pence is not None:
            offers = offers.filter(price_pence__gte=self.min_pence)
        if self.max_pence is not None:
            offers = offers.filter(price_pence__lt=self.max_pence)
        return offers

    def contains(self, pence):
        return (self.min_pence is None or pence >= self.min_pence) and (
            self.max_pence is None or pence < self.max_pence
        )
