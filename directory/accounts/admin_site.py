"""The admin site, refusing staff whose session has not passed a second step when
ADMIN_REQUIRES_TWO_FACTOR is on. It is `admin.site` (see directory/accounts/apps.py)."""

from functools import wraps
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse


def passed_second_step(request):
    """True when this session was signed in (or reauthenticated) with a second factor."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def needs_second_step(request):
    user = request.user
    return (
        settings.ADMIN_REQUIRES_TWO_FACTOR
        and user.is_active
        and user.is_staff
        and not passed_second_step(request)
    )


class AdminSite(admin.AdminSite):
    site_header = "London Physio Directory admin"
    site_title = "London Physio Directory admin"
    index_title = "Curate guides, listings and reference data"

    def has_permission(self, request):
        return super().has_permission(request) and not needs_second_step(request)

    def admin_view(self, view, cacheable=False):
        """Every admin page sends a member of staff who has not passed a second step in this
        session to give a code (or, with no authenticator yet, to set one up), and comes
        back here afterwards."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def view_with_second_step(request, *args, **kwargs):
            if not needs_second_step(request):
                return inner(request, *args, **kwargs)
            url_name = "mfa_reauthenticate" if is_mfa_enabled(request.user) else "mfa_index"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(url_name)}?{query}")

        return view_with_second_step
