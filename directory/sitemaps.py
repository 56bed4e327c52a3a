"""What crawlers should index: guides, landing pages with results, clinics and practitioners.
Served as a sitemap index so that each section pages itself at 50,000 addresses."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from clinics.models import Area, Clinic, Offer, Practitioner
from treatments.models import Condition, Guide


class GuideSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.9

    def items(self):
        return Guide.objects.published().select_related("treatment").order_by("pk")

    def lastmod(self, guide):
        return guide.updated_at


class StaticPageSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "treatment-list",
            "condition-list",
            "area-list",
            "costs",
            "how-results-are-ordered",
            "clinics:what-we-check",
            "clinics:how-reviews-work",
        ]

    def location(self, name):
        return reverse(name)


class ConditionSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Condition.objects.published().order_by("pk")


class AreaSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Area.objects.order_by("pk")


class TreatmentAreaSitemap(Sitemap):
    """Treatment-in-area landing pages, only where a published clinic offers it."""

    changefreq = "weekly"

    def items(self):
        pairs = set()
        offered = (
            Offer.objects.filter(clinic__is_published=True, treatment__is_published=True)
            .values_list(
                "treatment__slug",
                "clinic__area__slug",
                "clinic__area__parent__slug",
                "clinic__area__parent__parent__slug",
            )
            .distinct()
        )
        for treatment, *areas in offered:
            pairs.update((treatment, area) for area in areas if area)
        return sorted(pairs)

    def location(self, pair):
        return reverse("treatment-area", args=pair)


class ClinicSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Clinic.objects.published().order_by("pk")

    def lastmod(self, clinic):
        return clinic.updated_at


class PractitionerSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Practitioner.objects.published().order_by("pk")

    def lastmod(self, practitioner):
        return practitioner.updated_at


SITEMAPS = {
    "pages": StaticPageSitemap,
    "guides": GuideSitemap,
    "conditions": ConditionSitemap,
    "areas": AreaSitemap,
    "treatments-in-areas": TreatmentAreaSitemap,
    "clinics": ClinicSitemap,
    "practitioners": PractitionerSitemap,
}
