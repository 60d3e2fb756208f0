"""Changes to accounts: atomic, with their actor."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ambito.accounts.models import ApiToken, User


def _may_manage_tokens_of(user: User, by: Any) -> bool:
    """`by` is None from the command line, where shell access is already the permission."""
    return by is None or by.pk == user.pk or by.is_superuser


@transaction.atomic
def issue_api_token(user: User, *, by: Any) -> str:
    """Creates a bearer token for `user` and returns it: shown once, only its digest is kept."""
    if not _may_manage_tokens_of(user, by):
        raise PermissionDenied("Solo un amministratore può creare token per altri utenti.")
    if not user.is_active:
        raise ValidationError(f"L'utente «{user.get_username()}» è disattivato.")
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(raw), prefix=raw[:8])
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
