import pytest
from codicefiscale import codicefiscale
from django.core.exceptions import ValidationError

from ambito.people.codice_fiscale import decode, has_valid_checksum


def test_it_decodes_birth_date_sex_and_birthplace():
    decoded = decode("rssmra80d03b731i")
    assert decoded.code == "RSSMRA80D03B731I"
    assert decoded.birth_date.isoformat() == "1980-04-03"
    assert decoded.sex == "M"
    assert decoded.birthplace_name == "Caravaggio"


def test_it_decodes_a_woman_born_abroad():
    code = codicefiscale.encode(
        lastname="El Amrani",
        firstname="Fatima",
        gender="F",
        birthdate="15/09/1992",
        birthplace="Z330",
    )
    decoded = decode(code)
    assert decoded.sex == "F"
    assert decoded.birth_date.day == 15
    assert decoded.birthplace_code == "Z330"


def test_it_accepts_an_omocode():
    assert decode("RSSMRA80D03B73MA").birth_date.isoformat() == "1980-04-03"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("RSSMRA80D03", "16 caratteri"),
        ("RSSMRA80Z33B731Q", "forma corretta"),
        ("RSSMRA80D03B731X", "carattere di controllo"),
        ("", "16 caratteri"),
    ],
)
def test_it_refuses_invalid_codes_with_an_italian_message(code, message):
    with pytest.raises(ValidationError) as exc:
        decode(code)
    assert message in exc.value.messages[0]


def test_the_fast_checksum_agrees_with_the_library():
    for code in ["RSSMRA80D03B731I", "RSSMRA80D03B73MA"]:
        assert has_valid_checksum(code)
        assert codicefiscale.is_valid(code)
    assert not has_valid_checksum("RSSMRA80D03B731X")
