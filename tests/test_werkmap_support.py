"""What the /werkmap tests share: the registry `krb serve --demo` serves, and workbooks
filled in as a policy officer would in Excel.

The registry is the demo municipality (fourteen graphs) with its research data
(examples/onderzoek: data sources, realised effects and measurements in graphs of
their own), as `krb serve --demo` loads it. The workbooks start from the page's
own template and describe one theme of their own, with one indicator and one
area, and measurements of that indicator in that area on the sheet metingen.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from test_sparql_support import demo_store

from krbgraph.excel.template import write_template
from krbgraph.loading import load_paths
from krbgraph.settings import Settings
from krbgraph.store import Store

RESEARCH = Path(__file__).resolve().parent.parent / "examples" / "onderzoek"

SOURCE = "https://example.org/proefmeetnet"


def served_demo(folder: Path) -> tuple[Store, Settings]:
    """The demo registry with its research data, as `krb serve --demo` loads it."""
    store, settings = demo_store(folder)
    load_paths(store, sorted(RESEARCH.glob("*.ttl")), base_iri=settings.base_iri, validate=False)
    return store, settings


@functools.cache
def _template() -> bytes:
    buffer = io.BytesIO()
    write_template(buffer)
    return buffer.getvalue()


def _add(book: Workbook, sheet: str, **cells: object) -> None:
    rows = book[sheet]
    rows.append([cells.get(str(cell.value)) for cell in rows[1]])


def workbook(
    path: Path,
    years: list[int],
    *,
    number: int = 1,
    cycle: bool = False,
    unknown_indicator: bool = False,
) -> Path:
    """A workbook of one theme, indicator and area, with a measurement per year of
    ``years`` on the sheet metingen (none: an empty sheet). Workbooks of another
    ``number`` describe other things, so both can be in the registry. ``cycle`` adds two
    areas that lie in each other (the shapes refuse that), ``unknown_indicator`` a
    measurement of an indicator nobody has (the sheet metingen refuses that)."""
    book = load_workbook(io.BytesIO(_template()))
    theme, indicator, area = f"Proefthema {number}", f"PRF-I{number:02}", f"WK7777{number:02}"
    _add(book, "beleidsthemas", naam=theme)
    _add(
        book,
        "beleidsindicator",
        code=indicator,
        naam=f"Geluid in proefwijk {number}",
        beleidsthema=theme,
        kenmerk="effectindicator milieu",
        eenheid="dB(A)",
    )
    _add(book, "werkingsgebieden", naam=f"Proefwijk {number}", soort="wijk", code=area)
    if cycle:
        north, south = f"Proef Noord {number}", f"Proef Zuid {number}"
        _add(book, "werkingsgebieden", naam=north, soort="wijk", ligt_in=south)
        _add(book, "werkingsgebieden", naam=south, soort="wijk", ligt_in=north)
    for year in years:
        _add(
            book,
            "metingen",
            indicator=indicator,
            gebied=area,
            jaar=year,
            waarde=50 + year % 10,
            eenheid="dB(A)",
            bron=SOURCE,
        )
    if unknown_indicator:
        _add(book, "metingen", indicator="GEEN-I99", gebied=area, jaar=2020, waarde=1, bron=SOURCE)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
