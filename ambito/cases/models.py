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
