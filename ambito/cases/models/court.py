"""Court orders and the reports they ask for."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ambito.cases.models.case import Case


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
