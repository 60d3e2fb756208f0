"""Sessions: the admin behind the second factor, expiry after inactivity, password change."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import client_for

pytestmark = pytest.mark.django_db

HTTPS = {"x-forwarded-proto": "https"}
NEW_PASSWORD = "Un-lungo-viaggio-2026"


def test_the_admin_requires_the_second_factor(sysadmin):
    half = Client(headers=HTTPS)
    half.force_login(sysadmin)
    response = half.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:verify"))
    assert client_for(sysadmin, headers=HTTPS).get("/admin/accounts/user/").status_code == 200


def test_the_admin_login_page_sends_to_the_two_step_login():
    response = Client(headers=HTTPS).get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next=/admin/"


def test_the_session_lasts_30_minutes_from_the_last_request(anna):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = client_for(anna)
    session = Session.objects.get(pk=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get(reverse("home")).status_code == 200
    expiry = Session.objects.get(pk=client.session.session_key).expire_date
    assert timedelta(minutes=29) < expiry - timezone.now() <= timedelta(minutes=30)


def test_an_idle_session_expires(anna):
    client = client_for(anna)
    assert client.get(reverse("home")).status_code == 200
    # As if the last request had been 31 minutes ago.
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_header_links_to_the_password_change(anna):
    html = client_for(anna).get(reverse("home")).content.decode()
    assert f'href="{reverse("accounts:password_change")}"' in html
    assert "Cambia password" in html


def test_a_short_password_is_refused_in_italian(anna):
    client = client_for(anna)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "demo", "new_password1": "corta", "new_password2": "corta"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"] == [
        "Questa password è troppo corta. Deve contenere almeno 12 caratteri."
    ]
    anna.refresh_from_db()
    assert anna.check_password("demo")


def test_the_password_changes_and_the_session_stays_verified(anna):
    client = client_for(anna)
    assert client.get(reverse("accounts:password_change")).status_code == 200
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "demo", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.url == reverse("accounts:password_change_done")
    assert "Password cambiata" in client.get(response.url).content.decode()
    assert client.get(reverse("home")).status_code == 200
    anna.refresh_from_db()
    assert anna.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("path", ["otp_totp/totpdevice", "otp_static/staticdevice"])
def test_the_system_administrator_cannot_reset_second_factors(sysadmin, path):
    # Else resetting a password and a second factor would take over any account.
    response = client_for(sysadmin, headers=HTTPS).get(f"/admin/{path}/")
    assert response.status_code == 403
