"""The files of the case documents: where they are stored, which are accepted, how they leave.

A file is stored through Django's default storage under a name that says nothing about the
person (`documenti/<ambito id>/<random hex>`); its original name, type and size are columns of
Document. It is accepted by its extension and by its content (the first bytes, or the members of
an ODT or DOCX archive), never by the type the browser declares, and it leaves only as an
attachment that no cache keeps and no browser sniffs.
"""

import logging
import uuid
import zipfile
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils.cache import add_never_cache_headers

if TYPE_CHECKING:
    from ambito.cases.models import Document

logger = logging.getLogger(__name__)

ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Extension → the content type the file is served with.
ACCEPTED = {
    "pdf": "application/pdf",
    "odt": ODT,
    "docx": DOCX,
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "txt": "text/plain",
}
ACCEPTED_LABEL = "PDF, ODT, DOCX, JPG, PNG o TXT"
HEAD_BYTES = 8192
MAX_FILENAME = 200


def storage_name(ambito_id: int) -> str:
    """A new name in the storage: the Ambito and a random id, no personal data."""
    return f"documenti/{ambito_id}/{uuid.uuid4().hex}"


def document_path(document: "Document", filename: str) -> str:
    """FileField.upload_to: the name ignores the uploaded file's own name."""
    return storage_name(document.case.ambito_id)


def max_upload_bytes() -> int:
    return int(settings.AMBITO_MAX_UPLOAD_MB) * 1024 * 1024


def clean_filename(name: str) -> str:
    """The uploaded file's name without folders and control characters, at most 200 characters
    (the extension kept): what the download will be called."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        name = stem[: MAX_FILENAME - 11] + dot + extension[:10] if dot else name[:MAX_FILENAME]
    return name or "documento"


def extension_of(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def check_upload(uploaded_file: Any) -> str:
    """The content type of an acceptable upload; ValidationError (on `file`, in Italian) for a
    missing, empty, too large or unaccepted file, or one whose content is not what its
    extension says."""
    if not isinstance(uploaded_file, UploadedFile):
        raise ValidationError({"file": "Scegliere il file da caricare."})
    if not uploaded_file.size:
        raise ValidationError({"file": "Il file è vuoto."})
    if uploaded_file.size > max_upload_bytes():
        message = f"Il file supera la dimensione massima di {settings.AMBITO_MAX_UPLOAD_MB} MB."
        raise ValidationError({"file": message})
    extension = extension_of(clean_filename(uploaded_file.name or ""))
    if extension not in ACCEPTED:
        message = f"Tipo di file non accettato: sono ammessi {ACCEPTED_LABEL}."
        raise ValidationError({"file": message})
    if not _content_matches(uploaded_file, extension):
        message = f"Il contenuto del file non corrisponde alla sua estensione (.{extension})."
        raise ValidationError({"file": message})
    return ACCEPTED[extension]


def _content_matches(uploaded_file: UploadedFile, extension: str) -> bool:
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_BYTES)
    uploaded_file.seek(0)
    if extension == "pdf":
        return b"%PDF-" in head[:1024]
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == "txt":
        return b"\x00" not in head
    try:
        return _archive_matches(uploaded_file, extension)
    finally:
        uploaded_file.seek(0)


def _archive_matches(uploaded_file: UploadedFile, extension: str) -> bool:
    """An ODT declares its type in its first member, `mimetype`; a DOCX holds the main part of
    a Word document. Only the names and a few bytes are read: nothing is decompressed at size."""
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = set(archive.namelist())
            if extension == "docx":
                return {"[Content_Types].xml", "word/document.xml"} <= names
            info = archive.getinfo("mimetype") if "mimetype" in names else None
            return info is not None and info.file_size < 100 and archive.read(info) == ODT.encode()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def file_response(document: "Document") -> FileResponse:
    """The document's file as an attachment with its original name: never shown inline, never
    sniffed into another type, never kept by a cache."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        # The row outlived its file: an operations problem, not the user's.
        logger.error("File of document %s missing from storage: %s", document.pk, exc)
        raise Http404("Il file del documento non è disponibile.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_filename,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response
