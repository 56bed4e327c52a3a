"""Free-text search over clinics: the one place that knows which database it runs on.

On PostgreSQL each word of the query must match the clinic's name, area, description,
treatments, conditions or practitioners, with accents ignored (unaccent) and small typos
forgiven (strict word similarity of at least settings.SEARCH_TYPO_SIMILARITY: "neddling" finds
"needling", "clapam" finds "Clapham"); results are ranked by the weighted full-text rank of
name and area plus name similarity. The big tables' text (clinic names and descriptions,
practitioners' names) is looked up through GIN trigram indexes on search_unaccent(), the
IMMUTABLE unaccent of migration 0004. On SQLite, used for development, each word must appear
as typed (case-insensitive) and relevance is simpler.
"""

import re

from django.contrib.postgres.lookups import TrigramStrictWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, FloatField, Func, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Coalesce, Concat
from django.db.models.lookups import IRegex

from clinics.models import Area, Clinic, Offer, Practitioner
from treatments.models import Treatment

# More words than this add cost and no precision; longer words are not real words.
MAX_TERMS = 6
MAX_TERM_LENGTH = 40
# Typo tolerance applies to words of at least this many letters: shorter words have too few
# trigrams to compare fairly and must match as typed. Strict word similarity compares whole
# words: plain word similarity matches part of a word, so "hydrotherapy" found
# "Physiotherapy" (0.54; strict 0.35).
MIN_FUZZY_LENGTH = 4


class SearchUnaccent(Func):
    """unaccent() through the IMMUTABLE wrapper the trigram indexes are built on."""

    function = "search_unaccent"
    output_field = TextField()


def search_terms(text):
    words = re.findall(r"\w+", text or "")
    return [w[:MAX_TERM_LENGTH] for w in words if len(w) > 1][:MAX_TERMS]


def search_clinics(queryset, text):
    """Clinics matching every word of `text` (all of them when it has none).

    Each word is looked for in each place on its own (clinic names and descriptions, areas,
    treatments and conditions, practitioners), each a subquery that the database works out
    once, rather than once for every clinic."""
    for term in search_terms(text):
        queryset = queryset.filter(_matching(term))
    return queryset


def relevance(text):
    """An expression to order matching clinics by, higher first: on PostgreSQL the weighted
    full-text rank of name and area plus the name's similarity to the whole text; on SQLite,
    whether the name holds a word."""
    terms = search_terms(text)
    if not terms:
        return Value(0.0, output_field=FloatField())
    if connection.vendor == "postgresql":
        vector = SearchVector("name", weight="A", config="english") + SearchVector(
            "area__name", weight="B", config="english"
        )
        query = SearchQuery(" OR ".join(terms), search_type="websearch", config="english")
        return Coalesce(SearchRank(vector, query), 0.0) + Coalesce(
            TrigramWordSimilarity(text, "name"), 0.0
        )
    name_hits = [When(name__icontains=term, then=Value(1)) for term in terms]
    return Case(*name_hits, default=Value(0), output_field=IntegerField()) * 1.0


def _matching(term):
    """Q() for clinics that `term` describes."""
    matches = _fuzzy_match if connection.vendor == "postgresql" else _exact_match
    # Each its own subquery (served by an index), so that the clinics are then only checked
    # against a few lists of ids, not each compared with the word.
    clinics = Clinic.objects.filter(matches("name", term) | _exact_match("description", term))
    areas = Area.objects.filter(matches("name", term) | matches("parent__name", term))
    treatments = Treatment.objects.filter(matches("name", term) | matches("conditions__name", term))
    practitioners = Practitioner.objects.published().filter(
        matches("first_name", term) | matches("last_name", term)
    )
    return (
        Q(pk__in=clinics.values("pk"))
        | Q(area__in=areas.values("pk"))
        | Q(pk__in=Offer.objects.filter(treatment__in=treatments.values("pk")).values("clinic"))
        | Q(pk__in=practitioners.values("clinics"))
    )


def _exact_match(field, term):
    """The word inside the field, case ignored (and accents, on PostgreSQL). There, a
    case-insensitive regular expression that the trigram indexes serve, made literal by
    "***=": unaccent turns some letters into symbols ("ˆ" into "^")."""
    if connection.vendor == "postgresql":
        literally = Concat(Value("***="), SearchUnaccent(Value(term)))
        return Q(IRegex(SearchUnaccent(field), literally))
    return Q(**{f"{field}__icontains": term})


def _fuzzy_match(field, term):
    """The word inside the field, or a word of the field spelt nearly like it."""
    found = _exact_match(field, term)
    if len(term) >= MIN_FUZZY_LENGTH:
        found |= Q(TrigramStrictWordSimilar(SearchUnaccent(field), SearchUnaccent(Value(term))))
    return found
