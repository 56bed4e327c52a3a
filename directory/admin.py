from django.contrib import admin
from django_otp.plugins.otp_static import admin as otp_static_admin
from django_otp.plugins.otp_static.models import StaticDevice

# The project's own app sets the site's titles; the apps below it register their models.
admin.site.site_header = "London Physio Directory admin"
admin.site.site_title = "London Physio Directory admin"
admin.site.index_title = "Curate guides, listings and reference data"


# Two-step sign-in devices, registered by django-otp: an admin sees who has one and removes a
# lost one; secrets and backup codes stay hidden (OTP_ADMIN_HIDE_SENSITIVE_DATA).
admin.site.unregister(StaticDevice)


@admin.register(StaticDevice)
class StaticDeviceAdmin(otp_static_admin.StaticDeviceAdmin):
    def get_queryset(self, request):
        # The user, named in the list and the page title, joined (as TOTPDeviceAdmin does).
        return super().get_queryset(request).select_related("user")
