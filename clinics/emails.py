"""The emails the site sends about clinics, each written as templates under
templates/emails/: `<name>_subject.txt`, `<name>.txt` and, where it helps, `<name>.html`.

They go out through EMAIL_BACKEND, which in every deployment is the outbox (django-mailer's
queue, sent by `manage.py outbox`): sending stores the email and returns at once. Each
recipient gets an email of their own, so nobody sees who else was told.
"""

import unicodedata

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string


def normalise_address(value):
    """An email address as accounts store and compare it: NFKC (so full-width 'ｓｔａｆｆ＠…'
    and other compatibility look-alikes become the plain letters they stand for), trimmed,
    lower case. Django normalises usernames with NFKC the same way; allauth only
    lower-cases."""
    return unicodedata.normalize("NFKC", value or "").strip().lower()


def send(name, recipients, context):
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    body = render_to_string(f"emails/{name}.txt", context)
    try:
        html = render_to_string(f"emails/{name}.html", context)
    except TemplateDoesNotExist:
        html = None
    for recipient in dict.fromkeys(recipients):
        message = EmailMultiAlternatives(subject, body, to=[recipient])
        if html:
            message.attach_alternative(html, "text/html")
        message.send()


def send_on_commit(name, recipients, context):
    """Send once the decision that prompted it is committed (and never if it is not)."""
    recipients = list(recipients)
    transaction.on_commit(lambda: send(name, recipients, context))
