"""Display helpers for listings: prices, session types, opening hours, freshness."""

from itertools import groupby

from django import template
from django.conf import settings
from django.utils import timezone

from clinics.models import Offer, OpeningHours

register = template.Library()

SESSION_LABELS = dict(Offer.SessionType.choices)


@register.filter
def pounds(pence):
    """8500 -> '£85', 8550 -> '£85.50'. Prices are whole pence, never floats."""
    if pence is None or pence == "":
        return ""
    whole, part = divmod(int(pence), 100)
    return f"£{whole:,}" if part == 0 else f"£{whole:,}.{part:02d}"


@register.filter
def session_label(session_type):
    return SESSION_LABELS.get(session_type, session_type)


@register.simple_tag
def week_of(opening_hours):
    """Seven (day name, 'opening times or Closed') rows, Monday first, from prefetched hours."""
    by_day = {
        day: ", ".join(f"{h.opens:%H:%M}–{h.closes:%H:%M}" for h in hours)
        for day, hours in groupby(
            sorted(opening_hours, key=lambda h: (h.weekday, h.opens)), key=lambda h: h.weekday
        )
    }
    return [(label, by_day.get(day, "Closed")) for day, label in OpeningHours.Weekday.choices]


@register.filter
def months_ago(date):
    """'this month', '1 month ago', '14 months ago'."""
    if not date:
        return "never"
    today = timezone.localdate()
    months = (today.year - date.year) * 12 + today.month - date.month
    if today.day < date.day:
        months -= 1
    if months <= 0:
        return "this month"
    return "1 month ago" if months == 1 else f"{months} months ago"


@register.filter
def miles(distance):
    """0.84 -> '0.8 miles'; 1.0 -> '1.0 mile'."""
    if distance is None or distance == "":
        return ""
    rounded = round(float(distance), 1)
    return f"{rounded:.1f} mile" if rounded == 1 else f"{rounded:.1f} miles"


@register.simple_tag
def hours_today(opening_hours, now=None):
    """'Open today 09:00–18:00', 'Closed today', from prefetched hours, in London time."""
    today = timezone.localtime(now).weekday()
    spans = [
        f"{h.opens:%H:%M}–{h.closes:%H:%M}"
        for h in sorted(opening_hours, key=lambda h: h.opens)
        if h.weekday == today
    ]
    return f"Open today {', '.join(spans)}" if spans else "Closed today"


@register.simple_tag
def open_now(opening_hours, now=None):
    """True when one of the prefetched intervals covers this moment in London."""
    moment = timezone.localtime(now)
    return any(
        h.weekday == moment.weekday() and h.opens <= moment.time() < h.closes for h in opening_hours
    )


@register.filter
def insurer_names(practitioners):
    """The insurers recognising any of these (prefetched) practitioners, sorted, once each."""
    return sorted(
        {r.insurer.name for person in practitioners for r in person.insurer_recognitions.all()}
    )


@register.filter
def wait_phrase(wait):
    """A typical reply time in words: 'within 3 hours', 'within 2 days'."""
    hours = max(1, round(wait.total_seconds() / 3600))
    if hours < 36:
        return f"within {hours} hour{'s' if hours != 1 else ''}"
    days = round(hours / 24)
    return f"within {days} days"


@register.simple_tag
def enquiry_retention():
    """How long enquiries are kept, as the purge_enquiries command applies it."""
    return f"{settings.ENQUIRY_RETENTION_DAYS} days"
