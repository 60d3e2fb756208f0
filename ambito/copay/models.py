"""ISEE declarations and the Regolamento ISEE: versions, per-service schemes, bands, surcharges.

A scheme is a piecewise-linear function of ISEE (ordered, contiguous bands from € 0; equal
tariffs make a flat band), read either as euros per unit or as a percentage of the unit cost,
plus what happens above the last band and without a valid ISEE. The arithmetic is in
`ambito.copay.engine`; the checks that need several rows (contiguity, versions that never
overlap) in `ambito.copay.actions`.
"""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ambito.interventions.models import Service
from ambito.people.models import Household, Person
from ambito.territory.models import Ambito

ZERO = Decimal("0")

# The tariff "per unit", the unit and its plural, as a sentence says them (a contribution in
# euros has no co-payment).
UNIT_WORDS: dict[str, tuple[str, str, str]] = {
    Service.Unit.HOUR: ("l'ora", "ora", "ore"),
    Service.Unit.ACCESS: ("ad accesso", "accesso", "accessi"),
    Service.Unit.DAY: ("al giorno", "giorno", "giorni"),
    Service.Unit.MONTH: ("al mese", "mese", "mesi"),
}


class IseeType(models.TextChoices):
    """The kinds of ISEE of DPCM 159/2013 a service may require."""

    ORDINARY = "ordinario", "ISEE ordinario"
    SOCIOSANITARY = "sociosanitario", "ISEE sociosanitario"
    MINORS = "minorenni", "ISEE minorenni"
    CURRENT = "corrente", "ISEE corrente"


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of that month when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_valid_until(isee_type: str, dsu_date: date) -> date:
    """A DSU is valid until 31 December of the year it was submitted; an ISEE corrente for six
    months from its submission (the day before the same day six months later)."""
    if isee_type == IseeType.CURRENT:
        return add_months(dsu_date, 6) - timedelta(days=1)
    return date(dsu_date.year, 12, 31)


class IseeDeclarationQuerySet(models.QuerySet["IseeDeclaration"]):
    def valid_on(self, day: date) -> "IseeDeclarationQuerySet":
        return self.filter(dsu_date__lte=day, valid_until__gte=day)

    def of(self, person: Person) -> "IseeDeclarationQuerySet":
        """The person's own declarations and those of their current household."""
        membership = person.current_membership()
        household = Q(household=membership.household) if membership else Q(pk__isnull=True)
        return self.filter(Q(person=person) | (Q(person__isnull=True) & household))

    def newest_first(self) -> "IseeDeclarationQuerySet":
        return self.order_by("-dsu_date", "-created_at", "-pk")


class IseeDeclaration(models.Model):
    """An ISEE attestation as the DSU states it (protocol, date, value, type). Append-only: a
    later declaration of the same type supersedes the earlier ones, which stay as history."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="isee_declarations",
        verbose_name="persona",
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="isee_declarations",
        verbose_name="nucleo familiare",
    )
    isee_type = models.CharField("tipo di ISEE", max_length=20, choices=IseeType.choices)
    protocol = models.CharField(
        "numero di protocollo DSU", max_length=40, help_text="INPS-ISEE-AAAA-XXXXXXXXX-XX"
    )
    year = models.PositiveSmallIntegerField("anno del protocollo")
    dsu_date = models.DateField("data di presentazione della DSU")
    value = models.DecimalField("valore ISEE (€)", max_digits=12, decimal_places=2)
    valid_until = models.DateField("valida fino al")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("registrata il", default=timezone.now)

    objects = IseeDeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = "dichiarazione ISEE"
        verbose_name_plural = "dichiarazioni ISEE"
        ordering = ["-dsu_date", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(household__isnull=False),
                name="isee_of_person_or_household",
                violation_error_message="Indicare la persona o il nucleo familiare.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="isee_value_not_negative",
                violation_error_message="Il valore ISEE non può essere negativo.",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("dsu_date")),
                name="isee_valid_after_dsu",
                violation_error_message="La validità termina prima della presentazione della DSU.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_isee_type_display()} {self.protocol}"

    def is_valid_on(self, day: date) -> bool:
        return self.dsu_date <= day <= self.valid_until


class RegulationQuerySet(models.QuerySet["Regulation"]):
    def in_force_on(self, day: date) -> "RegulationQuerySet":
        return self.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day), effective_from__lte=day
        )


class Regulation(models.Model):
    """A version of the Ambito's Regolamento ISEE. Versions of one Ambito never overlap: a new
    one closes the previous the day before it starts, so past months keep the rule then in
    force."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="regulations")
    title = models.CharField("titolo", max_length=300)
    adopted_by = models.CharField(
        "atto di approvazione",
        max_length=300,
        help_text="Ad esempio «Assemblea dei Sindaci, delibera n. 5 del 12/12/2024».",
    )
    effective_from = models.DateField("in vigore dal")
    effective_to = models.DateField("in vigore fino al", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("registrato il", default=timezone.now)

    objects = RegulationQuerySet.as_manager()

    class Meta:
        verbose_name = "regolamento ISEE"
        verbose_name_plural = "regolamenti ISEE"
        ordering = ["ambito", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "effective_from"],
                name="regulation_one_version_a_day",
                violation_error_message="Esiste già una versione in vigore dalla stessa data.",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="regulation_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (dal {self.effective_from:%d/%m/%Y})"

    def in_force_on(self, day: date) -> bool:
        ended = self.effective_to is not None and day > self.effective_to
        return self.effective_from <= day and not ended


class Scheme(models.Model):
    """How the regulation computes the user's share of one catalogue service."""

    class Kind(models.TextChoices):
        TARIFF = "tariffa", "Tariffa in euro per unità"
        PERCENT = "percentuale", "Percentuale del costo"

    class Above(models.TextChoices):
        TARIFF = "tariffa", "Tariffa indicata"
        FULL_COST = "costo", "Costo pieno del servizio"

    class WithoutIsee(models.TextChoices):
        MAX_TARIFF = "tariffa_massima", "Tariffa massima"
        FULL_COST = "costo", "Costo pieno del servizio"

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="schemes")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="copay_schemes", verbose_name="servizio"
    )
    isee_type = models.CharField("ISEE richiesto", max_length=20, choices=IseeType.choices)
    kind = models.CharField("tipo", max_length=20, choices=Kind.choices, default=Kind.TARIFF)
    unit_cost = models.DecimalField("costo pieno per unità (€)", max_digits=9, decimal_places=2)
    above = models.CharField(
        "oltre l'ultima fascia", max_length=20, choices=Above.choices, default=Above.FULL_COST
    )
    above_value = models.DecimalField(
        "tariffa (o percentuale) oltre l'ultima fascia",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
    )
    without_isee = models.CharField(
        "senza ISEE valido",
        max_length=20,
        choices=WithoutIsee.choices,
        default=WithoutIsee.MAX_TARIFF,
    )
    cap_at_cost = models.BooleanField("mai oltre il costo del servizio", default=True)
    exempt_when_court_ordered = models.BooleanField(
        "esente se disposto dall'Autorità giudiziaria", default=False
    )

    class Meta:
        verbose_name = "schema di compartecipazione"
        verbose_name_plural = "schemi di compartecipazione"
        ordering = ["regulation", "service__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["regulation", "service"],
                name="scheme_one_per_service",
                violation_error_message="Il regolamento ha già uno schema per questo servizio.",
            ),
            models.CheckConstraint(condition=Q(unit_cost__gt=0), name="scheme_cost_positive"),
            models.CheckConstraint(
                condition=Q(above="costo", above_value__isnull=True)
                | Q(above="tariffa", above_value__gte=0),
                name="scheme_above_value_iff_tariff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} – {self.regulation}"

    @property
    def unit(self) -> str:
        return self.service.unit

    @property
    def per_unit(self) -> str:
        """«l'ora», «al giorno»…"""
        return UNIT_WORDS[self.service.unit][0]


class Band(models.Model):
    """A band of ISEE (from `isee_from`, excluded but for the first, to `isee_to`, included):
    the tariff goes linearly from `tariff_from` to `tariff_to` (equal: a flat band)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="bands")
    position = models.PositiveSmallIntegerField("ordine")
    isee_from = models.DecimalField("ISEE da (€)", max_digits=12, decimal_places=2)
    isee_to = models.DecimalField("ISEE a (€)", max_digits=12, decimal_places=2)
    tariff_from = models.DecimalField("tariffa iniziale", max_digits=9, decimal_places=2)
    tariff_to = models.DecimalField("tariffa finale", max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = "fascia ISEE"
        verbose_name_plural = "fasce ISEE"
        ordering = ["scheme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "position"], name="band_position_unique"),
            models.CheckConstraint(
                condition=Q(isee_from__gte=0, tariff_from__gte=0, tariff_to__gte=0)
                & Q(isee_to__gt=F("isee_from")),
                name="band_values_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.isee_from}–{self.isee_to}"

    @property
    def flat(self) -> bool:
        return self.tariff_from == self.tariff_to


class Surcharge(models.Model):
    """A surcharge the regulation adds to the tariff per unit (festivi, serali): a percentage
    of the tariff or an amount per unit."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="surcharges")
    name = models.CharField("nome", max_length=60)
    percent = models.DecimalField(
        "percentuale", max_digits=5, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(
        "importo per unità (€)", max_digits=9, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = "maggiorazione"
        verbose_name_plural = "maggiorazioni"
        ordering = ["scheme", "name"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="surcharge_name_unique"),
            models.CheckConstraint(
                condition=Q(percent__isnull=False, amount__isnull=True, percent__gt=0)
                | Q(percent__isnull=True, amount__isnull=False, amount__gt=0),
                name="surcharge_percent_or_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.name
