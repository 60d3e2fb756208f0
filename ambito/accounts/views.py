"""Login in two steps (password, then a code), enrolment of the second factor, password change.

RequireSecondFactorMiddleware keeps a user who has given only their password on these pages.
"""

import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from ambito.accounts import lockout, twofactor
from ambito.accounts.actions import (
    confirm_totp_device,
    record_login_failure,
    start_totp_enrolment,
)
from ambito.accounts.forms import CodeForm, EnrolmentForm, LoginForm, PasswordChangeForm

logger = logging.getLogger(__name__)
# The recovery codes just created, kept in the session only until the page that shows them.
RECOVERY_CODES_KEY = "ambito_recovery_codes"


class LoginView(auth_views.LoginView):
    """The first step: username and password. Then the code, or enrolment at first login."""

    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        if form.attempt_failed:
            username = form.cleaned_data.get("username", "")
            record_login_failure(username, ip=client_ip(self.request), step="password")
        return super().form_invalid(form)

    def get_success_url(self) -> str:
        return twofactor.second_step_url(self.request.user, super().get_success_url())


login = LoginView.as_view()
# POST only (Django refuses GET logouts); redirects to LOGOUT_REDIRECT_URL.
logout = auth_views.LogoutView.as_view()
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html",
    form_class=PasswordChangeForm,
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app, or a recovery code."""
    user, next_url = request.user, next_url_of(request)
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(next_url)
    if not twofactor.has_second_factor(user):
        return redirect(twofactor.second_step_url(user, next_url))
    if lockout.locked_until(user.get_username()):
        return locked_out(request)
    form = CodeForm(user, request.POST or None)
    if form.is_bound and form.is_valid():
        complete_login(request, form.device)
        return redirect(next_url)
    if form.attempt_failed and failure_locks(request, step="code"):
        return locked_out(request)
    return render(request, "accounts/verify.html", {"form": form})


@never_cache
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """First login: a new key for the authenticator app, confirmed by its first code."""
    user, next_url = request.user, next_url_of(request)
    if twofactor.has_second_factor(user):
        return redirect(twofactor.second_step_url(user, next_url))
    if lockout.locked_until(user.get_username()):
        return locked_out(request)
    device = start_totp_enrolment(user)  # type: ignore[arg-type]
    form = EnrolmentForm(device, request.POST or None)
    if form.is_bound and form.is_valid():
        request.session[RECOVERY_CODES_KEY] = confirm_totp_device(device, by=user)
        complete_login(request, device)
        return redirect(f"{reverse('accounts:recovery_codes')}?{urlencode({'next': next_url})}")
    if form.attempt_failed and failure_locks(request, step="enrolment"):
        return locked_out(request)
    context = {
        "form": form,
        "secret": twofactor.base32_secret(device),
        "qr_svg": twofactor.qr_svg(device),
    }
    return render(request, "accounts/enrol.html", context)


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes made at enrolment, shown once: a reload shows them no more."""
    codes = request.session.pop(RECOVERY_CODES_KEY, None)
    if not codes:
        return redirect(next_url_of(request))
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url_of(request)}
    )


def complete_login(request: HttpRequest, device: Any) -> None:
    """Marks the session verified by `device`, under a new session key."""
    otp_login(request, device)
    request.session.cycle_key()
    logger.info(
        "Login completed: username=%r device=%s ip=%s",
        request.user.get_username(),
        device.persistent_id,
        client_ip(request),
    )


def failure_locks(request: HttpRequest, *, step: str) -> bool:
    """Records a wrong code of the logged-in user; True if it locks their username."""
    username = request.user.get_username()
    record_login_failure(username, ip=client_ip(request), step=step)
    return lockout.locked_until(username) is not None


def locked_out(request: HttpRequest) -> HttpResponse:
    """Ends the half-done login and shows the lockout message on the login page."""
    until = lockout.locked_until(request.user.get_username())
    auth_logout(request)
    if until is not None:
        messages.error(request, lockout.locked_message(until))
    return redirect("accounts:login")


def next_url_of(request: HttpRequest) -> str:
    """The page asked for before the login, if it is one of ours; else the desk."""
    candidate = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if candidate and safe else resolve_url(settings.LOGIN_REDIRECT_URL)


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
