"""Who may do what with co-payment.

- The Regolamento ISEE is reference data of the Ambito: every operator of the Ambito reads it;
  only the Ufficio di Piano (planner) and the Ambito's system administrator adopt a version.
- The simulator computes on numbers the user types, no personal data: it is for those who
  explain tariffs to families (the operators who work on cases) and for the Ufficio di Piano.
- ISEE declarations are personal data (economic situation): they are read through the person
  gatekeeper (`ambito.people.access.get_person_for_user`, need-to-know) and recorded only by
  the operators who may change one of the person's cases (`cases.access.rules_for`), as any
  other change to the record.
- The monthly run: the Ufficio di Piano (planner) and the coordinators of the Ambito run a
  month and read its runs. What names a person follows the Piano di Zona rule (the planner
  works with aggregates only): the planner sees the totals by Comune and service, never a
  person's charge; per-person rows, letters and adjustments are reached through the cases the
  user sees (`cases_visible_to`): a coordinator sees the charges of their area's cases; a
  family's letter is also for the social workers who see the person's cases (all of them: a
  letter is never printed half). Only a coordinator who sees the case adjusts a charge. The
  per-Comune statement is for both: it names the persons of the charges the user sees and
  gathers the others in one row per service, so its totals are always the run's.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from ambito.accounts.access import CASE_ROLES, case_reader_of, operator_of
from ambito.accounts.audit import log_access
from ambito.accounts.models import AccessLog
from ambito.cases.access import cases_visible_to, rules_for
from ambito.copay.models import Charge, MonthlyRun
from ambito.organizations.models import Operator
from ambito.people.models import Household, Person

REGULATION_ROLES = frozenset({Operator.Role.PLANNER, Operator.Role.SYSADMIN})
SIMULATOR_ROLES = CASE_ROLES | {Operator.Role.PLANNER}
RUN_ROLES = frozenset({Operator.Role.PLANNER, Operator.Role.COORDINATOR})
LETTER_PURPOSE = "Lettera di compartecipazione"
ADJUST_PURPOSE = "Rettifica di un addebito di compartecipazione"


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


# --- the monthly run -----------------------------------------------------------------------


def run_operator_of(user: Any) -> Operator:
    """The caller's Operator when they may run a month and read the runs; PermissionDenied."""
    op = operator_of(user)
    if op is None or op.role not in RUN_ROLES:
        raise PermissionDenied(
            "Il calcolo mensile della compartecipazione è dell'Ufficio di Piano e dei "
            "coordinatori dell'Ambito."
        )
    return op


def get_run_for_user(user: Any, pk: Any) -> MonthlyRun:
    """A run of the user's Ambito (403 for the roles without runs, 404 for another Ambito's)."""
    op = run_operator_of(user)
    run = MonthlyRun.objects.filter(ambito_id=op.ambito_id, pk=_as_int(pk)).first()
    if run is None:
        raise Http404("Calcolo mensile non trovato.")
    return run


def charges_visible_to(user: Any, run: MonthlyRun) -> QuerySet[Charge]:
    """The run's charges whose case the user sees (none for the planner)."""
    return run.charges.filter(case__in=cases_visible_to(user).values("pk"))


def get_letter_for_user(user: Any, run_pk: Any, person_pk: Any) -> tuple[MonthlyRun, Person]:
    """The run and the person whose letter the user may print: someone who reads case content
    and sees every case the person's charges of the run come from; Http404 otherwise. The
    reading is logged in the access log."""
    op = case_reader_of(user)
    run = MonthlyRun.objects.filter(pk=_as_int(run_pk)).first()
    if op is None or run is None or run.ambito_id != op.ambito_id:
        raise Http404("Lettera non trovata.")
    charges = run.charges.filter(person_id=_as_int(person_pk))
    cases = set(charges.values_list("case_id", flat=True))
    visible = set(cases_visible_to(user).filter(pk__in=cases).values_list("pk", flat=True))
    if not cases or cases != visible:
        raise Http404("Lettera non trovata.")
    person = Person.objects.select_related("comune_residenza").get(pk=_as_int(person_pk))
    log_access(
        user,
        action=AccessLog.Action.READ,
        object_type="person",
        object_id=person.pk,
        person=person,
        purpose=LETTER_PURPOSE,
    )
    return run, person


def _adjustable_by(user: Any) -> QuerySet[Charge]:
    op = operator_of(user)
    if op is None or op.role != Operator.Role.COORDINATOR:
        raise PermissionDenied("Le rettifiche degli addebiti sono dei coordinatori dell'Ambito.")
    return Charge.objects.filter(run__ambito_id=op.ambito_id).filter(
        case__in=cases_visible_to(user).values("pk")
    )


def may_adjust_charge(user: Any, charge: Charge) -> bool:
    """Whether the user is a coordinator of the charge's Ambito who sees its case."""
    try:
        return _adjustable_by(user).filter(pk=charge.pk).exists()
    except PermissionDenied:
        return False


def get_charge_to_adjust(user: Any, pk: Any) -> Charge:
    """A charge the user may adjust: a coordinator of its Ambito who sees its case (403 for the
    other roles, 404 for a charge they do not see). The reading is logged."""
    charge = (
        _adjustable_by(user)
        .filter(pk=_as_int(pk))
        .select_related("run", "person", "service", "comune")
        .first()
    )
    if charge is None:
        raise Http404("Addebito non trovato.")
    log_access(
        user,
        action=AccessLog.Action.READ,
        object_type="case",
        object_id=charge.case_id,
        person=charge.person,
        purpose=ADJUST_PURPOSE,
    )
    return charge


def _as_int(pk: Any) -> int:
    """The id from a URL, a query string or a payload; 0 (no row has it) when not a number."""
    try:
        return int(pk)
    except (TypeError, ValueError):
        return 0
