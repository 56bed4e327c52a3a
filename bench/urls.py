"""The site's URLs plus /bench/reference/: the yardstick every page is compared with."""

from django.shortcuts import render
from django.urls import path

from directory.urls import urlpatterns as site_urlpatterns


def reference(request):
    """The base template and nothing else: the same middleware, context processors and
    template engine as every page, and no database work (an anonymous visitor without a
    session cookie costs no query). What a page costs beyond this is its own."""
    return render(request, "base.html")


urlpatterns = [path("bench/reference/", reference, name="bench-reference"), *site_urlpatterns]
