"""Guides as files, for writing outside the site: one folder per treatment, named by its slug.

    dry-needling/
        guide.md                       the title, SEO fields, treatment and review in its
                                       front matter; the introduction below it
        sections/01-what-is-it.md      one file per section, in the order of their names:
                                       `heading` (and optionally `anchor`) in the front matter
        faqs/01-is-it-safe.md          one file per question: `question` in the front matter

Front matter is TOML between `+++` lines (as Hugo writes it; Python reads TOML itself), and
everything after it is Markdown. `seed_demo` loads the demo's guides from such folders, and
`import_guide` brings in a guide an admin wrote, as a draft to preview and publish.
"""

import datetime
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from treatments.models import FAQText, GuideText, SectionText

FRONT_MATTER = re.compile(r"\A\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*(?:\n|\Z)(.*)\Z", re.S)


class GuideFileError(ValueError):
    """A guide folder that cannot be read, with the file and what is wrong in it."""


@dataclass
class ReviewSource:
    reviewer_name: str
    reviewer_role: str
    register: str
    registration_number: str
    reviewed_on: datetime.date
    note: str = ""


@dataclass
class GuideSource:
    """Everything a guide folder says: the treatment, the conditions it is used for (with the
    muscles or structures involved), the guide's whole text and its clinical review."""

    slug: str
    name: str
    summary: str
    related: list[str]
    conditions: list[tuple[str, str]]  # (condition slug, structures)
    text: GuideText
    review: ReviewSource | None = None
    files: list[Path] = field(default_factory=list)


def read_guide(folder):
    """The GuideSource in `folder`. Raises GuideFileError naming the file at fault."""
    folder = Path(folder)
    guide_file = folder / "guide.md"
    if not guide_file.is_file():
        raise GuideFileError(f"{folder}: no guide.md in this folder.")
    meta, intro = _read(guide_file)
    reader = _Fields(guide_file, meta)
    title = reader.text("title")
    seo_title = reader.text("seo_title", default=title)
    seo_description = reader.text("seo_description")
    sessions = reader.get("sessions", list, default=[])
    if len(sessions) > 2 or not all(isinstance(n, int) and n > 0 for n in sessions):
        raise GuideFileError(f"{guide_file}: sessions must be [from, to], e.g. [3, 6].")
    treatment = _Fields(guide_file, reader.get("treatment", dict), "treatment")
    conditions = [
        (item.text("slug"), item.text("structures", default=""))
        for item in (
            _Fields(guide_file, entry, "conditions")
            for entry in reader.get("conditions", list, default=[])
        )
    ]
    review = None
    if "review" in meta:
        item = _Fields(guide_file, reader.get("review", dict), "review")
        review = ReviewSource(
            reviewer_name=item.text("reviewer"),
            reviewer_role=item.text("role", default=""),
            register=item.text("register"),
            registration_number=item.text("number"),
            reviewed_on=item.get("date", datetime.date),
            note=item.text("note", default=""),
        )
        item.done()
    sections, section_files = [], sorted((folder / "sections").glob("*.md"))
    for path in section_files:
        meta, body = _read(path)
        item = _Fields(path, meta)
        sections.append(SectionText(item.text("heading"), body, item.text("anchor", default="")))
        item.done()
    faqs, faq_files = [], sorted((folder / "faqs").glob("*.md"))
    for path in faq_files:
        meta, answer = _read(path)
        item = _Fields(path, meta)
        faqs.append(FAQText(item.text("question"), answer))
        item.done()
    source = GuideSource(
        slug=reader.text("slug", default=folder.name),
        name=treatment.text("name"),
        summary=treatment.text("summary"),
        related=treatment.get("related", list, default=[]),
        conditions=conditions,
        text=GuideText(
            title=title,
            seo_title=seo_title,
            seo_description=seo_description,
            intro=intro,
            sessions_min=sessions[0] if sessions else None,
            sessions_max=sessions[-1] if sessions else None,
            sections=sections,
            faqs=faqs,
        ).with_anchors(),
        review=review,
        files=[guide_file, *section_files, *faq_files],
    )
    treatment.done()
    reader.done()
    return source


def write_guide(source, folder):
    """Write `source` (a GuideSource) as a guide folder that read_guide() reads back."""
    folder = Path(folder)
    for part in ("sections", "faqs"):
        (folder / part).mkdir(parents=True, exist_ok=True)
        for old in (folder / part).glob("*.md"):
            old.unlink()
    text = source.text
    meta = [
        ("title", text.title),
        ("seo_title", text.seo_title),
        ("seo_description", text.seo_description),
    ]
    lines = [f"{key} = {_toml(value)}" for key, value in meta]
    sessions = [n for n in (text.sessions_min, text.sessions_max) if n is not None]
    if sessions:
        lines.append(f"sessions = {_toml(sessions)}")
    lines += [
        "",
        "[treatment]",
        f"name = {_toml(source.name)}",
        f"summary = {_toml(source.summary)}",
        f"related = {_toml(source.related)}",
    ]
    if source.review:
        review = source.review
        lines += [
            "",
            "[review]",
            f"reviewer = {_toml(review.reviewer_name)}",
            f"role = {_toml(review.reviewer_role)}",
            f"register = {_toml(review.register)}",
            f"number = {_toml(review.registration_number)}",
            f"date = {review.reviewed_on.isoformat()}",
            f"note = {_toml(review.note)}",
        ]
    for slug, structures in source.conditions:
        lines += [
            "",
            "[[conditions]]",
            f"slug = {_toml(slug)}",
            f"structures = {_toml(structures)}",
        ]
    _write(folder / "guide.md", lines, text.intro)
    for n, section in enumerate(text.sections, start=1):
        meta = [f"heading = {_toml(section.heading)}", f"anchor = {_toml(section.anchor)}"]
        _write(folder / "sections" / f"{n:02d}-{section.anchor}.md", meta, section.body)
    for n, faq in enumerate(text.faqs, start=1):
        name = re.sub(r"[^a-z0-9]+", "-", faq.question.lower()).strip("-")[:60]
        _write(
            folder / "faqs" / f"{n:02d}-{name}.md",
            [f"question = {_toml(faq.question)}"],
            faq.answer,
        )


def _read(path):
    content = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    match = FRONT_MATTER.match(content)
    if not match:
        raise GuideFileError(f"{path}: the file must start with front matter between +++ lines.")
    try:
        meta = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError as error:
        # TOML counts lines from the front matter's start, one below the opening +++.
        raise GuideFileError(f"{path}: front matter (from line 2): {error}") from None
    return meta, match.group(2).strip()


class _Fields:
    """Reads a front matter table, and refuses keys nobody reads (a misspelt `titel`)."""

    def __init__(self, path, table, where=""):
        if not isinstance(table, dict):
            raise GuideFileError(f"{path}: {where} must be a table of keys and values.")
        self.path, self.table, self.where, self.read = path, table, where, set()

    def get(self, key, kind, default=...):
        self.read.add(key)
        if key not in self.table:
            if default is ...:
                raise GuideFileError(f"{self.path}: {self._name(key)} is missing.")
            return default
        value = self.table[key]
        if not isinstance(value, kind) or (
            kind is datetime.date and isinstance(value, datetime.datetime)
        ):
            raise GuideFileError(f"{self.path}: {self._name(key)} must be a {kind.__name__}.")
        return value

    def text(self, key, default=...):
        value = self.get(key, str, default)
        value = value.strip()
        if not value and default is ...:
            raise GuideFileError(f"{self.path}: {self._name(key)} is empty.")
        return value

    def done(self):
        unknown = sorted(set(self.table) - self.read)
        if unknown:
            raise GuideFileError(
                f"{self.path}: unknown {'key' if len(unknown) == 1 else 'keys'} "
                f"{', '.join(self._name(key) for key in unknown)}."
            )

    def _name(self, key):
        return f"{self.where}.{key}" if self.where else key


def _toml(value):
    """A TOML value: strings quoted with escapes, lists of them."""
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, int):
        return str(value)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _write(path, front_matter, body):
    path.write_text("+++\n" + "\n".join(front_matter) + "\n+++\n\n" + body.strip() + "\n", "utf-8")
