from allauth.account import forms as allauth_forms

from directory.accounts.adapter import normalise_email


def _normalised(data, field):
    """A copy of the submitted `data` with `field` normalised as every stored email is."""
    if data is None or field not in data:
        return data
    data = data.copy()
    data[field] = normalise_email(data[field])
    return data


class LoginForm(allauth_forms.LoginForm):
    """allauth's sign-in form, with the email normalised before anything looks it up, so
    'ｓｔａｆｆ＠demo.example' is the same account (and the same failure count) as
    'staff@demo.example'."""

    def __init__(self, *args, data=None, **kwargs):
        super().__init__(*args, data=_normalised(data, "login"), **kwargs)
        self.fields["password"].help_text = ""  # the page links to the reset itself


class SignupForm(allauth_forms.SignupForm):
    def __init__(self, *args, data=None, **kwargs):
        super().__init__(*args, data=_normalised(data, "email"), **kwargs)


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    """The reset request's rate limit counts the normalised address (allauth keys it on the
    cleaned email), so look-alike spellings share one count."""

    def __init__(self, *args, data=None, **kwargs):
        super().__init__(*args, data=_normalised(data, "email"), **kwargs)
