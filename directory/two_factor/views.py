"""Signing in with a second step, and the account page where people set it up.

A right password for someone with a device does not sign them in: the session remembers who
they are (for ten minutes, and only while their password is unchanged) and asks for a code.
Only a right code calls django.contrib.auth.login(), and marks the session verified.
"""

import logging
import time
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from clinics import throttle
from directory.two_factor import devices
from directory.two_factor.forms import CodeForm
from directory.views import ThrottledLoginView

logger = logging.getLogger(__name__)

PENDING = "two_factor_pending"
PENDING_SECONDS = 10 * 60


class LoginView(ThrottledLoginView):
    """The throttled sign-in, with a second step for anyone who has a device."""

    def form_valid(self, form):
        user = form.get_user()
        if not devices.has_two_factor(user):
            return super().form_valid(form)
        # The password was right, so its failures reset as in a one-step sign-in.
        throttle.reset("login-user", user.get_username().lower())
        if self.request.user.is_authenticated:
            auth_logout(self.request)  # whoever was signed in here is not, as login() would do
        else:
            self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "hash": user.get_session_auth_hash(),
            "next": self.get_success_url(),
            "at": int(time.time()),
        }
        return redirect("two-factor-verify")


def _pending(request):
    """The user who gave the right password in this session and still owes a code."""
    pending = request.session.get(PENDING)
    if not pending:
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if (
        user is None
        or time.time() - pending["at"] > PENDING_SECONDS
        or not constant_time_compare(user.get_session_auth_hash(), pending["hash"])
    ):
        del request.session[PENDING]
        return None, None
    user.backend = pending["backend"]
    return pending, user


def _next_url(request, default=None):
    url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


def _with_next(request, url_name):
    """The URL `url_name`, carrying this request's `next` along when it is a safe one."""
    url = reverse(url_name)
    next_url = request.GET.get("next", "")
    if next_url and _next_url(request) == next_url:
        url += "?" + urlencode({"next": next_url})
    return url


def _log_refused(request, user, form, what):
    if form.result is None:
        return  # no code was given, so none was checked
    logger.warning(
        "%s refused for user %s from %s: %s",
        what,
        user.pk,
        throttle.client_address(request),
        "throttled after repeated wrong codes" if form.throttled else "wrong code",
    )


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """Step two: a code from the app or a backup code. Also asked of someone signed in
    without one (before they set up their device) when a page needs a verified session."""
    if request.user.is_authenticated:
        user, pending = request.user, None
        if user.is_verified() or not devices.has_two_factor(user):
            return redirect(_next_url(request))
    else:
        pending, user = _pending(request)
        if user is None:
            messages.info(request, "Please sign in again.")
            return redirect("login")
    form = CodeForm(user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            if pending is not None:
                del request.session[PENDING]
                auth_login(request, user)  # a new session key, as for any sign-in
            otp_login(request, form.accepted_device)
            logger.info(
                "Second step passed by user %s from %s", user.pk, throttle.client_address(request)
            )
            return redirect(pending["next"] if pending else _next_url(request))
        _log_refused(request, user, form, "Sign-in code")
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "pending": pending is not None},
        status=429 if form.throttled else 200,
    )


def _qr_code(device):
    """The app's setup link as an inline SVG QR code: no script, no request elsewhere."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", svgclass="d-block", lineclass=None
    )
    label = "QR code to scan with your authenticator app"
    # segno writes only its own drawing and numbers, so the markup is safe to inline.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


def _confirm_form(request, app, data=None):
    return CodeForm(
        request.user,
        data,
        device=app,
        prefix="confirm",
        submit="Turn on two-step sign-in",
        action=_with_next(request, "two-factor-confirm"),
    )


def _backup_form(request, data=None):
    return CodeForm(
        request.user,
        data,
        prefix="backup",
        submit="Make new backup codes",
        action=reverse("two-factor-backup-codes"),
    )


def _remove_form(request, data=None):
    return CodeForm(
        request.user,
        data,
        prefix="remove",
        submit="Turn off two-step sign-in",
        action=reverse("two-factor-remove"),
    )


def _account_page(request, status=200, **forms):
    """The account page, in whichever state the user is: off, being set up, or on. `forms`
    are bound forms to show with their errors in place of empty ones."""
    user = request.user
    context = {
        "enabled": devices.has_two_factor(user),
        "admin_requires": settings.ADMIN_REQUIRES_TWO_FACTOR and user.is_staff,
        "start_url": _with_next(request, "two-factor-start"),
    }
    if context["enabled"]:
        context["backup_codes_left"] = devices.backup_codes_left(user)
        forms.setdefault("backup_form", _backup_form(request))
        forms.setdefault("remove_form", _remove_form(request))
    elif app := devices.app_being_set_up(user):
        context.update(qr_code=_qr_code(app), setup_key=devices.setup_key(app))
        forms.setdefault("confirm_form", _confirm_form(request, app))
    return render(request, "registration/two_factor.html", {**context, **forms}, status=status)


@never_cache
@login_required
@require_GET
def account(request):
    return _account_page(request)


@never_cache
@login_required
@require_POST
def start(request):
    if not devices.has_two_factor(request.user):
        devices.start_app(request.user)
    return redirect(_with_next(request, "two-factor"))


@sensitive_post_parameters("confirm-code")
@never_cache
@login_required
@require_POST
def confirm(request):
    app = devices.app_being_set_up(request.user)
    if app is None:
        return redirect(_with_next(request, "two-factor"))
    form = _confirm_form(request, app, request.POST)
    if not form.is_valid():
        _log_refused(request, request.user, form, "Setup code")
        return _account_page(request, status=429 if form.throttled else 200, confirm_form=form)
    codes = devices.confirm_app(app)
    otp_login(request, app)  # the code just given verifies this session
    logger.info("Two-step sign-in turned on by user %s", request.user.pk)
    return _backup_codes_page(request, codes, turned_on=True)


@sensitive_post_parameters("backup-code")
@never_cache
@login_required
@require_POST
def backup_codes(request):
    form = _backup_form(request, request.POST)
    if not form.is_valid():
        _log_refused(request, request.user, form, "Code for new backup codes")
        return _account_page(request, status=429 if form.throttled else 200, backup_form=form)
    codes = devices.replace_backup_codes(request.user)
    logger.info("New backup codes made by user %s", request.user.pk)
    return _backup_codes_page(request, codes)


def _backup_codes_page(request, codes, turned_on=False):
    """Shown once, in the answer to the POST that made them; never stored in a page or cache."""
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {"codes": codes, "turned_on": turned_on, "next_url": _next_url(request, "two-factor")},
    )


@sensitive_post_parameters("remove-code")
@never_cache
@login_required
@require_POST
def remove(request):
    form = _remove_form(request, request.POST)
    if not form.is_valid():
        _log_refused(request, request.user, form, "Code to turn off two-step sign-in")
        return _account_page(request, status=429 if form.throttled else 200, remove_form=form)
    devices.remove_all(request.user)
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    logger.warning("Two-step sign-in turned off by user %s", request.user.pk)
    messages.success(request, "Two-step sign-in is off. Your password alone now signs you in.")
    return redirect("two-factor")
