"""Shared fixtures: the demo tenant built once per test session, and its personas.

The personas are the demo users of the README: anna (social worker, Comune di Caravaggio),
luca (social worker, Comune di Treviglio), paolo (psychologist, UO Riparativa), giulia
(coordinator, Area Minori e Famiglia), marco (Ufficio di Piano), elena (provider cooperative),
admin (system administrator), sara (social worker of the second Ambito), dario (the DPO of
the Ambito di Treviglio: the access log, no case content).
"""

from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ambito.accounts.models import User

PERSONAS = ["anna", "luca", "paolo", "giulia", "marco", "elena", "admin", "sara", "dario"]


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Uploaded files (the demo's documents and the tests') go to a temporary folder, never to
    var/media. A test that counts files sets its own: settings.MEDIA_ROOT = tmp_path."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, media_root):  # type: ignore[no-untyped-def]
    from ambito.demo.builder import build_demo

    with django_db_blocker.unblock():
        build_demo(persons=60, seed=2026)


def persona(username: str) -> User:
    return User.objects.select_related("operator__ambito", "operator__ente").get(username=username)


@pytest.fixture
def anna(db) -> User:  # type: ignore[no-untyped-def]
    return persona("anna")


@pytest.fixture
def luca(db) -> User:  # type: ignore[no-untyped-def]
    return persona("luca")


@pytest.fixture
def paolo(db) -> User:  # type: ignore[no-untyped-def]
    return persona("paolo")


@pytest.fixture
def giulia(db) -> User:  # type: ignore[no-untyped-def]
    return persona("giulia")


@pytest.fixture
def marco(db) -> User:  # type: ignore[no-untyped-def]
    return persona("marco")


@pytest.fixture
def elena(db) -> User:  # type: ignore[no-untyped-def]
    return persona("elena")


@pytest.fixture
def sysadmin(db) -> User:  # type: ignore[no-untyped-def]
    return persona("admin")


@pytest.fixture
def sara(db) -> User:  # type: ignore[no-untyped-def]
    return persona("sara")


@pytest.fixture
def dario(db) -> User:  # type: ignore[no-untyped-def]
    return persona("dario")


@pytest.fixture
def sofia(db) -> User:  # type: ignore[no-untyped-def]
    """An educator of the UO Riparativa outside the équipe of paolo's reserved cases: the
    operator who may break the glass (no demo persona is in that position)."""
    from ambito.organizations.models import Ente, Operator, ServiceUnit

    unit = ServiceUnit.objects.get(ambito__code="treviglio", name="UO Riparativa")
    user = User.objects.create(username="sofia", first_name="Sofia", last_name="Prova")
    op = Operator.objects.create(
        user=user,
        ambito=unit.ambito,
        ente=Ente.objects.get(ambito=unit.ambito, kind=Ente.Kind.CAPOFILA),
        profession=Operator.Profession.EDUCATOR,
        role=Operator.Role.UNIT_OPERATOR,
    )
    op.units.set([unit])
    return user


def a_reserved_case() -> Any:
    from ambito.cases.models import Case

    return Case.objects.exclude(reserved="").order_by("pk").first()


def the_shared_case() -> Any:
    from ambito.cases.models import CaseShare

    return CaseShare.objects.active().get(comune__name="Caravaggio").case


def client_for(user: User, **client_options: Any) -> Client:
    """A test client logged in as `user` through both steps: password and second factor.

    The session is verified by the user's confirmed authenticator device (the demo personas
    have one; a user made in a test gets one here), as django_otp.login() leaves it."""
    client = Client(**client_options)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Browser tests run last: their live server flushes the database when they end."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
