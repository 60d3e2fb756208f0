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

from ambito.cases.models import Case, Placement
from ambito.interventions.models import Delivery, FundingSource, Intervention, Service
from ambito.people.models import Household, Person
from ambito.territory.models import Ambito, Comune

ZERO = Decimal("0")
# Amounts are in cents: two sums that differ by less than half a cent are equal. The database
# checks say it so because SQLite adds decimals as floats (PostgreSQL's numeric is exact).
HALF_CENT = Decimal("0.005")


def equal_amounts(left: str, right: "models.Expression | F") -> Q:
    """`left` equals `right` to the cent, as a condition of a CheckConstraint."""
    return Q(**{f"{left}__gt": right - HALF_CENT, f"{left}__lt": right + HALF_CENT})


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
    # The cost split of the public share (see `Charge`): what the Ambito's solidarity fund pays.
    fund_percent = models.DecimalField(
        "quota pubblica a carico del fondo di solidarietà (%)",
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        help_text="Il resto della quota pubblica è a carico del Comune di residenza.",
    )
    fund_daily_quota = models.DecimalField(
        "quota giornaliera a carico del fondo di solidarietà (€)",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Per i servizi a giornata (inserimenti residenziali): il fondo paga fino a "
        "questa quota al giorno, il Comune di residenza il resto.",
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
            models.CheckConstraint(
                condition=Q(fund_percent__gte=0, fund_percent__lte=100)
                & (Q(fund_daily_quota__isnull=True) | Q(fund_daily_quota__gt=0, fund_percent=0)),
                name="scheme_fund_split_valid",
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


# --- the monthly run -----------------------------------------------------------------------


class MonthlyRun(models.Model):
    """The co-payment run of one month of an Ambito: one charge per approved delivery. Running
    the month again adds the charges of deliveries approved since and changes none of the
    others; corrections are `Adjustment`s. The totals are kept with the run (recomputed from
    its charges and adjustments by every action that changes them)."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="copay_runs")
    month = models.DateField("mese")
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    run_at = models.DateTimeField("eseguito il", default=timezone.now)
    last_run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    last_run_at = models.DateTimeField("ultima esecuzione il", default=timezone.now)
    charges_count = models.PositiveIntegerField("addebiti", default=0)
    total_cost = models.DecimalField(
        "costo totale (€)", max_digits=12, decimal_places=2, default=ZERO
    )
    total_user = models.DecimalField(
        "quote degli utenti (€)", max_digits=12, decimal_places=2, default=ZERO
    )
    total_comuni = models.DecimalField(
        "quote dei Comuni (€)", max_digits=12, decimal_places=2, default=ZERO
    )
    total_funds = models.DecimalField(
        "quote dei fondi (€)", max_digits=12, decimal_places=2, default=ZERO
    )

    class Meta:
        verbose_name = "calcolo mensile della compartecipazione"
        verbose_name_plural = "calcoli mensili della compartecipazione"
        ordering = ["ambito", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "month"], name="copay_run_one_a_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="copay_run_month_first_day"),
            models.CheckConstraint(
                condition=equal_amounts(
                    "total_cost", F("total_user") + F("total_comuni") + F("total_funds")
                ),
                name="copay_run_reconciles",
            ),
        ]

    def __str__(self) -> str:
        return f"Compartecipazione {self.month:%m/%Y}"

    @property
    def total_public(self) -> Decimal:
        return self.total_comuni + self.total_funds


class Charge(models.Model):
    """What one approved delivery costs and who pays it, to the cent: the user (through the
    regulation's scheme), the Comune and a fund. `user_share + comune_share + fund_share =
    cost`, always (a database constraint); the figures never change after the run: a
    correction is an `Adjustment`, and `current_*` are the figures after them.

    Who pays the public share (cost − user share), in order:

    1. an intervention financed by a national or regional fund (FNA, Fondo povertà, FNPS,
       PNRR, fondi regionali, altro: `Intervention.funding_source`) charges the whole public
       share to that fund; one financed by the Ambito's solidarity fund charges it to that fund;
    2. otherwise the scheme's split: a fixed daily quota (`Scheme.fund_daily_quota`, for services
       by the day: residential placements) paid by the solidarity fund up to the public share,
       or a percentage of the public share (`Scheme.fund_percent`, the per-capita solidarity
       fund); the Comune pays the remainder (computed as the remainder, so the sum is exact);
       a service without a scheme: the Comune pays the whole public share;
    3. the Comune is the person's Comune of residence; for a minor placed out of the family
       (a placement of the case in force during the month) the Comune of residence *before*
       the placement (art. 6 c. 4 L. 328/2000): the Comune already charged for the same
       placement in an earlier month if any (later moves do not count), else the Comune of the
       case's household (the family of origin, whose residence is the minor's, art. 45 c.c.),
       else the person's Comune of residence.
    """

    class Split(models.TextChoices):
        COMUNE = "comune", "Tutta al Comune di residenza"
        PERCENT = "percentuale", "Percentuale al fondo di solidarietà"
        DAILY_QUOTA = "quota_giornaliera", "Quota giornaliera al fondo di solidarietà"
        FUND = "fondo", "Tutta al fondo che finanzia l'intervento"

    run = models.ForeignKey(MonthlyRun, on_delete=models.PROTECT, related_name="charges")
    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="charge")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="copay_charges")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="copay_charges", verbose_name="persona"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name="servizio"
    )
    month = models.DateField("mese")
    units = models.DecimalField("unità", max_digits=9, decimal_places=2)
    unit_cost = models.DecimalField("costo per unità (€)", max_digits=9, decimal_places=2)
    cost = models.DecimalField("costo (€)", max_digits=12, decimal_places=2)
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    tariff_per_unit = models.DecimalField(
        "tariffa per unità (€)", max_digits=9, decimal_places=2, default=ZERO
    )
    user_share = models.DecimalField("quota dell'utente (€)", max_digits=12, decimal_places=2)
    comune = models.ForeignKey(
        Comune, on_delete=models.PROTECT, related_name="copay_charges", verbose_name="Comune"
    )
    comune_share = models.DecimalField("quota del Comune (€)", max_digits=12, decimal_places=2)
    fund = models.CharField("fondo", max_length=20, choices=FundingSource.choices, blank=True)
    fund_share = models.DecimalField("quota del fondo (€)", max_digits=12, decimal_places=2)
    split = models.CharField("ripartizione", max_length=20, choices=Split.choices)
    split_value = models.DecimalField(
        "percentuale o quota giornaliera", max_digits=9, decimal_places=2, null=True, blank=True
    )
    isee = models.ForeignKey(
        IseeDeclaration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ISEE applicato",
    )
    isee_value = models.DecimalField(
        "valore ISEE applicato (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    court_ordered = models.BooleanField("disposto dall'Autorità giudiziaria", default=False)
    exempt = models.BooleanField("esente", default=False)
    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    computation = models.TextField("calcolo")
    created_at = models.DateTimeField("calcolato il", default=timezone.now)

    class Meta:
        verbose_name = "addebito"
        verbose_name_plural = "addebiti"
        ordering = ["run", "comune__name", "person__last_name", "person__first_name", "pk"]
        indexes = [
            models.Index(fields=["run", "comune"], name="charge_run_comune_idx"),
            # The Piano di Zona's spend and the knowledge report read a year of an Ambito's
            # runs by service and share: covering indexes keep them off the 2-million-row heap
            # (province benchmark, docs/performance.md). INCLUDE is PostgreSQL's; elsewhere
            # they are plain indexes.
            models.Index(
                fields=["run", "service"],
                include=["comune_share", "fund_share"],
                name="charge_run_service_idx",
            ),
            models.Index(
                fields=["run"],
                include=[
                    "service",
                    "comune",
                    "fund",
                    "person",
                    "cost",
                    "user_share",
                    "comune_share",
                    "fund_share",
                ],
                name="charge_run_cover_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=equal_amounts(
                    "cost", F("user_share") + F("comune_share") + F("fund_share")
                ),
                name="charge_shares_sum_to_cost",
                violation_error_message="Le quote non sommano al costo.",
            ),
            models.CheckConstraint(
                condition=Q(user_share__gte=0, comune_share__gte=0, fund_share__gte=0),
                name="charge_shares_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(fund_share=0) | ~Q(fund=""), name="charge_fund_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.month:%m/%Y}: € {self.cost}"

    def _current(self, name: str) -> Decimal:
        """The share after the adjustments (prefetch `adjustments` when listing charges)."""
        moved = sum((getattr(a, name) for a in self.adjustments.all()), ZERO)
        return getattr(self, name) + moved

    @property
    def current_user_share(self) -> Decimal:
        return self._current("user_share")

    @property
    def current_comune_share(self) -> Decimal:
        return self._current("comune_share")

    @property
    def current_fund_share(self) -> Decimal:
        return self._current("fund_share")


class Adjustment(models.Model):
    """A correction of a charge after the run, with its reason: the changes of the three shares
    (`user_share` is the `amount` the user's share changes by), which sum to zero so that the
    charge still equals its cost. Append-only: the charge keeps its history."""

    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="adjustments")
    user_share = models.DecimalField(
        "variazione della quota dell'utente (€)", max_digits=12, decimal_places=2
    )
    comune_share = models.DecimalField(
        "variazione della quota del Comune (€)", max_digits=12, decimal_places=2
    )
    fund_share = models.DecimalField(
        "variazione della quota del fondo (€)", max_digits=12, decimal_places=2
    )
    reason = models.CharField("motivo", max_length=500)
    computation = models.TextField("calcolo")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("rettificato il", default=timezone.now)

    class Meta:
        verbose_name = "rettifica"
        verbose_name_plural = "rettifiche"
        ordering = ["charge", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=equal_amounts("user_share", -(F("comune_share") + F("fund_share"))),
                name="adjustment_keeps_the_cost",
            ),
        ]

    def __str__(self) -> str:
        return f"Rettifica di {self.charge}: € {self.user_share}"

    @property
    def amount(self) -> Decimal:
        return self.user_share
