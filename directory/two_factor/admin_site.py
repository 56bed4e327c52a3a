"""The admin site, refusing staff whose session has not passed a second step when
ADMIN_REQUIRES_TWO_FACTOR is on. It is `admin.site` (see directory/two_factor/apps.py)."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from directory.two_factor import devices


def needs_second_step(request):
    user = request.user
    return (
        settings.ADMIN_REQUIRES_TWO_FACTOR
        and user.is_active
        and user.is_staff
        and not (hasattr(user, "is_verified") and user.is_verified())
    )


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and not needs_second_step(request)

    def admin_view(self, view, cacheable=False):
        """Every admin page sends an unverified member of staff to the code step (or, with
        no device yet, to set one up), and comes back here afterwards."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def view_with_second_step(request, *args, **kwargs):
            if not needs_second_step(request):
                return inner(request, *args, **kwargs)
            has_device = devices.has_two_factor(request.user)
            url_name = "two-factor-verify" if has_device else "two-factor"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(url_name)}?{query}")

        return view_with_second_step
