"""Codice fiscale: a fast checksum first, then the full decoding by python-codicefiscale."""

import re
from dataclasses import dataclass
from datetime import date

from codicefiscale import codicefiscale
from django.core.exceptions import ValidationError

_SHAPE = re.compile(
    r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$"
)
_ODD = {
    **dict(zip("0123456789", [1, 0, 5, 7, 9, 13, 15, 17, 19, 21], strict=True)),
    **dict(
        zip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            [
                1,
                0,
                5,
                7,
                9,
                13,
                15,
                17,
                19,
                21,
                2,
                4,
                18,
                20,
                11,
                3,
                6,
                8,
                12,
                14,
                16,
                10,
                22,
                25,
                24,
                23,
            ],
            strict=True,
        )
    ),
}
_EVEN = {**{str(i): i for i in range(10)}, **{chr(65 + i): i for i in range(26)}}


@dataclass(frozen=True)
class DecodedCodiceFiscale:
    code: str
    birth_date: date
    sex: str
    birthplace_code: str
    birthplace_name: str


def normalize(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def has_valid_checksum(code: str) -> bool:
    """The check character and the shape, without the slower full decoding: for bulk paths."""
    if not _SHAPE.match(code):
        return False
    total = sum(_ODD[c] for c in code[0:15:2]) + sum(_EVEN[c] for c in code[1:15:2])
    return chr(65 + total % 26) == code[15]


def decode(value: str) -> DecodedCodiceFiscale:
    """Validates and decodes a codice fiscale, raising ValidationError in Italian."""
    code = normalize(value)
    if len(code) != 16:
        raise ValidationError(
            "Il codice fiscale deve avere 16 caratteri (ricevuti %(n)s).",
            code="cf_length",
            params={"n": len(code)},
        )
    if not _SHAPE.match(code):
        raise ValidationError(
            "Il codice fiscale %(code)s non ha la forma corretta.",
            code="cf_shape",
            params={"code": code},
        )
    if not has_valid_checksum(code):
        raise ValidationError(
            "Il carattere di controllo del codice fiscale %(code)s non è corretto.",
            code="cf_checksum",
            params={"code": code},
        )
    try:
        data = codicefiscale.decode(code)
    except ValueError as exc:
        raise ValidationError(
            "Il codice fiscale %(code)s non è valido (data o luogo di nascita inesistenti).",
            code="cf_invalid",
            params={"code": code},
        ) from exc
    birthplace = data.get("birthplace") or {}
    return DecodedCodiceFiscale(
        code=code,
        birth_date=data["birthdate"].date(),
        sex=data["gender"],
        birthplace_code=birthplace.get("code", code[11:15]),
        birthplace_name=birthplace.get("name", ""),
    )
