"""Case documents: add_document (what is accepted, what is left behind when refused), the
gatekeepers of confidential kinds (documents_visible_to, get_document_for_user) and the log of
every download."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.http import Http404

from ambito.accounts.models import AccessLog
from ambito.cases.access import documents_visible_to, events_visible_to, get_document_for_user
from ambito.cases.actions import add_case_member, add_document, close_case
from ambito.cases.models import Case, CaseEvent, Document, DocumentKind
from ambito.cases.tests.conftest import pdf_file, stored_files
from ambito.cases.tests.test_closure import closing
from ambito.cases.uploads import ODT, clean_filename
from ambito.organizations.models import Area
from conftest import the_shared_case

pytestmark = pytest.mark.django_db


def annas_family_case():
    """A case of anna in famiglia e minori: giulia coordinates it. (The demo gave it two
    documents.)"""
    cases = Case.objects.open().filter(
        case_manager__user__username="anna", area=Area.FAMILY_MINORS, reserved=""
    )
    return cases.order_by("pk").first()


def kind(case, code):
    return DocumentKind.objects.get(ambito=case.ambito_id, code=code)


def court_report(anna):
    case = annas_family_case()
    document = add_document(
        case,
        by=anna,
        kind=kind(case, "relazione_ag"),
        title="Relazione al Tribunale per i minorenni",
        uploaded_file=pdf_file("relazione tribunale.pdf"),
    )
    return case, document


def archive(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, content in members.items():
            zipped.writestr(name, content)
    return buffer.getvalue()


def nothing_saved(case, media):
    """No row and no file of the refused uploads (titled "Prova" or "Grande")."""
    refused = Document.objects.filter(case=case, title__in=["Prova", "Grande"])
    return not refused.exists() and not stored_files(media)


# Uploading


def test_a_document_is_stored_under_a_name_that_says_nothing_about_the_person(anna, media):
    case = annas_family_case()
    document = add_document(
        case,
        by=anna,
        kind=kind(case, "relazione_sociale"),
        title="Relazione di presa in carico",
        uploaded_file=pdf_file("Relazione Rossi Mario.pdf"),
    )
    assert document.file.name.startswith(f"documenti/{case.ambito_id}/")
    assert "Rossi" not in document.file.name
    assert (document.original_filename, document.content_type, document.size) == (
        "Relazione Rossi Mario.pdf",
        "application/pdf",
        len(pdf_file().read()),
    )
    assert document.uploaded_by == anna.operator
    assert stored_files(media) == [media / document.file.name]
    event = case.events.get(data__document=document.pk)
    assert (event.kind, event.actor) == (CaseEvent.Kind.DOCUMENT_ADDED, anna)
    assert "Relazione di presa in carico" in event.summary


def test_the_event_of_a_confidential_document_names_its_kind_not_its_title(anna, media):
    case, document = court_report(anna)
    event = case.events.get(kind=CaseEvent.Kind.DOCUMENT_ADDED, data__document=document.pk)
    assert "Tribunale per i minorenni" not in event.summary
    assert "Relazione per l'Autorità giudiziaria" in event.summary


def test_odt_docx_images_and_text_are_accepted_by_their_content(anna, media):
    case = annas_family_case()
    files = {
        "verbale.odt": archive({"mimetype": ODT.encode(), "content.xml": b"<x/>"}),
        "verbale.docx": archive({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"}),
        "carta.JPG": b"\xff\xd8\xff\xe0" + b"0" * 20,
        "carta.png": b"\x89PNG\r\n\x1a\n" + b"0" * 20,
        "appunti.txt": "Appunti del colloquio, con accenti: è così.".encode(),
    }
    for name, content in files.items():
        upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
        add_document(case, by=anna, kind=kind(case, "altro"), title=name, uploaded_file=upload)
    added = Document.objects.filter(case=case, title__in=files)
    types = set(added.values_list("content_type", flat=True))
    assert types == {
        ODT,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/jpeg",
        "image/png",
        "text/plain",
    }


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "Scegliere il file"),
        (SimpleUploadedFile("vuoto.pdf", b""), "Il file è vuoto"),
        (SimpleUploadedFile("script.exe", b"MZ\x90\x00"), "Tipo di file non accettato"),
        (SimpleUploadedFile("pagina.html", b"<html></html>"), "Tipo di file non accettato"),
        (SimpleUploadedFile("finto.pdf", b"<html><script>"), "non corrisponde alla sua"),
        (SimpleUploadedFile("finto.png", b"%PDF-1.4"), "non corrisponde alla sua"),
        (SimpleUploadedFile("finto.docx", archive({"a.txt": b"a"})), "non corrisponde alla sua"),
        (SimpleUploadedFile("finto.odt", b"PK\x03\x04rotto"), "non corrisponde alla sua"),
        (SimpleUploadedFile("binario.txt", b"testo\x00binario"), "non corrisponde alla sua"),
    ],
)
def test_it_refuses_a_missing_empty_or_unaccepted_file_and_saves_nothing(
    anna, media, upload, message
):
    case = annas_family_case()
    events = case.events.count()
    with pytest.raises(ValidationError, match=message):
        add_document(case, by=anna, kind=kind(case, "altro"), title="Prova", uploaded_file=upload)
    assert nothing_saved(case, media)
    assert case.events.count() == events


def test_it_refuses_a_file_larger_than_the_limit(anna, media, settings):
    settings.AMBITO_MAX_UPLOAD_MB = 1
    case = annas_family_case()
    big = pdf_file(content=b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError, match="supera la dimensione massima di 1 MB"):
        add_document(case, by=anna, kind=kind(case, "altro"), title="Grande", uploaded_file=big)
    assert nothing_saved(case, media)


def test_a_failure_after_the_file_is_written_leaves_no_file_and_no_row(anna, media, monkeypatch):
    case = annas_family_case()

    def broken(**kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(CaseEvent.objects, "create", broken)
    with pytest.raises(DatabaseError):
        add_document(
            case, by=anna, kind=kind(case, "altro"), title="Prova", uploaded_file=pdf_file()
        )
    assert nothing_saved(case, media)


def test_it_refuses_a_title_missing_or_a_kind_of_another_ambito(anna, media, sara):
    case = annas_family_case()
    with pytest.raises(ValidationError, match="Indicare il titolo"):
        add_document(case, by=anna, kind=kind(case, "altro"), title=" ", uploaded_file=pdf_file())
    other = DocumentKind.objects.get(ambito=sara.operator.ambito, code="altro")
    with pytest.raises(ValidationError, match="non valido per questo Ambito"):
        add_document(case, by=anna, kind=other, title="Prova", uploaded_file=pdf_file())
    assert nothing_saved(case, media)


def test_a_closed_case_takes_no_new_documents(anna, media):
    case = annas_family_case()
    close_case(case, by=anna, **closing(case))
    with pytest.raises(ValidationError, match="La cartella è chiusa"):
        add_document(
            case, by=anna, kind=kind(case, "altro"), title="Prova", uploaded_file=pdf_file()
        )
    assert nothing_saved(case, media)


def test_who_only_reads_the_case_uploads_nothing(anna, media):
    case = the_shared_case()
    with pytest.raises(PermissionDenied):
        add_document(
            case, by=anna, kind=kind(case, "altro"), title="Prova", uploaded_file=pdf_file()
        )
    assert nothing_saved(case, media)


def test_the_download_name_keeps_no_folder_and_no_control_character():
    assert clean_filename("C:\\Documenti\\relazione.pdf") == "relazione.pdf"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("rel\r\nazione\x00.pdf") == "relazione.pdf"
    assert clean_filename("...") == "documento"
    long = clean_filename("a" * 300 + ".docx")
    assert len(long) <= 200 and long.endswith(".docx")


# Reading: the confidential kinds


def test_a_court_report_by_anna_is_read_by_a_social_worker_of_the_equipe_not_by_a_psychologist(
    anna, luca, paolo, giulia, media
):
    case, report = court_report(anna)
    add_case_member(case, by=anna, operator=luca.operator)
    add_case_member(case, by=anna, operator=paolo.operator)
    assert report in documents_visible_to(anna, case)
    assert report in documents_visible_to(luca, case)  # assistente sociale, like anna
    assert report in documents_visible_to(giulia, case)  # the area coordinator
    assert report not in documents_visible_to(paolo, case)  # psicologo
    hidden = case.events.get(data__document=report.pk)
    assert hidden not in events_visible_to(paolo, case)
    assert hidden in events_visible_to(luca, case)


def test_a_kind_confidential_to_the_team_is_read_by_the_equipe_not_by_a_share_recipient(
    luca, anna, paolo, media
):
    case = the_shared_case()  # luca's, shared with Caravaggio: anna reads it
    team_only = DocumentKind.objects.create(
        ambito=case.ambito, code="verbale_riservato", name="Verbale riservato", confidential=True
    )
    add_case_member(case, by=luca, operator=paolo.operator)
    minutes = add_document(case, by=luca, kind=team_only, title="Verbale", uploaded_file=pdf_file())
    plain = add_document(
        case, by=luca, kind=kind(case, "altro"), title="Modulo", uploaded_file=pdf_file()
    )
    assert minutes in documents_visible_to(paolo, case)  # équipe, another profession
    assert set(documents_visible_to(anna, case)) == {plain}  # same profession, not the team


def test_a_download_is_written_in_the_access_log_with_the_person(anna, giulia, media):
    case, report = court_report(anna)
    found = get_document_for_user(giulia, case.pk, report.pk)
    assert found == report
    row = AccessLog.objects.filter(user=giulia, object_type="document").get()
    assert (row.action, row.object_id, row.person) == (
        AccessLog.Action.READ,
        str(report.pk),
        case.person,
    )
    assert row.detail == {"case": case.pk, "kind": "relazione_ag"}


def test_a_document_the_user_may_not_read_is_a_404_and_is_not_logged(anna, paolo, media):
    case, report = court_report(anna)
    add_case_member(case, by=anna, operator=paolo.operator)
    with pytest.raises(Http404):
        get_document_for_user(paolo, case.pk, report.pk)
    assert not AccessLog.objects.filter(user=paolo, object_type="document").exists()


def test_sara_and_a_wrong_case_get_the_404_of_a_missing_document(anna, sara, media):
    case, report = court_report(anna)
    with pytest.raises(Http404):
        get_document_for_user(sara, case.pk, report.pk)
    other = Case.objects.open().filter(case_manager__user=anna).exclude(pk=case.pk).first()
    with pytest.raises(Http404, match="Documento non trovato"):
        get_document_for_user(anna, other.pk, report.pk)
    with pytest.raises(Http404):
        get_document_for_user(anna, case.pk, "abc")


def test_the_demo_documents_are_pdfs_in_storage_and_annas_court_report_is_confidential(giulia):
    case = annas_family_case()
    documents = {d.kind.code: d for d in case.documents.select_related("kind")}
    assert set(documents) == {"relazione_sociale", "relazione_ag"}
    for document in documents.values():
        with document.file.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
    assert documents["relazione_ag"].kind.confidential
    assert documents["relazione_ag"] in documents_visible_to(giulia, case)
