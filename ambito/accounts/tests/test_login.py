"""Login and logout through the client."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import client_for

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_the_login_page_is_italian_labelled_and_strict():
    response = Client().get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="it">' in html
    assert '<label for="id_username"' in html
    assert '<label for="id_password"' in html
    assert 'href="#contenuto"' in html
    assert "Content-Security-Policy" in response.headers
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html


def test_anna_logs_in_with_the_demo_password_and_lands_on_her_cases(anna):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "anna", "password": "demo"})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == anna


def test_login_goes_back_to_the_page_asked_for(anna):
    target = reverse("people:search")
    response = Client().post(
        f"{reverse('accounts:login')}?next={target}",
        {"username": "anna", "password": "demo", "next": target},
    )
    assert response.url == target


def test_a_wrong_password_shows_the_italian_error(anna):
    response = Client().post(
        reverse("accounts:login"), {"username": "anna", "password": "sbagliata"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Inserisci nome utente e password corretti" in html
    assert not response.context["user"].is_authenticated


def test_a_logged_in_user_is_sent_from_the_login_page_to_the_desk(anna):
    client = client_for(anna)
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_logout_is_a_post_that_ends_the_session(anna):
    client = client_for(anna)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302
