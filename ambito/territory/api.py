"""API of the territory: the Comuni of the caller's Ambito."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from ambito.accounts.access import operator_of
from ambito.api_common import ErrorOut
from ambito.territory.models import Comune, ComuneQuerySet

router = Router(tags=["Comuni"])


class ComuneRef(Schema):
    istat_code: str
    name: str


class ComuneOut(Schema):
    istat_code: str
    belfiore_code: str
    name: str
    province: str


def comune_by_istat(istat_code: str, *, field: str) -> Comune:
    """The Comune with this ISTAT code; the Ambito it belongs to is the action's concern."""
    try:
        return Comune.objects.get(istat_code=istat_code.strip())
    except Comune.DoesNotExist as exc:
        raise ValidationError({field: f"Nessun Comune con codice ISTAT «{istat_code}»."}) from exc


@router.get("", response={200: list[ComuneOut], 403: ErrorOut}, summary="Comuni dell'Ambito")
def list_comuni(request: HttpRequest) -> ComuneQuerySet:
    """I Comuni dell'Ambito dell'operatore, in ordine alfabetico, con codici ISTAT e catastale."""
    op = operator_of(request.user)
    if op is None:
        raise PermissionDenied("L'utente non ha un profilo di operatore.")
    return Comune.objects.in_ambito(op.ambito)
