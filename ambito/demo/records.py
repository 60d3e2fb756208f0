"""Synthetic diary entries and documents for a few demo cases, written through the actions.

The texts say they are invented; the documents are one-page PDFs built here byte by byte (no
PDF library, no randomness): the same every time, and quick.
"""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ambito.cases.actions import add_diary_entry, add_document
from ambito.cases.models import Case, DiaryEntry, DocumentKind
from ambito.demo.cases import office_hours
from ambito.organizations.models import Operator

SYNTHETIC = "Testo fittizio generato per la demo."
Kind = DiaryEntry.Kind

# (whose first case, author, days after the opening, kind, text, reserved)
ENTRIES = [
    ("anna", "anna", 3, Kind.HOME_VISIT, "Visita domiciliare: abitazione in ordine, la madre "
     "collabora e chiede un sostegno per le spese scolastiche.", False),
    ("anna", "anna", 10, Kind.PHONE_CALL, "Telefonata con la scuola: frequenza regolare, "
     "concordato un incontro con gli insegnanti.", False),
    ("luca", "luca", 5, Kind.INTERVIEW, "Primo colloquio: ricostruita la situazione lavorativa "
     "e abitativa del nucleo.", False),
    ("paolo", "paolo", 7, Kind.INTERVIEW, "Colloquio con il minore e la madre presso la sede "
     "della UO Riparativa.", False),
    ("paolo", "paolo", 14, Kind.OTHER, "Nota riservata: osservazioni psicologiche sul minore, "
     "da non condividere fuori dalla professione.", True),
    ("paolo", "giulia", 21, Kind.TEAM_MEETING, "Équipe di verifica: confermato il progetto di "
     "sostegno educativo.", False),
]  # fmt: skip
# (whose first case, uploader, kind code, title)
DOCUMENTS = [
    ("anna", "anna", "relazione_sociale", "Relazione sociale di presa in carico"),
    ("anna", "anna", "relazione_ag", "Relazione al Tribunale per i minorenni"),
    ("paolo", "paolo", "verbale_equipe", "Verbale dell'équipe di verifica"),
]


def write_examples(guaranteed: dict[str, list[Case]], personas: dict[str, Operator]) -> None:
    """Diary entries on the first case of anna, luca and paolo (one of them a reserved note of
    paolo's, which only psychologists and giulia read) and PDF documents on anna's and paolo's
    (anna's court report: only social workers and giulia read it)."""
    for whose, author, after, kind, text, reserved in ENTRIES:
        case = guaranteed[whose][0]
        _entry(case, personas[author], after, kind, text, reserved=reserved)
    for whose, uploader, kind_code, title in DOCUMENTS:
        _document(guaranteed[whose][0], personas[uploader], kind_code, title)


def _day(case: Case, after: int) -> date:
    """A day `after` days from the opening, never in the future."""
    return min(case.opened_on + timedelta(days=after), timezone.localdate())


def _entry(
    case: Case, author: Operator, after: int, kind: str, text: str, *, reserved: bool = False
) -> None:
    day = _day(case, after)
    add_diary_entry(
        case,
        by=author.user,
        date=day,
        kind=kind,
        text=f"{text} {SYNTHETIC}",
        reserved=reserved,
        recorded_at=office_hours(day),
    )


def _document(case: Case, uploader: Operator, kind_code: str, title: str) -> None:
    kind = DocumentKind.objects.get(ambito=case.ambito_id, code=kind_code)
    content = synthetic_pdf(
        title,
        [
            f"Cartella {case.reference} - {case.get_area_display()}",
            f"Redatta da {uploader} ({uploader.get_profession_display()})",
            "",
            "Documento fittizio generato per la demo di Ambito:",
            "nessun dato si riferisce a persone reali.",
        ],
    )
    upload = SimpleUploadedFile(f"{kind_code}.pdf", content, content_type="application/pdf")
    add_document(case, by=uploader.user, kind=kind, title=title, uploaded_file=upload)


def synthetic_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF with the title and the lines in Helvetica (Windows-1252 text)."""

    def text(line: str) -> str:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"({escaped}) Tj 0 -16 Td"

    operations = ["BT /F1 16 Tf 72 770 Td", text(title), "/F1 11 Tf 0 -12 Td"]
    stream = "\n".join([*operations, *map(text, lines), "ET"]).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%b\nendstream" % (len(stream), stream),
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)
