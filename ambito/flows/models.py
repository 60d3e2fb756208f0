"""The outbox of the national flows (SIUSS PS/PSA/SINA and SINBA) and what INPS said of them.

A `Flow` is immutable once written: its XML, its id in the official format
(`EEEEE.TIPO.AAAAMMGG.NNNNNNN`), its type and timestamp never change; only the outcome fields
are filled when INPS polls it (`fetched_at`) and notifies the result (`POST /esiti`). A
correction goes out as a cancellation (`operation = C`, `replaces` the flow it cancels)
followed by a new insertion. In the WaaS mode each flow carries one beneficiary and one
benefit; the files for manual upload on the INPS web application gather many (`ManualFile`).

A minor in SINBA is known by a stable pseudonym (`SinbaPseudonym`), never by the codice
fiscale: drawn at random once and kept, so the same child keeps it across flows and years.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ambito.cases.models import Case
from ambito.interventions.models import Intervention
from ambito.people.models import Person
from ambito.territory.models import Ambito


class FlowKind(models.TextChoices):
    PS_PSA_SINA = "PS_PSA_SINA", "PS/PSA/SINA (prestazioni sociali)"
    SINBA = "SINBA", "SINBA (minori e famiglie)"


class ManualFile(models.Model):
    """An XML file with many beneficiaries for upload on the INPS web application, by period
    and Ente. Its flows are the same rows as the WaaS outbox, so nothing is sent twice."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("tipo", max_length=12, choices=FlowKind.choices)
    ente_code = models.CharField("codice ente", max_length=32)
    period_start = models.DateField("dal")
    period_end = models.DateField("al")
    xml = models.TextField("XML")
    created_at = models.DateTimeField("creato il", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "file per l'invio manuale"
        verbose_name_plural = "file per l'invio manuale"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.ente_code} {self.period_start}–{self.period_end}"


class Flow(models.Model):
    class Operation(models.TextChoices):
        INSERT = "I", "Inserimento"
        CANCEL = "C", "Cancellazione"

    class Status(models.TextChoices):
        READY = "pronto", "Pronto, in attesa che INPS lo prelevi"
        FETCHED = "prelevato", "Prelevato da INPS"
        ACCEPTED = "acquisito", "Acquisito da INPS"
        REJECTED = "scartato", "Scartato da INPS"

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="flows")
    flow_id = models.CharField("identificativo del flusso", max_length=64, unique=True)
    kind = models.CharField("tipo", max_length=12, choices=FlowKind.choices)
    operation = models.CharField(
        "operazione", max_length=1, choices=Operation.choices, default=Operation.INSERT
    )
    ente_code = models.CharField("codice ente (Belfiore)", max_length=4)
    ente_name = models.CharField("denominazione ente", max_length=256)
    created_at = models.DateTimeField("creato il (ts_flusso)", db_index=True)
    xml = models.TextField("XML")
    # What the flow is about, to find the flow to cancel when the record changes. The
    # period is the month of a PS benefit or the reference date of a SINBA record.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period = models.DateField("periodo di riferimento")
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="cancelled_by"
    )
    manual_file = models.ForeignKey(
        ManualFile, on_delete=models.PROTECT, null=True, blank=True, related_name="flows"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField("stato", max_length=10, choices=Status.choices, default=Status.READY)
    fetched_at = models.DateTimeField("prelevato il", null=True, blank=True)
    outcome_code = models.CharField("esito", max_length=60, blank=True)
    outcome_description = models.TextField("descrizione dell'esito", blank=True)
    acquisition_id = models.CharField("id acquisizione SIUSS", max_length=64, blank=True)
    acquired_at = models.DateTimeField("acquisito il", null=True, blank=True)

    IMMUTABLE = ("flow_id", "kind", "operation", "ente_code", "created_at", "xml", "replaces_id")

    class Meta:
        verbose_name = "flusso"
        verbose_name_plural = "flussi"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(operation="I", replaces__isnull=True)
                | Q(operation="C", replaces__isnull=False),
                name="flow_cancellation_replaces_a_flow",
            ),
            # GET /flussi?since= pages by timestamp: two flows of an Ambito never share one
            # (the outbox moves a flow 1 ms later; the database makes it a fact).
            models.UniqueConstraint(fields=["ambito", "created_at"], name="flow_ts_unique"),
        ]
        indexes = [models.Index(fields=["ambito", "created_at", "id"])]

    def __str__(self) -> str:
        return self.flow_id

    def save(self, *args: object, **kwargs: object) -> None:
        """A flow's content never changes once written: only its outcome does."""
        if self.pk is not None:
            stored = Flow.objects.filter(pk=self.pk).values(*self.IMMUTABLE).first()
            if stored and any(getattr(self, f) != stored[f] for f in self.IMMUTABLE):
                raise ValidationError(
                    "Un flusso già creato non si modifica: si annulla e si reinvia."
                )
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class FlowCounter(models.Model):
    """The daily progressive number of the flow ids (NNNNNNN), per Ente, type and day."""

    ente_code = models.CharField(max_length=4)
    kind = models.CharField(max_length=12, choices=FlowKind.choices)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ente_code", "kind", "day"], name="flow_counter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ente_code}.{self.kind}.{self.day:%Y%m%d}: {self.last}"


class SinbaPseudonym(models.Model):
    """The IDBeneficiario of a minor in SINBA: random, drawn once, never derived from the
    codice fiscale (max 20 characters, the XSD's limit)."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="sinba_pseudonym")
    value = models.CharField("IDBeneficiario", max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "pseudonimo SINBA"
        verbose_name_plural = "pseudonimi SINBA"

    def __str__(self) -> str:
        return self.value
