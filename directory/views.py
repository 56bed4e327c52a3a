"""The public pages that join content (treatments, guides) to listings (clinics, prices).

Every figure and every search comes from the listings index (clinics/index.py), brought up to
date with the database as each page starts: no page or figure is cached.
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from clinics import figures
from clinics.facets import facet_counts, suggestions
from clinics.index import listings_index
from clinics.models import Area, Clinic
from clinics.postcodes import looks_like_postcode
from clinics.search import (
    DISTANCE_BAND_MILES,
    RATING_MIN_REVIEWS,
    TEXT_WEIGHTS,
    clinic_results,
    practitioner_results,
)
from directory.filters import ClinicFilter
from treatments.models import Guide, GuideText, TreatmentCondition

logger = logging.getLogger(__name__)


def home(request):
    index = listings_index()
    return render(
        request,
        "directory/home.html",
        {
            "choices": index.choices,
            "counts": figures.listed_counts(index),
            "regions": Area.objects.tree(),
            "guides": Guide.objects.published()
            .select_related("treatment")
            .order_by("treatment__name"),
        },
    )


def treatment_list(request):
    index = listings_index()
    return render(
        request,
        "directory/treatment_list.html",
        {
            "treatments": index.choices.treatments,
            "counts": figures.listed_counts(index),
            "guides": set(Guide.objects.published().values_list("treatment_id", flat=True)),
        },
    )


def treatment_detail(request, slug):
    guide = get_object_or_404(
        Guide.objects.published().select_related("treatment").prefetch_related("sections", "faqs"),
        treatment__slug=slug,
    )
    return _guide_page(request, guide)


@staff_member_required
def guide_preview(request, pk):
    """A guide as patients will see it once its draft is published (or as published, with
    no draft), with today's figures: for staff checking before they publish."""
    guide = get_object_or_404(
        Guide.objects.select_related("treatment").prefetch_related("sections", "faqs"), pk=pk
    )
    draft = guide.draft()
    preview = {"draft": draft, "token": guide.state_token(draft, guide.current_version())}
    response = _guide_page(request, guide, draft.as_text() if draft else None, preview)
    response["Cache-Control"] = "no-store"
    return response


def _guide_page(request, guide, text=None, preview=None):
    """The guide page for `text` (a draft's, when previewing), else the published text."""
    treatment = guide.treatment
    text = text or GuideText.of_guide(guide)
    review = guide.latest_review()
    context = {
        "treatment": treatment,
        "guide": guide,
        "text": text,
        "review": review,
        "conditions": TreatmentCondition.objects.filter(
            treatment=treatment, condition__is_published=True
        ).with_conditions(),
        "related": treatment.related.published(),
        **figures.guide_figures(listings_index(), treatment),
    }
    context["structured_data"] = guide.structured_data(request.build_absolute_uri, text, review)
    context["preview"] = preview
    if preview:
        context["robots"] = "noindex, nofollow"
    return render(request, "directory/treatment_detail.html", context)


def search(request):
    return _search_page(
        request, fixed={}, context=lambda results: {"heading": "Find a physiotherapy clinic"}
    )


@require_GET
def find(request):
    """The home page's search: one box for a postcode or a place, sent on to the search as
    `postcode` or `area`. A place we do not know comes back with the closest names."""
    # Only printable text: a NUL byte, say, is nothing anyone typed and PostgreSQL refuses it.
    typed = "".join(ch for ch in request.GET.get("where", "") if ch.isprintable())
    where = " ".join(typed.split())[:100]
    params = {
        name: value
        for name in ("treatment", "q")
        if (value := request.GET.get(name, "").strip()[:100])
    }
    index = listings_index()
    if where and looks_like_postcode(where.upper()):
        params["postcode"] = where  # the search says if it is outside London or unknown
    elif where and (area := index.area_named(where)):
        params["area"] = area.slug
    elif where:
        response = render(
            request,
            "directory/find.html",
            {
                "where": where,
                "robots": "noindex",
                "chosen_treatment": params.get("treatment", ""),
                "treatments": index.choices.treatments,
                "suggestions": [
                    (area, reverse("search") + "?" + urlencode({**params, "area": area.slug}))
                    for area in index.areas_named_like(where)
                ],
            },
        )
        response["Cache-Control"] = "no-store"  # what someone typed is theirs
        return response
    return redirect(reverse("search") + ("?" + urlencode(params) if params else ""))


def area_list(request):
    counts = figures.listed_counts(listings_index())["area"]
    return render(
        request, "directory/area_list.html", {"regions": Area.objects.tree(), "counts": counts}
    )


# Landing pages: a search with some choices fixed by the address. Their treatment, area or
# condition comes from the index's lists: an unknown one is a 404.


def area_detail(request, slug):
    def landing(results):
        area = results.chosen("area")
        return {
            "heading": f"Physiotherapy in {area.name}",
            "landing_area": area,
            "neighbours": area.nearest(results.index.areas),
        }

    return _search_page(request, fixed={"area": slug}, context=landing)


def treatment_area(request, treatment_slug, area_slug):
    def landing(results):
        treatment, area = results.chosen("treatment"), results.chosen("area")
        return {
            "heading": f"{treatment.name} in {area.name}",
            "landing_area": area,
            "landing_treatment": treatment,
            "neighbours": area.nearest(results.index.areas),
        }

    return _search_page(
        request, fixed={"treatment": treatment_slug, "area": area_slug}, context=landing
    )


def condition_list(request):
    index = listings_index()
    return render(
        request,
        "directory/condition_list.html",
        {"conditions": index.choices.conditions, "counts": figures.listed_counts(index)},
    )


def condition_detail(request, slug):
    def landing(results):
        condition = results.chosen("condition")
        return {
            "heading": f"Physiotherapy for {condition.name.lower()} in London",
            "landing_condition": condition,
            "condition_links": TreatmentCondition.objects.filter(
                condition=condition, treatment__is_published=True
            ).with_treatments(),
        }

    return _search_page(request, fixed={"condition": slug}, context=landing)


def _search_page(request, fixed, context):
    """The search, its facet counts and one page of results; landing pages fix some
    parameters, which must name known options. `context(results)` gives the page's own."""
    data = request.GET.copy()
    for key, value in fixed.items():
        data[key] = value
    results = ClinicFilter(data, index=listings_index())
    search = results.qs
    if any(results.chosen(name) is None for name in fixed):
        raise Http404("No such page.")
    if area := results.area_typed_as_postcode():
        return redirect(f"{reverse('search')}?{area}")
    results.label_with_counts(counts := facet_counts(search))
    show_practitioners = results.chosen("show") == "practitioners"
    found = practitioner_results(search) if show_practitioners else clinic_results(search)
    page = Paginator(found, settings.SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    heading = (context := context(results))["heading"]
    narrowed = set(request.GET) - {"page"}
    return render(
        request,
        "directory/search.html",
        {
            "filter": results,
            "page": page,
            "total": counts["total"],
            "show_practitioners": show_practitioners,
            "treatment": results.chosen("treatment"),
            "local_prices": figures.local_prices(search) if fixed.get("treatment") else None,
            "suggestions": suggestions(search, results.labels())
            if not page.paginator.count
            else None,
            "did_you_mean": search.spelling_suggestion(),
            "meta_title": heading if page.number == 1 else f"{heading}, page {page.number}",
            "meta_description": f"{heading}: compare clinics, prices, insurers and opening times.",
            # A search with choices beyond the page's own is not a page of its own for search
            # engines: follow its links, index the landing page it narrows.
            "robots": "noindex, follow" if narrowed else None,
            "canonical_path": results.landing_path() if narrowed else None,
            **context,
        },
    )


def costs(request):
    """Physiotherapy costs in London, worked out from every listed price."""
    return render(request, "directory/costs.html", figures.cost_tables(listings_index()))


def how_results_are_ordered(request):
    """The order of "Best match", in words, from the rules the search itself uses."""
    return render(
        request,
        "directory/how_results_are_ordered.html",
        {
            "band_miles": DISTANCE_BAND_MILES,
            "stale_months": settings.LISTING_STALE_AFTER_MONTHS,
            "hidden_months": settings.LISTING_HIDDEN_AFTER_MONTHS,
            "weights": TEXT_WEIGHTS,
            "checklist": [what for what, _ in Clinic.CHECKLIST],
            "rating_min_reviews": RATING_MIN_REVIEWS,
        },
    )


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
