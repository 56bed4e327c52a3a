"""The staff portal: clinic staff keep their own listings true, and nobody else's.

Every view that names a clinic goes through `_get_membership`, which answers 404 (never 403,
which would confirm the clinic exists) to anyone who is not on that clinic's staff. Objects
inside a clinic (practitioners, photos, members) are looked up through the clinic, so an id
from another clinic is simply not found.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinics import emails
from clinics.models import (
    ClaimRequest,
    Clinic,
    ClinicChange,
    ClinicPhoto,
    Decision,
    ErrorReport,
    InsurerRecognition,
    Invitation,
    ListingRequest,
    Offer,
    Practitioner,
    ReviewFlag,
    StaffMembership,
    VerificationRequest,
)
from clinics.portal import history as clinic_history
from clinics.portal.forms import (
    ClaimForm,
    ClinicDetailsForm,
    CloseReportForm,
    DecisionForm,
    InsurerRecognitionFormSet,
    InvitationForm,
    NewClinicForm,
    NextAvailableForm,
    OfferFormSet,
    PhotoFormSet,
    PhotoUploadForm,
    PractitionerForm,
    ReplyForm,
    ReviewFlagForm,
    WeekHoursForm,
)
from clinics.validators import normalise_hcpc_number

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


def _recorded(request, clinic, label, save):
    """Run `save` as one recorded action; its result."""
    with ClinicChange.recording(clinic, request.user, label):
        return save()


def _saved(request, membership, form, label, message):
    """Whether this is a POST of a valid `form` (or formset), now saved as one recorded
    action and said so."""
    if request.method != "POST" or not form.is_valid():
        return False
    _recorded(request, membership.clinic, label, form.save)
    messages.success(request, message)
    return True


def _render(request, template, membership, status=200, **context):
    return render(
        request,
        template,
        {"membership": membership, "clinic": membership.clinic, **context},
        status=status,
    )


@never_cache
@login_required
def home(request):
    memberships = (
        StaffMembership.objects.filter(user=request.user)
        .select_related("clinic", "clinic__area")
        .order_by("clinic__name")
    )
    claims = ClaimRequest.objects.filter(user=request.user).select_related("clinic")
    return render(
        request,
        "portal/home.html",
        {
            "memberships": memberships,
            "claims": claims,
            "invitations": Invitation.objects.waiting_for(request.user),
        },
    )


@never_cache
@login_required
def dashboard(request, slug):
    membership = _get_membership(request, slug)
    clinic = membership.clinic
    unread = clinic.enquiries.filter(read_at=None)
    return _render(
        request,
        "portal/dashboard.html",
        membership,
        unread_count=unread.count(),
        oldest_unread=unread.order_by("created_at").first(),
        listing=clinic.listing_state(),
        checklist=clinic.checklist(),
        response_time=clinic.enquiries.typical_response_time(),
        listing_requests=ListingRequest.objects.pending()
        .filter(practitioner__home_clinic=clinic)
        .count(),
        claims=clinic.claims.filter(status=Decision.PENDING).count()
        if membership.role == StaffMembership.Role.OWNER
        else 0,
        open_reports=ErrorReport.objects.about_listing(clinic).open().count(),
        unreplied_reviews=clinic.reviews.published().filter(replied_at=None).count(),
    )


@login_required
@require_POST
def request_verification(request, slug):
    """Ask again after a refusal (the details put right meanwhile)."""
    membership = _get_membership(request, slug)
    clinic = membership.clinic
    if clinic.verified_on is None and not clinic.verification_requests.pending().exists():
        VerificationRequest.objects.create(clinic=clinic, requested_by=request.user)
        messages.success(request, "Thank you: we will check your clinic again.")
    return redirect("portal:dashboard", slug)


@never_cache
@login_required
@GET_OR_POST
def edit_details(request, slug):
    membership = _get_membership(request, slug)
    form = ClinicDetailsForm(request.POST or None, instance=membership.clinic)
    if _saved(request, membership, form, "Edited the details", "Details saved."):
        return redirect("portal:dashboard", slug)
    return _render(request, "portal/form.html", membership, form=form, title="Details")


@never_cache
@login_required
@GET_OR_POST
def edit_hours(request, slug):
    membership = _get_membership(request, slug)
    form = WeekHoursForm(request.POST or None, clinic=membership.clinic)
    if _saved(request, membership, form, "Changed the opening hours", "Opening hours saved."):
        return redirect("portal:dashboard", slug)
    return _render(request, "portal/hours.html", membership, form=form, title="Opening hours")


@never_cache
@login_required
@GET_OR_POST
def edit_offers(request, slug):
    membership = _get_membership(request, slug)
    formset = OfferFormSet(
        request.POST or None,
        instance=membership.clinic,
        queryset=Offer.objects.filter(clinic=membership.clinic).by_treatment(),
    )
    if _saved(request, membership, formset, "Changed the prices", "Treatments and prices saved."):
        return redirect("portal:dashboard", slug)
    return _render(
        request, "portal/prices.html", membership, formset=formset, title="Treatments and prices"
    )


@never_cache
@login_required
def practitioners(request, slug):
    membership = _get_membership(request, slug)
    clinic = membership.clinic
    return _render(
        request,
        "portal/practitioners.html",
        membership,
        practitioners=clinic.practitioners.select_related("home_clinic").order_by(
            "last_name", "first_name"
        ),
        # Other clinics asking to list practitioners this clinic keeps: it decides.
        to_decide=ListingRequest.objects.pending()
        .filter(practitioner__home_clinic=clinic)
        .select_related("practitioner", "clinic"),
        asked=clinic.listing_requests.pending().select_related(
            "practitioner", "practitioner__home_clinic"
        ),
        title="Practitioners",
    )


def _practitioner_form(request, membership, practitioner):
    clinic = membership.clinic
    form = PractitionerForm(request.POST or None, instance=practitioner)
    insurers = InsurerRecognitionFormSet(
        request.POST or None,
        instance=practitioner,
        queryset=InsurerRecognition.objects.by_insurer(),
    )
    if request.method == "POST" and form.is_valid() and insurers.is_valid():
        label = f"{'Edited' if practitioner.pk else 'Added'} {form.instance.full_name}"
        with ClinicChange.recording(clinic, request.user, label):
            if not practitioner.pk:
                practitioner.home_clinic = clinic
            practitioner = form.save()
            insurers.instance = practitioner
            insurers.save()
            practitioner.clinics.add(clinic)
        messages.success(request, f"{practitioner.full_name} saved.")
        return redirect("portal:practitioners", clinic.slug)
    return _render(
        request,
        "portal/practitioner_form.html",
        membership,
        form=form,
        insurers=insurers,
        practitioner=practitioner,
        listed=form.existing_practitioner,
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
    """Only the clinic that keeps a profile (its home) edits it; another clinic listing the
    same practitioner sees it, and who keeps it, but cannot change it."""
    membership = _get_membership(request, slug)
    practitioner = get_object_or_404(
        membership.clinic.practitioners.select_related("home_clinic"), pk=pk
    )
    if not practitioner.is_kept_by(membership.clinic):
        status = 403 if request.method == "POST" else 200
        return _render(
            request,
            "portal/practitioner_kept_elsewhere.html",
            membership,
            status=status,
            practitioner=practitioner,
            title=practitioner.full_name,
        )
    return _practitioner_form(request, membership, practitioner)


@login_required
@require_POST
def remove_practitioner(request, slug, pk):
    """Take the practitioner off this clinic's listing. The clinic that kept the profile
    gives it up too (an admin gives it a new home); the profile itself stays."""
    membership = _get_membership(request, slug)
    clinic = membership.clinic
    practitioner = get_object_or_404(clinic.practitioners, pk=pk)
    with ClinicChange.recording(clinic, request.user, f"Removed {practitioner.full_name}"):
        # From the practitioner's side, so the change is recorded in their history.
        practitioner.clinics.remove(clinic)
        if practitioner.is_kept_by(clinic):
            practitioner.home_clinic = None
            practitioner.save(update_fields=["home_clinic", "updated_at"])
    messages.success(request, f"{practitioner.full_name} no longer listed at this clinic.")
    return redirect("portal:practitioners", slug)


@login_required
@require_POST
def request_listing(request, slug):
    """Ask the clinic that keeps a practitioner's profile to let this clinic list them, by
    the HCPC number typed in the add form."""
    membership = _get_membership(request, slug)
    practitioner = get_object_or_404(
        Practitioner.objects.select_related("home_clinic"),
        hcpc_number=normalise_hcpc_number(request.POST.get("hcpc_number")),
    )
    if practitioner.clinics.filter(pk=membership.clinic.pk).exists():
        messages.info(request, f"{practitioner.full_name} is already listed here.")
    else:
        ListingRequest.ask(practitioner, membership.clinic, request.user)
        keeper = practitioner.home_clinic.name if practitioner.home_clinic else "our team"
        messages.success(
            request, f"Asked {keeper} to let you list {practitioner.full_name}. We will email you."
        )
    return redirect("portal:practitioners", slug)


@login_required
@require_POST
def decide_listing(request, slug, pk):
    """The home clinic's staff let another clinic list a practitioner they keep, or not."""
    membership = _get_membership(request, slug)
    listing = get_object_or_404(
        ListingRequest.objects.pending().select_related("practitioner", "clinic"),
        pk=pk,
        practitioner__home_clinic=membership.clinic,
    )
    if request.POST.get("decision") == "approve":
        listing.approve(request.user)
        messages.success(
            request, f"{listing.clinic.name} can now list {listing.practitioner.full_name}."
        )
    else:
        listing.refuse(request.user)
        messages.success(request, "Declined. They have been told.")
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
        if upload.is_valid() and _recorded(request, clinic, "Added a photo", upload.save):
            messages.success(request, "Photo added.")
            return redirect("portal:photos", slug)
    elif request.method == "POST":
        existing = PhotoFormSet(request.POST, queryset=clinic.photos.all(), prefix="photos")
        if existing.is_valid():
            with ClinicChange.recording(clinic, request.user, "Changed the photos"):
                existing.save()
            messages.success(request, "Photos saved.")
            return redirect("portal:photos", slug)
        if existing.non_form_errors():
            # A malformed or out-of-date list: said plainly, with the photos as they are now.
            messages.error(request, " ".join(existing.non_form_errors()))
            fresh = PhotoFormSet(queryset=clinic.photos.all(), prefix="photos")
            context = {"upload": upload, "existing": fresh, "title": "Photos"}
            return _render(request, "portal/photos.html", membership, status=400, **context)
    return _render(
        request, "portal/photos.html", membership, upload=upload, existing=existing, title="Photos"
    )


@login_required
@require_POST
def delete_photo(request, slug, pk):
    membership = _get_membership(request, slug)
    photo = get_object_or_404(ClinicPhoto, clinic=membership.clinic, pk=pk)
    with ClinicChange.recording(membership.clinic, request.user, "Deleted a photo"):
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
    label = "Confirmed the details and prices are still correct"
    with ClinicChange.recording(membership.clinic, request.user, label):
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
            link = settings.SITE_URL + reverse(
                "portal:accept-invitation", args=[invitation.token()]
            )
            emails.send(
                "invitation",
                [invitation.email],
                {
                    "invitation": invitation,
                    "link": link,
                    "invited_by": request.user.get_full_name() or request.user.email,
                    "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
                },
            )
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("portal:team", slug)
    return _render(
        request,
        "portal/team.html",
        membership,
        form=form,
        members=clinic.memberships.by_email(),
        invitations=clinic.invitations.filter(accepted_at=None),
        claims=clinic.claims.filter(status=Decision.PENDING).select_related("user"),
        decision_form=DecisionForm(),
        title="Team",
    )


@login_required
@require_POST
def decide_claim(request, slug, pk):
    """An owner lets someone who claimed the listing in (as an editor), or declines."""
    membership = _get_membership(request, slug, owner=True)
    claim = get_object_or_404(
        membership.clinic.claims.filter(status=Decision.PENDING).select_related("user"), pk=pk
    )
    form = DecisionForm(request.POST)
    form.is_valid()  # the reason is optional and bounded: nothing else can go wrong
    if request.POST.get("decision") == "approve":
        claim.approve(request.user)
        messages.success(request, f"{claim.user.email} can now help manage this listing.")
    else:
        claim.refuse(request.user, form.cleaned_data.get("reason", ""))
        messages.success(request, f"Declined. {claim.user.email} has been told.")
    return redirect("portal:team", slug)


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
    """An invitation is accepted only by an account whose verified email is the invited
    address: anyone else holding the link (it was forwarded, or leaked) is refused."""
    invitation = Invitation.from_token(token)
    if invitation is None:
        return render(request, "portal/invitation_invalid.html", status=404)
    context = {"invitation": invitation}
    if not request.user.is_authenticated:
        return render(request, "portal/accept_invitation.html", context)
    if not invitation.is_for(request.user):
        logger.warning(
            "Invitation %s refused to user %s: not its verified address",
            invitation.pk,
            request.user.pk,
        )
        return render(request, "portal/invitation_not_yours.html", context, status=403)
    if request.method == "POST":
        invitation.accept(request.user)
        messages.success(request, f"You now help manage {invitation.clinic.name}.")
        return redirect("portal:dashboard", invitation.clinic.slug)
    return render(request, "portal/accept_invitation.html", context)


@never_cache
@login_required
@GET_OR_POST
def claim(request, slug):
    """Ask to manage a published listing. Its owners decide if it has any, an admin if not."""
    clinic = get_object_or_404(Clinic.objects.published(), slug=slug)
    if clinic.memberships.filter(user=request.user).exists():
        return redirect("portal:dashboard", slug)
    if ClaimRequest.objects.filter(
        clinic=clinic, user=request.user, status=Decision.PENDING
    ).exists():
        messages.info(request, "You have already asked for access to this clinic.")
        return redirect("portal:home")
    has_owners = clinic.memberships.owners().exists()
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.clinic, form.instance.user = clinic, request.user
        with transaction.atomic():
            form.save().submitted()
        who = "the clinic's current team" if has_owners else "us"
        messages.success(request, f"Thank you. Your request went to {who}; we will email you.")
        return redirect("portal:home")
    return render(
        request, "portal/claim.html", {"clinic": clinic, "form": form, "has_owners": has_owners}
    )


@never_cache
@login_required
@GET_OR_POST
def new_clinic(request):
    """A clinic staff add stays unpublished, in the admins' verification queue, until an
    admin has verified it."""
    form = NewClinicForm(request.POST or None, instance=Clinic(is_published=False))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            clinic = form.save(commit=False)
            clinic.assign_slug()
            clinic.save()
            StaffMembership.objects.create(
                user=request.user, clinic=clinic, role=StaffMembership.Role.OWNER
            )
            VerificationRequest.objects.create(clinic=clinic, requested_by=request.user)
        messages.success(
            request, "Clinic added. It will appear in the directory once we have verified it."
        )
        return redirect("portal:dashboard", clinic.slug)
    return render(request, "portal/new_clinic.html", {"form": form})


@never_cache
@login_required
def history(request, slug):
    """What people did to this listing, newest first: one entry per action, each with the
    fields it changed, before and after. Owners only."""
    membership = _get_membership(request, slug, owner=True)
    entries = clinic_history.entries(membership.clinic)
    return _render(request, "portal/history.html", membership, entries=entries, title="History")


@never_cache
@login_required
def enquiries(request, slug):
    membership = _get_membership(request, slug)
    inbox = membership.clinic.enquiries.select_related("treatment").inbox_order()
    return _render(request, "portal/enquiries.html", membership, enquiries=inbox, title="Enquiries")


@never_cache
@login_required
@require_GET
def enquiry(request, slug, pk):
    """An enquiry, as it came. Opening it changes nothing (a link previewer or a prefetching
    browser opens pages too): it is marked read by the button, or by marking it answered."""
    membership = _get_membership(request, slug)
    item = get_object_or_404(
        membership.clinic.enquiries.select_related("treatment", "practitioner"), pk=pk
    )
    return _render(request, "portal/enquiry.html", membership, enquiry=item, title="Enquiry")


@login_required
@require_POST
def enquiry_read(request, slug, pk):
    membership = _get_membership(request, slug)
    item = get_object_or_404(membership.clinic.enquiries, pk=pk)
    item.mark_read()
    messages.success(request, "Marked as read.")
    return redirect("portal:enquiries", slug)


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
        label = "Gave the next new-patient appointment"
        with ClinicChange.recording(membership.clinic, request.user, label):
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


# --- Reviews and reports of errors -----------------------------------------------------------


def _noted(request, clinic, label):
    """One entry in the listing's history for an action that changes no listing row (a
    reply, a report of a review, a report of an error closed)."""
    ClinicChange.objects.create(clinic=clinic, user=request.user, label=label)


REVIEWS_PER_PAGE = 20


@never_cache
@login_required
def reviews(request, slug):
    return _reviews_page(request, _get_membership(request, slug))


def _reviews_page(request, membership, bound=None, status=200):
    """The clinic's reviews as patients see them, newest first, each with the forms to reply
    (once) and to ask us to remove it; `bound`, a form sent with errors, keeps its place."""
    clinic = membership.clinic
    shown = (
        clinic.reviews.shown()
        .select_related("treatment")
        .prefetch_related(Prefetch("flags", queryset=ReviewFlag.objects.order_by("created_at")))
    )
    page = Paginator(shown, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    items = []
    for review in page:
        flags = list(review.flags.all())
        forms = {
            "reply": ReplyForm(prefix=f"reply-{review.pk}"),
            "flag": ReviewFlagForm(prefix=f"flag-{review.pk}"),
        }
        if bound and bound[0] == review.pk:
            forms[bound[1]] = bound[2]
        items.append(
            {
                "review": review,
                "flags": flags,
                "pending": any(flag.status == Decision.PENDING for flag in flags),
                **forms,
            }
        )
    return _render(
        request,
        "portal/reviews.html",
        membership,
        status=status,
        page=page,
        items=items,
        rating=clinic.reviews.summary(),
        title="Reviews",
    )


def _back_to_review(slug, review):
    return redirect(reverse("portal:reviews", args=[slug]) + f"#review-{review.pk}")


@login_required
@require_POST
def review_reply(request, slug, pk):
    """The clinic's one public reply to a review; it cannot be changed afterwards."""
    membership = _get_membership(request, slug)
    review = get_object_or_404(membership.clinic.reviews.published(), pk=pk)
    form = ReplyForm(request.POST, prefix=f"reply-{pk}")
    if not form.is_valid():
        return _reviews_page(request, membership, bound=(pk, "reply", form), status=400)
    if review.reply_once(request.user, form.cleaned_data["reply"]):
        _noted(
            request, membership.clinic, f"Replied to the review of {review.created_at:%-d %B %Y}"
        )
        messages.success(request, "Your reply is published under the review.")
    else:
        messages.error(request, "Your clinic has already replied to this review.")
    return _back_to_review(slug, review)


@login_required
@require_POST
def review_flag(request, slug, pk):
    """Ask us to remove a review, for one of the reasons we remove reviews for. It stays
    published until we decide."""
    membership = _get_membership(request, slug)
    review = get_object_or_404(membership.clinic.reviews.published(), pk=pk)
    form = ReviewFlagForm(request.POST, prefix=f"flag-{pk}")
    if not form.is_valid():
        return _reviews_page(request, membership, bound=(pk, "flag", form), status=400)
    flag = form.save(commit=False)
    flag.review, flag.reported_by = review, request.user
    try:
        with transaction.atomic():
            flag.save()
    except IntegrityError:  # one waiting report per review: sent twice, or by a colleague
        messages.info(request, "This review is already waiting for our decision.")
        return _back_to_review(slug, review)
    _noted(request, membership.clinic, f"Reported the review of {review.created_at:%-d %B %Y}")
    messages.success(
        request, "Thank you: we will check the review against our rules and email you."
    )
    return _back_to_review(slug, review)


@never_cache
@login_required
def reports(request, slug):
    return _reports_page(request, _get_membership(request, slug))


def _reports_page(request, membership, bound=None, status=200):
    """Reports of errors on the listing and the practitioners it keeps: open ones oldest
    first, each with the form to close it; then the latest closed."""
    about = ErrorReport.objects.about_listing(membership.clinic).select_related(
        "clinic", "practitioner", "closed_by"
    )
    open_reports = []
    for report in about.open().order_by("created_at", "pk"):
        form = CloseReportForm(prefix=f"close-{report.pk}")
        if bound and bound[0] == report.pk:
            form = bound[1]
        open_reports.append((report, form))
    return _render(
        request,
        "portal/reports.html",
        membership,
        status=status,
        open_reports=open_reports,
        closed=about.exclude(closed_at=None).order_by("-closed_at")[:20],
        overdue_days=settings.REPORT_OVERDUE_DAYS,
        title="Reports of errors",
    )


@login_required
@require_POST
def report_close(request, slug, pk):
    membership = _get_membership(request, slug)
    report = get_object_or_404(ErrorReport.objects.about_listing(membership.clinic).open(), pk=pk)
    form = CloseReportForm(request.POST, prefix=f"close-{pk}")
    if not form.is_valid():
        return _reports_page(request, membership, bound=(pk, form), status=400)
    told = bool(report.email)
    if report.close(request.user, form.cleaned_data["resolution"]):
        _noted(request, membership.clinic, f"Closed a report: {report.get_problem_display()}")
    messages.success(
        request, "Report closed." + (" Whoever sent it has been told." if told else "")
    )
    return redirect("portal:reports", slug)
