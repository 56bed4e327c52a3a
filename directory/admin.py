from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from mailer.models import PRIORITY_DEFERRED, PRIORITY_MEDIUM, DontSendEntry, Message, MessageLog

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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the site writes itself: listed and shown, never added or edited here."""

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The outbox (django-mailer): what waits, what was deferred and why, what went. Bodies are not
# shown: a waiting email may hold someone's password reset or sign-in link.
for model in (Message, DontSendEntry, MessageLog):
    admin.site.unregister(model)


class OutboxAdmin(ReadOnlyAdmin):
    @admin.display(description="to")
    def recipients(self, email):
        return ", ".join(email.to_addresses)


@admin.register(Message)
class OutboxMessageAdmin(OutboxAdmin):
    list_display = ["subject", "recipients", "when_added", "status", "retry_count"]
    list_filter = ["priority"]
    date_hierarchy = "when_added"
    fields = ["subject", "recipients", "when_added", "status", "retry_count"]
    actions = ["retry_now"]

    @admin.display(description="status", ordering="priority")
    def status(self, message):
        deferred = message.priority == PRIORITY_DEFERRED
        return "deferred: will be tried again" if deferred else "waiting"

    @admin.action(description="Try the selected emails again now", permissions=["view"])
    def retry_now(self, request, queryset):
        # The worker sends them within seconds; this page never waits for the mail server.
        count = queryset.filter(priority=PRIORITY_DEFERRED).update(priority=PRIORITY_MEDIUM)
        self.message_user(request, f"{count} email(s) will be tried again in a few seconds.")


@admin.register(MessageLog)
class OutboxLogAdmin(OutboxAdmin):
    list_display = ["subject", "recipients", "when_attempted", "result", "log_message"]
    list_filter = ["result"]
    date_hierarchy = "when_attempted"
    fields = ["subject", "recipients", "when_attempted", "result", "log_message"]


# Sign-in addresses (allauth), with their users joined rather than fetched row by row.
admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class SignInAddressAdmin(EmailAddressAdmin):
    list_select_related = ["user"]
