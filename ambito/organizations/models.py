from django.conf import settings
from django.db import models
from django.db.models import Q

from ambito.territory.models import Ambito, Comune


class Area(models.TextChoices):
    """The areas of a case, as the policy areas of the Piano di Zona."""

    FAMILY_MINORS = "famiglia_minori", "Famiglia e minori"
    ELDERLY = "anziani", "Anziani e domiciliarità"
    DISABILITY = "disabilita", "Disabilità"
    POVERTY = "poverta", "Povertà e inclusione"
    HOUSING = "abitare", "Abitare"
    WORK = "lavoro", "Lavoro"


class Ente(models.Model):
    class Kind(models.TextChoices):
        COMUNE = "comune", "Comune"
        CAPOFILA = "capofila", "Ente capofila / Azienda consortile"
        HEALTH_TRUST = "asst", "ASST (azienda sanitaria)"
        PROVIDER = "provider", "Ente gestore / cooperativa"

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="enti")
    kind = models.CharField("tipo", max_length=20, choices=Kind.choices)
    name = models.CharField("denominazione", max_length=200)
    tax_code = models.CharField("codice fiscale / partita IVA", max_length=16, blank=True)
    comune = models.OneToOneField(
        Comune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ente",
        help_text="Solo per gli enti di tipo Comune.",
    )

    class Meta:
        verbose_name = "ente"
        verbose_name_plural = "enti"
        ordering = ["ambito", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "name"], name="ente_name_unique_in_ambito"),
            models.CheckConstraint(
                condition=Q(kind="comune", comune__isnull=False)
                | (~Q(kind="comune") & Q(comune__isnull=True)),
                name="ente_comune_iff_kind_comune",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceUnit(models.Model):
    """A service of the Ambito or of an Ente: Segretariato sociale, UO Riparativa, Affidi…"""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="service_units")
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, related_name="service_units")
    name = models.CharField("denominazione", max_length=200)
    area = models.CharField("area", max_length=20, choices=Area.choices, blank=True)

    class Meta:
        verbose_name = "unità di servizio"
        verbose_name_plural = "unità di servizio"
        ordering = ["ambito", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "name"], name="unit_name_unique_in_ambito"),
        ]

    def __str__(self) -> str:
        return self.name


class Operator(models.Model):
    """The professional behind a user account: where they work, their profession, their role."""

    class Profession(models.TextChoices):
        SOCIAL_WORKER = "assistente_sociale", "Assistente sociale"
        PSYCHOLOGIST = "psicologo", "Psicologo/a"
        EDUCATOR = "educatore", "Educatore/educatrice professionale"
        ADMINISTRATIVE = "amministrativo", "Amministrativo/a"
        HEALTH = "sanitario", "Operatore sanitario"
        OTHER = "altro", "Altro"

    class Role(models.TextChoices):
        SOCIAL_WORKER = "social_worker", "Operatore di un Comune"
        UNIT_OPERATOR = "unit_operator", "Operatore di un servizio dell'Ambito"
        COORDINATOR = "coordinator", "Coordinatore d'area"
        PLANNER = "planner", "Ufficio di Piano"
        PROVIDER = "provider", "Operatore di ente gestore"
        HEALTH = "health", "Operatore ASST"
        SYSADMIN = "sysadmin", "Amministratore di sistema"
        DPO = "dpo", "Responsabile protezione dati / auditor"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator"
    )
    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="operators")
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, related_name="operators")
    profession = models.CharField(
        "profilo professionale", max_length=30, choices=Profession.choices
    )
    role = models.CharField("ruolo", max_length=20, choices=Role.choices)
    area = models.CharField(
        "area coordinata",
        max_length=20,
        choices=Area.choices,
        blank=True,
        help_text="Per i coordinatori: l'area di cui vedono le cartelle.",
    )
    units = models.ManyToManyField(
        ServiceUnit, blank=True, related_name="operators", verbose_name="unità di servizio"
    )

    class Meta:
        verbose_name = "operatore"
        verbose_name_plural = "operatori"
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def comune(self) -> Comune | None:
        return self.ente.comune if self.ente.kind == Ente.Kind.COMUNE else None


class Team(models.Model):
    """An équipe multiprofessionale: social worker, psychologist, educator working on cases."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="teams")
    unit = models.ForeignKey(
        ServiceUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="teams"
    )
    name = models.CharField("denominazione", max_length=200)
    members = models.ManyToManyField(Operator, related_name="teams", verbose_name="componenti")

    class Meta:
        verbose_name = "équipe"
        verbose_name_plural = "équipe"
        ordering = ["ambito", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "name"], name="team_name_unique_in_ambito"),
        ]

    def __str__(self) -> str:
        return self.name
