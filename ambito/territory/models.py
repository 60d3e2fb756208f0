from django.db import models
from django.db.models import F, Q


class Ambito(models.Model):
    """An Ambito Territoriale Sociale: the tenant. Every tenant row carries its ambito."""

    name = models.CharField("denominazione", max_length=200, unique=True)
    code = models.SlugField("codice", max_length=50, unique=True)
    province = models.CharField("sigla provincia", max_length=2)
    region = models.CharField("regione", max_length=60)

    class Meta:
        verbose_name = "Ambito territoriale"
        verbose_name_plural = "Ambiti territoriali"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ComuneQuerySet(models.QuerySet["Comune"]):
    def in_ambito(self, ambito: Ambito) -> "ComuneQuerySet":
        return self.filter(ambito=ambito)


class Comune(models.Model):
    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="comuni")
    name = models.CharField("denominazione", max_length=200)
    istat_code = models.CharField("codice ISTAT", max_length=6, unique=True)
    belfiore_code = models.CharField("codice catastale (Belfiore)", max_length=4, unique=True)
    province = models.CharField("sigla provincia", max_length=2)

    objects = ComuneQuerySet.as_manager()

    class Meta:
        verbose_name = "Comune"
        verbose_name_plural = "Comuni"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(istat_code__regex=r"^[0-9]{6}$"), name="comune_istat_code_6_digits"
            ),
            models.CheckConstraint(
                condition=Q(belfiore_code__regex=r"^[A-Z][0-9]{3}$"),
                name="comune_belfiore_code_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Population(models.Model):
    """Residents of a Comune on 1 January of a year: the denominator of every rate."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField("anno")
    residents = models.PositiveIntegerField("residenti")
    residents_0_17 = models.PositiveIntegerField("residenti 0-17 anni")
    approximate = models.BooleanField("valore approssimativo", default=True)
    source = models.CharField("fonte", max_length=200)

    class Meta:
        verbose_name = "popolazione"
        verbose_name_plural = "popolazione"
        ordering = ["comune", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["comune", "year"], name="population_one_per_year"),
            models.CheckConstraint(
                condition=Q(residents_0_17__lte=F("residents")), name="population_minors_le_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.comune} {self.year}: {self.residents}"
