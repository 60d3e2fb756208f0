"""In-app notifications: written by actions, listed to their recipient only, marked read."""

import pytest
from django.test import Client
from django.urls import reverse

from ambito.accounts.models import Notification
from ambito.accounts.notifications import mark_notifications_read, notify
from conftest import client_for

pytestmark = pytest.mark.django_db


def test_notify_writes_one_unread_notification_per_recipient(anna, luca):
    rows = notify([anna, luca], text="Prova di notifica", link="/cartelle/")
    assert {n.recipient for n in rows} == {anna, luca}
    assert Notification.objects.unread().filter(text="Prova di notifica").count() == 2


def test_the_page_lists_only_the_users_notifications_and_marks_them_read(anna, luca):
    notify([anna], text="Per Anna", link="/cartelle/")
    notify([luca], text="Per Luca")
    client = client_for(anna)
    page = client.get(reverse("accounts:notifications"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Per Anna" in html and "Per Luca" not in html
    assert "Segna tutte come lette" in html
    response = client.post(reverse("accounts:notifications_read"))
    assert response.status_code == 302
    assert not Notification.objects.unread().filter(recipient=anna).exists()
    assert Notification.objects.unread().filter(recipient=luca).exists()


def test_the_header_counts_unread_notifications(anna):
    client = client_for(anna)
    assert "notification-count" not in client.get(reverse("home")).content.decode()
    notify([anna], text="Una")
    notify([anna], text="Due")
    assert (
        '<span class="badge bg-danger notification-count">2'
        in client.get(reverse("home")).content.decode()
    )
    mark_notifications_read(by=anna)
    assert "notification-count" not in client.get(reverse("home")).content.decode()


def test_marking_read_needs_a_post_and_a_login(anna):
    assert client_for(anna).get(reverse("accounts:notifications_read")).status_code == 405
    response = Client().get(reverse("accounts:notifications"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
