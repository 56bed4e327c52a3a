"""The listings index: what the search filters, counts and orders on, held in each process's
memory as NumPy arrays, so that a search with all its facet counts takes a few milliseconds
at national scale (10,000 clinics, 60,000 practitioners), on SQLite as on PostgreSQL, with no
cache of pages or figures.

What it holds: a row for each published clinic (whether it is listed depends on the day, so
that is decided when searching, from the date it was last confirmed; so is whether its next
new-patient appointment is within a week) with its area, place, yes/no features, place in
name order, how complete the listing is, whether its practitioners' registrations were
checked, how fast the clinic replies, and what its patients rated it (the sum and count of its
published reviews' overall ratings, and the day of the latest); its offers' prices; its links
to published practitioners, each with their gender, languages, treatments and insurers; the
words free text finds it by; and the lists a search chooses from (treatments, conditions,
areas, insurers, languages, price bands, postcode districts).

How it stays true, on every instance at once: every change to what it holds records, in the
same transaction, which clinics it touched (ListingChange), under a new ListingsVersion
number (record_change(), called from the models' signals: clinics/signals.py). Each use of
the index first reads that number, one small query; when it has moved, the changes since
are read and only those clinics reloaded (everything, after a change to a reference list).
The version row is updated before the change itself (pre_save, pre_delete), and its row lock
is held until commit: writing transactions take their numbers in commit order, so a process
that has read number n has missed no change numbered n or less. A number is also recorded
with a random token, so that a process which saw a number that was then rolled back (only
possible inside the transaction that wrote it, as in tests) notices and rebuilds.

A full build reads nineteen queries' worth of rows (1-2 s at national scale); each
worker builds its index when it starts (ops/gunicorn.conf.py) and again every
INDEX_REBUILD_SECONDS, so that what no signal announces (the 90-day window of reply times)
moves on too.
"""

import dataclasses
import datetime
import secrets
import threading
import time

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extract

from clinics import text
from clinics.models import (
    FIRST_SESSION_TYPES,
    NEXT_AVAILABLE_LIFETIME,
    SESSION_ORDER,
    Area,
    Clinic,
    ClinicPhoto,
    Enquiry,
    Insurer,
    InsurerRecognition,
    Language,
    ListingChange,
    ListingsVersion,
    Offer,
    OpeningHours,
    OutwardCode,
    Practitioner,
    PriceBand,
    RatingSummary,
    Review,
)
from treatments.models import Condition, Treatment, TreatmentCondition, months_ago

# What a search can choose from and every listing is described by, loaded whole by
# _load_reference(): a change to any of them rebuilds the index (clinics/signals.py).
REFERENCE_MODELS = (
    Area, OutwardCode, Insurer, Language, PriceBand, Treatment, Condition, TreatmentCondition,
)  # fmt: skip
EVENING_STARTS = datetime.time(18, 0)
GENDERS = [value for value, _ in Practitioner.Gender.choices]
FIRST_SESSIONS = [SESSION_ORDER.index(session_type) for session_type in FIRST_SESSION_TYPES]
NO_PRICE = np.iinfo(np.int64).max
# Rows of ListingChange older than this are pruned; a process further behind rebuilds whole.
CHANGES_KEPT = datetime.timedelta(days=1)
REPLY_WINDOW = datetime.timedelta(days=90)


def day_number(date):
    return date.toordinal()


@dataclasses.dataclass
class Choices:
    """The lists a search chooses from, as model instances for forms and templates."""

    treatments: list  # published, by name
    conditions: list  # published, by name
    areas: list  # by name
    insurers: list
    languages: list
    price_bands: list
    outward_codes: dict  # code -> OutwardCode (with its area), London's and beyond


class ListingsIndex:
    """One consistent snapshot. Never changed once made: an update makes a new one (sharing
    what did not change), so a search in progress on another thread keeps its own."""

    # --- Building -------------------------------------------------------------------------

    @classmethod
    def build(cls, version=None):
        """Everything, from the database. The version ((number, token), read here unless the
        caller just did) comes first: a change committed while the rows are read is applied
        again at the next sync, which does no harm."""
        index = cls()
        index.version, index.token = version or _current_version()
        index.built_at = time.monotonic()
        index._load_reference()
        index._set_clinics(_ClinicRows.load(index, None))
        return index

    def _load_reference(self):
        treatments = list(Treatment.objects.order_by("name", "pk"))
        self.treatments = treatments
        self.treatment_position = {t.pk: i for i, t in enumerate(treatments)}
        conditions = list(Condition.objects.published().order_by("name", "pk"))
        helps = {}
        for treatment_id, condition_id in TreatmentCondition.objects.values_list(
            "treatment_id", "condition_id"
        ):
            helps.setdefault(condition_id, []).append(self.treatment_position[treatment_id])
        self.condition_treatments = {c.pk: sorted(helps.get(c.pk, [])) for c in conditions}
        areas = list(Area.objects.order_by("name", "pk"))
        self.areas = areas
        self.area_names = {_place(area.name): area for area in areas}
        self.area_position = {a.pk: i for i, a in enumerate(areas)}
        parents = np.array([self.area_position.get(a.parent_id, -1) for a in areas], dtype=np.int32)
        self.area_parent = parents
        # inside[a, b]: area b is area a or lies inside it (areas nest three deep).
        inside = np.eye(len(areas), dtype=bool)
        for b in range(len(areas)):
            a = parents[b]
            while a >= 0:
                inside[a, b] = True
                a = parents[a]
        self.inside = inside
        self.area_region = np.array([self._region_of(b) for b in range(len(areas))], dtype=np.int32)
        self.insurers = list(Insurer.objects.order_by("name", "pk"))
        self.insurer_position = {i.pk: n for n, i in enumerate(self.insurers)}
        self.languages = list(Language.objects.order_by("name", "pk"))
        self.language_position = {lang.pk: n for n, lang in enumerate(self.languages)}
        self.choices = Choices(
            treatments=[t for t in treatments if t.is_published],
            conditions=conditions,
            areas=areas,
            insurers=self.insurers,
            languages=self.languages,
            price_bands=list(PriceBand.objects.all()),
            outward_codes={code.code: code for code in OutwardCode.objects.select_related("area")},
        )
        # Words of the reference lists, for free text and its suggestions.
        self.area_words = _postings(
            (position, text.words(area.name)) for position, area in enumerate(areas)
        )
        names = {c.pk: c.name for c in conditions}
        treatment_texts = {
            self.treatment_position[t.pk]: [t.name] for t in treatments if t.is_published
        }
        for condition_id, positions in self.condition_treatments.items():
            for position in positions:
                if position in treatment_texts:
                    treatment_texts[position].append(names[condition_id])
        self.treatment_words = _postings(
            (position, [w for name in texts for w in text.words(name)])
            for position, texts in treatment_texts.items()
        )

    def _region_of(self, area):
        while self.area_parent[area] >= 0:
            area = self.area_parent[area]
        return area

    def _set_clinics(self, rows):
        """Take every clinic-level array from freshly loaded rows."""
        for name, value in rows.arrays.items():
            setattr(self, name, value)
        self.clinic_row = {pk: row for row, pk in enumerate(rows.arrays["clinic_ids"].tolist())}
        self.person_row = {pk: row for row, pk in enumerate(rows.arrays["person_ids"].tolist())}
        self.clinic_words = rows.clinic_words
        self.person_words = rows.person_words
        self.clinic_names = rows.names
        self.person_names = rows.person_names
        self.name_postings = _postings(
            (row, names) for row, (names, _) in self.clinic_words.items()
        )
        self.description_postings = _postings(
            (row, described) for row, (_, described) in self.clinic_words.items()
        )
        self.person_postings = _postings(self.person_words.items())
        self.vocabulary = text.Vocabulary(
            [
                *self.name_postings,
                *self.description_postings,
                *self.person_postings,
                *self.area_words,
                *self.treatment_words,
            ]
        )
        self._derive()

    def _derive(self):
        """Arrays worked out from the others, after any change."""
        # Each clinic's average rating in tenths as RatingSummary shows it (-1 without one).
        count = self.review_count.astype(np.int64)
        self.rating_tenths = np.where(
            count > 0, (20 * self.rating_total + count) // (2 * np.maximum(count, 1)), -1
        )
        # Column by column (treatment by treatment, insurer by insurer) is how facets read
        # these tables: stored a column at a time (Fortran order) so that each is contiguous.
        offering = np.zeros((len(self.clinic_ids), len(self.treatments)), dtype=bool, order="F")
        offering[self.offer_clinic, self.offer_treatment] = True
        self.offering = offering
        self.link_insured = np.asfortranarray(self.person_insured[self.link_person])
        self.link_treats = np.asfortranarray(self.person_treats[self.link_person])
        # Each clinic's lowest price by treatment (the last column: of any treatment), of
        # any session and of a first appointment: for sorting by price and for the cards.
        shape = (len(self.clinic_ids), len(self.treatments) + 1)
        first = np.isin(self.offer_session, FIRST_SESSIONS)
        for name, offers in (("lowest_price", slice(None)), ("lowest_first_price", first)):
            table = np.full(shape, NO_PRICE, dtype=np.int64)
            clinics, prices = self.offer_clinic[offers], self.offer_price[offers]
            np.minimum.at(table, (clinics, self.offer_treatment[offers]), prices)
            np.minimum.at(table[:, -1], clinics, prices)
            setattr(self, name, table)

    # --- Updating -------------------------------------------------------------------------

    def updated(self, version, token, clinic_ids):
        """A new index with the given clinics reloaded (or gone, when no longer published)."""
        index = ListingsIndex.__new__(ListingsIndex)
        index.__dict__.update(self.__dict__)
        index.version, index.token = version, token
        if clinic_ids:
            index._merge(_ClinicRows.load(self, sorted(clinic_ids)), clinic_ids)
        return index

    def _merge(self, fresh, clinic_ids):
        arrays = fresh.arrays
        fresh_ids = arrays["clinic_ids"].tolist()
        clinic_row = dict(self.clinic_row)
        for pk in fresh_ids:
            clinic_row.setdefault(pk, len(clinic_row))
        count = len(clinic_row)
        # Where each fresh clinic goes (its old row, or a new one at the end) ...
        target = np.array([clinic_row[pk] for pk in fresh_ids], dtype=np.int64)
        # ... and every row a changed clinic had: all are dropped, then the fresh written.
        changed = np.zeros(count, dtype=bool)
        changed[[clinic_row[pk] for pk in clinic_ids if pk in clinic_row]] = True

        for name in _ClinicRows.CLINIC_COLUMNS:
            column = _grown(getattr(self, name), count)
            if name == "name_rank":
                column[len(self.name_rank) :] = np.iinfo(np.int32).max
            elif name == "present":
                column[changed] = False
                column[target] = True
            else:
                column[target] = arrays[name]
            setattr(self, name, column)
        self.clinic_row = clinic_row

        person_row = dict(self.person_row)
        fresh_people = arrays["person_ids"].tolist()
        for pk in fresh_people:
            person_row.setdefault(pk, len(person_row))
        people = np.array([person_row[pk] for pk in fresh_people], dtype=np.int64)
        for name in _ClinicRows.PERSON_COLUMNS:
            column = _grown(getattr(self, name), len(person_row))
            if name == "person_rank":
                column[len(self.person_rank) :] = np.iinfo(np.int32).max
            else:
                column[people] = arrays[name]
            setattr(self, name, column)
        self.person_row = person_row

        # Offers and links: the changed clinics' old ones dropped, the fresh ones added, their
        # clinic and person numbers translated from the fresh rows' to this index's.
        translate = {"_clinic": target, "_person": people}
        for columns in _ClinicRows.CHILD_TABLES.values():
            keep = ~changed[getattr(self, columns[0])]
            for name in columns:
                added = arrays[name]
                for suffix, to in translate.items():
                    if name.endswith(suffix):
                        added = to[added].astype(np.int32)
                setattr(self, name, np.concatenate([getattr(self, name)[keep], added]))

        # Words: the changed clinics' and people's replaced.
        changed_rows = set(np.flatnonzero(changed).tolist())
        old_words = {r: self.clinic_words[r] for r in changed_rows if r in self.clinic_words}
        clinic_words = {r: w for r, w in self.clinic_words.items() if r not in changed_rows}
        for fresh_row, words in fresh.clinic_words.items():
            clinic_words[int(target[fresh_row])] = words
        new_clinic_words = {r: clinic_words[r] for r in changed_rows if r in clinic_words}
        self.clinic_words = clinic_words
        self.name_postings = _repost(
            self.name_postings,
            {r: w[0] for r, w in old_words.items()},
            {r: w[0] for r, w in new_clinic_words.items()},
        )
        self.description_postings = _repost(
            self.description_postings,
            {r: w[1] for r, w in old_words.items()},
            {r: w[1] for r, w in new_clinic_words.items()},
        )
        changed_people = [int(row) for row in people]
        old_person_words = {
            r: self.person_words[r] for r in changed_people if r in self.person_words
        }
        person_words = dict(self.person_words)
        for fresh_row, words in fresh.person_words.items():
            person_words[int(people[fresh_row])] = words
        self.person_words = person_words
        self.person_postings = _repost(
            self.person_postings,
            old_person_words,
            {r: person_words[r] for r in changed_people},
        )
        new_words = [
            w for names, described in fresh.clinic_words.values() for w in names + described
        ]
        new_words += [w for words in fresh.person_words.values() for w in words]
        self.vocabulary = self.vocabulary | new_words

        # Name order: asked of the database again only when a name may have moved.
        if any(self.clinic_names.get(pk) != name for pk, name in fresh.names.items()):
            self.clinic_names = {**self.clinic_names, **fresh.names}
            self.name_rank = _ranks(
                Clinic.objects.published().order_by("name", "pk"), self.clinic_row, count
            )
        if any(self.person_names.get(pk) != n for pk, n in fresh.person_names.items()):
            self.person_names = {**self.person_names, **fresh.person_names}
            self.person_rank = _ranks(
                Practitioner.objects.published().order_by("last_name", "first_name", "pk"),
                self.person_row,
                len(person_row),
            )
        self._derive()

    # --- Reading --------------------------------------------------------------------------

    def area_named(self, typed):
        """The area whose name is typed, in any case, with "&" for "and" ("Kensington &
        Chelsea"), allowing a slip or two ("clapam"); None when no one area is meant."""
        folded = _place(typed)
        if not folded:
            return None
        if folded in self.area_names:
            return self.area_names[folded]
        close = extract(
            folded,
            list(self.area_names),
            scorer=DamerauLevenshtein.distance,
            score_cutoff=text.slips_allowed(folded),
            limit=2,
        )
        if len(close) == 1 or (len(close) == 2 and close[0][1] < close[1][1]):
            return self.area_names[close[0][0]]
        return None

    def areas_named_like(self, typed, limit=5):
        """The areas whose names are closest to what was typed, closest first: what to offer
        when area_named() finds none ("Clpahm")."""
        folded = _place(typed)
        if not folded:
            return []
        close = extract(
            folded, list(self.area_names), scorer=fuzz.ratio, score_cutoff=60, limit=limit
        )
        return [self.area_names[name] for name, _, _ in close]

    def most_offered(self, clinic_ids):
        """The published treatment most of these clinics offer (the first by name of those
        offered equally often), or None when they offer none."""
        rows = [self.clinic_row[pk] for pk in clinic_ids if pk in self.clinic_row]
        treatments = self.choices.treatments
        columns = [self.treatment_position[t.pk] for t in treatments]
        offered = self.offering[np.ix_(rows, columns)].sum(axis=0)
        return treatments[int(offered.argmax())] if offered.any() else None

    def reply_time(self, clinic_id):
        """The clinic's typical reply time (see _reply_hours()), or None."""
        hours = self.reply_hours[self.clinic_row[clinic_id]]
        return None if np.isnan(hours) else datetime.timedelta(hours=float(hours))

    def listed(self, today=None):
        """Published clinics confirmed (or, never confirmed, created) within
        LISTING_HIDDEN_AFTER_MONTHS: Clinic.objects.listed(), as a mask of rows."""
        cutoff = day_number(months_ago(settings.LISTING_HIDDEN_AFTER_MONTHS, today))
        return self.present & (self.confirmed >= cutoff)

    def stale(self, today=None):
        cutoff = day_number(months_ago(settings.LISTING_STALE_AFTER_MONTHS, today))
        return self.confirmed < cutoff

    def available_within(self, days, today=None):
        """Clinics whose word on their next new-patient appointment holds today and puts it
        within `days` days: where Clinic.next_available(today).within(days), the rule as
        written there, as a mask. (A day not given is 0 here, long past.)"""
        today = day_number(today or timezone.localdate())
        return (
            self.accepting
            & (self.next_available_on >= today)
            & (self.next_available_set_on + NEXT_AVAILABLE_LIFETIME.days > today)
            & (self.next_available_on <= today + days)
        )

    def rated_at_least(self, tenths):
        """Clinics whose average rating, as shown (to one decimal), is `tenths` / 10 or more."""
        return self.rating_tenths >= tenths

    def rating(self, row):
        """A clinic's RatingSummary (empty without a published review)."""
        count = int(self.review_count[row])
        latest = datetime.date.fromordinal(int(self.latest_review[row])) if count else None
        return RatingSummary(int(self.rating_total[row]), count, latest)

    def clinics_of(self, offers):
        """A clinic mask from an offer mask."""
        found = np.zeros(len(self.clinic_ids), dtype=bool)
        found[self.offer_clinic[offers]] = True
        return found

    def clinics_linked_to(self, people):
        """A clinic mask from a person mask: the clinics those practitioners work at."""
        found = np.zeros(len(self.clinic_ids), dtype=bool)
        found[self.link_clinic[people[self.link_person]]] = True
        return found

    def in_areas(self, area_positions):
        """Clinics in any of these areas or in the areas inside them."""
        inside = self.inside[area_positions].any(axis=0) if len(area_positions) else None
        if inside is None:
            return np.zeros(len(self.clinic_ids), dtype=bool)
        return inside[self.clinic_area]


def _place(name):
    """A place's name as area_named() compares it: its words, folded, "&" read as "and"."""
    return " ".join(text.words(name.replace("&", " and ")))


def _postings(pairs):
    """{word: sorted array of the rows that have it} from (row, words) pairs."""
    found = {}
    for row, words in pairs:
        for word in set(words):
            found.setdefault(word, []).append(row)
    return {word: np.array(sorted(rows), dtype=np.int32) for word, rows in found.items()}


def _repost(postings, old_words, new_words):
    """Postings with some rows' words changed from `old_words` to `new_words` ({row: words})."""
    updated = dict(postings)
    changed = np.array(sorted(set(old_words) | set(new_words)), dtype=np.int32)
    for word in {w for words in old_words.values() for w in words}:
        updated[word] = np.setdiff1d(updated[word], changed, assume_unique=True)
    for word, rows in _postings(new_words.items()).items():
        updated[word] = np.union1d(updated.get(word, rows[:0]), rows).astype(np.int32)
    return {word: rows for word, rows in updated.items() if len(rows)}


def _ranks(ordered, row_of, count):
    """Each row's place in the database's own order (its collation decides names)."""
    ranks = np.full(count, np.iinfo(np.int32).max, dtype=np.int32)
    for place, pk in enumerate(ordered.values_list("pk", flat=True).iterator(chunk_size=5000)):
        row = row_of.get(pk)
        if row is not None:
            ranks[row] = place
    return ranks


class _ClinicRows:
    """The rows of some clinics (all published ones, or those named), read in one go and
    shaped as the index's arrays, with clinic and person numbers counted from 0 here."""

    CLINIC_COLUMNS = [
        "clinic_ids", "present", "confirmed", "clinic_area", "latitude", "longitude",
        "home_visits", "video", "step_free", "evening", "weekend", "completeness",
        "hcpc_checked", "reply_hours", "name_rank", "accepting", "next_available_on",
        "next_available_set_on", "rating_total", "review_count", "latest_review",
    ]  # fmt: skip
    PERSON_COLUMNS = [
        "person_ids", "person_gender", "person_checked", "person_treats", "person_speaks",
        "person_insured", "person_rank",
    ]  # fmt: skip
    CHILD_TABLES = {
        "offers": ["offer_clinic", "offer_treatment", "offer_session", "offer_price"],
        "links": ["link_clinic", "link_person"],
    }

    @classmethod
    def load(cls, index, clinic_ids):
        rows = cls()
        rows.index = index
        rows.read(clinic_ids)
        return rows

    def read(self, clinic_ids):
        index = self.index
        clinics = Clinic.objects.published()
        if clinic_ids is not None:
            clinics = clinics.filter(pk__in=clinic_ids)
        found = list(
            clinics.order_by("name", "pk").values_list(
                "pk", "name", "description", "area_id", "latitude", "longitude",
                "details_confirmed_on", "created_at", "home_visits", "video_consultations",
                "step_free_access", "accepting_new_patients", "next_available_on",
                "next_available_set_on",
            )
        )  # fmt: skip
        self.names = {pk: name for pk, name, *_ in found}
        row_of = {pk: row for row, (pk, *_) in enumerate(found)}
        n = len(found)
        ids = list(row_of)
        # Related rows: of those clinics, through a subquery for all of them (a list of
        # 10,000 ids would be a long statement), through the ids for a few.
        scope = {"clinic__is_published": True} if clinic_ids is None else {"clinic_id__in": ids}

        arrays = {
            "clinic_ids": np.array(ids, dtype=np.int64),
            "present": np.ones(n, dtype=bool),
            "confirmed": np.array(
                [
                    day_number(confirmed or timezone.localtime(created).date())
                    for _, _, _, _, _, _, confirmed, created, *_ in found
                ],
                dtype=np.int32,
            ),
            "clinic_area": np.array([index.area_position[r[3]] for r in found], dtype=np.int32),
            "latitude": np.array([r[4] for r in found], dtype=np.float64),
            "longitude": np.array([r[5] for r in found], dtype=np.float64),
            "home_visits": np.array([r[8] for r in found], dtype=bool),
            "video": np.array([r[9] for r in found], dtype=bool),
            "step_free": np.array([r[10] for r in found], dtype=bool),
            "accepting": np.array([r[11] for r in found], dtype=bool),
            "next_available_on": _day_numbers([r[12] for r in found]),
            "next_available_set_on": _day_numbers([r[13] for r in found]),
            # In the full build the rows come in name order already.
            "name_rank": np.arange(n, dtype=np.int32),
        }

        offers = Offer.objects.filter(**scope).values_list(
            "clinic_id", "treatment_id", "session_type", "price_pence"
        )
        offer_rows = [
            (row_of[c], index.treatment_position[t], SESSION_ORDER.index(s), p)
            for c, t, s, p in offers
        ]
        arrays.update(_columns(offer_rows, self.CHILD_TABLES["offers"], np.int32))

        evening, weekend, has_hours = (np.zeros(n, dtype=bool) for _ in range(3))
        for clinic_id, weekday, closes in OpeningHours.objects.filter(**scope).values_list(
            "clinic_id", "weekday", "closes"
        ):
            row = row_of[clinic_id]
            has_hours[row] = True
            if weekday >= 5:
                weekend[row] = True
            elif closes > EVENING_STARTS:
                evening[row] = True
        arrays["evening"], arrays["weekend"] = evening, weekend
        has_photo = np.zeros(n, dtype=bool)
        photographed = ClinicPhoto.objects.filter(**scope).order_by().distinct()
        has_photo[[row_of[c] for c in photographed.values_list("clinic_id", flat=True)]] = True

        # Published practitioners at these clinics, and what the search asks of them.
        through = Practitioner.clinics.through.objects.filter(
            practitioner__is_published=True, **scope
        )
        link_pairs = list(through.values_list("clinic_id", "practitioner_id"))
        people = Practitioner.objects.published()
        if clinic_ids is None:
            people = people.order_by("last_name", "first_name", "pk")
        else:
            people = people.filter(clinics__in=ids).distinct().order_by()
        people = list(
            people.values_list("pk", "first_name", "last_name", "gender", "hcpc_checked_on")
        )
        person_of = {pk: row for row, (pk, *_) in enumerate(people)}
        p = len(people)
        arrays.update(
            _columns(
                [(row_of[c], person_of[pk]) for c, pk in link_pairs],
                self.CHILD_TABLES["links"],
                np.int32,
            )
        )
        people_scope = (
            {"practitioner__is_published": True}
            if clinic_ids is None
            else {"practitioner_id__in": list(person_of)}
        )
        treats = np.zeros((p, len(index.treatments)), dtype=bool)
        for pk, treatment_id in Practitioner.treatments.through.objects.filter(
            **people_scope
        ).values_list("practitioner_id", "treatment_id"):
            treats[person_of[pk], index.treatment_position[treatment_id]] = True
        speaks = np.zeros((p, len(index.languages)), dtype=bool)
        for pk, language_id in Practitioner.languages.through.objects.filter(
            **people_scope
        ).values_list("practitioner_id", "language_id"):
            speaks[person_of[pk], index.language_position[language_id]] = True
        insured = np.zeros((p, len(index.insurers)), dtype=bool)
        for pk, insurer_id in InsurerRecognition.objects.filter(**people_scope).values_list(
            "practitioner_id", "insurer_id"
        ):
            insured[person_of[pk], index.insurer_position[insurer_id]] = True
        checked = np.array([r[4] is not None for r in people], dtype=bool)
        arrays.update(
            {
                "person_ids": np.array(list(person_of), dtype=np.int64),
                "person_gender": np.array(
                    [GENDERS.index(r[3]) + 1 if r[3] in GENDERS else 0 for r in people],
                    dtype=np.int8,
                ),
                "person_checked": checked,
                "person_treats": treats,
                "person_speaks": speaks,
                "person_insured": insured,
                "person_rank": np.arange(p, dtype=np.int32),
            }
        )
        self.person_names = {pk: (first, last) for pk, first, last, *_ in people}

        # How complete each listing is: how many items of Clinic.checklist() it has done (a
        # photo; opening hours; a price for each treatment its practitioners provide;
        # published practitioners; an insurer recognising one of them). And how fast it replies.
        link_clinic, link_person = arrays["link_clinic"], arrays["link_person"]
        offered = np.zeros((n, len(index.treatments)), dtype=bool)
        offered[arrays["offer_clinic"], arrays["offer_treatment"]] = True
        provided = np.zeros_like(offered)
        for position in range(len(index.treatments)):
            provided[link_clinic[treats[link_person, position]], position] = True
        priced = offered.any(axis=1) & ~(provided & ~offered).any(axis=1)
        has_people = np.zeros(n, dtype=bool)
        has_people[link_clinic] = True
        insurer_linked = np.zeros(n, dtype=bool)
        insurer_linked[link_clinic[insured.any(axis=1)[link_person]]] = True
        arrays["completeness"] = (
            has_photo.astype(np.int8) + has_hours + priced + has_people + insurer_linked
        ).astype(np.int8)
        # Every published practitioner found on the HCPC register (and there are some): a
        # card's "HCPC checked", without reading the practitioners for it.
        unchecked = np.zeros(n, dtype=bool)
        unchecked[link_clinic[~checked[link_person]]] = True
        arrays["hcpc_checked"] = has_people & ~unchecked
        arrays["reply_hours"] = _reply_hours(scope, row_of, n)
        arrays.update(_ratings(scope, row_of, n))

        self.arrays = arrays
        self.clinic_words = {
            row: (tuple(text.words(name)), tuple(text.words(description)))
            for row, (_, name, description, *_) in enumerate(found)
        }
        self.person_words = {
            row: tuple(text.words(f"{first} {last}"))
            for row, (_, first, last, *_) in enumerate(people)
        }


def _grown(column, count):
    """A copy of a column with room for `count` rows (new rows zero)."""
    grown = np.zeros((count, *column.shape[1:]), dtype=column.dtype)
    grown[: len(column)] = column
    return grown


def _day_numbers(dates):
    return np.array([day_number(d) if d is not None else 0 for d in dates], dtype=np.int32)


def _columns(rows, names, dtype):
    if not rows:
        return {name: np.zeros(0, dtype=dtype) for name in names}
    table = np.array(rows, dtype=dtype)
    return {name: table[:, i].copy() for i, name in enumerate(names)}


def _reply_hours(scope, row_of, n):
    """Each clinic's typical reply time in hours (the median over REPLY_WINDOW, once at least
    ENQUIRY_RESPONSE_TIME_MIN_ANSWERED were answered), NaN where there is none yet: as
    EnquiryQuerySet.typical_response_time() works it out for one clinic."""
    waits = {}
    answered = Enquiry.objects.filter(
        **scope,
        created_at__gte=timezone.now() - REPLY_WINDOW,
        answered_at__isnull=False,
    ).values_list("clinic_id", "created_at", "answered_at")
    for clinic_id, created, replied in answered:
        if clinic_id in row_of:
            waits.setdefault(row_of[clinic_id], []).append(replied - created)
    hours = np.full(n, np.nan)
    for row, times in waits.items():
        if len(times) >= settings.ENQUIRY_RESPONSE_TIME_MIN_ANSWERED:
            times.sort()
            middle = len(times) // 2
            median = times[middle] if len(times) % 2 else (times[middle - 1] + times[middle]) / 2
            hours[row] = median.total_seconds() / 3600
    return hours


def _ratings(scope, row_of, n):
    """Each clinic's published reviews: the sum of their overall ratings, how many, and the
    day of the latest (0 without one). Sums, not averages: RatingSummary works the average
    out from them in whole numbers, as the search's rating choice does."""
    total = np.zeros(n, dtype=np.int64)
    count = np.zeros(n, dtype=np.int32)
    latest = np.zeros(n, dtype=np.int32)
    found = (
        Review.objects.published()
        .filter(**scope)
        .order_by()
        .values_list("clinic_id")
        .annotate(Sum("rating"), Count("pk"), Max("created_at"))
    )
    for clinic_id, ratings, reviews, newest in found:
        if clinic_id in row_of:
            row = row_of[clinic_id]
            total[row], count[row] = ratings, reviews
            latest[row] = day_number(timezone.localtime(newest).date())
    return {"rating_total": total, "review_count": count, "latest_review": latest}


# --- The current index, kept in step with the database --------------------------------------

_lock = threading.Lock()
_current = None


def listings_index():
    """The index, brought up to date with the database first (one query when nothing moved)."""
    global _current
    index = _current
    version, token = _current_version()
    stale = index is None or time.monotonic() - index.built_at > settings.INDEX_REBUILD_SECONDS
    if not stale and (version, token) == (index.version, index.token):
        return index
    with _lock:
        index = _current
        if index is None or stale:
            index = ListingsIndex.build((version, token))
        elif (version, token) != (index.version, index.token):
            index = _caught_up(index)
        _current = index
    return index


def forget_index():
    """Drop this process's index; the next use builds it afresh (tests, and after a restore)."""
    global _current
    _current = None


def _current_version():
    # No row at all in a database emptied wholesale (as tests between transactions): version 0.
    return ListingsVersion.objects.filter(pk=1).values_list("number", "token").first() or (0, "")


def _caught_up(index):
    """The index with the changes since its version applied, or rebuilt when they cannot be
    (its own version no longer in the log: pruned, or rolled back; or a reference change)."""
    changes = list(
        ListingChange.objects.filter(version__gte=index.version)
        .order_by("version")
        .values_list("version", "token", "clinic_id", "everything")
    )
    if not changes or changes[0][:2] != (index.version, index.token):
        return ListingsIndex.build()
    changes = [change for change in changes if change[0] > index.version]
    if not changes:
        return index
    if any(everything for *_, everything in changes):
        return ListingsIndex.build()
    clinic_ids = {clinic_id for _, _, clinic_id, _ in changes if clinic_id is not None}
    version, token = changes[-1][:2]
    return index.updated(version, token, clinic_ids)


# --- Recording changes ------------------------------------------------------------------------


class _Recorded:
    """This transaction's version and the clinics it has recorded, kept among the
    transaction's on-commit callbacks (Django's own list, where each entry notes the
    savepoints open when it was added) so that it disappears with the transaction, or with
    a savepoint rolled back."""

    def __init__(self, version, token):
        self.version, self.token = version, token
        self.clinic_ids = set()
        self.everything = False

    def __call__(self):
        pass


def _recorded_in_this_transaction():
    """The version this transaction last recorded, if recorded at the savepoint it is in now:
    one recorded outside a savepoint would survive that savepoint's rollback while the
    changes in it would not. (Blocks that make no savepoint, as Model.save() opens, count
    as the block around them: their rollback is the whole transaction's.)"""
    savepoints = set(connection.savepoint_ids) - {None}
    for registered_in, callback, _ in reversed(connection.run_on_commit):
        if isinstance(callback, _Recorded):
            return callback if registered_in - {None} == savepoints else None
    return None


def _read_by_this_process(recorded):
    """Whether this process's index has read the version this transaction recorded (only
    possible inside the transaction, as when a test searches, changes a listing and searches
    again): then a further change needs a version of its own, or the index would miss it."""
    index = _current
    return index is not None and (index.version, index.token) == (recorded.version, recorded.token)


def record_change(clinic_ids=(), everything=False):
    """Record that these clinics' listings (or, with `everything`, all listings and the lists a
    search chooses from) are changing, for every process's index. Call it before the change
    (the models' pre_save and pre_delete signals do, and so must bulk writes and
    QuerySet.update()): its row lock is then the transaction's first. One version a
    transaction: later calls in it only add the clinics not yet recorded."""
    recorded = _recorded_in_this_transaction()
    rows = []
    if recorded is None or _read_by_this_process(recorded):
        token = secrets.token_hex(8)
        moved = ListingsVersion.objects.filter(pk=1).update(number=F("number") + 1, token=token)
        if not moved:  # the row is made by a migration; a database emptied wholesale lacks it
            ListingsVersion.objects.get_or_create(pk=1)
            ListingsVersion.objects.filter(pk=1).update(number=F("number") + 1, token=token)
        version = ListingsVersion.objects.values_list("number", flat=True).get(pk=1)
        recorded = _Recorded(version, token)
        rows.append(ListingChange(version=version, token=token))
        if version % 1000 == 0:
            ListingChange.objects.filter(created_at__lt=timezone.now() - CHANGES_KEPT).delete()
        # Outside a transaction this runs at once, and each change is its own transaction.
        transaction.on_commit(recorded)
    new_ids = {int(pk) for pk in clinic_ids if pk is not None} - recorded.clinic_ids
    recorded.clinic_ids |= new_ids
    rows += [
        ListingChange(version=recorded.version, token=recorded.token, clinic_id=pk)
        for pk in sorted(new_ids)
    ]
    if everything and not recorded.everything:
        recorded.everything = True
        rows.append(ListingChange(version=recorded.version, token=recorded.token, everything=True))
    if rows:
        ListingChange.objects.bulk_create(rows)
