"""The diary and documents on the case page, through the client: what each operator sees, the
forms, the download and its headers."""

import re

import pytest
from django.urls import reverse

from ambito.accounts.models import AccessLog
from ambito.cases.actions import add_case_member, add_diary_entry, add_document, close_case
from ambito.cases.models import Case, Document, DocumentKind
from ambito.cases.tests.conftest import pdf_file, stored_files
from ambito.cases.tests.test_closure import closing
from conftest import a_reserved_case, client_for, the_shared_case

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
SECRET = "Osservazioni psicologiche da non divulgare."


def an_open_case_of(user):
    """An open case of the user's, not reserved, without the demo's diary and documents."""
    cases = Case.objects.open().filter(case_manager__user=user, reserved="")
    return cases.filter(diary__isnull=True, documents__isnull=True).order_by("pk").first()


def detail_url(case):
    return reverse("cases:detail", args=[case.pk])


def page(user, case):
    response = client_for(user).get(detail_url(case))
    assert response.status_code == 200
    return response.content.decode()


def diary_of(html):
    """The diary section of the case page."""
    return html[html.index('id="diario"') : html.index('id="documenti"')]


def kind(case, code):
    return DocumentKind.objects.get(ambito=case.ambito_id, code=code)


# The case page


def test_the_case_page_shows_diary_and_documents_with_their_forms(anna, media):
    case = an_open_case_of(anna)
    add_diary_entry(case, by=anna, date=case.opened_on, kind="colloquio", text="Primo colloquio")
    add_document(
        case,
        by=anna,
        kind=kind(case, "relazione_sociale"),
        title="Relazione iniziale",
        uploaded_file=pdf_file(),
    )
    response = client_for(anna).get(detail_url(case))
    html = response.content.decode()
    for heading in ("Diario", "Documenti"):
        assert f">{heading}</h2>" in html
    assert "Primo colloquio" in html
    assert "Relazione iniziale" in html
    assert response.context["diary_form"] is not None
    assert response.context["document_form"] is not None
    # Both forms are folded under their titles: opening one fetches it (htmx).
    for name in ("diario", "documento"):
        assert f'hx-get="{reverse("cases:form", args=[case.pk, name])}"' in html
    document_form = client_for(anna).get(
        reverse("cases:form", args=[case.pk, "documento"]), headers={"HX-Request": "true"}
    )
    assert 'enctype="multipart/form-data"' in document_form.content.decode()
    assert "Content-Security-Policy" in response.headers
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html


def test_a_reserved_note_is_marked_for_those_who_read_it_and_absent_for_the_others(
    paolo, giulia, marta
):
    case = a_reserved_case()
    add_diary_entry(case, by=paolo, date=case.opened_on, kind="altro", text=SECRET, reserved=True)
    add_case_member(case, by=giulia, operator=marta.operator)
    html = page(giulia, case)
    assert SECRET in html
    assert ">Riservata</span>" in diary_of(html)
    others = page(marta, case)
    assert SECRET not in others
    # Not even a placeholder: neither the badge nor the event of the note.
    assert ">Riservata</span>" not in diary_of(others)
    assert "Nota professionale riservata nel diario" not in others


def test_who_only_reads_the_case_gets_no_forms(anna):
    case = the_shared_case()
    response = client_for(anna).get(detail_url(case))
    assert response.context["diary_form"] is None
    assert response.context["document_form"] is None


def test_a_closed_case_shows_its_diary_without_the_forms(anna):
    case = an_open_case_of(anna)
    add_diary_entry(case, by=anna, date=case.opened_on, kind="altro", text="Ultima nota")
    close_case(case, by=anna, **closing(case))
    response = client_for(anna).get(detail_url(case))
    assert "Ultima nota" in response.content.decode()
    assert response.context["diary_form"] is None
    assert response.context["document_form"] is None


# Writing in the diary


def test_writing_in_the_diary_returns_to_the_case_with_a_message(anna):
    case = an_open_case_of(anna)
    data = {"date": case.opened_on.isoformat(), "kind": "telefonata", "text": "Sentita la scuola"}
    client = client_for(anna)
    response = client.post(reverse("cases:add_diary", args=[case.pk]), data, follow=True)
    assert response.redirect_chain == [(detail_url(case), 302)]
    entry = case.diary.get()
    assert (entry.kind, entry.text, entry.author) == (
        "telefonata",
        "Sentita la scuola",
        anna.operator,
    )
    assert "Voce aggiunta al diario" in response.content.decode()


def test_a_wrong_entry_shows_the_form_again_with_italian_errors(anna):
    case = an_open_case_of(anna)
    data = {"date": "2999-01-01", "kind": "colloquio", "text": "x"}
    response = client_for(anna).post(reverse("cases:add_diary", args=[case.pk]), data)
    assert response.status_code == 200
    assert "La data è nel futuro." in response.content.decode()
    assert not case.diary.exists()


def test_a_correction_is_chosen_among_the_visible_entries(anna):
    case = an_open_case_of(anna)
    wrong = add_diary_entry(case, by=anna, date=case.opened_on, kind="altro", text="Sbagliata")
    data = {
        "date": case.opened_on.isoformat(),
        "kind": "altro",
        "text": "Corretta",
        "corrects": wrong.pk,
    }
    client_for(anna).post(reverse("cases:add_diary", args=[case.pk]), data)
    html = page(anna, case)
    assert case.diary.get(text="Corretta").corrects == wrong
    assert ">Rettificata</span>" in html
    assert f'href="#voce-{wrong.pk}"' in html


# Uploading and downloading


def upload(user, case, **data):
    return client_for(user).post(reverse("cases:add_document", args=[case.pk]), data)


def test_uploading_a_document_stores_it_and_returns_to_the_case(anna, media):
    case = an_open_case_of(anna)
    data = {"kind": kind(case, "altro").pk, "title": "Modulo ISEE", "file": pdf_file("isee.pdf")}
    response = upload(anna, case, **data)
    assert response.status_code == 302
    document = case.documents.get()
    assert (document.title, document.original_filename) == ("Modulo ISEE", "isee.pdf")
    assert len(stored_files(media)) == 1


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (None, "Questo campo è obbligatorio."),
        (pdf_file("virus.exe", b"MZ"), "Tipo di file non accettato"),
        (pdf_file("finto.pdf", b"<html>"), "non corrisponde alla sua estensione"),
    ],
)
def test_a_refused_upload_shows_an_italian_error_and_saves_nothing(anna, media, file, message):
    case = an_open_case_of(anna)
    data = {"kind": kind(case, "altro").pk, "title": "Prova"}
    if file is not None:
        data["file"] = file
    response = upload(anna, case, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not case.documents.exists()
    assert stored_files(media) == []


def test_a_too_large_upload_is_refused(anna, media, settings):
    settings.AMBITO_MAX_UPLOAD_MB = 1
    case = an_open_case_of(anna)
    big = pdf_file(content=b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    response = upload(anna, case, kind=kind(case, "altro").pk, title="Grande", file=big)
    assert "supera la dimensione massima di 1 MB" in response.content.decode()
    assert stored_files(media) == []


def test_uploading_to_a_closed_case_is_refused(anna, media):
    case = an_open_case_of(anna)
    close_case(case, by=anna, **closing(case))
    response = upload(anna, case, kind=kind(case, "altro").pk, title="Prova", file=pdf_file())
    assert "La cartella è chiusa" in response.content.decode()
    assert not Document.objects.filter(case=case).exists()


def test_the_download_is_an_attachment_never_sniffed_nor_cached_and_is_logged(anna, media):
    case = an_open_case_of(anna)
    document = add_document(
        case,
        by=anna,
        kind=kind(case, "altro"),
        title="Carta d'identità",
        uploaded_file=pdf_file('carta identità "Rossi".pdf'),
    )
    url = reverse("cases:document", args=[case.pk, document.pk])
    response = client_for(anna).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_file().read()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''carta")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert AccessLog.objects.filter(
        user=anna, object_type="document", object_id=str(document.pk), person=case.person
    ).exists()


def test_a_confidential_document_is_listed_and_downloaded_only_by_its_readers(anna, paolo, media):
    case = an_open_case_of(anna)
    add_case_member(case, by=anna, operator=paolo.operator)
    report = add_document(
        case,
        by=anna,
        kind=kind(case, "relazione_ag"),
        title="Relazione al Tribunale",
        uploaded_file=pdf_file(),
    )
    assert "Relazione al Tribunale" in page(anna, case)
    assert "Relazione al Tribunale" not in page(paolo, case)
    url = reverse("cases:document", args=[case.pk, report.pk])
    assert client_for(paolo).get(url).status_code == 404


def test_sara_gets_404_for_the_document_of_another_ambito(anna, sara, media):
    case = an_open_case_of(anna)
    document = add_document(
        case, by=anna, kind=kind(case, "altro"), title="Modulo", uploaded_file=pdf_file()
    )
    url = reverse("cases:document", args=[case.pk, document.pk])
    assert client_for(sara).get(url).status_code == 404
    assert not AccessLog.objects.filter(user=sara, object_type="document").exists()


def test_a_document_whose_file_is_gone_answers_404_and_is_logged_as_an_error(anna, media, caplog):
    case = an_open_case_of(anna)
    document = add_document(
        case, by=anna, kind=kind(case, "altro"), title="Modulo", uploaded_file=pdf_file()
    )
    (media / document.file.name).unlink()
    response = client_for(anna).get(reverse("cases:document", args=[case.pk, document.pk]))
    assert response.status_code == 404
    assert "missing from storage" in caplog.text


def test_the_gdpr_export_holds_the_diary_and_documents_the_operator_may_read(paolo, giulia, marta):
    case = a_reserved_case()
    add_diary_entry(case, by=paolo, date=case.opened_on, kind="altro", text=SECRET, reserved=True)
    add_case_member(case, by=giulia, operator=marta.operator)
    url = reverse("people:export_json", args=[case.person_id])
    exported = client_for(giulia).get(url).json()
    diary = next(c for c in exported["cases"] if c["id"] == case.pk)["diary"]
    assert SECRET in [entry["text"] for entry in diary]
    answer = client_for(marta).get(url).content.decode()
    assert SECRET not in answer
    assert "Nota professionale riservata" not in answer
