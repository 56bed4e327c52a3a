from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def review_badge(state):
    """A clinical review's state (treatments.models.ReviewState) in words, coloured to agree
    with them (css/admin.css): red for overdue, amber for due soon, green for up to date."""
    return format_html('<span class="review-state review-{}">{}</span>', state.code, state.words)


@register.filter
def unchanged_parts(changes):
    """The parts a comparison (treatments.diff.compare) found unchanged, named."""
    return [
        f"{change.part}: {change.label}" if change.label else change.part
        for change in changes
        if change.kind == "unchanged"
    ]
