"""The WaaS API that INPS polls ("Welfare as a Service", `schemas/api-comuni.yaml` v2.0.1),
served under /waas/v1/: `GET /status`, `GET /flussi?since=&limit=`, `POST /esiti`.

Not a page of the site: no session, no login, no CSRF token, no redirect. Every error is an
`application/problem+json` body (the yaml's `Problem`: type, title, status, detail).

**The PDND voucher** (ModI pattern AUTH_REST_01, spec §2.3): `Authorization: Bearer <JWT>`,
signed RS256 by the PDND with the key in `AMBITO_PDND_PUBLIC_KEY` (PEM text, or the path of a
PEM file), issued by `AMBITO_PDND_ISSUER`, with `exp`, `nbf`, `iat`, `aud`, `iss`, `jti`,
`client_id` and `purposeId` present and `exp`/`nbf`/`iat` checked (30 seconds of clock
tolerance). Anything else answers 401. `/status` asks for no voucher, as the yaml declares
no security for it, and says nothing but "up".

**Which Ambito**: each Ambito publishes its own e-service on the PDND, and an e-service has its
own audience. `AMBITO_PDND_AUDIENCE` maps Ambito codes to audiences (`treviglio=<audience>`,
comma separated): the voucher's `aud` names the Ambito whose flows are served and whose
outcomes are recorded. A voucher whose audience is none of them, or more than one, gets 401.

**GET /flussi**: the Ambito's flows written after `since` (ms since the epoch, the `ts_flusso`
of the last flow INPS acquired; 0 the first time), oldest first, at most `limit` (default 10,
0-100; the spec's example calls it `max_entries`, accepted too). No two flows of an Ambito share
a millisecond and they become visible in that order (`outbox`), so asking again from the last
`ts_flusso` received returns each flow exactly once. Flows put in a file for the manual upload
are not served (`manual`). The first time a flow is served it is marked fetched.

**POST /esiti**: each outcome is recorded on its flow: OK → accepted with the SIUSS acquisition
id, the other codes → rejected with the code and its description; `ts_acquisizione` is kept.
The same notice twice leaves the same state. An outcome for an id the Ambito does not have (or
whose `tipo` is not the flow's) is logged and skipped, and the notice still answers 204: INPS
resends a notice until it gets a 2xx, and resending cannot make the id known.
"""

import base64
import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from pathlib import Path
from typing import Any, Literal

import jwt
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError, field_validator

from ambito.flows.models import Flow
from ambito.territory.models import Ambito

logger = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
MAX_DETAIL = 4096  # the yaml's Problem.detail
REQUIRED_CLAIMS = ["exp", "nbf", "iat", "aud", "iss", "jti", "client_id", "purposeId"]
LEEWAY_SECONDS = 30
DEFAULT_LIMIT, MAX_LIMIT = 10, 100
# The yaml's UnixTimestamp: int64 (its `maximum: 1e+20` is beyond what int64 holds).
MAX_SINCE = 2**63 - 1
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DIGITS = re.compile(r"[0-9]+")
# RFC 3339 date-time, as JSON Schema's "date-time" format.
DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


class BadRequest(Exception):
    pass


class VoucherRefused(Exception):
    pass


def problem(status: int, detail: str) -> JsonResponse:
    """An RFC 7807 body; `about:blank` types carry the HTTP status phrase as title."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    body["detail"] = detail[:MAX_DETAIL]
    return JsonResponse(
        body, status=status, content_type=PROBLEM, json_dumps_params={"ensure_ascii": False}
    )


# --- the PDND voucher ------------------------------------------------------------------------


def _public_key() -> str:
    """The PDND's key: PEM text (with "\\n" for newlines) or the path of a PEM file."""
    value = settings.AMBITO_PDND_PUBLIC_KEY.strip()
    if value and "-----BEGIN" not in value:
        try:
            return Path(value).read_text()
        except OSError:
            logger.exception("WaaS: chiave pubblica PDND illeggibile (%s)", value)
            return ""
    return value.replace("\\n", "\n")


def ambito_of_voucher(request: HttpRequest) -> tuple[Ambito, dict[str, Any]]:
    """The Ambito the voucher's audience names, and the voucher's claims; VoucherRefused."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise VoucherRefused("Voucher PDND mancante: Authorization: Bearer <voucher>.")
    audiences = {aud: code for code, aud in settings.AMBITO_PDND_AUDIENCE.items()}
    key = _public_key()
    if not key or not audiences or not settings.AMBITO_PDND_ISSUER:
        logger.error("WaaS: AMBITO_PDND_PUBLIC_KEY, _AUDIENCE o _ISSUER non configurati.")
        raise VoucherRefused("Il servizio non è configurato per accettare voucher PDND.")
    try:
        claims = jwt.decode(
            token.strip(),
            key,
            algorithms=["RS256"],
            audience=list(audiences),
            issuer=settings.AMBITO_PDND_ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as exc:
        raise VoucherRefused("Voucher PDND scaduto.") from exc
    except jwt.InvalidTokenError as exc:
        raise VoucherRefused(f"Voucher PDND non valido ({type(exc).__name__}).") from exc
    aud = claims["aud"]
    codes = {audiences[a] for a in ([aud] if isinstance(aud, str) else aud) if a in audiences}
    ambito = Ambito.objects.filter(code=codes.pop()).first() if len(codes) == 1 else None
    if ambito is None:
        raise VoucherRefused("Il voucher PDND non indica un solo Ambito servito da questa API.")
    return ambito, claims


# --- the endpoints ---------------------------------------------------------------------------

View = Callable[..., HttpResponse]


def endpoint(method: str, *, voucher: bool = True) -> Callable[[View], View]:
    """The answers every operation shares: 405 for another method, 401 without a valid
    voucher, 400 for bad input, 500 (logged) for the unexpected, all as problem+json."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest) -> HttpResponse:
            if request.method != method:
                response = problem(405, f"Metodo {request.method} non ammesso: solo {method}.")
                response["Allow"] = method
                return response
            try:
                if not voucher:
                    return view(request)
                ambito, claims = ambito_of_voucher(request)
                return view(request, ambito, claims)
            except VoucherRefused as exc:
                response = problem(401, str(exc))
                response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
                return response
            except BadRequest as exc:
                return problem(400, str(exc))
            except Exception:
                # A process boundary: log with the traceback, tell the error reporters.
                logger.exception("WaaS %s %s", request.method, request.path)
                got_request_exception.send(sender=None, request=request)
                return problem(500, "Errore interno: l'errore è stato registrato.")

        return csrf_exempt(wrapper)

    return decorate


@endpoint("GET", voucher=False)
def status(request: HttpRequest) -> HttpResponse:
    """The service is up when its database answers."""
    try:
        connection.ensure_connection()
    except DatabaseError:
        logger.exception("WaaS /status: database non raggiungibile")
        return problem(503, "Il servizio non è al momento disponibile.")
    return problem(200, "Il servizio funziona correttamente.")


def _integer(request: HttpRequest, names: tuple[str, ...], maximum: int) -> int | None:
    """The query parameter (the first of `names` given), None when absent; BadRequest unless
    a whole number from 0 to `maximum`."""
    name = next((n for n in names if n in request.GET), None)
    if name is None:
        return None
    values = request.GET.getlist(name)
    if len(values) != 1 or not DIGITS.fullmatch(values[0]) or int(values[0]) > maximum:
        raise BadRequest(f"Il parametro «{name}» deve essere un intero da 0 a {maximum}.")
    return int(values[0])


def milliseconds(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(milliseconds=1)


def ts_flusso(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as the yaml's examples: 2023-11-27T11:04:56.852Z."""
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def entry(flow: Flow) -> dict[str, str]:
    return {
        "codice_ente": flow.ente_code,
        "denominazione_ente": flow.ente_name[:256],
        "id_flusso": flow.flow_id,
        "tipo": flow.kind,
        "ts_flusso": ts_flusso(flow.created_at),
        "flusso": base64.b64encode(flow.xml.encode("utf-8")).decode("ascii"),
    }


def flows_after(ambito: Ambito, since: int, limit: int) -> list[Flow]:
    """At most `limit` flows of the Ambito whose ts_flusso (in ms) is after `since`, oldest
    first, locked until the caller's transaction ends (a manual file waits for them)."""
    try:
        after = EPOCH + dt.timedelta(milliseconds=since + 1)
    except OverflowError:
        return []
    if limit == 0:
        return []
    found = list(
        Flow.objects.select_for_update()
        .filter(ambito=ambito, manual_file__isnull=True, created_at__gte=after)
        .order_by("created_at", "pk")[: limit + 1]
    )
    page = found[:limit]
    # The outbox gives every flow of an Ambito its own millisecond; should two ever share one,
    # a page must not end between them (the next `since` would skip the second).
    if len(found) > limit and milliseconds(found[limit].created_at) == milliseconds(
        page[-1].created_at
    ):
        tied = milliseconds(page[-1].created_at)
        page = [flow for flow in page if milliseconds(flow.created_at) != tied] or page
    return page


@endpoint("GET")
def flows(request: HttpRequest, ambito: Ambito, claims: dict[str, Any]) -> HttpResponse:
    since = _integer(request, ("since",), MAX_SINCE)
    if since is None:
        raise BadRequest("Il parametro «since» è obbligatorio (0 alla prima acquisizione).")
    limit = _integer(request, ("limit", "max_entries"), MAX_LIMIT)
    with transaction.atomic():
        page = flows_after(ambito, since, DEFAULT_LIMIT if limit is None else limit)
        Flow.objects.filter(
            pk__in=[flow.pk for flow in page], fetched_at__isnull=True, status=Flow.Status.READY
        ).update(fetched_at=timezone.now(), status=Flow.Status.FETCHED)
    logger.info(
        "WaaS GET /flussi: %s, client %s, since %s: %d flussi",
        ambito.code,
        claims.get("client_id"),
        since,
        len(page),
    )
    return JsonResponse({"elenco_flussi": [entry(flow) for flow in page]})


class Outcome(BaseModel):
    """The yaml's EsitoFlusso (other properties allowed, as the spec's own example has)."""

    model_config = ConfigDict(extra="allow")

    id_flusso: StrictStr
    tipo: StrictStr
    ts_flusso: StrictStr
    ts_acquisizione: StrictStr
    codice_esito: Literal["OK", "DATI_NON_TROVATI", "RICHIESTA_INVALIDA", "ERRORE_GENERICO"]
    descrizione_esito: StrictStr = ""
    id_acquisizione_siuss: StrictStr = ""

    @field_validator("ts_flusso", "ts_acquisizione")
    @classmethod
    def date_time(cls, value: str) -> str:
        parse_date_time(value)
        return value


class Outcomes(BaseModel):
    """The yaml's ElencoEsiti."""

    model_config = ConfigDict(extra="forbid")

    elenco_esiti: list[Outcome] = Field(default_factory=list, max_length=100)


def parse_date_time(value: str) -> dt.datetime:
    """An RFC 3339 date-time (a leap second read as :59); ValueError if it is not one."""
    if not DATE_TIME.fullmatch(value):
        raise ValueError("data e ora non nel formato RFC 3339")
    value = re.sub(r":60(?=[.Zz+-])", ":59", value)
    return dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))


def _outcomes(request: HttpRequest) -> Outcomes:
    if request.content_type != "application/json":
        raise BadRequest("Il corpo deve essere application/json.")
    try:
        data = json.loads(request.body)
    except ValueError as exc:
        raise BadRequest("Il corpo non è JSON valido.") from exc
    try:
        return Outcomes.model_validate(data)
    except ValidationError as exc:
        raise BadRequest(f"Elenco degli esiti non valido: {_describe(exc)}") from exc


# Italian for the errors a notice can have; anything else is "valore non valido".
ERRORS = {
    "missing": "campo obbligatorio",
    "extra_forbidden": "campo non previsto",
    "string_type": "deve essere un testo",
    "list_type": "deve essere un elenco",
    "model_type": "deve essere un oggetto",
    "literal_error": "valore non ammesso",
    "too_long": "al massimo 100 esiti",
    "value_error": "data e ora non nel formato RFC 3339",
}
SHOWN_ERRORS = 5


def _describe(exc: ValidationError) -> str:
    errors = exc.errors()
    described = [
        f"{'.'.join(str(part) for part in error['loc']) or 'corpo'}: "
        f"{ERRORS.get(error['type'], 'valore non valido')}"
        for error in errors[:SHOWN_ERRORS]
    ]
    more = len(errors) - SHOWN_ERRORS
    return "; ".join(described) + (f" (e altri {more} errori)" if more > 0 else "") + "."


@endpoint("POST")
def outcomes(request: HttpRequest, ambito: Ambito, claims: dict[str, Any]) -> HttpResponse:
    notice = _outcomes(request)
    with transaction.atomic():
        # A NUL is in no flow id (and PostgreSQL refuses it in a query).
        ids = {
            outcome.id_flusso for outcome in notice.elenco_esiti if "\x00" not in outcome.id_flusso
        }
        known = {
            flow.flow_id: flow
            for flow in Flow.objects.select_for_update().filter(ambito=ambito, flow_id__in=ids)
        }
        unknown = []
        for outcome in notice.elenco_esiti:
            flow = known.get(outcome.id_flusso)
            if flow is None or flow.kind != outcome.tipo:
                unknown.append(outcome.id_flusso)
                continue
            record_outcome(flow, outcome)
    if unknown:
        message = "WaaS POST /esiti: %s, esiti ignorati per flussi sconosciuti: %s"
        logger.warning(message, ambito.code, unknown[:20])
    return HttpResponse(status=204)


def record_outcome(flow: Flow, outcome: Outcome) -> None:
    """INPS's outcome on the flow (only its outcome fields change); nothing if already so."""
    accepted = outcome.codice_esito == "OK"
    acquired_at = parse_date_time(outcome.ts_acquisizione)
    acquisition_id = _text(outcome.id_acquisizione_siuss) if accepted else ""
    if len(acquisition_id) > 64:
        logger.warning("WaaS: id di acquisizione troncato per %s", flow.flow_id)
    values = {
        "status": Flow.Status.ACCEPTED if accepted else Flow.Status.REJECTED,
        "outcome_code": outcome.codice_esito,
        "outcome_description": _text(outcome.descrizione_esito),
        "acquisition_id": acquisition_id[:64],
        "acquired_at": acquired_at,
        "fetched_at": flow.fetched_at or acquired_at,
    }
    changed = [name for name, value in values.items() if getattr(flow, name) != value]
    for name in changed:
        setattr(flow, name, values[name])
    if changed:
        flow.save(update_fields=changed)


def _text(value: str) -> str:
    """INPS's text as a database stores it (PostgreSQL refuses NUL characters)."""
    return value.replace("\x00", "")


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other address under /waas/v1/."""
    return problem(404, "Risorsa non trovata: le risorse sono /status, /flussi e /esiti.")
