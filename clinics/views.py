import logging

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clinics import throttle
from clinics.forms import EnquiryForm
from clinics.models import Clinic, Practitioner

logger = logging.getLogger(__name__)


def clinic_detail(request, slug):
    clinic = get_object_or_404(Clinic.objects.for_profile(), slug=slug)
    return render(
        request,
        "clinics/clinic_detail.html",
        {
            "clinic": clinic,
            "now": timezone.now(),
            "structured_data": clinic.structured_data(request.build_absolute_uri),
            "enquiry_form": _enquiry_form(clinic),
            "response_time": clinic.enquiries.typical_response_time(),
        },
    )


def practitioner_detail(request, slug):
    practitioner = get_object_or_404(Practitioner.objects.for_listing(), slug=slug)
    return render(request, "clinics/practitioner_detail.html", {"practitioner": practitioner})


def _enquiry_form(clinic, data=None):
    treatments = clinic.treatments_offered()
    return EnquiryForm(data, treatments=treatments, prefix="enquiry")


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
