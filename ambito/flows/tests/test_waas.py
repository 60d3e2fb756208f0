"""The WaaS API INPS polls (/waas/v1/): the PDND voucher, GET /flussi exactly once across
successive `since`, POST /esiti, problem+json errors; and its conformance to the official
OpenAPI (`schemas/api-comuni.yaml`), fuzzed by schemathesis against the app through WSGI.

The suite signs its own vouchers with a key pair it generates; the settings name its public
key, the issuer and the audience of the test's Ambito ("prova", see test_outbox).
"""

import base64
import datetime as dt
import hashlib
import hmac as hmac_module
import json
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import jwt
import pytest
import schemathesis
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir

from ambito.flows import outbox
from ambito.flows.manual import build_manual_file
from ambito.flows.models import Flow
from ambito.flows.outbox import publish
from ambito.flows.tests.test_outbox import (
    ENTE,
    JANUARY,
    PS,
    a_test_ambito,
    persons,
    ps_record,
    sinba_record,
)
from ambito.flows.waas import parse_date_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def prova(db: Any) -> Any:
    """The test's own Ambito (test_outbox)."""
    return a_test_ambito()


YAML = Path(__file__).resolve().parent.parent / "schemas" / "api-comuni.yaml"
SPEC = yaml.safe_load(YAML.read_text())
ISSUER = "uat.interop.pagopa.it"
AUDIENCE = "https://ambito.example.it/waas/v1/prova"
PROBLEM = "application/problem+json"


def validator(component: str) -> Any:
    schema = {"$ref": f"#/components/schemas/{component}", "components": SPEC["components"]}
    return jsonschema_rs.Draft4Validator(schema, validate_formats=True)


ENTRIES = validator("Entries")
PROBLEM_SCHEMA = validator("Problem")


def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY = private_key()
OTHER_KEY = private_key()


def pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def voucher(key: rsa.RSAPrivateKey = KEY, *, drop: str = "", **claims: Any) -> str:
    """A PDND voucher as the PDND signs it (RS256, typ at+jwt), with `claims` changed."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "aud": AUDIENCE,
        "sub": "client-inps",
        "nbf": now,
        "purposeId": str(uuid.uuid4()),
        "iss": ISSUER,
        "exp": now + 600,
        "iat": now,
        "client_id": "client-inps",
        "jti": str(uuid.uuid4()),
    }
    payload.update(claims)
    payload.pop(drop, None)
    return jwt.encode(payload, key, algorithm="RS256", headers={"typ": "at+jwt", "kid": "k1"})


@pytest.fixture
def pdnd(settings: Any, prova: Any) -> Any:
    """The API configured for the suite's key, issuer and the test Ambito's audience."""
    settings.AMBITO_PDND_PUBLIC_KEY = pem(KEY)
    settings.AMBITO_PDND_ISSUER = ISSUER
    settings.AMBITO_PDND_AUDIENCE = {"prova": AUDIENCE, "treviglio": "https://altro/treviglio"}
    return prova


def inps(token: str | None = None) -> Client:
    """INPS's client: a bearer voucher, no session, CSRF checked as for any POST."""
    token = voucher() if token is None else token
    return Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {token}"})


def get_flows(client: Client, **params: Any) -> Any:
    return client.get(reverse("waas:flows"), params)


def post_outcomes(client: Client, body: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(reverse("waas:outcomes"), data, content_type="application/json")


def is_problem(response: Any, status: int) -> bool:
    return (
        response.status_code == status
        and response["Content-Type"] == PROBLEM
        and PROBLEM_SCHEMA.is_valid(response.json())
        and response.json()["status"] == status
    )


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac_module.new(key, message, hashlib.sha256).digest()


def milliseconds(text: str) -> int:
    return int(parse_date_time(text).timestamp() * 1000)


def make_flows(
    ambito: Any, n: int, *, at: dt.datetime | None = None, monkeypatch: Any = None
) -> list[Flow]:
    """n flows of the test Ambito (PS and SINBA), all written at the same instant `at` when
    given (the outbox moves each to its own millisecond)."""
    if at is not None:
        monkeypatch.setattr(outbox.timezone, "now", lambda: at)
    people = persons(n)
    records = [
        (ps_record(p) if i % 2 == 0 else sinba_record(p, period=dt.date(2026, 1, 30 - i)))
        for i, p in enumerate(people)
    ]
    return publish(ambito, records, by=None).flows


# --- /status -----------------------------------------------------------------------------------


def test_status_answers_problem_json_200_without_a_voucher(pdnd):
    response = Client().get(reverse("waas:status"))
    assert is_problem(response, 200)


# --- the voucher -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "why"),
    [
        ("", "missing"),
        ("non-un-jwt", "not a JWT"),
        (voucher(OTHER_KEY), "signed by another key"),
        (voucher(exp=int(time.time()) - 120), "expired"),
        (voucher(nbf=int(time.time()) + 600), "not yet valid"),
        (voucher(aud="https://altro.example.it"), "another audience"),
        (voucher(iss="https://issuer.example.it"), "another issuer"),
        (voucher(drop="purposeId"), "without purposeId"),
        (voucher(drop="jti"), "without jti"),
        (voucher(drop="exp"), "without exp"),
    ],
)
def test_flussi_and_esiti_refuse_a_bad_voucher_with_401(pdnd, token, why):
    client = Client(headers={"authorization": f"Bearer {token}"} if token else {})
    for response in (get_flows(client, since=0), post_outcomes(client, {"elenco_esiti": []})):
        assert is_problem(response, 401), why
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unsigned_or_hmac_voucher_is_refused(pdnd):
    now = int(time.time())
    claims = {"aud": AUDIENCE, "iss": ISSUER, "exp": now + 60, "nbf": now, "iat": now}
    claims |= {"jti": "x", "client_id": "c", "purposeId": "p"}
    unsigned = jwt.encode(claims, None, algorithm="none")
    # The classic confusion: the public key used as an HMAC secret (PyJWT refuses to sign
    # with it, so the token is put together by hand).
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    signature = base64.urlsafe_b64encode(
        hmac_sha256(pem(KEY).encode(), header + b"." + body)
    ).rstrip(b"=")
    hmac = (header + b"." + body + b"." + signature).decode()
    for token in (unsigned, hmac):
        assert is_problem(get_flows(inps(token), since=0), 401)


def test_without_a_configured_key_every_call_is_refused(pdnd, settings):
    settings.AMBITO_PDND_PUBLIC_KEY = ""
    assert is_problem(get_flows(inps(), since=0), 401)


def test_the_key_may_be_a_pem_file(pdnd, settings, tmp_path):
    key_file = tmp_path / "pdnd.pem"
    key_file.write_text(pem(KEY))
    settings.AMBITO_PDND_PUBLIC_KEY = str(key_file)
    assert get_flows(inps(), since=0).status_code == 200


def test_the_audience_says_whose_flows_are_served(pdnd, marco):
    make_flows(pdnd, 2)
    mine = get_flows(inps(), since=0).json()["elenco_flussi"]
    assert {entry["codice_ente"] for entry in mine} == {ENTE}
    # Treviglio's audience: its demo flows, none of the test Ambito's.
    theirs = get_flows(inps(voucher(aud="https://altro/treviglio")), since=0, limit=100)
    ids = {entry["id_flusso"] for entry in theirs.json()["elenco_flussi"]}
    assert ids and not ids & {entry["id_flusso"] for entry in mine}
    both = voucher(aud=[AUDIENCE, "https://altro/treviglio"])
    assert is_problem(get_flows(inps(both), since=0), 401)


# --- GET /flussi -------------------------------------------------------------------------------


def test_flussi_returns_the_flows_as_the_yaml_describes_them(pdnd):
    written = make_flows(pdnd, 3)
    response = get_flows(inps(), since=0)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert ENTRIES.is_valid(body), list(ENTRIES.iter_errors(body))
    entries = body["elenco_flussi"]
    assert [e["id_flusso"] for e in entries] == [f.flow_id for f in written]
    for entry, flow in zip(entries, written, strict=True):
        assert base64.b64decode(entry["flusso"]).decode() == flow.xml
        assert entry["tipo"] == flow.kind and entry["denominazione_ente"] == "Comune di Prova"
        assert milliseconds(entry["ts_flusso"]) == int(flow.created_at.timestamp() * 1000)
        assert entry["ts_flusso"].endswith("Z") and len(entry["ts_flusso"]) == 24


def test_nothing_new_is_an_empty_list(pdnd):
    make_flows(pdnd, 1)
    assert get_flows(inps(), since=10**15).json() == {"elenco_flussi": []}
    assert get_flows(inps(), since=0, limit=0).json() == {"elenco_flussi": []}
    assert get_flows(inps(), since=2**63 - 1).json() == {"elenco_flussi": []}


def test_limit_defaults_to_ten_and_max_entries_is_read_as_limit(pdnd):
    make_flows(pdnd, 12)
    assert len(get_flows(inps(), since=0).json()["elenco_flussi"]) == 10
    assert len(get_flows(inps(), since=0, max_entries=4).json()["elenco_flussi"]) == 4


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"since": ""},
        {"since": "-1"},
        {"since": "abc"},
        {"since": "1.5"},
        {"since": str(2**63)},
        {"since": "0", "limit": "101"},
        {"since": "0", "limit": "-1"},
        {"since": "0", "limit": "dieci"},
    ],
)
def test_bad_parameters_are_a_400_problem(pdnd, params):
    assert is_problem(get_flows(inps(), **params), 400)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_each_flow_is_returned_exactly_once_across_successive_since(pdnd, monkeypatch, limit):
    """INPS asks from the ts_flusso of the last flow it received; flows written meanwhile, even
    at the same instant as others, come after."""
    same_instant = dt.datetime(2026, 2, 1, 8, 0, 0, 500000, tzinfo=dt.UTC)
    written = make_flows(pdnd, 7, at=same_instant, monkeypatch=monkeypatch)
    received: list[str] = []
    since = 0
    for round_ in range(40):
        entries = get_flows(inps(), since=since, limit=limit).json()["elenco_flussi"]
        if round_ == 2:
            more = [ps_record(p, period=dt.date(2026, 1, 2)) for p in persons(4)]
            written += publish(pdnd, more, by=None).flows
        if not entries:
            break
        assert len(entries) <= limit
        received += [entry["id_flusso"] for entry in entries]
        since = milliseconds(entries[-1]["ts_flusso"])
    assert received == [flow.flow_id for flow in written]
    assert len(set(received)) == len(received) == 11


def test_a_flow_is_marked_fetched_the_first_time_it_is_served(pdnd):
    flow = make_flows(pdnd, 1)[0]
    get_flows(inps(), since=0)
    flow.refresh_from_db()
    assert flow.status == Flow.Status.FETCHED and flow.fetched_at is not None
    first_fetch = flow.fetched_at
    get_flows(inps(), since=0)
    flow.refresh_from_db()
    assert flow.fetched_at == first_fetch


def test_flows_in_a_manual_file_are_not_served(pdnd, marco):
    written = make_flows(pdnd, 3)
    build_manual_file(
        pdnd, by=marco, kind=PS, ente_code=ENTE, period_start=JANUARY, period_end=JANUARY
    )
    served = {e["id_flusso"] for e in get_flows(inps(), since=0).json()["elenco_flussi"]}
    assert served == {flow.flow_id for flow in written if flow.kind != PS}


# --- POST /esiti -------------------------------------------------------------------------------


def outcome(flow: Flow, code: str = "OK", **extra: Any) -> dict[str, Any]:
    return {
        "id_flusso": flow.flow_id,
        "tipo": flow.kind,
        "ts_flusso": "2026-02-01T08:00:00.500Z",
        "ts_acquisizione": "2026-02-02T09:30:00.000Z",
        "codice_esito": code,
        **extra,
    }


def test_esiti_records_acceptance_and_rejection_on_the_flows(pdnd):
    accepted, rejected = make_flows(pdnd, 2)
    body = {
        "elenco_esiti": [
            outcome(accepted, id_acquisizione_siuss="22738", codice_ente=ENTE),
            outcome(rejected, "RICHIESTA_INVALIDA", descrizione_esito="Struttura non conforme"),
        ]
    }
    response = post_outcomes(inps(), body)
    assert response.status_code == 204 and not response.content
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert accepted.status == Flow.Status.ACCEPTED and accepted.acquisition_id == "22738"
    assert accepted.acquired_at == dt.datetime(2026, 2, 2, 9, 30, tzinfo=dt.UTC)
    assert accepted.fetched_at is not None
    assert rejected.status == Flow.Status.REJECTED
    assert rejected.outcome_code == "RICHIESTA_INVALIDA"
    assert rejected.outcome_description == "Struttura non conforme"
    # The same notice again: the same state.
    before = list(Flow.objects.filter(ambito=pdnd).values())
    assert post_outcomes(inps(), body).status_code == 204
    assert list(Flow.objects.filter(ambito=pdnd).values()) == before


def test_esiti_for_unknown_or_foreign_flows_are_skipped_and_still_answered_204(pdnd, marco):
    mine = make_flows(pdnd, 1)[0]
    treviglio = Flow.objects.filter(ambito=marco.operator.ambito).first()
    assert treviglio is not None
    ghost = Flow(flow_id="Z998.PS.20260101.9999999", kind=PS)
    body = {
        "elenco_esiti": [
            outcome(ghost),
            outcome(treviglio, "DATI_NON_TROVATI"),
            {**outcome(mine), "tipo": "SINBA"},  # not the flow's type
        ]
    }
    assert post_outcomes(inps(), body).status_code == 204
    treviglio_before = treviglio.status
    treviglio.refresh_from_db()
    mine.refresh_from_db()
    assert treviglio.status == treviglio_before and treviglio.outcome_code != "DATI_NON_TROVATI"
    assert mine.status == Flow.Status.READY


@pytest.mark.parametrize(
    "body",
    [
        "non json",
        "[]",
        '{"elenco_esiti": null}',
        '{"elenco_esiti": [], "altro": 1}',
        '{"elenco_esiti": [{"id_flusso": "x"}]}',
        '{"elenco_esiti": [{"id_flusso": "x", "tipo": "PS_PSA_SINA", "ts_flusso": "ieri", '
        '"ts_acquisizione": "2026-02-02T09:30:00Z", "codice_esito": "OK"}]}',
        '{"elenco_esiti": [{"id_flusso": "x", "tipo": "PS_PSA_SINA", '
        '"ts_flusso": "2026-02-02T09:30:00Z", "ts_acquisizione": "2026-02-02T09:30:00Z", '
        '"codice_esito": "FORSE"}]}',
        '{"elenco_esiti": [{"id_flusso": 1, "tipo": "PS_PSA_SINA", '
        '"ts_flusso": "2026-02-02T09:30:00Z", "ts_acquisizione": "2026-02-02T09:30:00Z", '
        '"codice_esito": "OK"}]}',
        json.dumps({"elenco_esiti": [{}] * 101}),
    ],
)
def test_an_invalid_notice_is_a_400_problem_and_changes_nothing(pdnd, body):
    make_flows(pdnd, 1)
    assert is_problem(post_outcomes(inps(), body), 400)
    assert not Flow.objects.filter(ambito=pdnd).exclude(status=Flow.Status.READY).exists()


def test_esiti_wants_json(pdnd):
    response = inps().post(reverse("waas:outcomes"), {"elenco_esiti": "[]"})
    assert is_problem(response, 400)


def test_other_methods_are_405_with_allow_and_unknown_paths_404(pdnd):
    response = inps().get(reverse("waas:outcomes"))
    assert is_problem(response, 405) and response["Allow"] == "POST"
    response = inps().post(reverse("waas:flows"), {}, content_type="application/json")
    assert is_problem(response, 405) and response["Allow"] == "GET"
    assert is_problem(inps().get("/waas/v1/altro"), 404)
    assert is_problem(inps().post("/waas/v1/altro"), 404)


def test_no_session_no_login_redirect(pdnd, marco):
    """A browser session of an operator gives nothing: the voucher alone counts."""
    from conftest import client_for

    session = client_for(marco)
    assert is_problem(session.get(reverse("waas:flows"), {"since": 0}), 401)
    response = inps().get(reverse("waas:flows"), {"since": 0})
    assert response.status_code == 200 and "sessionid" not in response.cookies


# --- conformance: the schemathesis fuzz ------------------------------------------------------


class Project:
    """The project as a WSGI application, built at the first request (the settings of the
    test in force)."""

    handler: WSGIHandler | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.handler is None:
            self.handler = WSGIHandler()
        return self.handler(environ, start_response)


@pytest.fixture
def in_transaction() -> Iterator[None]:
    """Requests through WSGI inside the test's transaction: as Django's test client does, they
    do not close the database connection at their end."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_flows(pdnd: Any, in_transaction: None) -> Any:
    """Flows to serve while fuzzing."""
    make_flows(pdnd, 12)
    return pdnd


# Hypothesis keeps its caches out of the working tree; failing examples are not stored.
set_hypothesis_home_dir(str(Path(tempfile.gettempdir()) / "ambito-hypothesis"))
SCHEMA = schemathesis.openapi.from_path(YAML)
# The checks that re-send a request (without the voucher, with an invalid one) reach the app too.
SCHEMA.app = Project()


@SCHEMA.parametrize()
@hypothesis_settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_conforms_to_the_official_openapi(case, fuzz_flows):
    """Every operation, with a valid voucher: no server error, documented status codes,
    content types and response schemas, invalid input refused, valid input accepted, the
    voucher enforced."""
    if not sends_a_voucher(case):
        # The fuzzer also calls without the header the yaml's security names. PDND's pattern
        # (ModI AUTH_REST_01) wants 401, which the official yaml does not list for /flussi.
        response = case.call()
        assert response.status_code == 401 and PROBLEM_SCHEMA.is_valid(response.json())
        return
    authorization = {"Authorization": f"Bearer {voucher()}"}
    response = case.call(headers=authorization)
    case.validate_response(response, headers=authorization)


def sends_a_voucher(case: Any) -> bool:
    """The voucher goes with every call but those where the fuzzer leaves out on purpose the
    Authorization header of an operation that declares PDND security (where it would put a
    made-up bearer, the suite's valid voucher replaces it). /esiti declares no security in the
    yaml but is protected all the same: INPS calls it with its voucher."""
    if not case.operation.definition.raw.get("security"):
        return True
    return any(name.lower() == "authorization" for name in case.headers or {})


def test_voucher_and_timestamps_are_checked_at_the_moment_of_the_call(pdnd):
    """A voucher expiring within the clock tolerance is still accepted; beyond it, not."""
    just_expired = voucher(exp=int(time.time()) - 10)
    assert get_flows(inps(just_expired), since=0).status_code == 200
    long_expired = voucher(exp=int(timezone.now().timestamp()) - 60)
    assert get_flows(inps(long_expired), since=0).status_code == 401
