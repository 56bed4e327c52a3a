from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin, with a default site that can require two-step sign-in."""

    default_site = "directory.accounts.admin_site.AdminSite"
