"""Login in two steps through the client: the password, then the code of the authenticator app."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from ambito.accounts.models import LoginFailure
from ambito.demo.personas import demo_totp_code
from conftest import client_for

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
VERIFY = reverse("accounts:verify")


def password_step(client: Client, username: str = "anna", password: str = "demo"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def wrong_code() -> str:
    """Six digits that none of the codes the device accepts now (one step either way) is."""
    valid = {demo_totp_code(time.time() + step) for step in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def assert_strict(html: str) -> None:
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html


def test_the_login_page_is_italian_labelled_and_strict():
    response = Client().get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="it">' in html
    assert '<label for="id_username"' in html
    assert '<label for="id_password"' in html
    assert 'href="#contenuto"' in html
    assert "Content-Security-Policy" in response.headers
    assert_strict(html)


def test_the_password_alone_leads_to_the_code_and_opens_no_page(anna):
    client = Client()
    response = password_step(client)
    assert response.status_code == 302
    assert response.url == f"{VERIFY}?next=%2F"
    for page in ["home", "people:search", "people:register", "accounts:password_change"]:
        response = client.get(reverse(page))
        assert response.status_code == 302, page
        assert response.url.startswith(VERIFY), page
    assert client.get("/admin/").url.startswith(VERIFY)


def test_the_code_page_is_italian_labelled_and_strict_and_shows_no_menu(anna):
    client = Client()
    password_step(client)
    response = client.get(VERIFY)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_code"' in html
    assert 'autocomplete="one-time-code"' in html
    assert "Cerca persona" not in html
    assert "Cambia password" not in html
    assert_strict(html)


def test_anna_logs_in_with_password_and_code_and_lands_on_her_cases(anna):
    client = Client()
    password_step(client)
    response = client.post(f"{VERIFY}?next=%2F", {"code": demo_totp_code()})
    assert response.status_code == 302
    assert response.url == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["user"] == anna
    assert client.session[DEVICE_ID_SESSION_KEY].startswith("otp_totp.totpdevice/")


def test_the_code_may_be_typed_with_spaces(anna):
    client = Client()
    password_step(client)
    code = demo_totp_code()
    response = client.post(VERIFY, {"code": f" {code[:3]} {code[3:]} "})
    assert response.url == reverse("home")


def test_login_goes_back_to_the_page_asked_for(anna):
    target = reverse("people:search")
    client = Client()
    response = client.post(
        f"{reverse('accounts:login')}?next={target}",
        {"username": "anna", "password": "demo", "next": target},
    )
    assert response.url == f"{VERIFY}?next=%2Fpersone%2F"
    response = client.post(response.url, {"code": demo_totp_code()})
    assert response.url == target


def test_the_code_step_refuses_to_send_the_user_to_another_site(anna):
    client = Client()
    password_step(client)
    response = client.post(f"{VERIFY}?next=https://example.com/", {"code": demo_totp_code()})
    assert response.url == reverse("home")


def test_a_wrong_code_is_refused_and_counts_as_a_failed_attempt(anna):
    client = Client()
    password_step(client)
    response = client.post(VERIFY, {"code": wrong_code()})
    assert response.status_code == 200
    assert "Codice non valido o già usato" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert LoginFailure.objects.filter(username="anna").count() == 1


def test_an_empty_code_is_not_a_failed_attempt(anna):
    client = Client()
    password_step(client)
    response = client.post(VERIFY, {"code": ""})
    assert response.status_code == 200
    assert not LoginFailure.objects.exists()


def test_a_code_already_used_does_not_open_a_second_session(anna):
    code = demo_totp_code()
    first, second = Client(), Client()
    password_step(first)
    password_step(second)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "Codice non valido o già usato" in response.content.decode()


def test_the_next_code_of_the_app_opens_a_second_session(anna):
    first, second = Client(), Client()
    password_step(first)
    password_step(second)
    assert first.post(VERIFY, {"code": demo_totp_code()}).status_code == 302
    # One time step later, within the device's tolerance of one step.
    assert second.post(VERIFY, {"code": demo_totp_code(time.time() + 30)}).status_code == 302


def test_a_wrong_password_shows_the_italian_error_and_counts(anna):
    response = password_step(Client(), password="sbagliata")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Inserisci nome utente e password corretti" in html
    assert not response.context["user"].is_authenticated
    failure = LoginFailure.objects.get()
    assert (failure.username, failure.ip) == ("anna", "127.0.0.1")


def test_a_missing_password_is_not_a_failed_attempt(anna):
    response = password_step(Client(), password="")
    assert response.status_code == 200
    assert not LoginFailure.objects.exists()


def test_a_logged_in_user_is_sent_from_the_login_page_to_the_desk(anna):
    client = client_for(anna)
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_user_half_logged_in_is_sent_from_the_login_page_to_the_code(anna):
    client = Client()
    password_step(client)
    response = client.get(reverse("accounts:login"))
    assert response.url.startswith(VERIFY)


def test_a_verified_user_is_sent_from_the_code_page_to_the_desk(anna):
    assert client_for(anna).get(VERIFY).url == reverse("home")


def test_the_code_page_sends_an_anonymous_visitor_to_the_login():
    response = Client().get(VERIFY)
    assert response.url.startswith(reverse("accounts:login"))


def test_logout_is_a_post_that_ends_the_session(anna):
    client = client_for(anna)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_a_user_half_logged_in_may_log_out(anna):
    client = Client()
    password_step(client)
    assert client.post(reverse("accounts:logout")).url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_the_health_check_answers_a_user_half_logged_in(anna):
    client = Client()
    password_step(client)
    assert client.get("/healthz").status_code == 200


def test_codes_typed_too_fast_after_errors_are_refused_with_a_wait_and_count(anna):
    device = anna.totpdevice_set.get()
    device.throttling_failure_count = 3
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    client = Client()
    password_step(client)
    response = client.post(VERIFY, {"code": demo_totp_code()})
    assert response.status_code == 200
    assert "attendi qualche secondo" in response.content.decode()
    assert LoginFailure.objects.filter(username="anna").count() == 1
