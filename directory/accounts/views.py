import logging

from allauth.account.views import LoginView as AllauthLoginView
from allauth.account.views import PasswordResetView as AllauthPasswordResetView
from allauth.core import ratelimit

from clinics import throttle

logger = logging.getLogger(__name__)


class LoginView(AllauthLoginView):
    """allauth's sign-in, answering 429 (Too Many Requests) rather than 200 once the failures
    for an account or from an address reach their limit (ACCOUNT_RATE_LIMITS
    "login_failed"), so that scripts and monitoring see the block for what it is."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if any(
            error.code == "too_many_login_attempts"
            for errors in form.errors.as_data().values()
            for error in errors
        ):
            response.status_code = 429
        return response


class PasswordResetView(AllauthPasswordResetView):
    """allauth's reset request, limited per address asked for and per client
    (ACCOUNT_RATE_LIMITS "reset_password"), but answering beyond the limit exactly as
    within it, where allauth would answer 429: the page says an email is on its way if the
    address has an account, and no email goes."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].lower()  # normalised by ResetPasswordForm
        if ratelimit.consume(self.request, action="reset_password", key=email):
            form.save(self.request)
        else:
            logger.warning(
                "Password reset limit reached from %s", throttle.client_address(self.request)
            )
        # FormView's, not allauth's, which would count the request a second time.
        return super(AllauthPasswordResetView, self).form_valid(form)
