"""The user's notifications: the list, and marking them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito.accounts.models import Notification
from ambito.accounts.notifications import mark_notifications_read

PAGE_SIZE = 25


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; unread ones stand out."""
    rows = Notification.objects.filter(recipient_id=request.user.pk)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = mark_notifications_read(by=request.user)
    if count:
        messages.success(request, _("Notifiche segnate come lette: %d.") % count)
    return redirect("accounts:notifications")
