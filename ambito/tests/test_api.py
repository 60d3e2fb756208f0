"""The API as a whole: its description, its documentation page, its errors."""

import pytest
from django.test import Client

from ambito.accounts.actions import issue_api_token

pytestmark = pytest.mark.django_db

# Through an HTTPS proxy, as in production (where plain http:// is redirected).
HTTPS = {"x-forwarded-proto": "https"}


def test_openapi_json_is_valid_json_listing_the_paths():
    response = Client(headers=HTTPS).get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) >= {
        "/api/v1/comuni",
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/events",
    }
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_the_docs_page_answers_200_with_local_scripts_only():
    response = Client(headers=HTTPS).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle" in html
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_an_unknown_api_url_answers_404_in_json(anna):
    token = issue_api_token(anna, by=anna)
    client = Client(headers={"authorization": f"Bearer {token}", **HTTPS})
    for url in ["/api/v1/", "/api/v1/nothing/here"]:
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["detail"].startswith("Risorsa non trovata.")


def test_an_unexpected_error_is_logged_once_and_answers_500_in_json(anna, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("boom for the API logging test")

    monkeypatch.setattr("ambito.territory.models.ComuneQuerySet.in_ambito", explode)
    token = issue_api_token(anna, by=anna)
    client = Client(
        headers={"authorization": f"Bearer {token}", **HTTPS}, raise_request_exception=False
    )
    response = client.get("/api/v1/comuni")
    assert response.status_code == 500
    assert response.json() == {"detail": "Errore interno: l'errore è stato registrato."}
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelname == "ERROR"
    assert "boom for the API logging test" in caplog.text
    assert "Traceback" in caplog.text
