"""The catalogue of interventions and services, the providers' units of offer and their
tariffs, the interventions of a case's plan, and the units delivered each month.

A provider is an `organizations.Ente` of kind "provider" (ente gestore, cooperativa); its
operators (role provider) see and enter only the deliveries of the interventions assigned to it.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ambito.cases.models import Plan
from ambito.organizations.models import Area, Ente
from ambito.territory.models import Ambito, Comune


class BenefitCodeQuerySet(models.QuerySet["BenefitCode"]):
    def valid_on(self, day: date) -> "BenefitCodeQuerySet":
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class BenefitCode(models.Model):
    """A code of the INPS "Tabella prestazioni" (A1.04, A2.07…), which the SIUSS flows, the SINA
    and SINBA sections and the ISEE consultation name benefits by. Reference data shipped in
    `reference_data/benefit_codes.json` and loaded by migration (catalogue.sync_benefit_codes):
    INPS adds and retires codes, so each has its validity dates and none is ever deleted."""

    code = models.CharField("codice", max_length=10, unique=True)
    name = models.CharField("denominazione", max_length=200)
    valid_from = models.DateField("in vigore dal")
    valid_to = models.DateField("in vigore fino al", null=True, blank=True)
    sina = models.BooleanField(
        "con sezione SINA", default=False, help_text="La prestazione può avere la sezione SINA."
    )

    objects = BenefitCodeQuerySet.as_manager()

    class Meta:
        verbose_name = "codice prestazione SIUSS"
        verbose_name_plural = "codici prestazione SIUSS (Tabella prestazioni INPS)"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="benefit_code_dates",
                violation_error_message="La fine della validità precede l'inizio.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def check_benefit_code(code: str, day: date | None = None) -> BenefitCode:
    """The BenefitCode `code` names, in force on `day` (today by default); ValidationError on
    `siuss_code` when the table lacks it or it is not in force, so that no service is sent to
    INPS with a code the SIUSS would reject."""
    day = day or timezone.localdate()
    found = BenefitCode.objects.filter(code=code).first()
    if found is None:
        message = f"Codice prestazione «{code}» non presente nella Tabella prestazioni INPS."
        raise ValidationError({"siuss_code": message})
    if day < found.valid_from:
        message = f"Il codice prestazione «{code}» è in vigore dal {found.valid_from:%d/%m/%Y}."
        raise ValidationError({"siuss_code": message})
    if found.valid_to is not None and day > found.valid_to:
        message = (
            f"Il codice prestazione «{code}» non è più in vigore dal "
            f"{found.valid_to:%d/%m/%Y}: sceglierne uno della Tabella prestazioni in vigore."
        )
        raise ValidationError({"siuss_code": message})
    return found


class SiossArea(models.TextChoices):
    """The SIOSS macro-activities (DM 103/2019 Allegato 2) a service is counted under in the
    Ambito's survey of its offer; the sub-codes (A1…E8) are still to verify, so only these."""

    ACCESS = "A", "A – Accesso, valutazione e progettazione"
    INCLUSION = "B", "B – Misure per il sostegno e l'inclusione sociale"
    HOME = "C", "C – Interventi per la domiciliarità"
    DAY_CENTRES = "D", "D – Centri servizi, diurni e semiresidenziali"
    RESIDENTIAL = "E", "E – Strutture comunitarie e residenziali"


class Service(models.Model):
    """An intervention or service of the Ambito's catalogue (SAD, ADM, affido, TIS…)."""

    class Unit(models.TextChoices):
        HOUR = "ora", "Ore"
        ACCESS = "accesso", "Accessi"
        DAY = "giorno", "Giorni"
        MONTH = "mese", "Mesi"
        AMOUNT = "euro", "Euro (contributo)"

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="services")
    code = models.SlugField("codice", max_length=40)
    name = models.CharField("nome", max_length=200)
    # A code of BenefitCode, kept as text (the plans' forms and API show it as such) and
    # checked against the table by clean() and check_benefit_code.
    siuss_code = models.CharField(
        "codice prestazione SIUSS",
        max_length=10,
        blank=True,
        help_text="Codice della Tabella prestazioni INPS in vigore (es. A2.07).",
    )
    sioss_area = models.CharField(
        "macro-attività SIOSS", max_length=1, choices=SiossArea.choices, blank=True
    )
    area = models.CharField(
        "area", max_length=20, choices=Area.choices, blank=True, help_text="Vuoto: tutte."
    )
    unit = models.CharField("unità di misura", max_length=10, choices=Unit.choices)
    periodic = models.BooleanField(
        "periodico", default=True, help_text="Periodico (mensile) oppure occasionale."
    )
    standard_cost = models.DecimalField(
        "costo standard per unità (€)",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Costo di riferimento per unità, per la programmazione e le stime.",
    )
    active = models.BooleanField("in uso", default=True)

    class Meta:
        verbose_name = "intervento del catalogo"
        verbose_name_plural = "catalogo degli interventi"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "code"], name="service_code_per_ambito"),
            models.CheckConstraint(
                condition=Q(standard_cost__isnull=True) | Q(standard_cost__gte=0),
                name="service_standard_cost_not_negative",
                violation_error_message="Il costo standard non può essere negativo.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.siuss_code = self.siuss_code.strip().upper()
        if self.siuss_code:
            check_benefit_code(self.siuss_code)


class UnitOfOffer(models.Model):
    """A unit of offer of a provider (unità d'offerta): a Lombardy UdOS (comunità educativa,
    CSE, centro diurno…, which need a CPE) or an accredited home or school service (SAD, ADM,
    ASE, which are not UdOS: no CPE, an accreditation by the Ambito)."""

    class Typology(models.TextChoices):
        HOME_SERVICE = "servizio_domiciliare", "Servizio domiciliare o scolastico accreditato"
        EDUCATIONAL_COMMUNITY = "comunita_educativa", "Comunità educativa"
        FAMILY_COMMUNITY = "comunita_familiare", "Comunità familiare"
        PARENT_CHILD_COMMUNITY = "comunita_genitore_figli", "Comunità educativa genitore-figli"
        AUTONOMY_FLAT = "alloggio_autonomia", "Alloggio per l'autonomia"
        DAY_EDUCATIONAL = "centro_educativo_diurno", "Servizio / centro educativo diurno"
        CAG = "cag", "Centro di aggregazione giovanile"
        CSE = "cse", "Centro socio educativo (CSE)"
        SFA = "sfa", "Servizio formazione all'autonomia (SFA)"
        CAD = "cad", "Comunità alloggio disabili (CAD)"
        ELDERLY_DAY = "centro_diurno_anziani", "Centro diurno anziani"
        APA = "apa", "Alloggio protetto per anziani (APA)"
        CASA = "casa", "Comunità alloggio sociale anziani (C.A.S.A.)"
        NURSERY = "asilo_nido", "Asilo nido"
        OTHER = "altro", "Altro"

    class Accreditation(models.TextChoices):
        NONE = "non_accreditata", "Non accreditata"
        PENDING = "in_corso", "Accreditamento in corso"
        ACCREDITED = "accreditata", "Accreditata"
        SUSPENDED = "sospesa", "Accreditamento sospeso"
        REVOKED = "revocata", "Accreditamento revocato"

    ente = models.ForeignKey(
        Ente, on_delete=models.PROTECT, related_name="units_of_offer", verbose_name="ente gestore"
    )
    name = models.CharField("denominazione", max_length=200)
    typology = models.CharField("tipologia", max_length=30, choices=Typology.choices)
    address = models.CharField("indirizzo", max_length=200, blank=True)
    comune = models.ForeignKey(
        Comune, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    capacity = models.PositiveIntegerField("posti (capacità)", null=True, blank=True)
    cpe_on = models.DateField("CPE presentata il", null=True, blank=True)
    accreditation = models.CharField(
        "accreditamento", max_length=20, choices=Accreditation.choices, default=Accreditation.NONE
    )
    accredited_from = models.DateField("accreditata dal", null=True, blank=True)
    accredited_to = models.DateField("accreditata fino al", null=True, blank=True)
    contract = models.CharField("contratto / convenzione", max_length=200, blank=True)
    contract_from = models.DateField("contratto dal", null=True, blank=True)
    contract_to = models.DateField("contratto fino al", null=True, blank=True)

    class Meta:
        verbose_name = "unità d'offerta"
        verbose_name_plural = "unità d'offerta"
        ordering = ["ente", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ente", "name"], name="unit_of_offer_name"),
            models.CheckConstraint(
                condition=Q(accredited_to__isnull=True)
                | Q(accredited_from__isnull=True)
                | Q(accredited_to__gte=F("accredited_from")),
                name="unit_of_offer_accreditation_dates",
                violation_error_message="La fine dell'accreditamento precede l'inizio.",
            ),
            models.CheckConstraint(
                condition=Q(contract_to__isnull=True)
                | Q(contract_from__isnull=True)
                | Q(contract_to__gte=F("contract_from")),
                name="unit_of_offer_contract_dates",
                violation_error_message="La fine del contratto precede l'inizio.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ente})"


class Tariff(models.Model):
    """What the Ambito pays a unit of offer per unit of a service, from a date."""

    unit_of_offer = models.ForeignKey(UnitOfOffer, on_delete=models.PROTECT, related_name="tariffs")
    service = models.ForeignKey("Service", on_delete=models.PROTECT, related_name="tariffs")
    amount = models.DecimalField("tariffa per unità (€)", max_digits=9, decimal_places=2)
    valid_from = models.DateField("dal")
    valid_to = models.DateField("fino al", null=True, blank=True)

    class Meta:
        verbose_name = "tariffa"
        verbose_name_plural = "tariffe"
        ordering = ["unit_of_offer", "service", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_of_offer", "service", "valid_from"], name="tariff_one_a_day"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="tariff_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="tariff_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: € {self.amount} dal {self.valid_from:%d/%m/%Y}"


class FundingSource(models.TextChoices):
    """Who pays the public share of an intervention (the Piano di Zona's budget lines)."""

    COMUNE = "comune", "Comune di residenza"
    FNPS = "fnps", "Fondo nazionale politiche sociali (FNPS)"
    POVERTY = "fondo_poverta", "Fondo povertà"
    FNA = "fna", "Fondo non autosufficienza (FNA)"
    PNRR = "pnrr", "PNRR"
    REGION = "regione", "Fondi regionali"
    AMBITO = "ambito", "Fondo di solidarietà dell'Ambito"
    OTHER = "altro", "Altro"


class Intervention(models.Model):
    """A support of a plan (sostegno): a catalogue service with its planned quantity, which
    then starts, may be suspended, and ends. Interventions exist only inside a plan."""

    class Status(models.TextChoices):
        PLANNED = "previsto", "Previsto"
        ACTIVE = "in_corso", "In corso"
        SUSPENDED = "sospeso", "Sospeso"
        ENDED = "concluso", "Concluso"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="interventions")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="interventions", verbose_name="intervento"
    )
    planned_quantity = models.DecimalField(
        "quantità prevista al mese", max_digits=9, decimal_places=2, null=True, blank=True
    )
    notes = models.CharField("note", max_length=500, blank=True)
    provider = models.ForeignKey(
        Ente,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interventions",
        verbose_name="ente gestore",
        limit_choices_to={"kind": "provider"},
    )
    unit_of_offer = models.ForeignKey(
        UnitOfOffer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interventions",
        verbose_name="unità d'offerta",
    )
    unit_cost = models.DecimalField(
        "costo per unità (€)", max_digits=9, decimal_places=2, null=True, blank=True
    )
    funding_source = models.CharField(
        "fonte di finanziamento", max_length=20, choices=FundingSource.choices, blank=True
    )
    status = models.CharField(
        "stato", max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    starts_on = models.DateField("iniziato il", null=True, blank=True)
    ends_on = models.DateField("concluso il", null=True, blank=True)
    end_reason = models.CharField("motivo della conclusione", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("previsto il", default=timezone.now)

    class Meta:
        verbose_name = "intervento"
        verbose_name_plural = "interventi"
        ordering = ["plan", "pk"]
        indexes = [models.Index(fields=["status", "service"], name="intervention_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_quantity__isnull=True) | Q(planned_quantity__gt=0),
                name="intervention_quantity_positive",
                violation_error_message="La quantità prevista deve essere maggiore di zero.",
            ),
            models.CheckConstraint(
                condition=Q(status="previsto", starts_on__isnull=True, ends_on__isnull=True)
                | Q(
                    status__in=["in_corso", "sospeso"],
                    starts_on__isnull=False,
                    ends_on__isnull=True,
                )
                | Q(status="concluso", ends_on__isnull=False),
                name="intervention_dates_match_status",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="intervention_ends_after_start",
                violation_error_message="La fine dell'intervento precede il suo inizio.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.get_status_display()})"


class DeliveryUpload(models.Model):
    """A file of deliveries a provider uploaded, with what came of each row. The same file
    (same SHA-256) uploaded again changes nothing."""

    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, related_name="delivery_uploads")
    filename = models.CharField("file", max_length=255)
    sha256 = models.CharField(max_length=64)
    rows_total = models.PositiveIntegerField("righe", default=0)
    rows_saved = models.PositiveIntegerField("righe salvate", default=0)
    rows_unchanged = models.PositiveIntegerField("righe già presenti", default=0)
    rows_rejected = models.PositiveIntegerField("righe scartate", default=0)
    rejected = models.JSONField("righe scartate e motivi", default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("caricato il", default=timezone.now)

    class Meta:
        verbose_name = "caricamento di prestazioni"
        verbose_name_plural = "caricamenti di prestazioni"
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["ente", "sha256"], name="delivery_upload_sha_idx")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.uploaded_at:%d/%m/%Y %H:%M})"


class Delivery(models.Model):
    """The units of an intervention delivered in a month (first day of the month in `month`).
    One row per intervention and month: a later entry for the same month replaces it until the
    month is approved (MonthApproval); after that it changes only by an adjustment."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="deliveries"
    )
    month = models.DateField("mese")
    units = models.DecimalField("unità erogate", max_digits=9, decimal_places=2)
    upload = models.ForeignKey(
        DeliveryUpload,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name="dal caricamento",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("registrata il", default=timezone.now)

    class Meta:
        verbose_name = "prestazione mensile"
        verbose_name_plural = "prestazioni mensili"
        ordering = ["-month", "intervention"]
        constraints = [
            models.UniqueConstraint(fields=["intervention", "month"], name="delivery_one_a_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="delivery_month_first_day"),
            models.CheckConstraint(condition=Q(units__gte=0), name="delivery_units_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.intervention}: {self.units} nel {self.month:%m/%Y}"


class MonthApproval(models.Model):
    """A provider's month approved by the Ambito's coordinator: its deliveries are final and go
    to the monthly co-payment run."""

    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, related_name="approved_months")
    month = models.DateField("mese")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("approvato il", default=timezone.now)

    class Meta:
        verbose_name = "mese approvato"
        verbose_name_plural = "mesi approvati"
        ordering = ["-month", "ente"]
        constraints = [
            models.UniqueConstraint(fields=["ente", "month"], name="month_approved_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="approval_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.ente} {self.month:%m/%Y}"
