"""Child protection: placements out of the family (foster care, residential) and supervised
visits (incontri protetti). The placement fields carry the codes of the SINBA lists."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ambito.cases.models.case import Case
from ambito.cases.models.court import CourtOrder
from ambito.organizations.models import Operator


class Placement(models.Model):
    """A minor placed out of the family: foster care (affido familiare) or a residential
    structure (comunità). Foster-care fields and residential fields are exclusive."""

    class Kind(models.TextChoices):
        FOSTER = "affido", "Affido familiare"
        RESIDENTIAL = "residenziale", "Inserimento in struttura residenziale"

    class Form(models.TextChoices):
        """SINBA FormaInterventoAffido / FormaInserimentoResidenziale."""

        CONSENSUAL = "1", "Consensuale"
        JUDICIAL = "2", "Giudiziario"

    class FosterType(models.TextChoices):
        """SINBA TipoInterventoAffido."""

        KIN = "1", "Intrafamiliare (parenti)"
        NON_KIN = "2", "Eterofamiliare"

    class FosterDuration(models.TextChoices):
        """SINBA DurataAffido."""

        FULL_TIME = "1", "A tempo pieno"
        PART_TIME = "2", "A tempo parziale"

    class FosterCharacter(models.TextChoices):
        """SINBA CarattereAffido."""

        RESIDENTIAL = "1", "Residenziale"
        DAY = "2", "Diurno"

    class ResidentialType(models.TextChoices):
        """SINBA TipoInserimentoResidenziale."""

        WITH_PARENT = "1", "Con un genitore"
        WITHOUT_PARENT = "2", "Senza genitore"

    class ResidentialCharacter(models.TextChoices):
        """SINBA CarattereInserimentoResidenziale."""

        FAMILY_HOUSING = "1", "Familiare, prevalente accoglienza abitativa"
        FAMILY_PROTECTIVE = "2", "Familiare, prevalente funzione tutelare"
        FAMILY_EDUCATIONAL = "3", "Familiare, socio-educativa"
        EMERGENCY = "4", "Comunitario, accoglienza di emergenza"
        COMMUNITY_HOUSING = "5", "Comunitario, prevalente accoglienza abitativa"
        COMMUNITY_PROTECTIVE = "6", "Comunitario, prevalente funzione tutelare"
        COMMUNITY_EDUCATIONAL = "7", "Comunitario, socio-educativa"
        EDUCATIONAL_PSYCHOLOGICAL = "8", "Comunitario, educativa e psicologica"
        HEALTH_LOW = "9", "Comunitario, integrazione socio-sanitaria bassa"
        HEALTH_HIGH = "10", "Comunitario, integrazione socio-sanitaria medio-alta"

    class Outcome(models.TextChoices):
        """SINBA EsitoAffido / EsitoInserimentoStruttura, merged: the codes mean the same
        except 2 and 4, whose wording the label gives for both."""

        HOME = "1", "Rientro nella famiglia d'origine"
        OTHER_FAMILY = "2", "Altro nucleo o famiglia affidataria"
        ADOPTED = "3", "Adottato"
        OTHER_STRUCTURE = "4", "Struttura socio-educativa o altra struttura"
        HEALTH_STRUCTURE = "5", "Struttura sanitaria"
        INDEPENDENT = "6", "Autonomia"
        REPATRIATED = "7", "Rimpatriato"
        UNKNOWN = "8", "Ignoto"
        OTHER = "9", "Altro"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="placements")
    kind = models.CharField("tipo", max_length=20, choices=Kind.choices)
    form = models.CharField("forma", max_length=1, choices=Form.choices)
    court_order = models.ForeignKey(
        CourtOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name="provvedimento",
    )
    placed_with = models.CharField("presso (famiglia affidataria o struttura)", max_length=300)
    foster_type = models.CharField(
        "tipo di affido", max_length=1, choices=FosterType.choices, blank=True
    )
    foster_duration = models.CharField(
        "durata dell'affido", max_length=1, choices=FosterDuration.choices, blank=True
    )
    foster_character = models.CharField(
        "carattere dell'affido", max_length=1, choices=FosterCharacter.choices, blank=True
    )
    residential_type = models.CharField(
        "tipo di inserimento", max_length=1, choices=ResidentialType.choices, blank=True
    )
    residential_character = models.CharField(
        "carattere dell'inserimento",
        max_length=2,
        choices=ResidentialCharacter.choices,
        blank=True,
    )
    starts_on = models.DateField("dal")
    expected_end_on = models.DateField("durata prevista fino al", null=True, blank=True)
    ends_on = models.DateField("concluso il", null=True, blank=True)
    outcome = models.CharField("esito", max_length=1, choices=Outcome.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("registrato il", default=timezone.now)

    class Meta:
        verbose_name = "collocamento"
        verbose_name_plural = "collocamenti"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="affido")
                    & ~Q(foster_type="")
                    & ~Q(foster_duration="")
                    & ~Q(foster_character="")
                    & Q(residential_type="", residential_character="")
                )
                | (
                    Q(kind="residenziale")
                    & ~Q(residential_type="")
                    & ~Q(residential_character="")
                    & Q(foster_type="", foster_duration="", foster_character="")
                ),
                name="placement_fields_of_its_kind",
                violation_error_message="I dati del collocamento non corrispondono al suo tipo.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True, outcome="")
                | (Q(ends_on__isnull=False) & ~Q(outcome="")),
                name="placement_ended_with_outcome",
                violation_error_message="Un collocamento concluso ha un esito, e viceversa.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="placement_ends_after_start",
                violation_error_message="La fine del collocamento precede il suo inizio.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} presso {self.placed_with} dal {self.starts_on:%d/%m/%Y}"

    @property
    def is_current(self) -> bool:
        return self.ends_on is None


class SupervisedVisit(models.Model):
    """A supervised visit (incontro protetto) between the child and a parent or relative,
    scheduled and then recorded as held or not, with who attended."""

    class Status(models.TextChoices):
        SCHEDULED = "programmato", "Programmato"
        HELD = "svolto", "Svolto"
        ABSENT = "assente", "Non svolto: familiare assente"
        CANCELLED = "annullato", "Annullato dal servizio"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="visits")
    scheduled_at = models.DateTimeField("data e ora")
    place = models.CharField("luogo", max_length=200)
    visitor = models.CharField("con (genitore, parente)", max_length=200)
    facilitator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        related_name="supervised_visits",
        verbose_name="operatore che conduce l'incontro",
    )
    status = models.CharField(
        "stato", max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    attended_by = models.CharField("presenti", max_length=300, blank=True)
    notes = models.TextField("osservazioni", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("programmato il", default=timezone.now)

    class Meta:
        verbose_name = "incontro protetto"
        verbose_name_plural = "incontri protetti"
        ordering = ["-scheduled_at", "-pk"]
        indexes = [models.Index(fields=["case", "-scheduled_at"], name="visit_case_idx")]

    def __str__(self) -> str:
        return f"Incontro protetto del {self.scheduled_at:%d/%m/%Y %H:%M} con {self.visitor}"
