"""The catalogue of interventions and services, and the interventions of a case's plan.

This is the minimal catalogue the case process needs (issue #3): the services issue (#5) adds
providers, tariffs, unit costs, funding and the monthly deliveries."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ambito.cases.models import Plan
from ambito.organizations.models import Area
from ambito.territory.models import Ambito


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
    siuss_code = models.CharField(
        "codice prestazione SIUSS", max_length=10, blank=True, help_text="Tabella INPS."
    )
    area = models.CharField(
        "area", max_length=20, choices=Area.choices, blank=True, help_text="Vuoto: tutte."
    )
    unit = models.CharField("unità di misura", max_length=10, choices=Unit.choices)
    periodic = models.BooleanField(
        "periodico", default=True, help_text="Periodico (mensile) oppure occasionale."
    )
    active = models.BooleanField("in uso", default=True)

    class Meta:
        verbose_name = "intervento del catalogo"
        verbose_name_plural = "catalogo degli interventi"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "code"], name="service_code_per_ambito"),
        ]

    def __str__(self) -> str:
        return self.name


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
