"""What tells the listings index (clinics/index.py) that a listing changed: a record_change()
before every save or delete of something it holds, naming the clinics touched.

Recorded before the change (pre_save, pre_delete, the pre_ actions of m2m_changed), so that
the version row's lock is the first a writing transaction takes; after a new clinic's save
too, since only then has it an id. Writes that send no signals (bulk_create, update())
call record_change() themselves, as seed_demo does.
"""

from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

from clinics.index import REFERENCE_MODELS, record_change
from clinics.models import (
    Clinic,
    ClinicPhoto,
    Enquiry,
    InsurerRecognition,
    Offer,
    OpeningHours,
    Practitioner,
    Review,
)


def _stored(instance, field):
    """The value `field` has in the database now (None for a new row): a change may move a
    price or a practitioner from one clinic to another, and both must hear of it."""
    if instance.pk is None:
        return None
    return type(instance).objects.filter(pk=instance.pk).values_list(field, flat=True).first()


def _clinics_of_practitioners(practitioner_ids):
    return Practitioner.clinics.through.objects.filter(
        practitioner_id__in=practitioner_ids
    ).values_list("clinic_id", flat=True)


def clinic_saving(sender, instance, **kwargs):
    record_change([instance.pk])


def clinic_saved(sender, instance, created, **kwargs):
    if created:
        record_change([instance.pk])


def clinic_deleting(sender, instance, **kwargs):
    record_change([instance.pk])


def part_saving(sender, instance, **kwargs):
    """An offer, opening hours, a photo or a review (its clinic's rating): its clinic's, and
    the one it may be leaving."""
    record_change([instance.clinic_id, _stored(instance, "clinic_id")])


def part_deleting(sender, instance, **kwargs):
    record_change([instance.clinic_id])


def practitioner_changing(sender, instance, **kwargs):
    if instance.pk is not None:
        record_change(_clinics_of_practitioners([instance.pk]))
    else:
        record_change()


def recognition_changing(sender, instance, **kwargs):
    practitioners = [instance.practitioner_id, _stored(instance, "practitioner_id")]
    record_change(_clinics_of_practitioners([p for p in practitioners if p is not None]))


def recognition_deleting(sender, instance, **kwargs):
    record_change(_clinics_of_practitioners([instance.practitioner_id]))


def practitioner_clinics_changing(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("pre_"):
        return
    if reverse:  # clinic.practitioners.add(...)
        record_change([instance.pk])
    elif action == "pre_clear":
        record_change(_clinics_of_practitioners([instance.pk]))
    else:
        record_change(pk_set)


def practitioner_attributes_changing(sender, instance, action, reverse, pk_set, **kwargs):
    """A practitioner's treatments or languages."""
    if not action.startswith("pre_"):
        return
    if not reverse:
        record_change(_clinics_of_practitioners([instance.pk]))
    elif action == "pre_clear":  # treatment.practitioners.clear(): rare, so everything
        record_change(everything=True)
    else:
        record_change(_clinics_of_practitioners(pk_set))


def enquiry_saving(sender, instance, update_fields=None, **kwargs):
    """An answer moves the clinic's typical reply time."""
    if instance.answered_at is not None and (
        update_fields is None or "answered_at" in update_fields
    ):
        record_change([instance.clinic_id])


def reference_changing(sender, **kwargs):
    """Areas, districts, insurers, languages, price bands, treatments and conditions: what a
    search can choose from, and what every listing is described by."""
    record_change(everything=True)


def connect():
    uid = "listings-index"
    pre_save.connect(clinic_saving, sender=Clinic, dispatch_uid=uid)
    post_save.connect(clinic_saved, sender=Clinic, dispatch_uid=uid)
    pre_delete.connect(clinic_deleting, sender=Clinic, dispatch_uid=uid)
    for part in (Offer, OpeningHours, ClinicPhoto, Review):
        pre_save.connect(part_saving, sender=part, dispatch_uid=uid)
        pre_delete.connect(part_deleting, sender=part, dispatch_uid=uid)
    pre_save.connect(practitioner_changing, sender=Practitioner, dispatch_uid=uid)
    pre_delete.connect(practitioner_changing, sender=Practitioner, dispatch_uid=uid)
    pre_save.connect(recognition_changing, sender=InsurerRecognition, dispatch_uid=uid)
    pre_delete.connect(recognition_deleting, sender=InsurerRecognition, dispatch_uid=uid)
    m2m_changed.connect(
        practitioner_clinics_changing, sender=Practitioner.clinics.through, dispatch_uid=uid
    )
    for through in (Practitioner.treatments.through, Practitioner.languages.through):
        m2m_changed.connect(practitioner_attributes_changing, sender=through, dispatch_uid=uid)
    pre_save.connect(enquiry_saving, sender=Enquiry, dispatch_uid=uid)
    for model in REFERENCE_MODELS:
        pre_save.connect(reference_changing, sender=model, dispatch_uid=uid)
        pre_delete.connect(reference_changing, sender=model, dispatch_uid=uid)
