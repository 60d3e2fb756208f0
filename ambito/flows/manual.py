"""Files for the manual upload on INPS's web application: many beneficiaries in one XML.

An Ente that does not (yet) expose the WaaS API, or a period INPS has not polled, is sent by
uploading a file on the SIUSS web application. The file gathers the outbox's own flows of one
Ente, type and period that INPS has not fetched, so nothing goes twice: a flow in a file is
no longer served by the WaaS API (`waas`), and a flow INPS has fetched never enters a file.

In a PS file the benefits of one beneficiary are gathered under one `<Beneficiario>` (the XSD
allows many `PrestazioniSociali` there outside the WaaS), in the order they were written, so a
cancellation still precedes the insertion that corrects it. The file's name is an id of the
official form with its own daily progressive, and the file is validated against the XSD.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from lxml import etree

from ambito.flows import xsd
from ambito.flows.models import Flow, FlowKind, ManualFile
from ambito.flows.outbox import elements_of, next_flow_id
from ambito.territory.models import Ambito


def flows_for_manual_file(
    ambito: Ambito, *, kind: str, ente_code: str, period_start: dt.date, period_end: dt.date
) -> QuerySet[Flow]:
    """The flows a file would gather: never fetched by INPS nor put in another file."""
    return Flow.objects.filter(
        ambito=ambito,
        kind=kind,
        ente_code=ente_code,
        period__gte=period_start,
        period__lte=period_end,
        manual_file__isnull=True,
        fetched_at__isnull=True,
        status=Flow.Status.READY,
    ).order_by("created_at", "pk")


@transaction.atomic
def build_manual_file(
    ambito: Ambito,
    *,
    by: Any,
    kind: str,
    ente_code: str,
    period_start: dt.date,
    period_end: dt.date,
) -> ManualFile:
    """A file with the Ente's flows of the type and period not yet sent (see the module
    docstring); ValidationError when there are none or the file fails the XSD."""
    if period_end < period_start:
        raise ValidationError({"period_end": "La fine del periodo precede l'inizio."})
    flows = list(
        flows_for_manual_file(
            ambito,
            kind=kind,
            ente_code=ente_code,
            period_start=period_start,
            period_end=period_end,
        ).select_for_update()
    )
    if not flows:
        raise ValidationError(
            {
                "period_start": (
                    f"Nessun flusso {FlowKind(kind).label} dell'ente {ente_code} da inviare "
                    f"tra il {period_start:%d/%m/%Y} e il {period_end:%d/%m/%Y}: sono già "
                    "stati prelevati da INPS o inclusi in un altro file."
                )
            }
        )
    elements = [element for flow in flows for element in elements_of(flow.xml)]
    if kind == FlowKind.PS_PSA_SINA:
        elements = _by_beneficiary(elements)
    name = next_flow_id(ente_code, kind, timezone.localdate())
    document = xsd.envelope(
        kind,
        ente_code,
        flows[-1].ente_name,
        [etree.tostring(element, encoding="utf-8") for element in elements],
        name=name,
    )
    errors = xsd.validate(kind, document)
    if errors:
        raise ValidationError({"period_start": [f"Il file non è valido: {e}" for e in errors]})
    manual_file = ManualFile.objects.create(
        ambito=ambito,
        kind=kind,
        ente_code=ente_code,
        period_start=period_start,
        period_end=period_end,
        xml=document.decode("utf-8"),
        created_by=by,
    )
    Flow.objects.filter(pk__in=[flow.pk for flow in flows]).update(manual_file=manual_file)
    return manual_file


def _canonical(element: Any) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True)


def _by_beneficiary(elements: list[Any]) -> list[Any]:
    """One `Beneficiario` per codice fiscale and registry data, with all its benefits."""
    gathered: dict[tuple[Any, ...], Any] = {}
    for element in elements:
        registry = tuple(
            _canonical(child)
            for child in element
            if etree.QName(child).localname in ("Anagrafica", "Indirizzo")
        )
        key = (element.get("CodiceFiscale"), registry)
        first = gathered.setdefault(key, element)
        if first is not element:
            for child in list(element):
                if etree.QName(child).localname == "PrestazioniSociali":
                    first.append(child)
    return list(gathered.values())


def manual_file_name(manual_file: ManualFile) -> str:
    """The `Nome` of the file's IdentificazioneFlusso, its official id."""
    root = xsd.parse(manual_file.xml.encode("utf-8"))
    return str(root[0].get("Nome"))
