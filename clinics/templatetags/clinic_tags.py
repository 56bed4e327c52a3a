"""Display helpers for listings: prices, session types, opening hours, freshness, next
appointments, maps and small icons."""

import datetime
from itertools import groupby
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from clinics import maps
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
def months_ago_phrase(date):
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


# --- Opening times ------------------------------------------------------------------------


def _spans(opening_hours, weekday):
    return sorted((h for h in opening_hours if h.weekday == weekday), key=lambda h: h.opens)


def _day_name(day, today):
    if day == today:
        return "today"
    if day == today + datetime.timedelta(days=1):
        return "tomorrow"
    return f"{day:%A}"


@register.simple_tag
def next_opening_day(opening_hours, now=None):
    """The day's hours, or the next day the clinic opens: 'Open today 09:00–18:00',
    'Closed today · opens Monday 09:00'. Right all day long, so a page showing it can be
    shared until midnight."""
    today = timezone.localtime(now).date()
    if spans := _spans(opening_hours, today.weekday()):
        return "Open today " + ", ".join(f"{h.opens:%H:%M}–{h.closes:%H:%M}" for h in spans)
    for ahead in range(1, 7):
        day = today + datetime.timedelta(days=ahead)
        if spans := _spans(opening_hours, day.weekday()):
            return f"Closed today · opens {_day_name(day, today)} {spans[0].opens:%H:%M}"
    return "No opening hours listed"


@register.simple_tag
def opening_status(opening_hours, now=None):
    """Whether the clinic is open at this moment, and until when or from when: 'Open now ·
    closes 18:00', 'Closed now · opens tomorrow 09:00'. A page showing it must expire when
    that changes (Clinic.next_opening_or_closing())."""
    moment = timezone.localtime(now)
    for h in _spans(opening_hours, moment.weekday()):
        if h.opens <= moment.time() < h.closes:
            return f"Open now · closes {h.closes:%H:%M}"
    for ahead in range(0, 8):
        day = moment.date() + datetime.timedelta(days=ahead)
        for h in _spans(opening_hours, day.weekday()):
            if ahead or h.opens > moment.time():
                return f"Closed now · opens {_day_name(day, moment.date())} {h.opens:%H:%M}"
    return "No opening hours listed"


@register.filter
def week_summary(opening_hours):
    """The week in a few lines, days with the same hours together: ['Mon–Fri 09:00–18:00',
    'Sat 10:00–14:00', 'Sun closed']."""
    by_day = []
    for day, _label in OpeningHours.Weekday.choices:
        spans = _spans(opening_hours, day)
        by_day.append(", ".join(f"{h.opens:%H:%M}–{h.closes:%H:%M}" for h in spans) or "closed")
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    lines, start = [], 0
    for day in range(1, 8):
        if day == 7 or by_day[day] != by_day[start]:
            days = names[start] if day - 1 == start else f"{names[start]}–{names[day - 1]}"
            lines.append(f"{days} {by_day[start]}")
            start = day
    return lines


# --- Next new-patient appointment and freshness ------------------------------------------


@register.filter
def next_available_phrase(availability):
    """'this week', 'today', 'tomorrow' or 'Tue 17 June', for a NextAvailable."""
    if availability is None:
        return ""
    if availability.this_week:
        return "this week"
    today = timezone.localdate()
    if availability.on in (today, today + datetime.timedelta(days=1)):
        return _day_name(availability.on, today)
    return f"{availability.on:%a} {availability.on.day} {availability.on:%B}"


@register.filter
def days_ago(date):
    """'today', 'yesterday', '3 days ago'."""
    days = (timezone.localdate() - date).days
    if days <= 0:
        return "today"
    return "yesterday" if days == 1 else f"{days} days ago"


@register.filter
def registrations_checked(practitioners):
    """True when there are practitioners and we found every one on the HCPC register."""
    practitioners = list(practitioners)
    return bool(practitioners) and all(p.hcpc_checked_on for p in practitioners)


@register.filter
def media_url(name):
    """The address of a stored file from its name (a card's photo comes as a bare name)."""
    return default_storage.url(name) if name else ""


@register.filter
def initials(name):
    """'Alder Physiotherapy Clapham' -> 'AP': stands in for a clinic without a photo."""
    return "".join(word[0] for word in name.split()[:2] if word[:1].isalnum()).upper()


@register.simple_tag
def compare_url(treatment=None, postcode=None):
    """The compare page for the treatment and postcode a search was made with."""
    params = {}
    if treatment:
        params["treatment"] = treatment.slug
    if postcode:
        params["postcode"] = postcode.code
    return reverse("clinics:compare") + ("?" + urlencode(params) if params else "")


# --- Maps ---------------------------------------------------------------------------------


@register.simple_tag
def results_map(page, centre=None):
    """A map of the clinics on a page of results, numbered as the list is, around the
    searched postcode district (`centre`, an OutwardCode) when there is one."""
    clinics = list(page)
    markers = [
        maps.Marker(
            clinic.latitude,
            clinic.longitude,
            label=str(number),
            name=f"{number}: {clinic.name}, {clinic.area.name}",
            key=clinic.slug,
        )
        for number, clinic in enumerate(clinics, start=page.start_index())
    ]
    centre_words = ""
    if centre:
        centre_words = f" The diamond marks the centre of {centre.code}."
    return maps.draw(
        markers,
        title=f"Map of the {len(clinics)} clinic{'s' if len(clinics) != 1 else ''} listed",
        description="London's boroughs, with numbered markers matching the numbered list: "
        + "; ".join(marker.name for marker in markers)
        + "."
        + centre_words,
        map_id="results-map",
        centre=(centre.latitude, centre.longitude) if centre else None,
        centre_label=centre.code if centre else "",
        min_span=2500,
    )


@register.simple_tag
def clinic_map(clinic):
    """A map of where one clinic is, a couple of kilometres across."""
    where = ", ".join([*clinic.address_lines(), clinic.postcode])
    station = f", near {clinic.nearest_station} station" if clinic.nearest_station else ""
    return maps.draw(
        [maps.Marker(clinic.latitude, clinic.longitude, "", clinic.name, clinic.slug)],
        title=f"Map: where {clinic.name} is",
        description=f"{clinic.name} is at {where}, in {clinic.area.name}{station}. The marker "
        "shows the clinic among London's borough boundaries.",
        map_id="clinic-map",
        min_span=2500,
    )


# --- Icons --------------------------------------------------------------------------------

ICONS = {
    "clock": '<circle cx="8" cy="8" r="6.25"/><path d="M8 4.5V8l2.5 1.5"/>',
    "calendar": '<rect x="2" y="3.5" width="12" height="10.5" rx="1.5"/>'
    '<path d="M2 7h12M5 2v3M11 2v3"/>',
    "check": '<path d="M3 8.5l3 3 7-7"/>',
    "pin": '<path d="M8 14.5s-4.5-4.3-4.5-8a4.5 4.5 0 0 1 9 0c0 3.7-4.5 8-4.5 8z"/>'
    '<circle cx="8" cy="6.5" r="1.6"/>',
    "phone": '<path d="M5.5 2h-2A1.5 1.5 0 0 0 2 3.5C2 9.3 6.7 14 12.5 14a1.5 1.5 0 0 0 '
    '1.5-1.5v-2l-3-1-1.5 1.5a7 7 0 0 1-4-4L7 5z"/>',
    "chat": '<path d="M2.5 3h11v7.5h-6l-3 3v-3h-2z"/>',
    "door": '<path d="M4 14V2.5h8V14M2 14h12"/><circle cx="9.5" cy="8.5" r=".6"/>',
    "star": '<path d="M8 1.8l1.9 3.9 4.3.6-3.1 3 .7 4.3L8 11.6l-3.8 2 .7-4.3-3.1-3 4.3-.6z"/>',
    "pound": '<path d="M11.5 4.5a3 3 0 0 0-5.5 1.5v7M4 9h6M4 13h8"/>',
}


@register.simple_tag
def icon(name):
    """A small line icon, hidden from assistive technology: the words beside it say it."""
    return format_html(
        '<svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" '
        'focusable="false">{}</svg>',
        mark_safe(ICONS[name]),  # our own constant markup
    )
