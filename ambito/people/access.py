"""Gatekeepers for persons and households: the only way views and API reach them."""

from typing import Any

from django.http import Http404

from ambito.accounts.access import case_operator_of
from ambito.people.models import Household, Person, PersonQuerySet


def persons_visible_to(user: Any) -> PersonQuerySet:
    """Persons of the user's own Ambito, for roles that work on cases; nothing for the others."""
    op = case_operator_of(user)
    if op is None:
        return Person.objects.none()
    return Person.objects.in_ambito(op.ambito).select_related("comune_residenza")


def get_person_for_user(user: Any, pk: int) -> Person:
    """The person, or Http404 for both 'does not exist' and 'not yours'."""
    try:
        return persons_visible_to(user).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Persona non trovata.") from exc


def get_household_for_user(user: Any, pk: int) -> Household:
    op = case_operator_of(user)
    if op is None:
        raise Http404("Nucleo non trovato.")
    try:
        return Household.objects.select_related("comune").get(pk=pk, ambito=op.ambito)
    except (Household.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Nucleo non trovato.") from exc
