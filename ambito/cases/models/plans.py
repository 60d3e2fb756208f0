"""The plan (phase C): the individual project agreed with the person or family, its goals, the
family's commitments and the reviews (verifiche). The supports of a plan are its interventions
(`interventions.Intervention`, chosen from the catalogue)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ambito.cases.models.case import Case
from ambito.organizations.models import Operator


class Plan(models.Model):
    """An individual plan of a case. A case may have several over time (a new plan when the
    project changes); one at a time is in force (draft or agreed)."""

    class Kind(models.TextChoices):
        PAI = "pai", "PAI – Progetto assistenziale individualizzato"
        PAIS = "pais", "PaIS – Patto per l'inclusione sociale"
        FRAMEWORK = "progetto_quadro", "Progetto quadro (P.I.P.P.I.)"
        LIFE = "progetto_vita", "Progetto di vita"
        EDUCATIONAL = "progetto_educativo", "Progetto educativo individualizzato"

    class Status(models.TextChoices):
        DRAFT = "bozza", "In preparazione"
        AGREED = "sottoscritto", "Sottoscritto"
        REFUSED = "rifiutato", "Non sottoscritto (rifiutato)"
        ENDED = "concluso", "Concluso"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField("tipo di progetto", max_length=30, choices=Kind.choices)
    status = models.CharField("stato", max_length=20, choices=Status.choices, default=Status.DRAFT)
    starts_on = models.DateField("valido dal")
    ends_on = models.DateField("valido fino al", null=True, blank=True)
    summary = models.TextField("sintesi dei bisogni e delle risorse", blank=True)
    next_review_on = models.DateField("prossima verifica entro il", null=True, blank=True)
    agreed_on = models.DateField("sottoscritto il", null=True, blank=True)
    agreed_by = models.CharField("sottoscritto da (persona, familiari)", max_length=300, blank=True)
    refusal_reason = models.CharField("motivo del rifiuto", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("redatto il", default=timezone.now)

    class Meta:
        verbose_name = "progetto"
        verbose_name_plural = "progetti"
        ordering = ["-starts_on", "-pk"]
        indexes = [
            models.Index(
                fields=["next_review_on"],
                condition=Q(status__in=["bozza", "sottoscritto"]),
                name="plan_review_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["bozza", "sottoscritto"]),
                name="plan_one_in_force_per_case",
                violation_error_message="La cartella ha già un progetto in corso.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="plan_ends_after_start",
                violation_error_message="La fine del progetto precede il suo inizio.",
            ),
            models.CheckConstraint(
                condition=~Q(status="sottoscritto")
                | (Q(agreed_on__isnull=False) & ~Q(agreed_by="")),
                name="plan_agreed_when_and_by_whom",
                violation_error_message="Indicare quando e da chi è stato sottoscritto.",
            ),
            models.CheckConstraint(
                condition=~Q(status="rifiutato") | ~Q(refusal_reason=""),
                name="plan_refusal_has_reason",
                violation_error_message="Indicare il motivo del rifiuto.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} dal {self.starts_on:%d/%m/%Y}"

    @property
    def in_force(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.AGREED)


class Goal(models.Model):
    """A goal of the plan (obiettivo) with its expected result, how it is measured, by when and
    who answers for it; at closure, its outcome."""

    class Outcome(models.TextChoices):
        ACHIEVED = "raggiunto", "Raggiunto"
        PARTLY = "parziale", "Parzialmente raggiunto"
        NOT_ACHIEVED = "non_raggiunto", "Non raggiunto"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField("ordine", default=1)
    description = models.CharField("obiettivo", max_length=500)
    expected_result = models.CharField("risultato atteso", max_length=500)
    measure = models.CharField("come si misura (indicatore)", max_length=300, blank=True)
    due_on = models.DateField("entro il", null=True, blank=True)
    responsible = models.CharField("chi se ne occupa", max_length=200, blank=True)
    outcome = models.CharField("esito finale", max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField("note sull'esito", max_length=500, blank=True)

    class Meta:
        verbose_name = "obiettivo"
        verbose_name_plural = "obiettivi"
        ordering = ["plan", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="goal_description"),
            models.CheckConstraint(condition=~Q(expected_result=""), name="goal_expected_result"),
        ]

    def __str__(self) -> str:
        return self.description


class Commitment(models.Model):
    """What the person or the family commits to (impegni), by when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="commitments")
    who = models.CharField("chi", max_length=200)
    description = models.CharField("impegno", max_length=500)
    due_on = models.DateField("entro il", null=True, blank=True)

    class Meta:
        verbose_name = "impegno"
        verbose_name_plural = "impegni"
        ordering = ["plan", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="commitment_description"),
        ]

    def __str__(self) -> str:
        return f"{self.who}: {self.description}"


class Review(models.Model):
    """A review of the plan (verifica): each goal's progress, notes, the next review date."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reviews")
    date = models.DateField("data della verifica")
    notes = models.TextField("note", blank=True)
    participants = models.ManyToManyField(
        Operator, related_name="plan_reviews", blank=True, verbose_name="presenti"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("registrata il", default=timezone.now)

    class Meta:
        verbose_name = "verifica del progetto"
        verbose_name_plural = "verifiche del progetto"
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"Verifica del {self.date:%d/%m/%Y}"


class GoalReview(models.Model):
    """One goal's progress at one review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="goal_reviews")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="reviews")
    progress = models.CharField("andamento", max_length=20, choices=Goal.Outcome.choices)
    note = models.CharField("note", max_length=500, blank=True)

    class Meta:
        verbose_name = "andamento dell'obiettivo"
        verbose_name_plural = "andamento degli obiettivi"
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="goal_review_once"),
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.get_progress_display()}"
