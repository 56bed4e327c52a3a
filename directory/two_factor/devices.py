"""What the site does with a user's two-step sign-in devices, which django-otp stores.

Each user has at most one authenticator app (a TOTPDevice) and, once it is confirmed, one set
of single-use backup codes (a StaticDevice). A device counts only once confirmed: an app being
set up verifies nothing until it has shown a right code.
"""

import dataclasses
import datetime
import math
from base64 import b32encode

from django.db import transaction
from django.utils import timezone
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10


@dataclasses.dataclass
class CodeCheck:
    """The outcome of trying a code: the device that accepted it, or the time until which
    every device was refusing to check codes at all (after wrong ones)."""

    device: object = None
    locked_until: datetime.datetime | None = None

    @property
    def accepted(self):
        return self.device is not None

    @property
    def locked(self):
        return self.locked_until is not None

    def wait_seconds(self):
        return max(1, math.ceil((self.locked_until - timezone.now()).total_seconds()))


def has_two_factor(user):
    """True when `user` has a confirmed device, so their password alone does not sign in."""
    return user_has_device(user, confirmed=True)


def app_being_set_up(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=False).first()


def start_app(user):
    """A new, unconfirmed authenticator app with a fresh secret, replacing any earlier one
    that was never confirmed."""
    with transaction.atomic():
        TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def confirm_app(device):
    """Confirm an app that has shown a right code; returns a fresh set of backup codes."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return replace_backup_codes(device.user)


def replace_backup_codes(user):
    """New single-use backup codes for `user`, replacing any left. They are returned in the
    clear to be shown once; a used code is deleted (StaticDevice.verify_token)."""
    with transaction.atomic():
        StaticDevice.objects.devices_for_user(user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME, confirmed=True)
        # Eight lower-case base-32 characters (40 random bits), so never six digits.
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def remove_all(user):
    """Turn two-step sign-in off for `user`: their app and backup codes are deleted."""
    with transaction.atomic():
        TOTPDevice.objects.devices_for_user(user).delete()
        StaticDevice.objects.devices_for_user(user).delete()


def setup_key(device):
    """The app's secret as people type it: base 32, in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def normalise(code):
    return "".join(code.split()).replace("-", "").lower()


def check_code(user, code, device=None):
    """Try `code` against `device`, or against `user`'s confirmed devices: six digits against
    the app, anything else against the backup codes.

    django-otp's throttling does the refusing: after each wrong code a device will not check
    another for 1, 2, 4, 8... seconds (counted in the database, so every worker and every
    session of the user shares the count), and a right code resets it. The rows are locked
    while checking, so two requests cannot both spend one code.
    """
    code = normalise(code)
    with transaction.atomic():
        if device is not None:
            candidates = TOTPDevice.objects.filter(pk=device.pk, user=user)
        elif len(code) == 6 and code.isdigit():
            candidates = TOTPDevice.objects.devices_for_user(user, confirmed=True)
        else:
            candidates = StaticDevice.objects.devices_for_user(user, confirmed=True)
        return _try(candidates.select_for_update(), code)


def _try(devices, code):
    locked_until = None
    tried = False
    for device in devices:
        allowed, why = device.verify_is_allowed()
        if not allowed:
            until = (why or {}).get("locked_until") or timezone.now()
            locked_until = max(locked_until or until, until)
            continue
        tried = True
        if device.verify_token(code):
            return CodeCheck(device=device)
    return CodeCheck(locked_until=None if tried else locked_until)
