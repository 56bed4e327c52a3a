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
    """(old, new, moved) pairs in the new order, removed items where they stood. Items with
    the same key pair up (moved, if their order among such items changed); the others pair
    in order within the same gap between those, and the rest were added or removed."""

    def keyed(items):
        seen = {}
        keys = []
        for item in items:  # two items with one key (a repeated question) stay apart
            k = key(item)
            seen[k] = seen.get(k, 0) + 1
            keys.append((k, seen[k]))
        return keys

    old_keys, new_keys = keyed(old_items), keyed(new_items)
    common = set(old_keys) & set(new_keys)
    old_by_key = dict(zip(old_keys, old_items, strict=True))
    matcher = SequenceMatcher(
        None, [k for k in old_keys if k in common], [k for k in new_keys if k in common]
    )
    new_common = [k for k in new_keys if k in common]
    in_place = {
        new_common[j]
        for block in matcher.get_matching_blocks()
        for j in range(block.b, block.b + block.size)
    }
    # The unmatched old items, by the last matched key before them (None: at the start).
    old_gaps, last = {}, None
    for item, k in zip(old_items, old_keys, strict=True):
        if k in common:
            last = k
        else:
            old_gaps.setdefault(last, []).append(item)

    pairs = []

    def settle(gap, news):
        olds = old_gaps.pop(gap, [])
        common_count = min(len(olds), len(news))
        pairs.extend((o, n, False) for o, n in zip(olds, news[:common_count], strict=False))
        pairs.extend((None, n, False) for n in news[common_count:])
        pairs.extend((o, None, False) for o in olds[common_count:])

    gap, waiting = None, []
    for item, k in zip(new_items, new_keys, strict=True):
        if k in common:
            settle(gap, waiting)
            pairs.append((old_by_key[k], item, k not in in_place))
            gap, waiting = k, []
        else:
            waiting.append(item)
    settle(gap, waiting)
    for olds in old_gaps.values():  # after an item that is gone from the new text
        pairs.extend((o, None, False) for o in olds)
    return pairs


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
    """Before and after, paragraph by paragraph: a paragraph left as it was shows only its
    first words, so the changes stand out; a changed one shows its words struck or marked."""
    a, b = _paragraphs(old), _paragraphs(new)
    before, after = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        olds, news = a[i1:i2], b[j1:j2]
        if tag == "equal":
            before += [_elided(p) for p in olds]
            after += [_elided(p) for p in news]
            continue
        common = min(len(olds), len(news))
        for old_paragraph, new_paragraph in zip(olds, news[:common], strict=False):
            marked_before, marked_after = _words_marked(old_paragraph, new_paragraph)
            before.append(marked_before)
            after.append(marked_after)
        before += [_marked(p, "del") for p in olds[common:]]
        after += [_marked(p, "ins") for p in news[common:]]
    # Every piece is escaped text, or a <del>, <ins> or <span> around escaped text.
    return mark_safe("\n\n".join(before)), mark_safe("\n\n".join(after))


def _paragraphs(text):
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _elided(paragraph, words=8):
    shown = paragraph.split()
    text = " ".join(shown[:words]) + (" …" if len(shown) > words else "")
    return mark_safe(f'<span class="unchanged">{escape(text)}</span>')


def _words_marked(old, new):
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
    return "".join(before), "".join(after)
