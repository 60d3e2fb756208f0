"""The case, its events, its team, its shares and emergency accesses."""

from datetime import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

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


class Mandate(models.TextChoices):
    """On what a child-protection case rests (empty for the other cases)."""

    CONSENT = "consensuale", "Consenso dei genitori (prevenzione)"
    COURT = "giudiziario", "Provvedimento dell'Autorità giudiziaria (tutela)"


class ClosureReason(models.TextChoices):
    """Why a case is closed: for minors the SINBA MotivazioneChiusuraCarico codes (1-9), for
    adults an equivalent list (A1-A8)."""

    MINOR_OTHER_AMBITO = "1", "Passaggio ad altro ambito della stessa regione"
    MINOR_OTHER_REGION = "2", "Passaggio ad altra regione"
    MINOR_AGE = "3", "Raggiungimento della maggiore età"
    MINOR_NEED_RESOLVED = "4", "Conclusione per risoluzione del bisogno"
    MINOR_FAMILY_REQUEST = "5", "Uscita richiesta dal minore o dalla famiglia"
    MINOR_REPATRIATED = "6", "Rimpatrio"
    MINOR_UNTRACEABLE = "7", "Irreperibilità"
    MINOR_DEATH = "8", "Decesso"
    MINOR_OTHER = "9", "Altro"
    NEED_RESOLVED = "A1", "Obiettivi raggiunti, bisogno risolto"
    MOVED = "A2", "Trasferimento ad altro Comune o Ambito"
    OTHER_SERVICE = "A3", "Passaggio ad altro servizio (sanitario, specialistico)"
    RESIDENTIAL = "A4", "Ingresso stabile in struttura residenziale"
    WITHDRAWN = "A5", "Rinuncia o interruzione da parte della persona"
    UNTRACEABLE = "A6", "Irreperibilità"
    DEATH = "A7", "Decesso"
    OTHER = "A8", "Altro"


MINOR_CLOSURE_REASONS = [c for c in ClosureReason.values if not c.startswith("A")]
ADULT_CLOSURE_REASONS = [c for c in ClosureReason.values if c.startswith("A")]


class ClosureSituation(models.TextChoices):
    """Where the person is at closure: SINBA SituazioneChiusuraCarico for minors (1-8), an
    equivalent list for adults (A1-A5)."""

    MINOR_FAMILY = "1", "In famiglia d'origine"
    MINOR_INDEPENDENT = "2", "In autonomia"
    MINOR_FOSTER_ADULT = "3", "Resta in famiglia affidataria da maggiorenne"
    MINOR_STRUCTURE_ADULT = "4", "Resta in struttura da maggiorenne"
    MINOR_HEALTH = "5", "In struttura sanitaria"
    MINOR_ADOPTED = "6", "Adottato"
    MINOR_PRISON = "7", "In istituto penale"
    MINOR_UNKNOWN = "8", "Ignota"
    INDEPENDENT = "A1", "Autonoma, senza bisogno di sostegno"
    HOME_WITH_NETWORK = "A2", "A domicilio con il sostegno della rete familiare"
    OTHER_SERVICE = "A3", "Seguita da un altro servizio"
    RESIDENTIAL = "A4", "In struttura residenziale"
    UNKNOWN = "A5", "Ignota"


class Case(models.Model):
    """The cartella sociale: a person (and their household) taken into care in one area.

    A closed case is never reopened in place: reopening opens a new episode (a new case) whose
    `previous_episode` is the closed one, so each episode keeps its own history."""

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
    closure_code = models.CharField(
        "motivo della chiusura (codice)", max_length=2, choices=ClosureReason.choices, blank=True
    )
    closure_situation = models.CharField(
        "situazione alla chiusura", max_length=2, choices=ClosureSituation.choices, blank=True
    )
    follow_up = models.CharField("dopo la chiusura (follow-up)", max_length=500, blank=True)
    previous_episode = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_episode",
        verbose_name="episodio precedente",
    )
    mandate = models.CharField("mandato", max_length=20, choices=Mandate.choices, blank=True)
    adi_pad_on = models.DateField(
        "Patto di attivazione digitale (ADI) del",
        null=True,
        blank=True,
        help_text="Il primo incontro col servizio sociale va fatto entro 120 giorni.",
    )
    adi_first_meeting_on = models.DateField("primo incontro ADI il", null=True, blank=True)
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
            models.CheckConstraint(
                condition=Q(status="open", closure_code="", closure_situation="")
                | Q(status="closed"),
                name="case_closure_code_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(adi_first_meeting_on__isnull=True) | Q(adi_pad_on__isnull=False),
                name="case_adi_meeting_after_pad",
                violation_error_message="Il primo incontro ADI segue il Patto di attivazione.",
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
        REOPENED = "reopened", "Riapertura come nuovo episodio"
        MANDATE_CHANGED = "mandate_changed", "Mandato"
        ADI_UPDATED = "adi_updated", "Percorso ADI"
        ASSESSMENT_ADDED = "assessment_added", "Valutazione"
        PLAN_ADDED = "plan_added", "Progetto"
        PLAN_CHANGED = "plan_changed", "Modifica del progetto"
        PLAN_AGREED = "plan_agreed", "Sottoscrizione del progetto"
        PLAN_ENDED = "plan_ended", "Conclusione del progetto"
        REVIEW_ADDED = "review_added", "Verifica del progetto"
        INTERVENTION_ADDED = "intervention_added", "Intervento previsto"
        INTERVENTION_CHANGED = "intervention_changed", "Stato di un intervento"
        PLACEMENT_ADDED = "placement_added", "Collocamento"
        PLACEMENT_ENDED = "placement_ended", "Fine del collocamento"
        VISIT_SCHEDULED = "visit_scheduled", "Incontro protetto programmato"
        VISIT_RECORDED = "visit_recorded", "Esito dell'incontro protetto"

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
