"""The admin's guide editor: a draft of the whole guide (its fields, sections and FAQs) in one
form, with a preview of every Markdown field rendered as patients will see it."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from treatments.markdown import render_markdown
from treatments.models import FAQText, Guide, GuideFAQ, GuideSection, GuideText, SectionText


class MarkdownTextarea(forms.Textarea):
    """A textarea for Markdown with, under it, its text rendered through the same sanitiser as
    the public pages. The preview opens on demand (<details>, no script needed) and shows the
    text as last sent; js/markdown-preview.js, where scripts run, keeps it up to date as one
    types, by asking the server to render it."""

    class Media:
        js = ["js/markdown-preview.js"]

    def value_from_datadict(self, data, files, name):
        # Browsers send a textarea's lines ended with CR LF; the text is kept with LF alone,
        # as files and earlier versions have it, so that only real changes show as changes.
        value = super().value_from_datadict(data, files, name)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "data-markdown-preview": reverse("admin:markdown-preview")}
        textarea = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<details class="markdown-preview"><summary>Preview</summary>'
            '<div class="markdown-preview-body" id="{}-preview">{}</div></details>',
            textarea,
            attrs.get("id", name),
            render_markdown(value or ""),
        )


def model_field(model, name, **kwargs):
    """A form field made from the model's own, so lengths, labels and help stay in one place."""
    return model._meta.get_field(name).formfield(**kwargs)


class GuideTextForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    title = model_field(Guide, "title")
    intro = model_field(Guide, "intro", widget=MarkdownTextarea(attrs={"rows": 5}))
    seo_title = model_field(Guide, "seo_title")
    seo_description = model_field(Guide, "seo_description")
    sessions_min = model_field(Guide, "sessions_min")
    sessions_max = model_field(Guide, "sessions_max")

    def clean(self):
        data = super().clean()
        low, high = data.get("sessions_min"), data.get("sessions_max")
        if low is not None and high is not None and low > high:
            self.add_error("sessions_max", "The usual sessions 'to' cannot be fewer than 'from'.")
        return data


class SectionForm(forms.Form):
    heading = model_field(GuideSection, "heading")
    anchor = model_field(GuideSection, "anchor")
    body = model_field(GuideSection, "body", widget=MarkdownTextarea(attrs={"rows": 14}))


class FAQForm(forms.Form):
    question = model_field(GuideFAQ, "question")
    answer = model_field(GuideFAQ, "answer", widget=MarkdownTextarea(attrs={"rows": 4}))


class BaseTextFormSet(forms.BaseFormSet):
    """Rows in the order their 'Order' numbers give (ties as listed), without deleted and
    untouched blank ones."""

    ordering_widget = forms.NumberInput(attrs={"min": 0, "class": "vSmallIntegerField"})
    noun = "part"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Position"
        form.fields["ORDER"].help_text = f"Where the {self.noun} stands: 1 first, then 2..."
        form.fields["DELETE"].label = f"Remove this {self.noun}"

    def kept(self):
        return [form.cleaned_data for form in self.ordered_forms]


class BaseSectionFormSet(BaseTextFormSet):
    noun = "section"

    def clean(self):
        if any(self.errors):
            return
        anchors = [data["anchor"] for data in self.kept() if data.get("anchor")]
        repeated = sorted({anchor for anchor in anchors if anchors.count(anchor) > 1})
        if repeated:
            raise forms.ValidationError(
                f"Two sections have the anchor {', '.join(repeated)}: each needs its own."
            )


SectionFormSet = forms.formset_factory(
    SectionForm, formset=BaseSectionFormSet, extra=1, can_order=True, can_delete=True
)


class BaseFAQFormSet(BaseTextFormSet):
    noun = "question"


FAQFormSet = forms.formset_factory(
    FAQForm, formset=BaseFAQFormSet, extra=1, can_order=True, can_delete=True
)


class GuideEditor:
    """The guide's fields, its sections and its FAQs, edited together as one draft."""

    def __init__(self, data=None, text=None, token=None):
        initial = None
        sections = faqs = None
        if text is not None:
            initial = {name: getattr(text, name) for name in GuideText.FIELDS}
            initial["token"] = token
            sections = [
                {"heading": s.heading, "anchor": s.anchor, "body": s.body, "ORDER": i + 1}
                for i, s in enumerate(text.sections)
            ]
            faqs = [
                {"question": f.question, "answer": f.answer, "ORDER": i + 1}
                for i, f in enumerate(text.faqs)
            ]
        self.form = GuideTextForm(data, initial=initial)
        self.sections = SectionFormSet(data, initial=sections, prefix="sections")
        self.faqs = FAQFormSet(data, initial=faqs, prefix="faqs")

    @property
    def media(self):
        return self.form.media + self.sections.media

    def is_valid(self):
        # Every part is checked, so that every error shows at once.
        return all([self.form.is_valid(), self.sections.is_valid(), self.faqs.is_valid()])

    @property
    def token(self):
        return self.form.cleaned_data["token"]

    def text(self):
        data = self.form.cleaned_data
        return GuideText(
            **{name: data[name] for name in GuideText.FIELDS},
            sections=[
                SectionText(s["heading"], s["body"], s["anchor"]) for s in self.sections.kept()
            ],
            faqs=[FAQText(f["question"], f["answer"]) for f in self.faqs.kept()],
        )

    def with_token(self, token):
        """The same typed text, to send again over the latest draft (after a conflict)."""
        data = self.form.data.copy()
        data["token"] = token
        return GuideEditor(data)
