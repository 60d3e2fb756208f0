"""Helpers shared by the people tests."""

from datetime import date, timedelta

from ambito.people.actions import register_person
from ambito.people.models import Person


def register_namesakes(user, how_many):
    """Persons the user registered (so they see them), one surname, different birth dates:
    a search for «paginata» finds exactly `how_many`."""
    for day in range(how_many):
        register_person(
            ambito=user.operator.ambito,
            by=user,
            first_name="Prova",
            last_name="Paginata",
            missing_code_reason=Person.MissingCodeReason.FOREIGN,
            birth_date=date(1980, 1, 1) + timedelta(days=day),
            sex="F",
            comune_residenza=user.operator.comune,
        )
