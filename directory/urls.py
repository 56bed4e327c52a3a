import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

from directory import views
from directory.accounts.views import LoginView, PasswordResetView
from directory.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    # The front door: the home page's postcode-or-place box, sent on to the search.
    path("find/", views.find, name="find"),
    path("treatments/", views.treatment_list, name="treatment-list"),
    path("treatments/<slug:slug>/", views.treatment_detail, name="treatment-detail"),
    # Through the admin's own gate, so a draft needs what the admin needs (two-step sign-in
    # where ADMIN_REQUIRES_TWO_FACTOR is on).
    path(
        "guides/<int:pk>/preview/",
        admin.site.admin_view(views.guide_preview),
        name="guide-preview",
    ),
    path(
        "treatments/<slug:treatment_slug>/<slug:area_slug>/",
        views.treatment_area,
        name="treatment-area",
    ),
    path("conditions/", views.condition_list, name="condition-list"),
    path("conditions/<slug:slug>/", views.condition_detail, name="condition-detail"),
    path("costs/", views.costs, name="costs"),
    path(
        "how-results-are-ordered/",
        views.how_results_are_ordered,
        name="how-results-are-ordered",
    ),
    path("areas/", views.area_list, name="area-list"),
    path("areas/<slug:slug>/", views.area_detail, name="area-detail"),
    path("", include("clinics.urls")),
    path("portal/", include("clinics.portal.urls")),
    # Accounts (django-allauth): sign-up, sign-in by email (answering 429 once throttled),
    # email verification, password reset, and two-step sign-in under /accounts/2fa/.
    path("accounts/login/", LoginView.as_view(), name="account_login"),
    path(
        "accounts/password/reset/",
        PasswordResetView.as_view(),
        name="account_reset_password",
    ),
    path("accounts/", include("allauth.urls")),
    # One sign-in page, throttled, for staff and admins alike.
    path("admin/login/", RedirectView.as_view(url="/accounts/login/", query_string=True)),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("healthz", views.healthz, name="healthz"),
]


def serve_media(request, path):
    """Photos: re-encoded JPEGs under server-chosen names, sent with nosniff. A path the file
    system cannot even look up (a name too long, a NUL) is simply not found."""
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except (OSError, ValueError):
        raise Http404("No such file.") from None


if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^{}(?P<path>.*)$".format(re.escape(settings.MEDIA_URL.lstrip("/"))), serve_media)
    ]
