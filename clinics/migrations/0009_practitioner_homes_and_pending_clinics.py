"""Every practitioner gets a home clinic (the one they were first linked to: the lowest link
id), whose staff alone now edit the profile; clinics added in the portal and still waiting for
an admin join the verification queue."""

from django.db import migrations


def forwards(apps, schema_editor):
    Practitioner = apps.get_model("clinics", "Practitioner")
    Clinic = apps.get_model("clinics", "Clinic")
    StaffMembership = apps.get_model("clinics", "StaffMembership")
    VerificationRequest = apps.get_model("clinics", "VerificationRequest")
    links = Practitioner.clinics.through.objects.order_by("-pk").values_list(
        "practitioner_id", "clinic_id"
    )
    first_clinic = dict(links)  # lowest link id last, so it wins
    homeless = list(
        Practitioner.objects.filter(home_clinic__isnull=True, pk__in=first_clinic).only("pk")
    )
    for practitioner in homeless:
        practitioner.home_clinic_id = first_clinic[practitioner.pk]
    Practitioner.objects.bulk_update(homeless, ["home_clinic"], batch_size=1000)

    waiting = Clinic.objects.filter(is_published=False, verified_on__isnull=True).exclude(
        verification_requests__isnull=False
    )
    for clinic in waiting:
        owner = StaffMembership.objects.filter(clinic=clinic, role="owner").order_by("pk").first()
        if owner is not None:
            VerificationRequest.objects.create(clinic=clinic, requested_by_id=owner.user_id)


class Migration(migrations.Migration):
    dependencies = [("clinics", "0008_ownership_verification_and_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
