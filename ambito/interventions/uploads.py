"""A provider's file of monthly deliveries: CSV (";" or ",", decimal comma, UTF-8 with or
without BOM or Windows-1252, as Excel writes it) or XLSX, with at least the columns
codice_fiscale, intervention_id, month (AAAA-MM) and units.

Every row is checked by the same rules as a single entry (ambito.interventions.months), with a
handful of set-based queries for the whole file: a province's 100,000 rows must not mean
100,000 queries. Valid rows are saved in one transaction, rejected rows come back with their
row number (as the spreadsheet shows it: the header is row 1) and the reason in Italian.
"""

import csv
import hashlib
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from ambito.interventions.access import provider_operator_of
from ambito.interventions.models import Delivery, DeliveryUpload, Intervention, MonthApproval
from ambito.interventions.months import (
    future_month,
    implausible_reason,
    inactive_reason,
    month_label,
    parse_month,
    parse_units,
)
from ambito.organizations.models import Operator
from ambito.people.codice_fiscale import has_valid_checksum, normalize
from ambito.people.models import Person

COLUMNS = ("codice_fiscale", "intervention_id", "month", "units")
# Headers people write in Italian, taken for the columns above.
ALIASES = {
    "cf": "codice_fiscale",
    "id_intervento": "intervention_id",
    "intervento_id": "intervention_id",
    "mese": "month",
    "unita": "units",
    "unità": "units",
    "quantita": "units",
    "quantità": "units",
}
MAX_BYTES = 20 * 1024 * 1024
CHUNK = 5000  # ids per IN (…): SQLite accepts at most 32,766 parameters
BATCH = 5000

MALFORMED = (
    "Il file non è un CSV o un XLSX leggibile: scaricare il modello dalla pagina "
    "«Carica le prestazioni» e salvarlo in formato CSV o Excel."
)


@dataclass
class Rejected:
    row: int
    reason: str


@dataclass
class UploadReport:
    """What came of a file: rows saved (new or changed), unchanged, rejected with reasons.
    `repeated`: the same file was already uploaded (nothing was done)."""

    upload: DeliveryUpload
    saved: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    repeated: bool = False


@dataclass
class _Row:
    number: int
    codice_fiscale: str
    intervention_id: int
    month: date
    units: Decimal


# --- reading the file ---------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return f"{value:%Y-%m}"
    return str(value).strip()


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    # Imported here: only uploads need it.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ValidationError({"file": MALFORMED}) from exc
    sheet = book.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        yield [_cell(v) for v in values]
    book.close()


def _text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ValidationError({"file": MALFORMED})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV (delimitato dal separatore di elenco)" on Italian Windows.
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": MALFORMED}) from exc


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _text(data)
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") >= header.count(",") and ";" in header else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise ValidationError({"file": MALFORMED}) from exc


def _header(cells: list[str]) -> dict[str, int]:
    """Column → position, from the header row (case-insensitive, aliases, extras ignored)."""
    positions: dict[str, int] = {}
    for position, cell in enumerate(cells):
        name = cell.strip().lstrip("\ufeff").lower().replace(" ", "_")
        name = ALIASES.get(name, name)
        if name in COLUMNS:
            positions.setdefault(name, position)
    missing = [c for c in COLUMNS if c not in positions]
    if missing:
        raise ValidationError(
            {
                "file": f"Mancano le colonne {', '.join(missing)}. La prima riga deve "
                f"intestare le colonne {', '.join(COLUMNS)} (si veda il modello)."
            }
        )
    return positions


def read_rows(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, column → text) for every non-blank row after the header."""
    rows = _xlsx_rows(data) if data[:4] == b"PK\x03\x04" else _csv_rows(data)
    header = next((cells for cells in rows if any(c.strip() for c in cells)), None)
    if header is None:
        raise ValidationError({"file": "Il file è vuoto."})
    positions = _header(header)
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        yield (
            number,
            {
                name: cells[pos].strip() if pos < len(cells) else ""
                for name, pos in positions.items()
            },
        )


# --- checking the rows --------------------------------------------------------------------


def _parse(number: int, cells: dict[str, str]) -> _Row | Rejected:
    """The row's values, or why they are malformed."""
    code = normalize(cells["codice_fiscale"])
    if not code:
        return Rejected(number, "Codice fiscale mancante.")
    if not has_valid_checksum(code):
        return Rejected(number, f"Codice fiscale non valido «{code}».")
    raw_id = cells["intervention_id"]
    if not raw_id.isdigit():
        return Rejected(number, f"Identificativo dell'intervento non valido «{raw_id}».")
    month = parse_month(cells["month"])
    if month is None:
        return Rejected(
            number, f"Mese non valido «{cells['month']}»: usare il formato AAAA-MM (es. 2026-10)."
        )
    units = parse_units(cells["units"])
    if units is None:
        return Rejected(
            number, f"Unità non valide «{cells['units']}»: indicare un numero (es. 12,5)."
        )
    return _Row(number, code, int(raw_id), month, units)


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _interventions(op: Operator, ids: set[int]) -> dict[int, dict[str, Any]]:
    """The provider's interventions among `ids`, as the values the checks need."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(sorted(ids)):
        for values in Intervention.objects.filter(
            pk__in=chunk,
            provider_id=op.ente_id,
            plan__case__ambito_id=op.ambito_id,
            plan__case__archived_at__isnull=True,
        ).values(
            "pk",
            "starts_on",
            "ends_on",
            "planned_quantity",
            "service__unit",
            "plan__starts_on",
            "plan__ends_on",
            "plan__case__person__codice_fiscale",
        ):
            found[values["pk"]] = dict(values)
    return found


def _persons_of_provider(op: Operator, codes: set[str]) -> set[str]:
    """The codici fiscali among `codes` of persons with an intervention of the provider: an
    unknown code says nothing of whether the person is known to the social services."""
    known: set[str] = set()
    for chunk in _chunks(sorted(codes)):
        known.update(
            code
            for code in Person.objects.filter(
                codice_fiscale__in=chunk,
                cases__plans__interventions__provider_id=op.ente_id,
                ambito_id=op.ambito_id,
            ).values_list("codice_fiscale", flat=True)
            if code
        )
    return known


def _duplicates(rows: list[_Row]) -> dict[int, str]:
    """Row number → reason, for every row whose (intervention, month) appears twice."""
    seen: dict[tuple[int, date], list[int]] = defaultdict(list)
    for row in rows:
        seen[row.intervention_id, row.month].append(row.number)
    reasons: dict[int, str] = {}
    for (intervention_id, month), numbers in seen.items():
        if len(numbers) > 1:
            listed = ", ".join(str(n) for n in numbers)
            reason = (
                f"Intervento {intervention_id} e mese {month_label(month)} ripetuti nel file "
                f"(righe {listed}): correggere e ricaricare."
            )
            reasons.update((n, reason) for n in numbers)
    return reasons


def _reason(
    row: _Row, found: dict[str, Any] | None, known: set[str], approved: set[date]
) -> str | None:
    """Why a well-formed row cannot be saved, None when it can."""
    if found is None:
        return f"L'intervento {row.intervention_id} non risulta affidato al suo ente."
    if row.codice_fiscale != found["plan__case__person__codice_fiscale"]:
        if row.codice_fiscale in known:
            return (
                f"Il codice fiscale non corrisponde alla persona dell'intervento "
                f"{row.intervention_id}."
            )
        return "Codice fiscale sconosciuto: non è di una persona seguita dal suo ente."
    problem = future_month(row.month) or inactive_reason(
        row.month,
        starts_on=found["starts_on"],
        ends_on=found["ends_on"],
        plan_starts_on=found["plan__starts_on"],
        plan_ends_on=found["plan__ends_on"],
    )
    if problem is None:
        problem = implausible_reason(
            row.units,
            unit=found["service__unit"],
            planned_quantity=found["planned_quantity"],
            month=row.month,
        )
    if problem is None and row.month in approved:
        problem = f"Il mese {month_label(row.month)} è già approvato: non si può modificare."
    return problem


def check_rows(op: Operator, data: bytes) -> tuple[list[_Row], list[Rejected]]:
    """The valid rows and the rejected ones (sorted by row number)."""
    rows: list[_Row] = []
    rejected: list[Rejected] = []
    for number, cells in read_rows(data):
        parsed = _parse(number, cells)
        (rejected if isinstance(parsed, Rejected) else rows).append(parsed)  # type: ignore[arg-type]
    if not rows and not rejected:
        raise ValidationError({"file": "Il file non contiene righe di prestazioni."})
    found = _interventions(op, {r.intervention_id for r in rows})
    mismatched = {
        r.codice_fiscale
        for r in rows
        if r.intervention_id not in found
        or r.codice_fiscale != found[r.intervention_id]["plan__case__person__codice_fiscale"]
    }
    known = _persons_of_provider(op, mismatched) if mismatched else set()
    approved = set(
        MonthApproval.objects.filter(
            ente_id=op.ente_id, month__in={r.month for r in rows}
        ).values_list("month", flat=True)
    )
    valid = []
    for row in rows:
        reason = _reason(row, found.get(row.intervention_id), known, approved)
        if reason:
            rejected.append(Rejected(row.number, reason))
        else:
            valid.append(row)
    # Two valid rows for the same month: which one is right? Neither is saved.
    duplicates = _duplicates(valid)
    rejected += [Rejected(r.number, duplicates[r.number]) for r in valid if r.number in duplicates]
    valid = [r for r in valid if r.number not in duplicates]
    rejected.sort(key=lambda r: r.row)
    return valid, rejected


# --- saving -------------------------------------------------------------------------------


def _existing(rows: list[_Row]) -> dict[tuple[int, date], Delivery]:
    months = {r.month for r in rows}
    existing: dict[tuple[int, date], Delivery] = {}
    for chunk in _chunks({r.intervention_id for r in rows}):
        for delivery in Delivery.objects.filter(intervention_id__in=chunk, month__in=months).only(
            "pk", "intervention_id", "month", "units"
        ):
            existing[delivery.intervention_id, delivery.month] = delivery
    return existing


def _save(rows: list[_Row], upload: DeliveryUpload, by: Any) -> tuple[int, int]:
    """Inserts the new months, replaces the changed ones; (saved, unchanged)."""
    existing = _existing(rows)
    new, changed, unchanged = [], [], 0
    for row in rows:
        delivery = existing.get((row.intervention_id, row.month))
        if delivery is None:
            new.append(row)
        elif delivery.units == row.units:
            unchanged += 1
        else:
            delivery.units = row.units
            changed.append(delivery)
    _write(new, changed, upload, by)
    return len(new) + len(changed), unchanged


# On PostgreSQL the rows travel as three arrays in one statement: bulk_create's per-object work
# (and bulk_update's CASE per row) cost ten times the insert itself on 100,000 rows.
INSERT = """
    INSERT INTO {table} (intervention_id, month, units, upload_id, entered_by_id, entered_at)
    SELECT i, m, u, %s, %s, %s FROM unnest(%s::bigint[], %s::date[], %s::numeric[]) AS t(i, m, u)
"""
UPDATE = """
    UPDATE {table} AS d SET units = t.u, upload_id = %s, entered_by_id = %s, entered_at = %s
    FROM unnest(%s::bigint[], %s::numeric[]) AS t(id, u) WHERE d.id = t.id
"""


def _write(new: list[_Row], changed: list[Delivery], upload: DeliveryUpload, by: Any) -> None:
    now = timezone.now()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Delivery._meta.db_table)
        with connection.cursor() as cursor:
            for start in range(0, len(new), BATCH * 10):
                part = new[start : start + BATCH * 10]
                cursor.execute(
                    INSERT.format(table=table),
                    [
                        upload.pk,
                        by.pk,
                        now,
                        [r.intervention_id for r in part],
                        [r.month for r in part],
                        [r.units for r in part],
                    ],
                )
            if changed:
                ids, units = [d.pk for d in changed], [d.units for d in changed]
                cursor.execute(UPDATE.format(table=table), [upload.pk, by.pk, now, ids, units])
        return
    Delivery.objects.bulk_create(
        (
            Delivery(
                intervention_id=r.intervention_id,
                month=r.month,
                units=r.units,
                upload=upload,
                entered_by=by,
                entered_at=now,
            )
            for r in new
        ),
        batch_size=BATCH,
    )
    for delivery in changed:
        delivery.upload, delivery.entered_by, delivery.entered_at = upload, by, now
    Delivery.objects.bulk_update(
        changed, ["units", "upload", "entered_by", "entered_at"], batch_size=BATCH
    )


def _read(file: IO[bytes] | bytes) -> bytes:
    data = file if isinstance(file, bytes) else file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": "Il file supera i 20 MB: dividerlo per mese."})
    if not data.strip():
        raise ValidationError({"file": "Il file è vuoto."})
    return data


@transaction.atomic
def import_deliveries(file: IO[bytes] | bytes, *, by: Any, filename: str) -> UploadReport:
    """Imports a provider's file of deliveries (module docstring). A malformed file (not CSV
    or XLSX, empty, without the columns) is refused whole with ValidationError on `file`. The
    same file again for the same Ente (same SHA-256) changes nothing and says so; a later file
    with the same months replaces their values until the months are approved."""
    op = provider_operator_of(by)
    if op is None:
        raise PermissionDenied("Funzione riservata agli operatori degli enti gestori.")
    data = _read(file)
    digest = hashlib.sha256(data).hexdigest()
    earlier = DeliveryUpload.objects.filter(ente_id=op.ente_id, sha256=digest).first()
    if earlier is not None:
        return UploadReport(
            upload=earlier,
            unchanged=earlier.rows_saved + earlier.rows_unchanged,
            rejected=[Rejected(r["row"], r["reason"]) for r in earlier.rejected],
            repeated=True,
        )
    valid, rejected = check_rows(op, data)
    upload = DeliveryUpload.objects.create(
        ente_id=op.ente_id,
        filename=filename[:255],
        sha256=digest,
        rows_total=len(valid) + len(rejected),
        rows_rejected=len(rejected),
        rejected=[{"row": r.row, "reason": r.reason} for r in rejected],
        uploaded_by=by,
    )
    saved, unchanged = _save(valid, upload, by)
    upload.rows_saved, upload.rows_unchanged = saved, unchanged
    upload.save(update_fields=["rows_saved", "rows_unchanged"])
    return UploadReport(upload=upload, saved=saved, unchanged=unchanged, rejected=rejected)
