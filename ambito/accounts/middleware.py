"""Keeps a user who has given only their password away from every page with data."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from ambito.accounts.twofactor import second_step_url

# The pages of the login itself, and the health check of the load balancer.
OPEN_VIEWS = frozenset(
    {"accounts:login", "accounts:logout", "accounts:verify", "accounts:enrol", "healthz"}
)
# The API ignores sessions: it authenticates every request by bearer token (ambito.api); the
# WaaS API that INPS polls, by the PDND voucher (ambito.flows.waas).
OPEN_PREFIXES = ("/api/", "/waas/")


class RequireSecondFactorMiddleware:
    """Sends an authenticated user whose session no device has verified to the second step
    (the code, or enrolment at first login). After django_otp's OTPMiddleware; the Django
    admin is covered like every other page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.path_info.startswith(OPEN_PREFIXES):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        user = request.user
        # is_verified() is django_otp's, installed on request.user by OTPMiddleware.
        if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr,attr-defined]
            return None
        next_url = request.get_full_path() if request.method == "GET" else ""
        return redirect(second_step_url(user, next_url))
