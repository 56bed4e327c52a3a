"""Words for free-text search: how text is split and compared, the same on every database.

A word of the query matches a word of a listing spelt the same (accents and case ignored), a
longer word it begins (three letters or more: "physio" finds "physiotherapy"), or, for words
of four letters or more, a word one slip away: a letter wrong, missing, extra or two letters
swapped ("neddling" finds "needling", "wimbeldon" finds "Wimbledon"); two slips in words of
eight letters or more. Shorter words must match as typed.
"""

import bisect
import re
import sys
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extract

# More words than this add cost and no precision; longer words are not real words.
MAX_TERMS = 6
MAX_TERM_LENGTH = 40
MIN_PREFIX_LENGTH = 3
MIN_FUZZY_LENGTH = 4
TWO_SLIPS_LENGTH = 8


def fold(text):
    """Lower case without accents: "Zoë" -> "zoe"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text):
    """The words of a text, folded: what a listing is searched by (each word interned: an
    index holds the same few thousand words many times over)."""
    return [sys.intern(word) for word in re.findall(r"\w+", fold(text or ""))]


def terms(text):
    """The words of a query worth searching by: two letters or more, at most MAX_TERMS."""
    return [w[:MAX_TERM_LENGTH] for w in words(text) if len(w) > 1][:MAX_TERMS]


def slips_allowed(term):
    if len(term) >= TWO_SLIPS_LENGTH:
        return 2
    return 1 if len(term) >= MIN_FUZZY_LENGTH else 0


class Vocabulary:
    """Every word a listing can be found by, for looking up what a query word matches.
    Never changed once made: an index that learns new words makes a new one."""

    def __init__(self, known):
        self.known = frozenset(known)
        self._sorted = sorted(self.known)
        self._by_length = {}
        for word in self._sorted:
            self._by_length.setdefault(len(word), []).append(word)
        # Each vocabulary its own cache: most searches repeat a few words.
        self.expand = lru_cache(maxsize=4096)(self._expand)

    def __or__(self, new_words):
        new_words = set(new_words)
        return self if new_words <= self.known else Vocabulary(self.known | new_words)

    def _expand(self, term):
        """{word: spelt as typed (True) or one or two slips away (False)} for a query term."""
        found = {}
        if term in self.known:
            found[term] = True
        if len(term) >= MIN_PREFIX_LENGTH:
            start = bisect.bisect_left(self._sorted, term)
            for word in self._sorted[start:]:
                if not word.startswith(term):
                    break
                found[word] = True
        slips = slips_allowed(term)
        if slips:
            candidates = [
                word
                for length in range(len(term) - slips, len(term) + slips + 1)
                for word in self._by_length.get(length, ())
            ]
            for word, _, _ in extract(
                term,
                candidates,
                scorer=DamerauLevenshtein.distance,
                score_cutoff=slips,
                limit=None,
            ):
                found.setdefault(word, False)
        return found
