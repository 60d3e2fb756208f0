"""The diary and documents in the API: the same gatekeepers and actions as the pages; Italian
errors, 4xx and never 500, nothing half-saved."""

import pytest
from django.test import Client

from ambito.accounts.actions import issue_api_token
from ambito.accounts.models import AccessLog
from ambito.cases.actions import add_case_member, add_diary_entry, add_document, close_case
from ambito.cases.models import Case, DocumentKind
from ambito.cases.tests.conftest import pdf_file, stored_files
from ambito.cases.tests.test_closure import closing
from conftest import a_reserved_case, the_shared_case

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases"
SECRET = "Osservazioni psicologiche da non divulgare."


def api_client(user) -> Client:
    token = issue_api_token(user, by=user)
    return Client(headers={"authorization": f"Bearer {token}", "x-forwarded-proto": "https"})


def an_open_case_of(user):
    """An open case of the user's, not reserved, without the demo's diary and documents."""
    cases = Case.objects.open().filter(case_manager__user=user, reserved="")
    return cases.filter(diary__isnull=True, documents__isnull=True).order_by("pk").first()


def kind(case, code):
    return DocumentKind.objects.get(ambito=case.ambito_id, code=code)


# The diary


def test_writing_and_reading_the_diary(anna):
    case = an_open_case_of(anna)
    client = api_client(anna)
    body = {"date": case.opened_on.isoformat(), "kind": "colloquio", "text": "Primo colloquio"}
    response = client.post(f"{URL}/{case.pk}/diary", body, content_type="application/json")
    assert response.status_code == 201
    created = response.json()
    assert (created["kind_label"], created["reserved"], created["author"]["username"]) == (
        "Colloquio",
        False,
        "anna",
    )
    listed = client.get(f"{URL}/{case.pk}/diary").json()
    assert [entry["id"] for entry in listed] == [created["id"]]


def test_a_reserved_note_is_listed_for_giulia_and_not_for_an_educator_of_the_equipe(
    paolo, giulia, marta
):
    case = a_reserved_case()
    body = {"date": case.opened_on.isoformat(), "kind": "altro", "text": SECRET, "reserved": True}
    response = api_client(paolo).post(
        f"{URL}/{case.pk}/diary", body, content_type="application/json"
    )
    assert response.status_code == 201
    add_case_member(case, by=giulia, operator=marta.operator)
    assert SECRET in api_client(giulia).get(f"{URL}/{case.pk}/diary").content.decode()
    for path in ("diary", "events"):
        answer = api_client(marta).get(f"{URL}/{case.pk}/{path}").content.decode()
        assert SECRET not in answer
        assert "Nota professionale riservata" not in answer


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "sms"}, "kind", "Valore non ammesso."),
        ({"text": " "}, "text", "Scrivere il testo della voce."),
        ({"date": "2999-01-01"}, "date", "La data è nel futuro."),
        ({"corrects": 999999999}, "corrects", "Voce da rettificare non trovata."),
        ({"reserved": "forse"}, "reserved", "Deve essere true o false."),
    ],
)
def test_a_wrong_entry_is_a_422_in_italian_and_saves_nothing(anna, body, field, message):
    case = an_open_case_of(anna)
    payload = {"date": case.opened_on.isoformat(), "kind": "altro", "text": "Nota", **body}
    response = api_client(anna).post(
        f"{URL}/{case.pk}/diary", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][field] == [message]
    assert not case.diary.exists()


def test_a_closed_case_refuses_new_entries_with_a_422(anna):
    case = an_open_case_of(anna)
    close_case(case, by=anna, **closing(case))
    payload = {"date": case.opened_on.isoformat(), "kind": "altro", "text": "Nota"}
    response = api_client(anna).post(
        f"{URL}/{case.pk}/diary", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert "La cartella è chiusa" in response.json()["detail"]


def test_the_recipient_of_a_share_reads_the_diary_and_may_not_write_it(anna, luca):
    case = the_shared_case()
    add_diary_entry(case, by=luca, date=case.opened_on, kind="altro", text="Nota di luca")
    client = api_client(anna)
    assert client.get(f"{URL}/{case.pk}/diary").status_code == 200
    payload = {"date": case.opened_on.isoformat(), "kind": "altro", "text": "Nota"}
    response = client.post(f"{URL}/{case.pk}/diary", payload, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Può consultare questa cartella ma non modificarla."


def test_sara_gets_404_for_the_diary_and_documents_of_another_ambito(anna, sara):
    case = an_open_case_of(anna)
    client = api_client(sara)
    for path in ("diary", "documents"):
        response = client.get(f"{URL}/{case.pk}/{path}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Cartella non trovata."}


# Documents


def post_document(user, case, **data):
    return api_client(user).post(f"{URL}/{case.pk}/documents", data)


def test_uploading_listing_and_downloading_a_document(anna, media):
    case = an_open_case_of(anna)
    response = post_document(
        anna, case, kind="relazione_sociale", title="Relazione", file=pdf_file("rel.pdf")
    )
    assert response.status_code == 201
    created = response.json()
    assert (created["kind"], created["confidential"], created["filename"]) == (
        "relazione_sociale",
        False,
        "rel.pdf",
    )
    client = api_client(anna)
    assert [d["id"] for d in client.get(f"{URL}/{case.pk}/documents").json()] == [created["id"]]
    download = client.get(created["file_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_file().read()
    assert download["Content-Disposition"] == 'attachment; filename="rel.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    log = AccessLog.objects.get(user=anna, object_type="document")
    assert (log.object_id, log.person) == (str(created["id"]), case.person)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"file": None}, "file", "Campo obbligatorio."),
        ({"kind": "ricetta"}, "kind", "Tipo di documento inesistente in questo Ambito."),
        ({"title": ""}, "title", "Indicare il titolo del documento."),
        (
            {"file": pdf_file("x.exe", b"MZ")},
            "file",
            "Tipo di file non accettato: sono ammessi PDF, ODT, DOCX, JPG, PNG o TXT.",
        ),
        (
            {"file": pdf_file("x.pdf", b"<html>")},
            "file",
            "Il contenuto del file non corrisponde alla sua estensione (.pdf).",
        ),
    ],
)
def test_a_refused_upload_is_a_422_in_italian_and_leaves_no_row_and_no_file(
    anna, media, data, field, message
):
    case = an_open_case_of(anna)
    fields = {"kind": "altro", "title": "Prova", "file": pdf_file(), **data}
    response = post_document(anna, case, **{k: v for k, v in fields.items() if v is not None})
    assert response.status_code == 422
    assert response.json()["errors"][field] == [message]
    assert not case.documents.exists()
    assert stored_files(media) == []


def test_a_too_large_upload_is_a_422(anna, media, settings):
    settings.AMBITO_MAX_UPLOAD_MB = 1
    case = an_open_case_of(anna)
    big = pdf_file(content=b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    response = post_document(anna, case, kind="altro", title="Grande", file=big)
    assert response.status_code == 422
    assert "dimensione massima di 1 MB" in response.json()["detail"]
    assert stored_files(media) == []


def test_a_confidential_document_is_hidden_and_its_file_a_404_for_a_psychologist(
    anna, paolo, media
):
    case = an_open_case_of(anna)
    add_case_member(case, by=anna, operator=paolo.operator)
    report = add_document(
        case,
        by=anna,
        kind=kind(case, "relazione_ag"),
        title="Relazione al Tribunale",
        uploaded_file=pdf_file(),
    )
    client = api_client(paolo)
    assert client.get(f"{URL}/{case.pk}/documents").json() == []
    response = client.get(f"{URL}/{case.pk}/documents/{report.pk}/file")
    assert response.status_code == 404
    assert response.json() == {"detail": "Documento non trovato."}
