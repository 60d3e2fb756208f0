"""A provider's file of deliveries: every rejection reason, the formats Excel writes, malformed
files, the same file twice, a later file replacing a month."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ambito.interventions.actions import approve_month
from ambito.interventions.models import Delivery, DeliveryUpload
from ambito.interventions.tests.deliveries_helpers import (
    SORGENTE,
    a_code_nobody_has,
    cf,
    csv_file,
    interventions_of,
    months_ago,
    provider,
    xlsx_file,
    ym,
)
from ambito.interventions.uploads import import_deliveries

pytestmark = pytest.mark.django_db


def units_of(intervention, month: date) -> Decimal | None:
    found = Delivery.objects.filter(intervention=intervention, month=month).first()
    return found.units if found else None


def test_good_rows_are_saved_and_each_bad_row_comes_back_with_its_reason(elena, giulia):
    first, second = interventions_of()[:2]
    other = interventions_of(SORGENTE)[0]
    last, before = months_ago(1), months_ago(2)
    approved = months_ago(3)  # the demo approves the oldest of its three months
    planned = first.planned_quantity
    rows = [
        [cf(first), first.pk, ym(last), "10,5"],  # 2: good
        [a_code_nobody_has(), first.pk, ym(last), "1"],  # 3
        [cf(second), first.pk, ym(last), "1"],  # 4: someone else's code
        [cf(other), other.pk, ym(last), "1"],  # 5: La Sorgente's intervention
        [cf(first), first.pk, ym(months_ago(12)), "1"],  # 6: before it started
        [cf(second), second.pk, ym(last), str(3 * second.planned_quantity + 1)],  # 7
        [cf(first), first.pk, ym(approved), "1"],  # 8
        [cf(second), second.pk, ym(before), "2"],  # 9: duplicated by 10
        [cf(second), second.pk, ym(before), "3"],  # 10
        [cf(first), first.pk, "10/2026", "1"],  # 11
        [cf(first), first.pk, ym(before), "dieci"],  # 12
        ["", "", "", ""],  # blank rows (as Excel leaves them) are skipped
    ]
    report = import_deliveries(csv_file(rows), by=elena, filename="ottobre.csv")
    reasons = {r.row: r.reason for r in report.rejected}
    assert report.saved == 1 and not report.repeated, reasons
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert reasons[3].startswith("Codice fiscale sconosciuto")
    assert (
        reasons[4] == f"Il codice fiscale non corrisponde alla persona dell'intervento {first.pk}."
    )
    assert reasons[5] == f"L'intervento {other.pk} non risulta affidato al suo ente."
    assert "non era ancora iniziato" in reasons[6]
    assert "supera il triplo della quantità prevista" in reasons[7]
    assert reasons[8] == f"Il mese {approved:%m/%Y} è già approvato: non si può modificare."
    assert reasons[9] == reasons[10] and "ripetuti nel file (righe 9, 10)" in reasons[9]
    assert reasons[11].startswith("Mese non valido «10/2026»")
    assert reasons[12].startswith("Unità non valide «dieci»")
    assert units_of(first, last) == Decimal("10.5")
    assert planned is not None
    upload = report.upload
    assert (upload.rows_total, upload.rows_saved, upload.rows_rejected) == (11, 1, 10)
    assert Delivery.objects.get(intervention=first, month=last).upload == upload


def test_hours_beyond_the_month_are_implausible_even_without_a_plan_quantity(elena):
    first = interventions_of()[0]
    first.planned_quantity = None
    first.save(update_fields=["planned_quantity"])
    month = months_ago(1)
    report = import_deliveries(
        csv_file([[cf(first), first.pk, ym(month), "745"]]), by=elena, filename="a.csv"
    )
    assert report.saved == 0
    assert "in un mese che ne ammette al più" in report.rejected[0].reason


@pytest.mark.parametrize(
    ("sep", "bom", "units", "expected"),
    [
        (";", True, "7,5", "7.5"),
        (";", False, "1.234,5", None),  # implausible, but read as 1234.5
        (",", False, "7.25", "7.25"),
        (",", True, "6,75", "6.75"),  # quoted by the csv writer
    ],
)
def test_csv_as_excel_writes_it_is_read(elena, sep, bom, units, expected):
    first = interventions_of()[0]
    month = months_ago(1)
    data = csv_file([[cf(first), first.pk, ym(month), units]], sep=sep, bom=bom)
    report = import_deliveries(data, by=elena, filename="excel.csv")
    if expected is None:
        assert "1234.5" in report.rejected[0].reason
    else:
        assert report.saved == 1, report.rejected
        assert units_of(first, month) == Decimal(expected)


def test_a_windows_excel_csv_in_cp1252_with_italian_headers_is_read(elena):
    first = interventions_of()[0]
    month = months_ago(1)
    text = f"CF;ID_intervento;Mese;Unità;Note\r\n{cf(first)};{first.pk};{ym(month)};4,5;è ok\r\n"
    report = import_deliveries(text.encode("cp1252"), by=elena, filename="win.csv")
    assert report.saved == 1
    assert units_of(first, month) == Decimal("4.5")


def test_xlsx_with_numbers_and_a_date_cell_for_the_month(elena):
    first, second = interventions_of()[:2]
    last, before = months_ago(1), months_ago(2)
    data = xlsx_file(
        [
            [cf(first), first.pk, ym(last), 6.5],
            [cf(second), float(second.pk), before, 3],  # Excel turned the month into a date
        ]
    )
    report = import_deliveries(data, by=elena, filename="prestazioni.xlsx")
    assert (report.saved, report.rejected) == (2, [])
    assert units_of(first, last) == Decimal("6.5")
    assert units_of(second, before) == Decimal("3")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4\n%%EOF\n", "Mancano le colonne"),
        (b"", "Il file è vuoto."),
        (b"PK\x03\x04not really a zip", "non è un CSV o un XLSX"),
        (b"\x00\x01\x02binary", "non è un CSV o un XLSX"),
        (csv_file([], header=["codice_fiscale", "units"]), "Mancano le colonne intervention_id"),
        (csv_file([]), "Il file non contiene righe di prestazioni."),
    ],
)
def test_a_malformed_file_is_refused_whole_and_nothing_is_saved(elena, data, message):
    uploads, deliveries = DeliveryUpload.objects.count(), Delivery.objects.count()
    with pytest.raises(ValidationError) as refused:
        import_deliveries(data, by=elena, filename="x")
    assert message in refused.value.message_dict["file"][0]
    assert (DeliveryUpload.objects.count(), Delivery.objects.count()) == (uploads, deliveries)


def test_the_same_file_twice_changes_nothing_and_says_so(elena):
    first = interventions_of()[0]
    month = months_ago(1)
    data = csv_file([[cf(first), first.pk, ym(month), "9"], ["X", first.pk, ym(month), "1"]])
    once = import_deliveries(data, by=elena, filename="a.csv")
    count = Delivery.objects.count()
    again = import_deliveries(data, by=elena, filename="a-copia.csv")
    assert again.repeated and again.saved == 0 and again.upload == once.upload
    assert again.unchanged == 1 and [r.row for r in again.rejected] == [3]
    assert Delivery.objects.count() == count
    assert DeliveryUpload.objects.filter(sha256=once.upload.sha256).count() == 1


def test_a_later_file_replaces_the_month_until_it_is_approved(elena, giulia):
    first = interventions_of()[0]
    month = months_ago(2)
    import_deliveries(csv_file([[cf(first), first.pk, ym(month), "5"]]), by=elena, filename="a")
    later = import_deliveries(
        csv_file([[cf(first), first.pk, ym(month), "6"]]), by=elena, filename="b"
    )
    assert later.saved == 1 and units_of(first, month) == Decimal("6")
    same = import_deliveries(
        csv_file([[cf(first), first.pk, ym(month), "6,00"]], sep=";"), by=elena, filename="c"
    )
    assert (same.saved, same.unchanged) == (0, 1)
    approve_month(provider(), month, by=giulia)
    refused = import_deliveries(
        csv_file([[cf(first), first.pk, ym(month), "7"]]), by=elena, filename="d"
    )
    assert refused.saved == 0 and "già approvato" in refused.rejected[0].reason
    assert units_of(first, month) == Decimal("6")


def test_only_a_providers_operator_uploads(luca, giulia):
    for user in (luca, giulia):
        with pytest.raises(PermissionDenied):
            import_deliveries(csv_file([]), by=user, filename="a.csv")
