"""Child protection and the ADI path: the mandate of a minors' case, the dates of an ADI
household's activation pact and first meeting, placements out of the family and supervised
visits (incontri protetti).

Their events name kinds, codes and dates, never the observations of a visit nor the name of a
foster family: the history is read by more people than the child-protection record needs."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ambito.accounts.access import CASE_READER_ROLES
from ambito.cases.actions.common import (
    _check_writer,
    _conflict,
    _locked_open_case,
    _required,
)
from ambito.cases.models import (
    Case,
    CaseEvent,
    CourtOrder,
    Mandate,
    Placement,
    SupervisedVisit,
)
from ambito.organizations.models import Area, Operator

FOSTER_FIELDS = ("foster_type", "foster_duration", "foster_character")
RESIDENTIAL_FIELDS = ("residential_type", "residential_character")


def _not_future(day: date, field: str, message: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: message})


@transaction.atomic
def set_mandate(case: Case, *, by: Any, mandate: str) -> Case:
    """Records on what a famiglia e minori case rests: the parents' consent (UO Preventiva)
    or an order of the judicial authority (UO Riparativa)."""
    case = _locked_open_case(case)
    _check_writer(by, case)
    if case.area != Area.FAMILY_MINORS:
        raise ValidationError(
            {"mandate": "Il mandato riguarda solo le cartelle dell'area Famiglia e minori."}
        )
    if mandate not in Mandate.values:
        raise ValidationError({"mandate": "Mandato non valido."})
    if mandate == case.mandate:
        raise ValidationError({"mandate": "Il mandato della cartella è già questo."})
    old, case.mandate = case.mandate, mandate
    case.save(update_fields=["mandate"])
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.MANDATE_CHANGED,
        summary=f"Mandato: {case.get_mandate_display()}",
        data={"old": old, "new": mandate},
    )
    return case


@transaction.atomic
def set_adi_dates(
    case: Case, *, by: Any, pad_on: date, first_meeting_on: date | None = None
) -> Case:
    """Records the digital activation pact (PAD) of an ADI household and, once held, the
    first meeting with the social service, due within 120 days of the pact (the deadline on
    the Scadenze page); only on cases of the area Povertà e inclusione."""
    case = _locked_open_case(case)
    _check_writer(by, case)
    if case.area != Area.POVERTY:
        raise ValidationError(
            {"pad_on": "Il percorso ADI riguarda le cartelle dell'area Povertà e inclusione."}
        )
    _not_future(pad_on, "pad_on", "La data del Patto di attivazione digitale è nel futuro.")
    if first_meeting_on is not None:
        if first_meeting_on < pad_on:
            raise ValidationError(
                {"first_meeting_on": "Il primo incontro precede il Patto di attivazione."}
            )
        _not_future(first_meeting_on, "first_meeting_on", "Il primo incontro è nel futuro.")
    if (case.adi_pad_on, case.adi_first_meeting_on) == (pad_on, first_meeting_on):
        raise ValidationError({"pad_on": "Le date del percorso ADI sono già queste."})
    old = {
        "pad_on": case.adi_pad_on.isoformat() if case.adi_pad_on else None,
        "first_meeting_on": case.adi_first_meeting_on.isoformat()
        if case.adi_first_meeting_on
        else None,
    }
    case.adi_pad_on, case.adi_first_meeting_on = pad_on, first_meeting_on
    case.save(update_fields=["adi_pad_on", "adi_first_meeting_on"])
    meeting = (
        f"; primo incontro il {first_meeting_on:%d/%m/%Y}"
        if first_meeting_on
        else "; primo incontro da fissare"
    )
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.ADI_UPDATED,
        summary=f"Percorso ADI: Patto di attivazione digitale del {pad_on:%d/%m/%Y}{meeting}",
        data={
            "old": old,
            "pad_on": pad_on.isoformat(),
            "first_meeting_on": first_meeting_on.isoformat() if first_meeting_on else None,
        },
    )
    return case


def _placement_fields(kind: str, fields: dict[str, str]) -> dict[str, str]:
    """The SINBA fields of the placement's kind, each required and valid, and no field of the
    other kind."""
    own, other = {
        Placement.Kind.FOSTER: (FOSTER_FIELDS, RESIDENTIAL_FIELDS),
        Placement.Kind.RESIDENTIAL: (RESIDENTIAL_FIELDS, FOSTER_FIELDS),
    }[Placement.Kind(kind)]
    choices = {
        "foster_type": Placement.FosterType,
        "foster_duration": Placement.FosterDuration,
        "foster_character": Placement.FosterCharacter,
        "residential_type": Placement.ResidentialType,
        "residential_character": Placement.ResidentialCharacter,
    }
    label = Placement.Kind(kind).label.lower()
    errors: dict[str, str] = {}
    for name in other:
        if fields.get(name):
            errors[name] = f"Dato che non riguarda un {label}."
    for name in own:
        value = fields.get(name, "")
        if not value:
            errors[name] = f"Dato richiesto per un {label}."
        elif value not in choices[name].values:
            errors[name] = "Valore non valido."
    if errors:
        raise ValidationError(errors)
    return {name: fields[name] for name in own}


def _check_placement_order(
    case: Case, form: str, court_order: CourtOrder | None, starts_on: date
) -> None:
    if court_order is not None and court_order.case_id != case.pk:
        raise ValidationError({"court_order": "Il provvedimento non è di questa cartella."})
    if form == Placement.Form.JUDICIAL and court_order is None:
        raise ValidationError(
            {"court_order": "Un collocamento giudiziario indica il provvedimento che lo dispone."}
        )
    if court_order is not None and court_order.issued_on > starts_on:
        raise ValidationError(
            {"starts_on": "Il collocamento inizia prima del provvedimento che lo dispone."}
        )


@transaction.atomic
def add_placement(
    case: Case,
    *,
    by: Any,
    kind: str,
    form: str,
    placed_with: str,
    starts_on: date,
    expected_end_on: date | None = None,
    court_order: CourtOrder | None = None,
    foster_type: str = "",
    foster_duration: str = "",
    foster_character: str = "",
    residential_type: str = "",
    residential_character: str = "",
) -> Placement:
    """Records a minor's placement out of the family: foster care with its SINBA type,
    duration and character, or a residential structure with its type and character (the
    fields of the kind, and only those). A judicial placement names the court order of the
    same case that disposes it. One placement in course at a time (409)."""
    case = _locked_open_case(case)
    _check_writer(by, case)
    if kind not in Placement.Kind.values:
        raise ValidationError({"kind": "Tipo di collocamento non valido."})
    if form not in Placement.Form.values:
        raise ValidationError({"form": "Forma del collocamento non valida."})
    if case.person.age_on(starts_on) >= 18:
        raise ValidationError(
            {"kind": "Il collocamento in affido o in struttura riguarda un minore."}
        )
    _not_future(starts_on, "starts_on", "La data di inizio del collocamento è nel futuro.")
    if expected_end_on is not None and expected_end_on < starts_on:
        raise ValidationError({"expected_end_on": "La fine prevista precede l'inizio."})
    placed_with = _required(
        placed_with, "placed_with", "Indicare la famiglia affidataria o la struttura."
    )
    if len(placed_with) > 300:
        raise ValidationError({"placed_with": "Il testo supera i 300 caratteri."})
    fields = _placement_fields(
        kind,
        {
            "foster_type": foster_type,
            "foster_duration": foster_duration,
            "foster_character": foster_character,
            "residential_type": residential_type,
            "residential_character": residential_character,
        },
    )
    _check_placement_order(case, form, court_order, starts_on)
    if case.placements.filter(ends_on__isnull=True).exists():
        raise _conflict("kind", "Il minore ha già un collocamento in corso: concluderlo prima.")
    placement = Placement.objects.create(
        case=case,
        kind=kind,
        form=form,
        court_order=court_order,
        placed_with=placed_with,
        starts_on=starts_on,
        expected_end_on=expected_end_on,
        created_by=by,
        **fields,
    )
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.PLACEMENT_ADDED,
        summary=f"{placement.get_kind_display()} ({placement.get_form_display().lower()}) dal "
        f"{starts_on:%d/%m/%Y}",
        data={
            "placement": placement.pk,
            "kind": kind,
            "form": form,
            "court_order": court_order.pk if court_order else None,
            "starts_on": starts_on.isoformat(),
            **fields,
        },
    )
    return placement


@transaction.atomic
def end_placement(placement: Placement, *, by: Any, ends_on: date, outcome: str) -> Placement:
    """Ends a placement in course with its SINBA outcome (EsitoAffido /
    EsitoInserimentoStruttura). A placement ends once (409)."""
    placement = Placement.objects.select_for_update(of=("self",)).get(pk=placement.pk)
    case = _locked_open_case(placement.case)
    _check_writer(by, case)
    if placement.ends_on is not None:
        message = f"Il collocamento è già concluso il {placement.ends_on:%d/%m/%Y}."
        raise _conflict("ends_on", message)
    if outcome not in Placement.Outcome.values:
        raise ValidationError({"outcome": "Indicare l'esito del collocamento."})
    if ends_on < placement.starts_on:
        raise ValidationError({"ends_on": "La fine del collocamento precede il suo inizio."})
    _not_future(ends_on, "ends_on", "La data di fine del collocamento è nel futuro.")
    placement.ends_on, placement.outcome = ends_on, outcome
    placement.save(update_fields=["ends_on", "outcome"])
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.PLACEMENT_ENDED,
        summary=f"Concluso il {ends_on:%d/%m/%Y} il collocamento "
        f"({placement.get_kind_display().lower()}): {placement.get_outcome_display()}",
        data={"placement": placement.pk, "ends_on": ends_on.isoformat(), "outcome": outcome},
    )
    return placement


@transaction.atomic
def schedule_visit(
    case: Case,
    *,
    by: Any,
    scheduled_at: datetime,
    place: str,
    visitor: str,
    facilitator: Operator,
) -> SupervisedVisit:
    """Schedules a supervised visit of the child with a parent or relative, led by an operator
    of the Ambito. A visit already held may be entered late (a past time): it then waits for
    its outcome, as an overdue deadline."""
    case = _locked_open_case(case)
    _check_writer(by, case)
    if case.area != Area.FAMILY_MINORS:
        raise ValidationError(
            {"scheduled_at": "Gli incontri protetti riguardano le cartelle Famiglia e minori."}
        )
    if timezone.is_naive(scheduled_at):  # a local time without its offset (API, forms)
        scheduled_at = timezone.make_aware(scheduled_at)
    if facilitator.ambito_id != case.ambito_id or facilitator.role not in CASE_READER_ROLES:
        raise ValidationError({"facilitator": "L'operatore non è di questo Ambito."})
    if timezone.localtime(scheduled_at).date() < case.opened_on:
        raise ValidationError({"scheduled_at": "L'incontro precede l'apertura della cartella."})
    place = _required(place, "place", "Indicare il luogo dell'incontro.")
    visitor = _required(visitor, "visitor", "Indicare con chi si svolge l'incontro.")
    if len(place) > 200 or len(visitor) > 200:
        field = "place" if len(place) > 200 else "visitor"
        raise ValidationError({field: "Il testo supera i 200 caratteri."})
    visit = SupervisedVisit.objects.create(
        case=case,
        scheduled_at=scheduled_at,
        place=place,
        visitor=visitor,
        facilitator=facilitator,
        created_by=by,
    )
    when = timezone.localtime(scheduled_at)
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.VISIT_SCHEDULED,
        summary=f"Incontro protetto programmato il {when:%d/%m/%Y} alle {when:%H:%M}",
        data={
            "visit": visit.pk,
            "scheduled_at": scheduled_at.isoformat(),
            "facilitator": facilitator.pk,
        },
    )
    return visit


@transaction.atomic
def record_visit(
    visit: SupervisedVisit, *, by: Any, status: str, attended_by: str = "", notes: str = ""
) -> SupervisedVisit:
    """Records how a scheduled visit went: held (with who attended), not held because the
    relative was absent, or cancelled by the service. Held or absent only once its time has
    come; a visit is recorded once (409)."""
    visit = SupervisedVisit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    case = _locked_open_case(visit.case)
    _check_writer(by, case)
    if visit.status != SupervisedVisit.Status.SCHEDULED:
        message = f"L'esito dell'incontro è già registrato: {visit.get_status_display()}."
        raise _conflict("status", message)
    outcomes = [s for s in SupervisedVisit.Status.values if s != SupervisedVisit.Status.SCHEDULED]
    if status not in outcomes:
        raise ValidationError({"status": "Indicare l'esito dell'incontro."})
    came = status in (SupervisedVisit.Status.HELD, SupervisedVisit.Status.ABSENT)
    if came and visit.scheduled_at > timezone.now():
        raise ValidationError(
            {"status": "L'incontro non è ancora avvenuto: si può solo annullare."}
        )
    attended_by, notes = attended_by.strip(), notes.strip()
    if status == SupervisedVisit.Status.HELD and not attended_by:
        raise ValidationError({"attended_by": "Indicare chi era presente all'incontro."})
    if len(attended_by) > 300:
        raise ValidationError({"attended_by": "Il testo supera i 300 caratteri."})
    visit.status, visit.attended_by, visit.notes = status, attended_by, notes
    visit.save(update_fields=["status", "attended_by", "notes"])
    when = timezone.localtime(visit.scheduled_at)
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.VISIT_RECORDED,
        summary=f"Incontro protetto del {when:%d/%m/%Y}: {visit.get_status_display()}",
        data={"visit": visit.pk, "status": status},
    )
    return visit
