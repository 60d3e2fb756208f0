"""Lockout: five failed attempts (password or code) in 15 minutes lock a username for 15 minutes."""

import logging
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ambito.accounts.lockout import locked_message, locked_until
from ambito.accounts.models import LoginFailure
from ambito.demo.personas import demo_totp_code

pytestmark = pytest.mark.django_db

LOCKED = "Troppi tentativi di accesso non riusciti"
MINUTES = timedelta(minutes=1)


def log_in(client: Client, username: str = "anna", password: str = "demo"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def fail_at(username: str, *minutes_ago: float) -> None:
    now = timezone.now()
    LoginFailure.objects.bulk_create(
        LoginFailure(username=username, at=now - m * MINUTES) for m in minutes_ago
    )


def wrong_code() -> str:
    valid = {demo_totp_code(time.time() + step) for step in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def test_four_failures_do_not_lock():
    fail_at("anna", 4, 3, 2, 1)
    assert locked_until("anna") is None


def test_five_failures_within_15_minutes_lock_for_15_minutes_from_the_fifth():
    fail_at("anna", 14, 10, 6, 3, 2)
    until = locked_until("anna")
    assert until is not None
    assert timezone.now() + 12 * MINUTES < until < timezone.now() + 13 * MINUTES


def test_five_failures_spread_over_more_than_15_minutes_do_not_lock():
    fail_at("anna", 16, 12, 8, 4, 1)
    assert locked_until("anna") is None


def test_the_lockout_ends_15_minutes_after_the_fifth_failure():
    fail_at("anna", 20, 19, 18, 17, 16)
    assert locked_until("anna") is None


def test_the_failures_of_another_username_do_not_count():
    fail_at("luca", 5, 4, 3, 2, 1)
    assert locked_until("anna") is None
    assert locked_until("luca") is not None


def test_the_message_is_italian_and_counts_the_minutes_left():
    now = timezone.now()
    assert locked_message(now + 15 * MINUTES, now=now).endswith("Riprova tra 15 minuti.")
    assert locked_message(now + 20 * timedelta(seconds=1), now=now).endswith("tra 1 minuto.")


def test_five_wrong_passwords_lock_the_username_even_for_the_right_password(anna):
    client = Client()
    for _ in range(5):
        assert log_in(client, password="sbagliata").status_code == 200
    response = log_in(client)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert not response.context["user"].is_authenticated
    # Refused attempts are not recorded: the lockout ends on time.
    assert LoginFailure.objects.filter(username="anna").count() == 5


def test_the_lockout_message_does_not_tell_whether_the_username_exists(anna):
    for username in ["anna", "nessuno"]:
        for _ in range(5):
            log_in(Client(), username=username, password="sbagliata")
    messages = [
        log_in(Client(), username=u, password="x").context["form"].non_field_errors()
        for u in ["anna", "nessuno"]
    ]
    assert messages[0] == messages[1]
    assert LOCKED in messages[0][0]


def test_the_lockout_expires(anna):
    for _ in range(5):
        log_in(Client(), password="sbagliata")
    assert LOCKED in log_in(Client()).content.decode()
    LoginFailure.objects.filter(username="anna").update(at=timezone.now() - 16 * MINUTES)
    response = log_in(Client())
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:verify"))


def test_wrong_codes_count_too_and_the_fifth_ends_the_half_done_login(anna):
    log_in(Client(), password="sbagliata")
    log_in(Client(), password="sbagliata")
    client = Client()
    log_in(client)
    verify = reverse("accounts:verify")
    for _ in range(2):
        assert client.post(verify, {"code": wrong_code()}).status_code == 200
    response = client.post(verify, {"code": wrong_code()})
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    page = client.get(response.url)
    assert LOCKED in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert locked_until("anna") is not None


def test_a_right_code_is_refused_during_a_lockout(anna):
    client = Client()
    log_in(client)
    fail_at("anna", 3, 2, 1, 0.5, 0.1)
    response = client.post(reverse("accounts:verify"), {"code": demo_totp_code()})
    assert response.url == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_failures_and_the_lockout_are_logged_without_the_password(anna, caplog):
    with caplog.at_level(logging.WARNING, logger="ambito.accounts"):
        for _ in range(5):
            log_in(Client(), password="segreta-sbagliata")
    assert caplog.text.count("Login failed: username='anna' step=password") == 5
    assert caplog.text.count("Login locked: username='anna'") == 1
    assert "segreta-sbagliata" not in caplog.text
