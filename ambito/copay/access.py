"""Who may do what with co-payment.

- The Regolamento ISEE is reference data of the Ambito: every operator of the Ambito reads it;
  only the Ufficio di Piano (planner) and the Ambito's system administrator adopt a version.
- The simulator computes on numbers the user types, no personal data: it is for those who
  explain tariffs to families (the operators who work on cases) and for the Ufficio di Piano.
- ISEE declarations are personal data (economic situation): they are read through the person
  gatekeeper (`ambito.people.access.get_person_for_user`, need-to-know) and recorded only by
  the operators who may change one of the person's cases (`cases.access.rules_for`), as any
  other change to the record.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from ambito.accounts.access import CASE_ROLES, case_reader_of, operator_of
from ambito.cases.access import cases_visible_to, rules_for
from ambito.organizations.models import Operator
from ambito.people.models import Household, Person

REGULATION_ROLES = frozenset({Operator.Role.PLANNER, Operator.Role.SYSADMIN})
SIMULATOR_ROLES = CASE_ROLES | {Operator.Role.PLANNER}


def reader_of(user: Any) -> Operator:
    """The caller's Operator: every operator reads the regulation of their own Ambito."""
    op = operator_of(user)
    if op is None:
        raise PermissionDenied("Il suo account non è associato a un Ambito.")
    return op


def regulation_author_of(user: Any) -> Operator:
    """The caller's Operator when they may adopt the Ambito's regulation; PermissionDenied if
    not."""
    op = operator_of(user)
    if op is None or op.role not in REGULATION_ROLES:
        raise PermissionDenied(
            "Il regolamento ISEE è adottato dall'Ufficio di Piano o dall'amministratore di "
            "sistema dell'Ambito."
        )
    return op


def simulator_user_of(user: Any) -> Operator:
    """The caller's Operator when they may use the simulator; PermissionDenied if not."""
    op = operator_of(user)
    if op is None or op.role not in SIMULATOR_ROLES:
        raise PermissionDenied(
            "Il simulatore è per gli operatori che seguono le cartelle e per l'Ufficio di Piano."
        )
    return op


def may_declare_isee(user: Any, subject: Person | Household) -> bool:
    """Whether the user may change one of the cases of the person (of a current member of the
    household, or of the household itself)."""
    op = case_reader_of(user)
    if op is None or subject.ambito_id != op.ambito_id:
        return False
    if isinstance(subject, Person):
        of_subject = Q(person=subject)
    else:
        members = subject.current_members().values("person_id")
        of_subject = Q(household=subject) | Q(person__in=members)
    return cases_visible_to(user).filter(of_subject).filter(rules_for(op).may_change).exists()
