from allauth.mfa.models import Authenticator
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from directory.models import PriceBand


@admin.register(PriceBand)
class PriceBandAdmin(SimpleHistoryAdmin):
    list_display = ["label", "slug", "min_pence", "max_pence", "order"]
    list_editable = ["order"]
    search_fields = ["label"]
    prepopulated_fields = {"slug": ("label",)}


# Two-step sign-in authenticators, registered by allauth: an admin sees who has which and
# removes a lost one, but never reads a secret, a recovery code seed or a passkey.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
