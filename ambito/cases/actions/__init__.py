"""Every change to a case: atomic, with its actor, leaving a CaseEvent.

One module per part of the record; the names callers use are re-exported here."""

from ambito.cases.actions.accesses import (
    CLOSING_OUTCOMES,
    REGISTRATION_OUTCOMES,
    close_access,
    link_access_to_case,
    open_case_from_access,
    register_access,
)
from ambito.cases.actions.assessments import add_assessment, resolve_instrument
from ambito.cases.actions.case import (
    BREAK_GLASS_MIN_REASON,
    add_case_member,
    break_glass,
    change_case_manager,
    check_case_manager,
    close_case,
    concerns_a_minor,
    end_share,
    open_case,
    remove_case_member,
    reopen_case,
    set_reserved,
    share_case,
)
from ambito.cases.actions.court import (
    COURT_SUMMARY_MAX,
    add_court_order,
    add_court_report_due,
    mark_report_sent,
)
from ambito.cases.actions.plans import (
    add_commitment,
    add_goal,
    add_review,
    agree_plan,
    create_plan,
    end_plan,
    refuse_plan,
)
from ambito.cases.actions.protection import (
    add_placement,
    end_placement,
    record_visit,
    schedule_visit,
    set_adi_dates,
    set_mandate,
)
from ambito.cases.actions.records import (
    DIARY_MAX_TEXT,
    add_diary_entry,
    add_document,
)

__all__ = [
    "add_assessment",
    "resolve_instrument",
    "set_mandate",
    "set_adi_dates",
    "schedule_visit",
    "record_visit",
    "end_placement",
    "add_placement",
    "reopen_case",
    "concerns_a_minor",
    "BREAK_GLASS_MIN_REASON",
    "CLOSING_OUTCOMES",
    "COURT_SUMMARY_MAX",
    "DIARY_MAX_TEXT",
    "REGISTRATION_OUTCOMES",
    "add_case_member",
    "add_commitment",
    "add_goal",
    "add_review",
    "agree_plan",
    "create_plan",
    "end_plan",
    "refuse_plan",
    "add_court_order",
    "add_court_report_due",
    "add_diary_entry",
    "add_document",
    "break_glass",
    "change_case_manager",
    "check_case_manager",
    "close_access",
    "close_case",
    "end_share",
    "link_access_to_case",
    "mark_report_sent",
    "open_case",
    "open_case_from_access",
    "register_access",
    "remove_case_member",
    "set_reserved",
    "share_case",
]
