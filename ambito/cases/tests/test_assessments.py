"""Assessments (phase B): the shipped instruments, their scores, the action and its refusals."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ambito.cases import instruments as instruments_module
from ambito.cases.actions import add_assessment, open_case
from ambito.cases.deadlines import DeadlineKind, deadlines_for
from ambito.cases.instruments import (
    check_definition,
    clean_answers,
    score,
    shipped_instruments,
    sync_instruments,
)
from ambito.cases.models import Assessment, Case, CaseEvent, Instrument
from ambito.cases.tests.test_court_orders import lucas_minors_case
from ambito.organizations.models import Area, Operator
from ambito.people.access import persons_visible_to
from conftest import a_reserved_case, persona, the_shared_case

pytestmark = pytest.mark.django_db

SHIPPED = {"adi-analisi-preliminare", "barthel", "mondo-del-bambino", "sina", "sinba"}
QUADRO = "Quadro di analisi approfondito con équipe multidisciplinare"


def today():
    return timezone.localdate()


def definition(code: str) -> dict:
    """The shipped definition (the database holds the same, version 1): read without a
    database, so that parameters can use it."""
    return next(i["definition"] for i in shipped_instruments() if i["code"] == code)


def barthel(**overrides) -> dict[str, str]:
    """Every Barthel item at its highest score (100), with `overrides`."""
    best = {item["code"]: item["answers"][-1]["value"] for item in definition("barthel")["items"]}
    return {**best, **overrides}


def child_world(level: int, **overrides) -> dict[str, str]:
    """Every required Mondo del Bambino sub-dimension rated `level`."""
    items = definition("mondo-del-bambino")["items"]
    return {**{i["code"]: str(level) for i in items if i["required"]}, **overrides}


def adi(**overrides) -> dict[str, str]:
    return {**{i["code"]: "0" for i in definition("adi-analisi-preliminare")["items"]}, **overrides}


def annas_case(area: str = Area.DISABILITY) -> Case:
    """An open case of anna's in `area`, made here so that its assessments are only the test's."""
    person = persons_visible_to(persona("anna")).exclude(cases__area=area).order_by("pk").first()
    assert person is not None
    anna = persona("anna")
    return open_case(
        person,
        by=anna,
        area=area,
        owner_comune=anna.operator.comune,
        case_manager=anna.operator,
        opened_on=today() - timedelta(days=400),
    )


def assess(case: Case, by, instrument: str = "barthel", **overrides) -> Assessment:
    arguments = {
        "date": today() - timedelta(days=10),
        "answers": barthel() if instrument == "barthel" else child_world(4),
        **overrides,
    }
    return add_assessment(case, by=by, instrument=instrument, **arguments)


# The shipped instruments


def test_every_installation_has_the_five_instruments_at_version_1():
    current = Instrument.objects.current()
    assert {i.code for i in current} == SHIPPED
    assert {i.version for i in current} == {1}
    assert sync_instruments(Instrument) == []


def test_the_loader_adds_only_the_missing_versions_and_is_idempotent(tmp_path, monkeypatch):
    newer = json.loads((instruments_module.DATA_DIR / "barthel.json").read_text())
    newer.update(version=2, name="Indice di Barthel (rivisto)")
    (tmp_path / "barthel_v2.json").write_text(json.dumps(newer))
    for name in ("barthel.json", "sina.json"):
        (tmp_path / name).write_text((instruments_module.DATA_DIR / name).read_text())
    monkeypatch.setattr(instruments_module, "DATA_DIR", tmp_path)
    created = sync_instruments(Instrument)
    assert [(i.code, i.version) for i in created] == [("barthel", 2)]
    assert sync_instruments(Instrument) == []
    assert Instrument.objects.filter(code="barthel").count() == 2
    assert Instrument.objects.current().get(code="barthel").version == 2


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ([], "La definizione deve essere un oggetto JSON."),
        ({"items": [{}]}, "La definizione deve elencare almeno una dimensione («dimensions»)."),
        (
            {"dimensions": [{"code": "a", "name": "A", "scoring": "media"}], "items": []},
            "La definizione deve elencare almeno una voce («items»).",
        ),
        (
            {
                "dimensions": [{"code": "a", "name": "A", "scoring": "media"}],
                "items": [{"code": "x", "dimension": "a", "label": "X", "answers": []}],
            },
            "Dimensione «a»: punteggio non valido.",
        ),
        (
            {
                "dimensions": [{"code": "a", "name": "A", "scoring": "sum"}],
                "items": [{"code": "x", "dimension": "b", "label": "X", "answers": []}],
            },
            "Voce «x»: dimensione sconosciuta.",
        ),
        (
            {
                "dimensions": [{"code": "a", "name": "A", "scoring": "sum"}],
                "items": [
                    {
                        "code": "x",
                        "dimension": "a",
                        "label": "X",
                        "answers": [{"value": "1", "label": "Uno"}],
                    }
                ],
            },
            "Voce «x»: ogni risposta ha un punteggio numerico.",
        ),
        (
            {
                "dimensions": [{"code": "a", "name": "A", "scoring": "none"}],
                "items": [
                    {
                        "code": "date",
                        "dimension": "a",
                        "label": "X",
                        "answers": [{"value": "1", "label": "Uno"}],
                    }
                ],
            },
            "Voce «date»: codice ripetuto o riservato.",
        ),
        (
            {
                "dimensions": [{"code": "a", "name": "A"}],
                "items": [
                    {"code": "x", "dimension": "a", "label": "X", "answers": [{"value": "1"}]}
                ],
                "total": {"scoring": "sum", "bands": [{"from": 5, "to": 1, "label": "B"}]},
            },
            "Fascia «B»: estremi non validi.",
        ),
    ],
)
def test_a_malformed_definition_is_refused_with_a_clear_message(broken, message):
    with pytest.raises(ValidationError) as refused:
        check_definition(broken)
    assert message in refused.value.message_dict["definition"]


def test_a_malformed_shipped_file_names_itself(tmp_path, monkeypatch):
    (tmp_path / "rotto.json").write_text(json.dumps({"code": "rotto", "definition": {}}))
    monkeypatch.setattr(instruments_module, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match="rotto.json: La definizione deve elencare"):
        shipped_instruments()


# Scores


@pytest.mark.parametrize(
    ("overrides", "total", "band"),
    [
        ({}, 100, "Autonomia"),
        ({"scale": "5"}, 95, "Dipendenza lieve"),
        ({"scale": "0", "bagno": "0", "deambulazione": "5"}, 75, "Dipendenza moderata"),
    ],
)
def test_the_barthel_index_sums_its_items_into_a_band(overrides, total, band):
    result = score(
        definition("barthel"), clean_answers(definition("barthel"), barthel(**overrides))
    )
    assert result.scores == {"adl": total, "totale": total}
    assert result.band == band


def test_the_barthel_index_at_zero_is_total_dependence():
    answers = {item["code"]: "0" for item in definition("barthel")["items"]}
    result = score(definition("barthel"), answers)
    assert (result.scores["totale"], result.band) == (0, "Dipendenza totale")


def test_the_mondo_del_bambino_scores_each_side_by_its_mean():
    answers = child_world(
        4,
        bambino_salute="3",
        bambino_emozioni="2",
        bambino_identita="3",
        bambino_relazioni="3",
        bambino_apprendimento="2",
        famiglia_cura="2",
        famiglia_guida="2",
        famiglia_servizi="6",
    )
    result = score(
        definition("mondo-del-bambino"), clean_answers(definition("mondo-del-bambino"), answers)
    )
    # bambino 3+2+3+4+3+2+4 = 21 / 7; famiglia 2+4+2+4+4+6 = 22 / 6; ambiente all 4.
    assert result.scores == {"bambino": 3.0, "famiglia": 3.67, "ambiente": 4.0}
    assert result.band == ""


def test_an_unanswered_optional_sub_dimension_does_not_count_in_the_mean():
    answers = child_world(3, famiglia_cura="5")
    result = score(definition("mondo-del-bambino"), answers)
    assert result.scores["famiglia"] == 3.4  # (5 + 3 × 4) / 5: the relation with services is out


def test_the_adi_analysis_suggests_the_quadro_di_analisi_when_any_need_is_complex():
    result = score(definition("adi-analisi-preliminare"), adi(economia="2", lavoro="1"))
    assert (result.band, result.suggested_outcome) == ("Almeno un bisogno complesso", QUADRO)
    assert result.scores["economia"] == 2
    simple = score(definition("adi-analisi-preliminare"), adi(lavoro="1"))
    assert simple.suggested_outcome == "PaIS redatto dal servizio sociale"
    assert score(definition("adi-analisi-preliminare"), adi()).band == "Nessun bisogno"


def test_the_sina_items_keep_their_official_codes_and_have_no_score():
    answers = {
        "Mobilita": "2",
        "AttivitaVitaQuotidiana": "3",
        "DisturbiComportamentali": 1,
        "AreaReddituale": "1",
        "AreaSupporto": "3",
        "FonteDerivazioneValutazione": "1",
        "StrumentoValutazione": "1",
        "InvCiv": ["6", "2"],
    }
    cleaned = clean_answers(definition("sina"), answers)
    assert cleaned["DisturbiComportamentali"] == "1"
    assert cleaned["InvCiv"] == ["2", "6"]
    result = score(definition("sina"), cleaned)
    assert (result.scores, result.band) == ({}, "")


# The action


def test_the_first_assessment_is_t0_and_the_next_t1_each_with_its_event(anna):
    case = annas_case()
    first = assess(case, anna, date=today() - timedelta(days=200))
    second = assess(case, anna, answers=barthel(scale="0", bagno="0"))
    assert (first.sequence, second.sequence, second.time_label) == (0, 1, "T1")
    assert (second.scores["totale"], second.band) == (85, "Dipendenza moderata")
    assert second.next_due_on == second.date + timedelta(days=180)
    events = case.events.filter(kind=CaseEvent.Kind.ASSESSMENT_ADDED).order_by("pk")
    day = second.date.strftime("%d/%m/%Y")
    assert [e.summary for e in events][1] == (
        f"Valutazione Indice di Barthel T1 del {day}: totale 85 (Dipendenza moderata)"
    )
    assert events.count() == 2


def test_the_event_of_a_mondo_del_bambino_names_each_side_briefly(luca):
    case = lucas_minors_case(luca)
    done = assess(
        case, luca, instrument="mondo-del-bambino", answers=child_world(4, famiglia_cura="1")
    )
    event = case.events.filter(kind=CaseEvent.Kind.ASSESSMENT_ADDED).latest("pk")
    assert event.summary == (
        f"Valutazione Mondo del Bambino (P.I.P.P.I.) T{done.sequence} del "
        f"{done.date:%d/%m/%Y}: Bambino 4,00; Famiglia 3,40; Ambiente 4,00"
    )


def test_the_team_present_and_the_outcome_are_recorded(anna):
    case = annas_case(Area.POVERTY)
    colleague = Operator.objects.filter(ambito=anna.operator.ambito).exclude(user=anna).first()
    found = add_assessment(
        case,
        by=anna,
        instrument="adi-analisi-preliminare",
        date=today(),
        answers=adi(abitazione="2"),
        participants=[anna.operator, colleague],
        other_participants="Componenti del nucleo",
        outcome=QUADRO,
    )
    assert set(found.participants.all()) == {anna.operator, colleague}
    assert (found.outcome, found.next_due_on) == (QUADRO, None)


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        (barthel(scale="7"), "scale", "Valore «7» non ammesso: valori ammessi 0, 5, 10."),
        (
            {k: v for k, v in barthel().items() if k != "bagno"},
            "bagno",
            "Risposta obbligatoria.",
        ),
        (barthel(umore="2"), "umore", "Voce non prevista dallo strumento."),
    ],
)
def test_answers_outside_the_instrument_are_refused_and_nothing_is_saved(
    anna, answers, field, message
):
    case = annas_case()
    events = case.events.count()
    with pytest.raises(ValidationError) as refused:
        assess(case, anna, answers=answers)
    assert refused.value.message_dict == {field: [message]}
    assert not case.assessments.exists()
    assert case.events.count() == events


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "tomorrow"}, "date", "La data della valutazione è nel futuro."),
        ({"date": "before opening"}, "date", "La data della valutazione precede l'apertura"),
        ({"instrument": "mondo-del-bambino"}, "instrument", "non si usa nelle cartelle"),
        ({"instrument": "scala-inventata"}, "instrument", "Strumento di valutazione sconosciuto"),
        ({"next_due_on": "same day"}, "next_due_on", "La prossima valutazione va dopo questa."),
        ({"participants": "romano"}, "participants", "Indicare operatori dell'Ambito"),
    ],
)
def test_invalid_assessments_are_refused_with_italian_messages(anna, overrides, field, message):
    case = annas_case()
    day = today() - timedelta(days=10)
    values = {
        "tomorrow": today() + timedelta(days=1),
        "before opening": case.opened_on - timedelta(days=1),
        "same day": day,
        "romano": [persona("sara").operator],
    }
    overrides = {k: values.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    with pytest.raises(ValidationError) as refused:
        assess(case, anna, **{"date": day, **overrides})
    assert message in refused.value.message_dict[field][0]
    assert not case.assessments.exists()


def test_an_outcome_outside_the_instruments_list_is_refused(anna):
    case = annas_case(Area.POVERTY)
    with pytest.raises(ValidationError) as refused:
        add_assessment(
            case,
            by=anna,
            instrument="adi-analisi-preliminare",
            date=today(),
            answers=adi(),
            outcome="Invio in vacanza",
        )
    assert refused.value.message_dict["outcome"][0].startswith("Esito non previsto")


def test_a_closed_case_takes_no_assessment(anna):
    case = annas_case()
    # Closed as the closure action leaves it (its arguments are not this test's concern).
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, closed_on=today())
    with pytest.raises(ValidationError, match="La cartella è chiusa"):
        assess(case, anna)
    assert not case.assessments.exists()


def test_a_share_recipient_reads_but_may_not_assess(anna):
    case = the_shared_case()
    before = case.assessments.count()
    with pytest.raises(PermissionDenied):
        assess(case, anna, instrument="mondo-del-bambino")
    assert case.assessments.count() == before


def test_a_correction_keeps_the_time_of_what_it_corrects_and_comes_once(anna):
    case = annas_case()
    first = assess(case, anna, date=today() - timedelta(days=100))
    second = assess(case, anna)
    correction = assess(case, anna, corrects=first, date=first.date, answers=barthel(scale="5"))
    assert (correction.sequence, correction.corrects) == (0, first)
    assert "(rettifica della precedente)" in case.events.order_by("-pk")[0].summary
    third = assess(case, anna)
    assert third.sequence == 2 and second.sequence == 1
    with pytest.raises(ValidationError) as refused:
        assess(case, anna, corrects=first)
    assert refused.value.error_dict["corrects"][0].code == "unique"


def test_an_assessment_of_another_case_cannot_be_corrected(anna, luca):
    mine = annas_case()
    other = assess(annas_case(Area.ELDERLY), anna)
    with pytest.raises(ValidationError) as refused:
        assess(mine, anna, corrects=other)
    assert refused.value.message_dict == {
        "corrects": ["La valutazione da rettificare non è di questa cartella."]
    }
    assert not mine.assessments.exists()


def test_the_next_assessment_is_a_deadline_of_the_operator(luca):
    case = lucas_minors_case(luca)
    done = assess(case, luca, instrument="mondo-del-bambino", date=today() - timedelta(days=200))
    found = [
        d
        for d in deadlines_for(luca)
        if d.kind == DeadlineKind.ASSESSMENT and d.object_id == done.pk
    ]
    assert len(found) == 1
    assert found[0].due_on == done.date + timedelta(days=180)
    assert found[0].overdue
    assert "Mondo del Bambino (P.I.P.P.I.): valutazione T1" in found[0].description
    newer = assess(case, luca, instrument="mondo-del-bambino")
    kinds = {(d.kind, d.object_id) for d in deadlines_for(luca)}
    assert (DeadlineKind.ASSESSMENT, done.pk) not in kinds
    assert (DeadlineKind.ASSESSMENT, newer.pk) in kinds


# The demo


def test_the_demo_shows_the_mondo_del_bambino_moving_on_paolos_reserved_case():
    case = a_reserved_case()
    found = list(case.assessments.filter(instrument__code="mondo-del-bambino").order_by("sequence"))
    assert [a.time_label for a in found] == ["T0", "T1"]
    assert found[1].scores["bambino"] > found[0].scores["bambino"]
    assert the_shared_case().assessments.exists()


def test_the_demo_has_a_barthel_and_an_adi_analysis():
    barthel_cases = Case.objects.filter(assessments__instrument__code="barthel").distinct()
    assert barthel_cases.filter(case_manager__user__username="anna").exists()
    adi_done = Assessment.objects.get(instrument__code="adi-analisi-preliminare")
    assert adi_done.case.area == Area.POVERTY
    assert adi_done.band == "Almeno un bisogno complesso"
    assert Assessment.objects.filter(instrument__code="sina").exists()
