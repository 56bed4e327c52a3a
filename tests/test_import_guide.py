"""Guides written outside the site come in through import_guide, as a draft to check and
publish, and go out through export_guide; nothing half-imports."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_condition, make_guide, make_treatment
from treatments.guide_files import GuideFileError, read_guide
from treatments.models import Guide, GuideText, Treatment, TreatmentCondition

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def write(path, front_matter, body=""):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"+++\n{front_matter}\n+++\n\n{body}\n", encoding="utf-8")


@pytest.fixture
def cupping(tmp_path):
    """A new guide, as an admin might write it."""
    make_condition(slug="back-pain", name="Back pain")
    folder = tmp_path / "cupping"
    write(
        folder / "guide.md",
        'title = "Cupping: a guide"\n'
        'seo_description = "What cupping is and what the evidence says."\n'
        "sessions = [2, 4]\n\n"
        '[treatment]\nname = "Cupping"\nsummary = "Suction cups on the skin."\n\n'
        '[[conditions]]\nslug = "back-pain"\nstructures = "Muscles of the lower back"\n\n'
        '[review]\nreviewer = "Dr Ada Reviewer"\nrole = "Physiotherapist"\n'
        'register = "HCPC"\nnumber = "PH123456"\ndate = 2026-10-01\n'
        'note = "Checked the safety points."',
        "Cupping uses *suction*.",
    )
    write(folder / "sections" / "01-what.md", 'heading = "What is cupping?"', "Cups on skin.")
    write(folder / "sections" / "02-risks.md", 'heading = "Risks"', "Bruising.")
    write(folder / "faqs" / "01-hurt.md", 'question = "Does it hurt?"', "Rarely.")
    return folder


def test_a_new_guide_comes_in_as_a_draft_of_an_unpublished_treatment(cupping, client):
    output = run("import_guide", str(cupping))
    guide = Guide.objects.get(treatment__slug="cupping")
    assert "saved as a draft: preview it at /guides/" in output
    assert "The treatment Cupping is new and not published yet." in output
    assert not guide.is_published() and not guide.treatment.is_published
    text = guide.draft().as_text()
    assert [s.heading for s in text.sections] == ["What is cupping?", "Risks"]
    assert [f.question for f in text.faqs] == ["Does it hurt?"]
    assert (text.intro, text.sessions_min, text.sessions_max) == ("Cupping uses *suction*.", 2, 4)
    assert text.seo_title == "Cupping: a guide"  # defaults to the title
    link = TreatmentCondition.objects.get(treatment=guide.treatment)
    assert link.structures == "Muscles of the lower back"
    assert guide.latest_review().registration() == "HCPC registration PH123456"
    assert client.get("/treatments/cupping/").status_code == 404


def test_publish_makes_it_the_next_version_at_once(cupping, client):
    output = run("import_guide", str(cupping), "--publish")
    assert "published as version 1" in output
    page = client.get("/treatments/cupping/").content.decode()
    assert "What is cupping?" in page and "Does it hurt?" in page


def test_an_existing_guide_gets_a_draft_and_keeps_its_published_text(tmp_path, client):
    guide = make_guide(treatment=make_treatment(slug="dry-needling"), title="Published title")
    run("export_guide", "dry-needling", str(tmp_path))
    folder = tmp_path / "dry-needling"
    assert read_guide(folder).text == GuideText.of_guide(guide)
    section = folder / "sections" / "01-section-0.md"
    section.write_text(section.read_text().replace("Body", "A body written elsewhere"))

    run("import_guide", str(folder))
    assert guide.draft().as_text().sections[0].body == "A body written elsewhere"
    assert (
        "A body written elsewhere" not in client.get("/treatments/dry-needling/").content.decode()
    )

    with pytest.raises(CommandError, match="has a draft, saved by someone"):
        run("import_guide", str(folder))
    run("import_guide", str(folder), "--replace-draft", "--publish")
    assert "A body written elsewhere" in client.get("/treatments/dry-needling/").content.decode()
    assert guide.current_version().number == 2


@pytest.mark.parametrize(
    ("file", "front_matter", "message"),
    [
        ("guide.md", 'titel = "x"', "guide.md: title is missing"),
        ("sections/01-what.md", 'heading = "What?"\ncolour = "red"', "unknown key colour"),
        (
            "sections/01-what.md",
            'heading = "Unclosed',
            r"front matter \(from line 2\): Unterminated string",
        ),
        ("faqs/01-hurt.md", "question = 3", "question must be a str"),
        ("sections/01-what.md", f'heading = "{"x" * 151}"', "at most 150 characters"),
    ],
)
def test_a_mistake_in_any_file_is_named_and_nothing_is_imported(
    cupping, file, front_matter, message
):
    write(cupping / file, front_matter, "Text.")
    with pytest.raises(CommandError, match=message):
        run("import_guide", str(cupping))
    assert not Treatment.objects.filter(slug="cupping").exists()


def test_unknown_conditions_and_bad_registrations_are_refused(cupping):
    guide_file = cupping / "guide.md"
    text = guide_file.read_text()
    guide_file.write_text(text.replace('"back-pain"', '"no-such-pain"').replace("PH123456", "1"))
    with pytest.raises(CommandError) as error:
        run("import_guide", str(cupping))
    assert "no condition 'no-such-pain'" in str(error.value)
    assert "A HCPC number is two letters" in str(error.value)
    assert not Guide.objects.exists()


def test_a_file_without_front_matter_is_refused(tmp_path):
    folder = tmp_path / "x"
    folder.mkdir()
    Path(folder / "guide.md").write_text("Just text.")
    with pytest.raises(GuideFileError, match="must start with front matter"):
        read_guide(folder)
