"""The diary and the documents of a case."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ambito.cases.models.case import Case
from ambito.cases.uploads import document_path
from ambito.organizations.models import Operator
from ambito.territory.models import Ambito


class DiaryEntry(models.Model):
    """One entry of the case diary (colloquio, visita domiciliare…): a professional record,
    append-only in the database. A mistake is corrected by a new entry that `corrects` it.

    A reserved entry ("nota professionale riservata") is read only by its author, the operators
    of the author's profession and the coordinator of the case's area (cases.access)."""

    class Kind(models.TextChoices):
        INTERVIEW = "colloquio", "Colloquio"
        HOME_VISIT = "visita_domiciliare", "Visita domiciliare"
        PHONE_CALL = "telefonata", "Telefonata"
        TEAM_MEETING = "equipe", "Équipe"
        REPORT = "relazione", "Relazione"
        OTHER = "altro", "Altro"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="diary")
    author = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="diary_entries", verbose_name="autore"
    )
    date = models.DateField("data")
    kind = models.CharField("tipo", max_length=20, choices=Kind.choices)
    text = models.TextField("testo")
    reserved = models.BooleanField(
        "nota professionale riservata",
        default=False,
        help_text="La leggono solo gli operatori della professione dell'autore e il "
        "coordinatore d'area.",
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="rettifica della voce",
    )
    created_at = models.DateTimeField("scritta il", default=timezone.now)

    class Meta:
        verbose_name = "voce del diario"
        verbose_name_plural = "diario della cartella"
        ordering = ["-date", "-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "-date"], name="diary_case_date_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="diary_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()} – {self.case.reference}"


class DocumentKind(models.Model):
    """A kind of case document, per Ambito (editable in the admin). A confidential kind is read
    only by the case's team (manager, équipe, area coordinator) and its uploader; with
    `author_profession_only`, only by the operators of the uploader's profession and the area
    coordinator (cases.access)."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="document_kinds")
    code = models.SlugField("codice", max_length=40)
    name = models.CharField("denominazione", max_length=100)
    confidential = models.BooleanField(
        "riservato",
        default=False,
        help_text="I documenti riservati li leggono solo l'équipe della cartella e il "
        "coordinatore d'area.",
    )
    author_profession_only = models.BooleanField(
        "solo la professione di chi lo carica",
        default=False,
        help_text="Per i tipi riservati: li leggono solo gli operatori della professione di chi "
        "li ha caricati e il coordinatore d'area.",
    )

    class Meta:
        verbose_name = "tipo di documento"
        verbose_name_plural = "tipi di documento"
        ordering = ["ambito", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "code"], name="document_kind_code_unique"),
            models.UniqueConstraint(fields=["ambito", "name"], name="document_kind_name_unique"),
            models.CheckConstraint(
                condition=Q(confidential=True) | Q(author_profession_only=False),
                name="document_kind_profession_only_if_confidential",
                violation_error_message="Solo un tipo riservato può essere limitato alla "
                "professione di chi carica il documento.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# The kinds every Ambito starts with: (code, name, confidential, author_profession_only).
DEFAULT_DOCUMENT_KINDS = [
    ("relazione_sociale", "Relazione sociale", False, False),
    ("relazione_ag", "Relazione per l'Autorità giudiziaria", True, True),
    ("nota_riservata", "Nota professionale riservata", True, True),
    ("verbale_equipe", "Verbale d'équipe", False, False),
    ("documento_identita", "Documento d'identità", False, False),
    ("altro", "Altro", False, False),
]


def create_default_document_kinds(ambito: Ambito) -> list[DocumentKind]:
    """The default kinds for a new Ambito (migration 0004 gave them to the existing ones)."""
    return DocumentKind.objects.bulk_create(
        DocumentKind(
            ambito=ambito,
            code=code,
            name=name,
            confidential=confidential,
            author_profession_only=profession_only,
        )
        for code, name, confidential, profession_only in DEFAULT_DOCUMENT_KINDS
    )


class Document(models.Model):
    """A file of the case (relazione, verbale, documento d'identità…). The file is stored under
    a name without personal data; `original_filename` is what the download is called."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.ForeignKey(
        DocumentKind, on_delete=models.PROTECT, related_name="documents", verbose_name="tipo"
    )
    title = models.CharField("titolo", max_length=200)
    file = models.FileField("file", upload_to=document_path, max_length=200)
    original_filename = models.CharField("nome del file", max_length=255)
    content_type = models.CharField("tipo di contenuto", max_length=100)
    size = models.PositiveBigIntegerField("dimensione in byte")
    uploaded_by = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="documents", verbose_name="caricato da"
    )
    uploaded_at = models.DateTimeField("caricato il", default=timezone.now)

    class Meta:
        verbose_name = "documento"
        verbose_name_plural = "documenti"
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["case", "-uploaded_at"], name="document_case_idx")]

    def __str__(self) -> str:
        return self.title
