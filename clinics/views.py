import contextlib
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinics import shortlist, throttle
from clinics.cache import per_visitor, shared_page
from clinics.forms import CompareForm, EnquiryForm, start_time
from clinics.models import (
    NEXT_AVAILABLE_LIFETIME,
    SESSION_ORDER,
    Area,
    Clinic,
    Enquiry,
    Practitioner,
)
from clinics.postcodes import normalise_outward_code, normalise_postcode
from treatments.models import Treatment

logger = logging.getLogger(__name__)


@shared_page
def clinic_detail(request, slug):
    clinic = get_object_or_404(Clinic.objects.for_profile(), slug=slug)
    now = timezone.now()  # one moment for "open now" and for when that next changes
    response = render(
        request,
        "clinics/clinic_detail.html",
        {
            "clinic": clinic,
            "now": now,
            "structured_data": clinic.structured_data(request.build_absolute_uri),
            "enquiry_form": _enquiry_form(clinic, started=per_visitor(request, start_time)),
            # Shared for up to an hour (cache.TIMEOUT_SECONDS): a median over 90 days.
            "response_time": clinic.enquiries.typical_response_time(),
        },
    )
    # The page says whether the clinic is open now.
    response.shared_until = clinic.next_opening_or_closing(after=now)
    return response


@shared_page
def practitioner_detail(request, slug):
    practitioner = get_object_or_404(Practitioner.objects.for_listing(), slug=slug)
    return render(request, "clinics/practitioner_detail.html", {"practitioner": practitioner})


def _enquiry_form(clinic, data=None, started=None):
    treatments = clinic.treatments_offered()
    return EnquiryForm(data, treatments=treatments, started=started, prefix="enquiry")


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
        if form.is_valid() and not _over_limit(request, form.cleaned_data["email"]):
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
            return render(request, "clinics/enquiry_refused.html", status=400)
    return render(
        request,
        "clinics/enquiry.html",
        {"clinic": clinic, "form": form, "practitioner": practitioner},
    )


def _over_limit(request, email):
    window = settings.ENQUIRY_LIMIT_WINDOW_SECONDS
    by_address = throttle.allow(
        "enquiry-ip", throttle.client_address(request), settings.ENQUIRY_LIMIT_PER_IP, window
    )
    by_email = throttle.allow(
        "enquiry-email", email.lower(), settings.ENQUIRY_LIMIT_PER_EMAIL, window
    )
    if not (by_address and by_email):
        logger.warning("Enquiry rate limit reached (%s)", "address" if not by_address else "email")
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


# --- The front door: a place typed in words, and what the site checks ---------------------


def _looks_like_postcode(text):
    """A full postcode or a district, in any case or spacing."""
    for normalise in (normalise_postcode, normalise_outward_code):
        with contextlib.suppress(ValidationError):
            normalise(text)
            return True
    return False


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
    if where and _looks_like_postcode(where.upper()):
        params["postcode"] = where  # the search says if it is outside London or unknown
    elif where and (area := Area.objects.named(where)):
        params["area"] = area.slug
    elif where:
        response = render(
            request,
            "clinics/find.html",
            {
                "where": where,
                "robots": "noindex",
                "chosen_treatment": params.get("treatment", ""),
                "treatments": Treatment.objects.published(),
                "suggestions": [
                    (area, reverse("search") + "?" + urlencode({**params, "area": area.slug}))
                    for area in Area.objects.names_like(where)
                ],
            },
        )
        response["Cache-Control"] = "no-store"  # what someone typed is theirs
        return response
    return redirect(reverse("search") + ("?" + urlencode(params) if params else ""))


@shared_page
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


def _kept(clinics, ids):
    """`clinics` in the order they were shortlisted."""
    by_id = {clinic.pk: clinic for clinic in clinics}
    return [by_id[pk] for pk in ids if pk in by_id]


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
    clinics = _kept(Clinic.objects.published().filter(pk__in=ids).with_card_details(), ids)
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
    clinics = _kept(Clinic.objects.published().filter(pk__in=ids).with_card_details(), ids)
    offered = {}
    for clinic in clinics:
        for offer in clinic.offers.all():
            offered.setdefault(offer.treatment, set()).add(clinic.pk)
    data = request.GET.copy()
    if not data.get("treatment") and offered:
        # The treatment most of them offer, until the visitor chooses.
        data["treatment"] = min(offered, key=lambda t: (-len(offered[t]), t.name)).slug
    form = CompareForm(data, treatments=Treatment.objects.published())
    form.is_valid()
    treatment = form.cleaned_data.get("treatment")
    postcode = form.cleaned_data.get("postcode")
    session_types = []
    for clinic in clinics:
        offers = clinic.offers_for(treatment) if treatment else []
        clinic.compared_offers = {offer.session_type: offer for offer in offers}
        clinic.distance = (
            clinic.miles_from(postcode.latitude, postcode.longitude) if postcode else None
        )
        session_types += [t for t in clinic.compared_offers if t not in session_types]
    reply_times = Enquiry.objects.filter(clinic__in=ids).typical_response_times(by_clinic=True)
    for clinic in clinics:
        clinic.reply_time = reply_times.get(clinic.pk)
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
