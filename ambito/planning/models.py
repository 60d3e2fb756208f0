"""The Piano di Zona: the three-year plan of the district, its objective cards (schede
obiettivo, 2025-2027 format), their actions, budget lines, staff and indicators.

An indicator is either *computed* from the case record by a declared definition (a measure the
system offers, `ambito.planning.measures`, with its parameters as data: area, Comune, service,
closure reason…) or *manual*, a value entered with its evidence. Its yearly values are kept as
history: computed values are snapshots taken from the record (re-taken until the year is
closed), manual ones are entered by the Ufficio di Piano. The planner works only with
aggregates: nothing here points at a person.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ambito.interventions.models import FundingSource, Service
from ambito.organizations.models import Area
from ambito.territory.models import Ambito


class PolicyArea(models.TextChoices):
    """The policy areas of the Lombardy 2025-2027 guidelines (DGR XII/2167 of 2024), in the
    order the Treviglio plan uses them."""

    POVERTY = "poverta", "Contrasto alla povertà e all'emarginazione sociale e inclusione attiva"
    HOUSING = "abitare", "Politiche abitative"
    HOME_CARE = "domiciliarita", "Domiciliarità e anziani"
    DIGITAL = "digitalizzazione", "Digitalizzazione dei servizi"
    YOUTH = "giovani_minori", "Politiche giovanili e per i minori"
    FAMILY = "famiglia", "Interventi per la famiglia"
    WORK = "lavoro", "Interventi connessi alle politiche per il lavoro"
    DISABILITY = "disabilita", "Interventi a favore delle persone con disabilità"
    SYSTEM = "sistema", "Interventi di sistema (Ufficio di Piano)"


# Which areas of the case record a policy area reads (the default filter of its indicators).
POLICY_TO_CASE_AREAS: dict[str, tuple[str, ...]] = {
    PolicyArea.POVERTY: (Area.POVERTY,),
    PolicyArea.HOUSING: (Area.HOUSING,),
    PolicyArea.HOME_CARE: (Area.ELDERLY,),
    PolicyArea.DIGITAL: (),
    PolicyArea.YOUTH: (Area.FAMILY_MINORS,),
    PolicyArea.FAMILY: (Area.FAMILY_MINORS,),
    PolicyArea.WORK: (Area.WORK,),
    PolicyArea.DISABILITY: (Area.DISABILITY,),
    PolicyArea.SYSTEM: (),
}


class ZonePlan(models.Model):
    """A Piano di Zona of an Ambito (three years, approved by the Assemblea dei Sindaci and
    signed in an Accordo di programma)."""

    class Status(models.TextChoices):
        DRAFT = "bozza", "In preparazione"
        IN_FORCE = "vigente", "Vigente"
        CLOSED = "concluso", "Concluso (valutato)"

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="zone_plans")
    title = models.CharField("titolo", max_length=200)
    start_year = models.PositiveSmallIntegerField("primo anno")
    end_year = models.PositiveSmallIntegerField("ultimo anno")
    status = models.CharField("stato", max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_on = models.DateField("approvato dall'Assemblea dei Sindaci il", null=True, blank=True)
    lead_body = models.CharField("ente capofila", max_length=200, blank=True)
    notes = models.TextField("note", blank=True)

    class Meta:
        verbose_name = "Piano di Zona"
        verbose_name_plural = "Piani di Zona"
        ordering = ["ambito", "-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "start_year"], name="zone_plan_one_per_start"
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")), name="zone_plan_years_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.start_year}-{self.end_year}"

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class Objective(models.Model):
    """A scheda obiettivo: every field of the 2025-2027 card. Yes/no questions are nullable
    booleans (not answered), each with the card's free text beside it."""

    class ServiceKind(models.TextChoices):
        EXISTING = "presente", "Servizio già presente"
        REVISED = "rivisto", "Servizio sostanzialmente rivisto/aggiornato"
        NEW = "nuovo", "Nuovo servizio"

    class Approach(models.TextChoices):
        PREVENTIVE = "promozionale", "Promozionale/preventivo"
        REPARATIVE = "riparativo", "Riparativo"
        BOTH = "entrambi", "Entrambi"
        NOT_APPLICABLE = "non_pertinente", "Non pertinente (obiettivo di sistema)"

    class NeedKind(models.TextChoices):
        CONSOLIDATED = "consolidato", "Bisogno consolidato"
        NEW = "nuovo", "Bisogno nuovo"
        BOTH = "entrambi", "Consolidato e nuovo"

    plan = models.ForeignKey(ZonePlan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField("numero scheda")
    area = models.CharField("area di policy", max_length=20, choices=PolicyArea.choices)
    title = models.CharField("titolo intervento", max_length=300)
    epigraph = models.TextField("citazione in epigrafe", blank=True)
    goals = models.TextField("quali obiettivi vuole raggiungere")
    target = models.TextField("target", blank=True)
    budget_note = models.TextField("nota sulle risorse economiche", blank=True)
    staff_note = models.TextField("risorse di personale dedicate", blank=True)
    cross_policy = models.JSONField(
        "aree di policy collegate", default=list, blank=True, help_text="codici PolicyArea"
    )
    key_points = models.TextField("punti chiave dell'intervento", blank=True)
    asst_in_analysis = models.BooleanField("ASST nell'analisi e programmazione", null=True)
    asst_in_analysis_note = models.TextField("ASST nell'analisi: dettagli", blank=True)
    asst_in_delivery = models.BooleanField("ASST nella realizzazione", null=True)
    asst_in_delivery_note = models.TextField("ASST nella realizzazione: dettagli", blank=True)
    other_ambiti = models.BooleanField("in cooperazione con altri Ambiti", null=True)
    other_ambiti_note = models.TextField("cooperazione con altri Ambiti: dettagli", blank=True)
    continuity = models.BooleanField("in continuità con la programmazione precedente", null=True)
    service_kind = models.CharField(
        "definizione di un nuovo servizio", max_length=10, choices=ServiceKind.choices, blank=True
    )
    rewarded_project = models.BooleanField("continuità di un progetto premiale", null=True)
    co_programmed = models.BooleanField("co-programmato con il Terzo Settore", null=True)
    co_programmed_note = models.TextField("co-programmazione: come", blank=True)
    co_designed = models.BooleanField("co-progettato con il Terzo Settore", null=True)
    co_designed_note = models.TextField("co-progettazione: come", blank=True)
    third_sector_note = models.TextField(
        "coinvolgimento del Terzo Settore se non formalizzato", blank=True
    )
    other_actors = models.TextField("altri attori della rete coinvolti", blank=True)
    needs = models.TextField("bisogni a cui risponde", blank=True)
    need_kind = models.CharField(
        "bisogno consolidato o nuovo", max_length=12, choices=NeedKind.choices, blank=True
    )
    approach = models.CharField(
        "promozionale/preventivo o riparativo", max_length=15, choices=Approach.choices, blank=True
    )
    approach_note = models.TextField(
        "promozionale o riparativo: come lo dice la scheda", blank=True
    )
    innovative = models.BooleanField("modelli innovativi", null=True)
    innovative_note = models.TextField("modelli innovativi: quali", blank=True)
    digital = models.BooleanField("aspetti di digitalizzazione", null=True)
    digital_note = models.TextField("digitalizzazione: quali", blank=True)
    organisation = models.TextField("modalità organizzative (impegno misurabile)", blank=True)
    results = models.TextField("risultati attesi (misurabili, con scadenza)", blank=True)
    impact = models.TextField("impatto atteso (misurabile, con scadenza)", blank=True)
    services = models.ManyToManyField(
        Service, blank=True, related_name="objectives", verbose_name="servizi del catalogo"
    )

    class Meta:
        verbose_name = "scheda obiettivo"
        verbose_name_plural = "schede obiettivo"
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="objective_number_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Action(models.Model):
    """An action the card plans (azione programmata); its state is updated during the plan and
    read by the evaluation card (actions planned / done)."""

    class Status(models.TextChoices):
        PLANNED = "prevista", "Prevista"
        IN_PROGRESS = "avviata", "Avviata"
        DONE = "realizzata", "Realizzata"
        DROPPED = "non_realizzata", "Non realizzata"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField("numero")
    title = models.CharField("azione", max_length=300)
    description = models.TextField("descrizione", blank=True)
    leps = models.BooleanField("LEPS (livello essenziale)", default=False)
    status = models.CharField(
        "stato", max_length=15, choices=Status.choices, default=Status.PLANNED
    )
    status_note = models.TextField("nota sullo stato", blank=True)

    class Meta:
        verbose_name = "azione"
        verbose_name_plural = "azioni"
        ordering = ["objective", "number"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "number"], name="action_number_per_card"),
        ]

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    """Money planned for an objective from one source; `year` empty means the whole plan.
    Spend against it is computed from the co-payment run's public shares of the card's
    services (`ambito.planning.measures`)."""

    class Kind(models.TextChoices):
        PUBLIC = "pubblica", "Risorse pubbliche"
        PRIVATE = "privata", "Risorse private"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="budget_lines")
    kind = models.CharField("natura", max_length=10, choices=Kind.choices, default=Kind.PUBLIC)
    source = models.CharField("fonte", max_length=20, choices=FundingSource.choices)
    source_detail = models.CharField(
        "dettaglio della fonte", max_length=200, blank=True, help_text="es. PNRR M5C2 1.3.2"
    )
    year = models.PositiveSmallIntegerField("anno", null=True, blank=True)
    amount = models.DecimalField("importo (€)", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "voce di budget"
        verbose_name_plural = "voci di budget"
        ordering = ["objective", "year", "source"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: € {self.amount}"


class StaffLine(models.Model):
    """Staff dedicated to an objective (a team, a profession, with FTE when known)."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="staff")
    description = models.CharField("personale", max_length=300)
    profession = models.CharField("profilo", max_length=100, blank=True)
    fte = models.DecimalField(
        "equivalenti a tempo pieno", max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = "risorsa di personale"
        verbose_name_plural = "risorse di personale"
        ordering = ["objective", "id"]

    def __str__(self) -> str:
        return self.description


class Indicator(models.Model):
    """A measurable result or impact of a card: baseline, target, deadline and the rule that
    gives its value (a measure of the record with parameters, or manual entry)."""

    class Kind(models.TextChoices):
        COMPUTED = "calcolato", "Calcolato dalla cartella"
        MANUAL = "manuale", "Inserito con evidenza"

    class Level(models.TextChoices):
        RESULT = "risultato", "Risultato"
        IMPACT = "impatto", "Impatto"

    class Direction(models.TextChoices):
        AT_LEAST = "almeno", "Almeno il target (più è meglio)"
        AT_MOST = "al_massimo", "Al massimo il target (meno è meglio)"

    class Status(models.TextChoices):
        ACHIEVED = "raggiunto", "Raggiunto"
        ON_TRACK = "in_linea", "In linea"
        AT_RISK = "a_rischio", "A rischio"
        MISSED = "mancato", "Non raggiunto"
        NO_DATA = "senza_dati", "Senza dati"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField("codice", max_length=40)
    name = models.CharField("indicatore", max_length=300)
    description = models.TextField("definizione", blank=True)
    level = models.CharField("livello", max_length=10, choices=Level.choices, default=Level.RESULT)
    kind = models.CharField("tipo", max_length=10, choices=Kind.choices)
    measure = models.CharField(
        "misura", max_length=60, blank=True, help_text="una delle misure offerte dal sistema"
    )
    parameters = models.JSONField("parametri della misura", default=dict, blank=True)
    unit = models.CharField("unità", max_length=30, default="n.")
    direction = models.CharField(
        "verso", max_length=10, choices=Direction.choices, default=Direction.AT_LEAST
    )
    baseline = models.DecimalField(
        "valore di partenza", max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField("anno di partenza", null=True, blank=True)
    target = models.DecimalField("target", max_digits=14, decimal_places=2)
    deadline = models.DateField("scadenza")

    class Meta:
        verbose_name = "indicatore"
        verbose_name_plural = "indicatori"
        ordering = ["objective", "id"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "code"], name="indicator_code_per_card"),
            models.CheckConstraint(
                condition=Q(kind="manuale", measure="") | (Q(kind="calcolato") & ~Q(measure="")),
                name="indicator_measure_iff_computed",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """An indicator's value for a year: a snapshot of the record (computed) or an entry with
    its evidence (manual). A manual value is corrected by a new row; the latest counts."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField("anno")
    value = models.DecimalField("valore", max_digits=14, decimal_places=2)
    computed = models.BooleanField("calcolato dalla cartella", default=False)
    evidence = models.CharField("evidenza (documento, atto)", max_length=300, blank=True)
    evidence_date = models.DateField("data dell'evidenza", null=True, blank=True)
    note = models.TextField("nota", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("registrato il", auto_now_add=True)

    class Meta:
        verbose_name = "valore dell'indicatore"
        verbose_name_plural = "valori degli indicatori"
        ordering = ["indicator", "year", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["indicator", "year"])]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class SatisfactionSurvey(models.Model):
    """An aggregated satisfaction survey (e.g. of the caregivers supported): how many answered
    and how many were satisfied. Aggregates only, entered by the Ufficio di Piano."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("indagine", max_length=200)
    area = models.CharField("area", max_length=20, choices=Area.choices, blank=True)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    held_on = models.DateField("data")
    respondents = models.PositiveIntegerField("rispondenti")
    satisfied = models.PositiveIntegerField("soddisfatti")

    class Meta:
        verbose_name = "indagine di soddisfazione"
        verbose_name_plural = "indagini di soddisfazione"
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfied__lte=F("respondents")), name="survey_satisfied_le_respondents"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Evaluation(models.Model):
    """The evaluation card of an objective at the end of the plan (the format of seeds 000 and
    001), prefilled with the computed evidence, which is kept as it was when written."""

    class Answer(models.TextChoices):
        YES = "si", "Sì"
        PARTLY = "in_parte", "In parte"
        NO = "no", "No"

    objective = models.OneToOneField(Objective, on_delete=models.CASCADE, related_name="evaluation")
    actions_planned = models.TextField("azioni programmate")
    actions_done = models.TextField("azioni realizzate", blank=True)
    critical_issues = models.TextField("criticità", blank=True)
    answered_need = models.CharField(
        "ha risposto a un bisogno e prodotto un cambiamento positivo?",
        max_length=10,
        choices=Answer.choices,
    )
    why = models.TextField("perché")
    evidence = models.JSONField("evidenze calcolate", default=list, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField("compilata il", auto_now=True)

    class Meta:
        verbose_name = "scheda di valutazione"
        verbose_name_plural = "schede di valutazione"

    def __str__(self) -> str:
        return f"Valutazione: {self.objective}"


class PlanningEvent(models.Model):
    """Who changed what in a plan: every action of `ambito.planning.actions` writes one."""

    class Kind(models.TextChoices):
        PLAN = "piano", "Piano"
        OBJECTIVE = "scheda", "Scheda obiettivo"
        ACTION = "azione", "Azione"
        BUDGET = "budget", "Budget"
        INDICATOR = "indicatore", "Indicatore"
        VALUE = "valore", "Valore di un indicatore"
        EVALUATION = "valutazione", "Valutazione"
        SURVEY = "indagine", "Indagine di soddisfazione"

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(
        ZonePlan, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField("tipo", max_length=15, choices=Kind.choices)
    summary = models.CharField("descrizione", max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("il", auto_now_add=True)

    class Meta:
        verbose_name = "evento del piano"
        verbose_name_plural = "eventi del piano"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.summary
