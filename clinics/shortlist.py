"""A patient's shortlist: up to SIZE clinics kept without an account, in a signed cookie in
their own browser.

Nothing is stored on the server. Templates read it as `shortlist` (context() below), lazily:
a page that never looks at it does not depend on the cookie. A page that did look says so
in its headers (PrivateWhenShown): `Vary: Cookie`, and `Cache-Control: private` when the
shortlist it showed was not empty, so that no shared cache (a proxy, a CDN) keeps one
visitor's shortlist for others or serves a page made for others to a visitor with one. The
shortlist and compare pages are never stored anywhere (never_cache).
"""

import datetime

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject

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


def context(request):
    """Template context: `shortlist`, the ids of the visitor's shortlisted clinics, read from
    their cookie only if the page looks at it (and then noted on the request)."""

    def shown():
        ids = read(request)
        request.shortlist_shown = ids
        return ids

    return {"shortlist": SimpleLazyObject(shown)}


class PrivateWhenShown:
    """Headers for a page that showed the visitor's shortlist: it depends on their cookie,
    and when the shortlist was not empty it is theirs alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        shown = getattr(request, "shortlist_shown", None)
        if shown is not None:
            patch_vary_headers(response, ["Cookie"])
            if shown:
                patch_cache_control(response, private=True)
        return response
