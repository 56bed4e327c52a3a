from allauth.account.views import LoginView as AllauthLoginView


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
