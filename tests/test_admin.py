"""The admin: every changelist and form renders, in a fixed number of queries, and the
curation actions do what they say."""

import datetime
import html
import itertools
import re
import string

import mailer
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from mailer.models import Message, MessageLog

from clinics.models import (
    Area,
    ClaimRequest,
    Clinic,
    ClinicChange,
    ClinicPhoto,
    Enquiry,
    ErrorReport,
    Insurer,
    InsurerRecognition,
    Invitation,
    Language,
    ListingChange,
    ListingRequest,
    ListingsVersion,
    Offer,
    OpeningHours,
    OutwardCode,
    Practitioner,
    PriceBand,
    Review,
    ReviewFlag,
    ReviewInvitation,
    StaffMembership,
    VerificationRequest,
    months_ago,
)
from tests.factories import (
    make_borough,
    make_clinic,
    make_condition,
    make_guide,
    make_insurer,
    make_invitation,
    make_language,
    make_offer,
    make_opening_hours,
    make_practitioner,
    make_review,
    make_staff,
    make_treatment,
    make_user,
)
from treatments.models import (
    Condition,
    Guide,
    GuideFAQ,
    GuideReview,
    GuideRevision,
    GuideSection,
    Treatment,
    TreatmentCondition,
)

pytestmark = pytest.mark.django_db

User = get_user_model()

_n = itertools.count(1)
# Unique outward codes in the valid shape: "AA0", "AA1", ...
_districts = (
    f"{a}{b}{digit}"
    for a, b in itertools.product(string.ascii_uppercase, repeat=2)
    for digit in range(10)
)


@pytest.fixture(autouse=True)
def _cold_content_type_cache():
    # ContentType lookups (history, "view on site") are cached per process: start each test
    # with the cache empty, so that a pinned count does not depend on which tests ran first.
    ContentType.objects.clear_cache()


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def run_action(client, model, action, pks):
    """Run a changelist action on the rows `pks`; return the messages the admin shows next."""
    response = client.post(
        admin_url(model, "changelist"), {"action": action, "_selected_action": pks}, follow=True
    )
    assert response.redirect_chain == [(admin_url(model, "changelist"), 302)]
    return [str(message) for message in response.context["messages"]]


def form_data(response):
    """The POST data a browser sends back from a rendered admin form: the main form's values
    and, for each inline, its management form and its rows, under their own prefixes."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue  # an unticked box is not sent at all
            data[field.html_name] = "on" if value is True else value
    return data


# Builders for a row of each model the admin shows. Each builds the row's related rows too
# (offers, inlines, links), so that a per-row query would show as growth between 2 and 12.


def _treatment():
    treatment = make_treatment()
    TreatmentCondition.objects.create(treatment=treatment, condition=make_condition())
    make_guide(treatment=treatment)
    return treatment


def _condition():
    condition = make_condition()
    TreatmentCondition.objects.create(treatment=make_treatment(), condition=condition)
    return condition


def _clinic():
    clinic = make_clinic()
    make_opening_hours(clinic)
    make_offer(clinic, make_treatment())
    ClinicPhoto.objects.create(clinic=clinic, image="clinics/x.jpg", alt_text="The room")
    make_staff(clinic)
    return clinic


def _practitioner():
    practitioner = make_practitioner(
        clinics=[make_clinic()], treatments=[make_treatment()], insurers=[make_insurer()]
    )
    practitioner.languages.set([make_language()])
    return practitioner


def _enquiry():
    return Enquiry.objects.create(
        clinic=make_clinic(),
        name="Pat",
        email=f"pat{next(_n)}@example.com",
        message="My knee hurts when I run.",
        consent_given_at=timezone.now(),
    )


def _authenticator():
    user = make_user()
    RecoveryCodes.activate(user)
    return TOTP.activate(user, generate_totp_secret()).instance


def _email_address():
    user = make_user()
    return EmailAddress.objects.get(user=user)


def _queued_email():
    mailer.send_mail("Subject", "Body", None, [f"to{next(_n)}@example.com"])
    return Message.objects.order_by("pk").last()


def _logged_email():
    message = _queued_email()
    return MessageLog.objects.log(message, 1)


def _price_band():
    n = next(_n)
    return PriceBand.objects.create(
        label=f"Band {n}", slug=f"band-{n}", min_pence=1000 * n, max_pence=1000 * n + 500
    )


BUILDERS = {
    Group: lambda: Group.objects.create(name=f"Group {next(_n)}"),
    User: make_user,
    Treatment: _treatment,
    Condition: _condition,
    TreatmentCondition: lambda: TreatmentCondition.objects.create(
        treatment=make_treatment(), condition=make_condition()
    ),
    Guide: make_guide,  # with two sections and two FAQs, version 1 and a review
    GuideReview: lambda: make_guide().reviews.get(),
    Area: lambda: make_clinic().area,
    OutwardCode: lambda: OutwardCode.objects.create(
        code=next(_districts), area=make_borough(), latitude=51.5, longitude=-0.05
    ),
    Insurer: lambda: make_practitioner(insurers=[make_insurer()]).insurers.get(),
    Language: make_language,
    Clinic: _clinic,
    Practitioner: _practitioner,
    InsurerRecognition: lambda: InsurerRecognition.objects.create(
        practitioner=make_practitioner(), insurer=make_insurer()
    ),
    Offer: lambda: make_offer(make_clinic(), make_treatment()),
    OpeningHours: lambda: make_opening_hours(make_clinic()),
    ClinicPhoto: lambda: ClinicPhoto.objects.create(
        clinic=make_clinic(), image="clinics/x.jpg", alt_text="Room"
    ),
    StaffMembership: lambda: StaffMembership.objects.get(user=make_staff(make_clinic())),
    Invitation: lambda: Invitation.objects.create(
        clinic=make_clinic(), email=f"x{next(_n)}@example.com", invited_by=make_user()
    ),
    ClaimRequest: lambda: ClaimRequest.objects.create(
        clinic=make_clinic(), user=make_user(), role_at_clinic="Manager"
    ),
    Enquiry: _enquiry,
    VerificationRequest: lambda: VerificationRequest.objects.create(
        clinic=make_clinic(is_published=False), requested_by=make_user()
    ),
    ListingRequest: lambda: ListingRequest.objects.create(
        practitioner=make_practitioner(clinics=[make_clinic()]),
        clinic=make_clinic(),
        requested_by=make_user(),
    ),
    ClinicChange: lambda: ClinicChange.objects.create(
        clinic=make_clinic(), user=make_user(), label="Changed the prices"
    ),
    PriceBand: _price_band,
    Review: lambda: make_review(make_clinic()),
    ReviewFlag: lambda: ReviewFlag.objects.create(
        review=make_review(make_clinic()), reported_by=make_user(), reason="abuse", note="Rude"
    ),
    ReviewInvitation: lambda: make_invitation(make_clinic())[0],
    ErrorReport: lambda: ErrorReport.objects.create(
        subject="clinic", clinic=make_clinic(), problem="hours", details="Closed on Mondays."
    ),
    Authenticator: _authenticator,
    EmailAddress: _email_address,
    Message: _queued_email,
    MessageLog: _logged_email,
}

REGISTERED = list(admin.site._registry)

# What every changelist costs: the session and its user (2), the count of rows matching the
# filters and the count of all rows (2), and the page of rows with its select_related joins
# and Count(distinct=True) annotations (1). The extras are each model's list filters and
# date hierarchy; a related-field filter lists its choices in one query.
BASE = 5
DATE_HIERARCHY = 2  # the first and last dates, then the distinct days between them
CHANGELIST_QUERIES = {
    Group: BASE,
    User: BASE + 1,  # the groups for the group filter
    Treatment: BASE,  # its guide joined, its conditions counted
    Condition: BASE,
    TreatmentCondition: BASE + 1,  # the treatments for the treatment filter
    # Its review state, version and whether a draft waits are annotated on the page of rows.
    Guide: BASE + DATE_HIERARCHY,
    GuideReview: BASE + DATE_HIERARCHY + 1,  # the guides for the guide filter
    Area: BASE,
    OutwardCode: BASE,
    Insurer: BASE,
    Language: BASE,
    Clinic: BASE + DATE_HIERARCHY,  # its area joined, its offers counted
    Practitioner: BASE + 1,  # the areas for the clinics' area filter
    InsurerRecognition: BASE + 1,  # the insurers for the insurer filter
    Offer: BASE + 1,  # the treatments for the treatment filter
    OpeningHours: BASE,
    ClinicPhoto: BASE,
    StaffMembership: BASE,
    Invitation: BASE,
    ClaimRequest: BASE,
    Enquiry: BASE + DATE_HIERARCHY,
    VerificationRequest: BASE,  # its clinic and requester joined
    ListingRequest: BASE,  # the practitioner, their home clinic and the clinic joined
    ClinicChange: BASE + DATE_HIERARCHY,
    PriceBand: BASE,
    Review: BASE + DATE_HIERARCHY + 1,  # its clinic joined; the ratings for the rating filter
    ReviewFlag: BASE,  # the review, its clinic and the reporter joined
    ReviewInvitation: BASE + DATE_HIERARCHY,
    ErrorReport: BASE + DATE_HIERARCHY,  # the clinic, practitioner and guide joined
    Authenticator: BASE,  # its user joined
    EmailAddress: BASE,  # its user joined
    Message: BASE + DATE_HIERARCHY,
    MessageLog: BASE + DATE_HIERARCHY,
}

# Add and change forms. Every form costs the session and its user, and the model's content
# type, whose id the form page carries for its "view on site" link (the cache is emptied
# before each form, as in a fresh process): 3. A change form adds the object (1), then per
# model: the rows of each inline (1 each, with select_related for the row's heading), the
# chosen rows of each autocomplete widget (1 per widget that has a value, inline rows
# included) and of each many-to-many field, and any related row that str(object) names in
# the page title. GET forms are not wrapped in transaction.atomic(), so there are no
# savepoints, on either database.
CHANGE_FORM_QUERIES = {
    # model: (add form, change form)
    Group: (4, 6),  # all permissions for the picker; the group's permissions
    User: (3, 8),  # the user's groups and permissions; all groups and all permissions
    Treatment: (3, 8),  # related treatments, condition rows, the guide, 1 condition widget
    Condition: (3, 6),  # treatment rows, 1 treatment widget
    TreatmentCondition: (3, 8),  # title: treatment, condition; widgets: treatment, condition
    # The editor: the guide with its treatment, its draft, its current version, its section
    # and FAQ rows (the published text, shown when there is no draft), its latest review.
    Guide: (3, 9),
    GuideReview: (4, 5),  # its guide, version and recorder joined; the guides to choose from
    Area: (3, 5),  # the parent widget
    OutwardCode: (3, 5),  # the area widget
    Insurer: (3, 4),
    Language: (3, 4),
    # Opening hours, offer, photo and staff rows; widgets: the area, the offer's treatment,
    # the member's user.
    Clinic: (3, 11),
    # Languages, treatments and clinics chosen; insurer rows; widgets: the home clinic, the
    # three lists and the one insurer row.
    Practitioner: (3, 13),
    InsurerRecognition: (3, 8),  # title: practitioner, insurer; widgets: the same two
    Offer: (3, 8),  # title: treatment, clinic; widgets: clinic, treatment
    OpeningHours: (3, 5),  # the clinic widget
    ClinicPhoto: (None, 5),  # the clinic widget; photos are added in the portal only
    StaffMembership: (3, 8),  # title: user, clinic; widgets: user, clinic
    Invitation: (3, 7),  # title: clinic; widgets: clinic, invited by
    ClaimRequest: (3, 8),  # title: user, clinic; widgets: clinic, user
    Enquiry: (None, 5),  # title: clinic; read-only, as enquiries come from patients
    # The request with its clinic and requester; the clinic's practitioners to check.
    VerificationRequest: (None, 5),
    ListingRequest: (3, 9),  # title: practitioner, clinic; widgets: the same and the user
    ClinicChange: (None, 6),  # title: the clinic; the clinic and the user shown
    PriceBand: (3, 4),
    # Read-only: reviews come from patients, reports from visitors, invitations from the
    # worker. Each: its clinic, in the title (a treatment or user, when set, adds one).
    Review: (None, 5),
    ReviewFlag: (None, 7),  # the review, its clinic, the reporter and the decider
    ReviewInvitation: (None, 5),
    ErrorReport: (None, 5),  # the clinic, for the page link and the title
    # Read-only: secrets, recovery code seeds and email bodies are never shown.
    Authenticator: (None, 5),  # title: the user
    EmailAddress: (3, 5),  # the user widget
    Message: (None, 4),
    MessageLog: (None, 4),
}


def test_every_model_of_ours_has_an_admin():
    ours = {
        model
        for app in ("treatments", "clinics", "directory")
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
    }
    # A guide's published rows and its drafts and versions are edited, compared and restored
    # through the guide's own pages; the listings index's bookkeeping is nothing to curate.
    through_the_guide = {GuideSection, GuideFAQ, GuideRevision}
    index_bookkeeping = {ListingsVersion, ListingChange}
    assert ours - through_the_guide - index_bookkeeping <= set(REGISTERED)


def test_every_registered_admin_is_covered_by_these_tests():
    assert set(REGISTERED) == set(BUILDERS) == set(CHANGELIST_QUERIES) == set(CHANGE_FORM_QUERIES)


def test_the_site_is_titled(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "London Physio Directory admin" in page


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m.__name__)
def test_changelist_renders_in_a_pinned_number_of_queries(
    admin_client, model, django_assert_num_queries
):
    for _ in range(3):
        BUILDERS[model]()
    with django_assert_num_queries(CHANGELIST_QUERIES[model]):
        response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


def changelist_query_count(client, model):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_the_rows(admin_client, model):
    for _ in range(2):
        BUILDERS[model]()
    with_two = changelist_query_count(admin_client, model)
    for _ in range(10):
        BUILDERS[model]()
    assert changelist_query_count(admin_client, model) == with_two


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m.__name__)
def test_add_and_change_forms_render_in_pinned_numbers_of_queries(
    admin_client, model, django_assert_num_queries
):
    obj = BUILDERS[model]()
    add_queries, change_queries = CHANGE_FORM_QUERIES[model]
    with django_assert_num_queries(change_queries):
        change = admin_client.get(admin_url(model, "change", obj.pk))
    assert change.status_code == 200
    add = admin_client.get(admin_url(model, "add"))
    if add_queries is None:
        assert add.status_code == 403
        return
    ContentType.objects.clear_cache()
    with django_assert_num_queries(add_queries):
        add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == 200


@pytest.mark.parametrize(
    "model", [Treatment, Condition, Guide, Area, Clinic, Practitioner], ids=lambda m: m.__name__
)
def test_view_on_site_leads_to_the_public_page(admin_client, model):
    obj = BUILDERS[model]()
    content_type = ContentType.objects.get_for_model(model)
    link = reverse("admin:view_on_site", args=[content_type.pk, obj.pk])
    assert link in admin_client.get(admin_url(model, "change", obj.pk)).content.decode()
    response = admin_client.get(link)
    assert response.status_code == 302
    assert response["Location"].endswith(obj.get_absolute_url())
    assert admin_client.get(obj.get_absolute_url()).status_code == 200


def history_rows(client, obj):
    """The rows of an object's admin history, newest first, each as its cells' words."""
    page = client.get(admin_url(type(obj), "history", obj.pk))
    assert page.status_code == 200
    table = page.content.decode().split('id="change-history"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    return [
        [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells]
        for cells in (re.findall(r"<td>(.*?)</td>", row, re.S) for row in rows)
    ]


def test_the_history_shows_who_changed_what(admin_client, admin_user):
    clinic = make_clinic(name="Original name")
    url = admin_url(Clinic, "change", clinic.pk)
    response = admin_client.post(url, {**form_data(admin_client.get(url)), "name": "New name"})
    assert response.status_code == 302

    changed, created = history_rows(admin_client, clinic)
    # Object, date, comment, changed by, change reason, changes.
    assert changed[0] == "New name"
    assert changed[2:4] == ["Changed", admin_user.username]
    assert "Name: Original name → New name" in changed[5]
    assert "Postcode" not in changed[5]  # only what changed
    assert created[0] == "Original name"
    assert created[2:4] == ["Created", "None"]  # made in code, by nobody signed in


PUBLISHING = [
    (Clinic, "publish", "is_published", False, True, "2 clinics published."),
    (Clinic, "unpublish", "is_published", True, False, "2 clinics unpublished."),
    (Practitioner, "publish", "is_published", False, True, "2 practitioners published."),
    (Practitioner, "unpublish", "is_published", True, False, "2 practitioners unpublished."),
    (Treatment, "publish", "is_published", False, True, "2 treatments published."),
    (Treatment, "unpublish", "is_published", True, False, "2 treatments unpublished."),
    (Condition, "publish", "is_published", False, True, "2 conditions published."),
    (Condition, "unpublish", "is_published", True, False, "2 conditions unpublished."),
    (Guide, "publish", "status", "draft", "published", "2 guides published."),
    (Guide, "unpublish", "status", "published", "draft", "2 guides unpublished."),
]


@pytest.mark.parametrize(("model", "action", "field", "before", "after", "message"), PUBLISHING)
def test_publishing_actions_change_the_selected_rows_and_say_so(
    admin_client, model, action, field, before, after, message
):
    chosen, other = [BUILDERS[model]().pk for _ in range(2)], BUILDERS[model]().pk
    model.objects.update(**{field: before})
    assert run_action(admin_client, model, action, chosen) == [message]
    changed = model.objects.filter(pk__in=chosen).values_list(field, flat=True)
    assert list(changed) == [after, after]
    assert model.objects.filter(pk=other).values_list(field, flat=True).get() == before


def test_mark_verified_dates_clinics_and_registration_checks(admin_client):
    clinics = [make_clinic(verified_on=None) for _ in range(3)]
    practitioner = make_practitioner(hcpc_checked_on=None)
    assert run_action(admin_client, Clinic, "mark_verified", [c.pk for c in clinics[:2]]) == [
        "2 clinics marked verified."
    ]
    assert run_action(admin_client, Practitioner, "mark_verified", [practitioner.pk]) == [
        "1 practitioner marked checked on the HCPC register."
    ]
    today = timezone.localdate()
    assert [Clinic.objects.get(pk=c.pk).verified_on for c in clinics] == [today, today, None]
    practitioner.refresh_from_db()
    assert practitioner.hcpc_checked_on == today


def test_guides_past_their_review_date_are_flagged(admin_client):
    today = timezone.localdate()
    old = make_guide(reviewed_on=today - datetime.timedelta(days=396))  # 13 months ago
    recent = make_guide(reviewed_on=today - datetime.timedelta(days=30))
    never = make_guide(reviewed_on=None)
    url = admin_url(Guide, "changelist")

    def listed(query):
        return {guide.pk for guide in admin_client.get(url + query).context["cl"].result_list}

    assert listed("?review_due=yes") == {old.pk, never.pk}
    assert listed("?review_due=no") == {recent.pk}
    page = admin_client.get(url).content.decode()
    # Words and colour agree: red for overdue or never reviewed, green for up to date.
    assert '<span class="review-state review-overdue">Overdue: was due' in page
    assert '<span class="review-state review-never">Never reviewed' in page
    assert '<span class="review-state review-current">Up to date: next due' in page


def test_a_draft_guide_can_be_previewed_by_staff_only(admin_client, client):
    guide = make_guide(status="draft", title="Draft guide")
    change = admin_client.get(admin_url(Guide, "change", guide.pk)).content.decode()
    url = reverse("guide-preview", args=[guide.pk])
    assert url in change
    page = admin_client.get(url).content.decode()
    assert "Draft guide" in page and "Preview of an unpublished guide" in page
    assert client.get(guide.get_absolute_url()).status_code == 404
    assert client.get(url).status_code == 302  # to sign in


def test_a_treatment_links_to_its_guide_or_to_writing_one(admin_client):
    guide = make_guide(title="Dry needling explained")
    bare = make_treatment()
    with_guide = admin_client.get(admin_url(Treatment, "change", guide.treatment.pk))
    assert admin_url(Guide, "change", guide.pk) in with_guide.content.decode()
    without = admin_client.get(admin_url(Treatment, "change", bare.pk)).content.decode()
    assert f"{admin_url(Guide, 'add')}?treatment={bare.pk}" in without


def test_changelists_show_counts_and_related_names_from_one_query(admin_client):
    clinic = make_clinic(area=make_borough(name="Lambeth"))
    for session_type in ("initial", "follow_up"):
        make_offer(clinic, make_treatment(), session_type=session_type)
    response = admin_client.get(admin_url(Clinic, "changelist"))
    (row,) = response.context["cl"].result_list
    assert row.offer_count == 2
    assert "Lambeth" in response.content.decode()

    guide = make_guide(status="draft")
    response = admin_client.get(admin_url(Treatment, "changelist") + "?guide__status=draft")
    assert [t.pk for t in response.context["cl"].result_list] == [guide.treatment.pk]
    assert "Not published" in response.content.decode()


def test_practitioners_filter_by_their_details_and_search_by_hcpc_number(admin_client):
    here, there = make_borough(), make_borough()
    checked = make_practitioner(
        clinics=[make_clinic(area=here), make_clinic(area=here)],  # listed once all the same
        gender=Practitioner.Gender.MALE,
        is_csp_member=True,
        hcpc_checked_on=datetime.date(2026, 1, 5),
        hcpc_number="PH123456",
    )
    unchecked = make_practitioner(clinics=[make_clinic(area=there)], last_name="Okafor")
    url = admin_url(Practitioner, "changelist")

    def listed(query):
        return [p.pk for p in admin_client.get(url + query).context["cl"].result_list]

    assert listed("?gender__exact=male") == [checked.pk]
    assert listed("?is_csp_member__exact=0") == [unchecked.pk]
    assert listed("?hcpc_checked_on__isempty=0") == [checked.pk]
    assert listed("?hcpc_checked_on__isempty=1") == [unchecked.pk]
    assert listed(f"?clinics__area__id__exact={here.pk}") == [checked.pk]
    assert listed("?q=PH123456") == [checked.pk]
    assert listed("?q=okafor") == [unchecked.pk]


def test_set_or_not_filters_say_what_they_mean(admin_client):
    make_clinic(verified_on=datetime.date(2026, 1, 5))
    make_clinic(verified_on=None)
    page = admin_client.get(admin_url(Clinic, "changelist") + "?_facets=True")
    verification = next(f for f in page.context["cl"].filter_specs if f.title == "verification")
    choices = [choice["display"] for choice in verification.choices(page.context["cl"])]
    assert choices == ["All", "Not yet verified (1)", "Verified (1)"]
    assert "By verification" in page.content.decode()
    verified = admin_client.get(admin_url(Clinic, "changelist") + "?verified_on__isempty=0")
    assert [c.verified_on for c in verified.context["cl"].result_list] == [
        datetime.date(2026, 1, 5)
    ]


def test_enquiries_are_listed_without_their_message_and_cannot_be_changed(admin_client):
    enquiry = _enquiry()
    listing = admin_client.get(admin_url(Enquiry, "changelist")).content.decode()
    assert enquiry.clinic.name in listing
    assert "My knee hurts" not in listing
    detail = admin_client.get(admin_url(Enquiry, "change", enquiry.pk))
    assert "My knee hurts" in detail.content.decode()
    assert admin_client.get(admin_url(Enquiry, "add")).status_code == 403
    change = admin_client.post(admin_url(Enquiry, "change", enquiry.pk), {"message": "changed"})
    assert change.status_code == 403
    enquiry.refresh_from_db()
    assert enquiry.message == "My knee hurts when I run."


def test_enquiries_are_found_by_email(admin_client):
    wanted, _ = _enquiry(), _enquiry()
    response = admin_client.get(admin_url(Enquiry, "changelist") + f"?q={wanted.email}")
    assert list(response.context["cl"].result_list) == [wanted]


def test_erasure_removes_every_enquiry_from_an_address(admin_client):
    first = _enquiry()
    Enquiry.objects.create(
        clinic=make_clinic(), name="Pat", email=first.email.upper(), message="Again",
        consent_given_at=timezone.now(),
    )  # fmt: skip
    other = _enquiry()
    assert run_action(admin_client, Enquiry, "erase_by_email", [first.pk]) == [
        "2 enquiries and 0 reviews erased from 1 email address(es)."
    ]
    assert list(Enquiry.objects.all()) == [other]


def test_claims_are_approved_or_refused_in_the_admin(admin_client):
    yes = BUILDERS[ClaimRequest]()
    no = BUILDERS[ClaimRequest]()
    approved = run_action(admin_client, ClaimRequest, "approve", [yes.pk])
    assert approved == ["1 approved; each was told by email."]
    refused = run_action(admin_client, ClaimRequest, "refuse", [no.pk])
    assert refused == ["1 refused; each was told by email."]
    yes.refresh_from_db()
    no.refresh_from_db()
    assert (yes.status, no.status) == ("approved", "refused")
    assert StaffMembership.objects.get(clinic=yes.clinic).user == yes.user
    assert not StaffMembership.objects.filter(clinic=no.clinic).exists()


def test_a_clinic_saved_in_the_admin_has_its_postcode_normalised(admin_client):
    clinic = _clinic()  # with opening hours, an offer, a photo and a staff member inline
    url = admin_url(Clinic, "change", clinic.pk)
    data = form_data(admin_client.get(url))
    response = admin_client.post(url, {**data, "postcode": "sw47aa"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    clinic.refresh_from_db()
    assert (clinic.postcode, clinic.outward_code) == ("SW4 7AA", "SW4")
    assert clinic.offers.count() == clinic.opening_hours.count() == 1  # inlines kept

    response = admin_client.post(url, {**data, "postcode": "SW4"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["postcode"] == [
        "Enter a full UK postcode, such as SW4 7AA."
    ]
    assert "Enter a full UK postcode, such as SW4 7AA." in response.content.decode()


def test_an_admin_change_is_recorded_and_can_be_put_back(admin_client):
    clinic = make_clinic(name="Original name")
    clinic.name = "Changed name"
    clinic.save()
    first = clinic.history.earliest("history_date")
    url = reverse("admin:clinics_clinic_simple_history", args=[clinic.pk, first.history_id])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Original name" in page.content.decode()
    response = admin_client.post(url, form_data(page))
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.name == "Original name"


def test_every_heading_on_the_admin_home_is_in_words(admin_client):
    app_list = admin_client.get(reverse("admin:index")).context["app_list"]
    ours = app_list
    assert {app["app_label"] for app in ours} >= {"auth", "clinics", "treatments"}
    names = [app["name"] for app in ours] + [m["name"] for app in ours for m in app["models"]]
    for name in names:
        assert "_" not in name and not name.isupper() and name[0].isupper(), name
        assert not name.endswith("ss"), name  # a plural made by adding "s" to "hours"
    assert "Treatments for conditions" in names and "Clinical reviews" in names


def test_guides_falling_due_for_review_are_found_and_said_so_in_amber(admin_client):
    today = timezone.localdate()
    soon = make_guide(reviewed_on=today - datetime.timedelta(days=350))
    make_guide(reviewed_on=today - datetime.timedelta(days=30))
    make_guide(reviewed_on=today - datetime.timedelta(days=400))
    response = admin_client.get(admin_url(Guide, "changelist") + "?review_due=soon")
    assert [g.pk for g in response.context["cl"].result_list] == [soon.pk]
    assert '<span class="review-state review-soon">Due soon: by' in response.content.decode()


def test_clinics_filter_by_where_they_stand_in_the_search_and_by_staff(admin_client, settings):
    hidden_on = months_ago(settings.LISTING_HIDDEN_AFTER_MONTHS)
    fresh = make_clinic(details_confirmed_on=timezone.localdate())
    hidden = make_clinic(details_confirmed_on=hidden_on - datetime.timedelta(days=1))
    leaving = make_clinic(details_confirmed_on=hidden_on + datetime.timedelta(days=5))
    make_staff(fresh)
    url = admin_url(Clinic, "changelist")

    def listed(query):
        return {c.pk for c in admin_client.get(url + query).context["cl"].result_list}

    assert listed("?listing=listed") == {fresh.pk, leaving.pk}
    assert listed("?listing=hidden-soon") == {leaving.pk}
    assert listed("?listing=hidden") == {hidden.pk}
    assert listed("?staff=yes") == {fresh.pk}
    assert listed("?staff=no") == {hidden.pk, leaving.pk}


def test_enquiries_filter_by_how_long_they_have_waited(admin_client, settings):
    settings.ENQUIRY_WAITING_DAYS = 3
    old, recent, answered = _enquiry(), _enquiry(), _enquiry()
    Enquiry.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=4))
    Enquiry.objects.filter(pk=answered.pk).update(answered_at=timezone.now())
    url = admin_url(Enquiry, "changelist")

    def listed(query):
        return {e.pk for e in admin_client.get(url + query).context["cl"].result_list}

    assert listed("?waiting=overdue") == {old.pk}
    assert listed("?waiting=unanswered") == {old.pk, recent.pk}


def test_a_clinical_review_is_recorded_by_whoever_records_it_against_the_version_read(
    admin_client,
):
    guide = make_guide(reviewed_on=None)
    add = admin_url(GuideReview, "add") + f"?guide={guide.pk}"
    form = admin_client.get(add).context["adminform"].form
    assert form.initial["guide"] == str(guide.pk)
    assert form.initial["reviewed_on"] == timezone.localdate()
    data = {
        "guide": guide.pk,
        "reviewer_name": "Dr Ada Reviewer",
        "reviewer_role": "Consultant physiotherapist",
        "register": "HCPC",
        "registration_number": "ph123456",
        "reviewed_on": "2026-10-01",
        "note": "Checked the safety section.",
    }
    assert admin_client.post(add, data).status_code == 302
    review = guide.reviews.get()
    assert (review.recorded_by.username, review.version.number) == ("admin", 1)
    assert review.registration() == "HCPC registration PH123456"

    wrong = {**data, "registration_number": "12345", "reviewed_on": "2026-10-02"}
    response = admin_client.post(add, wrong)
    assert "A HCPC number is two letters and five or six digits" in response.content.decode()


def test_the_verification_queue_shows_what_to_check_and_takes_a_decision(
    admin_client, django_capture_on_commit_callbacks
):
    request = BUILDERS[VerificationRequest]()
    clinic = request.clinic
    clinic.website = "https://clinic.example"
    clinic.save()
    make_practitioner(clinics=[clinic], hcpc_number="PH123456")
    url = admin_url(VerificationRequest, "change", request.pk)
    page = admin_client.get(url).content.decode()
    assert "https://www.hcpc-uk.org/check-the-register/?query=PH123456" in page
    assert "https://clinic.example" in page and clinic.postcode in page
    assert 'href="/admin/' in page

    response = admin_client.post(url, {"decision": "refuse", "reason": ""})
    assert response.status_code == 200
    assert "Say why, for the clinic to read and put right." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"decision": "approve", "reason": ""})
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.is_published and clinic.verified_on == timezone.localdate()
    assert [m.to for m in mail.outbox] == [[request.requested_by.email]]
    pending = admin_client.get(admin_url(VerificationRequest, "changelist") + "?status=pending")
    assert list(pending.context["cl"].result_list) == []
