"""The second factor: which devices a user has, checking a code, the enrolment QR code.

Every operator logs in with a password and then a code: six digits from an authenticator app
(a django-otp TOTPDevice) or one of ten single-use recovery codes (a StaticDevice). A session
is verified once django_otp.login() has recorded the device that accepted the code.
"""

import base64
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
WRONG_CODE = "Codice non valido o già usato. Controlla l'ora del telefono e riprova."
THROTTLED = "Troppi codici errati di seguito: attendi qualche secondo prima di riprovare."


def has_second_factor(user: Any) -> bool:
    """Whether the user has finished enrolment (a confirmed app or recovery codes)."""
    return user_has_device(user, confirmed=True)


def second_step_url(user: Any, next_url: str = "") -> str:
    """Where a user goes after the password: the code, enrolment at first login, or straight
    to `next_url` when a device already verified this session (OTPMiddleware's otp_device)."""
    if getattr(user, "otp_device", None) is not None:
        return next_url or resolve_url(settings.LOGIN_REDIRECT_URL)
    url = reverse("accounts:verify" if has_second_factor(user) else "accounts:enrol")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def verify_code(user: Any, code: str) -> Device:
    """The user's confirmed device that accepts `code`: the app for six digits, else the
    recovery codes. Raises ValidationError (code "wrong" or "throttled") when none does."""
    code = normalize(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    device = model.objects.devices_for_user(user, confirmed=True).first()
    if device is None:
        raise ValidationError(WRONG_CODE, code="wrong")
    return verify_on(device, code)


def verify_on(device: Any, code: str) -> Any:
    """Checks `code` on one device (confirmed or not), with django-otp's replay protection and
    growing delay after consecutive errors. Returns the device or raises ValidationError."""
    with transaction.atomic():
        # Locked, so that two requests cannot spend the same code.
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, _ = device.verify_is_allowed()
        accepted = allowed and device.verify_token(normalize(code))
    # Raised outside the transaction: the failure count django-otp saved must stay.
    if not allowed:
        raise ValidationError(THROTTLED, code="throttled")
    if not accepted:
        raise ValidationError(WRONG_CODE, code="wrong")
    return device


def normalize(code: str) -> str:
    """Spaces dropped and lower case: apps show "123 456", recovery codes are lower case."""
    return "".join(code.split()).lower()


def base32_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// URI (issuer OTP_TOTP_ISSUER) as an inline SVG: no image, no script."""
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(
        scale=5, border=4, svgclass="qr-code", title="Codice QR per l'app di autenticazione"
    )
    # segno writes only paths and a title, built from our own URI; role="img" for screen readers.
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))
