"""Synthetic plans for the demo: the default catalogue of every Ambito, and a plan on each open
guaranteed case of anna, luca, paolo and sara (progetto quadro for minors, PAI for the elderly,
PaIS for poverty and the other adult areas, progetto di vita for disability), agreed, with
interventions running (one concluded), a review, and the next review due: overdue on one of
luca's cases, so that his deadlines page ("Scadenze") shows it."""

from datetime import date, timedelta
from typing import Any

from ambito.cases.actions import add_review, agree_plan, create_plan
from ambito.cases.models import Case, Goal, Plan
from ambito.interventions.actions import end_intervention, start_intervention
from ambito.interventions.catalogue import create_default_catalogue
from ambito.organizations.models import Area, Operator
from ambito.territory.models import Ambito

# Days before the day the demo is built: the same on every build of the same day.
PLAN_DAYS_AGO = 120
OVERDUE_REVIEW_DAYS_AGO = 7
NEXT_REVIEW_IN_DAYS = 60

KIND_BY_AREA: dict[str, str] = {
    Area.FAMILY_MINORS: Plan.Kind.FRAMEWORK,
    Area.ELDERLY: Plan.Kind.PAI,
    Area.DISABILITY: Plan.Kind.LIFE,
}

# Per kind: the goals (description, expected result, measure, responsible), the supports
# (catalogue code, planned quantity a month) and the family's commitment.
EXAMPLES: dict[str, dict[str, Any]] = {
    Plan.Kind.FRAMEWORK: {
        "goals": [
            (
                "Sostenere i genitori nella cura quotidiana del bambino",
                "Routine serali e scolastiche stabili",
                "Frequenza scolastica regolare (assenze < 10%)",
                "Educatrice domiciliare",
            ),
            (
                "Rafforzare la rete di sostegno della famiglia",
                "Una famiglia d'appoggio attiva",
                "Incontri mensili con la famiglia d'appoggio",
                "Assistente sociale",
            ),
        ],
        "supports": [("adm", 8), ("gruppi_genitori_bambini", 2)],
        "commitment": ("I genitori", "Partecipare agli incontri del gruppo genitori"),
    },
    Plan.Kind.PAI: {
        "goals": [
            (
                "Mantenere la persona al proprio domicilio in sicurezza",
                "Igiene personale e pasti garantiti",
                "Nessun ricovero improprio nel semestre",
                "Assistente sociale",
            ),
            (
                "Sollevare il caregiver familiare",
                "Il caregiver dispone di tempo di sollievo ogni settimana",
                "Ore di sollievo fruite",
                "Assistente sociale",
            ),
        ],
        "supports": [("sad", 20), ("su_misura_sollievo", 8)],
        "commitment": ("La figlia", "Garantire la presenza nei fine settimana"),
    },
    Plan.Kind.PAIS: {
        "goals": [
            (
                "Avviare un percorso di inserimento lavorativo",
                "Un tirocinio di inclusione avviato",
                "Tirocinio attivo entro sei mesi",
                "Assistente sociale e Centro per l'impiego",
            ),
            (
                "Stabilizzare la situazione economica del nucleo",
                "Nessuna morosità sulle utenze",
                "Utenze pagate regolarmente",
                "La persona",
            ),
        ],
        "supports": [("tis", 1), ("contributo_economico", 300)],
        "commitment": ("La persona", "Presentarsi ai colloqui con il Centro per l'impiego"),
    },
    Plan.Kind.LIFE: {
        "goals": [
            (
                "Sviluppare le autonomie nella vita quotidiana",
                "Uso autonomo dei mezzi pubblici",
                "Tragitti svolti in autonomia",
                "Educatore",
            ),
            (
                "Sostenere la famiglia nella cura",
                "Il caregiver ha tempo di sollievo",
                "Ore di sollievo fruite",
                "Assistente sociale",
            ),
        ],
        "supports": [("adh", 10), ("fna_b2_caregiver", 400)],
        "commitment": ("I familiari", "Partecipare alle verifiche del progetto"),
    },
}


def write_examples(
    guaranteed: dict[str, list[Case]], personas: dict[str, Operator], *, today: date
) -> None:
    for ambito in Ambito.objects.all():
        create_default_catalogue(ambito)
    overdue_given = False
    for name in ("anna", "luca", "paolo", "sara"):
        by = personas[name].user
        open_cases = [c for c in guaranteed.get(name, []) if c.status == Case.Status.OPEN]
        for number, case in enumerate(open_cases):
            overdue = name == "luca" and not overdue_given
            plan = _plan_for(case, by, today=today, overdue_review=overdue, end_one=number == 0)
            overdue_given = overdue_given or (
                overdue and plan.next_review_on is not None and plan.next_review_on < today
            )


def _plan_for(case: Case, by: Any, *, today: date, overdue_review: bool, end_one: bool) -> Plan:
    """The case's plan, agreed on its first day; its first support running since then, the
    second running too (or, with `end_one`, concluded); a review half way when the plan is
    old enough."""
    kind = KIND_BY_AREA.get(case.area, Plan.Kind.PAIS)
    example = EXAMPLES[kind]
    starts_on = max(case.opened_on, today - timedelta(days=PLAN_DAYS_AGO))
    span = (today - starts_on).days
    plan = create_plan(
        case,
        by=by,
        kind=kind,
        starts_on=starts_on,
        summary="Bisogni e risorse emersi dai colloqui con la persona e la rete. "
        "(Testo di esempio.)",
        next_review_on=starts_on + timedelta(days=max(span // 2, 1)),
        goals=[
            {
                "description": description,
                "expected_result": result,
                "measure": measure,
                "due_on": starts_on + timedelta(days=365),
                "responsible": responsible,
            }
            for description, result, measure, responsible in example["goals"]
        ],
        supports=[
            {"service": code, "planned_quantity": quantity}
            for code, quantity in example["supports"]
        ],
        commitments=[{"who": example["commitment"][0], "description": example["commitment"][1]}],
    )
    agree_plan(plan, by=by, agreed_on=starts_on, agreed_by="La persona e i familiari")
    first, second = plan.interventions.order_by("pk")
    start_intervention(first, by=by, starts_on=starts_on)
    start_intervention(second, by=by, starts_on=starts_on)
    if end_one and span >= 2:
        end_intervention(
            second,
            by=by,
            ends_on=starts_on + timedelta(days=span // 2),
            reason="Obiettivo raggiunto",
        )
    if span >= 2:
        review_on = starts_on + timedelta(days=max(span // 2, 1))
        following = today + timedelta(days=NEXT_REVIEW_IN_DAYS)
        if overdue_review and today - timedelta(days=OVERDUE_REVIEW_DAYS_AGO) > review_on:
            following = today - timedelta(days=OVERDUE_REVIEW_DAYS_AGO)
        goals = list(plan.goals.order_by("order"))
        add_review(
            plan,
            by=by,
            date=review_on,
            progress={
                goals[0].pk: (Goal.Outcome.PARTLY, "Miglioramenti nelle ultime settimane"),
                goals[1].pk: (Goal.Outcome.NOT_ACHIEVED, "Da riprendere alla prossima verifica"),
            },
            notes="Verifica con la persona e la rete. (Testo di esempio.)",
            next_review_on=following,
        )
    plan.refresh_from_db()
    return plan
