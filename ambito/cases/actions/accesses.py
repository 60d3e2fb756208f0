"""Accesses: first contacts and referrals (phase A)."""

import logging
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ambito.accounts.access import CASE_ROLES
from ambito.cases.actions.case import open_case
from ambito.cases.actions.common import (
    _conflict,
)
from ambito.cases.models import (
    Access,
    Case,
    CaseEvent,
)
from ambito.organizations.models import Area, Operator, ServiceUnit
from ambito.people.models import Person
from ambito.territory.models import Ambito, Comune

logger = logging.getLogger(__name__)


# Accesses (first contacts and referrals, phase A). The Access row records who received it and
# who gave it its outcome, and when; opening a case from it, or linking it to one, leaves a
# CaseEvent in that case's history.

REGISTRATION_OUTCOMES = (
    Access.Outcome.PENDING,
    Access.Outcome.INFORMATION,
    Access.Outcome.REFERRAL,
)
CLOSING_OUTCOMES = (Access.Outcome.INFORMATION, Access.Outcome.REFERRAL)


def _receiving_operator(by: Any, ambito: Ambito) -> Operator:
    """Accesses are received by the operators of the Ambito who work on cases."""
    op: Operator | None = getattr(by, "operator", None)
    if op is None or op.role not in CASE_ROLES:
        raise PermissionDenied("Il suo ruolo non consente di registrare segnalazioni.")
    if op.ambito_id != ambito.pk:
        raise PermissionDenied("L'operatore non è di questo Ambito.")
    return op


def _access_field_errors(
    on: date, channel: str, source: str, request: str, area: str
) -> dict[str, str]:
    errors = {}
    if on > timezone.localdate():
        errors["date"] = "La data della segnalazione è nel futuro."
    if channel not in Access.Channel.values:
        errors["channel"] = "Canale non valido."
    if source not in Access.Source.values:
        errors["source"] = "Fonte non valida: indicare un codice SINBA da 1 a 14."
    if not request.strip():
        errors["request"] = "Indicare la domanda espressa."
    if area not in Area.values:
        errors["area"] = "Area non valida."
    return errors


def _access_owner_errors(
    ambito: Ambito, owner_comune: Comune | None, owner_unit: ServiceUnit | None
) -> dict[str, str]:
    if (owner_comune is None) == (owner_unit is None):
        return {"owner": "La segnalazione è ricevuta da un Comune oppure da un servizio."}
    owner: Comune | ServiceUnit = owner_comune or owner_unit  # type: ignore[assignment]
    if owner.ambito_id != ambito.pk:
        field = "owner_comune" if owner_comune is not None else "owner_unit"
        return {field: f"{owner} non è di questo Ambito."}
    return {}


def _outcome_errors(outcome: str, referred_to: str, allowed: tuple[str, ...]) -> dict[str, str]:
    if outcome not in allowed:
        labels = ", ".join(str(Access.Outcome(value).label) for value in allowed)
        return {"outcome": f"Esito non valido: ammessi {labels}."}
    if outcome == Access.Outcome.REFERRAL and not referred_to.strip():
        return {"referred_to": "Indicare il servizio a cui la persona è inviata."}
    return {}


@transaction.atomic
def register_access(
    *,
    ambito: Ambito,
    by: Any,
    date: date,
    channel: str,
    source: str,
    request: str,
    area: str,
    owner_comune: Comune | None = None,
    owner_unit: ServiceUnit | None = None,
    person: Person | None = None,
    referrer_name: str = "",
    referrer_contact: str = "",
    privacy_notice_given: bool = False,
    outcome: str = Access.Outcome.PENDING,
    referred_to: str = "",
    recorded_at: datetime | None = None,
) -> Access:
    """Records a first contact or referral received by `by` at the desk of its owner (their
    Comune or service unit). `person` may be missing (an anonymous first contact); `outcome`
    may end it at once with information only or a referral (`referred_to`). `recorded_at`:
    as in open_case."""
    operator = _receiving_operator(by, ambito)
    errors = {
        **_access_field_errors(date, channel, source, request, area),
        **_access_owner_errors(ambito, owner_comune, owner_unit),
        **_outcome_errors(outcome, referred_to, REGISTRATION_OUTCOMES),
    }
    if person is not None and person.ambito_id != ambito.pk:
        errors["person"] = "La persona non è di questo Ambito."
    if errors:
        raise ValidationError(errors)
    at = recorded_at or timezone.now()
    concluded = outcome != Access.Outcome.PENDING
    access = Access.objects.create(
        ambito=ambito,
        date=date,
        channel=channel,
        source=source,
        referrer_name=referrer_name.strip(),
        referrer_contact=referrer_contact.strip(),
        person=person,
        request=request.strip(),
        area=area,
        operator=operator,
        owner_comune=owner_comune,
        owner_unit=owner_unit,
        privacy_notice_given=privacy_notice_given,
        outcome=outcome,
        referred_to=referred_to.strip() if outcome == Access.Outcome.REFERRAL else "",
        outcome_by=by if concluded else None,
        outcome_at=at if concluded else None,
        created_at=at,
    )
    level = _log_level(recorded_at)
    logger.log(level, "Access %s registered by %s: %s", access.pk, by.get_username(), outcome)
    return access


def _log_level(recorded_at: datetime | None) -> int:
    """A historical record being loaded (demo, migration) is not an operator's action now: it
    stays out of the operations log unless debugging."""
    return logging.DEBUG if recorded_at is not None else logging.INFO


def _locked_pending_access(access: Access) -> Access:
    """The access row locked for its outcome; an access has one outcome only (409 if given
    twice)."""
    access = Access.objects.select_for_update().get(pk=access.pk)
    if access.case_id is not None:
        message = f"La segnalazione è già collegata alla cartella {access.case.reference}."  # type: ignore[union-attr]
        raise ValidationError(message, code="unique")
    if not access.is_pending:
        outcome = access.get_outcome_display().lower()
        raise ValidationError(f"La segnalazione è già conclusa: {outcome}.", code="unique")
    return access


def _conclude(
    access: Access,
    *,
    by: Any,
    outcome: str,
    case: Case | None = None,
    referred_to: str = "",
    at: datetime | None = None,
) -> Access:
    access.outcome, access.case, access.referred_to = outcome, case, referred_to
    access.outcome_by, access.outcome_at = by, at or timezone.now()
    access.save(update_fields=["outcome", "case", "referred_to", "outcome_by", "outcome_at"])
    level = _log_level(at)
    logger.log(level, "Access %s concluded by %s: %s", access.pk, by.get_username(), outcome)
    return access


@transaction.atomic
def close_access(access: Access, *, by: Any, outcome: str, referred_to: str = "") -> Access:
    """Ends a pending access with information only (`informazione`) or a referral to another
    service (`invio`, named in `referred_to`)."""
    access = _locked_pending_access(access)
    errors = _outcome_errors(outcome, referred_to, CLOSING_OUTCOMES)
    if errors:
        raise ValidationError(errors)
    referred_to = referred_to.strip() if outcome == Access.Outcome.REFERRAL else ""
    return _conclude(access, by=by, outcome=outcome, referred_to=referred_to)


@transaction.atomic
def open_case_from_access(
    access: Access,
    *,
    by: Any,
    owner_comune: Comune | None = None,
    owner_unit: ServiceUnit | None = None,
    case_manager: Operator | None = None,
    opened_on: date | None = None,
    recorded_at: datetime | None = None,
) -> Case:
    """Opens the case a pending access leads to (presa in carico) for its person in its area,
    owned by default by the desk that received it; the opening event names the access.

    Refused for an anonymous access and for an access already concluded (409); when the person
    already has an open case in the area (409), link the access to it (link_access_to_case).
    `opened_on` and `recorded_at`: as in open_case.
    """
    access = _locked_pending_access(access)
    if access.person is None:
        message = "Per aprire la cartella occorre indicare la persona: la segnalazione è anonima."
        raise ValidationError({"person": message})
    if Case.objects.open().filter(person=access.person, area=access.area).exists():
        message = (
            f"La persona ha già una cartella aperta nell'area {access.get_area_display()}: "
            "collegare la segnalazione a quella cartella."
        )
        raise _conflict("area", message)
    if owner_comune is None and owner_unit is None:
        owner_comune, owner_unit = access.owner_comune, access.owner_unit
    opened_on = opened_on or timezone.localdate()
    if opened_on < access.date:
        message = "La data di apertura precede quella della segnalazione."
        raise ValidationError({"opened_on": message})
    case = open_case(
        access.person,
        by=by,
        area=access.area,
        owner_comune=owner_comune,
        owner_unit=owner_unit,
        case_manager=case_manager,
        opened_on=opened_on,
        recorded_at=recorded_at,
        access=access,
    )
    _conclude(access, by=by, outcome=Access.Outcome.CASE_OPENED, case=case, at=recorded_at)
    return case


@transaction.atomic
def link_access_to_case(access: Access, *, by: Any, case: Case) -> Access:
    """Ends a pending access by linking it to its person's case already open (a new referral
    about a family in care), with an event in the case's history."""
    access = _locked_pending_access(access)
    if access.person_id is None:
        message = "Per collegare la segnalazione a una cartella occorre indicare la persona."
        raise ValidationError({"person": message})
    if case.person_id != access.person_id:
        raise ValidationError({"case": "La cartella è di un'altra persona."})
    if case.status != Case.Status.OPEN:
        raise ValidationError({"case": "La cartella è chiusa: aprirne una nuova."})
    _conclude(access, by=by, outcome=Access.Outcome.CASE_LINKED, case=case)
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.ACCESS_LINKED,
        summary=f"Collegata la segnalazione {access.label}",
        data={"access": access.pk},
    )
    return access
