"""Fictional clinics and practitioners for the demo, generated deterministically.

Every clinic and practitioner draws from its own random generator seeded by its number, so the
London set is the same on every machine and the national set starts with it. Names are made up;
phone numbers are in Ofcom's range reserved for drama (020 7946 0000-0999); email addresses use
the reserved .example domain; HCPC numbers sit in a block (PH900000 and up) not yet issued.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.utils.text import slugify

from clinics.models import THIS_WEEK
from treatments.slugs import first_free

# Price ranges in whole pounds and durations in minutes, by treatment and session type. Dry
# needling follows the ranges its guide describes: within a session £70-£100, added to a
# session £15-£30, initial assessment £85-£120, follow-up £60-£90.
PRICES = {
    "dry-needling": {
        "initial": (85, 120, 60),
        "follow_up": (60, 90, 45),
        "standard": (70, 100, 45),
        "add_on": (15, 30, 15),
    },
    "acupuncture": {"initial": (75, 110, 60), "follow_up": (55, 85, 40)},
    "sports-massage": {"standard": (50, 85, 45)},
    "manual-therapy": {"initial": (80, 115, 60), "follow_up": (60, 90, 45)},
    "shockwave-therapy": {"standard": (60, 120, 20)},
    "exercise-rehabilitation": {"initial": (80, 110, 60), "follow_up": (55, 85, 45)},
}
DEFAULT_PRICES = {"initial": (80, 110, 60), "follow_up": (55, 85, 45)}

CLINIC_WORDS = [
    "Alder", "Birchwell", "Cobbleford", "Dovecote", "Elmstead", "Fernhollow", "Greystone",
    "Hazelmere", "Ivybridge", "Juniper", "Kestrel", "Larkspur", "Meadowgate", "Northwind",
    "Oakhaven", "Pebblebrook", "Quillfield", "Rowanberry", "Sorrel", "Thistledown", "Umberley",
    "Vervain", "Willowmere", "Yarrow", "Amberlow", "Bramblecroft", "Cinderford", "Driftwood",
]  # fmt: skip
CLINIC_KINDS = [
    "Physiotherapy", "Physio Clinic", "Sports Physio", "Movement Clinic", "Back & Joint Clinic",
    "Physiotherapy Rooms", "Musculoskeletal Clinic",
]  # fmt: skip
STREETS = [
    "High Street", "Station Road", "Church Street", "Park Road", "Victoria Road", "Mill Lane",
    "Market Place", "Kings Road", "Queens Parade", "Albert Road", "Grove Terrace", "The Broadway",
]  # fmt: skip
PARKING = [
    "", "", "Pay-and-display parking on the street outside.",
    "Two free bays behind the building; ask at reception.",
    "No parking; nearest car park 5 minutes away.",
]  # fmt: skip
FIRST_NAMES = [
    "Amelia", "Oliver", "Priya", "James", "Sofia", "Mohammed", "Chloe", "Daniel", "Aisha",
    "Thomas", "Hannah", "Kwame", "Zofia", "Lucas", "Grace", "Mateo", "Fatima", "Samuel", "Isla",
    "Arjun", "Eleanor", "Tomasz", "Niamh", "Ravi", "Leah", "Marco", "Yasmin", "Owen", "Mei",
    "Kofi", "Harriet", "Diego", "Anika", "Finn", "Layla", "Rory", "Elif", "Joseph", "Ana",
    "Callum", "Sana", "Benedict", "Ioana", "Femi", "Clara", "Hugo", "Nadia", "Patrick",
]  # fmt: skip
LAST_NAMES = [
    "Ashworth", "Brennan", "Chowdhury", "Delacroix", "Ekwueme", "Fairbairn", "Gallagher",
    "Hartigan", "Iqbal", "Jankowski", "Kapoor", "Lindqvist", "Mensah", "Nakamura", "Okafor",
    "Pemberton", "Quinlan", "Rosenthal", "Sandoval", "Thackeray", "Uddin", "Varga", "Whitlock",
    "Yilmaz", "Zielinski", "Abernethy", "Blackwood", "Castellano", "Dunmore", "Everett",
    "Fenwick", "Grimaldi", "Holloway", "Ivanova", "Jephcott", "Kowalczyk", "Larkin",
    "Montague", "Novak", "Osei", "Prendergast", "Ramaswamy", "Sinclair", "Trevelyan",
]  # fmt: skip
# What a clinic's team or a practitioner has "a particular interest in". The generator draws
# from this list by position, so its length is part of the demo's output: keep it at twelve.
SPECIALISMS = [
    "running injuries", "neck and shoulder pain", "lower back pain",
    "injuries from contact sports", "recovery after surgery", "long-standing pain",
    "aches from desk work", "dancers' injuries", "tendon problems",
    "pregnancy and postnatal care", "keeping older people active", "golf and tennis injuries",
]  # fmt: skip
CLINIC_OPENINGS = [
    "We are an independent physiotherapy clinic in {area}.",
    "An independent physiotherapy practice in {area}, run by chartered physiotherapists.",
    "A friendly, independent physiotherapy clinic in {area}.",
]


@dataclass
class ClinicPlan:
    number: int
    row: dict
    offers: list = field(default_factory=list)  # (treatment slug, session type, pence, minutes)
    hours: list = field(default_factory=list)  # (weekday, opens, closes)
    treatment_slugs: list = field(default_factory=list)


@dataclass
class PractitionerPlan:
    row: dict
    clinic_numbers: list
    treatment_slugs: list
    language_codes: list
    insurers: list  # (insurer slug, provider number)


# The letters an inward code may end with (never C, I, K, M, O or V).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _price(rng, low, high):
    """Whole pence, rounded to £5 as clinics price."""
    return rng.randrange(low, high + 1, 5) * 100


def _opening_hours(rng):
    evening = rng.random() < 0.4
    split_lunch = not evening and rng.random() < 0.15
    hours = []
    for weekday in range(5):
        if split_lunch:
            hours += [(weekday, datetime.time(9), datetime.time(13))]
            hours += [(weekday, datetime.time(14), datetime.time(18))]
        elif evening:
            hours.append((weekday, datetime.time(7, 30), datetime.time(20, 30)))
        else:
            hours.append((weekday, datetime.time(9), datetime.time(18)))
    if rng.random() < 0.5:
        hours.append((5, datetime.time(9), datetime.time(13)))
    if rng.random() < 0.1:
        hours.append((6, datetime.time(10), datetime.time(14)))
    return hours


def _in_words(items):
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(filter(None, [", ".join(items[:-1]), items[-1]]))


def _clinic_description(number, area, treatment_slugs, interest, other_interest):
    """A clinic's description as its staff might write it. `interest` and `other_interest`
    come from the clinic's own generator and may be the same draw: then the next interest in
    the list stands in, so no description names one twice. The opening comes from a
    generator of its own, leaving the clinic's draws (and so the rest of the demo) as they
    were."""
    if other_interest == interest:
        other_interest = SPECIALISMS[(SPECIALISMS.index(interest) + 1) % len(SPECIALISMS)]
    opening = random.Random(f"clinic-{number}-words").choice(CLINIC_OPENINGS)
    treatments = _in_words([slug.replace("-", " ") for slug in treatment_slugs[:3]])
    return (
        f"{opening.format(area=area['name'])} Our team has a particular interest in "
        f"{interest}, as well as {other_interest}, and offers {treatments}. Every course of "
        "treatment starts with an assessment and a plan agreed with you."
    )


def plan_clinic(number, area, outward_code, centre, treatment_slugs, today):
    """Everything about clinic `number`, drawn from its own generator."""
    rng = random.Random(f"clinic-{number}")
    word = CLINIC_WORDS[number % len(CLINIC_WORDS)]
    kind = CLINIC_KINDS[(number // len(CLINIC_WORDS)) % len(CLINIC_KINDS)]
    name = f"{word} {kind} {area['name']}"
    slug = slugify(f"{word} {kind} {area['slug']} {number}")
    offers_dry_needling = number % 3 != 2  # two clinics in three, as in London today
    others = [slug_ for slug_ in treatment_slugs if slug_ != "dry-needling"]
    chosen = rng.sample(others, k=rng.randint(1, min(4, len(others))))
    if offers_dry_needling:
        chosen = ["dry-needling", *chosen]
    offers = []
    for treatment_slug in chosen:
        sessions = PRICES.get(treatment_slug, DEFAULT_PRICES)
        for session_type, (low, high, minutes) in sessions.items():
            required = session_type in ("initial", "follow_up")
            if required or rng.random() < (0.7 if session_type == "standard" else 0.5):
                offers.append((treatment_slug, session_type, _price(rng, low, high), minutes))
    if not any(o[0] == "dry-needling" for o in offers) and offers_dry_needling:
        offers.append(("dry-needling", "add_on", _price(rng, 15, 30), 15))

    inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    latitude = round(centre[0] + rng.uniform(-0.006, 0.006), 5)
    longitude = round(centre[1] + rng.uniform(-0.009, 0.009), 5)
    confirmed = (
        today - datetime.timedelta(days=rng.randint(0, 600)) if rng.random() < 0.92 else None
    )
    verified = today - datetime.timedelta(days=rng.randint(10, 700)) if rng.random() < 0.8 else None
    interest, other_interest = rng.choice(SPECIALISMS), rng.choice(SPECIALISMS)
    row = {
        "name": name,
        "slug": slug,
        "description": _clinic_description(number, area, chosen, interest, other_interest),
        "address_line1": f"{rng.randint(1, 240)} {rng.choice(STREETS)}",
        "address_line2": rng.choice(["", "", f"Unit {rng.randint(1, 12)}", "First floor"]),
        "town": "London",
        "postcode": f"{outward_code} {inward}",
        "outward_code": outward_code,
        "latitude": latitude,
        "longitude": longitude,
        "phone": f"020 7946 0{number % 1000:03d}",
        "email": f"hello@{slug}.example",
        "website": f"https://{slug}.example/",
        "step_free_access": rng.random() < 0.6,
        "has_lift": rng.random() < 0.3,
        "accessible_toilet": rng.random() < 0.4,
        "parking": rng.choice(PARKING),
        "nearest_station": f"{area['name']} ({rng.randint(2, 12)} minutes' walk)",
        "home_visits": rng.random() < 0.2,
        "video_consultations": rng.random() < 0.45,
        "accepting_new_patients": rng.random() < 0.85,
        "is_published": rng.random() < 0.97,
        "verified_on": verified,
        "details_confirmed_on": confirmed,
    }
    row.update(_next_available(number, today) if row["accepting_new_patients"] else NOT_SAID)
    return ClinicPlan(number, row, offers, _opening_hours(rng), chosen)


NOT_SAID = {"next_available_on": None, "next_available_this_week": False,
            "next_available_set_on": None}  # fmt: skip


def _next_available(number, today):
    """When clinic `number` said it can next see a new patient, from a generator of its own
    (the rest of the clinic is drawn as before it was added): two in five clinics said it, up
    to three weeks ago, so some have lapsed (after 14 days)."""
    rng = random.Random(f"clinic-{number}-next-available")
    if rng.random() >= 0.4:
        return NOT_SAID
    said_on = today - datetime.timedelta(days=rng.randint(0, 20))
    this_week = rng.random() < 0.4
    ahead = THIS_WEEK.days if this_week else rng.randint(0, 21)
    return {
        "next_available_on": said_on + datetime.timedelta(days=ahead),
        "next_available_this_week": this_week,
        "next_available_set_on": said_on,
    }


def plan_practitioner(number, clinic_plans, insurer_slugs, language_codes, today, taken_slugs):
    """Practitioner `number`: works at one clinic, sometimes a second nearby one."""
    rng = random.Random(f"practitioner-{number}")
    home = clinic_plans[number % len(clinic_plans)]
    clinics = [home]
    if rng.random() < 0.15 and len(clinic_plans) > 1:
        clinics.append(clinic_plans[(number + rng.randint(1, 5)) % len(clinic_plans)])
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    slug = first_free(slugify(f"{first} {last}"), taken_slugs)
    taken_slugs.add(slug)
    offered = sorted({t for plan in clinics for t in plan.treatment_slugs})
    treatments = [t for t in offered if t == "dry-needling" or rng.random() < 0.7] or offered[:1]
    spoken = ["en"]
    if rng.random() < 0.35:
        spoken += rng.sample([c for c in language_codes if c != "en"], k=rng.randint(1, 2))
    insurers = [
        (slug_, f"{slug_[:3].upper()}{rng.randint(10000, 99999)}" if rng.random() < 0.5 else "")
        for slug_ in rng.sample(insurer_slugs, k=rng.randint(0, len(insurer_slugs)))
    ]
    roll = rng.random()
    gender = "female" if roll < 0.6 else "male" if roll < 0.98 else "non_binary"
    checked = today - datetime.timedelta(days=rng.randint(5, 400)) if rng.random() < 0.9 else None
    row = {
        "first_name": first,
        "last_name": last,
        "slug": slug,
        "hcpc_number": f"PH{900000 + number}",
        "hcpc_checked_on": checked,
        "is_csp_member": rng.random() < 0.85,
        "gender": gender,
        "bio": (
            f"{first} is a chartered physiotherapist with a particular interest in "
            f"{rng.choice(SPECIALISMS)}. {first} qualified {rng.randint(3, 25)} years ago and "
            f"combines hands-on treatment with exercise plans patients can follow at home."
        ),
        "is_published": rng.random() < 0.98,
    }
    return PractitionerPlan(row, [plan.number for plan in clinics], treatments, spoken, insurers)


# Reviews: fictional patients' words, chosen by the rating they gave. Each demo review stands
# for one written through an invitation whose enquiry has since been deleted.
REVIEW_TEXTS = {
    5: [
        "Explained exactly what was going on with my shoulder and gave me exercises I could "
        "actually fit into my day. Back to swimming within a month.",
        "Friendly from the first phone call. The physio took time to listen and the plan "
        "worked: my knee is better than it has been in years.",
        "Thorough assessment, clear advice and no pressure to book more sessions than I "
        "needed. I would go back without a second thought.",
        "Booked after a running injury. Sensible, practical and honest about how long it "
        "would take to heal. Highly recommended.",
    ],
    4: [
        "Good treatment and a clear explanation of my back problem. The waiting room was a "
        "little cramped, but the care itself was excellent.",
        "Helpful and knowledgeable. It took a couple of weeks to get a first appointment, "
        "but it was worth the wait.",
        "My neck pain eased after three sessions. I would have liked a printed copy of the "
        "exercises, otherwise very good.",
    ],
    3: [
        "The physio was kind and clearly knew her stuff, but appointments often started "
        "late and the sessions felt rushed.",
        "Reasonable care, though I was not sure what the plan was until I asked. Prices are "
        "on the high side for the area.",
    ],
    2: [
        "The first session was fine, but after that I saw a different person each time and "
        "had to explain everything again.",
        "Hard to get hold of: my enquiry took four days to be answered and the follow-up "
        "appointment was cancelled twice.",
    ],
    1: [
        "Nobody replied to my enquiry for over a week, and when they did the first "
        "appointment was a month away. I went elsewhere.",
    ],
}
REVIEW_RATINGS = [5, 5, 5, 5, 5, 5, 4, 4, 4, 3, 2, 1]
REVIEWER_NAMES = [
    "Sam", "Priya K.", "Tom", "Helen", "J. M.", "Adebayo", "Rosa", "Will", "Marta", "Kit",
    "Nadia", "Ollie", "Farah", "Ben", "C. L.", "Ines", "Dev", "Ruth", "Leon", "Yuki",
]  # fmt: skip
REVIEW_REPLIES = {
    "good": "Thank you for taking the time to write this: we are so glad you are back to "
    "doing what you enjoy.",
    "bad": "We are sorry to read this. We have looked at how we answer enquiries and book "
    "follow-ups; please call the clinic if you would like to talk it through.",
}


@dataclass
class ReviewPlan:
    clinic_number: int
    key: str  # stands for the invitation's token, which no demo review has
    rating: int
    aspects: tuple  # explanation, value, waiting: a rating or None each
    text: str
    author_name: str
    treatment_slug: str | None
    written_on: datetime.date
    visited_in: datetime.date | None
    reply: str


def plan_reviews(clinic_plan, today):
    """The reviews of one clinic: about four clinics in ten have some (the first two, which
    the demo's staff account keeps, always do), from one to nine, written over the last
    eighteen months; some with the clinic's reply."""
    rng = random.Random(f"reviews-{clinic_plan.number}")
    if clinic_plan.number >= 2 and rng.random() >= 0.4:
        return []
    lean = rng.choice([0, 0, 0, 1, 2])  # a few clinics earn lower ratings than most
    plans = []
    for n in range(rng.randint(1, 9)):
        rating = max(1, rng.choice(REVIEW_RATINGS) - (lean if rng.random() < 0.5 else 0))
        written_on = today - datetime.timedelta(days=rng.randint(3, 540))
        visited = written_on - datetime.timedelta(days=rng.randint(5, 40))
        reply = ""
        if rng.random() < 0.3:
            reply = REVIEW_REPLIES["good" if rating >= 4 else "bad"]
        plans.append(
            ReviewPlan(
                clinic_number=clinic_plan.number,
                key=f"demo-review-{clinic_plan.number}-{n}",
                rating=rating,
                aspects=tuple(
                    max(1, min(5, rating + rng.choice([-1, 0, 0, 1])))
                    if rng.random() < 0.6
                    else None
                    for _ in range(3)
                ),
                text=rng.choice(REVIEW_TEXTS[rating]),
                author_name=rng.choice(REVIEWER_NAMES),
                treatment_slug=rng.choice(clinic_plan.treatment_slugs)
                if rng.random() < 0.8
                else None,
                written_on=written_on,
                visited_in=visited.replace(day=1) if rng.random() < 0.9 else None,
                reply=reply,
            )
        )
    return plans
