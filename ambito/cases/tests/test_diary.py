"""The case diary: add_diary_entry and the gatekeeper of reserved notes (diary_visible_to,
events_visible_to)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from ambito.cases.access import diary_visible_to, events_visible_to
from ambito.cases.actions import add_case_member, add_diary_entry, close_case
from ambito.cases.models import Case, CaseEvent, DiaryEntry
from ambito.cases.tests.test_closure import closing
from conftest import a_reserved_case, the_shared_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
SECRET = "Il minore riferisce episodi che richiedono una valutazione psicologica approfondita."


def an_open_case_of(user):
    """An open case of the user's, not reserved, without the demo's diary and documents."""
    cases = Case.objects.open().filter(case_manager__user=user, reserved="")
    return cases.filter(diary__isnull=True, documents__isnull=True).order_by("pk").first()


def a_reserved_note(paolo):
    case = a_reserved_case()
    entry = add_diary_entry(
        case, by=paolo, date=TODAY(), kind=DiaryEntry.Kind.INTERVIEW, text=SECRET, reserved=True
    )
    return case, entry


# Writing


def test_an_entry_is_written_with_its_author_and_an_event_without_its_text(anna):
    case = an_open_case_of(anna)
    entry = add_diary_entry(
        case, by=anna, date=TODAY(), kind=DiaryEntry.Kind.HOME_VISIT, text="  Visita svolta.  "
    )
    assert (entry.author, entry.text, entry.reserved) == (anna.operator, "Visita svolta.", False)
    event = case.events.get(kind=CaseEvent.Kind.DIARY_ADDED)
    assert event.actor == anna
    assert event.data["entry"] == entry.pk
    assert "Visita svolta" not in event.summary


def test_the_event_of_a_reserved_note_never_holds_its_text(paolo):
    case, entry = a_reserved_note(paolo)
    event = case.events.get(kind=CaseEvent.Kind.DIARY_ADDED, data__entry=entry.pk)
    assert SECRET not in event.summary
    assert SECRET not in str(event.data)
    assert "riservata" in event.summary


def test_diary_entries_cannot_be_changed_or_deleted_in_the_database(anna):
    case = an_open_case_of(anna)
    entry = add_diary_entry(case, by=anna, date=TODAY(), kind=DiaryEntry.Kind.OTHER, text="Nota")
    with pytest.raises(DatabaseError), transaction.atomic():
        DiaryEntry.objects.filter(pk=entry.pk).update(text="Riscritta")
    with pytest.raises(DatabaseError), transaction.atomic():
        DiaryEntry.objects.filter(pk=entry.pk).delete()


def test_a_mistake_is_corrected_by_a_new_entry_that_points_to_it(anna):
    case = an_open_case_of(anna)
    wrong = add_diary_entry(case, by=anna, date=TODAY(), kind=DiaryEntry.Kind.OTHER, text="Lunedì")
    fix = add_diary_entry(
        case, by=anna, date=TODAY(), kind=DiaryEntry.Kind.OTHER, text="Martedì", corrects=wrong
    )
    assert fix.corrects == wrong
    assert DiaryEntry.objects.get(pk=wrong.pk).text == "Lunedì"
    assert "rettifica" in case.events.get(data__entry=fix.pk).summary


def test_the_correction_of_a_reserved_note_must_be_reserved_too(paolo):
    case, note = a_reserved_note(paolo)
    with pytest.raises(ValidationError, match="anch'essa riservata"):
        add_diary_entry(
            case, by=paolo, date=TODAY(), kind=DiaryEntry.Kind.OTHER, text="X", corrects=note
        )


def test_nobody_corrects_a_note_they_cannot_read(paolo, giulia, marta):
    case, note = a_reserved_note(paolo)
    add_case_member(case, by=giulia, operator=marta.operator)
    with pytest.raises(ValidationError, match="non trovata"):
        add_diary_entry(
            case,
            by=marta,
            date=TODAY(),
            kind=DiaryEntry.Kind.OTHER,
            text="X",
            reserved=True,
            corrects=note,
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": "   "}, "Scrivere il testo"),
        ({"kind": "sms"}, "Tipo di voce non valido"),
        ({"date": TODAY() + timedelta(days=1)}, "nel futuro"),
        ({"date": "before opening"}, "precede l'apertura"),
    ],
)
def test_it_refuses_an_entry_with_wrong_data_and_writes_nothing(anna, changes, message):
    case = an_open_case_of(anna)
    if changes.get("date") == "before opening":
        changes = {"date": case.opened_on - timedelta(days=1)}
    arguments = {"date": TODAY(), "kind": DiaryEntry.Kind.OTHER, "text": "Nota", **changes}
    before = (case.diary.count(), case.events.count())
    with pytest.raises(ValidationError, match=message):
        add_diary_entry(case, by=anna, **arguments)
    assert (case.diary.count(), case.events.count()) == before


def test_a_closed_case_takes_no_new_entries(anna):
    case = an_open_case_of(anna)
    close_case(case, by=anna, **closing(case))
    with pytest.raises(ValidationError, match="La cartella è chiusa"):
        add_diary_entry(case, by=anna, date=TODAY(), kind=DiaryEntry.Kind.OTHER, text="Nota")
    assert not case.diary.exists()


def test_who_only_reads_the_case_writes_nothing_in_its_diary(anna):
    case = the_shared_case()  # luca's, shared with anna's Comune: she reads it
    with pytest.raises(PermissionDenied):
        add_diary_entry(case, by=anna, date=TODAY(), kind=DiaryEntry.Kind.OTHER, text="Nota")
    assert not case.diary.filter(author=anna.operator).exists()


# Reading: the reserved notes


def test_paolos_reserved_note_is_read_by_giulia_the_coordinator(paolo, giulia):
    case, note = a_reserved_note(paolo)
    assert note in diary_visible_to(paolo, case)
    assert note in diary_visible_to(giulia, case)


def test_an_educator_of_the_equipe_does_not_see_the_psychologists_reserved_note(
    paolo, giulia, marta
):
    case, note = a_reserved_note(paolo)
    plain = add_diary_entry(case, by=paolo, date=TODAY(), kind=DiaryEntry.Kind.OTHER, text="Ok")
    add_case_member(case, by=giulia, operator=marta.operator)
    visible = list(diary_visible_to(marta, case))
    assert plain in visible
    assert note not in visible


def test_another_psychologist_of_the_equipe_reads_the_reserved_note(paolo, giulia, marta):
    case, note = a_reserved_note(paolo)
    marta.operator.profession = "psicologo"
    marta.operator.save(update_fields=["profession"])
    add_case_member(case, by=giulia, operator=marta.operator)
    assert note in diary_visible_to(marta, case)


def test_those_who_cannot_read_a_reserved_note_do_not_see_its_event_either(paolo, giulia, marta):
    case, note = a_reserved_note(paolo)
    add_case_member(case, by=giulia, operator=marta.operator)
    mine = case.events.get(kind=CaseEvent.Kind.DIARY_ADDED, data__entry=note.pk)
    assert mine in events_visible_to(giulia, case)
    assert mine not in events_visible_to(marta, case)
    # The rest of the history is there: all but the reserved notes (paolo's, a psychologist's).
    reserved_notes = case.events.filter(kind=CaseEvent.Kind.DIARY_ADDED, data__reserved=True)
    assert set(events_visible_to(marta, case)) == set(case.events.all()) - set(reserved_notes)


def test_no_diary_for_users_without_case_roles(anna, marco, elena, sara):
    case = an_open_case_of(anna)
    add_diary_entry(case, by=anna, date=TODAY(), kind=DiaryEntry.Kind.OTHER, text="Nota")
    for user in (marco, elena, sara):
        assert not diary_visible_to(user, case).exists()


def test_the_demo_has_a_reserved_note_of_paolo_that_giulia_reads(paolo, giulia):
    case = a_reserved_case()
    note = case.diary.get(reserved=True)
    assert note.author == paolo.operator
    assert note in diary_visible_to(giulia, case)
    assert "fittizio" in note.text
