"""Fixtures of the diary and document tests: a storage folder of their own, an educator for
the équipe, files to upload."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ambito.accounts.models import User
from ambito.organizations.models import Ente, Operator, ServiceUnit

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """An empty storage folder for the test: what it holds afterwards, the test wrote."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def stored_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def marta(db) -> User:
    """An educator of the UO Preventiva: joins an équipe in the tests, is of no case's team
    otherwise."""
    unit = ServiceUnit.objects.get(ambito__code="treviglio", name="UO Preventiva")
    user = User.objects.create(username="marta", first_name="Marta", last_name="Prova")
    op = Operator.objects.create(
        user=user,
        ambito=unit.ambito,
        ente=Ente.objects.get(ambito=unit.ambito, kind=Ente.Kind.CAPOFILA),
        profession=Operator.Profession.EDUCATOR,
        role=Operator.Role.UNIT_OPERATOR,
    )
    op.units.set([unit])
    return user


def pdf_file(name: str = "relazione.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
