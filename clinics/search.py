"""A search of the listings index (clinics/index.py): which clinics match a patient's choices,
in the order published on /how-results-are-ordered/, worked out in memory.

Like a QuerySet, a Search is narrowed by methods that each return a new one, and nothing is
worked out until asked (count(), ordered_rows(), practitioners(); facet counts in
clinics/facets.py). Choices are kept under their search parameters' names, so that a count
can leave one out ("how many would this give without the area?").

Two kinds of choice qualify one thing together and cannot be applied one at a time:
- price choices (max_price, price_band) are about one session of the treatment chosen (any
  treatment without one): a clinic matches when one of its prices meets them all;
- practitioner choices (insurer, gender, language) are about one published practitioner of
  the clinic, who also provides the chosen treatment.
"""

import dataclasses
import datetime
from collections.abc import Sequence
from functools import cached_property

import numpy as np
from django.conf import settings
from django.utils import timezone

from clinics import text
from clinics.geo import miles_between
from clinics.index import GENDERS, NO_PRICE, day_number
from clinics.models import Clinic, Practitioner

PRICE_CHOICES = ("max_price", "price_band")
PRACTITIONER_CHOICES = ("insurer", "gender", "language")
FEATURES = ("home_visits", "video", "step_free")
# "Available within a week": the periods a clinic's next new-patient appointment can be
# asked to fall within, in days from today.
AVAILABLE_WITHIN = {"week": 7}
# Best match: within this distance of a postcode, clinics count as equally near.
DISTANCE_BAND_MILES = 0.5
# Text scores: where a word was found, and whether as typed or despite a slip.
TEXT_WEIGHTS = {"name": 3, "area": 2, "treatment": 2, "practitioner": 2, "description": 1}


# Best match: a rating counts once this many patients have given it.
RATING_MIN_REVIEWS = 3
# The rating choices, in tenths: "4.5 and up", "4 and up", "3 and up".
RATING_CHOICES = (45, 40, 30)


class Sort:
    RELEVANCE, PRICE, DISTANCE, RATING, NAME = "relevance", "price", "distance", "rating", "name"
    CHOICES = [
        (RELEVANCE, "Best match"),
        (PRICE, "Price, lowest first"),
        (DISTANCE, "Distance, nearest first"),
        (RATING, "Patients' rating, highest first"),
        (NAME, "Name"),
    ]


@dataclasses.dataclass(frozen=True, eq=False)
class Search:
    index: object
    choices: dict = dataclasses.field(default_factory=dict)
    sort: str = Sort.RELEVANCE
    today: datetime.date = dataclasses.field(default_factory=timezone.localdate)
    # Masks already worked out for this search: facet counts ask for the same ones often.
    _memo: dict = dataclasses.field(default_factory=dict, init=False, repr=False)

    # What django-filter asks of what it narrows, as of a QuerySet.
    model = Clinic

    def all(self):
        return self

    # --- Narrowing ------------------------------------------------------------------------

    def _with(self, **choices):
        return dataclasses.replace(self, choices={**self.choices, **choices})

    def offering(self, treatment):
        return self._with(treatment=treatment)

    def for_condition(self, condition):
        return self._with(condition=condition)

    def in_area(self, area):
        return self._with(area=area)

    def near(self, outward_code):
        return self._with(postcode=outward_code)

    def taking(self, insurers):
        """Any of these insurers."""
        return self._with(insurer=list(insurers))

    def costing_at_most(self, pounds):
        return self._with(max_price=int(pounds))

    def in_price_band(self, band):
        return self._with(price_band=band)

    def with_practitioner_gender(self, gender):
        return self._with(gender=gender)

    def with_practitioner_speaking(self, language):
        return self._with(language=language)

    def open_at(self, times):
        """`times`: "evening" (a weekday closing after 6pm), "weekend" or both."""
        return self._with(open=sorted(times))

    def with_feature(self, name):
        return self._with(**{name: True})

    def available_within(self, period):
        """Clinics whose next new-patient appointment, as they last said it, is within the
        period ("week": AVAILABLE_WITHIN)."""
        return self._with(available=period)

    def rated_at_least(self, tenths):
        """Clinics rated `tenths` / 10 or more (as their rating is shown, to one decimal)."""
        return self._with(rating=tenths)

    def matching(self, words):
        return self._with(q=words) if text.terms(words) else self

    def ordered_by(self, sort):
        return dataclasses.replace(self, sort=sort)

    def without(self, *names):
        return dataclasses.replace(
            self, choices={k: v for k, v in self.choices.items() if k not in names}
        )

    # --- Matching -------------------------------------------------------------------------

    def chosen(self, name):
        return self.choices.get(name)

    @cached_property
    def listed(self):
        return self.index.listed(self.today)

    def mask(self, without=()):
        """The rows of the clinics matching every choice but those named in `without`."""
        found = self.listed.copy()
        for name in self.choices:
            if name not in without and name not in PRICE_CHOICES + PRACTITIONER_CHOICES:
                found &= self._matching(name)
        if self.has_price_choice(without):
            found &= self.priced(self.treatment_in_scope(without), without)
        if self.has_practitioner_choice(without):
            found &= self.staffed(self.treatment_in_scope(without), without)
        return found

    def _remembered(self, key, work):
        if key not in self._memo:
            self._memo[key] = work()
        return self._memo[key]

    def _matching(self, name):
        return self._remembered(("matching", name), lambda: self._work_out(name))

    def _work_out(self, name):
        index, value = self.index, self.choices[name]
        if name == "treatment":
            return index.offering[:, index.treatment_position[value.pk]]
        if name == "condition":
            helping = index.condition_treatments.get(value.pk, [])
            return index.offering[:, helping].any(axis=1)
        if name == "area":
            return index.in_areas([index.area_position[value.pk]])
        if name == "postcode":
            return self.distances <= settings.SEARCH_RADIUS_MILES
        if name == "open":
            found = np.ones(len(index.clinic_ids), dtype=bool)
            for time in value:
                found &= getattr(index, time)
            return found
        if name in FEATURES:
            return getattr(index, name)
        if name == "available":
            return self.available(value)
        if name == "q":
            return self.text_scores > 0
        if name == "rating":
            return index.rated_at_least(value)
        raise ValueError(f"Unknown choice {name!r}")

    def available(self, period):
        """Clinics available within the period (see available_within()), today."""
        return self._remembered(
            ("available", period),
            lambda: self.index.available_within(AVAILABLE_WITHIN[period], self.today),
        )

    def treatment_in_scope(self, without=()):
        return None if "treatment" in without else self.chosen("treatment")

    def has_price_choice(self, without=()):
        return any(self.chosen(n) for n in PRICE_CHOICES if n not in without)

    def has_practitioner_choice(self, without=()):
        return any(self.chosen(n) for n in PRACTITIONER_CHOICES if n not in without)

    def priced(self, treatment, without=(), band=None):
        """Clinics with a price of `treatment` (any, when None) meeting the price choices not
        in `without`, and inside `band` when given."""
        key = ("priced", treatment, frozenset(without) & set(PRICE_CHOICES), band)
        return self._remembered(key, lambda: self._priced(treatment, without, band))

    def _priced(self, treatment, without, band):
        return self.index.clinics_of(self.priced_offers(treatment, without, band))

    def priced_offers(self, treatment, without=(), band=None):
        """The offers `priced()` looks at: of `treatment` (any when None), meeting the price
        choices not in `without`, and inside `band` when given."""
        index = self.index
        offers = np.ones(len(index.offer_clinic), dtype=bool)
        if treatment is not None:
            offers &= index.offer_treatment == index.treatment_position[treatment.pk]
        if "max_price" not in without and (pounds := self.chosen("max_price")):
            offers &= index.offer_price <= pounds * 100
        bands = [band] if band is not None else []
        if "price_band" not in without and (chosen := self.chosen("price_band")):
            bands.append(chosen)
        for each in bands:
            if each.min_pence is not None:
                offers &= index.offer_price >= each.min_pence
            if each.max_pence is not None:
                offers &= index.offer_price < each.max_pence
        return offers

    def people(self, treatment, without=(), insurers=None):
        """Published practitioners meeting the practitioner choices not in `without` (with
        `insurers` in place of the chosen ones when given) who provide `treatment`."""
        key = (
            "people",
            treatment,
            frozenset(without) & set(PRACTITIONER_CHOICES),
            None if insurers is None else tuple(insurers),
        )
        return self._remembered(key, lambda: self._people(treatment, without, insurers))

    def _people(self, treatment, without, insurers):
        index = self.index
        found = np.ones(len(index.person_ids), dtype=bool)
        if treatment is not None:
            found &= index.person_treats[:, index.treatment_position[treatment.pk]]
        if "gender" not in without and (gender := self.chosen("gender")):
            found &= index.person_gender == GENDERS.index(gender) + 1
        if "language" not in without and (language := self.chosen("language")):
            found &= index.person_speaks[:, index.language_position[language.pk]]
        if insurers is None and "insurer" not in without:
            insurers = self.chosen("insurer")
        if insurers:
            positions = [index.insurer_position[i.pk] for i in insurers]
            found &= index.person_insured[:, positions].any(axis=1)
        return found

    def staffed(self, treatment, without=(), insurers=None):
        """Clinics where such a practitioner (see people()) works."""
        key = ("staffed", treatment, frozenset(without) & set(PRACTITIONER_CHOICES), insurers)
        key = (*key[:3], None if insurers is None else tuple(insurers))
        return self._remembered(
            key, lambda: self.index.clinics_linked_to(self.people(treatment, without, insurers))
        )

    @cached_property
    def matches(self):
        return self.mask()

    def count(self):
        return int(self.matches.sum())

    # --- Distance and words ---------------------------------------------------------------

    @cached_property
    def distances(self):
        """Miles from the postcode district's centre, for every row (NaN without one)."""
        code = self.chosen("postcode")
        if code is None:
            return np.full(len(self.index.clinic_ids), np.nan)
        return miles_between(
            code.latitude, code.longitude, self.index.latitude, self.index.longitude
        )

    @cached_property
    def text_scores(self):
        """How well the words match each clinic: for each word, the most it scores where it
        is found (TEXT_WEIGHTS, doubled when spelt as typed), summed; 0 when any word is
        found nowhere."""
        index = self.index
        total = np.zeros(len(index.clinic_ids), dtype=np.int32)
        for n, term in enumerate(text.terms(self.chosen("q"))):
            best = np.zeros(len(index.clinic_ids), dtype=np.int32)
            found = index.vocabulary.expand(term)
            for exact in (True, False):
                words = [word for word, as_typed in found.items() if as_typed == exact]
                if not words:
                    continue
                for place, weight in TEXT_WEIGHTS.items():
                    score = weight * (2 if exact else 1)
                    np.maximum(best, np.where(self._found_in(place, words), score, 0), out=best)
            total = best if n == 0 else np.where((best > 0) & (total > 0), total + best, 0)
            if not total.any():
                break
        return total

    def _found_in(self, place, words):
        """Clinics with any of `words` in `place`."""
        index = self.index
        rows = len(index.clinic_ids)
        if place == "name":
            return _rows_with(index.name_postings, words, rows)
        if place == "description":
            return _rows_with(index.description_postings, words, rows)
        if place == "area":
            areas = _rows_with(index.area_words, words, len(index.areas))
            return index.in_areas(np.flatnonzero(areas))
        if place == "treatment":
            treatments = _rows_with(index.treatment_words, words, len(index.treatments))
            return index.offering[:, treatments].any(axis=1)
        people = _rows_with(index.person_postings, words, len(index.person_ids))
        return index.clinics_linked_to(people)

    def spelling_suggestion(self):
        """The words typed with each slip mended where it was found in a treatment, condition
        or area name ("dry neddling" -> "dry needling"), or None when nothing was mended."""
        typed = self.chosen("q")
        if not typed:
            return None
        index = self.index
        names = {**index.treatment_words, **index.area_words}
        mended, changed = [], False
        for term in text.words(typed):
            found = index.vocabulary.expand(term) if len(term) > 1 else {}
            if not any(found.values()):
                better = sorted(w for w, exact in found.items() if not exact and w in names)
                if better:
                    term, changed = better[0], True
            mended.append(term)
        return " ".join(mended) if changed else None

    # --- Order ----------------------------------------------------------------------------

    def lowest_prices(self, rows, first_sessions=False):
        """The lowest price (in pence) of the chosen treatment, of any treatment without one,
        for a first appointment only when asked (an initial assessment or a standard
        session), at the clinics in `rows`; NO_PRICE where there is none."""
        index = self.index
        treatment = self.chosen("treatment")
        column = index.treatment_position[treatment.pk] if treatment else -1
        table = index.lowest_first_price if first_sessions else index.lowest_price
        return table[rows, column]

    def sort_keys(self, rows):
        """The keys the clinics in `rows` are ordered by, most important first (published on
        /how-results-are-ordered/, templates/directory/how_results_are_ordered.html)."""
        index = self.index
        keys = [index.stale(self.today)[rows]]
        near = self.chosen("postcode") is not None
        if self.sort == Sort.RELEVANCE:
            if self.chosen("q"):
                keys.append(-self.text_scores[rows])
            if near:
                keys.append(np.floor(self.distances[rows] / DISTANCE_BAND_MILES))
            keys += [
                -index.completeness[rows],
                reply_bands(index.reply_hours[rows]),
                rating_bands(index.rating_tenths[rows], index.review_count[rows]),
                (day_number(self.today) - index.confirmed[rows]) // 30,
            ]
        elif self.sort == Sort.PRICE:
            keys.append(self.lowest_prices(rows))
        elif self.sort == Sort.DISTANCE and near:
            keys.append(self.distances[rows])
        elif self.sort == Sort.RATING:
            # Highest rating as shown first, then more reviews; clinics without one last.
            keys += [-index.rating_tenths[rows], -index.review_count[rows]]
        keys.append(index.name_rank[rows])
        return keys

    def ordered_rows(self):
        """The matching clinics' rows, in order."""
        rows = np.flatnonzero(self.matches)
        return rows[np.lexsort(self.sort_keys(rows)[::-1])]

    def practitioners(self):
        """The published practitioners at the matching clinics who meet the practitioner
        choices and provide the chosen treatment: their rows, in name order."""
        index = self.index
        people = self.people(self.chosen("treatment"))
        links = people[index.link_person] & self.matches[index.link_clinic]
        found = np.unique(index.link_person[links])
        return found[np.argsort(index.person_rank[found], kind="stable")]


def reply_bands(hours):
    """0: replies within a day; 1: within three days; 2: slower, or not known yet."""
    bands = np.full(len(hours), 2, dtype=np.int8)
    bands[hours <= 72] = 1
    bands[hours <= 24] = 0
    return bands


def rating_bands(tenths, counts):
    """0: rated 4 or more by at least RATING_MIN_REVIEWS patients; 2: rated below 3 by at
    least as many; 1: the rest, and clinics with fewer reviews or none."""
    bands = np.ones(len(tenths), dtype=np.int8)
    enough = counts >= RATING_MIN_REVIEWS
    bands[enough & (tenths >= 40)] = 0
    bands[enough & (tenths < 30)] = 2
    return bands


def _rows_with(postings, words, size):
    """A mask of the rows any of `words` has, from {word: rows} postings."""
    found = np.zeros(size, dtype=bool)
    for word in words:
        rows = postings.get(word)
        if rows is not None:
            found[rows] = True
    return found


class ResultList(Sequence):
    """Ordered results as Paginator wants them: counted from the index, and only the page
    shown read from the database, by `fetch(ids)` ({id: object}), in the index's order."""

    def __init__(self, ids, fetch):
        self.ids, self.fetch = ids, fetch

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, key):
        ids = self.ids[key]
        if not isinstance(key, slice):
            return self.fetch([ids])[ids]
        found = self.fetch(ids)
        return [found[pk] for pk in ids if pk in found]


def clinic_results(search):
    """The matching clinics in order, each page read as listing_cards() reads them."""
    rows = search.ordered_rows()
    return ResultList(
        search.index.clinic_ids[rows].tolist(), lambda ids: listing_cards(search, ids)
    )


def listing_cards(search, ids):
    """{id: clinic} for these published clinics, read with what a result card shows
    (Clinic.objects.for_listing()) and given what the search knows of each: its distance,
    whether it is stale, whether its practitioners' registrations were checked, and its
    lowest price for a first appointment (of the chosen treatment, any without one)."""
    index = search.index
    found = {clinic.pk: clinic for clinic in Clinic.objects.filter(pk__in=ids).for_listing()}
    found = {pk: clinic for pk, clinic in found.items() if pk in index.clinic_row}
    rows = [index.clinic_row[pk] for pk in found]
    stale = index.stale(search.today)[rows]
    from_prices = search.lowest_prices(rows, first_sessions=True)
    for clinic, row, is_stale, price in zip(found.values(), rows, stale, from_prices, strict=True):
        clinic.is_stale = bool(is_stale)
        clinic.hcpc_checked = bool(index.hcpc_checked[row])
        distance = search.distances[row]
        clinic.distance = None if np.isnan(distance) else float(distance)
        clinic.from_price = None if price == NO_PRICE else int(price)
        clinic.rating = index.rating(row)
    return found


def practitioner_results(search):
    """The practitioners at the matching clinics who meet the choices, in name order, each
    page read with their clinics and insurers."""
    index = search.index

    def fetch(ids):
        return {p.pk: p for p in Practitioner.objects.filter(pk__in=ids).for_search_card()}

    return ResultList(index.person_ids[search.practitioners()].tolist(), fetch)
