"""Synthetic assessments for the demo, made with the shipped instruments through the action:
the Mondo del Bambino at T0 and T1 (scores moving) on paolo's child-protection cases and on
luca's family case, the Barthel index at T0 and T1 and the SINA items on anna's elderly case,
an ADI analisi preliminare on a poverty case. Dates are counted back from the day of the build
and never precede the case's opening."""

from datetime import date, timedelta

from ambito.cases.actions import add_assessment, resolve_instrument
from ambito.cases.models import Case
from ambito.organizations.models import Area, Operator

# Days between T0 and T1, and how long ago T1 was: the next assessment falls in the future.
T1_DAYS_AGO = 20
GAP_DAYS = 170

# Mondo del Bambino, by side: the ratings at T0 and at T1 (1 grave problema … 6 punto di forza).
CHILD = {
    "bambino": (
        ["salute", "emozioni", "identita", "autonomia", "relazioni", "apprendimento", "gioco"],
        [3, 2, 3, 4, 3, 2, 4],
        [4, 3, 4, 4, 4, 3, 4],
    ),
    "famiglia": (
        ["cura", "calore", "guida", "stimoli", "autorealizzazione", "servizi"],
        [2, 3, 2, 3, 3, 3],
        [3, 4, 3, 3, 3, 4],
    ),
    "ambiente": (
        ["famiglia_allargata", "partecipazione", "lavoro", "abitazione", "risorse"],
        [3, 2, 2, 3, 4],
        [3, 3, 2, 3, 5],
    ),
}

BARTHEL_T0 = {
    "alimentazione": 10,
    "bagno": 5,
    "igiene_personale": 5,
    "vestirsi": 10,
    "controllo_intestinale": 10,
    "controllo_vescicale": 5,
    "uso_wc": 10,
    "trasferimenti": 15,
    "deambulazione": 10,
    "scale": 5,
}  # 85: dipendenza moderata
BARTHEL_T1 = {**BARTHEL_T0, "bagno": 0, "vestirsi": 5, "deambulazione": 5, "scale": 0}  # 65

SINA = {
    "Mobilita": "2",
    "AttivitaVitaQuotidiana": "2",
    "DisturbiAreaCognitiva": "1",
    "DisturbiComportamentali": "1",
    "NecessitaCureSanitarie": "2",
    "AreaReddituale": "2",
    "AreaSupporto": "2",
    "FonteDerivazioneValutazione": "1",
    "StrumentoValutazione": "1",
    "FonteDerivazioneInvalidita": "1",
    "InvCiv": ["2", "6"],
}

ADI = {
    "salute": "1",
    "economia": "2",
    "lavoro": "1",
    "istruzione": "0",
    "abitazione": "1",
    "reti": "0",
}
QUADRO_DI_ANALISI = "Quadro di analisi approfondito con équipe multidisciplinare"


def write_examples(
    guaranteed: dict[str, list[Case]], personas: dict[str, Operator], *, today: date
) -> None:
    paolo, giulia, luca, anna = (personas[n] for n in ("paolo", "giulia", "luca", "anna"))
    for case in guaranteed["paolo"]:
        _child_world(case, paolo, [paolo, giulia], today, "Madre; insegnante di classe")
    _child_world(guaranteed["luca"][0], luca, [luca], today, "Genitori")
    elderly = [c for c in guaranteed["anna"] if c.area == Area.ELDERLY and _is_open(c)]
    for case in elderly[:1]:
        _barthel_and_sina(case, anna, today)
    poverty = [
        c for cases in guaranteed.values() for c in cases if c.area == Area.POVERTY and _is_open(c)
    ]
    for case in poverty[:1]:
        manager = case.case_manager
        assert manager is not None
        add_assessment(
            case,
            by=manager.user,
            instrument="adi-analisi-preliminare",
            date=_t1(case, today),
            answers=ADI,
            participants=[manager],
            other_participants="Componenti maggiorenni del nucleo",
            outcome=QUADRO_DI_ANALISI,
        )


def _is_open(case: Case) -> bool:
    case.refresh_from_db(fields=["status"])
    return case.status == Case.Status.OPEN


def _t1(case: Case, today: date) -> date:
    return max(case.opened_on, today - timedelta(days=T1_DAYS_AGO))


def _times(case: Case, today: date) -> list[date]:
    """T0 and T1, or only T0 for a case opened too recently for two."""
    t1 = _t1(case, today)
    t0 = max(case.opened_on, t1 - timedelta(days=GAP_DAYS))
    return [t0, t1] if t0 < t1 else [t1]


def _child_world(case: Case, by: Operator, team: list[Operator], today: date, others: str) -> None:
    if not resolve_instrument("mondo-del-bambino").used_in(case.area) or not _is_open(case):
        return
    for time, day in enumerate(_times(case, today)):
        answers = {
            f"{side}_{code}": str(ratings[1 + time][n])
            for side, ratings in CHILD.items()
            for n, code in enumerate(ratings[0])
        }
        add_assessment(
            case,
            by=by.user,
            instrument="mondo-del-bambino",
            date=day,
            answers=answers,
            participants=team,
            other_participants=others,
            outcome="Prosegue con alleggerimento degli interventi"
            if time
            else "Presa in carico con progetto quadro P.I.P.P.I.",
        )


def _barthel_and_sina(case: Case, by: Operator, today: date) -> None:
    times = _times(case, today)
    for answers, day in zip([BARTHEL_T0, BARTHEL_T1], times, strict=False):
        add_assessment(
            case,
            by=by.user,
            instrument="barthel",
            date=day,
            answers=answers,
            participants=[by],
            other_participants="Figlia (caregiver); medico di medicina generale",
        )
    add_assessment(
        case,
        by=by.user,
        instrument="sina",
        date=times[0],
        answers=SINA,
        participants=[by],
        other_participants="UVM con l'ASST Bergamo Ovest",
    )
