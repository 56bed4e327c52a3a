"""Markdown written in the admin, turned into HTML that is safe to put on a public page.

Admins are trusted to write content, not to run code in patients' browsers: Markdown lets raw
HTML through, so everything it produces goes through nh3 (Ammonia) with a short allow-list.
"""

import markdown as markdown_lib
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote",
    "code", "pre", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr", "abbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    html = markdown_lib.markdown(text or "", extensions=["sane_lists", "tables"])
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener",
    )
    # Safe to mark: nh3 has just removed everything outside the allow-list.
    return mark_safe(cleaned)


def markdown_to_text(text: str) -> str:
    """The words of admin Markdown without any markup, for meta tags and structured data."""
    return " ".join(strip_tags(render_markdown(text)).split())
