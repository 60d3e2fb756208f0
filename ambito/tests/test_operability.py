import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


LOG_PROBE = """
import django
from django.test import Client, override_settings
django.setup()
with override_settings(ROOT_URLCONF="ambito.tests.failing_urls", DEBUG=False):
    print("status", Client(raise_request_exception=False).get("/explode").status_code)
"""


def test_errors_are_logged_to_stdout_with_debug_off():
    env = production_env(AMBITO_HTTPS="0", AMBITO_ALLOWED_HOSTS="testserver")
    env["DJANGO_SETTINGS_MODULE"] = "ambito.settings"
    result = subprocess.run(
        [sys.executable, "-c", LOG_PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "status 500" in result.stdout, result.stderr
    assert "ERROR django.request Internal Server Error: /explode" in result.stdout
    assert "RuntimeError: boom for the logging test" in result.stdout


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMBITO_")}
    env.update(
        AMBITO_SECRET_KEY="x" * 20 + "production-secret-for-the-deploy-check-0123456789",
        AMBITO_ALLOWED_HOSTS="ambito.example.it",
    )
    env.update(extra)
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


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """JIT only slows the reports' plans here (docs/performance.md): settings turn it off."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
