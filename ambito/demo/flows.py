"""The demo's national flows: the months of the demo deliveries published to the outbox as the
Ufficio di Piano would (`ambito.flows.outbox.publish_month`), and INPS's answers to the oldest
month's flows, so that /flussi/ shows flows sent, accepted, rejected and waiting, and the WaaS
API has flows to serve."""

import datetime as dt
from typing import Any

from ambito.cases.actions import add_assessment
from ambito.cases.models import Assessment, Case
from ambito.flows.models import Flow
from ambito.flows.outbox import PublishResult, publish_month
from ambito.flows.sinba import SINBA_INSTRUMENT
from ambito.flows.waas import Outcome, record_outcome, ts_flusso
from ambito.interventions.months import first_day
from ambito.organizations.models import Area, Ente
from ambito.territory.models import Ambito

# The codice fiscale of the capofila, which sends on the Comuni's behalf (the flows' CFOperatore,
# `xsd.ente_tax_code`): eleven zeros, a number no real body has.
DEMO_TAX_CODE = "00000000000"
MONTHS = 3  # the months of the demo deliveries (ambito.demo.deliveries)
NOT_FETCHED = 2  # flows of the oldest month INPS has not fetched yet
# The answer INPS's own example gives to a flow it refuses.
REJECTION = "In cooperazione è possibile inviare solo un beneficiario e una prestazione sociale"


def publish_demo_flows(ambito: Ambito, by: Any, *, today: dt.date) -> list[PublishResult]:
    """Publishes the three months before `today`, oldest first (`by`: the Ufficio di Piano),
    then answers for INPS on the oldest month's flows: the first one rejected, the others
    acquired but the last two, not fetched yet. Publishing again changes nothing."""
    Ente.objects.filter(ambito=ambito, kind=Ente.Kind.CAPOFILA, tax_code="").update(
        tax_code=DEMO_TAX_CODE
    )
    assess_demo_minors(ambito, today=today)
    months, month = [], first_day(today)
    for _ in range(MONTHS):
        month = first_day(month - dt.timedelta(days=1))
        months.append(month)
    results = [publish_month(ambito, month, by=by) for month in reversed(months)]
    _answer_as_inps(ambito, months[-1])
    return results


# The SINBA form of a demo child: plausible, and the same for every child but the school,
# which follows the age (synthetic answers, as every demo record).
SINBA_ANSWERS = {
    "CondizioneLavoro": "1",  # inattivo (non in età da lavoro)
    "Disabilita": "2",
    "MinoreStranieroNoAcc": "2",
    "CondizioneMinore": "1",  # non orfano
    "LuogoVita": "1",  # nella sua famiglia
    "ValutazioneMinore": "2",  # problemi relazionali e comportamentali
    "ValutazioneFamigliaMinore": "2",  # fragilità / inadeguatezza educativa
    "CollaborazioniInterventi": "7",  # scuola
}


def _school(age: int) -> str:
    """The SINBA ScuolaFrequentata code for an age (nido, infanzia, primaria, secondaria)."""
    for upto, code in ((2, "3"), (5, "4"), (10, "5"), (13, "6"), (18, "7")):
        if age <= upto:
            return code
    return "1"


def assess_demo_minors(ambito: Ambito, *, today: dt.date) -> list[Assessment]:
    """Fills the SINBA form of every child in care in the Ambito's open famiglia e minori
    cases that has none, as their case manager would (through `add_assessment`, so each
    leaves its event): without it a child's SINBA record waits for data."""
    made = []
    cases = Case.objects.filter(
        ambito=ambito,
        status=Case.Status.OPEN,
        area=Area.FAMILY_MINORS,
        person__birth_date__gt=today.replace(year=today.year - 18),
        case_manager__isnull=False,
    ).exclude(assessments__instrument__code=SINBA_INSTRUMENT)
    for case in cases.select_related("person", "case_manager__user").order_by("pk"):
        born = case.person.birth_date
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        reported = "1" if case.court_orders.exists() else "2"
        answers = SINBA_ANSWERS | {
            "ScuolaFrequentata": _school(age),
            "SegnalazioneAutoritaGiudiziaria": reported,
        }
        made.append(
            add_assessment(
                case,
                by=case.case_manager.user,  # type: ignore[union-attr]
                instrument=SINBA_INSTRUMENT,
                # Before the months the demo publishes (SINBA reads the form as of each one).
                date=max(case.opened_on, today - dt.timedelta(days=MONTHS * 31 + 10)),
                answers=answers,
            )
        )
    return made


def _answer_as_inps(ambito: Ambito, month: dt.date) -> None:
    """INPS fetched the month's flows and notified their outcome, as POST /esiti records it,
    but for the last ones, still waiting to be fetched."""
    flows = list(
        Flow.objects.filter(
            ambito=ambito, period__gte=month, period__lt=first_day(month + dt.timedelta(days=31))
        ).order_by("created_at", "pk")
    )
    for number, flow in enumerate(flows[:-NOT_FETCHED]):
        acquired = flow.created_at + dt.timedelta(hours=2)
        rejected = number == 0
        outcome = Outcome(
            id_flusso=flow.flow_id,
            tipo=flow.kind,
            ts_flusso=ts_flusso(flow.created_at),
            ts_acquisizione=ts_flusso(acquired),
            codice_esito="RICHIESTA_INVALIDA" if rejected else "OK",
            descrizione_esito=REJECTION if rejected else "",
            id_acquisizione_siuss="" if rejected else f"DEMO-{flow.pk:06d}",
        )
        record_outcome(flow, outcome)
