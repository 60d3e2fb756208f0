import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
@pytest.mark.urls("ambito.tests.failing_urls")
def test_errors_are_logged_to_stdout_with_debug_off(capfd, settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/explode")
    assert response.status_code == 500
    out, _ = capfd.readouterr()
    assert "boom for the logging test" in out


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMBITO_")}
    env.update(
        AMBITO_SECRET_KEY="x" * 20 + "production-secret-for-the-deploy-check-0123456789",
        AMBITO_ALLOWED_HOSTS="ambito.example.it",
        **extra,
    )
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["AMBITO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "AMBITO_SECRET_KEY" in result.stderr
