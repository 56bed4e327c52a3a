import logging

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.db import transaction
from django.db.models import Case, Prefetch, Value, When, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinics import shortlist, throttle
from clinics.forms import CompareForm, EnquiryForm, ErrorReportForm, ReviewForm
from clinics.index import listings_index
from clinics.models import (
    NEXT_AVAILABLE_LIFETIME,
    REVIEW_INTERVAL,
    SESSION_ORDER,
    Clinic,
    ErrorReport,
    InsurerRecognition,
    Offer,
    Practitioner,
    Review,
    ReviewInvitation,
    ReviewRefused,
)
from clinics.search import Search, listing_cards
from treatments.models import Guide

logger = logging.getLogger(__name__)


# The latest reviews a clinic's page shows; the rest are a link away.
REVIEWS_ON_PROFILE = 5


def clinic_detail(request, slug):
    clinic = get_object_or_404(Clinic.objects.for_profile(), slug=slug)
    rating = clinic.reviews.summary()
    reviews = list(clinic.reviews.shown().select_related("treatment")[:REVIEWS_ON_PROFILE])
    structured_data = clinic.structured_data(request.build_absolute_uri)
    return render(
        request,
        "clinics/clinic_detail.html",
        {
            "clinic": clinic,
            "now": timezone.now(),
            "structured_data": structured_data | clinic.review_structured_data(rating, reviews),
            "enquiry_form": _enquiry_form(clinic, shown=clinic.treatments_listed()),
            "response_time": clinic.enquiries.typical_response_time(),
            "rating": rating,
            "reviews": reviews,
        },
    )


def practitioner_detail(request, slug):
    practitioner = get_object_or_404(Practitioner.objects.for_listing(), slug=slug)
    return render(request, "clinics/practitioner_detail.html", {"practitioner": practitioner})


def _enquiry_form(clinic, data=None, shown=None):
    treatments = clinic.treatments_offered()
    return EnquiryForm(data, treatments=treatments, shown=shown, prefix="enquiry")


@never_cache
@require_http_methods(["GET", "POST"])
def enquiry(request, slug):
    """The enquiry form on its own page: where a failed form comes back with what was typed.
    Nothing is stored without consent; the emails go only after the enquiry is saved."""
    clinic = get_object_or_404(Clinic.objects.published().select_related("area"), slug=slug)
    practitioner = None
    if practitioner_slug := request.GET.get("practitioner"):
        practitioner = clinic.practitioners.published().filter(slug=practitioner_slug).first()
    form = _enquiry_form(clinic, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid() and not _over_limit(request, "enquiry", form.cleaned_data["email"]):
            with transaction.atomic():
                enquiry = form.save(commit=False)
                enquiry.clinic, enquiry.practitioner = clinic, practitioner
                enquiry.consent_given_at = timezone.now()
                enquiry.save()
                transaction.on_commit(enquiry.send_notifications)
            logger.info("Enquiry %s received for clinic %s", enquiry.pk, clinic.pk)
            return redirect("clinics:enquiry-sent", clinic.slug)
        if form.is_valid():  # valid, but over a rate limit
            return render(request, "429.html", status=429)
        if form.is_spam():
            logger.info("Enquiry for clinic %s refused as spam", clinic.pk)
            return render(request, "clinics/refused_as_spam.html", {"what": "enquiry"}, status=400)
    return render(
        request,
        "clinics/enquiry.html",
        {"clinic": clinic, "form": form, "practitioner": practitioner},
    )


def _over_limit(request, scope, email):
    """Count one enquiry (or report: `scope`) from this client address and to this email (if
    any); True once either is over its limit for the window. Reports are counted apart from
    enquiries, against the same limits."""
    window = settings.ENQUIRY_LIMIT_WINDOW_SECONDS
    by_address = throttle.allow(
        f"{scope}-ip", throttle.client_address(request), settings.ENQUIRY_LIMIT_PER_IP, window
    )
    by_email = not email or throttle.allow(
        f"{scope}-email", email.lower(), settings.ENQUIRY_LIMIT_PER_EMAIL, window
    )
    if not (by_address and by_email):
        logger.warning(
            "%s rate limit reached (%s)", scope.capitalize(), "email" if by_address else "address"
        )
        return True
    return False


@never_cache
def enquiry_sent(request, slug):
    clinic = get_object_or_404(Clinic.objects.published(), slug=slug)
    return render(
        request,
        "clinics/enquiry_sent.html",
        {"clinic": clinic, "response_time": clinic.enquiries.typical_response_time()},
    )


# --- What the site checks ------------------------------------------------------------------


def what_we_check(request):
    return render(
        request,
        "clinics/what_we_check.html",
        {
            "stale_months": settings.LISTING_STALE_AFTER_MONTHS,
            "hidden_months": settings.LISTING_HIDDEN_AFTER_MONTHS,
            "next_available_days": NEXT_AVAILABLE_LIFETIME.days,
            "reply_time_minimum": settings.ENQUIRY_RESPONSE_TIME_MIN_ANSWERED,
        },
    )


# --- Shortlist and compare, without an account ---------------------------------------------


def _back(request, default):
    """Where a shortlist button should return to: the page it was on, if it is ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _kept(search, ids):
    """The shortlisted clinics still published, as result cards show them (listing_cards),
    in the order they were shortlisted."""
    found = listing_cards(search, ids)
    return [found[pk] for pk in ids if pk in found]


def _posted_slug(request):
    """The clinic a shortlist button names, if it is a slug at all (a NUL byte or anything
    else no clinic could have never reaches the database)."""
    slug = request.POST.get("clinic", "")
    return slug if slug_re.match(slug) else None


@require_POST
def shortlist_add(request):
    if (slug := _posted_slug(request)) is None:
        raise Http404("No such clinic.")
    clinic = get_object_or_404(Clinic.objects.published(), slug=slug)
    ids = shortlist.read(request)
    if clinic.pk in ids:
        messages.info(request, f"{clinic.name} is already on your shortlist.")
    elif len(ids) >= shortlist.SIZE:
        messages.warning(
            request,
            f"Your shortlist already holds {shortlist.SIZE} clinics, as many as can be "
            f"compared. Remove one to add {clinic.name}.",
        )
    else:
        ids.append(clinic.pk)
        messages.success(
            request, f"{clinic.name} added to your shortlist ({len(ids)} of {shortlist.SIZE})."
        )
    response = redirect(_back(request, reverse("clinics:shortlist")))
    shortlist.write(response, ids)
    return response


@require_POST
def shortlist_remove(request):
    ids = shortlist.read(request)
    if request.POST.get("clinic") == "all":
        ids = []
        messages.success(request, "Your shortlist is empty.")
    else:
        clinic = Clinic.objects.filter(slug=_posted_slug(request)).first()
        if clinic is not None and clinic.pk in ids:
            ids.remove(clinic.pk)
            messages.success(request, f"{clinic.name} removed from your shortlist.")
    response = redirect(_back(request, reverse("clinics:shortlist")))
    shortlist.write(response, ids)
    return response


@never_cache
@require_GET
def shortlist_page(request):
    ids = shortlist.read(request)
    clinics = _kept(Search(listings_index()), ids)
    response = render(request, "clinics/shortlist.html", {"clinics": clinics})
    if len(clinics) != len(ids):  # a clinic left the directory: forget it
        shortlist.write(response, [clinic.pk for clinic in clinics])
    return response


@never_cache
@require_GET
def compare(request):
    """The shortlisted clinics side by side, for one treatment, with distances from a
    postcode when one is given. Everything here is the visitor's own: never cached."""
    ids = shortlist.read(request)
    index = listings_index()
    data = request.GET.copy()
    if not data.get("treatment") and (treatment := index.most_offered(ids)):
        data["treatment"] = treatment.slug  # until the visitor chooses
    form = CompareForm(data, choices=index.choices)
    form.is_valid()
    treatment = form.cleaned_data.get("treatment")
    postcode = form.cleaned_data.get("postcode")
    search = Search(index)
    if postcode:
        search = search.near(postcode)
    clinics = _kept(search, ids)
    # The chosen treatment's prices, and the practitioners' insurers.
    offers = Offer.objects.filter(treatment=treatment) if treatment else Offer.objects.none()
    people = Practitioner.objects.published().prefetch_related(
        Prefetch("insurer_recognitions", queryset=InsurerRecognition.objects.by_insurer())
    )
    prefetch_related_objects(
        clinics, Prefetch("offers", queryset=offers), Prefetch("practitioners", queryset=people)
    )
    session_types = set()
    for clinic in clinics:
        clinic.compared_offers = {offer.session_type: offer for offer in clinic.offers.all()}
        session_types |= set(clinic.compared_offers)
        clinic.reply_time = index.reply_time(clinic.pk)
    return render(
        request,
        "clinics/compare.html",
        {
            "clinics": clinics,
            "form": form,
            "treatment": treatment,
            "postcode": postcode,
            "session_types": sorted(session_types, key=SESSION_ORDER.index),
        },
    )


# --- Verified reviews -----------------------------------------------------------------------

REVIEW_ORDERS = {
    "newest": ("Newest first", ["-created_at", "-pk"]),
    "oldest": ("Oldest first", ["created_at", "pk"]),
    "highest": ("Highest rating first", ["removed", "-rating", "-created_at", "-pk"]),
    "lowest": ("Lowest rating first", ["removed", "rating", "-created_at", "-pk"]),
}


def clinic_reviews(request, slug):
    """Every review of a clinic, newest first unless the patient asks for another order;
    removed ones in their place, saying why."""
    clinic = get_object_or_404(Clinic.objects.published().select_related("area"), slug=slug)
    order = request.GET.get("order")
    if order not in REVIEW_ORDERS:
        order = "newest"
    reviews = (
        clinic.reviews.shown()
        .select_related("treatment")
        .annotate(removed=Case(When(status=Review.Status.REMOVED, then=Value(1)), default=0))
        .order_by(*REVIEW_ORDERS[order][1])
    )
    page = Paginator(reviews, settings.SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "clinics/reviews.html",
        {
            "clinic": clinic,
            "rating": clinic.reviews.summary(),
            "page": page,
            "order": order,
            "orders": [(key, label) for key, (label, _) in REVIEW_ORDERS.items()],
            "robots": "noindex, follow" if set(request.GET) - {"page"} else None,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def review(request, slug, token):
    """The page an invitation's link opens: the review form, until the link is used or
    expires. The link is the patient's only key, so the page is never stored anywhere and
    search engines are kept out."""
    invitation = ReviewInvitation.from_token(slug, token)
    if invitation is None or not invitation.clinic.is_published:
        raise Http404("No such review link.")
    clinic = invitation.clinic
    refused = None
    if invitation.used_at is not None:
        refused = "used"
    elif invitation.is_expired():
        refused = "expired"
    form = ReviewForm(
        request.POST if request.method == "POST" and not refused else None,
        treatments=clinic.treatments_offered(),
        today=timezone.localdate(),
        initial={"treatment": invitation.treatment_id},
    )
    if form.is_bound and form.is_valid():
        try:
            saved = invitation.write(form.save(commit=False))
        except ReviewRefused as exc:
            refused = exc.reason
        else:
            logger.info("Review %s written for clinic %s", saved.pk, clinic.pk)
            if saved.status == Review.Status.HELD:
                messages.info(
                    request,
                    "Thank you. Your review will appear once we have checked it: this clinic "
                    "received several reviews at once, and we look at every such burst.",
                )
                return redirect("clinics:reviews", clinic.slug)
            messages.success(request, "Thank you: your review is published.")
            return redirect(reverse("clinics:reviews", args=[clinic.slug]) + f"#review-{saved.pk}")
    # The page's own address holds the token: no meta tag may repeat it.
    private = {
        "clinic": clinic,
        "robots": "noindex, nofollow",
        "canonical_path": reverse("clinics:reviews", args=[clinic.slug]),
    }
    if refused:
        return render(
            request,
            "clinics/review_refused.html",
            {**private, "reason": refused, "interval_days": REVIEW_INTERVAL.days},
            status=409 if refused == "reviewed" else 410,
        )
    return render(
        request, "clinics/review_form.html", {**private, "form": form, "invitation": invitation}
    )


def how_reviews_work(request):
    """How reviews are collected and checked, and what is removed: linked from every rating."""
    return render(
        request,
        "clinics/how_reviews_work.html",
        {
            "delay_days": settings.REVIEW_INVITATION_DELAY_DAYS,
            "unanswered_days": settings.REVIEW_INVITATION_UNANSWERED_DAYS,
            "link_days": settings.REVIEW_LINK_MAX_AGE_DAYS,
            "burst_limit": settings.REVIEW_BURST_LIMIT,
            "burst_hours": settings.REVIEW_BURST_HOURS,
            "retention_days": settings.ENQUIRY_RETENTION_DAYS,
            "removal_reasons": Review.RemovalReason.labels,
        },
    )


# --- Report an error ------------------------------------------------------------------------


def _reported_page(kind, slug):
    """The published clinic, practitioner or guide a report is about, or 404."""
    if kind == ErrorReport.Subject.CLINIC:
        return get_object_or_404(Clinic.objects.published(), slug=slug)
    if kind == ErrorReport.Subject.PRACTITIONER:
        return get_object_or_404(Practitioner.objects.published(), slug=slug)
    if kind == ErrorReport.Subject.GUIDE:
        return get_object_or_404(
            Guide.objects.published().select_related("treatment"), treatment__slug=slug
        )
    raise Http404("Nothing of that kind can be reported.")


def _page_name(about):
    return about.treatment.name + " guide" if isinstance(about, Guide) else str(about)


@never_cache
@require_http_methods(["GET", "POST"])
def report_error(request, kind, slug):
    """ "Report an error" on a clinic, practitioner or guide page: no account needed; limited
    and trapped against spam as enquiries are."""
    about = _reported_page(kind, slug)
    form = ErrorReportForm(request.POST if request.method == "POST" else None, subject=kind)
    if request.method == "POST":
        if form.is_valid() and not _over_limit(request, "report", form.cleaned_data["email"]):
            with transaction.atomic():
                report = form.save(commit=False)
                report.subject = kind
                setattr(report, kind, about)
                report.save()
                report.submitted()
            logger.info("Report %s received about %s %s", report.pk, kind, about.pk)
            return redirect("clinics:report-sent", kind, slug)
        if form.is_valid():  # valid, but over a rate limit
            return render(request, "429.html", status=429)
        if form.is_spam():
            logger.info("Report about %s %s refused as spam", kind, about.pk)
            return render(
                request,
                "clinics/refused_as_spam.html",
                {"what": "report", "about": about, "page_name": _page_name(about)},
                status=400,
            )
    return render(
        request,
        "clinics/report_error.html",
        {"about": about, "kind": kind, "page_name": _page_name(about), "form": form,
         "robots": "noindex, nofollow"},
    )  # fmt: skip


@never_cache
def report_sent(request, kind, slug):
    about = _reported_page(kind, slug)
    return render(
        request,
        "clinics/report_sent.html",
        {"about": about, "kind": kind, "page_name": _page_name(about), "robots": "noindex"},
    )
