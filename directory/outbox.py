"""The outbox: every email the site sends is stored by django-mailer's backend inside the
request, and `manage.py outbox` sends it. While the mail server is unreachable, emails are
deferred and tried again every OUTBOX_RETRY_SECONDS, so none is lost and no page waits."""

import logging
import smtplib

from mailer.models import RESULT_FAILURE, MessageLog

logger = logging.getLogger(__name__)


def defer_on_failure(connection, message, exc):
    """django-mailer's MAILER_ERROR_HANDLER. Its own defers only some SMTP errors and raises
    the rest, which would stop the worker: a server that hangs up (SMTPServerDisconnected),
    a timeout or a refused connection all defer the email here, to be tried again."""
    if not isinstance(exc, smtplib.SMTPException | OSError):
        raise exc
    message.defer()
    logger.warning("Email %s deferred: %s", message.pk, type(exc).__name__)
    MessageLog.objects.log(message, RESULT_FAILURE, log_message=f"{type(exc).__name__}: {exc}")
    return None, "deferred"  # a new connection for the next email
