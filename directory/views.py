"""The public pages that join content (treatments, guides) to listings (clinics, prices)."""

import logging

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinics import throttle
from clinics.cache import remember, shared_page
from clinics.models import Area, Clinic, InsurerRecognition, Offer, Practitioner
from directory.filters import ClinicFilter
from treatments.models import Condition, Guide, Treatment, TreatmentCondition

logger = logging.getLogger(__name__)


def listed_offers():
    """Q() for a treatment's offers by listed clinics: what its search would count."""
    return Q(offers__clinic__in=Clinic.objects.listed().values("pk"))


@shared_page
def home(request):
    treatments = Treatment.objects.published().annotate(
        clinic_count=Count("offers__clinic", filter=listed_offers(), distinct=True)
    )
    regions = Area.objects.regions().prefetch_related(
        Prefetch("children", queryset=Area.objects.boroughs().order_by("name"))
    )
    guides = Guide.objects.published().select_related("treatment")
    return render(
        request,
        "directory/home.html",
        {
            "treatments": treatments,
            "regions": regions,
            "guides": guides,
            # The front door (issue 17): each borough's neighbourhoods, and how many clinics
            # are listed, for the trust strip.
            "neighbourhoods": Area.objects.neighbourhoods().by_parent(),
            "listed_clinics": Clinic.objects.listed().count(),
        },
    )


@shared_page
def treatment_list(request):
    treatments = (
        Treatment.objects.published()
        .annotate(
            clinic_count=Count("offers__clinic", filter=listed_offers(), distinct=True),
            has_guide=Exists(Guide.objects.published().filter(treatment=OuterRef("pk"))),
        )
        .order_by("name")
    )
    return render(request, "directory/treatment_list.html", {"treatments": treatments})


@shared_page
def treatment_detail(request, slug):
    guide = get_object_or_404(
        Guide.objects.published().select_related("treatment").prefetch_related("sections", "faqs"),
        treatment__slug=slug,
    )
    return _guide_page(request, guide)


@staff_member_required
def guide_preview(request, pk):
    """A guide as patients would see it, draft or not: for staff checking before publishing."""
    guide = get_object_or_404(
        Guide.objects.select_related("treatment").prefetch_related("sections", "faqs"), pk=pk
    )
    response = _guide_page(request, guide, preview=True)
    response["Cache-Control"] = "no-store"
    return response


def guide_figures(treatment):
    """The facts a guide states about its treatment, computed from the listings the search
    shows, so that they agree with the pages they link to."""
    clinics = Clinic.objects.listed().offering(treatment)
    offers = Offer.objects.filter(treatment=treatment, clinic__in=clinics.values("pk"))
    return {
        "clinic_count": clinics.count(),
        "practitioner_count": Practitioner.objects.published()
        .filter(treatments=treatment, clinics__in=clinics.values("pk"))
        .distinct()
        .count(),
        "prices": {
            session_type: stats for (session_type,), stats in offers.price_statistics().items()
        },
        "areas": list(Area.objects.with_clinic_counts(clinics)),
    }


def _guide_page(request, guide, preview=False):
    treatment = guide.treatment
    figures = remember("guide-figures", treatment.pk, lambda: guide_figures(treatment))
    context = {
        "treatment": treatment,
        "guide": guide,
        "conditions": TreatmentCondition.objects.filter(
            treatment=treatment, condition__is_published=True
        ).select_related("condition"),
        "related": treatment.related.published(),
        **figures,
    }
    faqs = guide.faqs.all()
    context["structured_data"] = guide.structured_data(request.build_absolute_uri, faqs)
    context["preview"] = preview
    if preview:
        context["robots"] = "noindex, nofollow"
    return render(request, "directory/treatment_detail.html", context)


@shared_page
def search(request):
    return _search_page(
        request, fixed={}, context=lambda results: {"heading": "Find a physiotherapy clinic"}
    )


@shared_page
def area_list(request):
    counts = Clinic.objects.listed().area_counts()
    regions = Area.objects.regions().prefetch_related(
        Prefetch(
            "children",
            queryset=Area.objects.boroughs().prefetch_related(
                Prefetch("children", queryset=Area.objects.order_by("name"))
            ),
        )
    )
    return render(request, "directory/area_list.html", {"regions": regions, "counts": counts})


# Landing pages: a search with some choices fixed by the address. Their treatment, area or
# condition comes from the search's (cached) option lists: an unknown one is a 404.


@shared_page
def area_detail(request, slug):
    def landing(results):
        area = results.chosen("area")
        return {
            "heading": f"Physiotherapy in {area.name}",
            "landing_area": area,
            "neighbours": area.nearest(results.options["area"]),
        }

    return _search_page(request, fixed={"area": slug}, context=landing)


@shared_page
def treatment_area(request, treatment_slug, area_slug):
    def landing(results):
        treatment, area = results.chosen("treatment"), results.chosen("area")
        return {
            "heading": f"{treatment.name} in {area.name}",
            "landing_area": area,
            "landing_treatment": treatment,
            "neighbours": area.nearest(results.options["area"]),
        }

    return _search_page(
        request, fixed={"treatment": treatment_slug, "area": area_slug}, context=landing
    )


@shared_page
def condition_list(request):
    # Counted as the condition's landing page counts: listed clinics offering a treatment
    # for it.
    conditions = Condition.objects.published().annotate(
        clinic_count=Count(
            "treatments__offers__clinic",
            filter=Q(treatments__offers__clinic__in=Clinic.objects.listed().values("pk")),
            distinct=True,
        )
    )
    return render(request, "directory/condition_list.html", {"conditions": conditions})


@shared_page
def condition_detail(request, slug):
    def landing(results):
        condition = results.chosen("condition")
        return {
            "heading": f"Physiotherapy for {condition.name.lower()} in London",
            "landing_condition": condition,
            "condition_links": TreatmentCondition.objects.filter(
                condition=condition, treatment__is_published=True
            ).select_related("treatment"),
        }

    return _search_page(request, fixed={"condition": slug}, context=landing)


NOT_FACETED = {"page", "sort", "show"}


def _search_page(request, fixed, context):
    """The search, its facets and one page of results; landing pages fix some parameters,
    which must name known options. `context(results)` gives the page's own context."""
    data = request.GET.copy()
    for key, value in fixed.items():
        data[key] = value
    results = ClinicFilter(data, queryset=Clinic.objects.all())
    results.form.is_valid()  # cleans every field: chosen() answers from here on
    if any(results.chosen(name) is None for name in fixed):
        raise Http404("No such page.")
    clinics = results.qs
    context = context(results)
    show_practitioners = results.chosen("show") == "practitioners"
    if show_practitioners:
        found = (
            results.matching_practitioners()
            .filter(clinics__in=clinics.values("pk"))
            .distinct()
            .order_by("last_name", "first_name", "pk")
            .prefetch_related(
                Prefetch("clinics", queryset=Clinic.objects.select_related("area")),
                Prefetch(
                    "insurer_recognitions",
                    queryset=InsurerRecognition.objects.select_related("insurer"),
                ),
            )
        )
    else:
        found = clinics.with_card_details(
            treatment=results.chosen("treatment"),
            practitioners=results.matching_practitioners(),
        )
    # Facets depend on the choices alone, not on the page, order or what is listed.
    choices = sorted((key, data.getlist(key)) for key in data if key not in NOT_FACETED)
    facets = remember("search-facets", choices, results.facet_counts)
    results.label_with_counts(facets)
    paginator = Paginator(found, settings.SEARCH_PAGE_SIZE)
    if not show_practitioners:
        paginator.count = facets["total"]  # the same count, already made (or cached)
    page = paginator.get_page(request.GET.get("page"))
    treatment = results.chosen("treatment")
    heading = context["heading"]
    return render(
        request,
        "directory/search.html",
        {
            "filter": results,
            "page": page,
            "show_practitioners": show_practitioners,
            "treatment": treatment,
            "local_prices": (
                remember(
                    "local-prices",
                    choices,
                    lambda: list(
                        Offer.objects.filter(
                            clinic__in=clinics.values("pk"), treatment=treatment
                        ).price_summary()
                    ),
                )
                if treatment and fixed
                else None
            ),
            "suggestions": results.suggestions() if not page.paginator.count else None,
            "meta_title": heading if page.number == 1 else f"{heading}, page {page.number}",
            "meta_description": f"{heading}: compare clinics, prices, insurers and opening times.",
            # A search with choices beyond the page's own is not a page of its own for search
            # engines: follow its links, index the landing page it narrows.
            "robots": "noindex, follow" if set(request.GET) - {"page"} else None,
            "canonical_path": results.landing_path() if set(request.GET) - {"page"} else None,
            **context,
        },
    )


def cost_tables():
    """Every listed price, summarised by treatment and by region, each with its session types."""
    offers = Offer.objects.filter(
        clinic__in=Clinic.objects.listed().values("pk"), treatment__is_published=True
    )
    region = Coalesce("clinic__area__parent__parent_id", "clinic__area__parent_id")
    treatments = {t.pk: t for t in Treatment.objects.published()}
    regions = {r.pk: r for r in Area.objects.regions()}
    by_treatment = [
        (treatments[treatment_id], session_type, stats)
        for (treatment_id, session_type), stats in offers.price_statistics("treatment_id").items()
    ]
    by_region = {}
    for (region_id, treatment_id, session_type), stats in offers.price_statistics(
        region, "treatment_id"
    ).items():
        by_region.setdefault(regions[region_id], []).append(
            (treatments[treatment_id], session_type, stats)
        )
    return {
        "by_treatment": sorted(by_treatment, key=lambda row: row[0].name),
        "by_region": sorted(by_region.items(), key=lambda item: item[0].name),
        "computed_at": timezone.now(),
    }


@shared_page
def costs(request):
    """Physiotherapy costs in London, worked out from every listed price."""
    tables = remember("cost-tables", (), cost_tables)
    return render(request, "directory/costs.html", tables)


def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {"sitemap_url": request.build_absolute_uri(reverse("sitemap-index"))},
        content_type="text/plain; charset=utf-8",
    )


@require_GET
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


class ThrottledLoginView(LoginView):
    """Django's sign-in, refusing further tries for a while after repeated failures for one
    account or from one address. The block lifts by itself after LOGIN_FAILURE_WINDOW, so
    an attacker can slow a real user down but never lock them out for good."""

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and self._blocked(request):
            logger.warning(
                "Sign-in throttled for %r from %s",
                request.POST.get("username", "")[:150],
                throttle.client_address(request),
            )
            return render(request, "429.html", status=429)
        return super().dispatch(request, *args, **kwargs)

    def _blocked(self, request):
        username = request.POST.get("username", "").strip().lower()
        return (
            throttle.attempts("login-user", username) >= settings.LOGIN_FAILURES_PER_ACCOUNT
            or throttle.attempts("login-ip", throttle.client_address(request))
            >= settings.LOGIN_FAILURES_PER_ADDRESS
        )

    def form_invalid(self, form):
        username = self.request.POST.get("username", "").strip().lower()
        window = settings.LOGIN_FAILURE_WINDOW_SECONDS
        throttle.allow("login-user", username, settings.LOGIN_FAILURES_PER_ACCOUNT, window)
        throttle.allow(
            "login-ip",
            throttle.client_address(self.request),
            settings.LOGIN_FAILURES_PER_ADDRESS,
            window,
        )
        logger.warning(
            "Failed sign-in for %r from %s", username[:150], throttle.client_address(self.request)
        )
        return super().form_invalid(form)

    def form_valid(self, form):
        throttle.reset("login-user", form.get_user().get_username().lower())
        return super().form_valid(form)
