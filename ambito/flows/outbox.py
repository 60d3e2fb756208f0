"""The outbox of the national flows: the records of `siuss` and `sinba` become immutable `Flow`
rows, each with the id, timestamp and XML that INPS receives.

- **One beneficiary, one benefit per flow** (WaaS rule, spec v2.0.1 §2.1): a record is one
  `<Beneficiario>` with one `<PrestazioniSociali>` (PS) or one `<SINBA>` element.
- **Ids** `EEEE.TIPO.AAAAMMGG.NNNNNNN` (spec §3.2): the Ente's code, `PS` or `SINBA`, the day the
  flow is written (Europe/Rome) and a daily progressive of seven digits per Ente and type
  (`FlowCounter`, row-locked). The same id is the `Nome` of the flow's `IdentificazioneFlusso`.
- **Timestamps** (`created_at`, the WaaS `ts_flusso`) are whole milliseconds, strictly increasing
  within an Ambito: INPS asks for what follows the last `ts_flusso` it received (`since`, in
  ms), so two flows of an Ambito never share a millisecond (the later one is moved on by one)
  and publishers of one Ambito take turns (its row is locked), so that a flow never becomes
  visible after a later one: each flow is served exactly once.
- **Validation before saving**: every document passes the official XSD (`xsd.validate`); an
  invalid one is not saved and is reported (`PublishResult.refused`), nothing else changes.
- **Corrections**: the identity of a record is its type, person, case, intervention and period
  (`Record.key` is a function of them). A record whose element equals the live flow's is left
  alone; a different one goes out as a cancellation of the live flow (operation C, `replaces`
  it, the element from `xsd.cancellation`) followed by a new insertion. A flow INPS rejected
  was never acquired: a changed record replaces it by a plain insertion. SINBA has no
  cancellation (`xsd.CANCELLABLE`): its later insertion supersedes the earlier one. A record
  rejected with ERRORE_GENERICO ("altro tipo di errore") goes again even unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from lxml import etree

from ambito.flows import siuss, xsd
from ambito.flows.models import Flow, FlowCounter, FlowKind
from ambito.flows.siuss import Missing, Record
from ambito.interventions.months import last_day
from ambito.territory.models import Ambito

# The TIPO of the flow ids: "il formato utilizzato (SINBA o PS)".
ID_TYPE = {FlowKind.PS_PSA_SINA: "PS", FlowKind.SINBA: "SINBA"}
LAST_PROGRESSIVE = 9_999_999  # NNNNNNN
MILLISECOND = dt.timedelta(milliseconds=1)
# A rejection "for another kind of error" may not recur: the same record is sent again.
RETRY_OUTCOMES = frozenset({"ERRORE_GENERICO"})


def _parser() -> Any:
    """A parser per call (lxml's are not to be shared between threads); whitespace between
    elements is not content."""
    return etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class Refused:
    """A record whose document failed the XSD (or could not be published): nothing was saved."""

    key: str
    kind: str
    person_id: int
    errors: list[str]


@dataclass
class PublishResult:
    flows: list[Flow] = field(default_factory=list)  # written, in order (cancellations too)
    unchanged: int = 0
    refused: list[Refused] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)  # publish_month: waiting for data

    @property
    def inserted(self) -> int:
        return sum(flow.operation == Flow.Operation.INSERT for flow in self.flows)

    @property
    def cancelled(self) -> int:
        return sum(flow.operation == Flow.Operation.CANCEL for flow in self.flows)


class _Invalid(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def identity(record: Record) -> tuple[Any, ...]:
    """What makes two records the same benefit of the same person in the same period."""
    return (record.kind, record.person_id, record.case_id, record.intervention_id, record.period)


@transaction.atomic
def publish(ambito: Ambito, records: list[Record], *, by: Any | None) -> PublishResult:
    """Writes the flows the records call for (see the module docstring); `by` is the user who
    published, None for the command and the demo. Each record is all or nothing."""
    # Publishers of one Ambito take turns: timestamps and counters follow the commit order.
    list(Ambito.objects.select_for_update().filter(pk=ambito.pk))
    result = PublishResult()
    seen: dict[tuple[Any, ...], Record] = {}
    for record in records:
        first = seen.setdefault(identity(record), record)
        if first is not record:
            if first != record:
                message = f"Il record {first.key} riguarda la stessa prestazione e periodo."
                result.refused.append(_refused(record, [message]))
            continue
        try:
            with transaction.atomic():
                written = _publish_one(ambito, record, by)
        except _Invalid as exc:
            result.refused.append(_refused(record, exc.errors))
            continue
        except (etree.XMLSyntaxError, ValueError) as exc:
            result.refused.append(_refused(record, [f"Flusso non componibile: {exc}"]))
            continue
        if written:
            result.flows.extend(written)
        else:
            result.unchanged += 1
    return result


@transaction.atomic
def publish_month(ambito: Ambito, month: dt.date, *, by: Any | None) -> PublishResult:
    """The month's PS/PSA/SINA records and the SINBA records at the month's last day."""
    from ambito.flows import sinba

    first = month.replace(day=1)
    ps, ps_missing = siuss.ps_records(ambito, first)
    children, children_missing = sinba.sinba_records(ambito, last_day(first))
    result = publish(ambito, [*ps, *children], by=by)
    result.missing = [*ps_missing, *children_missing]
    return result


def _refused(record: Record, errors: list[str]) -> Refused:
    return Refused(key=record.key, kind=record.kind, person_id=record.person_id, errors=errors)


def _publish_one(ambito: Ambito, record: Record, by: Any | None) -> list[Flow]:
    live = current_flow(ambito, record)
    if live is not None and _same(live, record.element) and not _retry(live):
        return []
    written = []
    cancellable = record.kind in xsd.CANCELLABLE
    if live is not None and cancellable and live.status != Flow.Status.REJECTED:
        element = xsd.cancellation(record.kind, element_of(live.xml))
        written.append(_write(ambito, record, element, by=by, replaces=live))
    written.append(_write(ambito, record, record.element, by=by))
    return written


def current_flow(ambito: Ambito, record: Record) -> Flow | None:
    """The last insertion for the record's identity, unless it was cancelled since."""
    kind, person_id, case_id, intervention_id, period = identity(record)
    last = (
        Flow.objects.filter(
            ambito=ambito,
            kind=kind,
            person_id=person_id,
            case_id=case_id,
            intervention_id=intervention_id,
            period=period,
            operation=Flow.Operation.INSERT,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None or Flow.objects.filter(replaces=last).exists():
        return None
    return last


def _same(flow: Flow, element: bytes) -> bool:
    return _canonical(etree.fromstring(element, _parser())) == _canonical(
        etree.fromstring(element_of(flow.xml), _parser())
    )


def _retry(flow: Flow) -> bool:
    return flow.status == Flow.Status.REJECTED and flow.outcome_code in RETRY_OUTCOMES


def _canonical(element: Any) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True)


def elements_of(document: str | bytes) -> list[Any]:
    """The beneficiaries of a flow document (`Beneficiario` or `SINBA` elements)."""
    data = document.encode("utf-8") if isinstance(document, str) else document
    root = etree.fromstring(data, _parser())
    return [child for child in root if etree.QName(child).localname != "IdentificazioneFlusso"]


def element_of(document: str | bytes) -> bytes:
    """The one beneficiary element of a WaaS flow, serialized on its own."""
    return etree.tostring(elements_of(document)[0], encoding="utf-8")


def _write(
    ambito: Ambito,
    record: Record,
    element: bytes,
    *,
    by: Any | None,
    replaces: Flow | None = None,
) -> Flow:
    """One flow, enveloped, validated and saved; _Invalid if the XSD refuses it. A
    cancellation goes out under the Ente of the flow it cancels."""

    ente_code = replaces.ente_code if replaces else record.ente_code
    ente_name = replaces.ente_name if replaces else record.ente_name
    created_at = next_timestamp(ambito)
    flow_id = next_flow_id(ente_code, record.kind, timezone.localdate(created_at))
    document = xsd.envelope(record.kind, ente_code, ente_name, [element], name=flow_id)
    errors = xsd.validate(record.kind, document)
    if errors:
        raise _Invalid(errors)
    return Flow.objects.create(
        ambito=ambito,
        flow_id=flow_id,
        kind=record.kind,
        operation=Flow.Operation.CANCEL if replaces else Flow.Operation.INSERT,
        ente_code=ente_code,
        ente_name=ente_name,
        created_at=created_at,
        xml=document.decode("utf-8"),
        person_id=record.person_id,
        case_id=record.case_id,
        intervention_id=record.intervention_id,
        period=record.period,
        replaces=replaces,
        created_by=by,
    )


def to_millisecond(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def next_timestamp(ambito: Ambito) -> dt.datetime:
    """Now, in whole milliseconds, or one millisecond after the Ambito's last flow. The caller
    holds the Ambito's lock (publish)."""
    now = to_millisecond(timezone.now())
    last = Flow.objects.filter(ambito=ambito).aggregate(last=Max("created_at"))["last"]
    if last is not None and now <= to_millisecond(last):
        return to_millisecond(last) + MILLISECOND
    return now


def next_flow_id(ente_code: str, kind: str, day: dt.date) -> str:
    """The next id of the day for the Ente and type, its counter row locked until commit."""
    counter, _ = FlowCounter.objects.select_for_update().get_or_create(
        ente_code=ente_code, kind=kind, day=day
    )
    if counter.last >= LAST_PROGRESSIVE:
        raise ValidationError(
            f"Raggiunto il numero massimo di flussi del giorno per l'ente {ente_code}."
        )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{ente_code}.{ID_TYPE[FlowKind(kind)]}.{day:%Y%m%d}.{counter.last:07d}"


# --- what waits for data ---------------------------------------------------------------------


@dataclass(frozen=True)
class MissingCount:
    kind: str
    what: str
    count: int


def waiting_for_data(ambito: Ambito, month: dt.date) -> list[Missing]:
    """The month's records that cannot be mapped yet, and what each lacks (siuss, sinba)."""
    from ambito.flows import sinba

    first = month.replace(day=1)
    _, ps_missing = siuss.ps_records(ambito, first)
    _, children_missing = sinba.sinba_records(ambito, last_day(first))
    return [*ps_missing, *children_missing]


def missing_counts(missing: list[Missing]) -> list[MissingCount]:
    """How many records lack each thing, by type: an aggregate that names nobody."""
    counts: dict[tuple[str, str], int] = {}
    for item in missing:
        for what in item.what:
            counts[(item.kind, what)] = counts.get((item.kind, what), 0) + 1
    return [
        MissingCount(kind=kind, what=what, count=count)
        for (kind, what), count in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1]))
    ]
