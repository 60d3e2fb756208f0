"""API of the case diary and documents, through the same gatekeepers and actions as the pages:
an operator gets only the reserved notes and confidential documents they may read."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from ambito.api_common import ErrorOut
from ambito.cases.access import (
    diary_visible_to,
    documents_visible_to,
    get_case_for_user,
    get_document_for_user,
)
from ambito.cases.actions import add_diary_entry, add_document
from ambito.cases.api import WRITE, OperatorRef
from ambito.cases.models import DiaryEntry, Document, DocumentKind
from ambito.cases.uploads import file_response

router = Router(tags=["Diario e documenti"])

READ = {403: ErrorOut, 404: ErrorOut}


class DiaryEntryIn(Schema):
    date: date
    kind: DiaryEntry.Kind
    text: str
    reserved: bool = False
    corrects: int | None = None  # id of the entry this one corrects (rettifica)


class DiaryEntryOut(Schema):
    id: int
    date: date
    kind: str
    kind_label: str
    text: str
    reserved: bool
    corrects: int | None
    author: OperatorRef
    created_at: datetime

    @staticmethod
    def resolve_kind_label(entry: DiaryEntry) -> str:
        return entry.get_kind_display()

    @staticmethod
    def resolve_corrects(entry: DiaryEntry) -> int | None:
        return entry.corrects_id


class DocumentOut(Schema):
    id: int
    kind: str
    kind_label: str
    confidential: bool
    title: str
    filename: str
    content_type: str
    size: int
    uploaded_by: OperatorRef
    uploaded_at: datetime
    file_url: str

    @staticmethod
    def resolve_kind(document: Document) -> str:
        return document.kind.code

    @staticmethod
    def resolve_kind_label(document: Document) -> str:
        return document.kind.name

    @staticmethod
    def resolve_confidential(document: Document) -> bool:
        return document.kind.confidential

    @staticmethod
    def resolve_filename(document: Document) -> str:
        return document.original_filename

    @staticmethod
    def resolve_file_url(document: Document) -> str:
        return reverse(
            "api:get_document_file",
            kwargs={"case_id": document.case_id, "document_id": document.pk},
        )


@router.get("/{case_id}/diary", response={200: list[DiaryEntryOut], **READ}, summary="Diario")
def list_diary(request: HttpRequest, case_id: int) -> Any:
    """Le voci del diario della cartella, dalla più recente. Le note professionali riservate
    compaiono solo a chi può leggerle (l'autore, gli operatori della sua professione, il
    coordinatore d'area): gli altri non ne vedono traccia."""
    case = get_case_for_user(request.user, case_id)
    return diary_visible_to(request.user, case)


@router.post(
    "/{case_id}/diary", response={201: DiaryEntryOut, **WRITE}, summary="Scrive nel diario"
)
def create_diary_entry(
    request: HttpRequest, case_id: int, payload: DiaryEntryIn
) -> Status[DiaryEntry]:
    """Aggiunge una voce al diario (`kind`: `colloquio`, `visita_domiciliare`, `telefonata`,
    `equipe`, `relazione`, `altro`); `reserved: true` la rende una nota professionale
    riservata. Le voci non si modificano: una correzione è una nuova voce con `corrects` (l'id
    della voce rettificata). Una cartella chiusa non accetta nuove voci."""
    case = get_case_for_user(request.user, case_id, write=True, purpose="Scrittura nel diario")
    corrects = None
    if payload.corrects is not None:
        corrects = diary_visible_to(request.user, case).filter(pk=payload.corrects).first()
        if corrects is None:
            raise ValidationError({"corrects": "Voce da rettificare non trovata."})
    entry = add_diary_entry(
        case,
        by=request.user,
        date=payload.date,
        kind=payload.kind,
        text=payload.text,
        reserved=payload.reserved,
        corrects=corrects,
    )
    return Status(201, entry)


@router.get("/{case_id}/documents", response={200: list[DocumentOut], **READ}, summary="Documenti")
def list_documents(request: HttpRequest, case_id: int) -> Any:
    """I documenti della cartella, dal più recente, senza quelli riservati che l'operatore non
    può leggere. `file_url` scarica il file."""
    case = get_case_for_user(request.user, case_id)
    return documents_visible_to(request.user, case)


@router.post(
    "/{case_id}/documents", response={201: DocumentOut, **WRITE}, summary="Carica un documento"
)
def create_document(
    request: HttpRequest,
    case_id: int,
    kind: Form[str],
    title: Form[str],
    file: File[UploadedFile],
) -> Status[Document]:
    """Carica un file nella cartella (`multipart/form-data`: `kind`, il codice del tipo di
    documento, per esempio `relazione_sociale` o `relazione_ag`; `title`; `file`). Sono
    ammessi PDF, ODT, DOCX, JPG, PNG e TXT fino a 20 MB (salvo diversa configurazione),
    controllati sul contenuto. Un caricamento rifiutato non salva nulla."""
    case = get_case_for_user(request.user, case_id, write=True, purpose="Caricamento")
    document_kind = DocumentKind.objects.filter(ambito=case.ambito_id, code=kind).first()
    if document_kind is None:
        raise ValidationError({"kind": "Tipo di documento inesistente in questo Ambito."})
    document = add_document(
        case, by=request.user, kind=document_kind, title=title, uploaded_file=file
    )
    return Status(201, document)


@router.get(
    "/{case_id}/documents/{document_id}/file",
    response=READ,
    summary="Scarica un documento",
    url_name="get_document_file",
    openapi_extra={
        "responses": {200: {"description": "Il file", "content": {"application/octet-stream": {}}}}
    },
)
def get_document_file(request: HttpRequest, case_id: int, document_id: int) -> FileResponse:
    """Il file del documento, come allegato. Ogni scaricamento è registrato nel registro degli
    accessi. 404 se il documento non esiste o è riservato ad altri."""
    return file_response(get_document_for_user(request.user, case_id, document_id))
