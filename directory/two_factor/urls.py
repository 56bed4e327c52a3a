from django.urls import path

from directory.two_factor import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("two-factor/", views.account, name="two-factor"),
    path("two-factor/verify/", views.verify, name="two-factor-verify"),
    path("two-factor/start/", views.start, name="two-factor-start"),
    path("two-factor/confirm/", views.confirm, name="two-factor-confirm"),
    path("two-factor/backup-codes/", views.backup_codes, name="two-factor-backup-codes"),
    path("two-factor/remove/", views.remove, name="two-factor-remove"),
]
