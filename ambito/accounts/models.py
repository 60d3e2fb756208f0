import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

# How long an API token lives unless a shorter or longer life is asked for when it is issued.
API_TOKEN_DAYS = 90


def default_token_expiry() -> datetime:
    return timezone.now() + timedelta(days=API_TOKEN_DAYS)


class User(AbstractUser):
    """The login. What the person may see follows from their Operator profile."""

    class Meta:
        verbose_name = "utente"
        verbose_name_plural = "utenti"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def matching(self, raw: str) -> "ApiTokenQuerySet":
        return self.filter(
            digest=ApiToken.digest_of(raw), revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("prefisso", max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField("scade il", default=default_token_expiry)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "token API"
        verbose_name_plural = "token API"

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_raw_token() -> str:
        return secrets.token_urlsafe(32)


class LoginFailure(models.Model):
    """A failed login: enough of them in a window locks the username (see accounts.lockout)."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "accesso fallito"
        verbose_name_plural = "accessi falliti"

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class AccessLog(models.Model):
    """Append-only: who read or exported which person, case or document, when and why.

    The DPO searches it; a person may ask who accessed their data (GDPR art. 15).
    """

    class Action(models.TextChoices):
        READ = "read", "Consultazione"
        SEARCH = "search", "Ricerca"
        EXPORT = "export", "Esportazione"
        BREAK_GLASS = "break_glass", "Accesso straordinario"

    ambito = models.ForeignKey(
        "territory.Ambito", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("quando", default=timezone.now, db_index=True)
    action = models.CharField("azione", max_length=20, choices=Action.choices)
    object_type = models.CharField("oggetto", max_length=30)
    object_id = models.CharField("identificativo", max_length=64, blank=True)
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="persona interessata",
    )
    purpose = models.CharField("finalità", max_length=300)
    detail = models.JSONField("dettagli", default=dict, blank=True)

    class Meta:
        verbose_name = "registro degli accessi"
        verbose_name_plural = "registro degli accessi"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["ambito", "-at"], name="accesslog_ambito_at_idx"),
            models.Index(fields=["person", "-at"], name="accesslog_person_at_idx"),
            models.Index(fields=["user", "-at"], name="accesslog_user_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message for one user inside the application (e.g. the coordinator told of an emergency
    access to a reserved case). The text names no data subject: the link leads to the record,
    through its gatekeeper."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="destinatario",
    )
    created_at = models.DateTimeField("creata il", default=timezone.now)
    text = models.CharField("testo", max_length=500)
    link = models.CharField("collegamento", max_length=200, blank=True)
    read_at = models.DateTimeField("letta il", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notifica"
        verbose_name_plural = "notifiche"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.created_at:%Y-%m-%d %H:%M}"
