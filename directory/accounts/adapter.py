from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from clinics import throttle
from clinics.emails import normalise_address as normalise_email


def account_for_email(email):
    """The id of the account an email names, verified or not, or None."""
    email = normalise_email(email)
    found = EmailAddress.objects.filter(email=email).values_list("user_id", flat=True).first()
    if found is None:
        found = (
            get_user_model()
            .objects.filter(email__iexact=email)
            .values_list("pk", flat=True)
            .first()
        )
    return found


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request, **credentials):
        """What failed sign-ins count against (allauth's "login_failed" key, also cleared
        after a password reset): the account the typed email resolves to, so that no way of
        writing the same address earns fresh tries; an address with no account counts under
        its normalised self. allauth's own key is the raw text, lower-cased, under the
        request's host name."""
        email = normalise_email(credentials.get("email") or credentials.get("username"))
        user_id = account_for_email(email)
        return f"account:{user_id}" if user_id is not None else f"email:{email}"

    def clean_email(self, email):
        return normalise_email(super().clean_email(email))

    def get_client_ip(self, request):
        # The address the outermost trusted proxy saw (TRUSTED_PROXY_COUNT), as for every
        # other rate limit on the site.
        return throttle.client_address(request) or "unknown"
