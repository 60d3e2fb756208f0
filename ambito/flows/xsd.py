"""The envelope of a national flow, its cancellation and its validation against INPS's schemas.

A flow is a `Flusso` document (namespace http://inps.it/Casellario) with an
`IdentificazioneFlusso` naming the flow and its Ente, and the records: `Beneficiario` elements
(PS/PSA/SINA, `schemas/PS_PSA_SINA201812.xsd`) or `SINBA` elements (`schemas/SINBA.xsd`). In
WaaS mode a flow carries one record; the files for manual upload many.

The Ente of the envelope (decided in `ambito.flows.siuss`) is a Comune: `Codice` and
`Indirizzo` are its Belfiore code (the WaaS `codice_ente`, as INPS's own example "H501" shows),
`CFOperatore` is the codice fiscale of whoever transmits for it: the Comune's own (its Ente's
`tax_code`) or, when the Comune has none recorded, the capofila's, which runs the Ambito's
system and sends on the Comuni's behalf.

Validation is the official XSD plus the rules of INPS's specification (v2.0.1, tables 7, 9 and
15) that a schema cannot say: the DSU fields all or none, the dates and amounts a periodic or an
occasional benefit needs, the shares that add up to the amount, the region and Comune of an
Italian address. Nothing that fails either leaves the system (`ambito.flows.outbox`).

Cancellation: a PS benefit is cancelled by sending it again with `TipoOperazione="C"`. The
SINBA schema has no operation at all (no attribute for it, and the specification names none):
a SINBA record is a snapshot of the child's situation that a later one supersedes, so a
corrected SINBA record goes out as a new insertion and `cancellation` refuses SINBA
(`NoCancellation`); `CANCELLABLE` says which kinds can be cancelled.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lxml import etree

from ambito.flows.models import FlowKind

NS = "http://inps.it/Casellario"
SCHEMA_DIR = Path(__file__).parent / "schemas"
SCHEMA_FILES: dict[str, str] = {
    FlowKind.PS_PSA_SINA: "PS_PSA_SINA201812.xsd",
    FlowKind.SINBA: "SINBA.xsd",
}
# The record element each kind carries.
RECORD_TAG: dict[str, str] = {FlowKind.PS_PSA_SINA: "Beneficiario", FlowKind.SINBA: "SINBA"}
CANCELLABLE: frozenset[str] = frozenset({FlowKind.PS_PSA_SINA})

INVALID = "Il flusso non è valido rispetto allo schema INPS: "
AGAINST_RULES = "Il flusso non rispetta le regole della specifica INPS: "
# The Denominazione of the Ente: at most 100 characters.
ENTE_NAME_MAX = 100
ITALY = "380"


class NoCancellation(ValueError):
    """The kind of flow has no cancellation (SINBA): a correction is a new insertion."""


def q(tag: str) -> str:
    """The qualified name of a tag of the INPS namespace."""
    return f"{{{NS}}}{tag}"


def _parser() -> etree.XMLParser:
    """No entities, no network, no DTD: the documents are ours, but a parser of XML that may
    come back from elsewhere (an upload, a test) never resolves anything."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse(document: bytes) -> etree._Element:
    return etree.fromstring(document, parser=_parser())


@cache
def schema(kind: str) -> etree.XMLSchema:
    """The official schema of `kind`, loaded once per process."""
    if kind not in SCHEMA_FILES:
        raise ValueError(f"Tipo di flusso sconosciuto: {kind!r}.")
    tree = etree.parse(str(SCHEMA_DIR / SCHEMA_FILES[kind]), parser=_parser())
    return etree.XMLSchema(tree)


# --- the Ente ------------------------------------------------------------------------------------


def ente_tax_code(ente_code: str) -> str:
    """The CFOperatore of the flows of the Comune with Belfiore code `ente_code`: its Ente's
    codice fiscale, else the capofila's of its Ambito; "" when neither is recorded."""
    from ambito.organizations.models import Ente

    ente = (
        Ente.objects.filter(kind=Ente.Kind.COMUNE, comune__belfiore_code=ente_code)
        .select_related("comune")
        .first()
    )
    if ente is None:
        return ""
    if ente.tax_code.strip():
        return ente.tax_code.strip()
    capofila = (
        Ente.objects.filter(ambito_id=ente.ambito_id, kind=Ente.Kind.CAPOFILA)
        .exclude(tax_code="")
        .order_by("pk")
        .first()
    )
    return capofila.tax_code.strip() if capofila else ""


# --- envelope and cancellation -------------------------------------------------------------------


def envelope(
    kind: str,
    ente_code: str,
    ente_name: str,
    elements: list[bytes],
    *,
    name: str,
    cf_operatore: str | None = None,
) -> bytes:
    """The `Flusso` document named `name` (the flow id, at most 50 characters) of the Ente
    with Belfiore code `ente_code`, carrying `elements` (serialized records of `kind`), as
    UTF-8 bytes with the XML declaration. `cf_operatore` defaults to `ente_tax_code`."""
    if kind not in RECORD_TAG:
        raise ValueError(f"Tipo di flusso sconosciuto: {kind!r}.")
    operator = cf_operatore if cf_operatore is not None else ente_tax_code(ente_code)
    if not operator:
        raise ValueError(
            f"Manca il codice fiscale dell'ente con codice {ente_code} (CFOperatore del flusso)."
        )
    root = etree.Element(q("Flusso"), nsmap={None: NS})
    identification = etree.SubElement(root, q("IdentificazioneFlusso"), Nome=name)
    ente = etree.SubElement(identification, q("Ente"), Codice=ente_code)
    if ente_name.strip():
        ente.set("Denominazione", ente_name.strip()[:ENTE_NAME_MAX])
    ente.set("Indirizzo", ente_code)
    ente.set("CFOperatore", operator)
    for element in elements:
        record = parse(element)
        if record.tag != q(RECORD_TAG[kind]):
            raise ValueError(
                f"Elemento {etree.QName(record).localname} in un flusso {kind}: atteso "
                f"{RECORD_TAG[kind]}."
            )
        root.append(record)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def cancellation(kind: str, element: bytes) -> bytes:
    """The record `element` as a cancellation: each of its PrestazioniSociali with
    `TipoOperazione="C"` (the other attributes unchanged, so that INPS finds the benefit).
    SINBA has no cancellation: `NoCancellation`."""
    if kind == FlowKind.SINBA:
        raise NoCancellation(
            "Il tracciato SINBA non prevede la cancellazione: una scheda corretta si invia "
            "come nuovo inserimento, che sostituisce la precedente."
        )
    if kind != FlowKind.PS_PSA_SINA:
        raise ValueError(f"Tipo di flusso sconosciuto: {kind!r}.")
    record = parse(element)
    benefits = record.findall(q("PrestazioniSociali"))
    if record.tag != q("Beneficiario") or not benefits:
        raise ValueError("Atteso un elemento Beneficiario con le sue prestazioni.")
    for benefit in benefits:
        attributes = [(k, v) for k, v in benefit.attrib.items() if k != "TipoOperazione"]
        benefit.attrib.clear()
        benefit.set("TipoOperazione", "C")
        for key, value in attributes:
            benefit.set(key, value)
    return bytes(etree.tostring(record, encoding="UTF-8"))


# --- validation ----------------------------------------------------------------------------------


def validate(kind: str, document: bytes) -> list[str]:
    """What is wrong with `document` as a flow of `kind`, in Italian (one message per
    problem, with the line for the schema's); [] when it is valid."""
    try:
        root = parse(document)
    except etree.XMLSyntaxError as exc:
        return [f"{INVALID}XML non leggibile (riga {exc.lineno}): {exc.msg}"]
    xsd = schema(kind)
    if not xsd.validate(root):
        return [f"{INVALID}riga {error.line}: {error.message}" for error in xsd.error_log]
    if kind == FlowKind.PS_PSA_SINA:
        problems = list(_ps_rule_problems(root))
    else:
        problems = list(_sinba_rule_problems(root))
    return [AGAINST_RULES + problem for problem in problems]


def _line(element: etree._Element) -> str:
    return f"riga {element.sourceline}: " if element.sourceline else ""


def _amount(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:  # the schema already refused it
        return None


def _ps_rule_problems(root: etree._Element) -> Iterable[str]:
    for address in root.iter(q("Indirizzo")):
        if address.get("CodiceNazione") == ITALY and not (
            address.get("CodiceRegione") and address.get("CodiceComune")
        ):
            yield f"{_line(address)}per un indirizzo in Italia servono regione e Comune."
    for benefit in root.iter(q("PrestazioniSociali")):
        yield from (_line(benefit) + problem for problem in _benefit_problems(benefit))


def _benefit_problems(benefit: etree._Element) -> Iterable[str]:
    get = benefit.get
    dsu = [get(name) for name in ("NumeroProtocolloDSU", "AnnoProtocolloDSU", "DataDSU")]
    if any(dsu) and not all(dsu):
        yield "i dati della DSU (numero, anno, data) vanno indicati tutti o nessuno."
    character = get("CaratterePrestazione")
    if character is None:
        yield "manca il carattere della prestazione (periodica o occasionale)."
    total_name = "ImportoMensile" if character == "1" else "ImportoPrestazione"
    if character == "1":
        if not get("DataInizioPrestazione"):
            yield "una prestazione periodica richiede la data di inizio."
        if not get("ImportoMensile"):
            yield "una prestazione periodica richiede l'importo mensile."
    elif character == "2":
        if not get("DataErogazionePrestazione"):
            yield "una prestazione occasionale richiede la data di erogazione."
        if not get("ImportoPrestazione"):
            yield "una prestazione occasionale richiede l'importo."
    start, end = get("DataInizioPrestazione"), get("DataFinePrestazione")
    if start and end and date.fromisoformat(start).year != date.fromisoformat(end).year:
        yield "la data di fine deve essere dello stesso anno della data di inizio."
    for name in ("ImportoMensile", "ImportoPrestazione", "ImportoQuotaEnte", "ImportoQuotaSSN"):
        value = _amount(get(name))
        if value is not None and value <= 0:
            yield f"{name} deve essere maggiore di zero."
    user = _amount(get("ImportoQuotaUtente"))
    if user is not None and user < 0:
        yield "ImportoQuotaUtente non può essere negativo."
    shares = [
        _amount(get(name)) for name in ("ImportoQuotaEnte", "ImportoQuotaUtente", "ImportoQuotaSSN")
    ]
    total = _amount(get(total_name))
    given = [share for share in shares if share is not None]
    if given and total is not None and sum(given, Decimal(0)) != total:
        shares_sum = sum(given, Decimal(0))
        yield f"la somma delle quote ({shares_sum}) non è uguale a {total_name} ({total})."
    if get("PresaCarico") == "1" and not get("AreaUtenza"):
        yield "con la presa in carico va indicata l'area di utenza."


def _sinba_rule_problems(root: etree._Element) -> Iterable[str]:
    for record in root.iter(q("SINBA")):
        if record.get("CodiceNazioneResidenza") == ITALY and not record.get(
            "CodiceRegioneResidenza"
        ):
            yield f"{_line(record)}per un minore residente in Italia serve la regione."
