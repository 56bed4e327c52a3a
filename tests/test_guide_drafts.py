"""Admins change a published guide through a draft of its whole text: the public page keeps the
published version until someone publishes, every publication is a version that can be
compared and restored, and two admins never overwrite each other without being told."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import make_clinic, make_guide, make_offer, make_treatment, make_user
from treatments.diff import compare
from treatments.models import EditConflict, Guide, GuideText, SectionText

pytestmark = pytest.mark.django_db


def editor_url(guide):
    return reverse("admin:treatments_guide_change", args=[guide.pk])


def editor_data(response):
    """What a browser sends back from the editor as rendered: the guide's fields, and each
    formset's management form and rows (the blank extra rows included, untouched)."""
    editor = response.context["editor"]
    data = {}
    forms = [editor.form, editor.sections.management_form, editor.faqs.management_form]
    forms += [*editor.sections.forms, *editor.faqs.forms]
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = value
    return data


def public_page(client, guide):
    return client.get(guide.get_absolute_url()).content.decode()


@pytest.fixture
def guide():
    treatment = make_treatment(name="Dry needling", slug="dry-needling")
    make_offer(make_clinic(), treatment, price_pence=8000)
    return make_guide(treatment=treatment, title="Dry needling guide")


@pytest.fixture
def other_admin():
    return make_user(is_staff=True, is_superuser=True)


def test_a_saved_draft_leaves_the_public_page_until_it_is_published(admin_client, client, guide):
    data = editor_data(admin_client.get(editor_url(guide)))
    data["sections-1-body"] = "Usually **three to six** sessions."
    data["faqs-0-question"] = "Is it safe for everyone?"
    response = admin_client.post(editor_url(guide), {**data, "_save": "Save draft"}, follow=True)
    assert "Draft saved." in response.content.decode()

    page = public_page(client, guide)
    assert "Is it safe for everyone?" not in page and "Question 0?" in page

    preview = admin_client.get(reverse("guide-preview", args=[guide.pk]))
    text = preview.content.decode()
    assert "Preview of the draft" in text and "Is it safe for everyone?" in text
    assert "<strong>three to six</strong>" in text
    # Live figures, as published pages have.
    assert "<strong data-result-count>1</strong> listed clinic" in text
    assert "no-store" in preview["Cache-Control"]

    token = preview.context["preview"]["token"]
    publish = reverse("admin:treatments_guide_publish", args=[guide.pk])
    response = admin_client.post(publish, {"token": token, "note": "Safer wording"}, follow=True)
    assert "Version 2 published" in response.content.decode()
    page = public_page(client, guide)
    assert "Is it safe for everyone?" in page and "Question 0?" not in page
    version = guide.current_version()
    assert (version.number, version.note, version.published_by.username) == (
        2,
        "Safer wording",
        "admin",
    )
    assert guide.draft() is None


def test_every_publication_is_a_version_that_can_be_compared_and_restored(
    admin_client, client, guide
):
    original = GuideText.of_guide(guide)
    changed = GuideText.of_guide(guide)
    changed.sections[0].body = "A new first section."
    changed.faqs[1].question = "A new question?"
    guide.save_draft(changed, None, guide.state_token(None, guide.current_version()))
    guide.publish(None)

    history = admin_client.get(reverse("admin:treatments_guide_history", args=[guide.pk]))
    assert [v.number for v in history.context["versions"]] == [2, 1]

    compared = admin_client.get(reverse("admin:treatments_guide_version", args=[guide.pk, 2]))
    page = compared.content.decode()
    assert "Section: Section 0" in page
    assert "<del>Body</del>" in page and "<ins>A new first section.</ins>" in page
    assert "FAQ: A new question?" in page and "<del>Question</del>" in page
    assert "Unchanged: Title; Introduction" in page

    token = compared.context["token"]
    restore = reverse("admin:treatments_guide_restore", args=[guide.pk, 1])
    response = admin_client.post(restore, {"token": token}, follow=True)
    assert "Version 1 is now the draft" in response.content.decode()
    assert "A new question?" in public_page(client, guide)  # only a draft so far

    guide.publish(None, token=guide.state_token(guide.draft(), guide.current_version()))
    guide = Guide.objects.get(pk=guide.pk)
    assert GuideText.of_guide(guide) == original
    assert guide.current_version().number == 3
    assert guide.current_version().note == "Restores version 1."
    assert "Question 1?" in public_page(client, guide)


def test_a_second_admin_is_told_whose_change_they_would_overwrite(
    admin_client, client, guide, other_admin
):
    other = client
    other.force_login(other_admin)
    mine = editor_data(admin_client.get(editor_url(guide)))
    theirs = editor_data(other.get(editor_url(guide)))

    theirs["title"] = "Their title"
    assert other.post(editor_url(guide), theirs).status_code == 302
    mine["title"] = "My title"
    response = admin_client.post(editor_url(guide), mine)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your changes were not saved." in page
    assert f"{other_admin.username} started a new draft on" in page
    assert 'value="My title"' in page  # what was typed is kept
    assert "<del>Their</del>" in page and "<ins>My</ins>" in page  # theirs beside mine
    assert guide.draft().as_text().title == "Their title"

    # Sent again, knowingly, it replaces theirs.
    again = editor_data(response)
    assert admin_client.post(editor_url(guide), again).status_code == 302
    assert guide.draft().as_text().title == "My title"


def test_publishing_or_discarding_a_draft_that_changed_since_it_was_read_is_refused(
    admin_client, guide, other_admin
):
    guide.save_draft(
        GuideText.of_guide(guide), other_admin, guide.state_token(None, guide.current_version())
    )
    seen = guide.state_token(guide.draft(), guide.current_version())
    changed = GuideText.of_guide(guide)
    changed.title = "Changed again"
    guide.save_draft(changed, other_admin, seen)

    for name in ("publish", "discard"):
        url = reverse(f"admin:treatments_guide_{name}", args=[guide.pk])
        response = admin_client.post(url, {"token": seen}, follow=True)
        assert f"{other_admin.username} saved the draft on" in response.content.decode()
    assert guide.draft().as_text().title == "Changed again"
    assert Guide.objects.get(pk=guide.pk).title == "Dry needling guide"
    with pytest.raises(EditConflict):
        guide.publish(None, token="")


def test_a_draft_can_be_discarded(admin_client, guide):
    changed = GuideText.of_guide(guide)
    changed.intro = "A draft introduction."
    draft = guide.save_draft(changed, None, guide.state_token(None, guide.current_version()))
    url = reverse("admin:treatments_guide_discard", args=[guide.pk])
    token = guide.state_token(draft, guide.current_version())
    response = admin_client.post(url, {"token": token}, follow=True)
    assert "Draft discarded" in response.content.decode()
    assert guide.draft() is None
    assert "A draft introduction." not in admin_client.get(editor_url(guide)).content.decode()


def test_sections_and_questions_are_reordered_removed_and_added(admin_client, guide):
    data = editor_data(admin_client.get(editor_url(guide)))
    data.update(
        {
            "sections-0-ORDER": "3",  # the first section goes last...
            "sections-2-heading": "Cost",  # ... after a new one
            "sections-2-body": "What it costs.",
            "sections-2-ORDER": "2",
            "faqs-0-DELETE": "on",
        }
    )
    assert admin_client.post(editor_url(guide), data).status_code == 302
    text = guide.draft().as_text()
    assert [(s.heading, s.anchor) for s in text.sections] == [
        ("Section 1", "section-1"),
        ("Cost", "cost"),
        ("Section 0", "section-0"),
    ]
    assert [f.question for f in text.faqs] == ["Question 1?"]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"sessions_min": "6", "sessions_max": "3"}, "cannot be fewer than"),
        ({"sections-1-anchor": "section-0"}, "Two sections have the anchor section-0"),
        ({"sections-2-body": "A body without a heading."}, "This field is required."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_a_draft_with_mistakes_is_not_saved_and_keeps_what_was_typed(
    admin_client, guide, changes, error
):
    data = {**editor_data(admin_client.get(editor_url(guide))), "intro": "Typed intro."}
    response = admin_client.post(editor_url(guide), {**data, **changes})
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page and "Nothing has been saved yet." in page
    assert "Typed intro." in page
    assert guide.draft() is None


def test_previews_of_the_markdown_are_shown_without_saving(admin_client, guide):
    data = editor_data(admin_client.get(editor_url(guide)))
    data.update({"intro": "Now *in italics*.", "_refresh": "Update"})
    response = admin_client.post(editor_url(guide), data)
    assert response.status_code == 200
    assert "<em>in italics</em>" in response.content.decode()
    assert guide.draft() is None


def test_two_sections_with_one_heading_get_their_own_anchors(guide):
    text = GuideText.of_guide(guide)
    text.sections[1].heading, text.sections[1].anchor = "Section 0", ""
    draft = guide.save_draft(text, None, guide.state_token(None, guide.current_version()))
    assert [s.anchor for s in draft.as_text().sections] == ["section-0", "section-0-2"]


def test_only_admins_who_may_change_guides_can_edit_publish_or_restore(client, guide):
    viewer = make_user(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_guide"))
    client.force_login(viewer)
    page = client.get(editor_url(guide))
    assert page.status_code == 200 and "Save draft" not in page.content.decode()
    token = guide.state_token(None, guide.current_version())
    for url in [
        editor_url(guide),
        reverse("admin:treatments_guide_publish", args=[guide.pk]),
        reverse("admin:treatments_guide_discard", args=[guide.pk]),
        reverse("admin:treatments_guide_restore", args=[guide.pk, 1]),
        reverse("admin:markdown-preview"),
    ]:
        assert client.post(url, {"token": token, "text": "x"}).status_code == 403, url
    assert guide.draft() is None

    client.logout()
    assert client.get(editor_url(guide)).status_code == 302  # to sign in
    assert client.get(reverse("guide-preview", args=[guide.pk])).status_code == 302


def test_state_changes_need_a_post(admin_client, guide):
    for name, args in [
        ("publish", [guide.pk]),
        ("discard", [guide.pk]),
        ("restore", [guide.pk, 1]),
    ]:
        assert (
            admin_client.get(reverse(f"admin:treatments_guide_{name}", args=args)).status_code
            == 405
        )


def test_the_guide_page_shows_the_clinical_review_as_an_act(client, guide):
    page = public_page(client, guide)
    assert "Clinically reviewed on" in page and "1 September 2026" in page
    assert "Dr Test Reviewer (Chartered physiotherapist, HCPC registration PH100001)" in page


def test_a_comparison_escapes_what_admins_wrote():
    before = GuideText("T", "T", "D", "<b>old</b>", sections=[], faqs=[])
    after = GuideText("T", "T", "D", "<script>alert(1)</script>", sections=[], faqs=[])
    intro = next(change for change in compare(before, after) if change.part == "Introduction")
    assert "<script" not in intro.after and "&lt;" in intro.after
    assert "<b>" not in intro.before and "&lt;" in intro.before


def test_a_comparison_pairs_sections_by_anchor_and_notices_moves():
    def text(*anchors):
        sections = [SectionText(a.title(), f"About {a}.", a) for a in anchors]
        return GuideText("T", "T", "D", "I", sections=sections, faqs=[])

    changes = compare(text("what", "cost", "risks"), text("cost", "what", "sessions"))
    kinds = [(c.label, c.kind) for c in changes if c.part == "Section"]
    assert kinds == [
        ("Cost", "moved"),
        ("Risks", "removed"),
        ("What", "unchanged"),
        ("Sessions", "added"),
    ]


def test_a_draft_saved_unchanged_from_a_browser_publishes_no_new_version(admin_client, guide):
    guide.sections.filter(order=0).update(body="One paragraph.\n\nAnother.")
    guide.revisions.update(text=GuideText.of_guide(guide).to_json())
    data = editor_data(admin_client.get(editor_url(guide)))
    data["sections-0-body"] = "One paragraph.\r\n\r\nAnother."  # as browsers send lines
    assert admin_client.post(editor_url(guide), data).status_code == 302
    assert guide.draft().text == guide.current_version().text
    assert guide.publish(None).number == 1
    assert guide.draft() is None


def test_a_comparison_shows_unchanged_paragraphs_by_their_first_words_only():
    def text(body):
        return GuideText("T", "T", "D", "I", sections=[SectionText("Cost", body, "cost")])

    kept = "This paragraph stays exactly as it was written before the change."
    [section] = [c for c in compare(text(f"{kept}\n\nOld price."), text(f"{kept}\n\nNew price."))
                 if c.part == "Section"]  # fmt: skip
    assert '<span class="unchanged">This paragraph stays exactly as it was written …</span>' in (
        section.before
    )
    assert "<del>Old</del> price." in section.before and "<ins>New</ins> price." in section.after


def test_a_guide_started_in_the_admin_is_written_then_published(admin_client, client):
    treatment = make_treatment(slug="cupping")
    response = admin_client.post(
        reverse("admin:treatments_guide_add"),
        {
            "treatment": treatment.pk,
            "title": "Cupping",
            "intro": "Suction cups.",
            "seo_title": "Cupping",
            "seo_description": "What cupping is.",
        },
    )
    guide = Guide.objects.get(treatment=treatment)
    assert response["Location"] == editor_url(guide)
    assert client.get("/treatments/cupping/").status_code == 404
    data = editor_data(admin_client.get(editor_url(guide)))
    data.update({"sections-0-heading": "What is cupping?", "sections-0-body": "Cups."})
    admin_client.post(editor_url(guide), data)
    token = guide.state_token(guide.draft(), None)
    admin_client.post(reverse("admin:treatments_guide_publish", args=[guide.pk]), {"token": token})
    assert guide.current_version().number == 1
    assert "What is cupping?" in public_page(client, guide)


def test_a_recorded_review_shows_on_the_cached_page_at_once(admin_client, client, guide):
    assert "Dr Ada Reviewer" not in public_page(client, guide)  # now cached for visitors
    add = reverse("admin:treatments_guidereview_add")
    admin_client.post(
        add,
        {
            "guide": guide.pk,
            "reviewer_name": "Dr Ada Reviewer",
            "register": "HCPC",
            "registration_number": "PH123456",
            "reviewed_on": "2026-10-01",
        },
    )
    assert "Dr Ada Reviewer" in public_page(client, guide)


def test_a_conflict_says_what_happened_to_the_draft(guide, other_admin):
    opened = guide.state_token(None, guide.current_version())
    draft = guide.save_draft(GuideText.of_guide(guide), other_admin, opened)
    saved = guide.state_token(draft, guide.current_version())
    guide.discard_draft(saved)
    with pytest.raises(EditConflict, match=r"^Someone discarded the draft\.$"):
        guide.save_draft(GuideText.of_guide(guide), None, saved)

    draft = guide.save_draft(GuideText.of_guide(guide), other_admin, opened)
    saved = guide.state_token(draft, guide.current_version())
    text = GuideText.of_guide(guide)
    text.title = "New title"
    guide.save_draft(text, other_admin, saved)
    guide.publish(other_admin)
    with pytest.raises(EditConflict, match=f"^{other_admin.username} published version 2 on "):
        guide.save_draft(text, None, saved)
    with pytest.raises(EditConflict, match="published version 2"):
        guide.save_draft(text, None, "a token from nowhere")


def test_a_long_note_for_the_history_is_cut_to_fit(guide):
    text = GuideText.of_guide(guide)
    text.title = "Changed"
    guide.save_draft(text, None, guide.state_token(None, guide.current_version()))
    assert guide.publish(None, note="x" * 500).note == "x" * 200
