"""The authorization matrix: every page and API operation × every persona → what the server does.

One row per route and target record. `allowed` names the personas who get through the
gatekeepers (any status but 401/403/404 and the redirect to the login page); everyone else gets
`denied` (404: the same answer as for a record that does not exist; 403: a page or operation
their role does not have). Anonymous visitors are sent to the login page (pages) or get 401 (API).

A route without a row fails `test_every_route_has_a_row_in_the_matrix`: adding a page or an
operation means deciding, here, who may use it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from ambito.accounts.actions import issue_api_token
from ambito.cases.actions import add_document
from ambito.cases.models import (
    Access,
    Assessment,
    Case,
    CaseMember,
    CaseShare,
    CourtOrder,
    CourtReport,
    DocumentKind,
    Goal,
    Placement,
    Plan,
    SupervisedVisit,
)
from ambito.copay.tests.matrix_ids import copay_run_ids
from ambito.flows.tests.matrix_ids import flows_ids
from ambito.interventions.models import Intervention
from ambito.organizations.models import Area, Operator, ServiceUnit
from ambito.people.models import Household
from ambito.planning.tests.matrix_ids import planning_ids
from conftest import PERSONAS, client_for, persona

pytestmark = pytest.mark.django_db

CASE_WORKERS = frozenset({"anna", "luca", "paolo", "giulia", "sara"})
# Roles that never work on case content: their refusals are 403 where a role is checked.
NO_CASE_ROLES = frozenset({"marco", "elena", "admin", "dario"})
EVERYONE = frozenset(PERSONAS)
NOBODY: frozenset[str] = frozenset()
PUBLIC = "public"  # routes that answer without login


# --- the records the rows point at, found in the demo tenant ------------------------------------


def plain_case(comune: str) -> Case:
    """An open case of `comune`, not reserved, not shared, outside famiglia e minori, whose
    person lives there and has no case of another kind (so that only the Comune's social
    worker may see the person)."""
    candidates = Case.objects.open().filter(owner_comune__name=comune, reserved="")
    for case in candidates.exclude(area=Area.FAMILY_MINORS).order_by("pk"):
        cases = case.person.cases.all()
        if case.person.comune_residenza.name == comune and all(
            c.owner_comune_id == case.owner_comune_id
            and not c.reserved
            and not c.shares.exists()
            and c.area != Area.FAMILY_MINORS
            for c in cases
        ):
            return case
    raise AssertionError(f"no plain case in {comune}")


def shared_case() -> Case:
    return CaseShare.objects.filter(until__isnull=True).select_related("case").first().case  # type: ignore[union-attr]


def reserved_case() -> Case:
    return Case.objects.open().exclude(reserved="").order_by("pk").first()  # type: ignore[return-value]


def romano_case() -> Case:
    return Case.objects.open().filter(ambito__code="romano").order_by("pk").first()  # type: ignore[return-value]


TARGETS: dict[str, Callable[[], Case]] = {
    "caravaggio": lambda: plain_case("Caravaggio"),
    "treviglio": lambda: plain_case("Treviglio"),
    "shared": shared_case,
    "reserved": reserved_case,
    "romano": romano_case,
}


def pending_access(comune: str) -> Access:
    """The school's referral of a minor waiting at the Comune's desk (ambito.demo.accesses)."""
    pending = Access.objects.pending().filter(owner_comune__name=comune, area=Area.FAMILY_MINORS)
    return pending.order_by("pk").first()  # type: ignore[return-value]


# Accesses (segnalazioni) are targets of their own: seen by whoever received them, the
# operators of the desk that received them and the coordinator of their area.
ACCESS_TARGETS: dict[str, Callable[[], Access]] = {
    "access_treviglio": lambda: pending_access("Treviglio"),
    "access_romano": lambda: pending_access("Romano di Lombardia"),
}
ACCESS_READERS = {
    "access_treviglio": frozenset({"luca", "giulia"}),  # giulia: coordinator of the area
    "access_romano": frozenset({"sara"}),
}


def a_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("matrice.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def a_document(case: Case) -> int:
    """A document of the case that everyone who sees the case reads (not confidential)."""
    kind = DocumentKind.objects.get(ambito=case.ambito_id, code="altro")
    assert case.case_manager is not None
    by = case.case_manager.user
    return add_document(case, by=by, kind=kind, title="Matrice", uploaded_file=a_pdf()).pk


def ids_for(target: str, *, document: bool = False, copay_run: bool = False) -> dict[str, Any]:
    """The ids the row's URL and data name; `document`: a document of the case is made;
    `copay_run`: a monthly co-payment run with a charge on the case is made."""
    if target in ACCESS_TARGETS:
        return {"access_id": ACCESS_TARGETS[target]().pk, "case_id": 0}
    case = TARGETS[target]()
    member = CaseMember.objects.filter(case=case, until__isnull=True).first()
    share = CaseShare.objects.filter(case=case, until__isnull=True).first()
    household = case.household or Household.objects.filter(members__person=case.person).first()
    unit = ServiceUnit.objects.filter(ambito=case.ambito).order_by("pk").first()
    worker = Operator.objects.filter(ambito=case.ambito, role=Operator.Role.SOCIAL_WORKER)
    return {
        "case": case,
        "comune_istat": case.person.comune_residenza.istat_code,
        "codice_fiscale": case.person.codice_fiscale or "",
        "operator_id": worker.exclude(user=case.case_manager.user).order_by("pk")[0].pk,  # type: ignore[union-attr]
        "unit_id": unit.pk if unit else 0,
        "case_id": case.pk,
        "person_id": case.person_id,
        "household_id": household.pk if household else 0,
        "member_id": member.pk if member else 0,
        "share_id": share.pk if share else 0,
        "kind_id": DocumentKind.objects.get(ambito=case.ambito_id, code="altro").pk,
        "today": timezone.localdate().isoformat(),
        "file": a_pdf(),
        "document_id": a_document(case) if document else 0,
        **court_ids(case),
        **process_ids(case),
        **(copay_run_ids(case) if copay_run else {}),
    }


def court_ids(case: Case) -> dict[str, int]:
    """The case's first court order and its first report not yet sent (0 when none: the demo
    gives them to the reserved cases)."""
    order = CourtOrder.objects.filter(case=case).order_by("pk").first()
    report = CourtReport.objects.pending().filter(court_order=order).order_by("pk").first()
    return {"court_order_id": order.pk if order else 0, "report_id": report.pk if report else 0}


def process_ids(case: Case) -> dict[str, int]:
    """The first row of each part of the case process (0 when the case has none: rows that
    need one name the targets whose demo data have it)."""

    def first(queryset: Any) -> int:
        found = queryset.order_by("pk").first()
        return found.pk if found else 0

    plan = Plan.objects.filter(case=case).order_by("pk").first()
    return {
        "assessment_id": first(Assessment.objects.filter(case=case)),
        "plan_id": plan.pk if plan else 0,
        "goal_id": first(Goal.objects.filter(plan=plan)),
        "intervention_id": first(Intervention.objects.filter(plan=plan)),
        "placement_id": first(Placement.objects.filter(case=case)),
        "visit_id": first(SupervisedVisit.objects.filter(case=case)),
    }


# --- who may read and who may change each target ----------------------------------------------

COORDINATOR_OF_MINORS = "giulia"


def readers(target: str) -> frozenset[str]:
    case = TARGETS[target]()
    names = {
        "caravaggio": {"anna"},
        "treviglio": {"luca"},
        "shared": {"luca", "anna"},
        "reserved": {"paolo", "giulia"},
        "romano": {"sara"},
    }[target]
    if case.area == Area.FAMILY_MINORS and case.ambito.code == "treviglio":
        names.add(COORDINATOR_OF_MINORS)
    return frozenset(names)


def writers(target: str) -> frozenset[str]:
    # The recipients of a share read the case but do not change it.
    return readers(target) - ({"anna"} if target == "shared" else set())


@dataclass(frozen=True)
class Row:
    method: str
    route: str  # a URL name, or "api:METHOD /path/{param}" for API operations
    target: str | None = None
    allowed: frozenset[str] | Callable[[str], frozenset[str]] = EVERYONE
    denied: int | Callable[[str, str], int] = 404
    data: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)

    def allowed_for(self) -> frozenset[str]:
        if callable(self.allowed):
            assert self.target is not None
            return self.allowed(self.target)
        return self.allowed

    def denied_for(self, name: str) -> int:
        if callable(self.denied):
            return self.denied(self.target, name)  # type: ignore[arg-type]
        return self.denied


# The targets whose first intervention the demo entrusts to elena's cooperative.
ELENAS = ("caravaggio", "treviglio", "shared")


def plan_refusal(_target: str | None, name: str) -> int:
    """A Treviglio plan's object: the providers' role is refused (403), another Ambito's
    operator cannot know it (404)."""
    return 403 if name == "elena" else 404


def write_refusal(target: str, name: str) -> int:
    """Those who read the case but may not change it get 403; the others cannot know it: 404."""
    return 403 if name in readers(target) else 404


def create_refusal(target: str, name: str) -> int:
    """Creating checks the role first (403), then whether the person is visible (404)."""
    return 403 if name in NO_CASE_ROLES else 404


def household_readers(target: str) -> frozenset[str]:
    """A household is visible to whoever sees one of its current members: the readers of the
    case and the social worker of the Comune where the household lives."""
    case = TARGETS[target]()
    assert case.household is not None
    worker = {"Caravaggio": "anna", "Treviglio": "luca"}.get(case.household.comune.name, "")
    if case.ambito.code == "romano":
        worker = "sara"
    return readers(target) | ({worker} - {""})


def per_access(method: str, route: str, **extra: Any) -> list[Row]:
    return [Row(method, route, t, ACCESS_READERS.__getitem__, **extra) for t in ACCESS_TARGETS]


def per_case(
    method: str,
    route: str,
    who: Callable[[str], frozenset[str]] = readers,
    targets: tuple[str, ...] = tuple(TARGETS),
    **extra: Any,
) -> list[Row]:
    return [Row(method, route, target, who, **extra) for target in targets]


MATRIX: list[Row] = [
    # Pages every operator has (their own desk, account and notifications).
    Row("GET", "home"),
    Row("GET", "healthz", allowed=frozenset({PUBLIC})),
    Row("GET", "accounts:login", allowed=frozenset({PUBLIC})),
    Row("POST", "accounts:logout"),
    Row("GET", "accounts:verify"),
    Row("GET", "accounts:enrol"),
    Row("GET", "accounts:recovery_codes"),
    Row("GET", "accounts:password_change"),
    Row("GET", "accounts:password_change_done"),
    Row("GET", "accounts:notifications"),
    Row("POST", "accounts:notifications_read"),
    # Persons.
    Row("GET", "people:search", query={"q": "a"}),
    Row("GET", "people:register", allowed=CASE_WORKERS, denied=403),
    *per_case("GET", "people:detail"),
    *per_case("GET", "people:export_json"),
    *per_case("GET", "people:export_pdf"),
    *per_case("GET", "people:household", household_readers),
    # Cases.
    Row("GET", "cases:list"),
    *per_case("GET", "cases:open"),
    *per_case("GET", "cases:detail"),
    *per_case("POST", "cases:close", writers, denied=write_refusal),
    *per_case("POST", "cases:add_member", writers, denied=write_refusal),
    *per_case("POST", "cases:end_member", writers, targets=("reserved",), denied=write_refusal),
    *per_case("POST", "cases:share", writers, denied=write_refusal),
    *per_case("POST", "cases:end_share", writers, targets=("shared",), denied=write_refusal),
    *per_case("POST", "cases:reserve", writers, denied=write_refusal),
    *per_case("GET", "cases:break_glass"),
    # A folded add-form of the case page, opened (the diary's): only for those who may write.
    *per_case("GET", "cases:form", writers, denied=write_refusal),
    # The diary and documents of a case: its readers read, its writers write.
    *per_case(
        "POST",
        "cases:add_diary",
        writers,
        denied=write_refusal,
        data={"date": "{today}", "kind": "colloquio", "text": "Colloquio"},
    ),
    *per_case(
        "POST",
        "cases:add_document",
        writers,
        denied=write_refusal,
        data={"kind": "{kind_id}", "title": "Matrice", "file": "{file}"},
    ),
    *per_case("GET", "cases:document"),
    # Court orders: case content, read by the case's readers, recorded by its writers.
    *per_case(
        "POST",
        "cases:add_court_order",
        writers,
        denied=write_refusal,
        data={"authority": "2", "issued_on": "{today}", "summary": "Decreto"},
    ),
    *per_case(
        "POST",
        "cases:add_court_report",
        writers,
        targets=("reserved",),
        denied=write_refusal,
        data={"court_order": "{court_order_id}", "due_on": "{today}", "description": "Relazione"},
    ),
    *per_case(
        "POST",
        "cases:court_report_sent",
        writers,
        targets=("reserved",),
        denied=write_refusal,
        data={"sent_on": "{today}"},
    ),
    # --- assessments (pages) ---
    # A new assessment is a change to the case (its form included); one assessment is read by
    # the case's readers (the demo gives assessments to the reserved and the shared cases).
    *per_case(
        "GET",
        "cases:new_assessment",
        writers,
        denied=write_refusal,
        query={"strumento": "barthel"},
    ),
    *per_case(
        "POST",
        "cases:new_assessment",
        writers,
        denied=write_refusal,
        data={"date": "{today}"},
    ),
    *per_case("GET", "cases:assessment", targets=("reserved", "shared")),
    # --- plans and interventions (pages) ---
    *per_case("GET", "cases:new_plan", writers, denied=write_refusal),
    *per_case("GET", "cases:new_review", writers, denied=write_refusal),
    *per_case(
        "POST",
        "cases:plan_agree",
        writers,
        denied=write_refusal,
        data={"decision": "sottoscritto", "agreed_on": "{today}", "agreed_by": "Matrice"},
    ),
    *per_case(
        "POST",
        "cases:plan_end",
        writers,
        denied=write_refusal,
        data={"ends_on": "{today}", "reason": "Matrice"},
    ),
    *per_case(
        "POST",
        "cases:add_goal",
        writers,
        denied=write_refusal,
        data={"description": "Matrice", "expected_result": "Matrice"},
    ),
    *per_case("POST", "cases:add_intervention", writers, denied=write_refusal),
    *per_case(
        "POST",
        "cases:intervention_start",
        writers,
        denied=write_refusal,
        data={"starts_on": "{today}"},
    ),
    *per_case("POST", "cases:intervention_suspend", writers, denied=write_refusal),
    *per_case("POST", "cases:intervention_resume", writers, denied=write_refusal),
    *per_case(
        "POST",
        "cases:intervention_end",
        writers,
        denied=write_refusal,
        data={"ends_on": "{today}", "reason": "Matrice"},
    ),
    # --- protection and closure (pages) ---
    # Reopening answers an open target with an error on the page: the gatekeeper lets it in.
    *per_case(
        "POST",
        "cases:reopen",
        writers,
        denied=write_refusal,
        data={"reason": "Matrice", "opened_on": "{today}"},
    ),
    *per_case(
        "POST", "cases:mandate", writers, denied=write_refusal, data={"mandate": "consensuale"}
    ),
    *per_case("POST", "cases:adi", writers, denied=write_refusal, data={"pad_on": "{today}"}),
    *per_case("POST", "cases:add_placement", writers, denied=write_refusal),
    *per_case(
        "POST",
        "cases:end_placement",
        writers,
        targets=("reserved",),
        denied=write_refusal,
        data={"ends_on": "{today}", "outcome": "1"},
    ),
    *per_case("POST", "cases:schedule_visit", writers, denied=write_refusal),
    *per_case(
        "POST",
        "cases:record_visit",
        writers,
        targets=("reserved",),
        denied=write_refusal,
        data={"status": "annullato"},
    ),
    # --- copay (pages) ---
    # An ISEE declaration from the person page: who sees the person and may change one of
    # their cases records it; the readers who may not change it get 403, the others 404.
    *per_case(
        "POST",
        "copay:declare_isee",
        writers,
        denied=write_refusal,
        data={
            "subject": "persona",
            "isee_type": "ordinario",
            "protocol": "INPS-ISEE-2026-00012345A-00",
            "dsu_date": "2026-01-15",
            "value": "9000",
        },
    ),
    # The simulator computes on typed numbers: for those who work on cases and the Ufficio di
    # Piano. The regulation is reference data of the Ambito: every operator reads it.
    Row("GET", "copay:simulator", allowed=CASE_WORKERS | {"marco"}, denied=403),
    Row("GET", "copay:regulations"),
    # --- deliveries (pages) ---
    # Finally somewhere for elena: the interventions entrusted to her cooperative, their months,
    # the upload and its template. No other role has these pages (403). The coordinator approves
    # the providers' months (all areas of her Ambito).
    Row("GET", "deliveries:list", allowed=frozenset({"elena"}), denied=403),
    Row("GET", "deliveries:upload", allowed=frozenset({"elena"}), denied=403),
    Row("POST", "deliveries:upload", allowed=frozenset({"elena"}), denied=403),
    Row("GET", "deliveries:template", allowed=frozenset({"elena"}), denied=403),
    Row("GET", "deliveries:months", allowed=frozenset({"giulia"}), denied=403),
    Row("POST", "deliveries:approve", allowed=frozenset({"giulia"}), denied=403),
    # A month's units: the case's writers, and elena where the demo entrusts the target's first
    # intervention to her cooperative (caravaggio, treviglio, shared; reserved: La Sorgente).
    *per_case(
        "POST",
        "deliveries:record",
        lambda t: writers(t) | ({"elena"} if t in ELENAS else set()),
        denied=write_refusal,
        data={"month": "2000-01", "units": "1"},
    ),
    *per_case("POST", "cases:intervention_provider", writers, denied=write_refusal),
    # --- planning (pages) ---
    # The Piano di Zona (planning.access): every operator of the Ambito but the providers'
    # reads it (elena: 403); sara, of another Ambito, lists her Ambito's plans and finds none
    # of the demo plan of Treviglio's objects (404). Only the Ufficio di Piano writes: the
    # others get 403 (the role is checked first).
    Row("GET", "planning:plans", allowed=EVERYONE - {"elena"}, denied=403),
    *[
        Row("GET", route, allowed=EVERYONE - {"elena", "sara"}, denied=plan_refusal)
        for route in (
            "planning:dashboard",
            "planning:document",
            "planning:document_xlsx",
            "planning:objective",
            "planning:evaluation",
            "planning:indicator",
        )
    ],
    Row(
        "POST",
        "planning:action_status",
        allowed=frozenset({"marco"}),
        denied=403,
        data={"action": "{action_id}", "status": "avviata", "note": "Matrice"},
    ),
    Row(
        "POST",
        "planning:add_indicator",
        allowed=frozenset({"marco"}),
        denied=403,
        data={
            "name": "Accessi della matrice",
            "level": "risultato",
            "measure": "accesses",
            "direction": "almeno",
            "target": "5",
            "deadline": "2027-12-31",
        },
    ),
    Row(
        "POST",
        "planning:record_value",
        allowed=frozenset({"marco"}),
        denied=403,
        data={"year": "2025", "value": "1", "evidence": "Matrice"},
    ),
    Row(
        "POST",
        "planning:evaluation",
        allowed=frozenset({"marco"}),
        denied=403,
        data={"answered_need": "si", "why": "Matrice"},
    ),
    # --- knowledge report (pages) ---
    # Aggregates only, for the Ufficio di Piano and the coordinators (planning.access.
    # report_reader_of): every other role, sara's included, gets 403.
    *[
        Row("GET", route, allowed=frozenset({"marco", "giulia"}), denied=403, query={"anno": 2025})
        for route in ("knowledge:report", "knowledge:pdf", "knowledge:xlsx")
    ],
    # --- flows (pages) ---
    # The national flows (ambito.flows.access): the Ufficio di Piano and the coordinators read
    # the outbox, a flow and what waits for data; the Ufficio di Piano alone publishes, builds
    # the manual files and downloads XML (beneficiaries' data). Other roles: 403.
    Row("GET", "flows:outbox", allowed=frozenset({"marco", "giulia"}), denied=403),
    Row("GET", "flows:waiting", allowed=frozenset({"marco", "giulia"}), denied=403),
    Row("GET", "flows:flow", allowed=frozenset({"marco", "giulia"}), denied=403),
    Row("GET", "flows:flow_xml", allowed=frozenset({"marco"}), denied=403),
    Row("GET", "flows:manual_file", allowed=frozenset({"marco"}), denied=403),
    Row(
        "POST",
        "flows:publish",
        allowed=frozenset({"marco"}),
        denied=403,
        data={"month": "2025-06"},
    ),
    Row(
        "POST",
        "flows:build_manual_file",
        allowed=frozenset({"marco"}),
        denied=403,
        data={
            "kind": "PS_PSA_SINA",
            "ente_code": "{ente_code}",
            "period_start": "2000-01-01",
            "period_end": "2000-01-31",
        },
    ),
    # --- copay run (pages) ---
    # The Ufficio di Piano and the coordinators run months and read runs (totals by Comune and
    # service, the statements); letters name persons: for who sees the case (the planner gets
    # 404); adjustments for the coordinator who sees the case (other roles 403). The run is
    # made on the spot with a charge on the target (copay.tests.matrix_ids).
    Row("GET", "copay:runs", allowed=frozenset({"marco", "giulia"}), denied=403),
    Row(
        "POST",
        "copay:run_month",
        allowed=frozenset({"marco", "giulia"}),
        denied=403,
        data={"month": "2025-06"},
    ),
    *per_case(
        "GET",
        "copay:run",
        lambda target: frozenset({"marco", "giulia"}),
        targets=("treviglio",),
        denied=403,
    ),
    *per_case(
        "GET",
        "copay:comune_statement",
        lambda target: frozenset({"marco", "giulia"}),
        targets=("treviglio",),
        denied=403,
        query={"comune": "{comune_id}"},
    ),
    *per_case(
        "GET",
        "copay:letter",
        targets=("treviglio", "reserved"),
        query={"persona": "{charged_person_id}"},
    ),
    *per_case(
        "GET",
        "copay:adjust",
        lambda target: readers(target) & {COORDINATOR_OF_MINORS},
        targets=("treviglio", "reserved"),
        denied=lambda target, name: 404 if name == COORDINATOR_OF_MINORS else 403,
    ),
    # The deadlines of the cases one answers for: only roles that read case content.
    Row("GET", "deadlines:list", allowed=CASE_WORKERS, denied=404),
    # Accesses (first contacts and referrals).
    Row("GET", "accesses:list"),
    Row("GET", "accesses:new", allowed=CASE_WORKERS, denied=403),
    *per_access("GET", "accesses:detail"),
    *per_access("POST", "accesses:close", data={"outcome": "informazione"}),
    *per_access("POST", "accesses:open_case"),
    *per_access("POST", "accesses:link", data={"case": 0}),
    # Aggregates without names, and the access log.
    Row("GET", "stats:cases", allowed=frozenset({"marco", "giulia"})),
    Row("GET", "dpo:log", allowed=frozenset({"dario"})),
    Row("GET", "dpo:log_csv", allowed=frozenset({"dario"})),
    *per_case("GET", "dpo:subject", lambda target: frozenset({"dario"}), targets=("caravaggio",)),
    *per_case(
        "GET", "dpo:subject_pdf", lambda target: frozenset({"dario"}), targets=("caravaggio",)
    ),
    # The API.
    Row("GET", "api:GET /api/v1/comuni"),
    Row(
        "POST",
        "api:POST /api/v1/persons",
        "caravaggio",
        lambda target: CASE_WORKERS,
        denied=403,
        data={
            "first_name": "Prova",
            "last_name": "Matrice",
            "comune_residenza": "{comune_istat}",
            "missing_code_reason": "straniero",
            "birth_date": "1990-01-01",
            "sex": "F",
        },
    ),
    Row("GET", "api:GET /api/v1/persons", query={"q": "a"}),
    *per_case("GET", "api:GET /api/v1/persons/{person_id}"),
    Row("GET", "api:GET /api/v1/cases"),
    *per_case(
        "POST",
        "api:POST /api/v1/cases",
        readers,
        denied=create_refusal,
        data={"area": Area.WORK, "person_id": "{person_id}"},
    ),
    *per_case("GET", "api:GET /api/v1/cases/{case_id}"),
    *per_case("GET", "api:GET /api/v1/cases/{case_id}/events"),
    *per_case("GET", "api:GET /api/v1/cases/{case_id}/members"),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/members",
        writers,
        denied=write_refusal,
        data={"operator": "{operator_id}"},
    ),
    *per_case(
        "DELETE",
        "api:DELETE /api/v1/cases/{case_id}/members/{member_id}",
        writers,
        targets=("reserved",),
        denied=write_refusal,
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/members/{member_id}/end",
        writers,
        targets=("reserved",),
        denied=write_refusal,
    ),
    *per_case("GET", "api:GET /api/v1/cases/{case_id}/shares"),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/shares",
        writers,
        denied=write_refusal,
        data={"unit": "{unit_id}", "reason": "Presa in carico"},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/shares/{share_id}/end",
        writers,
        targets=("shared",),
        denied=write_refusal,
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/reserved",
        writers,
        denied=write_refusal,
        data={"reserved": "violenza", "reason": "Richiesta della persona"},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/break-glass",
        data={"reason": "Urgenza: la persona è in pronto soccorso e serve il contatto"},
    ),
    *per_case("GET", "api:GET /api/v1/cases/{case_id}/diary"),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/diary",
        writers,
        denied=write_refusal,
        data={"date": "{today}", "kind": "colloquio", "text": "Colloquio"},
    ),
    *per_case("GET", "api:GET /api/v1/cases/{case_id}/documents"),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/documents",
        writers,
        denied=write_refusal,
        data={"kind": "altro", "title": "Matrice", "file": "{file}"},
    ),
    *per_case("GET", "api:GET /api/v1/cases/{case_id}/documents/{document_id}/file"),
    Row("GET", "api:GET /api/v1/stats/cases", allowed=frozenset({"marco", "giulia"}), denied=403),
    *per_case("GET", "api:GET /api/v1/cases/{case_id}/court-orders"),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/court-orders",
        writers,
        denied=write_refusal,
        data={"authority": "2", "issued_on": "{today}", "summary": "Decreto"},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/court-reports/{report_id}/sent",
        writers,
        targets=("reserved",),
        denied=write_refusal,
    ),
    # --- assessments (API) ---
    # The instruments are reference data: every operator reads them.
    Row("GET", "api:GET /api/v1/instruments"),
    *per_case("GET", "api:GET /api/v1/cases/{case_id}/assessments"),
    *per_case(
        "GET",
        "api:GET /api/v1/cases/{case_id}/assessments/{assessment_id}",
        targets=("reserved", "shared"),
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/assessments",
        writers,
        denied=write_refusal,
        data={"instrument": "barthel", "date": "{today}", "answers": {}},
    ),
    # --- plans and interventions (API) ---
    # The catalogue of the caller's Ambito: configuration every operator reads.
    Row("GET", "api:GET /api/v1/services"),
    *per_case("GET", "api:GET /api/v1/cases/{case_id}/plans"),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/plans",
        writers,
        denied=write_refusal,
        data={
            "kind": "pai",
            "starts_on": "{today}",
            "goals": [{"description": "Matrice", "expected_result": "Matrice"}],
        },
    ),
    *per_case("GET", "api:GET /api/v1/plans/{plan_id}"),
    *per_case(
        "POST",
        "api:POST /api/v1/plans/{plan_id}/agreement",
        writers,
        denied=write_refusal,
        data={"agreed_on": "{today}", "agreed_by": "Matrice"},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/plans/{plan_id}/end",
        writers,
        denied=write_refusal,
        data={"ends_on": "{today}", "reason": "Matrice"},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/plans/{plan_id}/goals",
        writers,
        denied=write_refusal,
        data={"description": "Matrice", "expected_result": "Matrice"},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/plans/{plan_id}/reviews",
        writers,
        denied=write_refusal,
        data={"date": "{today}", "goals": []},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/plans/{plan_id}/interventions",
        writers,
        denied=write_refusal,
        data={"service": "sad"},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/interventions/{intervention_id}/start",
        writers,
        denied=write_refusal,
        data={"starts_on": "{today}"},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/interventions/{intervention_id}/suspend",
        writers,
        denied=write_refusal,
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/interventions/{intervention_id}/resume",
        writers,
        denied=write_refusal,
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/interventions/{intervention_id}/end",
        writers,
        denied=write_refusal,
        data={"ends_on": "{today}", "reason": "Matrice"},
    ),
    # --- protection and closure (API) ---
    Row("GET", "api:GET /api/v1/closure-codes"),
    # Bodies valid for the schema: ninja checks them before the gatekeeper runs.
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/close",
        writers,
        denied=write_refusal,
        data={"reason_code": "A8"},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/reopen",
        writers,
        denied=write_refusal,
        data={"reason": "Matrice"},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/mandate",
        writers,
        denied=write_refusal,
        data={"mandate": "consensuale"},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/adi",
        writers,
        denied=write_refusal,
        data={"pad_on": "{today}"},
    ),
    *per_case("GET", "api:GET /api/v1/cases/{case_id}/placements"),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/placements",
        writers,
        denied=write_refusal,
        data={
            "kind": "affido",
            "form": "1",
            "placed_with": "Matrice",
            "starts_on": "{today}",
            "foster_type": "1",
            "foster_duration": "1",
            "foster_character": "1",
        },
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/placements/{placement_id}/end",
        writers,
        targets=("reserved",),
        denied=write_refusal,
        data={"ends_on": "{today}", "outcome": "1"},
    ),
    *per_case("GET", "api:GET /api/v1/cases/{case_id}/visits"),
    *per_case(
        "POST",
        "api:POST /api/v1/cases/{case_id}/visits",
        writers,
        denied=write_refusal,
        data={
            "scheduled_at": "2026-01-01T10:00:00",
            "place": "Spazio neutro",
            "visitor": "Matrice",
            "facilitator": "{operator_id}",
        },
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/visits/{visit_id}/outcome",
        writers,
        targets=("reserved",),
        denied=write_refusal,
        data={"status": "annullato"},
    ),
    # --- copay (API) ---
    # The regulation: read by every operator of the Ambito, adopted by the Ufficio di Piano or
    # the system administrator; the simulator as its page. (A target only to date the body.)
    Row("GET", "api:GET /api/v1/copay/regulations"),
    Row(
        "POST",
        "api:POST /api/v1/copay/regulations",
        "treviglio",
        lambda target: frozenset({"marco", "admin"}),
        denied=403,
        data={
            "title": "Regolamento ISEE (matrice)",
            "adopted_by": "Assemblea dei Sindaci",
            "effective_from": "{today}",
            "schemes": [
                {
                    "service": "tis",
                    "isee_type": "ordinario",
                    "unit_cost": "100.00",
                    "bands": [
                        {"isee_from": 0, "isee_to": 10000, "tariff_from": 0, "tariff_to": 10}
                    ],
                }
            ],
        },
    ),
    Row(
        "POST",
        "api:POST /api/v1/copay/simulate",
        "treviglio",
        lambda target: CASE_WORKERS | {"marco"},
        denied=403,
        data={"service": "sad", "isee": "9000", "units": 1, "date": "{today}"},
    ),
    # ISEE declarations: the person's readers read them, the writers of the case record them.
    *per_case("GET", "api:GET /api/v1/persons/{person_id}/isee"),
    *per_case(
        "POST",
        "api:POST /api/v1/persons/{person_id}/isee",
        writers,
        denied=write_refusal,
        data={
            "isee_type": "ordinario",
            "protocol": "INPS-ISEE-2026-00012345A-00",
            "dsu_date": "2026-01-15",
            "value": "9000",
        },
    ),
    # --- deliveries (API) ---
    # The INPS benefit codes: reference data every operator reads.
    Row("GET", "api:GET /api/v1/benefit-codes"),
    # elena uploads her cooperative's file (a PDF here: 422, let through); the others get 403.
    Row(
        "POST",
        "api:POST /api/v1/deliveries/upload",
        "caravaggio",
        lambda target: frozenset({"elena"}),
        denied=403,
        data={"file": "{file}"},
    ),
    # Everyone gets the month's deliveries they see (none for the roles without any).
    Row("GET", "api:GET /api/v1/deliveries", query={"month": "2026-10"}),
    *per_case(
        "POST",
        "api:POST /api/v1/interventions/{intervention_id}/deliveries",
        lambda t: writers(t) | ({"elena"} if t in ELENAS else set()),
        denied=write_refusal,
        data={"month": "2000-01", "units": "1"},
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/interventions/{intervention_id}/provider",
        writers,
        # elena sees the interventions entrusted to her cooperative but assigns none: 403.
        denied=lambda t, name: 403 if name == "elena" and t in ELENAS else write_refusal(t, name),
        data={"provider": 0},
    ),
    Row(
        "POST",
        "api:POST /api/v1/deliveries/approve",
        allowed=frozenset({"giulia"}),
        denied=403,
        data={"ente": 0, "month": "2000-01"},
    ),
    # The Ambito's providers and units of offer: configuration every operator reads.
    Row("GET", "api:GET /api/v1/providers"),
    # --- planning (API) ---
    # As the pages: every operator of the Ambito but elena (403) reads; sara lists her own
    # Ambito's plans and the catalogue of measures, and gets 404 on Treviglio's plan, card and
    # indicator. Only marco writes, the others get 403 (the role first). marco's value on the
    # computed indicator the URL names is refused with 422: let through.
    Row("GET", "api:GET /api/v1/planning/plans", allowed=EVERYONE - {"elena"}, denied=403),
    Row("GET", "api:GET /api/v1/planning/measures", allowed=EVERYONE - {"elena"}, denied=403),
    *[
        Row("GET", route, allowed=EVERYONE - {"elena", "sara"}, denied=plan_refusal)
        for route in (
            "api:GET /api/v1/planning/plans/{plan_id}",
            "api:GET /api/v1/planning/objectives/{objective_id}",
            "api:GET /api/v1/planning/indicators/{indicator_id}",
        )
    ],
    *[
        Row("POST", route, allowed=frozenset({"marco"}), denied=403, data=data)
        for route, data in (
            ("api:POST /api/v1/planning/objectives/{objective_id}", {"epigraph": "Matrice"}),
            (
                "api:POST /api/v1/planning/objectives/{objective_id}/actions/{action_id}/status",
                {"status": "avviata", "note": "Matrice"},
            ),
            (
                "api:POST /api/v1/planning/objectives/{objective_id}/indicators",
                {
                    "code": "matrice",
                    "name": "Matrice",
                    "kind": "manuale",
                    "target": "1",
                    "deadline": "2027-12-31",
                },
            ),
            (
                "api:POST /api/v1/planning/indicators/{indicator_id}/values",
                {"year": 2025, "value": "1", "evidence": "Matrice"},
            ),
            ("api:POST /api/v1/planning/plans/{plan_id}/snapshot", {}),
            (
                "api:POST /api/v1/planning/surveys",
                {"title": "Matrice", "held_on": "2025-06-01", "respondents": 10, "satisfied": 8},
            ),
        )
    ],
    # --- knowledge report (API) ---
    *[
        Row(
            "GET",
            f"api:GET /api/v1/planning/knowledge-report{suffix}",
            allowed=frozenset({"marco", "giulia"}),
            denied=403,
            query={"year": 2025},
        )
        for suffix in ("", ".pdf", ".xlsx")
    ],
    # --- flows (API) ---
    Row("GET", "api:GET /api/v1/flows", allowed=frozenset({"marco", "giulia"}), denied=403),
    Row(
        "GET",
        "api:GET /api/v1/flows/{flow_pk}",
        allowed=frozenset({"marco", "giulia"}),
        denied=403,
    ),
    Row("GET", "api:GET /api/v1/flows/{flow_pk}/xml", allowed=frozenset({"marco"}), denied=403),
    Row(
        "GET",
        "api:GET /api/v1/flows/waiting",
        allowed=frozenset({"marco", "giulia"}),
        denied=403,
        query={"month": "2025-06"},
    ),
    Row(
        "POST",
        "api:POST /api/v1/flows/publish",
        allowed=frozenset({"marco"}),
        denied=403,
        data={"month": "2025-06"},
    ),
    Row(
        "GET",
        "api:GET /api/v1/flows/manual-files",
        allowed=frozenset({"marco", "giulia"}),
        denied=403,
    ),
    Row(
        "POST",
        "api:POST /api/v1/flows/manual-files",
        allowed=frozenset({"marco"}),
        denied=403,
        data={
            "kind": "PS_PSA_SINA",
            "ente_code": "{ente_code}",
            "period_start": "2000-01-01",
            "period_end": "2000-01-31",
        },
    ),
    Row(
        "GET",
        "api:GET /api/v1/flows/manual-files/{manual_file_pk}/xml",
        allowed=frozenset({"marco"}),
        denied=403,
    ),
    # --- copay run (API) ---
    Row(
        "POST",
        "api:POST /api/v1/copay/runs",
        allowed=frozenset({"marco", "giulia"}),
        denied=403,
        data={"month": "2025-06"},
    ),
    *per_case(
        "GET",
        "api:GET /api/v1/copay/runs/{run_id}",
        lambda target: frozenset({"marco", "giulia"}),
        targets=("treviglio",),
        denied=403,
    ),
    *per_case(
        "GET",
        "api:GET /api/v1/copay/runs/{run_id}/charges",
        lambda target: frozenset({"giulia"}),
        targets=("treviglio",),
        denied=403,
    ),
    *per_case(
        "POST",
        "api:POST /api/v1/copay/charges/{charge_id}/adjust",
        lambda target: readers(target) & {COORDINATOR_OF_MINORS},
        targets=("treviglio", "reserved"),
        denied=lambda target, name: 404 if name == COORDINATOR_OF_MINORS else 403,
        data={"user_share": "0.00", "reason": "Matrice"},
    ),
    # As GET /cases: an empty list for the roles without case content.
    Row("GET", "api:GET /api/v1/deadlines"),
    Row(
        "POST",
        "api:POST /api/v1/accesses",
        allowed=CASE_WORKERS,
        denied=403,
        data={"channel": "telefono", "source": "6", "request": "Informazioni", "area": "poverta"},
    ),
    Row("GET", "api:GET /api/v1/accesses"),
    *per_access("GET", "api:GET /api/v1/accesses/{access_id}"),
    *per_access("POST", "api:POST /api/v1/accesses/{access_id}/open-case"),
    *per_access(
        "POST", "api:POST /api/v1/accesses/{access_id}/close", data={"outcome": "informazione"}
    ),
    *per_access(
        "POST", "api:POST /api/v1/accesses/{access_id}/link", data={"case_id": "{case_id}"}
    ),
]


# --- running a row ----------------------------------------------------------------------------

URL_KWARGS = {
    "people:detail": ("person_id", "pk"),
    "people:export_json": ("person_id", "pk"),
    "people:export_pdf": ("person_id", "pk"),
    "people:household": ("household_id", "pk"),
    # copay (URL kwargs)
    "copay:declare_isee": ("person_id", "pk"),
    # planning (URL kwargs)
    "planning:dashboard": ("plan_id", "pk"),
    "planning:document": ("plan_id", "pk"),
    "planning:document_xlsx": ("plan_id", "pk"),
    "planning:objective": ("objective_id", "pk"),
    "planning:action_status": ("objective_id", "pk"),
    "planning:add_indicator": ("objective_id", "pk"),
    "planning:evaluation": ("objective_id", "pk"),
    "planning:indicator": ("indicator_id", "pk"),
    "planning:record_value": ("manual_indicator_id", "pk"),
    # knowledge report (URL kwargs)
    # flows (URL kwargs)
    "flows:flow": ("flow_pk", "pk"),
    "flows:flow_xml": ("flow_pk", "pk"),
    "flows:manual_file": ("manual_file_pk", "pk"),
    # copay run (URL kwargs)
    "copay:run": ("run_id", "pk"),
    "copay:comune_statement": ("run_id", "pk"),
    "copay:letter": ("run_id", "pk"),
    "copay:adjust": ("charge_id", "pk"),
}


# The case pages' URL kwargs beyond the case's pk: kwarg → key of ids_for.
CASE_URL_KWARGS: dict[str, dict[str, str]] = {
    "cases:end_member": {"member_pk": "member_id"},
    "cases:end_share": {"share_pk": "share_id"},
    "cases:document": {"document_pk": "document_id"},
    "cases:court_report_sent": {"report_pk": "report_id"},
    # assessments (URL kwargs)
    "cases:assessment": {"assessment_pk": "assessment_id"},
    # plans and interventions (URL kwargs)
    "cases:new_review": {"plan_pk": "plan_id"},
    "cases:plan_agree": {"plan_pk": "plan_id"},
    "cases:plan_end": {"plan_pk": "plan_id"},
    "cases:add_goal": {"plan_pk": "plan_id"},
    "cases:add_intervention": {"plan_pk": "plan_id"},
    "cases:intervention_start": {"intervention_pk": "intervention_id"},
    "cases:intervention_suspend": {"intervention_pk": "intervention_id"},
    "cases:intervention_resume": {"intervention_pk": "intervention_id"},
    "cases:intervention_end": {"intervention_pk": "intervention_id"},
    # protection and closure (URL kwargs)
    "cases:end_placement": {"placement_pk": "placement_id"},
    "cases:record_visit": {"visit_pk": "visit_id"},
    # deliveries (URL kwargs)
    "cases:intervention_provider": {"plan_pk": "plan_id"},
    "deliveries:record": {"pk": "intervention_id"},
}


def page_url(row: Row, ids: dict[str, Any]) -> str:
    if row.route in URL_KWARGS:
        key, kwarg = URL_KWARGS[row.route]
        return reverse(row.route, kwargs={kwarg: ids[key]})
    if row.route == "cases:open":
        return reverse(row.route) + f"?persona={ids['person_id']}"
    if row.target is None or row.route.startswith("dpo:"):
        return reverse(row.route)
    if row.route.startswith("accesses:"):
        return reverse(row.route, kwargs={"pk": ids["access_id"]})
    kwargs = {"pk": ids["case_id"]}
    for kwarg, key in CASE_URL_KWARGS.get(row.route, {}).items():
        kwargs[kwarg] = ids[key]
    if row.route == "cases:form":
        kwargs["name"] = "diario"  # every open case offers the diary's form
    return reverse(row.route, kwargs=kwargs)


def api_url(row: Row, ids: dict[str, Any]) -> str:
    return row.route.split(" ", 1)[1].format(**ids)


def fill(value: Any, ids: dict[str, Any]) -> Any:
    """ "{person_id}" → the id of the target's person (as an int when the whole value is one)."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


def request(client: Client, row: Row, ids: dict[str, Any], headers: dict[str, str]) -> Any:
    is_api = row.route.startswith("api:")
    url = api_url(row, ids) if is_api else page_url(row, ids)
    data = {key: fill(value, ids) for key, value in row.data.items()}
    query = {key: fill(value, ids) for key, value in row.query.items()}
    if row.route.startswith("dpo:subject"):
        query["codice_fiscale"] = ids["codice_fiscale"]
    method = getattr(client, row.method.lower())
    # Uploads go as multipart/form-data, the client's default for a dict with a file.
    uploads = any(isinstance(value, SimpleUploadedFile) for value in data.values())
    if is_api and row.method in ("POST", "DELETE") and not uploads:
        return method(url, data=data, content_type="application/json", headers=headers)
    if row.method == "GET":
        return method(url, query, headers=headers)
    return method(url, data, headers=headers)


def needs_document(row: Row) -> bool:
    return row.route == "cases:document" or "{document_id}" in row.route


def needs_copay_run(row: Row) -> bool:
    return (
        row.route in URL_KWARGS
        and URL_KWARGS[row.route][0] in ("run_id", "charge_id")
        or ("{run_id}" in row.route or "{charge_id}" in row.route)
    )


def untargeted_ids(row: Row) -> dict[str, Any]:
    """The ids of the Ambito-level records a row without a case target names: the demo Piano
    di Zona (its card, indicator…) and the demo flows."""
    if "planning" in row.route:
        return planning_ids()
    if "flows" in row.route or "flussi" in row.route:
        return flows_ids()
    return {}


def let_through(row: Row, response: Any) -> bool:
    if response.status_code in (401, 403, 404):
        return False
    if row.route == "accounts:logout":  # logging out ends on the login page
        return True
    return not (response.status_code == 302 and "/accounts/login/" in response["Location"])


CASES = [(row, name) for row in MATRIX for name in PERSONAS]


@pytest.mark.parametrize(
    ("row", "name"), CASES, ids=[f"{r.method} {r.route} {r.target or ''} {n}" for r, n in CASES]
)
def test_the_server_does_what_the_matrix_says(row: Row, name: str) -> None:
    user = persona(name)
    ids = (
        ids_for(row.target, document=needs_document(row), copay_run=needs_copay_run(row))
        if row.target
        else untargeted_ids(row)
    )
    allowed, denied = row.allowed_for(), row.denied_for(name)
    headers: dict[str, str] = {}
    if row.route.startswith("api:"):
        client = Client()
        headers["Authorization"] = f"Bearer {issue_api_token(user, by=None)}"
    else:
        client = client_for(user)
    response = request(client, row, ids, headers)
    if name in allowed or PUBLIC in allowed:
        assert let_through(row, response), f"{name} was refused: {response.status_code}"
    else:
        assert response.status_code == denied, (
            f"{name}: expected {denied}, got {response.status_code}"
        )


@pytest.mark.parametrize(
    "row", MATRIX, ids=[f"{r.method} {r.route} {r.target or ''}" for r in MATRIX]
)
def test_anonymous_visitors_reach_nothing_but_public_routes(row: Row) -> None:
    ids = (
        ids_for(row.target, document=needs_document(row), copay_run=needs_copay_run(row))
        if row.target
        else untargeted_ids(row)
    )
    allowed = row.allowed_for()
    response = request(Client(), row, ids, {})
    if PUBLIC in allowed:
        assert response.status_code == 200
    elif row.route.startswith("api:"):
        assert response.status_code == 401
    else:
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]


# --- every route has a row --------------------------------------------------------------------


def page_routes(patterns: Any = None, namespace: str = "", prefix: str = "") -> set[str]:
    """Every named URL of the site but the Django admin (its own permissions) and the API
    (listed by operation below)."""
    names: set[str] = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            path = prefix + str(pattern.pattern)
            # waas/: INPS's API, no session, its own voucher (ambito/flows/tests/test_waas.py).
            if path.startswith(("admin/", "api/", "waas/")):
                continue
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= page_routes(pattern.url_patterns, ns, path)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def api_operations() -> set[str]:
    from ambito.api import api

    schema = api.get_openapi_schema()
    return {
        f"api:{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_route_has_a_row_in_the_matrix() -> None:
    covered = {row.route for row in MATRIX}
    missing = (page_routes() | api_operations()) - covered
    assert not missing, f"routes without a row in the authorization matrix: {sorted(missing)}"
    stale = covered - page_routes() - api_operations()
    assert not stale, f"rows for routes that no longer exist: {sorted(stale)}"
