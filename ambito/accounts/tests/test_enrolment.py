"""First login of a user without a second factor: enrolment, recovery codes, their single use."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ambito.accounts.models import LoginFailure, User

pytestmark = pytest.mark.django_db

PASSWORD = "una-password-lunga-e-nuova"
ENROL = reverse("accounts:enrol")
VERIFY = reverse("accounts:verify")
RECOVERY = reverse("accounts:recovery_codes")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.fixture
def newcomer(db) -> User:
    return User.objects.create_user("nuova", password=PASSWORD, first_name="Nuova")


def log_in(client: Client, username: str = "nuova", password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def code_of(device: TOTPDevice, *, later: int = 0) -> str:
    otp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    otp.time = otp.time + later
    return f"{otp.token():06d}"


def enrolled(client: Client, user: User) -> list[str]:
    """Takes `user` through enrolment in `client` and returns the recovery codes shown."""
    log_in(client, user.username)
    client.get(ENROL)
    client.post(ENROL, {"code": code_of(TOTPDevice.objects.get(user=user))})
    return client.get(RECOVERY).context["codes"]


def test_the_password_of_a_user_without_second_factor_leads_to_enrolment(newcomer):
    client = Client()
    response = log_in(client)
    assert response.url == f"{ENROL}?next=%2F"
    assert client.get(reverse("home")).url.startswith(ENROL)
    assert client.get(VERIFY).url.startswith(ENROL)


def test_the_enrolment_page_shows_the_key_and_the_qr_code_of_an_unconfirmed_device(newcomer):
    client = Client()
    log_in(client)
    response = client.get(ENROL)
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=newcomer)
    assert not device.confirmed
    assert response.context["secret"].replace(" ", "") in device.config_url
    assert "issuer=Ambito" in device.config_url
    assert device.config_url.startswith("otpauth://totp/Ambito%3Anuova?")
    assert '<svg role="img"' in html
    assert "<title>Codice QR per l'app di autenticazione</title>" in html
    assert '<label for="id_code"' in html
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html
    assert "Cerca persona" not in html


def test_the_key_stays_the_same_until_it_is_confirmed(newcomer):
    client = Client()
    log_in(client)
    first = client.get(ENROL).context["secret"]
    assert client.get(ENROL).context["secret"] == first
    assert TOTPDevice.objects.filter(user=newcomer).count() == 1


def test_a_wrong_first_code_confirms_nothing_and_counts_as_a_failed_attempt(newcomer):
    client = Client()
    log_in(client)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=newcomer)
    valid = {code_of(device, later=step) for step in (-30, 0, 30)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 200
    assert "Codice non valido" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert LoginFailure.objects.filter(username="nuova").count() == 1
    assert client.get(reverse("home")).url.startswith(ENROL)


def test_the_right_code_confirms_the_device_logs_in_and_shows_ten_recovery_codes_once(newcomer):
    client = Client()
    log_in(client)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=newcomer)
    response = client.post(f"{ENROL}?next=%2Fpersone%2F", {"code": code_of(device)})
    assert response.url == f"{RECOVERY}?next=%2Fpersone%2F"
    device.refresh_from_db()
    assert device.confirmed

    page = client.get(response.url)
    codes = page.context["codes"]
    html = page.content.decode()
    assert len(codes) == 10 == len(set(codes))
    assert all(code in html for code in codes)
    assert "mostrati solo ora" in html
    assert 'href="/persone/"' in html
    stored = StaticToken.objects.filter(device__user=newcomer, device__confirmed=True)
    assert sorted(stored.values_list("token", flat=True)) == sorted(codes)

    # Shown once: a reload goes on to the page asked for.
    assert client.get(response.url).url == "/persone/"
    assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_works_once_instead_of_the_app(newcomer):
    codes = enrolled(Client(), newcomer)
    client = Client()
    assert log_in(client).url == f"{VERIFY}?next=%2F"
    assert client.post(VERIFY, {"code": codes[0].upper()}).url == reverse("home")
    assert client.get(reverse("home")).status_code == 200

    again = Client()
    log_in(again)
    response = again.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200
    assert "Codice non valido o già usato" in response.content.decode()
    assert StaticToken.objects.filter(device__user=newcomer).count() == 9


def test_an_enrolled_user_cannot_enrol_again(newcomer):
    client = Client()
    enrolled(client, newcomer)
    assert client.get(ENROL).url == reverse("home")
    other = Client()
    log_in(other)
    assert other.get(ENROL).url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=newcomer).count() == 1
