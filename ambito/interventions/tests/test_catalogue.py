"""The catalogue's reference data: the INPS benefit codes, the services' SIUSS code, SIOSS area
and standard cost, the default catalogue, the admin and the API."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ambito.cases.tests.test_api import api_client
from ambito.interventions import catalogue
from ambito.interventions.catalogue import (
    DEFAULT_SERVICES,
    ServiceSpec,
    create_default_catalogue,
    fill_blank_defaults,
    sync_benefit_codes,
)
from ambito.interventions.models import BenefitCode, Service, SiossArea
from ambito.territory.models import Ambito
from conftest import client_for

pytestmark = pytest.mark.django_db

# Every code of the table in domain_it.md §1.4.
TABLE = (
    [f"A1.{n:02}" for n in range(1, 21)]
    + [f"A2.{n:02}" for n in range(1, 13)]
    + ["A3.01", "A3.02", "A3.03", "Z9.99"]
)
# The §1.4 codes that may carry a SINA section (the newer A1.23, A2.14, A2.20, A2.21 are not
# shipped: their names are unknown).
WITH_SINA = {"A1.04", *(f"A1.{n}" for n in range(10, 17)), "A2.07", "A2.08", "A3.02"}
HTTPS = {"x-forwarded-proto": "https"}


def today():
    return timezone.localdate()


def a_service(**overrides) -> Service:
    fields = {
        "ambito": Ambito.objects.get(code="treviglio"),
        "code": "prova",
        "name": "Servizio di prova",
        "unit": Service.Unit.HOUR,
        **overrides,
    }
    return Service(**fields)


def treviglio_service(code: str) -> Service:
    return Service.objects.get(ambito__code="treviglio", code=code)


# The benefit codes


def test_every_installation_has_every_code_of_the_table_with_its_sina_flag():
    codes = dict(BenefitCode.objects.values_list("code", "sina"))
    assert sorted(codes) == sorted(TABLE)
    assert {code for code, sina in codes.items() if sina} == WITH_SINA
    assert (
        BenefitCode.objects.get(code="A2.07").name == "Assistenza domiciliare socio-assistenziale"
    )
    assert set(BenefitCode.objects.valid_on(today()).values_list("code", flat=True)) == set(TABLE)
    assert sync_benefit_codes(BenefitCode) == []


def test_the_shipped_file_says_its_source_and_what_it_leaves_out():
    data = json.loads(catalogue.BENEFIT_CODES_FILE.read_text(encoding="utf-8"))
    assert "A1.23, A2.14, A2.20, A2.21" in data["source"]
    assert "non è stata letta" in data["source"]


def test_the_loader_adds_the_missing_codes_applies_changes_and_deletes_none(tmp_path, monkeypatch):
    data = json.loads(catalogue.BENEFIT_CODES_FILE.read_text(encoding="utf-8"))
    codes = {row["code"]: row for row in data["codes"]}
    codes["A1.03"]["valid_to"] = "2025-12-31"  # INPS retires the carta acquisti
    codes["A1.02"]["name"] = "Assegno di maternità erogato dai Comuni"
    del codes["Z9.99"]  # a code left out of a later file is not deleted
    codes["A9.01"] = {"code": "A9.01", "name": "Nuova prestazione", "valid_from": "2026-01-01"}
    data["codes"] = list(codes.values())
    (tmp_path / "benefit_codes.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(catalogue, "BENEFIT_CODES_FILE", tmp_path / "benefit_codes.json")

    changed = sync_benefit_codes(BenefitCode)

    assert sorted(c.code for c in changed) == ["A1.02", "A1.03", "A9.01"]
    assert sync_benefit_codes(BenefitCode) == []
    retired = BenefitCode.objects.get(code="A1.03")
    assert str(retired.valid_to) == "2025-12-31"
    assert retired.is_valid_on(retired.valid_to)
    assert not retired.is_valid_on(retired.valid_to + timedelta(days=1))
    assert BenefitCode.objects.get(code="A1.02").name == "Assegno di maternità erogato dai Comuni"
    assert BenefitCode.objects.filter(code="Z9.99").exists()
    assert BenefitCode.objects.count() == len(TABLE) + 1


def test_a_code_valid_only_in_a_window_is_valid_only_there():
    code = BenefitCode.objects.create(
        code="A9.02",
        name="Prestazione sperimentale",
        valid_from=today() - timedelta(days=10),
        valid_to=today() - timedelta(days=1),
    )
    assert code.is_valid_on(today() - timedelta(days=10))
    assert not code.is_valid_on(today())
    assert not code.is_valid_on(today() - timedelta(days=11))
    on_the_last_day = BenefitCode.objects.valid_on(today() - timedelta(days=1))
    assert on_the_last_day.filter(code="A9.02").exists()
    assert not BenefitCode.objects.valid_on(today()).filter(code="A9.02").exists()


def test_a_code_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        BenefitCode.objects.create(
            code="A9.03", name="Sbagliata", valid_from=today(), valid_to=today() - timedelta(1)
        )


# The services' SIUSS code


def test_a_service_takes_a_code_in_force_written_in_any_case():
    service = a_service(siuss_code=" a2.07 ", sioss_area=SiossArea.HOME)
    service.full_clean()
    assert service.siuss_code == "A2.07"
    a_service(siuss_code="").full_clean()


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "message"),
    [
        (None, None, "Codice prestazione «{code}» non presente nella Tabella prestazioni INPS."),
        (-30, -1, "Il codice prestazione «{code}» non è più in vigore dal {valid_to}"),
        (1, None, "Il codice prestazione «{code}» è in vigore dal {valid_from}."),
    ],
    ids=["unknown", "expired", "not yet in force"],
)
def test_a_service_with_a_code_not_in_force_is_refused(valid_from, valid_to, message):
    code = "A9.04"
    dates = {}
    if valid_from is not None:
        dates["valid_from"] = today() + timedelta(days=valid_from)
        dates["valid_to"] = today() + timedelta(days=valid_to) if valid_to else None
        BenefitCode.objects.create(code=code, name="Prova", **dates)
    with pytest.raises(ValidationError) as refused:
        a_service(siuss_code=code).full_clean()
    expected = message.format(
        code=code,
        valid_from=f"{dates.get('valid_from', today()):%d/%m/%Y}",
        valid_to=f"{dates.get('valid_to') or today():%d/%m/%Y}",
    )
    assert refused.value.message_dict["siuss_code"][0].startswith(expected)


def test_a_negative_standard_cost_is_refused():
    with pytest.raises(ValidationError) as refused:
        a_service(standard_cost=Decimal("-1")).full_clean()
    assert "Il costo standard non può essere negativo." in refused.value.messages


# The default catalogue


def test_every_ambitos_default_services_have_a_code_in_force_an_area_and_a_cost():
    in_force = set(BenefitCode.objects.valid_on(today()).values_list("code", flat=True))
    for spec in DEFAULT_SERVICES:
        assert not spec.siuss_code or spec.siuss_code in in_force, spec.code
        assert spec.sioss_area in SiossArea.values, spec.code
    for ambito in Ambito.objects.all():
        services = {s.code: s for s in Service.objects.filter(ambito=ambito)}
        for spec in DEFAULT_SERVICES:
            service = services[spec.code]
            assert (service.sioss_area, service.standard_cost) == (
                spec.sioss_area,
                spec.standard_cost,
            )
    sad = treviglio_service("sad")
    assert (sad.siuss_code, sad.sioss_area, sad.standard_cost) == ("A2.07", "C", Decimal("22"))
    assert treviglio_service("segretariato").standard_cost is None


def test_making_the_catalogue_again_fills_what_is_blank_and_keeps_the_ambitos_values():
    ambito = Ambito.objects.get(code="treviglio")
    Service.objects.filter(ambito=ambito, code="adm").update(sioss_area="", standard_cost=None)
    Service.objects.filter(ambito=ambito, code="sad").update(
        sioss_area=SiossArea.INCLUSION, standard_cost=Decimal("19.90")
    )
    count = Service.objects.count()

    create_default_catalogue(ambito)

    assert Service.objects.count() == count
    adm, sad = treviglio_service("adm"), treviglio_service("sad")
    assert (adm.sioss_area, adm.standard_cost) == ("B", Decimal("24.50"))
    assert (sad.sioss_area, sad.standard_cost) == ("B", Decimal("19.90"))
    assert fill_blank_defaults(Service.objects.filter(ambito=ambito)) == 0


def test_the_migration_filler_reaches_every_ambito_but_not_other_services():
    Service.objects.filter(code="tis").update(sioss_area="", standard_cost=None)
    a_service(code="mio", sioss_area="", standard_cost=None).save()
    filled = fill_blank_defaults(Service.objects.all())
    assert filled == 2 * Service.objects.filter(code="tis").count()
    assert set(Service.objects.filter(code="tis").values_list("sioss_area", flat=True)) == {"B"}
    assert treviglio_service("mio").standard_cost is None


def test_a_new_ambito_gets_the_whole_catalogue_even_when_the_table_is_empty():
    BenefitCode.objects.all().delete()  # as after a flush of the test database
    ambito = Ambito.objects.create(name="Ambito di prova", code="prova", province="BG", region="x")
    services = create_default_catalogue(ambito)
    assert len(services) == len(DEFAULT_SERVICES)
    assert BenefitCode.objects.count() == len(TABLE)
    housing = next(s for s in services if s.code == "housing_first")
    assert (housing.sioss_area, housing.standard_cost) == ("E", Decimal("600"))


def test_a_default_service_with_a_code_not_in_the_table_stops_the_catalogue(monkeypatch):
    wrong = ServiceSpec("sbagliato", "Sbagliato", Service.Unit.HOUR, siuss_code="A9.99")
    monkeypatch.setattr(catalogue, "DEFAULT_SERVICES", [*DEFAULT_SERVICES, wrong])
    ambito = Ambito.objects.create(name="Ambito di prova", code="prova", province="BG", region="x")
    with pytest.raises(ValidationError, match="«A9.99» non presente nella Tabella prestazioni"):
        create_default_catalogue(ambito)
    assert not Service.objects.filter(ambito=ambito).exists()


# The admin


def test_the_system_administrator_reads_the_table_but_does_not_change_it(sysadmin):
    client = client_for(sysadmin, headers=HTTPS)
    listing = client.get("/admin/interventions/benefitcode/", {"q": "domiciliare"})
    assert listing.status_code == 200
    assert {c.code for c in listing.context["cl"].result_list} == {"A2.02", "A2.07", "A2.08"}
    code = BenefitCode.objects.get(code="A2.07")
    assert client.get("/admin/interventions/benefitcode/add/").status_code == 403
    assert client.post(f"/admin/interventions/benefitcode/{code.pk}/delete/").status_code == 403
    page = client.get(f"/admin/interventions/benefitcode/{code.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]


def test_the_system_administrator_edits_a_services_new_fields_and_is_refused_a_bad_code(sysadmin):
    client = client_for(sysadmin, headers=HTTPS)
    adm = treviglio_service("adm")
    url = f"/admin/interventions/service/{adm.pk}/change/"
    form = {
        "ambito": adm.ambito_id,
        "code": "adm",
        "name": adm.name,
        "siuss_code": "A1.99",
        "sioss_area": "B",
        "area": adm.area,
        "unit": adm.unit,
        "periodic": "on",
        "standard_cost": "26.00",
        "active": "on",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "non presente nella Tabella prestazioni INPS" in refused.content.decode()
    assert treviglio_service("adm").standard_cost == Decimal("24.50")
    saved = client.post(url, {**form, "siuss_code": "A2.02"})
    assert saved.status_code == 302
    assert treviglio_service("adm").standard_cost == Decimal("26.00")


# The API


def test_the_catalogue_api_gives_the_codes_name_the_sioss_area_and_the_standard_cost(luca):
    services = {s["code"]: s for s in api_client(luca).get("/api/v1/services").json()}
    assert services["adm"]["siuss_code"] == "A2.02"
    assert (
        services["adm"]["siuss_code_name"] == "Sostegno socio-educativo territoriale o domiciliare"
    )
    assert services["adm"]["sioss_area"] == "B"
    assert Decimal(services["adm"]["standard_cost"]) == Decimal("24.50")
    assert (
        services["housing_first"]["siuss_code"],
        services["housing_first"]["siuss_code_name"],
    ) == ("", "")
    assert services["segretariato"]["standard_cost"] is None


def test_every_operator_reads_the_benefit_codes_and_those_in_force_on_a_day(luca, elena):
    BenefitCode.objects.create(
        code="A9.05", name="Ritirata", valid_from=today() - timedelta(365), valid_to=today()
    )
    every = api_client(elena).get("/api/v1/benefit-codes").json()
    assert [c["code"] for c in every] == sorted([*TABLE, "A9.05"])
    a207 = next(c for c in every if c["code"] == "A2.07")
    assert a207 == {
        "code": "A2.07",
        "name": "Assistenza domiciliare socio-assistenziale",
        "valid_from": "2015-01-01",
        "valid_to": None,
        "sina": True,
    }
    tomorrow = (today() + timedelta(days=1)).isoformat()
    in_force = api_client(luca).get("/api/v1/benefit-codes", {"valid_on": tomorrow}).json()
    assert [c["code"] for c in in_force] == sorted(TABLE)
    wrong = api_client(luca).get("/api/v1/benefit-codes", {"valid_on": "ieri"})
    assert wrong.status_code == 422
