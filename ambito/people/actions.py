"""Every change to persons and households: atomic, with its actor, leaving an event."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ambito.people import codice_fiscale as cf
from ambito.people.models import (
    Household,
    HouseholdMember,
    Person,
    PersonEvent,
    Relation,
)
from ambito.territory.models import Ambito, Comune


class PossibleDuplicates(Exception):
    """Persons with the same names and birth date exist: the operator must look before saving."""

    def __init__(self, candidates: list[Person]) -> None:
        super().__init__("Esistono persone con lo stesso nome, cognome e data di nascita.")
        self.candidates = candidates


def likely_duplicates(
    ambito: Ambito, *, first_name: str, last_name: str, birth_date: date
) -> list[Person]:
    return list(
        Person.objects.in_ambito(ambito).filter(
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            birth_date=birth_date,
        )
    )


def _duplicate_code() -> ValidationError:
    """Coded "unique", so that the API can tell a conflict (409) from invalid data (422)."""
    return ValidationError(
        {
            "codice_fiscale": ValidationError(
                "Esiste già una persona con questo codice fiscale.", code="unique"
            )
        }
    )


@transaction.atomic
def register_person(
    *,
    ambito: Ambito,
    by: Any,
    first_name: str,
    last_name: str,
    comune_residenza: Comune,
    codice_fiscale: str = "",
    missing_code_reason: str = "",
    missing_code_note: str = "",
    birth_date: date | None = None,
    sex: str = "",
    birthplace_name: str = "",
    citizenship: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    confirm_not_duplicate: bool = False,
) -> Person:
    """Registers a person in the Ambito's record.

    With a codice fiscale, birth date, sex and birthplace come from the code; without one, a
    reason is required (newborn, foreigner without a code…) and so are birth date and sex.
    Raises ValidationError (field → Italian message) or PossibleDuplicates.
    """
    if comune_residenza.ambito_id != ambito.pk:
        raise ValidationError(
            {"comune_residenza": "Il Comune di residenza non è di questo Ambito."}
        )
    fields: dict[str, Any] = {}
    if codice_fiscale.strip():
        try:
            decoded = cf.decode(codice_fiscale)
        except ValidationError as exc:
            raise ValidationError({"codice_fiscale": exc.error_list}) from exc
        if birth_date and birth_date != decoded.birth_date:
            raise ValidationError(
                {"birth_date": "La data di nascita non corrisponde al codice fiscale."}
            )
        if sex and sex != decoded.sex:
            raise ValidationError({"sex": "Il sesso non corrisponde al codice fiscale."})
        fields.update(
            codice_fiscale=decoded.code,
            birth_date=decoded.birth_date,
            sex=decoded.sex,
            birthplace_code=decoded.birthplace_code,
            birthplace_name=decoded.birthplace_name or birthplace_name,
        )
        if Person.objects.in_ambito(ambito).filter(codice_fiscale=decoded.code).exists():
            raise _duplicate_code()
    else:
        errors = {}
        if not missing_code_reason:
            errors["missing_code_reason"] = "Senza codice fiscale indicare il motivo."
        if birth_date is None:
            errors["birth_date"] = "Senza codice fiscale la data di nascita è obbligatoria."
        if sex not in ("M", "F"):
            errors["sex"] = "Senza codice fiscale il sesso è obbligatorio."
        if errors:
            raise ValidationError(errors)
        fields.update(
            codice_fiscale=None,
            missing_code_reason=missing_code_reason,
            missing_code_note=missing_code_note,
            birth_date=birth_date,
            sex=sex,
            birthplace_name=birthplace_name,
        )
    if fields["birth_date"] > timezone.localdate():
        raise ValidationError({"birth_date": "La data di nascita è nel futuro."})
    if not first_name.strip() or not last_name.strip():
        raise ValidationError("Nome e cognome sono obbligatori.")
    if not confirm_not_duplicate:
        candidates = likely_duplicates(
            ambito, first_name=first_name, last_name=last_name, birth_date=fields["birth_date"]
        )
        if candidates:
            raise PossibleDuplicates(candidates)
    person = Person(
        ambito=ambito,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        comune_residenza=comune_residenza,
        citizenship=citizenship,
        address=address,
        phone=phone,
        email=email,
        **fields,
    )
    person.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent registration of the same code
        raise _duplicate_code() from exc
    PersonEvent.objects.create(
        person=person,
        actor=by,
        kind=PersonEvent.Kind.REGISTERED,
        summary=f"Registrata {person.full_name}",
        data={
            "codice_fiscale": person.codice_fiscale,
            "missing_code_reason": person.missing_code_reason,
        },
    )
    return person


@transaction.atomic
def create_household(
    reference_person: Person,
    *,
    by: Any,
    comune: Comune | None = None,
    address: str = "",
    since: date | None = None,
) -> Household:
    """A new household around its reference person (intestatario)."""
    household = Household.objects.create(
        ambito=reference_person.ambito,
        comune=comune or reference_person.comune_residenza,
        address=address or reference_person.address,
    )
    add_household_member(
        household, by=by, person=reference_person, relation=Relation.REFERENCE, since=since
    )
    return household


@transaction.atomic
def add_household_member(
    household: Household, *, by: Any, person: Person, relation: str, since: date | None = None
) -> HouseholdMember:
    """Adds a person to a household. A person belongs to one household at a time."""
    if person.ambito_id != household.ambito_id:
        raise ValidationError("La persona e il nucleo appartengono ad Ambiti diversi.")
    if HouseholdMember.objects.filter(person=person, until__isnull=True).exists():
        raise ValidationError("La persona fa già parte di un altro nucleo.")
    if (
        relation == Relation.REFERENCE
        and household.current_members().filter(relation=Relation.REFERENCE).exists()
    ):
        raise ValidationError("Il nucleo ha già un intestatario.")
    member = HouseholdMember.objects.create(
        household=household,
        person=person,
        relation=relation,
        since=since or timezone.localdate(),
    )
    PersonEvent.objects.create(
        person=person,
        actor=by,
        kind=PersonEvent.Kind.HOUSEHOLD_JOINED,
        summary=f"Ingresso nel nucleo n. {household.pk} come {member.get_relation_display()}",
        data={"household": household.pk, "relation": relation},
    )
    return member
