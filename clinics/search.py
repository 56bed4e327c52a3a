"""Free-text search over clinics: the one place that knows which database it runs on.

On PostgreSQL each word of the query must match the clinic's name, area, description,
treatments, conditions or practitioners, with accents ignored (unaccent) and small typos
forgiven (trigram word similarity: "neddling" finds "needling", "clapam" finds "Clapham");
results are ranked by weighted full-text rank plus name similarity. On SQLite, used for
development, each word must appear as typed (case-insensitive) and relevance is simpler.
"""

import re

from django.contrib.postgres.lookups import Unaccent
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramStrictWordSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, Exists, FloatField, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual

from clinics.models import Offer, Practitioner

# More words than this add cost and no precision; longer words are not real words.
MAX_TERMS = 6
MAX_TERM_LENGTH = 40
# Typo tolerance: a word of at least this many letters matches a word whose strict word
# similarity to it is at least this ("neddling" ~ "needling" 0.5, "clapam" ~ "Clapham" 0.5,
# "wimbeldon" ~ "Wimbledon" 0.43). Strict similarity compares whole words: plain word
# similarity matches part of a word, so "hydrotherapy" found "Physiotherapy" (0.54; strict
# 0.35). Shorter words have too few trigrams to compare fairly and must match as typed.
MIN_FUZZY_LENGTH = 4
FUZZY_THRESHOLD = 0.4


def search_terms(text):
    words = re.findall(r"\w+", text or "")
    return [w[:MAX_TERM_LENGTH] for w in words if len(w) > 1][:MAX_TERMS]


def search_clinics(queryset, text):
    """Clinics matching every word of `text`, annotated with `relevance` (higher is better)."""
    terms = search_terms(text)
    if not terms:
        return queryset.annotate(relevance=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        return _postgres_search(queryset, text, terms)
    return _plain_search(queryset, terms)


def _related_match(term_matches):
    """Q() for a word matching a clinic's treatments, their conditions, or its practitioners.
    `term_matches(field)` builds the condition for one field."""
    treatment = Offer.objects.filter(clinic=OuterRef("pk")).filter(
        term_matches("treatment__name") | term_matches("treatment__conditions__name")
    )
    practitioner = (
        Practitioner.objects.published()
        .filter(clinics=OuterRef("pk"))
        .filter(term_matches("first_name") | term_matches("last_name"))
    )
    return Q(Exists(treatment)) | Q(Exists(practitioner))


def _plain_search(queryset, terms):
    for term in terms:

        def contains(field, term=term):
            return Q(**{f"{field}__icontains": term})

        queryset = queryset.filter(
            contains("name")
            | contains("area__name")
            | contains("area__parent__name")
            | contains("description")
            | _related_match(contains)
        )
    name_hits = [When(name__icontains=term, then=Value(1)) for term in terms]
    return queryset.annotate(
        relevance=Case(*name_hits, default=Value(0), output_field=IntegerField()) * 1.0
    )


def _postgres_search(queryset, text, terms):
    for term in terms:

        def matches(field, term=term):
            found = Q(**{f"{field}__unaccent__icontains": term})
            if len(term) >= MIN_FUZZY_LENGTH:
                similarity = TrigramStrictWordSimilarity(Unaccent(Value(term)), Unaccent(field))
                found |= Q(GreaterThanOrEqual(similarity, FUZZY_THRESHOLD))
            return found

        queryset = queryset.filter(
            matches("name")
            | matches("area__name")
            | matches("area__parent__name")
            | Q(description__unaccent__icontains=term)
            | _related_match(matches)
        )
    vector = (
        SearchVector("name", weight="A", config="english")
        + SearchVector("area__name", weight="B", config="english")
        + SearchVector("description", weight="C", config="english")
    )
    query = SearchQuery(" OR ".join(terms), search_type="websearch", config="english")
    return queryset.annotate(
        relevance=Coalesce(SearchRank(vector, query), 0.0)
        + Coalesce(TrigramWordSimilarity(text, "name"), 0.0)
    )
