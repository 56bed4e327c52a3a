"""A patient's shortlist: up to SIZE clinics kept without an account, in a signed cookie in
their own browser.

Nothing is stored on the server, and nothing personal reaches a page other visitors are
served: a visitor with this cookie gets every shared page made afresh (clinics.cache
serves cached copies only to visitors with no cookie but the CSRF one), and the shortlist
and compare pages are never cached at all.
"""

import datetime

from django.conf import settings

SIZE = 4
SALT = "clinics.shortlist"
# Long enough to compare clinics over a few weeks; not kept for ever on a shared computer.
MAX_AGE = datetime.timedelta(days=30)


def read(request):
    """The shortlisted clinics' ids, in the order they were added; [] for no cookie, or a
    forged or expired one."""
    value = request.get_signed_cookie(
        settings.SHORTLIST_COOKIE_NAME, default="", salt=SALT, max_age=MAX_AGE
    )
    ids = []
    for part in value.split(","):
        if part.isdigit() and int(part) not in ids:
            ids.append(int(part))
    return ids[:SIZE]


def write(response, ids):
    """Keep `ids` as the shortlist (or forget it, when empty)."""
    name = settings.SHORTLIST_COOKIE_NAME
    if not ids:
        response.delete_cookie(name, samesite="Lax")
        return
    response.set_signed_cookie(
        name,
        ",".join(str(pk) for pk in ids[:SIZE]),
        salt=SALT,
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
