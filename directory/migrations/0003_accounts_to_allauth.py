"""Accounts move to django-allauth: each user's email becomes their sign-in address (to be
verified at their next sign-in), and authenticator apps set up with django-otp keep working."""

import secrets
import unicodedata
from base64 import b32encode

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("auth", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    Authenticator = apps.get_model("mfa", "Authenticator")
    taken = set(EmailAddress.objects.values_list("email", flat=True))
    for user in User.objects.exclude(email="").order_by("pk"):
        email = unicodedata.normalize("NFKC", user.email).strip().lower()
        if email in taken:
            continue  # two accounts with one address: the older keeps it
        taken.add(email)
        # Not verified: allauth asks for a confirmation at the next sign-in.
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)

    connection = schema_editor.connection
    if "otp_totp_totpdevice" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT user_id, key FROM otp_totp_totpdevice WHERE confirmed")
        apps_in_use = cursor.fetchall()
    for user_id, key in apps_in_use:
        # django-otp keeps the key in hex, allauth in base 32; both use 6 digits every 30 s.
        secret = b32encode(bytes.fromhex(key)).decode()
        Authenticator.objects.get_or_create(
            user_id=user_id, type="totp", defaults={"data": {"secret": secret}}
        )
        # django-otp's backup codes cannot be carried over: a fresh set, shown in the account.
        Authenticator.objects.get_or_create(
            user_id=user_id,
            type="recovery_codes",
            defaults={"data": {"seed": secrets.token_hex(40), "used_mask": 0}},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_price_band_moved_to_clinics"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
