"""The cartella sociale. One module per part of the record; every model is re-exported here."""

from ambito.cases.models.accesses import Access, AccessQuerySet
from ambito.cases.models.assessments import Assessment, Instrument
from ambito.cases.models.case import (
    ADULT_CLOSURE_REASONS,
    MINOR_CLOSURE_REASONS,
    BreakGlass,
    Case,
    CaseEvent,
    CaseMember,
    CaseQuerySet,
    CaseShare,
    CaseStatistic,
    ClosureReason,
    ClosureSituation,
    Mandate,
    Reserved,
)
from ambito.cases.models.court import CourtOrder, CourtReport
from ambito.cases.models.plans import Commitment, Goal, GoalReview, Plan, Review
from ambito.cases.models.protection import Placement, SupervisedVisit
from ambito.cases.models.records import (
    DEFAULT_DOCUMENT_KINDS,
    DiaryEntry,
    Document,
    DocumentKind,
    create_default_document_kinds,
)

__all__ = [
    "ADULT_CLOSURE_REASONS",
    "MINOR_CLOSURE_REASONS",
    "Assessment",
    "ClosureReason",
    "ClosureSituation",
    "Commitment",
    "Goal",
    "GoalReview",
    "Instrument",
    "Mandate",
    "Placement",
    "Plan",
    "Review",
    "SupervisedVisit",
    "DEFAULT_DOCUMENT_KINDS",
    "Access",
    "AccessQuerySet",
    "BreakGlass",
    "Case",
    "CaseEvent",
    "CaseMember",
    "CaseQuerySet",
    "CaseShare",
    "CaseStatistic",
    "CourtOrder",
    "CourtReport",
    "DiaryEntry",
    "Document",
    "DocumentKind",
    "Reserved",
    "create_default_document_kinds",
]
