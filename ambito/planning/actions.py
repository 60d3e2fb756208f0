"""Every change to a Piano di Zona: plans, objective cards, actions, budget lines, indicators,
manual values with their evidence, snapshots of the computed values, satisfaction surveys and
evaluation cards.

Each action is atomic, takes the Ufficio di Piano's user as `by` (PermissionDenied for anyone
else, or for another Ambito's plan), checks everything before saving anything (Italian
ValidationErrors keyed by field; coded "unique" for duplicates, so the API answers 409) and
writes one PlanningEvent with the actor.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import models, transaction
from django.utils import timezone

from ambito.interventions.models import FundingSource, Service
from ambito.organizations.models import Area, Operator
from ambito.planning.access import plan_writer_of
from ambito.planning.indicators import effective_parameters, read
from ambito.planning.measures import MEASURES, validate_parameters
from ambito.planning.models import (
    Action,
    BudgetLine,
    Evaluation,
    Indicator,
    IndicatorValue,
    Objective,
    PlanningEvent,
    PolicyArea,
    SatisfactionSurvey,
    ZonePlan,
)
from ambito.territory.models import Ambito

SUMMARY_MAX = 500
LONGEST_PLAN = 5  # years: a Piano di Zona is three-year, sometimes extended
OBJECTIVE_FIELDS = [
    f.name for f in Objective._meta.concrete_fields if f.name not in ("id", "plan")
] + ["services"]


# --- shared checks -------------------------------------------------------------------------


def _writer(by: Any, ambito_id: int) -> Operator:
    """The Ufficio di Piano of the plan's own Ambito."""
    op = plan_writer_of(by)
    if op.ambito_id != ambito_id:
        raise PermissionDenied("Il Piano di Zona è di un altro Ambito.")
    return op


def _conflict(field: str, message: str) -> ValidationError:
    """Coded "unique": the API answers 409."""
    return ValidationError({field: ValidationError(message, code="unique")})


def _event(ambito_id: int, plan: ZonePlan | None, by: Any, kind: str, summary: str) -> None:
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1] + "…"
    PlanningEvent.objects.create(
        ambito_id=ambito_id, plan=plan, kind=kind, summary=summary, actor=by
    )


def _text(value: Any, field: str, *, limit: int | None = None, required: str = "") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: "Deve essere un testo."})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: required})
    if limit is not None and len(value) > limit:
        raise ValidationError({field: f"Il testo supera i {limit} caratteri."})
    return value


def _decimal(value: Any, field: str, *, digits: int, required: bool = True) -> Decimal | None:
    """A number with at most two decimals and `digits` digits in all."""
    if value is None or value == "":
        if required:
            raise ValidationError({field: "Indicare un valore."})
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError({field: "Deve essere un numero."}) from exc
    if not number.is_finite():
        raise ValidationError({field: "Deve essere un numero."})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({field: "Al massimo due decimali."})
    if abs(number) >= Decimal(10) ** (digits - 2):
        raise ValidationError({field: "Valore troppo grande."})
    return number.quantize(Decimal("0.01"))


def _year(value: Any, field: str, plan: ZonePlan) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: "Indicare l'anno (es. 2025)."})
    if value not in plan.years:
        message = f"L'anno {value} è fuori dal piano ({plan.start_year}-{plan.end_year})."
        raise ValidationError({field: message})
    return value


def _not_future(day: date | None, field: str, message: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: message})


def _euro(amount: Decimal) -> str:
    """€ 1.600.000,00, as an Italian reader writes it."""
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"€ {text}"


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    return text.replace(".", ",")


def _may_be_negative(unit: str) -> bool:
    """Only percentages (a variation) go below zero: counts, euros and days do not."""
    return "%" in unit


# --- plans and objective cards -------------------------------------------------------------


@transaction.atomic
def create_plan(
    ambito: Ambito,
    *,
    by: Any,
    title: str,
    start_year: int,
    end_year: int,
    status: str = ZonePlan.Status.DRAFT,
    approved_on: date | None = None,
    lead_body: str = "",
    notes: str = "",
) -> ZonePlan:
    """A new Piano di Zona of the Ambito (one per first year)."""
    _writer(by, ambito.pk)
    title = _text(title, "title", limit=200, required="Indicare il titolo del piano.")
    for field, year in (("start_year", start_year), ("end_year", end_year)):
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            raise ValidationError({field: "Indicare l'anno (es. 2025)."})
    if end_year < start_year:
        raise ValidationError({"end_year": "L'ultimo anno precede il primo."})
    if end_year - start_year >= LONGEST_PLAN:
        raise ValidationError({"end_year": f"Un piano dura al massimo {LONGEST_PLAN} anni."})
    if status not in ZonePlan.Status.values:
        raise ValidationError({"status": "Stato del piano non valido."})
    _not_future(approved_on, "approved_on", "La data di approvazione è nel futuro.")
    if ZonePlan.objects.filter(ambito=ambito, start_year=start_year).exists():
        raise _conflict("start_year", f"L'Ambito ha già un piano che inizia nel {start_year}.")
    plan = ZonePlan.objects.create(
        ambito=ambito,
        title=title,
        start_year=start_year,
        end_year=end_year,
        status=status,
        approved_on=approved_on,
        lead_body=_text(lead_body, "lead_body", limit=200),
        notes=_text(notes, "notes"),
    )
    _event(ambito.pk, plan, by, PlanningEvent.Kind.PLAN, f"Creato il piano «{plan}»")
    return plan


def _field(name: str) -> "models.Field[Any, Any]":
    return cast("models.Field[Any, Any]", Objective._meta.get_field(name))


def _choice_or_blank(field: "models.Field[Any, Any]", value: str) -> str:
    allowed = {str(code) for code, _label in field.choices or []}
    if value and value not in allowed:
        raise ValueError(f"Valore «{value}» non ammesso: {', '.join(sorted(allowed))}.")
    return value


def _objective_value(name: str, value: Any) -> Any:
    """One field of a card, checked; ValueError with the Italian reason."""
    field = _field(name)
    if name == "number":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError("Il numero della scheda è un intero positivo.")
        return value
    if name == "cross_policy":
        codes = [value] if isinstance(value, str) else value
        if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
            raise ValueError("Indicare un elenco di aree di policy.")
        wrong = [c for c in codes if c not in PolicyArea.values]
        if wrong:
            raise ValueError(f"Area di policy «{wrong[0]}» non prevista.")
        return list(dict.fromkeys(codes))
    if isinstance(field, models.BooleanField):
        if value is not None and not isinstance(value, bool):
            raise ValueError("Rispondere sì (true), no (false) o lasciare vuoto (null).")
        return value
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError("Deve essere un testo.")
    value = value.strip()
    if not value and not field.blank:
        raise ValueError(f"Il campo «{field.verbose_name}» è obbligatorio.")
    max_length = getattr(field, "max_length", None)
    if max_length and len(value) > max_length:
        raise ValueError(f"Il testo supera i {max_length} caratteri.")
    return _choice_or_blank(field, value) if field.choices else value


def _services(ambito_id: int, value: Any) -> list[Service]:
    """The catalogue services a card names: codes (or the services themselves) of its Ambito."""
    items = [value] if isinstance(value, str | Service) else value
    if not isinstance(items, Iterable):
        raise ValueError("Indicare un elenco di codici di servizi del catalogo.")
    items = list(items)
    codes = [i.code if isinstance(i, Service) else str(i).strip() for i in items]
    found = {s.code: s for s in Service.objects.filter(ambito_id=ambito_id, code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValueError(f"Servizio «{missing[0]}» non presente nel catalogo dell'Ambito.")
    return [found[code] for code in dict.fromkeys(codes)]


def _objective_fields(
    objective: Objective, fields: dict[str, Any]
) -> tuple[dict[str, Any], list[Service] | None]:
    """The given fields of a card checked (every error at once), and its services if given."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    services = None
    for name, value in fields.items():
        if name not in OBJECTIVE_FIELDS:
            errors[name] = "Campo non previsto nella scheda obiettivo."
            continue
        try:
            if name == "services":
                services = _services(objective.plan.ambito_id, value)
            else:
                clean[name] = _objective_value(name, value)
        except ValueError as problem:
            errors[name] = str(problem)
    if errors:
        raise ValidationError(errors)
    if "number" in clean:
        taken = Objective.objects.filter(plan_id=objective.plan_id, number=clean["number"])
        if taken.exclude(pk=objective.pk).exists():
            message = f"Il piano ha già una scheda numero {clean['number']}."
            raise _conflict("number", message)
    return clean, services


def _label(name: str) -> str:
    return str(_field(name).verbose_name)


@transaction.atomic
def update_objective(objective: Objective, *, by: Any, **fields: Any) -> Objective:
    """Changes the given fields of a card (any field of the scheda obiettivo, `services` as
    catalogue codes); the fields not given stay as they are. Nothing changed, nothing written."""
    objective = Objective.objects.select_for_update().select_related("plan").get(pk=objective.pk)
    plan = objective.plan
    _writer(by, plan.ambito_id)
    clean, services = _objective_fields(objective, fields)
    changed = [name for name, value in clean.items() if getattr(objective, name) != value]
    for name in changed:
        setattr(objective, name, clean[name])
    if changed:
        objective.save(update_fields=changed)
    if services is not None and {s.pk for s in services} != set(
        objective.services.values_list("pk", flat=True)
    ):
        objective.services.set(services)
        changed.append("services")
    if changed:
        what = ", ".join(_label(name) for name in changed)
        summary = f"Scheda {objective.number} «{objective.title}»: modificati {what}"
        _event(plan.ambito_id, plan, by, PlanningEvent.Kind.OBJECTIVE, summary)
    return objective


@transaction.atomic
def add_objective(
    plan: ZonePlan, *, by: Any, number: int | None = None, **fields: Any
) -> Objective:
    """A new card of the plan (numbered after the last one unless `number` is given), with
    its area, title and goals and any other field of the scheda obiettivo."""
    plan = ZonePlan.objects.select_for_update().get(pk=plan.pk)
    _writer(by, plan.ambito_id)
    if number is None:
        last = plan.objectives.aggregate(n=models.Max("number"))["n"]
        number = (last or 0) + 1
    draft = Objective(plan=plan)
    for required in ("area", "title", "goals"):
        fields.setdefault(required, "")
    clean, services = _objective_fields(draft, {"number": number, **fields})
    objective = Objective.objects.create(plan=plan, **clean)
    if services:
        objective.services.set(services)
    summary = f"Aggiunta la scheda {objective.number} «{objective.title}»"
    _event(plan.ambito_id, plan, by, PlanningEvent.Kind.OBJECTIVE, summary)
    return objective


@transaction.atomic
def set_action_status(action: Action, *, by: Any, status: str, note: str = "") -> Action:
    """The state of an action the card planned (planned, started, done, not done), with a
    note on why."""
    action = Action.objects.select_for_update().select_related("objective__plan").get(pk=action.pk)
    plan = action.objective.plan
    _writer(by, plan.ambito_id)
    if status not in Action.Status.values:
        raise ValidationError({"status": "Stato dell'azione non valido."})
    action.status, action.status_note = status, _text(note, "note")
    action.save(update_fields=["status", "status_note"])
    summary = (
        f"Azione {action.objective.number}.{action.number} «{action.title}»: "
        f"{action.get_status_display()}"
    )
    _event(plan.ambito_id, plan, by, PlanningEvent.Kind.ACTION, summary)
    return action


@transaction.atomic
def add_budget_line(
    objective: Objective,
    *,
    by: Any,
    source: str,
    amount: Any,
    kind: str = BudgetLine.Kind.PUBLIC,
    year: int | None = None,
    source_detail: str = "",
) -> BudgetLine:
    """Money planned for the card from one source, for a year of the plan or (no year) for
    the whole plan."""
    objective = Objective.objects.select_related("plan").get(pk=objective.pk)
    plan = objective.plan
    _writer(by, plan.ambito_id)
    if source not in FundingSource.values:
        raise ValidationError({"source": "Fonte di finanziamento non valida."})
    if kind not in BudgetLine.Kind.values:
        raise ValidationError({"kind": "Indicare risorse pubbliche o private."})
    money = _decimal(amount, "amount", digits=12)
    assert money is not None
    if money < 0:
        raise ValidationError({"amount": "L'importo non può essere negativo."})
    if year is not None:
        _year(year, "year", plan)
    line = BudgetLine.objects.create(
        objective=objective,
        kind=kind,
        source=source,
        source_detail=_text(source_detail, "source_detail", limit=200),
        year=year,
        amount=money,
    )
    when = f" per il {year}" if year else ""
    summary = f"Scheda {objective.number}: budget {line.get_source_display()} {_euro(money)}{when}"
    _event(plan.ambito_id, plan, by, PlanningEvent.Kind.BUDGET, summary)
    return line


# --- indicators ------------------------------------------------------------------------------


def _indicator_rule(
    plan: ZonePlan, kind: str, measure: str, parameters: Any, unit: str
) -> tuple[str, dict[str, Any], str]:
    """A computed indicator names a measure of the catalogue with valid parameters (its unit
    by default); a manual one has neither."""
    if kind not in Indicator.Kind.values:
        raise ValidationError({"kind": "Indicare se l'indicatore è calcolato o manuale."})
    measure = (measure or "").strip()
    if kind == Indicator.Kind.MANUAL:
        if measure or parameters:
            message = "Un indicatore manuale non ha misura né parametri."
            raise ValidationError({"measure": message})
        return "", {}, unit or "n."
    if not measure:
        raise ValidationError({"measure": "Indicare la misura che calcola l'indicatore."})
    clean = validate_parameters(measure, parameters or {}, ambito=plan.ambito)
    return measure, clean, unit or MEASURES[measure].unit


@transaction.atomic
def add_indicator(
    objective: Objective,
    *,
    by: Any,
    code: str,
    name: str,
    kind: str,
    target: Any,
    deadline: date,
    measure: str = "",
    parameters: dict[str, Any] | None = None,
    unit: str = "",
    level: str = Indicator.Level.RESULT,
    direction: str = Indicator.Direction.AT_LEAST,
    baseline: Any = None,
    baseline_year: int | None = None,
    description: str = "",
) -> Indicator:
    """A result or impact of the card: computed from the record by a measure of the catalogue
    with its parameters (checked here), or manual, entered with its evidence. Target,
    baseline and deadline say what is expected by when."""
    objective = Objective.objects.select_related("plan__ambito").get(pk=objective.pk)
    plan = objective.plan
    _writer(by, plan.ambito_id)
    code = _text(code, "code", limit=40, required="Indicare il codice dell'indicatore.")
    try:
        validate_slug(code)
    except ValidationError as exc:
        message = "Il codice ha solo lettere, cifre, trattini e trattini bassi."
        raise ValidationError({"code": message}) from exc
    name = _text(name, "name", limit=300, required="Indicare il nome dell'indicatore.")
    unit = _text(unit, "unit", limit=30)
    measure, parameters, unit = _indicator_rule(plan, kind, measure, parameters, unit)
    if level not in Indicator.Level.values:
        raise ValidationError({"level": "Indicare risultato o impatto."})
    if direction not in Indicator.Direction.values:
        raise ValidationError({"direction": "Verso dell'indicatore non valido."})
    target_value = _decimal(target, "target", digits=14)
    baseline_value = _decimal(baseline, "baseline", digits=14, required=False)
    assert target_value is not None
    for field, number in (("target", target_value), ("baseline", baseline_value)):
        if number is not None and number < 0 and not _may_be_negative(unit):
            raise ValidationError({field: "Il valore non può essere negativo."})
    if baseline_year is not None and (
        isinstance(baseline_year, bool)
        or not isinstance(baseline_year, int)
        or not 2000 <= baseline_year <= plan.end_year
    ):
        raise ValidationError({"baseline_year": "Anno di partenza non valido."})
    if not isinstance(deadline, date) or not (
        date(plan.start_year, 1, 1) <= deadline <= date(plan.end_year, 12, 31)
    ):
        message = f"La scadenza è negli anni del piano ({plan.start_year}-{plan.end_year})."
        raise ValidationError({"deadline": message})
    if objective.indicators.filter(code=code).exists():
        raise _conflict("code", f"La scheda ha già un indicatore con codice «{code}».")
    indicator = Indicator.objects.create(
        objective=objective,
        code=code,
        name=name,
        description=_text(description, "description"),
        level=level,
        kind=kind,
        measure=measure,
        parameters=parameters,
        unit=unit,
        direction=direction,
        baseline=baseline_value,
        baseline_year=baseline_year,
        target=target_value,
        deadline=deadline,
    )
    target_text = f"{_number(indicator.target)} {unit}"
    summary = (
        f"Scheda {objective.number}: aggiunto l'indicatore «{name}» "
        f"({indicator.get_kind_display().lower()}, target {target_text} entro il "
        f"{deadline:%d/%m/%Y})"
    )
    _event(plan.ambito_id, plan, by, PlanningEvent.Kind.INDICATOR, summary)
    return indicator


@transaction.atomic
def record_indicator_value(
    indicator: Indicator,
    *,
    by: Any,
    year: int,
    value: Any,
    evidence: str,
    evidence_date: date | None = None,
    note: str = "",
) -> IndicatorValue:
    """A manual indicator's value for a year of the plan already begun, with its evidence
    (the document or act it comes from). A correction is a new entry: the latest counts."""
    indicator = Indicator.objects.select_related("objective__plan").get(pk=indicator.pk)
    plan = indicator.objective.plan
    _writer(by, plan.ambito_id)
    if indicator.kind != Indicator.Kind.MANUAL:
        message = "L'indicatore è calcolato dalla cartella: i suoi valori non si inseriscono."
        raise ValidationError({"indicator": message})
    _year(year, "year", plan)
    if year > timezone.localdate().year:
        raise ValidationError({"year": f"Il {year} non è ancora iniziato."})
    number = _decimal(value, "value", digits=14)
    assert number is not None
    if number < 0 and not _may_be_negative(indicator.unit):
        raise ValidationError({"value": "Il valore non può essere negativo."})
    evidence = _text(
        evidence, "evidence", limit=300, required="Indicare l'evidenza (documento, atto)."
    )
    _not_future(evidence_date, "evidence_date", "La data dell'evidenza è nel futuro.")
    entry = IndicatorValue.objects.create(
        indicator=indicator,
        year=year,
        value=number,
        computed=False,
        evidence=evidence,
        evidence_date=evidence_date,
        note=_text(note, "note"),
        recorded_by=by,
    )
    summary = (
        f"Indicatore «{indicator.name}»: valore {year} {_number(number)} {indicator.unit} "
        f"(evidenza: {evidence})"
    )
    _event(plan.ambito_id, plan, by, PlanningEvent.Kind.VALUE, summary)
    return entry


@transaction.atomic
def snapshot_indicators(plan: ZonePlan, *, by: Any, year: int) -> list[IndicatorValue]:
    """Stores the computed indicators' values for the year as taken from the record now,
    replacing that year's earlier snapshot: the history a past year shows once the record
    moves on (archived cases, corrections). An indicator with nothing to measure gets none."""
    plan = ZonePlan.objects.select_for_update().select_related("ambito").get(pk=plan.pk)
    _writer(by, plan.ambito_id)
    _year(year, "year", plan)
    if year > timezone.localdate().year:
        raise ValidationError({"year": f"Il {year} non è ancora iniziato."})
    indicators = list(
        Indicator.objects.filter(objective__plan=plan, kind=Indicator.Kind.COMPUTED)
        .select_related("objective")
        .order_by("pk")
    )
    IndicatorValue.objects.filter(indicator__in=indicators, year=year, computed=True).delete()
    entries = []
    for indicator in indicators:
        measure = MEASURES.get(indicator.measure)
        if measure is None:
            continue
        value = measure.compute(plan.ambito, year, effective_parameters(indicator))
        if value is not None:
            entries.append(
                IndicatorValue(
                    indicator=indicator, year=year, value=value, computed=True, recorded_by=by
                )
            )
    IndicatorValue.objects.bulk_create(entries)
    summary = f"Registrati i valori calcolati del {year} di {len(entries)} indicatori"
    _event(plan.ambito_id, plan, by, PlanningEvent.Kind.VALUE, summary)
    return entries


# --- surveys and evaluations -----------------------------------------------------------------


def _survey_service(ambito: Ambito, service: Service | str | None) -> Service | None:
    if service is None or service == "":
        return None
    code = service.code if isinstance(service, Service) else str(service).strip()
    found = Service.objects.filter(ambito=ambito, code=code).first()
    if found is None:
        raise ValidationError({"service": f"Servizio «{code}» non presente nel catalogo."})
    return found


def _count(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError({field: "Indicare un numero intero non negativo."})
    return value


@transaction.atomic
def record_survey(
    ambito: Ambito,
    *,
    by: Any,
    title: str,
    held_on: date,
    respondents: int,
    satisfied: int,
    area: str = "",
    service: Service | str | None = None,
) -> SatisfactionSurvey:
    """An aggregated satisfaction survey: how many answered and how many were satisfied (the
    measure `satisfied_share` reads them)."""
    _writer(by, ambito.pk)
    title = _text(title, "title", limit=200, required="Indicare il titolo dell'indagine.")
    if not isinstance(held_on, date):
        raise ValidationError({"held_on": "Indicare la data dell'indagine."})
    _not_future(held_on, "held_on", "La data dell'indagine è nel futuro.")
    if _count(respondents, "respondents") == 0:
        raise ValidationError({"respondents": "Un'indagine ha almeno un rispondente."})
    if _count(satisfied, "satisfied") > respondents:
        raise ValidationError({"satisfied": "I soddisfatti superano i rispondenti."})
    if area not in ("", *Area.values):
        raise ValidationError({"area": "Area non valida."})
    survey = SatisfactionSurvey.objects.create(
        ambito=ambito,
        title=title,
        area=area,
        service=_survey_service(ambito, service),
        held_on=held_on,
        respondents=respondents,
        satisfied=satisfied,
    )
    plan = ZonePlan.objects.filter(
        ambito=ambito, start_year__lte=held_on.year, end_year__gte=held_on.year
    ).first()
    summary = (
        f"Indagine di soddisfazione «{title}» del {held_on:%d/%m/%Y}: {satisfied} soddisfatti "
        f"su {respondents} rispondenti"
    )
    _event(ambito.pk, plan, by, PlanningEvent.Kind.SURVEY, summary)
    return survey


def _planned_actions(objective: Objective) -> str:
    return "\n".join(
        f"{action.number}. {action.title} ({action.get_status_display()})"
        for action in objective.actions.order_by("number")
    )


def _evidence(objective: Objective) -> list[dict[str, Any]]:
    """The card's readings as they are now, kept with the evaluation as it was written."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    indicators = objective.indicators.select_related("objective__plan__ambito").order_by("pk")
    evidence = []
    for reading in (read(indicator) for indicator in indicators):
        indicator = reading.indicator
        evidence.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "kind": indicator.kind,
                "year": reading.year,
                "value": text(reading.value),
                "baseline": text(indicator.baseline),
                "target": text(indicator.target),
                "deadline": indicator.deadline.isoformat(),
                "status": reading.status,
                "status_label": str(Indicator.Status(reading.status).label),
                "progress": text(reading.progress),
                "history": [[year, text(value)] for year, value, _c in reading.history],
            }
        )
    return evidence


@transaction.atomic
def write_evaluation(
    objective: Objective,
    *,
    by: Any,
    actions_done: str,
    critical_issues: str,
    answered_need: str,
    why: str,
) -> Evaluation:
    """The evaluation card of the objective (written again replaces it): the actions planned
    with their state and the indicators' readings are filled in from the plan, the judgement
    is the Ufficio di Piano's."""
    objective = Objective.objects.select_for_update().select_related("plan").get(pk=objective.pk)
    plan = objective.plan
    _writer(by, plan.ambito_id)
    if answered_need not in Evaluation.Answer.values:
        message = "Indicare se ha risposto al bisogno: sì, in parte o no."
        raise ValidationError({"answered_need": message})
    why = _text(why, "why", required="Spiegare perché.")
    evaluation, _created = Evaluation.objects.update_or_create(
        objective=objective,
        defaults={
            "actions_planned": _planned_actions(objective) or "Nessuna azione programmata.",
            "actions_done": _text(actions_done, "actions_done"),
            "critical_issues": _text(critical_issues, "critical_issues"),
            "answered_need": answered_need,
            "why": why,
            "evidence": _evidence(objective),
            "written_by": by,
        },
    )
    answer = evaluation.get_answered_need_display()
    summary = (
        f"Scheda {objective.number} «{objective.title}»: scheda di valutazione (ha risposto "
        f"al bisogno: {answer.lower()})"
    )
    _event(plan.ambito_id, plan, by, PlanningEvent.Kind.EVALUATION, summary)
    return evaluation
