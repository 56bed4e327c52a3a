"""One meaning of "in an area" everywhere: the count beside every link that shows one (home,
treatments, areas, conditions, each guide's "Where in London", a search's suggestions) is the
count on the page the link opens. A test walks every such link on the demo data."""

import io
import re
from html import unescape

import pytest
from django.core.management import call_command

from treatments.models import Guide

pytestmark = pytest.mark.django_db

LINK_WITH_COUNT = re.compile(r'<a\b[^>]*?href="([^"]+)"[^>]*?data-count="(\d+)"')
RESULT_COUNT = re.compile(r"data-result-count>(\d+)<")


def counted_links(client, path):
    page = client.get(path)
    assert page.status_code == 200, path
    return [(unescape(href), int(n)) for href, n in LINK_WITH_COUNT.findall(page.content.decode())]


def count_on(client, path):
    page = client.get(path)
    assert page.status_code == 200, path
    found = RESULT_COUNT.findall(page.content.decode())
    assert found, f"{path} shows no result count"
    return int(found[0])


def test_every_count_beside_a_link_is_the_count_on_its_page(client):
    call_command("seed_demo", stdout=io.StringIO())
    pages = ["/", "/treatments/", "/areas/", "/conditions/"]
    pages += [guide.get_absolute_url() for guide in Guide.objects.published()]
    # A search that finds nothing offers its way out, with counts.
    pages.append("/search/?treatment=dry-needling&area=clapham&q=xylophone")
    links = {(href, n) for path in pages for href, n in counted_links(client, path)}
    assert len(links) > 150  # every area, treatment, condition and guide's borough
    assert any(href.startswith("/treatments/dry-needling/") for href, _ in links)  # a guide's
    assert any(href.startswith("/search/?") for href, _ in links)  # the empty search's way out
    wrong = {
        href: f"shows {n}, the page says {count}"
        for href, n in sorted(links)
        if (count := count_on(client, href)) != n
    }
    assert wrong == {}
