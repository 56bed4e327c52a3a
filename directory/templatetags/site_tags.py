import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

SITE_NAME = "London Physio Directory"

# Escaped inside a JSON block, as Django's json_script does (which writes only
# type="application/json"): so that no text in it can close the <script> tag.
JSON_IN_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def breadcrumb_list(request, trail):
    """Schema.org BreadcrumbList JSON-LD.
    trail: [(label, url or None)], home first; the last item is the page itself."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": label,
                "item": request.build_absolute_uri(url or request.path),
            }
            for position, (label, url) in enumerate(trail, start=1)
        ],
    }


@register.inclusion_tag("includes/page_meta.html", takes_context=True)
def page_meta(context, title, description):
    """<title>, description, canonical URL, robots and Open Graph tags for a page.
    The canonical URL is the page's path without a query string, unless the view set
    `canonical_path` (filtered searches point at their landing page)."""
    request = context["request"]
    full_title = title if title == SITE_NAME else f"{title} | {SITE_NAME}"
    return {
        "title": full_title,
        "og_title": title,
        "description": description,
        "canonical": request.build_absolute_uri(context.get("canonical_path") or request.path),
        "robots": context.get("robots"),
        "site_name": SITE_NAME,
        # Shared links show the same picture everywhere: an absolute address, as Open Graph
        # requires.
        "image": request.build_absolute_uri(static("social-preview.png")),
    }


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, *crumbs):
    """{% breadcrumbs "Treatments" list_url "Dry needling" %}: labels each followed by their
    URL, except the last, which is the page itself. Shown, and given to search engines as a
    BreadcrumbList."""
    labels, urls = crumbs[0::2], [*crumbs[1::2], None]
    trail = list(zip(labels, urls, strict=True))
    return {
        "trail": trail,
        "structured": breadcrumb_list(context["request"], [("Home", "/"), *trail]),
    }


@register.filter
def jsonld(data):
    """A JSON-LD block; <, > and & are escaped so that no text in it can close the tag."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_IN_SCRIPT_ESCAPES)),
    )


@register.simple_tag
def query_with(query, key, value):
    """The current query string with one parameter set (and the page reset unless it is the
    page being set): for pagination and suggestion links."""
    params = query.copy()
    params[key] = value
    if key != "page":
        params.pop("page", None)
    return params.urlencode()


@register.simple_tag
def query_without(query, key):
    params = query.copy()
    params.pop(key, None)
    params.pop("page", None)
    return params.urlencode()


@register.simple_tag
def query_in_area(query, slug):
    """The current query string searching in an area instead of near a postcode or in
    another area (for "nearby areas with results" links, counted that way)."""
    params = query.copy()
    for key in ("postcode", "page"):
        params.pop(key, None)
    if params.get("sort") == "distance":
        params.pop("sort")
    params["area"] = slug
    return params.urlencode()


@register.filter
def get_count(counts, key):
    """counts[key], or 0: for {id: count} maps built in views."""
    return counts.get(key, 0)


@register.filter
def lookup(mapping, key):
    """mapping[key], or None."""
    return mapping.get(key)
