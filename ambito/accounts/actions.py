"""Changes to accounts: atomic, with their actor."""

import logging
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ambito.accounts import lockout
from ambito.accounts.models import API_TOKEN_DAYS, ApiToken, LoginFailure, User
from ambito.accounts.twofactor import RECOVERY_CODES

logger = logging.getLogger(__name__)


def _may_manage_tokens_of(user: User, by: Any) -> bool:
    """`by` is None from the command line, where shell access is already the permission."""
    return by is None or by.pk == user.pk or by.is_superuser


@transaction.atomic
def issue_api_token(user: User, *, by: Any, days: int = API_TOKEN_DAYS) -> str:
    """Creates a bearer token for `user`, valid `days` days, and returns it: shown once, only
    its digest is kept."""
    if not _may_manage_tokens_of(user, by):
        raise PermissionDenied("Solo un amministratore può creare token per altri utenti.")
    if not user.is_active:
        raise ValidationError(f"L'utente «{user.get_username()}» è disattivato.")
    if days < 1:
        raise ValidationError("La durata del token deve essere di almeno un giorno.")
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(
        user=user,
        digest=ApiToken.digest_of(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + timedelta(days=days),
    )
    return raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: Any) -> ApiToken:
    """Revokes a token for good; revoking it again changes nothing."""
    if not _may_manage_tokens_of(token.user, by):
        raise PermissionDenied("Solo un amministratore può revocare token di altri utenti.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def record_login_failure(username: str, *, ip: str | None, step: str) -> LoginFailure:
    """Records a wrong password or code for `username` (see accounts.lockout) and logs it,
    and the lockout when this failure starts one. Never the password or the code."""
    failure = LoginFailure.objects.create(username=username[:150], ip=ip)
    logger.warning("Login failed: username=%r step=%s ip=%s", username, step, ip)
    until = lockout.locked_until(username)
    if until is not None and until == failure.at + lockout.lockout_span():
        logger.warning("Login locked: username=%r until=%s ip=%s", username, until, ip)
    return failure


@transaction.atomic
def start_totp_enrolment(user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator device, created with a random key the first time:
    the same key is shown again until a right code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="App di autenticazione", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(device: TOTPDevice, *, by: Any) -> list[str]:
    """Confirms an enrolled device (its code has been checked) and replaces the user's recovery
    codes with ten new single-use ones, returned to be shown once."""
    if by.pk != device.user_id:
        raise PermissionDenied("Solo il titolare può attivare la propria verifica in due passaggi.")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=device.user).delete()
    recovery = StaticDevice.objects.create(
        user=device.user, name="Codici di recupero", confirmed=True
    )
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    logger.info("Two-factor enrolment completed: username=%r", device.user.get_username())
    return codes
