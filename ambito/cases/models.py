from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ambito.cases.uploads import document_path
from ambito.events import EventBase
from ambito.organizations.models import Area, Operator, ServiceUnit
from ambito.people.models import Household, Person
from ambito.territory.models import Ambito, Comune


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> "CaseQuerySet":
        return self.filter(status=Case.Status.OPEN)

    def in_ambito(self, ambito: Ambito) -> "CaseQuerySet":
        return self.filter(ambito=ambito)

    def managed_by(self, operator: Operator) -> "CaseQuerySet":
        return self.filter(case_manager=operator)

    def in_team_of(self, operator: Operator) -> "CaseQuerySet":
        """Cases the operator manages or whose équipe they are an active member of."""
        memberships = CaseMember.objects.active().filter(operator=operator).values("case_id")
        return self.filter(Q(case_manager=operator) | Q(pk__in=memberships))

    def not_archived(self) -> "CaseQuerySet":
        return self.filter(archived_at__isnull=True)


class Reserved(models.TextChoices):
    """Why a case is reserved to its team (empty: not reserved)."""

    COURT_ORDER = "tutela", "Tutela minori su provvedimento dell'Autorità giudiziaria"
    VIOLENCE = "violenza", "Violenza di genere o domestica"
    TRAFFICKING = "tratta", "Tratta e sfruttamento"


class Case(models.Model):
    """The cartella sociale: a person (and their household) taken into care in one area."""

    class Status(models.TextChoices):
        OPEN = "open", "Aperta"
        CLOSED = "closed", "Chiusa"

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name="persona"
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="nucleo",
    )
    area = models.CharField("area", max_length=20, choices=Area.choices)
    owner_comune = models.ForeignKey(
        Comune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="Comune titolare",
    )
    owner_unit = models.ForeignKey(
        ServiceUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="servizio titolare",
    )
    case_manager = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_cases",
        verbose_name="operatore responsabile (case manager)",
    )
    status = models.CharField("stato", max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField("aperta il")
    closed_on = models.DateField("chiusa il", null=True, blank=True)
    closure_reason = models.CharField("motivo della chiusura", max_length=300, blank=True)
    reserved = models.CharField(
        "riservatezza",
        max_length=20,
        choices=Reserved.choices,
        blank=True,
        help_text="Le cartelle riservate sono visibili solo alla loro équipe.",
    )
    archived_at = models.DateTimeField(
        "archiviata il",
        null=True,
        blank=True,
        help_text="Le cartelle chiuse da più anni del periodo di conservazione sono archiviate.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "cartella sociale"
        verbose_name_plural = "cartelle sociali"
        ordering = ["-opened_on", "-pk"]
        indexes = [
            models.Index(fields=["ambito", "status", "area"], name="case_scope_idx"),
            models.Index(fields=["case_manager", "status"], name="case_manager_idx"),
            # The few reserved cases, which hide their persons (people.access).
            models.Index(
                fields=["ambito", "person"], condition=~Q(reserved=""), name="case_reserved_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_comune__isnull=False) & Q(owner_unit__isnull=True))
                | (Q(owner_comune__isnull=True) & Q(owner_unit__isnull=False)),
                name="case_one_owner",
                violation_error_message="La cartella appartiene a un Comune oppure a un servizio.",
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_on__isnull=True))
                | (Q(status="closed") & Q(closed_on__isnull=False)),
                name="case_closed_iff_closed_on",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_after_opened",
                violation_error_message="La data di chiusura precede quella di apertura.",
            ),
            models.UniqueConstraint(
                fields=["person", "area"],
                condition=Q(status="open"),
                name="case_one_open_per_person_and_area",
                violation_error_message="La persona ha già una cartella aperta in quest'area.",
            ),
        ]

    def __str__(self) -> str:
        return f"Cartella {self.reference} – {self.person}"

    @property
    def reference(self) -> str:
        """The number people quote on the phone and in letters: year of opening / id."""
        return f"{self.opened_on.year}/{self.pk:06d}"

    @property
    def owner(self) -> Comune | ServiceUnit | None:
        return self.owner_comune or self.owner_unit

    @property
    def is_reserved(self) -> bool:
        return bool(self.reserved)


class CaseEvent(EventBase):
    """Append-only case history: every action on a case writes one (the timeline)."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Apertura della cartella"
        CLOSED = "closed", "Chiusura della cartella"
        MANAGER_CHANGED = "manager_changed", "Cambio dell'operatore responsabile"
        MEMBER_ADDED = "member_added", "Ingresso nell'équipe"
        MEMBER_REMOVED = "member_removed", "Uscita dall'équipe"
        SHARED = "shared", "Condivisione"
        SHARE_ENDED = "share_ended", "Fine della condivisione"
        RESERVED_CHANGED = "reserved_changed", "Cambio della riservatezza"
        BREAK_GLASS = "break_glass", "Accesso straordinario"
        ACCESS_LINKED = "access_linked", "Collegamento di una segnalazione"
        DIARY_ADDED = "diary_added", "Voce di diario"
        DOCUMENT_ADDED = "document_added", "Documento"
        COURT_ORDER_ADDED = "court_order_added", "Provvedimento dell'Autorità giudiziaria"
        COURT_REPORT_DUE = "court_report_due", "Relazione dovuta all'Autorità giudiziaria"
        COURT_REPORT_SENT = "court_report_sent", "Relazione inviata all'Autorità giudiziaria"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("tipo", max_length=30, choices=Kind.choices)

    class Meta(EventBase.Meta):
        verbose_name = "evento della cartella"
        verbose_name_plural = "eventi della cartella"


class CaseMemberQuerySet(models.QuerySet["CaseMember"]):
    def active(self) -> "CaseMemberQuerySet":
        """Members still in the équipe: removing a member sets `until`."""
        return self.filter(until__isnull=True)


class CaseMember(models.Model):
    """A professional of the case's équipe besides the case manager (psychologist, educator,
    health-trust staff…). Reserved cases are visible to their members."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="case_memberships"
    )
    since = models.DateField("dal")
    until = models.DateField("al", null=True, blank=True)

    objects = CaseMemberQuerySet.as_manager()

    class Meta:
        verbose_name = "componente dell'équipe"
        verbose_name_plural = "équipe della cartella"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "operator"],
                condition=Q(until__isnull=True),
                name="case_member_once_while_active",
                violation_error_message="L'operatore fa già parte dell'équipe.",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="case_member_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operator} – {self.case}"


class CaseShareQuerySet(models.QuerySet["CaseShare"]):
    def active(self, at: datetime | None = None) -> "CaseShareQuerySet":
        """Shares in force at `at` (now by default): begun and not yet ended."""
        at = at or timezone.now()
        return self.filter(Q(until__isnull=True) | Q(until__gt=at), since__lte=at)


class CaseShare(models.Model):
    """The case shared with another Comune or service unit (a family that moves, a household
    housed in another Comune) until the share ends."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    comune = models.ForeignKey(
        Comune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Comune",
    )
    unit = models.ForeignKey(
        ServiceUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="servizio",
    )
    reason = models.CharField("motivo", max_length=300)
    since = models.DateTimeField("dal")
    until = models.DateTimeField("al", null=True, blank=True)

    objects = CaseShareQuerySet.as_manager()

    class Meta:
        verbose_name = "condivisione"
        verbose_name_plural = "condivisioni"
        constraints = [
            models.CheckConstraint(
                condition=(Q(comune__isnull=False) & Q(unit__isnull=True))
                | (Q(comune__isnull=True) & Q(unit__isnull=False)),
                name="case_share_one_target",
                violation_error_message="Si condivide con un Comune oppure con un servizio.",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="case_share_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.target}"

    @property
    def target(self) -> Comune | ServiceUnit | None:
        return self.comune or self.unit


class BreakGlassQuerySet(models.QuerySet["BreakGlass"]):
    def active(self, at: datetime | None = None) -> "BreakGlassQuerySet":
        """Emergency accesses in force at `at` (now by default)."""
        at = at or timezone.now()
        return self.filter(at__lte=at, expires_at__gt=at)


class BreakGlass(models.Model):
    """Emergency access to a reserved case by an operator of its unit outside its team:
    a written reason, a limited time, logged and notified to the coordinator."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="break_glasses")
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="break_glasses")
    reason = models.CharField("motivo", max_length=500)
    at = models.DateTimeField("dal")
    expires_at = models.DateTimeField("fino al")

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        verbose_name = "accesso straordinario"
        verbose_name_plural = "accessi straordinari"
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("at")), name="break_glass_expires_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operator} → {self.case} ({self.at:%Y-%m-%d %H:%M})"


class CaseStatistic(models.Model):
    """The pseudonymised copy of a case kept for statistics when the case is archived:
    no name, no codice fiscale, a keyed pseudonym that cannot be reversed without the key."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="+")
    case_id_hash = models.CharField("pseudonimo della cartella", max_length=64, unique=True)
    person_pseudonym = models.CharField("pseudonimo della persona", max_length=64, db_index=True)
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, null=True, related_name="+")
    area = models.CharField("area", max_length=20, choices=Area.choices)
    birth_year = models.PositiveSmallIntegerField("anno di nascita")
    sex = models.CharField("sesso", max_length=1)
    opened_on = models.DateField("aperta il")
    closed_on = models.DateField("chiusa il", null=True, blank=True)
    closure_reason = models.CharField("motivo della chiusura", max_length=300, blank=True)
    archived_at = models.DateTimeField("archiviata il")

    class Meta:
        verbose_name = "dato statistico pseudonimizzato"
        verbose_name_plural = "dati statistici pseudonimizzati"

    def __str__(self) -> str:
        return f"{self.person_pseudonym[:8]} {self.area} {self.opened_on}"


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


class CourtOrder(models.Model):
    """An order of the judicial authority about the case (provvedimento dell'Autorità
    giudiziaria): a decree of the Tribunale per i minorenni, of the giudice tutelare (foster
    care made executive, amministrazione di sostegno)… Special-category data (GDPR art. 10):
    read only by those who see the case.

    Authority and kind carry the codes of the SINBA lists AutoritaProvvedimento and
    TipoProvvedimentoGiudiziario. The kind may be empty: SINBA marks it optional and its list
    is for minors, while orders about adults (amministrazione di sostegno) exist in every area.
    """

    class Authority(models.TextChoices):
        """SINBA AutoritaProvvedimento."""

        GUARDIANSHIP_JUDGE = "1", "Giudice tutelare"
        JUVENILE_COURT = "2", "Tribunale per i minorenni"
        JUVENILE_PROSECUTOR = "3", "Procura per i minorenni"
        ORDINARY_COURT = "4", "Tribunale ordinario"

    class Kind(models.TextChoices):
        """SINBA TipoProvvedimentoGiudiziario (code 8 merges two kinds, as the XSD does)."""

        ADOPTABILITY = "1", "Adottabilità"
        NATIONAL_ADOPTION = "2", "Adozione nazionale"
        INTERNATIONAL_ADOPTION = "3", "Adozione internazionale"
        FOSTER_CARE = "4", "Affidamento familiare"
        CUSTODY_TO_SERVICES = "5", "Affido al servizio sociale"
        CUSTODY_TO_ONE_PARENT = "6", "Affidamento a uno dei genitori (separazione)"
        SUPERVISION = "7", "Vigilanza"
        EMERGENCY_REMOVAL = "8", "Allontanamento d'emergenza (art. 403 c.c.) / post-adozione"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="court_orders")
    authority = models.CharField("autorità", max_length=1, choices=Authority.choices)
    kind = models.CharField(
        "tipo di provvedimento",
        max_length=1,
        choices=Kind.choices,
        blank=True,
        help_text="Vuoto per i provvedimenti fuori dall'elenco SINBA (es. amministrazione di "
        "sostegno).",
    )
    issued_on = models.DateField("data del provvedimento")
    reference = models.CharField("numero (R.G., decreto n.)", max_length=100, blank=True)
    summary = models.TextField("sintesi del contenuto")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="registrato da",
    )
    created_at = models.DateTimeField("registrato il", default=timezone.now)

    class Meta:
        verbose_name = "provvedimento dell'Autorità giudiziaria"
        verbose_name_plural = "provvedimenti dell'Autorità giudiziaria"
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(authority__in=["1", "2", "3", "4"]), name="court_order_authority"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["", "1", "2", "3", "4", "5", "6", "7", "8"]),
                name="court_order_kind",
            ),
            models.CheckConstraint(condition=~Q(summary=""), name="court_order_summary"),
        ]

    def __str__(self) -> str:
        return f"{self.get_authority_display()} {self.issued_on:%d/%m/%Y}"

    @property
    def of_authority(self) -> str:
        """The authority with its article: "del Tribunale…", "della Procura…"."""
        article = "della" if self.authority == self.Authority.JUVENILE_PROSECUTOR else "del"
        return f"{article} {self.get_authority_display()}"


class CourtReportQuerySet(models.QuerySet["CourtReport"]):
    def pending(self) -> "CourtReportQuerySet":
        """Reports not yet sent to the court."""
        return self.filter(sent_on__isnull=True)


class CourtReport(models.Model):
    """A report the services owe the court under an order (relazione all'Autorità
    giudiziaria), due on a date: an overdue one is an alarm on the deadlines page.

    That it is due and sent on or after the order's date is checked by the actions: a CHECK
    constraint cannot read the order's row."""

    court_order = models.ForeignKey(CourtOrder, on_delete=models.CASCADE, related_name="reports")
    due_on = models.DateField("da inviare entro il")
    description = models.CharField("relazione dovuta", max_length=300)
    sent_on = models.DateField("inviata il", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="inviata da",
    )

    objects = CourtReportQuerySet.as_manager()

    class Meta:
        verbose_name = "relazione all'Autorità giudiziaria"
        verbose_name_plural = "relazioni all'Autorità giudiziaria"
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(sent_on__isnull=True), name="court_report_due_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_on__isnull=True, sent_by__isnull=True)
                | Q(sent_on__isnull=False, sent_by__isnull=False),
                name="court_report_sent_by_whom",
            ),
            models.CheckConstraint(condition=~Q(description=""), name="court_report_description"),
        ]

    def __str__(self) -> str:
        return f"{self.description} (entro il {self.due_on:%d/%m/%Y})"

    @property
    def is_sent(self) -> bool:
        return self.sent_on is not None


class AccessQuerySet(models.QuerySet["Access"]):
    def pending(self) -> "AccessQuerySet":
        return self.filter(outcome=Access.Outcome.PENDING)


class Access(models.Model):
    """A first contact or referral (accesso / segnalazione, phase A): who turned to the services
    and through which channel, the request, the desk that received it and how it ended:
    information only, referral to another service, a case opened or linked to the open one."""

    class Channel(models.TextChoices):
        DESK = "sportello", "Sportello"
        PUA = "pua", "PUA (Punto Unico di Accesso)"
        PHONE = "telefono", "Telefono"
        EMAIL = "email_pec", "Email o PEC"
        WRITTEN = "segnalazione_scritta", "Segnalazione scritta"
        HOME_VISIT = "visita_domiciliare", "Visita domiciliare"
        OTHER = "altro", "Altro"

    class Source(models.TextChoices):
        """Who reported: the SINBA FonteSegnalazione list, its official codes as values."""

        JUVENILE_JUSTICE = "1", "Servizio sociale minori della giustizia minorile"
        OTHER_SOCIAL_SERVICE = (
            "2",
            "Altro servizio sociale (consultori, centri famiglia, altro ambito)",
        )
        HEALTH = "3", "Servizi sanitari, medico di base, pediatra"
        THIRD_SECTOR = "4", "Privato sociale, volontariato"
        POLICE = "5", "Forze dell'ordine"
        SELF = "6", "Beneficiario stesso"
        FOSTER_OR_GUARDIAN = "7", "Genitori affidatari, tutore"
        FAMILY = "8", "Genitori, fratelli, altri familiari conviventi"
        RELATIVES = "9", "Parenti non conviventi"
        CIVIL_COURT = "10", "Tribunale ordinario"
        JUVENILE_COURT = "11", "Autorità giudiziarie minorili"
        PROFESSIONAL = "12", "Professionista privato"
        SCHOOL = "13", "Scuola"
        NEIGHBOURS = "14", "Vicinato o conoscenti"

    class Outcome(models.TextChoices):
        PENDING = "in_corso", "In corso"
        INFORMATION = "informazione", "Solo informazione"
        REFERRAL = "invio", "Invio ad altro servizio"
        CASE_OPENED = "cartella", "Apertura della cartella"
        CASE_LINKED = "collegata", "Collegata alla cartella già aperta"

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="accesses")
    date = models.DateField("data")
    channel = models.CharField("canale", max_length=30, choices=Channel.choices)
    source = models.CharField("fonte della segnalazione", max_length=2, choices=Source.choices)
    referrer_name = models.CharField("chi segnala", max_length=200, blank=True)
    referrer_contact = models.CharField("recapito di chi segnala", max_length=200, blank=True)
    # Empty for an anonymous first contact; a case is opened only for a known person.
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accesses",
        verbose_name="persona",
    )
    request = models.TextField("domanda espressa")
    area = models.CharField("area", max_length=20, choices=Area.choices)
    operator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        related_name="received_accesses",
        verbose_name="ricevuta da",
    )
    owner_comune = models.ForeignKey(
        Comune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accesses",
        verbose_name="Comune che la riceve",
    )
    owner_unit = models.ForeignKey(
        ServiceUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accesses",
        verbose_name="servizio che la riceve",
    )
    privacy_notice_given = models.BooleanField("informativa privacy consegnata", default=False)
    outcome = models.CharField(
        "esito", max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    referred_to = models.CharField("inviata a", max_length=300, blank=True)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accesses",
        verbose_name="cartella",
    )
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="esito registrato da",
    )
    outcome_at = models.DateTimeField("esito registrato il", null=True, blank=True)
    created_at = models.DateTimeField("registrata il", default=timezone.now)

    objects = AccessQuerySet.as_manager()

    class Meta:
        verbose_name = "accesso / segnalazione"
        verbose_name_plural = "accessi e segnalazioni"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["ambito", "outcome", "-date"], name="access_scope_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_comune__isnull=False) & Q(owner_unit__isnull=True))
                | (Q(owner_comune__isnull=True) & Q(owner_unit__isnull=False)),
                name="access_one_owner",
                violation_error_message="La segnalazione è ricevuta da un Comune oppure da un "
                "servizio.",
            ),
            models.CheckConstraint(
                condition=(Q(outcome__in=["cartella", "collegata"]) & Q(case__isnull=False))
                | (~Q(outcome__in=["cartella", "collegata"]) & Q(case__isnull=True)),
                name="access_case_iff_case_outcome",
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=True) | Q(person__isnull=False),
                name="access_case_needs_person",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="invio") | ~Q(referred_to=""),
                name="access_referral_has_destination",
                violation_error_message="Indicare il servizio a cui la persona è inviata.",
            ),
            models.CheckConstraint(condition=~Q(request=""), name="access_request_not_empty"),
            models.CheckConstraint(
                condition=Q(outcome="in_corso", outcome_at__isnull=True)
                | (~Q(outcome="in_corso") & Q(outcome_at__isnull=False)),
                name="access_outcome_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"Segnalazione {self.reference} del {self.date:%d/%m/%Y}"

    @property
    def reference(self) -> str:
        """As a case's: year of the contact / id."""
        return f"{self.date.year}/{self.pk:06d}"

    @property
    def owner(self) -> Comune | ServiceUnit | None:
        return self.owner_comune or self.owner_unit

    @property
    def is_pending(self) -> bool:
        return self.outcome == self.Outcome.PENDING

    @property
    def opened_its_case(self) -> bool:
        """The case was opened from this access (not linked to it later)."""
        return self.outcome == self.Outcome.CASE_OPENED

    @property
    def label(self) -> str:
        """How the case history and header name it: "n. 2026/000012 del 12/03/2026 (Scuola)"."""
        return f"n. {self.reference} del {self.date:%d/%m/%Y} ({self.get_source_display()})"
