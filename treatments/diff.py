"""Two texts of a guide side by side, as an admin reads them: each part (the fields, each
section, each FAQ) before beside after, removed words struck through and added words marked.

Sections are matched by their anchor and FAQs by their question, so an edited section is
one change rather than a removal and an addition; a rewritten question pairs with the one
that stood in its place.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FIELD_LABELS = [
    ("title", "Title"),
    ("intro", "Introduction"),
    ("seo_title", "SEO title"),
    ("seo_description", "SEO description"),
    ("sessions", "Usual sessions"),
]


@dataclass
class Change:
    part: str  # "Introduction", "Section", "FAQ"
    label: str  # the section's heading or the FAQ's question (as it now stands)
    kind: str  # "changed", "added", "removed", "moved" or "unchanged"
    before: SafeString
    after: SafeString


def compare(before, after):
    """[Change] from GuideText `before` (None for a first version) to GuideText `after`."""
    changes = []
    for name, label in FIELD_LABELS:
        old = _field(before, name) if before else ""
        new = _field(after, name)
        changes.append(_change(label, "", old, new, present=(before is not None, True)))
    for part, old_items, new_items, key, as_text in [
        ("Section", before.sections if before else [], after.sections, _anchor, _section_text),
        ("FAQ", before.faqs if before else [], after.faqs, _question, _faq_text),
    ]:
        for old, new, moved in _pair(old_items, new_items, key):
            label = (new or old).heading if part == "Section" else (new or old).question
            change = _change(
                part,
                label,
                as_text(old) if old else "",
                as_text(new) if new else "",
                present=(old is not None, new is not None),
            )
            if moved and change.kind == "unchanged":
                change.kind = "moved"
            changes.append(change)
    return changes


def _field(text, name):
    if name == "sessions":
        low, high = text.sessions_min, text.sessions_max
        return "–".join(str(n) for n in dict.fromkeys((low, high)) if n is not None)
    return getattr(text, name) or ""


def _anchor(section):
    return section.anchor


def _question(faq):
    return faq.question


def _section_text(section):
    return f"{section.heading}\n\n{section.body}"


def _faq_text(faq):
    return f"{faq.question}\n\n{faq.answer}"


def _pair(old_items, new_items, key):
    """(old, new, moved) pairs in the new order, with removed items where they stood."""
    matcher = SequenceMatcher(
        None, [key(i) for i in old_items], [key(i) for i in new_items], autojunk=False
    )
    pairs = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = old_items[i1:i2], new_items[j1:j2]
        if tag in ("equal", "replace"):
            common = min(len(olds), len(news))
            pairs += [(o, n, False) for o, n in zip(olds[:common], news[:common], strict=True)]
            olds, news = olds[common:], news[common:]
        pairs += [(o, None, False) for o in olds]
        pairs += [(None, n, False) for n in news]
    # An item removed in one place and added in another with the same key has moved.
    removed = {key(o): o for o, n, _ in pairs if n is None}
    moved = {key(n) for o, n, _ in pairs if o is None and key(n) in removed}
    return [
        (removed[key(n)], n, True) if o is None and key(n) in moved else (o, n, m)
        for o, n, m in pairs
        if not (n is None and key(o) in moved)
    ]


def _change(part, label, old, new, present):
    if not present[0]:
        return Change(part, label, "added", mark_safe(""), _marked(new, "ins"))
    if not present[1]:
        return Change(part, label, "removed", _marked(old, "del"), mark_safe(""))
    if old == new:
        return Change(part, label, "unchanged", escape(old), escape(new))
    before, after = _word_diff(old, new)
    return Change(part, label, "changed", before, after)


def _tokens(text):
    # Words, runs of space and single punctuation marks: a changed comma shows as itself.
    return re.findall(r"\s+|\w+|[^\w\s]", text)


def _marked(text, tag):
    return mark_safe(f"<{tag}>{escape(text)}</{tag}>") if text else mark_safe("")


def _word_diff(old, new):
    a, b = _tokens(old), _tokens(new)
    before, after = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            before.append(escape(removed))
            after.append(escape(added))
            continue
        before.append(_marked(removed, "del"))
        after.append(_marked(added, "ins"))
    # Every piece is escaped text or a <del>/<ins> around escaped text.
    return mark_safe("".join(before)), mark_safe("".join(after))
