"""Facet counts: for each option of each choice, how many clinics the search would find with
that option chosen and every other choice kept; and, for a search that finds nothing, what
to try instead. Worked out on the listings index (clinics/search.py), exactly, in a few
milliseconds whatever the number of options or clinics.
"""

import numpy as np

from clinics.geo import miles_between
from clinics.models import Area
from clinics.search import (
    AVAILABLE_WITHIN,
    FEATURES,
    PRACTITIONER_CHOICES,
    PRICE_CHOICES,
    RATING_CHOICES,
)


def facet_counts(search):
    """{"treatment": {id: n}, "area": {id: n}, "insurer": {id: n}, "price_band": {id: n},
    "open": {"evening": n, "weekend": n}, <feature>: n, "available": {"week": n},
    "rating": {tenths: n}, "total": n}."""
    return {
        "treatment": treatment_counts(search),
        "area": area_counts(search.index, search.mask(without={"area"})),
        "insurer": insurer_counts(search),
        **price_and_feature_counts(search),
    }


def treatment_counts(search):
    """Each treatment's count, with the price and practitioner choices applied to that
    treatment's prices and practitioners rather than to the chosen one's: a clinic-by-
    treatment table of what each clinic could be found for, summed by treatment."""
    index = search.index
    others = search.mask(without={"treatment", *PRICE_CHOICES, *PRACTITIONER_CHOICES})
    possible = index.offering & others[:, None]
    if search.has_price_choice():
        offers = search.priced_offers(None)
        priced = np.zeros_like(possible)
        priced[index.offer_clinic[offers], index.offer_treatment[offers]] = True
        possible &= priced
    if search.has_practitioner_choice():
        possible &= _by_clinic(index, search.people(None)[index.link_person], index.link_treats)
    totals = possible.sum(axis=0)
    return {t.pk: int(totals[index.treatment_position[t.pk]]) for t in index.choices.treatments}


def area_counts(index, clinics):
    """{area id: clinics among `clinics` (a mask) in the area or in the areas inside it}."""
    direct = np.bincount(index.clinic_area[clinics], minlength=len(index.areas))
    rolled_up = index.inside.astype(np.int64) @ direct
    return {area.pk: int(n) for area, n in zip(index.areas, rolled_up, strict=True)}


def insurer_counts(search):
    """Clinics with a practitioner who meets the other practitioner choices (and provides the
    chosen treatment) and is recognised by the insurer."""
    index = search.index
    others = search.mask(without={"insurer"})
    people = search.people(search.chosen("treatment"), without={"insurer"})
    links = people[index.link_person] & others[index.link_clinic]
    totals = _by_clinic(index, links, index.link_insured).sum(axis=0)
    return {
        insurer.pk: int(totals[index.insurer_position[insurer.pk]])
        for insurer in index.choices.insurers
    }


def _by_clinic(index, links, table):
    """A clinic-by-column table from a link-by-column one (what each practitioner provides,
    or is recognised by): true where any of `links` (a mask) at the clinic is. Column by
    column: faster here than scattering every (link, column) pair at once (measured)."""
    found = np.zeros((len(index.clinic_ids), table.shape[1]), dtype=bool, order="F")
    for column in range(table.shape[1]):
        found[index.link_clinic[links & table[:, column]], column] = True
    return found


def price_and_feature_counts(search):
    """Price bands and yes/no choices. A band's count: a price of the treatment in scope in
    the band (and under the maximum price, if one is chosen). Yes/no choices are counted
    over the current results, since ticking one only narrows: a ticked one's count is the
    current total."""
    index = search.index
    others = search.mask(without=PRICE_CHOICES)
    treatment = search.chosen("treatment")
    results = others & search.priced(treatment) if search.has_price_choice() else others
    counts = {
        "total": int(results.sum()),
        "open": {
            time: int((results & getattr(index, time)).sum()) for time in ("evening", "weekend")
        },
        "available": {
            period: int((results & search.available(period)).sum()) for period in AVAILABLE_WITHIN
        },
        "price_band": {
            band.pk: int((others & search.priced(treatment, {"price_band"}, band)).sum())
            for band in index.choices.price_bands
        },
    }
    counts.update({name: int((results & getattr(index, name)).sum()) for name in FEATURES})
    counts["rating"] = rating_counts(search)
    return counts


def rating_counts(search):
    """{tenths: clinics rated that or more} for each rating choice, every other choice kept."""
    others = search.mask(without={"rating"})
    return {
        tenths: int((others & search.index.rated_at_least(tenths)).sum())
        for tenths in RATING_CHOICES
    }


def suggestions(search, labels, nearby=5):
    """For a search with no results: each single choice whose removal gives results, with the
    count (`labels`: {choice: label}); and the nearest areas that have results."""
    drops = []
    for name, value in search.choices.items():
        if not value:
            continue
        count = int(search.mask(without={name}).sum())
        if count:
            drops.append((name, labels.get(name, name.replace("_", " ")), count))
    centre = search.chosen("postcode") or search.chosen("area")
    nearest = []
    if centre is not None:
        index = search.index
        counts = area_counts(index, search.mask(without={"area", "postcode"}))
        candidates = [
            area for area in index.areas if area.kind != Area.Kind.REGION and counts[area.pk]
        ]
        distance = miles_between(
            centre.latitude,
            centre.longitude,
            np.array([a.latitude for a in candidates]),
            np.array([a.longitude for a in candidates]),
        )
        for position in np.argsort(distance, kind="stable")[:nearby]:
            area = candidates[position]
            nearest.append((area, counts[area.pk]))
    return {"drops": drops, "nearest_areas": nearest}
