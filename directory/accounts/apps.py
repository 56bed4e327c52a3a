from allauth.mfa import apps as allauth_mfa_apps
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from mailer import apps as mailer_apps


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin, with a default site that can require two-step sign-in."""

    default_site = "directory.accounts.admin_site.AdminSite"


class MFAConfig(allauth_mfa_apps.MFAConfig):
    # The admin index shows app names: people read "Two-step sign-in", not "MFA".
    verbose_name = "Two-step sign-in"


class OutboxConfig(mailer_apps.MailerConfig):
    verbose_name = "Outbox (emails waiting or sent)"
