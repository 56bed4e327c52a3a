"""The staff portal: clinic staff keep their own listings true, and nobody else's.

Every view that names a clinic goes through `_get_membership`, which answers 404 (never 403,
which would confirm the clinic exists) to anyone who is not on that clinic's staff. Objects
inside a clinic (practitioners, photos, members) are looked up through the clinic, so an id
from another clinic is simply not found.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clinics.models import (
    ClaimRequest,
    Clinic,
    ClinicPhoto,
    Invitation,
    Offer,
    OpeningHours,
    Practitioner,
    StaffMembership,
)
from clinics.portal.forms import (
    AcceptInvitationForm,
    ClaimForm,
    ClinicDetailsForm,
    InsurerRecognitionFormSet,
    InvitationForm,
    NewClinicForm,
    NextAvailableForm,
    OfferFormSet,
    OpeningHoursFormSet,
    PhotoFormSet,
    PhotoUploadForm,
    PractitionerForm,
)

logger = logging.getLogger(__name__)

GET_OR_POST = require_http_methods(["GET", "POST"])


def _get_membership(request, slug, owner=False):
    """The signed-in user's membership of the clinic `slug`, or 404, logged."""
    membership = (
        StaffMembership.objects.select_related("clinic", "clinic__area")
        .filter(user=request.user, clinic__slug=slug)
        .first()
    )
    if membership is None or (owner and membership.role != StaffMembership.Role.OWNER):
        logger.warning(
            "Portal access refused: user %s, clinic %r, %s %s",
            request.user.pk,
            slug,
            request.method,
            request.path,
        )
        raise Http404("No clinic of yours has that address.")
    return membership


def _render(request, template, membership, **context):
    return render(
        request,
        template,
        {"membership": membership, "clinic": membership.clinic, **context},
    )


@never_cache
@login_required
def home(request):
    memberships = StaffMembership.objects.filter(user=request.user).select_related(
        "clinic", "clinic__area"
    )
    claims = ClaimRequest.objects.filter(user=request.user).select_related("clinic")
    return render(request, "portal/home.html", {"memberships": memberships, "claims": claims})


@never_cache
@login_required
def dashboard(request, slug):
    membership = _get_membership(request, slug)
    clinic = membership.clinic
    return _render(
        request,
        "portal/dashboard.html",
        membership,
        counts={
            "offers": clinic.offers.count(),
            "practitioners": clinic.practitioners.count(),
            "photos": clinic.photos.count(),
        },
    )


@never_cache
@login_required
@GET_OR_POST
def edit_details(request, slug):
    membership = _get_membership(request, slug)
    form = ClinicDetailsForm(request.POST or None, instance=membership.clinic)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Details saved.")
        return redirect("portal:dashboard", slug)
    return _render(request, "portal/form.html", membership, form=form, title="Details")


@never_cache
@login_required
@GET_OR_POST
def edit_hours(request, slug):
    membership = _get_membership(request, slug)
    formset = OpeningHoursFormSet(
        request.POST or None,
        instance=membership.clinic,
        queryset=OpeningHours.objects.filter(clinic=membership.clinic),
    )
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, "Opening hours saved.")
        return redirect("portal:dashboard", slug)
    return _render(
        request, "portal/formset.html", membership, formset=formset, title="Opening hours"
    )


@never_cache
@login_required
@GET_OR_POST
def edit_offers(request, slug):
    membership = _get_membership(request, slug)
    formset = OfferFormSet(
        request.POST or None,
        instance=membership.clinic,
        queryset=Offer.objects.filter(clinic=membership.clinic).select_related("treatment"),
    )
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, "Treatments and prices saved.")
        return redirect("portal:dashboard", slug)
    return _render(
        request, "portal/formset.html", membership, formset=formset, title="Treatments and prices"
    )


@never_cache
@login_required
def practitioners(request, slug):
    membership = _get_membership(request, slug)
    people = membership.clinic.practitioners.order_by("last_name", "first_name")
    return _render(
        request,
        "portal/practitioners.html",
        membership,
        practitioners=people,
        title="Practitioners",
    )


def _practitioner_form(request, membership, practitioner):
    form = PractitionerForm(request.POST or None, instance=practitioner)
    insurers = InsurerRecognitionFormSet(request.POST or None, instance=practitioner)
    if request.method == "POST" and form.is_valid() and insurers.is_valid():
        with transaction.atomic():
            practitioner = form.save()
            insurers.instance = practitioner
            insurers.save()
            practitioner.clinics.add(membership.clinic)
        messages.success(request, f"{practitioner.full_name} saved.")
        return redirect("portal:practitioners", membership.clinic.slug)
    return _render(
        request,
        "portal/practitioner_form.html",
        membership,
        form=form,
        insurers=insurers,
        practitioner=practitioner,
        title=practitioner.full_name if practitioner.pk else "Add a practitioner",
    )


@never_cache
@login_required
@GET_OR_POST
def add_practitioner(request, slug):
    membership = _get_membership(request, slug)
    return _practitioner_form(request, membership, Practitioner())


@never_cache
@login_required
@GET_OR_POST
def edit_practitioner(request, slug, pk):
    membership = _get_membership(request, slug)
    practitioner = get_object_or_404(membership.clinic.practitioners, pk=pk)
    return _practitioner_form(request, membership, practitioner)


@login_required
@require_POST
def remove_practitioner(request, slug, pk):
    membership = _get_membership(request, slug)
    practitioner = get_object_or_404(membership.clinic.practitioners, pk=pk)
    # From the practitioner's side, so the change is recorded in their history.
    practitioner.clinics.remove(membership.clinic)
    messages.success(request, f"{practitioner.full_name} no longer listed at this clinic.")
    return redirect("portal:practitioners", slug)


@never_cache
@login_required
@GET_OR_POST
def photos(request, slug):
    membership = _get_membership(request, slug)
    clinic = membership.clinic
    upload = PhotoUploadForm(clinic=clinic, prefix="upload")
    existing = PhotoFormSet(queryset=clinic.photos.all(), prefix="photos")
    if request.method == "POST" and "upload-alt_text" in request.POST:
        upload = PhotoUploadForm(request.POST, request.FILES, clinic=clinic, prefix="upload")
        if upload.is_valid():
            upload.save()
            messages.success(request, "Photo added.")
            return redirect("portal:photos", slug)
    elif request.method == "POST":
        existing = PhotoFormSet(request.POST, queryset=clinic.photos.all(), prefix="photos")
        if existing.is_valid():
            existing.save()
            messages.success(request, "Photos saved.")
            return redirect("portal:photos", slug)
    return _render(
        request, "portal/photos.html", membership, upload=upload, existing=existing, title="Photos"
    )


@login_required
@require_POST
def delete_photo(request, slug, pk):
    membership = _get_membership(request, slug)
    photo = get_object_or_404(ClinicPhoto, clinic=membership.clinic, pk=pk)
    photo.delete()
    # Files go only once the row is gone for good.
    transaction.on_commit(
        lambda: (photo.image.delete(save=False), photo.thumbnail.delete(save=False))
    )
    messages.success(request, "Photo deleted.")
    return redirect("portal:photos", slug)


@login_required
@require_POST
def confirm_details(request, slug):
    membership = _get_membership(request, slug)
    membership.clinic.confirm_details()
    messages.success(request, "Thank you: your listing now shows it was confirmed today.")
    return redirect("portal:dashboard", slug)


@never_cache
@login_required
@GET_OR_POST
def team(request, slug):
    membership = _get_membership(request, slug)
    clinic = membership.clinic
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        membership = _get_membership(request, slug, owner=True)
        if form.is_valid():
            invitation = Invitation.objects.create(
                clinic=clinic, invited_by=request.user, **form.cleaned_data
            )
            link = request.build_absolute_uri(
                reverse("portal:accept-invitation", args=[invitation.token()])
            )
            send_mail(
                f"You're invited to manage {clinic.name}",
                f"{request.user.get_full_name() or request.user.email} invited you to keep "
                f"{clinic.name}'s listing on London Physio Directory up to date.\n\n"
                f"Accept within {settings.INVITATION_MAX_AGE_DAYS} days: {link}\n",
                None,
                [invitation.email],
            )
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("portal:team", slug)
    return _render(
        request,
        "portal/team.html",
        membership,
        form=form,
        members=clinic.memberships.select_related("user"),
        invitations=clinic.invitations.filter(accepted_at=None),
        title="Team",
    )


@login_required
@require_POST
def remove_member(request, slug, pk):
    """Owners remove anyone; anyone may leave. The last owner can do neither."""
    own = _get_membership(request, slug)
    target = get_object_or_404(StaffMembership, clinic=own.clinic, pk=pk)
    if target.pk != own.pk and own.role != StaffMembership.Role.OWNER:
        raise Http404
    with transaction.atomic():
        owners = list(
            StaffMembership.objects.select_for_update().owners().filter(clinic=own.clinic)
        )
        if target.role == StaffMembership.Role.OWNER and len(owners) == 1:
            messages.error(request, "A clinic needs an owner: make someone else an owner first.")
            return redirect("portal:team", slug)
        target.delete()
    if target.pk == own.pk:
        messages.success(request, f"You have left {own.clinic.name}.")
        return redirect("portal:home")
    messages.success(request, f"{target.user.email} removed.")
    return redirect("portal:team", slug)


@never_cache
@GET_OR_POST
def accept_invitation(request, token):
    invitation = Invitation.from_token(token)
    if invitation is None:
        return render(request, "portal/invitation_invalid.html", status=404)
    form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            invitation.accept(request.user)
            messages.success(request, f"You now help manage {invitation.clinic.name}.")
            return redirect("portal:dashboard", invitation.clinic.slug)
    else:
        form = AcceptInvitationForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            user = form.save()
            invitation.accept(user)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome. You now help manage {invitation.clinic.name}.")
            return redirect("portal:dashboard", invitation.clinic.slug)
    return render(
        request, "portal/accept_invitation.html", {"invitation": invitation, "form": form}
    )


@never_cache
@login_required
@GET_OR_POST
def claim(request, slug):
    """Ask to manage a published listing that has no staff yet."""
    clinic = get_object_or_404(Clinic.objects.published(), slug=slug, memberships=None)
    form = ClaimForm(request.POST or None)
    if ClaimRequest.objects.filter(clinic=clinic, user=request.user, status="pending").exists():
        messages.info(request, "You have already asked for access to this clinic.")
        return redirect("portal:home")
    if request.method == "POST" and form.is_valid():
        form.instance.clinic, form.instance.user = clinic, request.user
        form.save()
        messages.success(request, "Thank you. We will check and reply by email.")
        return redirect("portal:home")
    return render(request, "portal/claim.html", {"clinic": clinic, "form": form})


@never_cache
@login_required
@GET_OR_POST
def new_clinic(request):
    """A clinic staff add stays unpublished until an admin has verified it."""
    form = NewClinicForm(request.POST or None, instance=Clinic(is_published=False))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            clinic = form.save(commit=False)
            clinic.assign_slug()
            clinic.save()
            StaffMembership.objects.create(
                user=request.user, clinic=clinic, role=StaffMembership.Role.OWNER
            )
        messages.success(
            request, "Clinic added. It will appear in the directory once we have verified it."
        )
        return redirect("portal:dashboard", clinic.slug)
    return render(request, "portal/new_clinic.html", {"form": form})


@never_cache
@login_required
def history(request, slug):
    """Every recorded change to this clinic's listing: who, when, which fields, before and
    after. Owners only."""
    membership = _get_membership(request, slug, owner=True)
    clinic = membership.clinic
    weekdays = dict(OpeningHours.Weekday.choices)
    sessions = dict(Offer.SessionType.choices)
    sources = [
        ("Details", Clinic.history.filter(id=clinic.pk), lambda r: r.name),
        (
            "Opening hours",
            OpeningHours.history.filter(clinic_id=clinic.pk),
            lambda r: f"{weekdays[r.weekday]} {r.opens:%H:%M}–{r.closes:%H:%M}",
        ),
        (
            "Prices",
            Offer.history.filter(clinic_id=clinic.pk).select_related("treatment"),
            lambda r: f"{r.treatment.name}, {sessions[r.session_type].lower()}",
        ),
        ("Photos", ClinicPhoto.history.filter(clinic_id=clinic.pk), lambda r: r.alt_text),
        (
            "Practitioners",
            Practitioner.history.filter(id__in=clinic.practitioners.values("pk")),
            lambda r: f"{r.first_name} {r.last_name}",
        ),
    ]
    changes = []
    for label, records, describe in sources:
        changes += _changes(label, records.select_related("history_user"), describe)
    changes.sort(key=lambda change: change["when"], reverse=True)
    return _render(
        request, "portal/history.html", membership, changes=changes[:200], title="History"
    )


LINK_FIELDS = ["clinics", "treatments", "languages"]


def _changes(label, records, describe):
    """Readable changes from history records: each record against the one before it."""
    records = list(records.order_by("id", "history_date")[:2000])
    changes = []
    previous = {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if before is None:
            fields = [] if record.history_type == "+" else None
        else:
            # Links to other rows (a practitioner's clinics, treatments, languages) are
            # compared by whether they changed, not item by item: that would cost a query
            # per record.
            delta = record.diff_against(before, excluded_fields=LINK_FIELDS)
            fields = [(c.field, c.old, c.new) for c in delta.changes]
            if not fields and record.history_type == "~":
                fields = [("clinics, treatments or languages", "", "changed")]
        changes.append(
            {
                "what": label,
                "object": describe(record),
                "kind": record.get_history_type_display(),
                "who": record.history_user,
                "when": record.history_date,
                "fields": fields,
            }
        )
    return changes


@never_cache
@login_required
def enquiries(request, slug):
    membership = _get_membership(request, slug)
    inbox = membership.clinic.enquiries.select_related("treatment").inbox_order()
    return _render(request, "portal/enquiries.html", membership, enquiries=inbox, title="Enquiries")


@never_cache
@login_required
def enquiry(request, slug, pk):
    """Opening an enquiry marks it read (an idempotent note for the inbox, not a change a
    patient or clinic relies on)."""
    membership = _get_membership(request, slug)
    item = get_object_or_404(
        membership.clinic.enquiries.select_related("treatment", "practitioner"), pk=pk
    )
    item.mark_read()
    return _render(request, "portal/enquiry.html", membership, enquiry=item, title="Enquiry")


@login_required
@require_POST
def enquiry_answered(request, slug, pk):
    membership = _get_membership(request, slug)
    item = get_object_or_404(membership.clinic.enquiries, pk=pk)
    item.mark_answered()
    messages.success(request, "Marked as answered.")
    return redirect("portal:enquiries", slug)


@never_cache
@login_required
def export(request, slug):
    """Everything this clinic has given us, as one JSON file: its right to its own data."""
    membership = _get_membership(request, slug)
    response = JsonResponse(membership.clinic.export_data(), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{slug}-data.json"'
    return response


@never_cache
@login_required
@GET_OR_POST
def next_available(request, slug):
    """When the clinic can next see a new patient: shown on its cards and profile, with its
    age, until it lapses (clinics.models.NEXT_AVAILABLE_LIFETIME) unless said again."""
    membership = _get_membership(request, slug)
    form = NextAvailableForm(request.POST or None, clinic=membership.clinic)
    if request.method == "POST" and form.is_valid():
        said = form.save()
        if said is None:
            messages.success(request, "Saved: patients see no next appointment date.")
        else:
            messages.success(
                request,
                f"Saved: patients see it until {said.shown_until:%A} {said.shown_until.day} "
                f"{said.shown_until:%B} unless you update it.",
            )
        return redirect("portal:next-available", slug)
    return _render(
        request,
        "portal/next_available.html",
        membership,
        form=form,
        said=membership.clinic.next_available(),
        title="Next new-patient appointment",
    )
