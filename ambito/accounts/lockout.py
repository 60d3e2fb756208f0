"""The login lockout rule, as queries over accounts.LoginFailure.

After AMBITO_LOCKOUT_ATTEMPTS failed attempts (a wrong password or a wrong second-factor code)
for one username within AMBITO_LOCKOUT_MINUTES, that username is refused for
AMBITO_LOCKOUT_MINUTES, counted from the failure that reached the limit. Attempts refused during
a lockout are not recorded, so the lockout ends on time. Usernames that do not exist lock like
real ones, and the message is the same: it must not tell them apart.
"""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ambito.accounts.models import LoginFailure


def lockout_span() -> timedelta:
    """Both the window in which failures are counted and how long a lockout lasts."""
    return timedelta(minutes=settings.AMBITO_LOCKOUT_MINUTES)


def locked_until(username: str, *, now: datetime | None = None) -> datetime | None:
    """When the lockout of `username` ends, or None if the username may try to log in."""
    now = now or timezone.now()
    span = lockout_span()
    limit = settings.AMBITO_LOCKOUT_ATTEMPTS
    # A lockout still running began within one span; the failures that caused it, one more back.
    times = list(
        LoginFailure.objects.filter(username=username, at__gt=now - 2 * span)
        .order_by("at")
        .values_list("at", flat=True)
    )
    until = None
    for last in range(limit - 1, len(times)):
        reached_limit = times[last] - times[last - limit + 1] < span
        if reached_limit and times[last] + span > now:
            until = times[last] + span
    return until


def locked_message(until: datetime, *, now: datetime | None = None) -> str:
    """The Italian refusal, the same whether or not the username exists."""
    minutes = max(1, math.ceil((until - (now or timezone.now())).total_seconds() / 60))
    return (
        "Troppi tentativi di accesso non riusciti: per sicurezza l'accesso con questo nome "
        f"utente è sospeso. Riprova tra {minutes} minut{'o' if minutes == 1 else 'i'}."
    )
