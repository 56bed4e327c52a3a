import datetime
import hashlib

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clinics.index import record_change
from clinics.models import (
    Area,
    Clinic,
    ErrorReport,
    Insurer,
    InsurerRecognition,
    Language,
    Offer,
    OpeningHours,
    OutwardCode,
    Practitioner,
    PriceBand,
    Review,
    ReviewInvitation,
    StaffMembership,
    email_digest,
)
from directory.demo import files, listings
from directory.demo.sync import SyncResult, sync_rows
from treatments.models import (
    Condition,
    Guide,
    GuideFAQ,
    GuideReview,
    GuideRevision,
    GuideSection,
    GuideText,
    Treatment,
    TreatmentCondition,
)

# (clinics, practitioners) for each --scale.
SCALES = {"london": (200, 500), "national": (10_000, 60_000)}

DEMO_ACCOUNTS = [
    # (username, email, password, is_superuser)
    ("admin", "admin@demo.example", "demo-admin-password", True),
    ("staff", "staff@demo.example", "demo-staff-password", False),
]


class Command(BaseCommand):
    help = (
        "Load the demo data: London's areas, treatments with their guides, fictional clinics and "
        "practitioners with their patients' reviews, and demo accounts. Deterministic; running "
        "it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="london",
            help="london: about 200 clinics (default); national: 10,000 clinics and 60,000 "
            "practitioners, for benchmarks.",
        )

    def handle(self, *args, scale, **options):
        self.today = timezone.localdate()
        self.changed = False
        clinic_count, practitioner_count = SCALES[scale]
        with transaction.atomic():
            self.load_reference_data()
            area_ids = self.load_areas()
            treatment_ids = self.load_treatments()
            self.load_listings(area_ids, treatment_ids, clinic_count, practitioner_count)
            self.load_accounts()
            # Bulk writes send no model signals: every process's listings index must hear.
            if self.changed:
                record_change(everything=True)

    def report(self, label, result):
        if result.created or result.updated:
            self.changed = True
            self.stdout.write(f"{label}: {result.created} created, {result.updated} updated")
        else:
            self.stdout.write(f"{label}: unchanged")

    def load_reference_data(self):
        self.report("Insurers", sync_rows(Insurer, files.insurers(), key=["slug"])[0])
        self.report("Languages", sync_rows(Language, files.languages(), key=["code"])[0])
        bands = [{**band, "order": i} for i, band in enumerate(files.price_bands())]
        self.report("Price bands", sync_rows(PriceBand, bands, key=["slug"])[0])

    def load_areas(self):
        """Regions, then boroughs, then neighbourhoods: each level needs its parents' ids."""
        self.areas = areas = files.areas()

        def rows(entries, kind, parent_ids):
            return [
                {
                    "name": entry["name"],
                    "slug": entry["slug"],
                    "kind": kind,
                    "parent_id": parent_ids[(entry["parent"],)] if entry["parent"] else None,
                    "latitude": entry["centre"][0],
                    "longitude": entry["centre"][1],
                }
                for entry in entries
            ]

        total = SyncResult()
        result, region_ids = sync_rows(Area, rows(areas.regions, "region", {}), ["slug"])
        total += result
        result, borough_ids = sync_rows(Area, rows(areas.boroughs, "borough", region_ids), ["slug"])
        total += result
        result, neighbourhood_ids = sync_rows(
            Area, rows(areas.neighbourhoods, "neighbourhood", borough_ids), ["slug"]
        )
        self.report("Areas", total + result)

        area_ids = {**borough_ids, **neighbourhood_ids}
        codes = [
            {"code": code, "area_id": area_ids[(entry["slug"],)], "latitude": lat, "longitude": lng}
            for entry in [*areas.boroughs, *areas.neighbourhoods]
            for code in entry["postcodes"]
            for lat, lng in [areas.outward_codes[code]]
        ]
        self.report("Outward codes", sync_rows(OutwardCode, codes, ["code"])[0])
        return {slug: pk for (slug,), pk in area_ids.items()}

    def load_treatments(self):
        conditions = [{**row, "is_published": True} for row in files.conditions()]
        self.report("Conditions", (result := sync_rows(Condition, conditions, ["slug"]))[0])
        condition_ids = result[1]
        guides = files.guides()
        rows = [
            {"name": g.name, "slug": g.slug, "summary": g.summary, "is_published": True}
            for g in guides
        ]
        result, treatment_ids = sync_rows(Treatment, rows, ["slug"])
        self.report("Treatments", result)

        related = [
            {"from_treatment_id": a, "to_treatment_id": b}
            for g in guides
            for other in g.related
            # The relation is symmetrical: Django stores a row in each direction.
            for a, b in [
                (treatment_ids[(g.slug,)], treatment_ids[(other,)]),
                (treatment_ids[(other,)], treatment_ids[(g.slug,)]),
            ]
        ]
        unique_related = list(
            {(r["from_treatment_id"], r["to_treatment_id"]): r for r in related}.values()
        )
        through = Treatment.related.through
        self.report(
            "Related treatments",
            sync_rows(through, unique_related, ["from_treatment_id", "to_treatment_id"])[0],
        )
        links = [
            {
                "treatment_id": treatment_ids[(g.slug,)],
                "condition_id": condition_ids[(condition_slug,)],
                "structures": structures,
                "order": order,
            }
            for g in guides
            for order, (condition_slug, structures) in enumerate(g.conditions)
        ]
        self.report(
            "Treatment conditions",
            sync_rows(TreatmentCondition, links, ["treatment_id", "condition_id"])[0],
        )
        self.load_guides(guides, treatment_ids)
        return {slug: pk for (slug,), pk in treatment_ids.items()}

    def load_guides(self, sources, treatment_ids):
        """Each guide published with its demo text. A guide whose current version holds
        another text (or none) gets the demo's as its next version, rows and all, as
        Guide.publish() would; one that holds it already is left alone."""
        rows = [
            {
                "treatment_id": treatment_ids[(source.slug,)],
                "status": Guide.Status.PUBLISHED,
                **{name: getattr(source.text, name) for name in GuideText.FIELDS},
            }
            for source in sources
        ]
        result, guide_ids = sync_rows(Guide, rows, ["treatment_id"])
        self.report("Guides", result)
        current = {}
        for version in GuideRevision.objects.versions().filter(guide__in=guide_ids.values()):
            current.setdefault(version.guide_id, version)  # the highest number comes first
        now = timezone.now()
        new_versions, sections, faqs = [], [], []
        for source in sources:
            guide_id = guide_ids[(treatment_ids[(source.slug,)],)]
            text = source.text.to_json()
            version = current.get(guide_id)
            if version is not None and version.text == text:
                continue
            GuideSection.objects.filter(guide_id=guide_id).delete()
            GuideFAQ.objects.filter(guide_id=guide_id).delete()
            sections += [
                GuideSection(guide_id=guide_id, order=i, **vars(section))
                for i, section in enumerate(source.text.sections)
            ]
            faqs += [
                GuideFAQ(guide_id=guide_id, order=i, **vars(faq))
                for i, faq in enumerate(source.text.faqs)
            ]
            current[guide_id] = GuideRevision(
                guide_id=guide_id,
                number=version.number + 1 if version else 1,
                text=text,
                note="The demo's text.",
                updated_at=now,
                published_at=now,
            )
            new_versions.append(current[guide_id])
        GuideSection.objects.bulk_create(sections)
        GuideFAQ.objects.bulk_create(faqs)
        GuideRevision.objects.bulk_create(new_versions)
        self.report("Guide versions", SyncResult(created=len(new_versions)))
        reviews = [
            {
                "guide_id": guide_id,
                "version_id": current[guide_id].pk,
                **vars(source.review),
            }
            for source in sources
            if source.review
            for guide_id in [guide_ids[(treatment_ids[(source.slug,)],)]]
        ]
        self.report(
            "Clinical reviews", sync_rows(GuideReview, reviews, ["guide_id", "reviewed_on"])[0]
        )

    def load_listings(self, area_ids, treatment_ids, clinic_count, practitioner_count):
        areas = self.areas
        # Every borough and neighbourhood in turn, so clinics spread across all of London.
        places = [
            (entry, code)
            for entry in [*areas.neighbourhoods, *areas.boroughs]
            for code in entry["postcodes"][:1]
        ]
        plans = []
        for number in range(clinic_count):
            area, first_code = places[number % len(places)]
            codes = area["postcodes"]
            code = codes[(number // len(places)) % len(codes)] if codes else first_code
            plan = listings.plan_clinic(
                number, area, code, areas.outward_codes[code], sorted(treatment_ids), self.today
            )
            plan.row["area_id"] = area_ids[area["slug"]]
            plans.append(plan)

        result, clinic_ids = sync_rows(Clinic, [p.row for p in plans], ["slug"])
        self.report("Clinics", result)
        clinic_id_by_number = {p.number: clinic_ids[(p.row["slug"],)] for p in plans}

        offers = [
            {
                "clinic_id": clinic_id_by_number[p.number],
                "treatment_id": treatment_ids[treatment_slug],
                "session_type": session_type,
                "price_pence": pence,
                "duration_minutes": minutes,
                "price_confirmed_on": p.row["details_confirmed_on"],
            }
            for p in plans
            for treatment_slug, session_type, pence, minutes in p.offers
        ]
        self.report(
            "Offers", sync_rows(Offer, offers, ["clinic_id", "treatment_id", "session_type"])[0]
        )
        hours = [
            {"clinic_id": clinic_id_by_number[p.number], "weekday": day, "opens": o, "closes": c}
            for p in plans
            for day, o, c in p.hours
        ]
        self.report(
            "Opening hours", sync_rows(OpeningHours, hours, ["clinic_id", "weekday", "opens"])[0]
        )
        self.load_practitioners(plans, clinic_id_by_number, treatment_ids, practitioner_count)
        self.load_reviews(plans, clinic_id_by_number, treatment_ids)

    def load_practitioners(self, plans, clinic_id_by_number, treatment_ids, count):
        insurer_ids = dict(Insurer.objects.values_list("slug", "pk"))
        language_ids = dict(Language.objects.values_list("code", "pk"))
        taken_slugs = set()
        people = [
            listings.plan_practitioner(
                number, plans, sorted(insurer_ids), sorted(language_ids), self.today, taken_slugs
            )
            for number in range(count)
        ]
        # Each profile is kept by the first clinic the practitioner works at (its home).
        rows = [
            {
                **p.row,
                "home_clinic_id": clinic_id_by_number[p.clinic_numbers[0]]
                if p.clinic_numbers
                else None,
            }
            for p in people
        ]
        result, practitioner_ids = sync_rows(Practitioner, rows, ["slug"])
        self.report("Practitioners", result)

        def pid(person):
            return practitioner_ids[(person.row["slug"],)]

        works_at = [
            {"practitioner_id": pid(p), "clinic_id": clinic_id_by_number[n]}
            for p in people
            for n in p.clinic_numbers
        ]
        offers = [
            {"practitioner_id": pid(p), "treatment_id": treatment_ids[slug]}
            for p in people
            for slug in p.treatment_slugs
        ]
        speaks = [
            {"practitioner_id": pid(p), "language_id": language_ids[code]}
            for p in people
            for code in p.language_codes
        ]
        recognitions = [
            {"practitioner_id": pid(p), "insurer_id": insurer_ids[slug], "provider_number": number}
            for p in people
            for slug, number in p.insurers
        ]
        key = ["practitioner_id"]
        total = sync_rows(Practitioner.clinics.through, works_at, [*key, "clinic_id"])[0]
        total += sync_rows(Practitioner.treatments.through, offers, [*key, "treatment_id"])[0]
        total += sync_rows(Practitioner.languages.through, speaks, [*key, "language_id"])[0]
        total += sync_rows(InsurerRecognition, recognitions, [*key, "insurer_id"])[0]
        self.report("Practitioner links", total)

    def at_noon(self, day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))

    def load_reviews(self, plans, clinic_id_by_number, treatment_ids):
        """Published reviews of about four clinics in ten, each with the invitation it was
        written through (its enquiry since deleted); one removed, to show how that looks;
        and an open report of an error on the first clinic, for the demo staff's portal."""
        reviews = [review for plan in plans for review in listings.plan_reviews(plan, self.today)]
        invitations = [
            {
                "token_digest": hashlib.sha256(r.key.encode()).hexdigest(),
                "clinic_id": clinic_id_by_number[r.clinic_number],
                "treatment_id": treatment_ids[r.treatment_slug] if r.treatment_slug else None,
                "email_digest": email_digest(f"{r.key}@demo.example"),
                "sent_at": self.at_noon(r.written_on - datetime.timedelta(days=2)),
                "used_at": self.at_noon(r.written_on),
            }
            for r in reviews
        ]
        result, invitation_ids = sync_rows(ReviewInvitation, invitations, ["token_digest"])
        self.report("Review invitations", result)
        removed = next((r for r in reviews if r.rating == 1), None)
        rows = []
        for r, invitation in zip(reviews, invitations, strict=True):
            replied = min(r.written_on + datetime.timedelta(days=2), self.today)
            gone = r is removed
            rows.append(
                {
                    "invitation_id": invitation_ids[(invitation["token_digest"],)],
                    "clinic_id": invitation["clinic_id"],
                    "rating": r.rating,
                    "explanation_rating": r.aspects[0],
                    "value_rating": r.aspects[1],
                    "waiting_rating": r.aspects[2],
                    "text": "" if gone else r.text,
                    "treatment_id": invitation["treatment_id"],
                    "visited_in": r.visited_in,
                    "author_name": r.author_name,
                    "status": Review.Status.REMOVED if gone else Review.Status.PUBLISHED,
                    "created_at": invitation["used_at"],
                    "removal_reason": Review.RemovalReason.NOT_THIS_CLINIC if gone else "",
                    "removed_at": self.at_noon(self.today) if gone else None,
                    "reply": r.reply,
                    "replied_at": self.at_noon(replied) if r.reply else None,
                }
            )
        self.report("Reviews", sync_rows(Review, rows, ["invitation_id"])[0])
        report = {
            "subject": ErrorReport.Subject.CLINIC,
            "clinic_id": clinic_id_by_number[0],
            "problem": ErrorReport.Problem.HOURS,
            "details": "The page says you open at 8 on Saturdays, but the door said 9.",
            "email": "",
            "created_at": self.at_noon(self.today - datetime.timedelta(days=3)),
            "closed_at": None,
            "resolution": "",
        }
        self.report(
            "Reports of errors",
            sync_rows(ErrorReport, [report], ["subject", "clinic_id", "problem"])[0],
        )

    def load_accounts(self):
        User = get_user_model()
        staff_clinics = list(Clinic.objects.published().order_by("pk")[:2])
        for username, email, password, is_superuser in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                # Only on first creation: setting a password again would re-salt its hash.
                user = User(username=username, email=email, is_staff=is_superuser)
                user.is_superuser = is_superuser
                user.set_password(password)
                user.save()
                self.stdout.write(f"Account {username}: created")
            # Sign-in is by verified email: the demo's addresses count as verified.
            address, _ = EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"primary": True, "verified": True}
            )
            if not (address.primary and address.verified):
                address.primary = address.verified = True
                address.save(update_fields=["primary", "verified"])
            if not is_superuser:
                roles = [StaffMembership.Role.OWNER, StaffMembership.Role.EDITOR]
                for clinic, role in zip(staff_clinics, roles, strict=False):
                    StaffMembership.objects.get_or_create(
                        user=user, clinic=clinic, defaults={"role": role}
                    )
        self.stdout.write(
            self.style.SUCCESS("\nDemo accounts (for a local demo only):")
            + "".join(
                f"\n  {'admin' if su else 'clinic staff'}: email {e}, password {p}"
                for _, e, p, su in DEMO_ACCOUNTS
            )
            + "\n  clinic staff work at: "
            + ", ".join(c.name for c in staff_clinics)
        )
