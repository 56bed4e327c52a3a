from django import template

from directory.attention import queues

register = template.Library()


@register.inclusion_tag("admin/_attention_queue.html", takes_context=True)
def attention_queue(context):
    """The admin home's counts of what needs attention (directory/attention.py), for the
    queues this user may see: one query each."""
    user = context["request"].user
    return {
        "queues": [
            {"label": queue.label, "url": queue.url(), "count": queue.rows().count()}
            for queue in queues()
            if queue.visible_to(user)
        ]
    }
