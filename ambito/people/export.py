"""Everything held about a person that the operator may see, as JSON and as PDF: the answer to
a request of access (GDPR art. 15) or of portability (art. 20).

The export holds the person's record and its history, their household memberships (where and
as what, not the other members: their data are not the requester's) and the cases the operator
sees through the gatekeeper, with their events, diary and the list of their documents (the
files themselves are downloaded from the case), leaving out the reserved notes and confidential
documents the operator may not read. Every export is a row of the access log.
"""

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ambito.cases.access import (
    cases_visible_to,
    diary_visible_to,
    documents_visible_to,
    events_visible_to,
)
from ambito.cases.models import Case
from ambito.events import EventBase
from ambito.pdf import attachment, render_pdf
from ambito.people.access import get_person_for_user
from ambito.people.audit import PURPOSE_EXPORT, log_person_export
from ambito.people.models import Person


def person_data(user: Any, person: Person) -> dict[str, Any]:
    """The export as plain data (dates as date objects): the JSON and the PDF are made of it."""
    cases = (
        cases_visible_to(user)
        .filter(person=person)
        .select_related("owner_comune", "owner_unit", "case_manager__user")
        .order_by("opened_on", "pk")
    )
    return {
        "generated_at": timezone.localtime(),
        "ambito": person.ambito.name,
        "exported_by": user.get_full_name() or user.get_username(),
        "person": _person(person),
        "household_memberships": [
            {
                "household_id": m.household_id,
                "comune": m.household.comune.name,
                "address": m.household.address,
                "relation": m.relation,
                "relation_label": m.get_relation_display(),
                "since": m.since,
                "until": m.until,
            }
            for m in person.memberships.select_related("household__comune").order_by("since")
        ],
        "events": [_event(e) for e in person.events.select_related("actor").order_by("at", "pk")],
        "cases": [_case(user, case) for case in cases],
    }


def _person(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "codice_fiscale": person.codice_fiscale,
        "missing_code_reason": person.missing_code_reason,
        "missing_code_reason_label": person.get_missing_code_reason_display(),
        "missing_code_note": person.missing_code_note,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "sex_label": person.get_sex_display(),
        "birthplace_code": person.birthplace_code,
        "birthplace_name": person.birthplace_name,
        "citizenship": person.citizenship,
        "comune_residenza": {
            "istat_code": person.comune_residenza.istat_code,
            "name": person.comune_residenza.name,
        },
        "address": person.address,
        "phone": person.phone,
        "email": person.email,
        "created_at": timezone.localtime(person.created_at),
    }


def _case(user: Any, case: Case) -> dict[str, Any]:
    events = events_visible_to(user, case).select_related("actor").order_by("at", "pk")
    return {
        "id": case.pk,
        "reference": case.reference,
        "area": case.area,
        "area_label": case.get_area_display(),
        "status": case.status,
        "status_label": case.get_status_display(),
        "owner": str(case.owner),
        "case_manager": str(case.case_manager) if case.case_manager else None,
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        "closure_reason": case.closure_reason,
        "events": [_event(e) for e in events],
        "diary": [
            {
                "date": entry.date,
                "kind": entry.kind,
                "kind_label": entry.get_kind_display(),
                "author": str(entry.author),
                "text": entry.text,
                "reserved": entry.reserved,
            }
            for entry in diary_visible_to(user, case).order_by("date", "created_at", "pk")
        ],
        "documents": [
            {
                "title": document.title,
                "kind": document.kind.name,
                "filename": document.original_filename,
                "uploaded_by": str(document.uploaded_by),
                "uploaded_at": timezone.localtime(document.uploaded_at),
            }
            for document in documents_visible_to(user, case).order_by("uploaded_at", "pk")
        ],
    }


def _event(event: EventBase) -> dict[str, Any]:
    return {
        "at": timezone.localtime(event.at),
        "kind": event.kind,  # type: ignore[attr-defined]
        "kind_label": event.get_kind_display(),  # type: ignore[attr-defined]
        "summary": event.summary,
        "actor": event.actor.get_full_name() or event.actor.get_username(),
        "data": event.data,
    }


@login_required
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The export as JSON (UTF-8, indented), for the person or another system (art. 20)."""
    person = get_person_for_user(request.user, pk, purpose=PURPOSE_EXPORT)
    data = person_data(request.user, person)
    log_person_export(request.user, person, fmt="json", cases=len(data["cases"]))
    content = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return attachment(
        content.encode(),
        content_type="application/json; charset=utf-8",
        filename=f"dati-persona-{person.pk}-{timezone.localdate():%Y%m%d}.json",
    )


@login_required
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same export as an A4 PDF, to hand to the person."""
    person = get_person_for_user(request.user, pk, purpose=PURPOSE_EXPORT)
    data = person_data(request.user, person)
    pdf = render_pdf(
        "people/export_pdf.html",
        {"data": data, "ambito": person.ambito, "extracted_at": data["generated_at"]},
    )
    log_person_export(request.user, person, fmt="pdf", cases=len(data["cases"]))
    return attachment(
        pdf,
        content_type="application/pdf",
        filename=f"dati-persona-{person.pk}-{timezone.localdate():%Y%m%d}.pdf",
    )
