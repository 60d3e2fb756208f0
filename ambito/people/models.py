from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ambito.events import EventBase
from ambito.territory.models import Ambito, Comune


class Sex(models.TextChoices):
    MALE = "M", "Maschio"
    FEMALE = "F", "Femmina"


def codice_fiscale_prefix(text: str) -> str | None:
    """The codice fiscale (or its beginning) that a search text is, None for names."""
    compact = "".join(text.split()).upper()
    if len(compact) >= 6 and compact[:6].isalpha() and any(c.isdigit() for c in compact):
        return compact
    return None


class PersonQuerySet(models.QuerySet["Person"]):
    def in_ambito(self, ambito: Ambito) -> "PersonQuerySet":
        return self.filter(ambito=ambito)

    def search(self, text: str) -> "PersonQuerySet":
        """By codice fiscale (exact or prefix) or by words of the surname and name."""
        text = " ".join(text.split())
        if not text:
            return self.none()
        code = codice_fiscale_prefix(text)
        if code is not None:
            return self.filter(codice_fiscale__startswith=code)
        qs = self
        for word in text.split(" "):
            qs = qs.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
        return qs

    def page_without_count(self, number: int, size: int) -> tuple[list["Person"], bool]:
        """Page `number` (from 1) of `size` persons and whether more follow: one row more than
        the page instead of a COUNT(*), which would evaluate the visibility rules twice."""
        start = (number - 1) * size
        rows: list[Person] = list(self.all()[start : start + size + 1])
        return rows[:size], len(rows) > size


class Person(models.Model):
    """Someone the services know: a beneficiary or a member of their household."""

    class MissingCodeReason(models.TextChoices):
        NEWBORN = "neonato", "Neonato: codice fiscale non ancora attribuito"
        FOREIGN = "straniero", "Cittadino straniero senza codice fiscale"
        UNKNOWN_IDENTITY = "identita_non_accertata", "Identità non ancora accertata"
        OTHER = "altro", "Altro motivo (specificare nelle note)"

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="persons")
    # NULL, not "", for people without a code: the unique constraint must ignore them.
    codice_fiscale = models.CharField(  # noqa: DJ001
        "codice fiscale", max_length=16, null=True, blank=True
    )
    missing_code_reason = models.CharField(
        "motivo dell'assenza del codice fiscale",
        max_length=30,
        choices=MissingCodeReason.choices,
        blank=True,
    )
    missing_code_note = models.CharField("note sull'identificazione", max_length=300, blank=True)
    last_name = models.CharField("cognome", max_length=100)
    first_name = models.CharField("nome", max_length=100)
    birth_date = models.DateField("data di nascita")
    sex = models.CharField("sesso", max_length=1, choices=Sex.choices)
    birthplace_code = models.CharField("codice luogo di nascita", max_length=4, blank=True)
    birthplace_name = models.CharField("luogo di nascita", max_length=200, blank=True)
    citizenship = models.CharField("cittadinanza", max_length=100, blank=True)
    comune_residenza = models.ForeignKey(
        Comune,
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name="Comune di residenza",
    )
    address = models.CharField("indirizzo", max_length=200, blank=True)
    phone = models.CharField("telefono", max_length=40, blank=True)
    email = models.EmailField("email", blank=True)
    created_at = models.DateTimeField("registrata il", auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "persona"
        verbose_name_plural = "persone"
        ordering = ["last_name", "first_name", "birth_date"]
        indexes = [
            models.Index(fields=["ambito", "last_name", "first_name"], name="person_name_idx"),
            models.Index(fields=["last_name", "first_name", "birth_date"], name="person_dup_idx"),
            # The search's "codice_fiscale LIKE 'X%'": under a non-C collation PostgreSQL cannot
            # use the unique (ambito, codice_fiscale) index for it. SQLite ignores the opclass.
            models.Index(
                fields=["codice_fiscale"],
                opclasses=["varchar_pattern_ops"],
                name="person_cf_prefix_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "codice_fiscale"],
                condition=Q(codice_fiscale__isnull=False),
                name="person_codice_fiscale_unique_in_ambito",
                violation_error_message="Esiste già una persona con questo codice fiscale.",
            ),
            models.CheckConstraint(
                condition=Q(codice_fiscale__isnull=False) | ~Q(missing_code_reason=""),
                name="person_code_or_reason",
                violation_error_message="Senza codice fiscale va indicato il motivo.",
            ),
            models.CheckConstraint(
                condition=Q(codice_fiscale__isnull=True)
                | Q(codice_fiscale__regex=r"^[A-Z0-9]{16}$"),
                name="person_codice_fiscale_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}"

    def age_on(self, day: date | None = None) -> int:
        day = day or timezone.localdate()
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def is_minor(self) -> bool:
        return self.age_on() < 18

    def current_membership(self) -> "HouseholdMember | None":
        return self.memberships.filter(until__isnull=True).select_related("household").first()


class PersonEvent(EventBase):
    """Append-only history of a person's record (registration, changes)."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", "Registrazione"
        UPDATED = "updated", "Modifica anagrafica"
        HOUSEHOLD_JOINED = "household_joined", "Ingresso in un nucleo"
        HOUSEHOLD_LEFT = "household_left", "Uscita da un nucleo"
        ISEE_DECLARED = "isee_declared", "Dichiarazione ISEE"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("tipo", max_length=30, choices=Kind.choices)

    class Meta(EventBase.Meta):
        verbose_name = "evento anagrafico"
        verbose_name_plural = "eventi anagrafici"


class Household(models.Model):
    """A nucleo familiare: who lives together, around a reference person."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="households")
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="households")
    address = models.CharField("indirizzo", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "nucleo familiare"
        verbose_name_plural = "nuclei familiari"

    def __str__(self) -> str:
        ref = self.reference_person
        return f"Nucleo {ref.full_name}" if ref else f"Nucleo n. {self.pk}"

    def current_members(self) -> models.QuerySet["HouseholdMember"]:
        return self.members.filter(until__isnull=True).select_related("person")

    @property
    def reference_person(self) -> Person | None:
        member = self.current_members().filter(relation=Relation.REFERENCE).first()
        return member.person if member else None


class Relation(models.TextChoices):
    """Relation to the household's reference person (as in the anagrafe's family sheet)."""

    REFERENCE = "intestatario", "Intestatario/a (persona di riferimento)"
    SPOUSE = "coniuge", "Coniuge o unito/a civilmente"
    PARTNER = "convivente", "Convivente"
    CHILD = "figlio", "Figlio/a"
    PARENT = "genitore", "Genitore"
    SIBLING = "fratello", "Fratello/sorella"
    GRANDCHILD = "nipote", "Nipote"
    GRANDPARENT = "nonno", "Nonno/a"
    OTHER_RELATIVE = "altro_parente", "Altro parente"
    OTHER = "altro", "Altro convivente"


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(
        "relazione con l'intestatario", max_length=20, choices=Relation.choices
    )
    since = models.DateField("dal", default=timezone.localdate)
    until = models.DateField("al", null=True, blank=True)

    class Meta:
        verbose_name = "componente del nucleo"
        verbose_name_plural = "componenti del nucleo"
        ordering = ["household", "since", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(until__isnull=True),
                name="member_one_current_household",
                violation_error_message="La persona fa già parte di un altro nucleo.",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(until__isnull=True, relation="intestatario"),
                name="member_one_reference_person",
                violation_error_message="Il nucleo ha già un intestatario.",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="member_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_relation_display()})"
