"""The HTTP API under /api/v1/: bearer tokens, errors as Italian JSON, the routers of the apps.

Every error answers `{"detail": "<Italian sentence>"}`, with `errors` (field → messages) when
the data are invalid: 401 no token, 403 role, 404 missing or not yours, 409 conflict (duplicate),
422 invalid data. Unexpected exceptions are logged and reported like any request error.
The operations' docstrings are the published documentation (/api/v1/docs): in Italian.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.log import log_response
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.security import HttpBearer

from ambito.accounts.models import ApiToken
from ambito.cases.access import ReservedCase
from ambito.cases.accesses_api import router as accesses_router
from ambito.cases.api import router as cases_router
from ambito.cases.assessments_api import router as assessments_router
from ambito.cases.court_api import router as court_router
from ambito.cases.plans_api import router as plans_router
from ambito.cases.protection_api import router as protection_router
from ambito.cases.records_api import router as records_router
from ambito.cases.stats_api import router as stats_router
from ambito.copay.api import router as copay_router
from ambito.flows.api import router as flows_router
from ambito.interventions.api import router as deliveries_router
from ambito.people.actions import PossibleDuplicates
from ambito.people.api import router as people_router
from ambito.planning.api import router as planning_router
from ambito.planning.knowledge_api import router as knowledge_router
from ambito.territory.api import router as territory_router

UNAUTHENTICATED = "Autenticazione richiesta: token mancante o non valido."

# Italian for the pydantic error types a client can provoke; anything else is "Valore non valido."
SCHEMA_MESSAGES = {
    "missing": "Campo obbligatorio.",
    "extra_forbidden": "Campo non previsto.",
    "string_type": "Deve essere un testo.",
    "int_type": "Deve essere un numero intero.",
    "int_parsing": "Deve essere un numero intero.",
    "bool_type": "Deve essere true o false.",
    "bool_parsing": "Deve essere true o false.",
    "date_type": "Deve essere una data (AAAA-MM-GG).",
    "date_parsing": "Deve essere una data (AAAA-MM-GG).",
    "date_from_datetime_parsing": "Deve essere una data (AAAA-MM-GG).",
    "enum": "Valore non ammesso.",
    "greater_than_equal": "Valore troppo piccolo.",
    "model_attributes_type": "Il corpo della richiesta deve essere un oggetto JSON.",
    "dict_type": "Il corpo della richiesta deve essere un oggetto JSON.",
}


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`, matched by digest against non-revoked tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        found = (
            ApiToken.objects.matching(token)
            .filter(user__is_active=True)
            .select_related("user__operator__ambito", "user__operator__ente__comune")
            .first()
        )
        if found is None:
            return None
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="Ambito API",
    version="1",
    description="API del sistema informativo dell'Ambito. Autenticazione: `Authorization: "
    "Bearer <token>` (token creato con `manage.py create_api_token`).",
    urls_namespace="api",
    auth=BearerToken(),
    # Swagger UI from the static files ninja ships, without the public validator: offline.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("/comuni", territory_router)
api.add_router("/persons", people_router)
api.add_router("/cases", cases_router)
api.add_router("/cases", records_router)
api.add_router("/stats", stats_router)
api.add_router("/accesses", accesses_router)
# Court orders under /cases/{id}/court-orders, reports under /court-reports, /deadlines.
api.add_router("", court_router)
api.add_router("", assessments_router)
api.add_router("", plans_router)
api.add_router("", protection_router)
# Co-payment under /copay, the ISEE declarations under /persons/{id}/isee.
api.add_router("", copay_router)
api.add_router("", deliveries_router)
api.add_router("/planning", planning_router)
api.add_router("/planning", knowledge_router)
api.add_router("/flows", flows_router)


def error(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


def field_name(loc: tuple[Any, ...]) -> str:
    """("body", "payload", "first_name") → "first_name"; ("query", "page") → "page"."""
    # A body location carries the view's parameter name second: not the client's concern.
    parts = [str(p) for p in loc[2 if loc[0] == "body" else 1 :]]
    return ".".join(parts) or "body"


@api.exception_handler(SchemaError)
def invalid_schema(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        message = SCHEMA_MESSAGES.get(item["type"], "Valore non valido.")
        errors.setdefault(field_name(tuple(item["loc"])), []).append(message)
    return error(request, 422, f"Dati non validi: {', '.join(errors)}.", errors=errors)


@api.exception_handler(ValidationError)
def invalid_data(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """The actions' and models' errors; those coded "unique" are conflicts (409)."""
    if hasattr(exc, "error_dict"):
        errors = exc.message_dict
        codes = {e.code for field_errors in exc.error_dict.values() for e in field_errors}
    else:
        errors = {NON_FIELD_ERRORS: exc.messages}
        codes = {e.code for e in exc.error_list}
    detail = " ".join(exc.messages)
    if "unique" in codes:
        return error(request, 409, detail)
    return error(request, 422, detail, errors=errors)


@api.exception_handler(PossibleDuplicates)
def possible_duplicates(request: HttpRequest, exc: PossibleDuplicates) -> HttpResponse:
    detail = f"{exc} Se è una persona diversa, reinviare con confirm_not_duplicate: true."
    return error(request, 409, detail, candidates=[p.pk for p in exc.candidates])


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error(request, 401, UNAUTHENTICATED)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, str(exc) or "Operazione non consentita.")


@api.exception_handler(ReservedCase)
def reserved_case(request: HttpRequest, exc: ReservedCase) -> HttpResponse:
    """A reserved case reached by an operator of its owner outside its team: how to ask for an
    emergency access."""
    detail = (
        f"La cartella {exc.reference} ({exc.owner}) è riservata alla sua équipe. In caso di "
        "necessità si può chiedere un accesso straordinario a tempo: POST "
        f"/api/v1/cases/{exc.case_id}/break-glass con il corpo "
        '{"reason": "<motivo>"}. '
        "L'accesso è registrato e notificato al coordinatore d'area."
    )
    return error(request, 403, detail)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, str(exc) or "Risorsa non trovata.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises HttpError(400) from the JSON decoder's ValueError for a malformed body.
    if isinstance(exc.__cause__, ValueError):
        errors = {"body": ["Il corpo della richiesta non è JSON valido."]}
        return error(request, 422, "Dati non validi: body.", errors=errors)
    return error(request, exc.status_code, str(exc))


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A process boundary: log with the traceback, tell error reporters, answer JSON."""
    got_request_exception.send(sender=None, request=request)
    response = error(request, 500, "Errore interno: l'errore è stato registrato.")
    # As Django logs a 500, with the traceback and only once.
    log_response(
        "Internal Server Error: %s",
        request.path,
        response=response,
        request=request,
        exception=exc,
    )
    return response
