"""Bearer tokens for the API: the command, the actions, the authentication."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from ambito.accounts.actions import issue_api_token, revoke_api_token
from ambito.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = {"detail": "Autenticazione richiesta: token mancante o non valido."}
# Through an HTTPS proxy, as in production (where plain http:// is redirected).
HTTPS = {"x-forwarded-proto": "https"}


def get_comuni(token: str | None = None, scheme: str = "Bearer"):
    headers = {"authorization": f"{scheme} {token}"} if token is not None else {}
    return Client(headers={**headers, **HTTPS}).get("/api/v1/comuni")


def test_the_command_prints_only_the_token_and_stores_only_its_digest(anna, capfd):
    out = StringIO()
    call_command("create_api_token", "anna", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    raw = lines[0]
    assert capfd.readouterr().out == ""
    stored = ApiToken.objects.get(user=anna)
    assert stored.digest == ApiToken.digest_of(raw)
    assert raw not in (stored.digest, stored.prefix)


def test_the_printed_token_opens_the_api(anna):
    out = StringIO()
    call_command("create_api_token", "anna", stdout=out)
    response = get_comuni(out.getvalue().strip())
    assert response.status_code == 200
    assert response.json()


def test_the_command_refuses_an_unknown_user_in_italian():
    with pytest.raises(CommandError, match="Utente «nessuno» inesistente"):
        call_command("create_api_token", "nessuno", stdout=StringIO())


def test_a_request_without_a_token_answers_401_in_italian():
    response = get_comuni()
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("scheme", ["Bearer", "Token", "Basic"])
def test_an_invalid_token_answers_401_in_italian(anna, scheme):
    issue_api_token(anna, by=anna)
    response = get_comuni("not-a-token", scheme=scheme)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_session_login_does_not_open_the_api(anna):
    client = Client(headers=HTTPS)
    client.force_login(anna)
    assert client.get("/api/v1/comuni").status_code == 401


def test_a_revoked_token_no_longer_works(anna):
    raw = issue_api_token(anna, by=anna)
    assert get_comuni(raw).status_code == 200
    revoke_api_token(ApiToken.objects.get(user=anna), by=anna)
    assert get_comuni(raw).status_code == 401


def test_the_token_of_a_disabled_user_no_longer_works(anna):
    raw = issue_api_token(anna, by=anna)
    anna.is_active = False
    anna.save(update_fields=["is_active"])
    assert get_comuni(raw).status_code == 401


def test_only_an_administrator_issues_tokens_for_someone_else(anna, luca):
    with pytest.raises(PermissionDenied):
        issue_api_token(luca, by=anna)
    assert not ApiToken.objects.filter(user=luca).exists()


def test_a_token_lives_90_days_by_default_and_days_can_be_chosen(anna):
    call_command("create_api_token", "anna", stdout=StringIO())
    call_command("create_api_token", "anna", "--days", "7", stdout=StringIO())
    lives = [
        token.expires_at - token.created_at
        for token in ApiToken.objects.filter(user=anna).order_by("pk")
    ]
    assert [round(life / timedelta(days=1)) for life in lives] == [90, 7]


def test_the_command_refuses_a_life_under_one_day(anna):
    with pytest.raises(CommandError, match="almeno un giorno"):
        call_command("create_api_token", "anna", "--days", "0", stdout=StringIO())
    assert not ApiToken.objects.filter(user=anna).exists()


def test_an_expired_token_answers_401_in_italian(anna):
    raw = issue_api_token(anna, by=anna, days=1)
    assert get_comuni(raw).status_code == 200
    ApiToken.objects.filter(user=anna).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = get_comuni(raw)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_revoked_token_answers_401_in_italian(anna):
    raw = issue_api_token(anna, by=anna)
    revoke_api_token(ApiToken.objects.get(user=anna), by=anna)
    response = get_comuni(raw)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_token_works_for_a_user_who_has_never_logged_in_to_the_pages(anna):
    # The API authenticates by token alone: no session, so no second step to pass.
    anna.totpdevice_set.all().delete()
    assert get_comuni(issue_api_token(anna, by=anna)).status_code == 200


def test_a_session_with_the_password_only_does_not_open_the_api(anna):
    client = Client(headers=HTTPS)
    client.post("/accounts/login/", {"username": "anna", "password": "demo"})
    response = client.get("/api/v1/comuni")
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
