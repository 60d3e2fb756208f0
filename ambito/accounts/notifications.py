"""Actions on the in-app notifications (kept apart from actions.py, which is about logins and
tokens). Notifications are written by other actions, which leave their own event."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from ambito.accounts.models import Notification


@transaction.atomic
def notify(recipients: Iterable[Any], *, text: str, link: str = "") -> list[Notification]:
    """One notification for each recipient. The text names no data subject: the link leads to
    the record, through its gatekeeper."""
    return Notification.objects.bulk_create(
        Notification(recipient=user, text=text, link=link) for user in recipients
    )


@transaction.atomic
def mark_notifications_read(*, by: Any) -> int:
    """Marks the user's unread notifications as read; returns how many."""
    return Notification.objects.filter(recipient=by).unread().update(read_at=timezone.now())
