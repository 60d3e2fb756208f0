"""Assessments (phase B): instruments as versioned data, and the assessments made with them.

An instrument's `definition` is data, not code (`cases.instruments` validates its shape and
computes the scores):

    {
      "scale": {"min": 1, "max": 6, "labels": {...}}          # optional, documentation
      "dimensions": [{"code": "bambino", "name": "...", "scoring": "mean"|"sum"|"none"}],
      "items": [{"code": "salute", "dimension": "bambino", "label": "...", "required": true,
                 "answers": [{"value": "1", "label": "...", "score": 1}, ...]}],
      "total": {"scoring": "sum"|"mean"|"none",
                "bands": [{"from": 0, "to": 20, "label": "Dipendenza totale"}]},
      "outcomes": ["...", ...]                                # optional: the allowed outcomes
    }

A new version of an instrument is a new row with the same code and a higher version; an
assessment keeps the version it was made with, so its scores never change under it.
"""

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from ambito.cases.models.case import Case
from ambito.organizations.models import Operator


class InstrumentQuerySet(models.QuerySet["Instrument"]):
    def current(self) -> "InstrumentQuerySet":
        """The newest active version of each instrument."""
        newest = (
            Instrument.objects.filter(code=OuterRef("code"), active=True)
            .order_by("-version")
            .values("pk")[:1]
        )
        return self.filter(active=True, pk=Subquery(newest)).order_by("code")


class Instrument(models.Model):
    """An assessment instrument at one version (SINA, Mondo del Bambino, Barthel…)."""

    code = models.SlugField("codice", max_length=40)
    version = models.PositiveSmallIntegerField("versione", default=1)
    name = models.CharField("nome", max_length=200)
    description = models.TextField("descrizione", blank=True)
    source = models.CharField("fonte", max_length=300, blank=True)
    areas = models.JSONField(
        "aree",
        default=list,
        blank=True,
        help_text="Le aree delle cartelle in cui si usa (vuoto: tutte). Valori di Area.",
    )
    repeat_after_days = models.PositiveSmallIntegerField(
        "da ripetere dopo (giorni)",
        null=True,
        blank=True,
        help_text="Se indicato, la valutazione successiva è una scadenza dell'operatore.",
    )
    definition = models.JSONField("definizione (dimensioni, item, risposte, punteggi)")
    active = models.BooleanField("in uso", default=True)
    valid_from = models.DateField("in uso dal", null=True, blank=True)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        verbose_name = "strumento di valutazione"
        verbose_name_plural = "strumenti di valutazione"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def used_in(self, area: str) -> bool:
        return not self.areas or area in self.areas


class Assessment(models.Model):
    """One assessment of a case with one instrument version: the answers as item code → value,
    the scores computed from them at save time (by dimension, and "totale"), the team present
    (the EVM's members), the outcome. Assessments with the same instrument repeat over time
    (T0, T1, T2…: `sequence` counts from 0). Never edited: a wrong one is followed by a new
    one that `corrects` it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="assessments", verbose_name="strumento"
    )
    date = models.DateField("data della valutazione")
    sequence = models.PositiveSmallIntegerField("tempo (T0, T1, …)", default=0)
    answers = models.JSONField("risposte", default=dict)
    scores = models.JSONField("punteggi", default=dict)
    band = models.CharField("fascia del punteggio totale", max_length=200, blank=True)
    outcome = models.TextField("esito", blank=True)
    participants = models.ManyToManyField(
        Operator, related_name="assessments", blank=True, verbose_name="équipe presente"
    )
    other_participants = models.CharField(
        "altri presenti (famiglia, medico, scuola…)", max_length=300, blank=True
    )
    next_due_on = models.DateField("da ripetere entro il", null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="rettifica della valutazione",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("registrata il", default=timezone.now)

    class Meta:
        verbose_name = "valutazione"
        verbose_name_plural = "valutazioni"
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["case", "instrument", "-date"], name="assessment_case_idx"),
            models.Index(
                fields=["next_due_on"],
                condition=Q(next_due_on__isnull=False),
                name="assessment_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_due_on__isnull=True) | Q(next_due_on__gt=models.F("date")),
                name="assessment_next_after_date",
                violation_error_message="La prossima valutazione va dopo questa.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.name} T{self.sequence} del {self.date:%d/%m/%Y}"

    @property
    def time_label(self) -> str:
        return f"T{self.sequence}"
