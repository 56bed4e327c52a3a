"""The search written the plain way: every listed clinic read with the ORM, each choice a
question asked of one clinic at a time, each facet count the number of results its option
would give. Slow, and obviously what the product promises; the listings index's search
(clinics/search.py) is held to it by tests/test_search_differential.py.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from rapidfuzz.distance import DamerauLevenshtein

from clinics import text
from clinics.models import (
    Area,
    Clinic,
    Insurer,
    InsurerRecognition,
    Practitioner,
    PriceBand,
    months_ago,
)
from treatments.models import Condition, Treatment

FLAGS = {
    "home_visits": "home_visits",
    "video": "video_consultations",
    "step_free": "step_free_access",
}
AVAILABLE_DAYS = {"week": 7}
HELPING = {}  # condition id: the ids of the treatments that help it
WEIGHTS = {"name": 3, "area": 2, "treatment": 2, "practitioner": 2, "description": 1}


@dataclass
class Listing:
    """One listed clinic, as the reference reads it."""

    clinic: Clinic
    name_rank: int
    areas: set  # its area and every area around it
    offers: list  # (treatment id, session type, pence)
    evening: bool
    weekend: bool
    people: list  # published practitioners, with .treatment_ids, .language_ids, .insurer_ids
    words: dict = field(default_factory=dict)  # place: set of words
    completeness: int = 0
    reply_band: int = 2
    ratings: list = field(default_factory=list)  # the overall ratings of published reviews
    scores: dict = field(default_factory=dict)

    @property
    def average(self):
        """The average rating as shown: to one decimal, halves rounded up; None without one."""
        if not self.ratings:
            return None
        exact = Decimal(sum(self.ratings)) / Decimal(len(self.ratings))
        return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def load():
    """Every listed clinic with everything the search asks of it."""
    HELPING.clear()
    areas = {a.pk: a for a in Area.objects.all()}
    treatments = {t.pk: t for t in Treatment.objects.all()}
    conditions = list(Condition.objects.published().prefetch_related("treatments"))
    published_treatments = {pk for pk, t in treatments.items() if t.is_published}
    people = Practitioner.objects.published().prefetch_related(
        "treatments",
        "languages",
        Prefetch("insurer_recognitions", queryset=InsurerRecognition.objects.all()),
    )
    clinics = Clinic.objects.listed().prefetch_related(
        "offers", "opening_hours", "photos", Prefetch("practitioners", queryset=people)
    )
    order = {
        pk: n
        for n, pk in enumerate(Clinic.objects.order_by("name", "pk").values_list("pk", flat=True))
    }
    listings = []
    for clinic in clinics:
        around, area = set(), areas[clinic.area_id]
        while area is not None:
            around.add(area.pk)
            area = areas.get(area.parent_id)
        staff = list(clinic.practitioners.all())
        for person in staff:
            person.treatment_ids = {t.pk for t in person.treatments.all()}
            person.language_ids = {lang.pk for lang in person.languages.all()}
            person.insurer_ids = {r.insurer_id for r in person.insurer_recognitions.all()}
        hours = list(clinic.opening_hours.all())
        offers = [(o.treatment_id, o.session_type, o.price_pence) for o in clinic.offers.all()]
        offered = {t for t, _, _ in offers} & published_treatments
        treatment_words = {w for t in offered for w in text.words(treatments[t].name)}
        treatment_words |= {
            w
            for condition in conditions
            if {t.pk for t in condition.treatments.all()} & offered
            for w in text.words(condition.name)
        }
        listing = Listing(
            clinic=clinic,
            name_rank=order[clinic.pk],
            areas=around,
            offers=offers,
            evening=any(h.weekday <= 4 and h.closes > datetime.time(18) for h in hours),
            weekend=any(h.weekday >= 5 for h in hours),
            people=staff,
            words={
                "name": set(text.words(clinic.name)),
                "description": set(text.words(clinic.description)),
                "area": {w for pk in around for w in text.words(areas[pk].name)},
                "treatment": treatment_words,
                "practitioner": {
                    w for p in staff for w in text.words(f"{p.first_name} {p.last_name}")
                },
            },
        )
        listing.completeness = sum(done for _, done, _ in clinic.checklist())
        reply = clinic.enquiries.typical_response_time()
        if reply is not None:
            hours_taken = reply.total_seconds() / 3600
            listing.reply_band = 0 if hours_taken <= 24 else 1 if hours_taken <= 72 else 2
        listing.ratings = list(clinic.reviews.published().values_list("rating", flat=True))
        listings.append(listing)
    return listings


def slips(term):
    return text.slips_allowed(term)


def word_match(term, word):
    """2 when `word` is `term` as typed (or begins with it, from three letters), 1 when it is
    a slip or two away, 0 otherwise."""
    if word == term or (len(term) >= text.MIN_PREFIX_LENGTH and word.startswith(term)):
        return 2
    allowed = slips(term)
    if allowed and abs(len(word) - len(term)) <= allowed:
        return 1 if DamerauLevenshtein.distance(term, word) <= allowed else 0
    return 0


def text_score(listing, q):
    """How well the words match the listing (remembered: every facet count asks again)."""
    key = (listing.clinic.pk, q)
    if key not in listing.scores:
        listing.scores[key] = _text_score(listing, q)
    return listing.scores[key]


def _text_score(listing, q):
    total = 0
    for term in text.terms(q):
        best = max(
            WEIGHTS[place] * max((word_match(term, w) for w in words), default=0)
            for place, words in listing.words.items()
        )
        if not best:
            return 0
        total += best
    return total


def distance(listing, code):
    north = (listing.clinic.latitude - code.latitude) * 69.05
    east = (
        (listing.clinic.longitude - code.longitude) * 69.05 * math.cos(math.radians(code.latitude))
    )
    return math.sqrt(north * north + east * east)


def priced(listing, treatment, max_price, band):
    return any(
        (treatment is None or t == treatment.pk)
        and (max_price is None or p <= max_price * 100)
        and (band is None or band.contains(p))
        for t, _, p in listing.offers
    )


def staffed(listing, treatment, gender, language, insurers):
    return any(
        (treatment is None or treatment.pk in person.treatment_ids)
        and (not gender or person.gender == gender)
        and (language is None or language.pk in person.language_ids)
        and (not insurers or person.insurer_ids & {i.pk for i in insurers})
        for person in listing.people
    )


def available(clinic, period):
    """Whether the clinic's next new-patient appointment, as it stands today, is within the
    period: the model's own rule."""
    said = clinic.next_available()
    return bool(said and said.within(AVAILABLE_DAYS[period]))


def matches(listing, choices):
    """Whether one listed clinic matches every choice."""
    c = choices
    treatment = c.get("treatment")
    if treatment and not any(t == treatment.pk for t, _, _ in listing.offers):
        return False
    if condition := c.get("condition"):
        if condition.pk not in HELPING:
            HELPING[condition.pk] = {t.pk for t in condition.treatments.all()}
        helping = HELPING[condition.pk]
        if not any(t in helping for t, _, _ in listing.offers):
            return False
    if (area := c.get("area")) and area.pk not in listing.areas:
        return False
    if (code := c.get("postcode")) and distance(listing, code) > settings.SEARCH_RADIUS_MILES:
        return False
    for time in c.get("open", []):
        if not getattr(listing, time):
            return False
    flags = {
        "home_visits": "home_visits",
        "video": "video_consultations",
        "step_free": "step_free_access",
    }
    for choice, attribute in flags.items():
        if c.get(choice) and not getattr(listing.clinic, attribute):
            return False
    if (period := c.get("available")) and not available(listing.clinic, period):
        return False
    if c.get("q") and text.terms(c["q"]) and not text_score(listing, c["q"]):
        return False
    if c.get("rating") and (listing.average is None or listing.average < Decimal(c["rating"])):
        return False
    if (c.get("max_price") or c.get("price_band")) and not priced(
        listing, treatment, c.get("max_price"), c.get("price_band")
    ):
        return False
    people_chosen = c.get("gender") or c.get("language") or c.get("insurer")
    return not people_chosen or staffed(
        listing, treatment, c.get("gender"), c.get("language"), c.get("insurer")
    )


def sort_key(listing, choices, sort, today):
    stale = listing.clinic.confirmed < months_ago(settings.LISTING_STALE_AFTER_MONTHS, today)
    near = choices.get("postcode")
    key = [stale]
    if sort == "relevance":
        if choices.get("q") and text.terms(choices["q"]):
            key.append(-text_score(listing, choices["q"]))
        if near:
            key.append(math.floor(distance(listing, near) / 0.5))
        key += [
            -listing.completeness,
            listing.reply_band,
            rating_band(listing),
            (today - listing.clinic.confirmed).days // 30,
        ]
    elif sort == "price":
        treatment = choices.get("treatment")
        prices = [p for t, _, p in listing.offers if treatment is None or t == treatment.pk]
        key.append(min(prices) if prices else math.inf)
    elif sort == "distance" and near:
        key.append(distance(listing, near))
    elif sort == "rating":
        key += [-listing.average if listing.ratings else math.inf, -len(listing.ratings)]
    key.append(listing.name_rank)
    return key


def rating_band(listing):
    """Best match: rated 4 or more by at least three patients first; below 3 by at least
    three last; everyone else between."""
    if len(listing.ratings) >= 3:
        if listing.average >= 4:
            return 0
        if listing.average < 3:
            return 2
    return 1


def search(listings, choices, sort="relevance", today=None):
    """The ids of the clinics matching `choices`, in order."""
    today = today or timezone.localdate()
    found = [listing for listing in listings if matches(listing, choices)]
    found.sort(key=lambda listing: sort_key(listing, choices, sort, today))
    return [listing.clinic.pk for listing in found]


def count(listings, choices):
    return sum(matches(listing, choices) for listing in listings)


def facet_counts(listings, choices, areas):
    """Each option's count: how many clinics the search finds with that option chosen in place
    of the current one (for yes/no choices: ticked as well), every other choice kept."""

    def given(**changes):
        return count(listings, {**choices, **changes})

    return {
        "treatment": {t.pk: given(treatment=t) for t in Treatment.objects.published()},
        "insurer": {i.pk: given(insurer=[i]) for i in Insurer.objects.all()},
        "price_band": {b.pk: given(price_band=b) for b in PriceBand.objects.all()},
        "area": {a.pk: given(area=a) for a in areas},
        "open": {
            time: given(open=sorted({*choices.get("open", []), time}))
            for time in ("evening", "weekend")
        },
        **{flag: given(**{flag: True}) for flag in ("home_visits", "video", "step_free")},
        "available": {period: given(available=period) for period in AVAILABLE_DAYS},
        "rating": {rating: given(rating=rating) for rating in ("4.5", "4", "3")},
        "total": count(listings, choices),
    }
