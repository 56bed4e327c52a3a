"""The site's URLs plus /bench/reference/: the yardstick every page is compared with."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from clinics.index import record_change
from clinics.models import Clinic
from directory.urls import urlpatterns as site_urlpatterns


def reference(request):
    """The base template and nothing else: the same middleware, context processors and
    template engine as every page, and no database work (an anonymous visitor without a
    session cookie costs no query). What a page costs beyond this is its own."""
    return render(request, "base.html")


def listing_changed(request):
    """What a clinic's edit does (the benchmark's own server only): the next request on each
    worker reloads that clinic into its listings index."""
    record_change([Clinic.objects.published().order_by("pk").values_list("pk", flat=True)[0]])
    return HttpResponse("listings version moved\n", content_type="text/plain")


urlpatterns = [
    path("bench/reference/", reference, name="bench-reference"),
    path("bench/listing-changed/", listing_changed, name="bench-listing-changed"),
    *site_urlpatterns,
]
