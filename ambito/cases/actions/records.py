"""The diary and the documents of a case."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from ambito.cases.access import (
    diary_visible_to,
)
from ambito.cases.actions.common import (
    _author,
    _locked_open_case,
    _required,
)
from ambito.cases.models import (
    Case,
    CaseEvent,
    DiaryEntry,
    Document,
    DocumentKind,
)
from ambito.cases.uploads import check_upload, clean_filename, storage_name

DIARY_MAX_TEXT = 20_000


def _check_diary_entry(
    case: Case, *, by: Any, day: date, kind: str, text: str, reserved: bool, corrects: Any
) -> str:
    """The entry's text, stripped; ValidationError for anything else that is wrong."""
    if kind not in DiaryEntry.Kind.values:
        raise ValidationError({"kind": "Tipo di voce non valido."})
    text = _required(text, "text", "Scrivere il testo della voce.")
    if len(text) > DIARY_MAX_TEXT:
        raise ValidationError({"text": f"Il testo supera i {DIARY_MAX_TEXT} caratteri."})
    if day > timezone.localdate():
        raise ValidationError({"date": "La data è nel futuro."})
    if day < case.opened_on:
        raise ValidationError({"date": "La data precede l'apertura della cartella."})
    if corrects is not None:
        if not diary_visible_to(by, case).filter(pk=corrects.pk).exists():
            raise ValidationError({"corrects": "Voce da rettificare non trovata."})
        if corrects.reserved and not reserved:
            message = "La rettifica di una nota riservata dev'essere anch'essa riservata."
            raise ValidationError({"reserved": message})
    return text


@transaction.atomic
def add_diary_entry(
    case: Case,
    *,
    by: Any,
    date: date,
    kind: str,
    text: str,
    reserved: bool = False,
    corrects: DiaryEntry | None = None,
    recorded_at: datetime | None = None,
) -> DiaryEntry:
    """Writes an entry in the case diary. Entries are never changed: a mistake is corrected by
    a new entry that `corrects` it (rettifica). A reserved entry (nota professionale riservata)
    is read only by the author's profession and the area coordinator, so its text never enters
    the event. Closed cases take no new entries. `recorded_at`: as in open_case."""
    case = _locked_open_case(case)
    author = _author(by, case)
    text = _check_diary_entry(
        case, by=by, day=date, kind=kind, text=text, reserved=reserved, corrects=corrects
    )
    at = recorded_at or timezone.now()
    entry = DiaryEntry.objects.create(
        case=case,
        author=author,
        date=date,
        kind=kind,
        text=text,
        reserved=reserved,
        corrects=corrects,
        created_at=at,
    )
    label = "Nota professionale riservata nel diario" if reserved else "Voce di diario"
    summary = f"{label}: {entry.get_kind_display()} del {date:%d/%m/%Y}"
    if corrects is not None:
        summary += f", rettifica della voce del {corrects.date:%d/%m/%Y}"
    CaseEvent.objects.create(
        case=case,
        actor=by,
        at=at,
        kind=CaseEvent.Kind.DIARY_ADDED,
        summary=summary,
        data={
            "entry": entry.pk,
            "kind": kind,
            "date": date.isoformat(),
            "reserved": reserved,
            "corrects": corrects.pk if corrects else None,
        },
    )
    return entry


@transaction.atomic
def add_document(
    case: Case, *, by: Any, kind: DocumentKind, title: str, uploaded_file: Any
) -> Document:
    """Adds a file to the case: PDF, ODT, DOCX, JPG, PNG or TXT up to AMBITO_MAX_UPLOAD_MB,
    checked by its content (cases.uploads). The file is written inside the transaction and
    deleted if the rows are not saved: a refused or failed upload leaves nothing behind. The
    event of a confidential document names its kind, not its title. Closed cases take no new
    documents."""
    case = _locked_open_case(case)
    uploader = _author(by, case)
    if kind.ambito_id != case.ambito_id:
        raise ValidationError({"kind": "Tipo di documento non valido per questo Ambito."})
    title = _required(title, "title", "Indicare il titolo del documento.")
    if len(title) > 200:
        raise ValidationError({"title": "Il titolo supera i 200 caratteri."})
    content_type = check_upload(uploaded_file)
    document = Document(
        case=case,
        kind=kind,
        title=title,
        original_filename=clean_filename(uploaded_file.name),
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=uploader,
    )
    document.file = default_storage.save(storage_name(case.ambito_id), uploaded_file)
    try:
        with transaction.atomic():
            document.save()
            CaseEvent.objects.create(
                case=case,
                actor=by,
                kind=CaseEvent.Kind.DOCUMENT_ADDED,
                summary=_document_summary(document)[:300],
                data={
                    "document": document.pk,
                    "kind": kind.code,
                    "confidential": kind.confidential,
                },
            )
    except BaseException:
        default_storage.delete(document.file.name)
        raise
    return document


def _document_summary(document: Document) -> str:
    kind = document.kind
    if kind.confidential:
        return f"Documento riservato: {kind.name}"
    return f"Documento: {kind.name}, «{document.title}»"
