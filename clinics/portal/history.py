"""The portal's history of a listing: one entry per thing a person did (a ClinicChange), each
with what it changed in words people use ("Price: £70.00 → £75.00"), read from the history
records (django-simple-history) that carry the change's tag. Changes made elsewhere (the
admin) show as entries of their own, one per person and minute."""

import datetime
from itertools import groupby

from clinics.models import (
    Clinic,
    ClinicPhoto,
    InsurerRecognition,
    Offer,
    OpeningHours,
    Practitioner,
)

ENTRIES_SHOWN = 50

# Fields kept for the site's own use, not worth a line.
SKIPPED = {"id", "updated_at", "created_at", "outward_code", "latitude", "longitude", "area",
           "slug", "clinic", "practitioner", "image", "thumbnail", "home_clinic"}  # fmt: skip
LABELS = {
    "price_pence": "Price",
    "duration_minutes": "Length",
    "price_confirmed_on": "Price confirmed on",
    "details_confirmed_on": "Details confirmed on",
    "alt_text": "Description",
    "order": "Position",
    "hcpc_number": "HCPC number",
    "address_line1": "Address",
    "address_line2": "Address (line 2)",
}
# A field that one action changes on many rows alike is one line, with a count.
COLLAPSED = {"Price confirmed on": "prices"}


def _label(model, field):
    return LABELS.get(field) or model._meta.get_field(field).verbose_name.capitalize()


def _value(model, field, value):
    if value in (None, ""):
        return "(empty)"
    if field == "price_pence":
        return f"£{value / 100:.2f}"
    if field == "duration_minutes":
        return f"{value} minutes"
    model_field = model._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return f"{value:%-d %B %Y, %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, datetime.time):
        return f"{value:%H:%M}"
    return str(value)


def _hours(record):
    return (
        f"{OpeningHours.Weekday(record.weekday).label} {record.opens:%H:%M}–{record.closes:%H:%M}"
    )


def _offer(record):
    session = Offer.SessionType(record.session_type).label.lower()
    return f"{record.treatment.name}, {session}"


# model: (its records for a clinic, what a row is called in a line)
def _sources(clinic):
    return [
        (Clinic, Clinic.history.filter(id=clinic.pk), lambda r: None),
        (OpeningHours, OpeningHours.history.filter(clinic_id=clinic.pk), _hours),
        (Offer, Offer.history.filter(clinic_id=clinic.pk).select_related("treatment"), _offer),
        (ClinicPhoto, ClinicPhoto.history.filter(clinic_id=clinic.pk), lambda r: r.alt_text),
        (
            Practitioner,
            Practitioner.history.filter(home_clinic_id=clinic.pk),
            lambda r: f"{r.first_name} {r.last_name}",
        ),
        (
            InsurerRecognition,
            InsurerRecognition.history.filter(
                practitioner_id__in=Practitioner.objects.filter(home_clinic=clinic).values("pk")
            ).select_related("insurer", "practitioner"),
            lambda r: f"{r.insurer.name} for {r.practitioner.full_name}",
        ),
    ]


def _lines(model, before, record, name):
    """(what, field label, old, new) for each change `record` made."""
    subject = name(record)
    if record.history_type == "+":
        return [("Added", subject, None, None)] if subject else []
    if record.history_type == "-":
        return [("Removed", subject or "it", None, None)]
    if before is None:
        return []
    delta = record.diff_against(before, excluded_fields=["clinics", "treatments", "languages"])
    return [
        (subject, _label(model, change.field), _value(model, change.field, change.old),
         _value(model, change.field, change.new))
        for change in delta.changes
        if change.field not in SKIPPED
    ]  # fmt: skip


def _collapse(lines):
    """One line for a field changed alike on many rows: "11 prices: Price confirmed on"."""
    out, counts = [], {}
    for subject, label, old, new in lines:
        if label in COLLAPSED:
            counts[(label, old, new)] = counts.get((label, old, new), 0) + 1
        else:
            out.append((subject, label, old, new))
    for (label, old, new), count in counts.items():
        out.append((f"{count} {COLLAPSED[label]}" if count > 1 else None, label, old, new))
    return out


def entries(clinic):
    """The newest ENTRIES_SHOWN entries: [{"label", "who", "when", "lines"}]. A fixed
    number of queries: the changes, then two per kind of record (the tagged or recent ones,
    then the history of those rows, for what they were before)."""
    changes = list(clinic.changes.select_related("user")[:ENTRIES_SHOWN])
    by_tag = {change.tag: {"label": change.label, "who": change.user, "when": change.created_at,
                           "lines": []} for change in changes}  # fmt: skip
    since = changes[-1].created_at if len(changes) == ENTRIES_SHOWN else None
    outside = {}
    for model, records, name in _sources(clinic):
        recent = records.select_related("history_user")
        if since is not None:
            recent = recent.filter(history_date__gte=since)
        recent = list(recent.order_by("-history_date")[:500])
        ids = {record.id for record in recent}
        everything = records.filter(id__in=ids).order_by("id", "history_date", "history_id")
        for _, rows in groupby(everything, key=lambda record: record.id):
            before = None
            for record in rows:
                lines = _lines(model, before, record, name)
                before = record
                if not lines:
                    continue
                entry = by_tag.get(record.history_change_reason or "")
                if entry is None:
                    if (record.history_change_reason or "").startswith("change:"):
                        continue  # an entry older than those shown
                    minute = record.history_date.replace(second=0, microsecond=0)
                    entry = outside.setdefault(
                        (record.history_user_id, minute),
                        {"label": "Changed by the directory's team", "who": None,
                         "when": record.history_date, "lines": []},
                    )  # fmt: skip
                entry["lines"] += lines
    # Every action is shown, even one whose changes say nothing more than its label (a
    # practitioner taken off the list); changes made elsewhere only when they changed
    # something.
    shown = [*by_tag.values(), *(entry for entry in outside.values() if entry["lines"])]
    for entry in shown:
        entry["lines"] = _collapse(entry["lines"])
    shown.sort(key=lambda entry: entry["when"], reverse=True)
    return shown[:ENTRIES_SHOWN]
