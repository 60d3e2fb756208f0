"""Accesses: first contacts and referrals (phase A)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ambito.cases.models.case import Case
from ambito.organizations.models import Area, Operator, ServiceUnit
from ambito.people.models import Person
from ambito.territory.models import Ambito, Comune


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
