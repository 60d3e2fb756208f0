"""API of the people: register, search and read persons through the gatekeepers."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from ambito.accounts.access import require_case_operator
from ambito.api_common import (
    PAGE_SIZE,
    DuplicatesOut,
    ErrorOut,
    InvalidOut,
    paginate,
)
from ambito.people.access import (
    get_person_for_user,
    persons_visible_to,
    search_persons_for_user,
    visible_members,
)
from ambito.people.actions import register_person
from ambito.people.audit import log_person_search
from ambito.people.models import Household, HouseholdMember, Person, Sex
from ambito.territory.api import ComuneRef, comune_by_istat

router = Router(tags=["Persone"])


class PersonIn(Schema):
    codice_fiscale: str | None = None
    first_name: str
    last_name: str
    comune_residenza: str  # ISTAT code
    missing_code_reason: Person.MissingCodeReason | None = None
    missing_code_note: str | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    birthplace_name: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    citizenship: str | None = None
    confirm_not_duplicate: bool = False


class PersonSummary(Schema):
    id: int
    codice_fiscale: str | None
    last_name: str
    first_name: str
    birth_date: date
    sex: str
    comune_residenza: ComuneRef


class MemberOut(Schema):
    person_id: int
    last_name: str
    first_name: str
    relation: str
    relation_label: str
    since: date

    @staticmethod
    def resolve_last_name(member: HouseholdMember) -> str:
        return member.person.last_name

    @staticmethod
    def resolve_first_name(member: HouseholdMember) -> str:
        return member.person.first_name

    @staticmethod
    def resolve_relation_label(member: HouseholdMember) -> str:
        return member.get_relation_display()


class HouseholdOut(Schema):
    id: int
    address: str
    comune: ComuneRef
    members: list[MemberOut]

    @staticmethod
    def resolve_members(household: Household, context: dict[str, Any]) -> Any:
        """Only the members the caller sees: the others are not even named."""
        return visible_members(household, context["request"].user)


class PersonDetail(PersonSummary):
    missing_code_reason: str
    missing_code_note: str
    birthplace_code: str
    birthplace_name: str
    citizenship: str
    address: str
    phone: str
    email: str
    created_at: datetime
    household: HouseholdOut | None

    @staticmethod
    def resolve_household(person: Person) -> Household | None:
        membership = person.current_membership()
        return membership.household if membership else None


class PersonPage(Schema):
    """The page envelope of the other lists; a search (`q`) is not counted, because counting
    would evaluate the visibility rules a second time."""

    items: list[PersonSummary]
    count: int | None = Field(
        description="Le persone visibili all'operatore; `null` per una ricerca (`q`), che non "
        "le conta: usare `has_more`."
    )
    page: int
    pages: int | None = Field(description="Le pagine; `null` per una ricerca (`q`).")
    has_more: bool = Field(description="Se seguono altre pagine (`page` + 1).")


@router.post(
    "",
    response={201: PersonDetail, 403: ErrorOut, 409: DuplicatesOut | ErrorOut, 422: InvalidOut},
    summary="Registra una persona",
)
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    """Registra una persona nell'Ambito dell'operatore. Con il codice fiscale, data e luogo di
    nascita e sesso sono ricavati dal codice; senza, servono `missing_code_reason`, `birth_date`
    e `sex`. `comune_residenza` è il codice ISTAT di un Comune dell'Ambito.

    Se esistono persone con stessi nome, cognome e data di nascita la risposta è 409 con i loro
    `candidates`: verificarli e, se si tratta di un'altra persona, reinviare con
    `confirm_not_duplicate: true`. Un codice fiscale già registrato dà 409.
    """
    op = require_case_operator(request.user, "Il suo ruolo non consente di registrare persone.")
    fields = payload.model_dump(exclude_none=True, exclude={"comune_residenza"})
    person = register_person(
        ambito=op.ambito,
        by=request.user,
        comune_residenza=comune_by_istat(payload.comune_residenza, field="comune_residenza"),
        **fields,
    )
    return Status(201, person)


@router.get("", response=PersonPage, summary="Elenco e ricerca delle persone")
def list_persons(request: HttpRequest, q: str = "", page: int = Query(1, ge=1)) -> dict[str, Any]:
    """Le persone visibili all'operatore, per cognome e nome, 50 per pagina. `q` cerca per codice
    fiscale (anche solo l'inizio) o per parole del cognome e del nome.

    L'elenco senza `q` dà `count` e `pages`; una ricerca non conta le persone trovate e dà
    `count` e `pages` nulli: `has_more` dice se c'è una pagina successiva. Con più di 50
    risultati conviene restringere la ricerca.
    """
    order = ("last_name", "first_name", "pk")
    if not q.strip():
        result = paginate(persons_visible_to(request.user).order_by(*order), page)
        return {**result, "has_more": page < result["pages"]}
    found_persons = search_persons_for_user(request.user, q).order_by(*order)
    items, more = found_persons.page_without_count(page, PAGE_SIZE)
    found = (page - 1) * PAGE_SIZE + len(items)
    log_person_search(request.user, query=q.strip(), results=found, more=more)
    return {"items": items, "count": None, "page": page, "pages": None, "has_more": more}


@router.get(
    "/{person_id}", response={200: PersonDetail, 404: ErrorOut}, summary="Scheda della persona"
)
def get_person(request: HttpRequest, person_id: int) -> Person:
    """Una persona con il suo nucleo familiare attuale. 404 se non esiste o non è visibile."""
    return get_person_for_user(request.user, person_id)
