"""Assessments (phase B): one instrument's answers, scored, with the team that was there."""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ambito.cases.actions.common import _check_writer, _conflict, _locked_open_case
from ambito.cases.instruments import clean_answers, score, scores_summary
from ambito.cases.models import Assessment, Case, CaseEvent, Instrument
from ambito.organizations.models import Area, Operator

OTHER_PARTICIPANTS_MAX = 300
OUTCOME_MAX = 2000
SUMMARY_MAX = 300  # CaseEvent.summary
NOT_OF_THIS_CASE = "La valutazione da rettificare non è di questa cartella."


def resolve_instrument(instrument: str | Instrument) -> Instrument:
    """A code names the newest active version of the instrument; a retired version is refused
    (assessments made with it keep it, new ones use the current one)."""
    if isinstance(instrument, Instrument):
        found: Instrument | None = instrument if instrument.active else None
    else:
        found = Instrument.objects.current().filter(code=instrument).first()
    if found is None:
        raise ValidationError({"instrument": "Strumento di valutazione sconosciuto o non in uso."})
    return found


def _check_date(case: Case, day: date) -> None:
    if day > timezone.localdate():
        raise ValidationError({"date": "La data della valutazione è nel futuro."})
    if day < case.opened_on:
        opened = f"{case.opened_on:%d/%m/%Y}"
        message = f"La data della valutazione precede l'apertura della cartella ({opened})."
        raise ValidationError({"date": message})


def _check_corrects(case: Case, instrument: Instrument, corrects: Assessment | None) -> None:
    if corrects is None:
        return
    if corrects.case_id != case.pk:
        raise ValidationError({"corrects": NOT_OF_THIS_CASE})
    if corrects.instrument.code != instrument.code:
        message = "La rettifica va fatta con lo stesso strumento della valutazione rettificata."
        raise ValidationError({"corrects": message})
    if corrects.corrections.exists():
        raise _conflict("corrects", "Questa valutazione è già stata rettificata.")


def _participants(case: Case, participants: Iterable[Operator]) -> list[Operator]:
    operators = list(participants)
    if any(op.ambito_id != case.ambito_id for op in operators):
        raise ValidationError({"participants": "Indicare operatori dell'Ambito della cartella."})
    return operators


def _check_texts(instrument: Instrument, outcome: str, other_participants: str) -> None:
    allowed = instrument.definition.get("outcomes", [])
    if outcome and allowed and outcome not in allowed:
        message = f"Esito non previsto dallo strumento: scegliere tra {'; '.join(allowed)}."
        raise ValidationError({"outcome": message})
    if len(outcome) > OUTCOME_MAX:
        raise ValidationError({"outcome": f"L'esito supera i {OUTCOME_MAX} caratteri."})
    if len(other_participants) > OTHER_PARTICIPANTS_MAX:
        message = f"Gli altri presenti superano i {OTHER_PARTICIPANTS_MAX} caratteri."
        raise ValidationError({"other_participants": message})


def _next_due(instrument: Instrument, day: date, next_due_on: date | None) -> date | None:
    if next_due_on is None and instrument.repeat_after_days:
        return day + timedelta(days=instrument.repeat_after_days)
    if next_due_on is not None and next_due_on <= day:
        raise ValidationError({"next_due_on": "La prossima valutazione va dopo questa."})
    return next_due_on


@transaction.atomic
def add_assessment(
    case: Case,
    *,
    by: Any,
    instrument: str | Instrument,
    date: date,
    answers: Mapping[str, Any],
    participants: Iterable[Operator] = (),
    other_participants: str = "",
    outcome: str = "",
    next_due_on: date | None = None,
    corrects: Assessment | None = None,
) -> Assessment:
    """Records an assessment of the open case with an instrument usable in its area: the
    answers are checked against the instrument's allowed values and scored. Its time (T0, T1…)
    counts the earlier assessments with the same instrument (a correction keeps the time of the
    one it corrects); the next one is due after the instrument's interval unless `next_due_on`
    says otherwise. Nothing is saved when anything is wrong."""
    case = _locked_open_case(case)
    _check_writer(by, case)
    instrument = resolve_instrument(instrument)
    if not instrument.used_in(case.area):
        area = Area(case.area).label
        message = f"Lo strumento «{instrument.name}» non si usa nelle cartelle dell'area {area}."
        raise ValidationError({"instrument": message})
    _check_date(case, date)
    cleaned = clean_answers(instrument.definition, answers)
    operators = _participants(case, participants)
    outcome, other_participants = outcome.strip(), other_participants.strip()
    _check_texts(instrument, outcome, other_participants)
    _check_corrects(case, instrument, corrects)
    next_due_on = _next_due(instrument, date, next_due_on)
    result = score(instrument.definition, cleaned)
    earlier = case.assessments.filter(instrument__code=instrument.code, corrects__isnull=True)
    assessment = Assessment.objects.create(
        case=case,
        instrument=instrument,
        date=date,
        sequence=corrects.sequence if corrects is not None else earlier.count(),
        answers=cleaned,
        scores=result.scores,
        band=result.band,
        outcome=outcome,
        other_participants=other_participants,
        next_due_on=next_due_on,
        corrects=corrects,
        created_by=by,
    )
    assessment.participants.set(operators)
    _record_event(case, by, assessment)
    return assessment


def _record_event(case: Case, by: Any, assessment: Assessment) -> None:
    instrument = assessment.instrument
    summary = (
        f"Valutazione {instrument.name} {assessment.time_label} del {assessment.date:%d/%m/%Y}"
    )
    scores = scores_summary(instrument.definition, assessment.scores, assessment.band)
    if scores:
        summary += f": {scores}"
    if assessment.corrects_id:
        summary += " (rettifica della precedente)"
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1] + "…"
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.ASSESSMENT_ADDED,
        summary=summary,
        data={
            "assessment": assessment.pk,
            "instrument": instrument.code,
            "version": instrument.version,
            "sequence": assessment.sequence,
            "corrects": assessment.corrects_id,
        },
    )
