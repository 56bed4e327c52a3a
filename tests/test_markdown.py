import pytest
from django.template import Context, Template
from django.urls import reverse

from tests.factories import make_user
from treatments.forms import MarkdownTextarea
from treatments.markdown import render_markdown


def render_with_filter(text):
    return Template("{% load treatment_tags %}{{ text|markdown }}").render(Context({"text": text}))


# Both ways admins' Markdown reaches a page: the function and the template filter.
RENDERERS = [
    pytest.param(lambda text: str(render_markdown(text)), id="function"),
    pytest.param(render_with_filter, id="filter"),
]

DANGEROUS = [
    pytest.param("<script>alert(1)</script>", ["<script", "alert(1)"], id="script"),
    pytest.param("Hi <SCRIPT>alert(1)</SCRIPT> there", ["<script", "alert(1)"], id="script-caps"),
    pytest.param("<img src=x onerror=alert(1)>", ["<img", "onerror", "alert(1)"], id="img-onerror"),
    pytest.param("[x](javascript:alert(1))", ["javascript", "alert(1)"], id="javascript-link"),
    pytest.param("[x](JaVaScRiPt:alert(1))", ["javascript", "alert(1)"], id="javascript-caps"),
    pytest.param("[x](java&#115;cript:alert(1))", ["script", "alert(1)"], id="javascript-entity"),
    pytest.param('<a href="javascript&colon;alert(1)">x</a>', ["alert(1)"], id="javascript-colon"),
    pytest.param("[x](data:text/html;base64,PHNjcmlwdD4=)", ["data:"], id="data-link"),
    pytest.param('<iframe src="https://evil.example"></iframe>', ["<iframe", "evil"], id="iframe"),
    pytest.param("<style>body{display:none}</style>", ["<style", "display"], id="style"),
    pytest.param("<svg onload=alert(1)>", ["<svg", "onload", "alert(1)"], id="svg-onload"),
    pytest.param('<object data="x.swf"></object>', ["<object", "x.swf"], id="object"),
    pytest.param('<form action="/x"><input></form>', ["<form", "<input"], id="form"),
    pytest.param(
        "<p style=\"color:red\" onclick='x'>Hi</p>", ["style", "onclick"], id="attributes"
    ),
]


@pytest.mark.parametrize("render", RENDERERS)
@pytest.mark.parametrize(("text", "forbidden"), DANGEROUS)
def test_nothing_that_could_run_code_or_restyle_the_page_survives(render, text, forbidden):
    html = render(text).lower()
    for fragment in forbidden:
        assert fragment not in html


# What each renderer makes of a text, exactly.
RENDERED = {
    "a link keeps its address and loses its event handler": (
        '<a href="https://example.com" onclick="x">Example</a>',
        '<p><a href="https://example.com" rel="noopener">Example</a></p>',
    ),
    "plain markdown renders as html": (
        "- one\n- two\n\n**Prices** are on [the costs page](/costs/).",
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        "<p><strong>Prices</strong> are on "
        '<a href="/costs/" rel="noopener">the costs page</a>.</p>',
    ),
    "numbered lists, emphasis and tables render": (
        "1. *first*\n2. second\n\nSessions | Price\n--|--\n1 | £60",
        "<ol>\n<li><em>first</em></li>\n<li>second</li>\n</ol>\n"
        "<table>\n<thead>\n<tr>\n<th>Sessions</th>\n<th>Price</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>1</td>\n<td>£60</td>\n</tr>\n</tbody>\n</table>",
    ),
    "every link gets rel=noopener whatever the author wrote": (
        '<a href="https://example.com" rel="opener" target="_blank">x</a>',
        '<p><a href="https://example.com" rel="noopener">x</a></p>',
    ),
    "email links are kept": (
        "[Email us](mailto:hello@example.com)",
        '<p><a href="mailto:hello@example.com" rel="noopener">Email us</a></p>',
    ),
    "text that looks like html is escaped, not dropped": (
        "Fees < £80 & no referral",
        "<p>Fees &lt; £80 &amp; no referral</p>",
    ),
}


@pytest.mark.parametrize("render", RENDERERS)
@pytest.mark.parametrize(("text", "expected"), RENDERED.values(), ids=RENDERED)
def test_renders_exactly(render, text, expected):
    assert render(text) == expected


@pytest.mark.parametrize("text", ["", None])
def test_empty_markdown_renders_nothing(text):
    assert render_markdown(text) == ""


def test_a_missing_variable_renders_nothing_through_the_filter():
    assert Template("{% load treatment_tags %}{{ nothing|markdown }}").render(Context()) == ""


# Previews in the admin: the same renderer, so an admin sees what patients will.


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "forbidden"), DANGEROUS[:6])
def test_the_admin_preview_renders_through_the_same_sanitiser(admin_client, text, forbidden):
    response = admin_client.post(reverse("admin:markdown-preview"), {"text": f"**Hi** {text}"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert html.startswith("<p><strong>Hi</strong>")
    assert all(fragment not in html.lower() for fragment in forbidden)


@pytest.mark.django_db
def test_the_admin_preview_is_for_staff_and_needs_a_post(admin_client, client):
    url = reverse("admin:markdown-preview")
    assert admin_client.get(url).status_code == 405
    assert client.post(url, {"text": "x"}).status_code == 302  # to sign in
    client.force_login(make_user())  # not staff
    assert client.post(url, {"text": "x"}).status_code == 302
    long = admin_client.post(url, {"text": "word " * 20_000}).content.decode()
    assert len(long) < 60_000  # the text is cut at MARKDOWN_PREVIEW_MAX_CHARS


@pytest.mark.django_db
def test_a_markdown_field_shows_its_text_rendered_under_it():
    html = MarkdownTextarea().render("intro", "An *intro* <script>x</script>", {"id": "id_intro"})
    assert '<textarea name="intro"' in html and 'data-markdown-preview="/admin/' in html
    assert '<details class="markdown-preview"><summary>Preview</summary>' in html
    assert '<div class="markdown-preview-body" id="id_intro-preview"><p>An <em>intro</em>' in html
    assert "<script>" not in html
