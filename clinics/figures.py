"""Figures pages state about many listings (how many clinics offer a treatment, in which areas,
at what prices), worked out from the listings index (clinics/index.py) so that every figure
agrees with the search a link beside it opens: the same listed clinics, and "in an area"
always meaning in it or in an area inside it (a borough's figures include its
neighbourhoods').
"""

import numpy as np

from clinics.facets import area_counts
from clinics.models import SESSION_ORDER, Area
from clinics.prices import summarise


def listed_counts(index, today=None):
    """{"clinics": how many, "treatment": {id: clinics offering it}, "condition": {id:
    clinics offering a treatment for it}, "area": {id: clinics in it}}, over the clinics
    listed today."""
    listed = index.listed(today)
    offering = index.offering[listed]
    return {
        "clinics": int(listed.sum()),
        "treatment": {
            t.pk: int(offering[:, index.treatment_position[t.pk]].sum())
            for t in index.choices.treatments
        },
        "condition": {
            c.pk: int(offering[:, index.condition_treatments[c.pk]].any(axis=1).sum())
            for c in index.choices.conditions
        },
        "area": area_counts(index, listed),
    }


def guide_figures(index, treatment, today=None):
    """What a guide states about its treatment: how many listed clinics and practitioners
    offer it, its prices by session type, and the boroughs it is offered in with counts."""
    position = index.treatment_position[treatment.pk]
    clinics = index.listed(today) & index.offering[:, position]
    links = clinics[index.link_clinic] & index.person_treats[index.link_person, position]
    offers = clinics[index.offer_clinic] & (index.offer_treatment == position)
    counts = area_counts(index, clinics)
    boroughs = [a for a in index.areas if a.kind == Area.Kind.BOROUGH and counts[a.pk]]
    return {
        "clinic_count": int(clinics.sum()),
        "practitioner_count": len(np.unique(index.link_person[links])),
        "prices": _by_session_type(index, offers),
        "areas": [
            (area, counts[area.pk])
            for area in sorted(boroughs, key=lambda a: (-counts[a.pk], a.name))
        ],
    }


def cost_tables(index, today=None):
    """Every listed price of a published treatment, summarised by treatment and by region,
    each with its session types."""
    listed = index.listed(today)
    published = np.zeros(len(index.treatments), dtype=bool)
    published[[index.treatment_position[t.pk] for t in index.choices.treatments]] = True
    offers = listed[index.offer_clinic] & published[index.offer_treatment]
    region_of_offer = index.area_region[index.clinic_area[index.offer_clinic]]
    by_region = []
    for region in sorted(
        (a for a in index.areas if a.kind == Area.Kind.REGION), key=lambda a: a.name
    ):
        in_region = offers & (region_of_offer == index.area_position[region.pk])
        if rows := _by_treatment(index, in_region):
            by_region.append((region, rows))
    return {"by_treatment": _by_treatment(index, offers), "by_region": by_region}


def local_prices(search):
    """The lowest and highest price by session type of the chosen treatment at the clinics a
    search finds: [{"session_type", "lowest", "highest"}], in SESSION_ORDER."""
    index = search.index
    position = index.treatment_position[search.chosen("treatment").pk]
    offers = search.matches[index.offer_clinic] & (index.offer_treatment == position)
    rows = []
    for rank, session_type in enumerate(SESSION_ORDER):
        prices = index.offer_price[offers & (index.offer_session == rank)]
        if len(prices):
            rows.append(
                {
                    "session_type": session_type,
                    "lowest": int(prices.min()),
                    "highest": int(prices.max()),
                }
            )
    return rows


def _by_treatment(index, offers):
    """[(treatment, session type, PriceStats)] for the offers in a mask, by published
    treatment, then in SESSION_ORDER."""
    return [
        (treatment, session_type, stats)
        for treatment in index.choices.treatments
        for session_type, stats in _by_session_type(
            index, offers & (index.offer_treatment == index.treatment_position[treatment.pk])
        ).items()
    ]


def _by_session_type(index, offers):
    """{session type: PriceStats} for the offers in a mask, in SESSION_ORDER."""
    found = {}
    for rank, session_type in enumerate(SESSION_ORDER):
        chosen = offers & (index.offer_session == rank)
        if chosen.any():
            found[session_type] = summarise(index.offer_price[chosen], index.offer_clinic[chosen])
    return found
