"""What the internet sends: random paths, query strings and form bodies never cause a server
error or touch another clinic's data; script payloads in every text anyone can write never
reach a page as markup."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from clinics.models import ClinicPhoto, Enquiry, ErrorReport, Offer, Practitioner, ReviewFlag
from tests.factories import (
    make_borough,
    make_clinic,
    make_condition,
    make_guide,
    make_invitation,
    make_offer,
    make_practitioner,
    make_review,
    make_staff,
    make_treatment,
)
from treatments.models import GuideFAQ, GuideSection, TreatmentCondition

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SEARCH_KEYS = [
    "treatment", "area", "postcode", "condition", "insurer", "max_price", "price_band",
    "gender", "language", "open", "home_visits", "video", "step_free", "q", "sort", "page",
    "show", "rating", "order",
]  # fmt: skip
nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["%FF%FE", "\x00", "../../etc/passwd", "1e309", "-1", "99999999999999999999",
         "<script>alert(1)</script>", "' OR 1=1 --", "SW4 7AA", "dry-needling", "lambeth"]
    ),
    st.integers().map(str),
)  # fmt: skip


@pytest.fixture
def world():
    treatment = make_treatment(slug="dry-needling")
    make_guide(treatment=treatment)
    condition = make_condition(slug="neck-pain")
    TreatmentCondition.objects.create(treatment=treatment, condition=condition)
    area = make_borough(slug="lambeth")
    a = make_clinic(area=area, slug="clinic-a")
    b = make_clinic(area=area, slug="clinic-b")
    make_offer(a, treatment)
    make_offer(b, treatment)
    make_practitioner(clinics=[b], slug="practitioner-b")
    review = make_review(b, rating=2, text="Clinic B was slow to reply to me.")
    report = ErrorReport.objects.create(
        subject="clinic", clinic=b, problem="hours", details="Shut on Mondays."
    )
    return {"a": a, "b": b, "alice": make_staff(a), "bob": make_staff(b), "review": review,
            "report": report}  # fmt: skip


def clinic_b_state(world):
    b = world["b"]
    b.refresh_from_db()
    return (
        b.name, b.description, b.postcode, b.is_published, b.details_confirmed_on,
        b.next_available_on,
        sorted(Offer.objects.filter(clinic=b).values_list("price_pence", flat=True)),
        sorted(Practitioner.objects.filter(clinics=b).values_list("first_name", flat=True)),
        b.memberships.count(), ClinicPhoto.objects.filter(clinic=b).count(),
        list(b.reviews.values_list("status", "text", "reply")),
        ReviewFlag.objects.filter(review__clinic=b).count(),
        list(ErrorReport.objects.filter(clinic=b).values_list("closed_at", "resolution")),
    )  # fmt: skip


PUBLIC_PATHS = [
    "/", "/search/", "/treatments/", "/treatments/dry-needling/",
    "/treatments/dry-needling/lambeth/", "/areas/", "/areas/lambeth/", "/conditions/",
    "/conditions/neck-pain/", "/costs/",
    "/clinics/clinic-b/", "/clinics/clinic-b/enquiry/", "/practitioners/practitioner-b/",
    "/sitemap.xml", "/robots.txt", "/accounts/login/", "/clinics/clinic-b/reviews/",
    "/reviews/how-reviews-work/", "/report/clinic/clinic-b/", "/report/guide/dry-needling/",
]  # fmt: skip


@FUZZ
@given(
    path=st.sampled_from(PUBLIC_PATHS),
    params=st.lists(st.tuples(st.sampled_from(SEARCH_KEYS), nasty_text), max_size=6),
)
def test_public_pages_never_fail_on_any_query_string(world, path, params):
    query = "&".join(f"{key}={value}" for key, value in params)
    # A WSGI server hands Django the raw bytes of the address decoded as Latin-1 (PEP 3333),
    # so any UTF-8 a client sends arrives like this.
    response = Client().get(path, QUERY_STRING=query.encode().decode("latin-1"))
    assert response.status_code in (200, 302, 404), (path, query)


# The world's addresses under the bases below: any other segment names nothing.
WORLD_SLUGS = {"clinic-a", "clinic-b", "lambeth", "dry-needling", "neck-pain"}


@FUZZ
# One path segment: "?" or "#" would start a query or a fragment, "/" or "%" (an escaped "/")
# would make it two segments, which can name a real page ("clinic-a/reviews").
@given(
    segment=nasty_text.map(lambda text: text.replace("\x00", "")).filter(
        lambda text: not set(text) & set("?#/%")
    )
)
def test_random_paths_are_404_not_500(world, segment):
    assume(segment not in WORLD_SLUGS)
    for base in ("/clinics/", "/areas/", "/treatments/", "/conditions/"):
        response = Client().get(f"{base}{segment}/")
        assert response.status_code == 404, base + segment
    # The portal asks a visitor to sign in before it looks a clinic up; an address that
    # cannot be a clinic's is not found.
    response = Client().get(f"/portal/{segment}/")
    if re.fullmatch(r"[-a-zA-Z0-9_]+", segment):
        assert response.status_code == 302, segment
        assert response["Location"].startswith(reverse("account_login")), segment
    else:
        assert response.status_code == 404, segment


SERVED_PREFIXES = [
    "/media/", "/media/clinics/", "/static/", "/clinics/", "/practitioners/", "/areas/",
    "/treatments/", "/treatments/dry-needling/", "/conditions/", "/portal/",
    "/portal/clinic-a/", "/portal/invitations/", "/accounts/", "/accounts/confirm-email/",
    "/accounts/password/reset/key/", "/sitemap-",
]  # fmt: skip


@pytest.mark.parametrize("prefix", SERVED_PREFIXES)
def test_long_paths_under_every_served_prefix_are_never_a_server_error(world, prefix, settings):
    """Attack (issue 14, finding 6): /media/ followed by 3,000 letters was a server error
    (the file name too long to look up) once the media folder existed."""
    (settings.MEDIA_ROOT / "clinics").mkdir(parents=True)
    (settings.MEDIA_ROOT / "clinics" / "photo.jpg").write_bytes(b"\xff\xd8")
    alice = Client()
    alice.force_login(world["alice"])
    for client in (Client(), alice):
        for tail in ("a" * 3000, "a" * 3000 + "/", "%00" + "b" * 300, "a/" * 1500):
            response = client.get(prefix + tail)
            assert response.status_code < 500, (prefix, tail[:10], response.status_code)


def portal_urls_of_b(world):
    b = world["b"].slug
    practitioner = Practitioner.objects.get(slug="practitioner-b").pk
    without_args = [
        "dashboard", "details", "hours", "offers", "practitioners", "add-practitioner",
        "photos", "confirm", "next-available", "team", "history", "enquiries", "export",
    ]  # fmt: skip
    with_practitioner = ["edit-practitioner", "remove-practitioner"]
    review, report = world["review"].pk, world["report"].pk
    return (
        [reverse(f"portal:{name}", args=[b]) for name in [*without_args, "reviews", "reports"]]
        + [reverse(f"portal:{name}", args=[b, practitioner]) for name in with_practitioner]
        + [reverse(f"portal:{name}", args=[b, review]) for name in ("review-reply", "review-flag")]
        + [reverse("portal:report-close", args=[b, report])]
    )


@FUZZ
@given(
    body=st.dictionaries(
        st.sampled_from(
            ["name", "postcode", "is_published", "clinic", "role", "email", "price", "alt_text",
             "first_name", "hcpc_number", "offers-TOTAL_FORMS", "offers-0-price", "verified_on",
             "reply", "reason", "note", "resolution"]
        ),
        nasty_text,
        max_size=6,
    )
)  # fmt: skip
def test_staff_of_another_clinic_and_anonymous_users_change_nothing(world, body):
    before = clinic_b_state(world)
    alice = Client()
    alice.force_login(world["alice"])
    for url in portal_urls_of_b(world):
        assert alice.post(url, body).status_code == 404, url
        assert alice.get(url).status_code in (404, 405), url
        assert Client().post(url, body).status_code == 302, url
    assert clinic_b_state(world) == before


@FUZZ
@given(
    body=st.dictionaries(
        st.sampled_from(["name", "postcode", "phone", "website", "email"]), nasty_text
    )
)
def test_own_clinic_forms_refuse_garbage_without_a_server_error(world, body):
    alice = Client()
    alice.force_login(world["alice"])
    for name in (
        "portal:details", "portal:hours", "portal:offers", "portal:photos", "portal:team",
        "portal:next-available",
    ):  # fmt: skip
        response = alice.post(reverse(name, args=["clinic-a"]), body)
        assert response.status_code in (200, 302, 400), name


FORMSETS = {
    "portal:hours": "opening_hours",
    "portal:offers": "offers",
    "portal:photos": "photos",
    "portal:add-practitioner": "insurer_recognitions",
}
management_value = st.one_of(
    st.integers(min_value=-5, max_value=2000).map(str), nasty_text, st.just("")
)


@FUZZ
@given(
    name=st.sampled_from(sorted(FORMSETS)),
    total=management_value,
    initial=management_value,
    rows=st.dictionaries(
        st.tuples(st.integers(0, 3), st.sampled_from(
            ["id", "weekday", "opens", "closes", "DELETE", "treatment", "session_type",
             "price", "duration_minutes", "alt_text", "order", "insurer", "provider_number"]
        )),
        nasty_text,
        max_size=8,
    ),
)  # fmt: skip
def test_formset_management_fields_never_cause_a_server_error(world, name, total, initial, rows):
    """Attack (issue 14, finding 6): forged TOTAL_FORMS/INITIAL_FORMS and rows the page never
    showed, on every formset of the portal."""
    alice = Client()
    alice.force_login(world["alice"])
    prefix = FORMSETS[name]
    body = {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": initial}
    body |= {f"{prefix}-{row}-{field}": value for (row, field), value in rows.items()}
    before = clinic_b_state(world)
    response = alice.post(reverse(name, args=["clinic-a"]), body)
    assert response.status_code in (200, 302, 400), (name, body)
    assert clinic_b_state(world) == before


# --- Script payloads in every text anyone can write ---------------------------------------------

PAYLOADS = [
    '<script>alert("xss")</script>',
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "[click me](javascript:alert(1))",
]
REVIEW_FIELDS = [
    "rating", "explanation_rating", "value_rating", "waiting_rating", "text", "treatment",
    "visited_in", "author_name", "declaration",
]  # fmt: skip


@FUZZ
@given(
    review=st.dictionaries(st.sampled_from(REVIEW_FIELDS), nasty_text, max_size=9),
    report=st.dictionaries(
        st.sampled_from(["problem", "details", "email", "website", "started"]), nasty_text
    ),
)
def test_public_review_and_report_forms_refuse_garbage_without_a_server_error(
    world, review, report
):
    invitation, token = make_invitation(world["b"])
    path = invitation.link(token)[invitation.link(token).index("/clinics/") :]
    assert Client().post(path, review).status_code in (200, 302, 409, 410)
    for kind, slug in [("clinic", "clinic-b"), ("guide", "dry-needling"),
                       ("practitioner", "practitioner-b"), ("nonsense", "clinic-b")]:  # fmt: skip
        response = Client().post(f"/report/{kind}/{slug}/", report)
        assert response.status_code in (200, 302, 400, 404, 429), kind


ANY_LIVE_MARKUP = re.compile(
    r"<script>alert|<img src=x onerror|<svg onload|href=\"javascript:|href='javascript:", re.I
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_payloads_never_reach_a_page_as_markup(world, admin_client, payload):
    a = world["a"]
    a.description = payload
    a.name = "Clinic " + payload
    a.save()
    practitioner = make_practitioner(clinics=[a], bio=payload, first_name=payload[:60])
    ClinicPhoto.objects.create(clinic=a, image="clinics/x.jpg", alt_text=payload)
    enquiry = Enquiry.objects.create(
        clinic=a, name=payload, email="pat@example.com", message=payload,
        consent_given_at=timezone.now(),
    )  # fmt: skip
    review = make_review(a, text=payload, author_name=payload[:40], reply=payload,
                         replied_at=timezone.now())  # fmt: skip
    report = ErrorReport.objects.create(
        subject="clinic", clinic=a, problem="other", details=payload, email="x@example.com"
    )
    guide = make_guide(treatment=make_treatment(slug="payload-treatment"), intro=payload)
    GuideSection.objects.create(guide=guide, heading=payload[:100], body=payload)
    GuideFAQ.objects.create(guide=guide, question=payload[:100], answer=payload)

    alice = Client()
    alice.force_login(world["alice"])
    pages = {
        "clinic": Client().get(a.get_absolute_url()),
        "practitioner": Client().get(practitioner.get_absolute_url()),
        "search": Client().get("/search/?q=Clinic"),
        "area": Client().get("/areas/lambeth/"),
        "guide": Client().get("/treatments/payload-treatment/"),
        "enquiry inbox": alice.get(reverse("portal:enquiries", args=["clinic-a"])),
        "enquiry": alice.get(reverse("portal:enquiry", args=["clinic-a", enquiry.pk])),
        "portal photos": alice.get(reverse("portal:photos", args=["clinic-a"])),
        "portal practitioners": alice.get(reverse("portal:practitioners", args=["clinic-a"])),
        "reviews": Client().get(reverse("clinics:reviews", args=["clinic-a"])),
        "portal reviews": alice.get(reverse("portal:reviews", args=["clinic-a"])),
        "portal reports": alice.get(reverse("portal:reports", args=["clinic-a"])),
        "admin review": admin_client.get(
            reverse("admin:clinics_review_change", args=[review.pk])
        ),
        "admin report": admin_client.get(
            reverse("admin:clinics_errorreport_change", args=[report.pk])
        ),
        "admin clinic": admin_client.get(reverse("admin:clinics_clinic_change", args=[a.pk])),
        "admin clinics": admin_client.get(reverse("admin:clinics_clinic_changelist")),
        "admin enquiry": admin_client.get(
            reverse("admin:clinics_enquiry_change", args=[enquiry.pk])
        ),
        "admin guide": admin_client.get(reverse("admin:treatments_guide_change", args=[guide.pk])),
        "admin practitioner": admin_client.get(
            reverse("admin:clinics_practitioner_change", args=[practitioner.pk])
        ),
    }  # fmt: skip
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = response.content.decode()
        assert not ANY_LIVE_MARKUP.search(page), (name, ANY_LIVE_MARKUP.search(page).group(0))
