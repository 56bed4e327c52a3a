from django import template

from treatments.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Admin-written Markdown as sanitised HTML."""
    return render_markdown(text)
