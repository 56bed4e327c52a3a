from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject

from clinics import shortlist as shortlists
from clinics.cache import per_visitor


def csrf(request):
    """Django's CSRF token, left blank in the shared copy of a cached page (and filled in for
    each visitor), so that a page with a form can be shared. Overrides Django's built-in
    processor of the same name, which runs first."""
    return {"csrf_token": SimpleLazyObject(lambda: per_visitor(request, get_token))}


def shortlist(request):
    """The ids of the visitor's shortlisted clinics (read from their own cookie, so always
    empty while a page is made for sharing: see clinics/shortlist.py)."""
    return {"shortlist": SimpleLazyObject(lambda: shortlists.read(request))}
