"""The "sinba" form ships as data (cases/instrument_data/sinba.json, migration cases/0009) and
must stay what the SINBA mapping reads: the file is generated from `sinba.instrument_data()`."""

import json
from pathlib import Path

import pytest

from ambito.cases.models import Instrument
from ambito.flows.sinba import SINBA_INSTRUMENT, instrument_data

SHIPPED = Path(__file__).resolve().parents[2] / "cases" / "instrument_data" / "sinba.json"


def test_the_shipped_form_is_the_one_the_mapping_reads() -> None:
    assert json.loads(SHIPPED.read_text(encoding="utf-8")) == instrument_data()


@pytest.mark.django_db
def test_the_migration_installs_the_form() -> None:
    assert Instrument.objects.filter(code=SINBA_INSTRUMENT, version=1).exists()
