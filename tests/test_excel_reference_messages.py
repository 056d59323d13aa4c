"""A reference that names nothing gets the message of what is wrong, and no other.

A row of sheet metingen naming an indicator or area that the same workbook's import
deletes (its row removed from the workbook, the old import still in the store) is
refused as a policy sheet's cell is: it does not exist in the workbook, and the
registry holds it only in the graph being replaced. It is not resolved against that
old graph, which gave the shapes' technical text about the new measurement, nor are the
old measurements of the deleted indicator blamed. A norm whose indicator names
nothing gets no unit error claiming the indicator has no unit: an empty ``eenheid``
takes the indicator's, which is not known.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_excel_refusal_messages import _clear
from test_excel_support import BASE, demo_workbook, edit, row_of

from krbgraph.excel.importing import ImportFailed, import_workbook
from krbgraph.excel.metingen_sheet import measurement_graph_iri
from krbgraph.excel.reader import read_workbook
from krbgraph.model import model_graph
from krbgraph.namespaces import SOSA
from krbgraph.store import Store

# 1. A row of sheet metingen naming what the import deletes

INDICATOR = ["TST-I01", "Testindicator geluid", "Geluid", None, "effectindicator", "dB(A)"]
AREA = ["Testbuurt", "buurt", "Centrum", "BU99990199", None, "2024"]
MEASURED = [
    {"indicator": "TST-I01", "gebied": "WK999901", "jaar": 2023},
    {"indicator": "testindicator geluid", "gebied": "WK999901", "jaar": 2024},  # by name
    {"indicator": "GEL-I01", "gebied": "BU99990199", "jaar": 2023},
]


def _with_own_rows(workbook: Path) -> Path:
    """The demo workbook with an indicator and an area of its own, each named by rows of
    sheet metingen only."""
    book = load_workbook(workbook)
    book["beleidsindicator"].append(INDICATOR)
    book["werkingsgebieden"].append(AREA)
    sheet = book["metingen"]
    header = [cell.value for cell in sheet[1]]
    for measured in MEASURED:
        row = {**measured, "waarde": "51,5", "eenheid": "dB(A)", "bron": "https://x.nl/geluid"}
        sheet.append([row.get(str(column)) for column in header])
    book.save(workbook)
    return workbook


def _delete(workbook: Path, sheet: str, row: int) -> None:
    book = load_workbook(workbook)
    book[sheet].delete_rows(row)
    book.save(workbook)


def test_a_measurement_row_naming_what_the_import_deletes_is_refused_as_a_policy_cell(
    model_store: Store, tmp_path: Path
) -> None:
    workbook = _with_own_rows(demo_workbook(tmp_path))
    first = import_workbook(model_store, workbook, base_iri=BASE)
    graph, measurements = first.graph, measurement_graph_iri(first.graph)
    assert first.measurements == len(MEASURED)
    before = {g: len(model_store.read_graph(g)) for g in (graph, measurements)}
    rows = [row_of(workbook, "metingen", m["indicator"], column="indicator") for m in MEASURED]
    _delete(workbook, "beleidsindicator", row_of(workbook, "beleidsindicator", "TST-I01"))
    _delete(workbook, "werkingsgebieden", row_of(workbook, "werkingsgebieden", "Testbuurt", "naam"))

    with pytest.raises(ImportFailed) as failed:
        import_workbook(model_store, workbook, base_iri=BASE, graph=graph)

    errors = [p for p in failed.value.problems if p.is_error]
    assert {(p.sheet, p.row, p.column) for p in errors} == {
        ("metingen", rows[0], "indicator"),
        ("metingen", rows[1], "indicator"),
        ("metingen", rows[2], "gebied"),
    }, [p.text_nl for p in errors]
    said = {p.row: (p.message_nl, p.message_en) for p in errors}
    indicator, area = f"{BASE}/id/beleidsindicator/TST-I01", f"{BASE}/id/werkingsgebied/BU99990199"
    for row, text, sheet, iri in (
        (rows[0], "TST-I01", "beleidsindicator", indicator),
        (rows[1], "testindicator geluid", "beleidsindicator", indicator),
        (rows[2], "BU99990199", "werkingsgebieden", area),
    ):
        assert said[row] == (
            f"'{text}' bestaat niet in blad {sheet}; <{iri}> staat in het register alleen "
            f"in <{graph}>, dat deze import vervangt",
            f"'{text}' does not exist in sheet {sheet}; <{iri}> is in the registry only in "
            f"<{graph}>, which this import replaces",
        )
    assert {g: len(model_store.read_graph(g)) for g in before} == before  # nothing written


def test_a_measurement_row_naming_what_the_workbook_keeps_imports_again(
    model_store: Store, tmp_path: Path
) -> None:
    """The same workbook imported again over itself: its indicator and area are in the
    graph being replaced, and in the workbook replacing it."""
    workbook = _with_own_rows(demo_workbook(tmp_path))
    first = import_workbook(model_store, workbook, base_iri=BASE)

    again = import_workbook(model_store, workbook, base_iri=BASE, graph=first.graph)

    assert (again.replaced, again.measurements) == (True, len(MEASURED))


def test_a_deleted_indicator_is_said_even_where_another_graph_has_one_of_its_name(
    model_store: Store, tmp_path: Path
) -> None:
    """Another graph's indicator of the same name took the row in silence once the
    deleted one had left the lookup: the measurement was written against it (before,
    the name was refused as fitting several)."""
    from rdflib import Graph, URIRef

    workbook = _with_own_rows(demo_workbook(tmp_path))
    first = import_workbook(model_store, workbook, base_iri=BASE)
    mine = URIRef(f"{BASE}/id/beleidsindicator/TST-I01")
    other = URIRef(f"{BASE}/id/beleidsindicator/ANDER-I01")
    twin = Graph()
    for _s, p, o in model_store.read_graph(first.graph).triples((mine, None, None)):
        twin.add((other, p, o))
    model_store.replace_graph(f"{BASE}/graph/ander", twin)
    measurements = measurement_graph_iri(first.graph)
    before = {g: len(model_store.read_graph(g)) for g in (first.graph, measurements)}
    row = row_of(workbook, "metingen", "testindicator geluid", column="indicator")
    _delete(workbook, "beleidsindicator", row_of(workbook, "beleidsindicator", "TST-I01"))

    with pytest.raises(ImportFailed) as failed:
        import_workbook(model_store, workbook, base_iri=BASE, graph=first.graph)

    said = {(p.row, p.column): p.message_nl for p in failed.value.problems if p.is_error}
    assert said[(row, "indicator")].startswith(
        f"'testindicator geluid' bestaat niet in blad beleidsindicator; <{mine}> staat"
    )
    assert {g: len(model_store.read_graph(g)) for g in before} == before  # nothing written


def test_a_renamed_code_of_the_workbooks_own_indicator_still_finds_it_by_name(
    model_store: Store, tmp_path: Path
) -> None:
    """The old code goes with the graph replaced, but the name names the workbook's own
    indicator under its new code alone: the re-import was refused, saying no indicator
    of that name was in the sheet."""
    workbook = _with_own_rows(demo_workbook(tmp_path))
    first = import_workbook(model_store, workbook, base_iri=BASE)
    book = load_workbook(workbook)
    sheet = book["beleidsindicator"]
    sheet.cell(row_of(workbook, "beleidsindicator", "TST-I01"), 1, "TST-I02")
    assert sheet[1][0].value == "code"
    metingen = book["metingen"]
    for row in metingen.iter_rows(min_row=2):
        if row[0].value == "TST-I01":
            row[0].value = "testindicator geluid"  # by name only
    book.save(workbook)

    again = import_workbook(model_store, workbook, base_iri=BASE, graph=first.graph)

    assert again.measurements == len(MEASURED)
    measured = model_store.read_graph(measurement_graph_iri(first.graph))
    indicators = {str(o) for o in measured.objects(None, SOSA.observedProperty)}
    assert f"{BASE}/id/beleidsindicator/TST-I02" in indicators
    assert f"{BASE}/id/beleidsindicator/TST-I01" not in indicators


# 2. No unit error that claims what an unknown indicator has


@pytest.mark.parametrize("value", [48, "48", "48,5"])
def test_a_norm_whose_indicator_names_nothing_gets_no_error_about_its_unit(
    tmp_path: Path, value: object
) -> None:
    workbook = demo_workbook(tmp_path)
    norm = row_of(workbook, "beleidsnorm", "GEL-N01")  # on GEL-I01, in dB(A)
    _clear(workbook, [("beleidsnorm", norm, "eenheid")])
    edit(
        workbook,
        [("beleidsnorm", norm, "indicator", "GEL-i01"), ("beleidsnorm", norm, "waarde", value)],
    )

    result = read_workbook(workbook, BASE, model_graph())

    [error] = result.errors
    assert (error.sheet, error.row, error.column) == ("beleidsnorm", norm, "indicator")
    assert error.message_nl == "'GEL-i01' bestaat niet in blad beleidsindicator"


def test_a_value_that_is_no_number_nor_label_is_refused_whatever_the_indicator(
    tmp_path: Path,
) -> None:
    workbook = demo_workbook(tmp_path)
    norm = row_of(workbook, "beleidsnorm", "GEL-N01")
    _clear(workbook, [("beleidsnorm", norm, "eenheid")])
    edit(
        workbook,
        [("beleidsnorm", norm, "indicator", "GEL-i01"), ("beleidsnorm", norm, "waarde", "veel")],
    )

    result = read_workbook(workbook, BASE, model_graph())

    assert {(e.sheet, e.row, e.column) for e in result.errors} == {
        ("beleidsnorm", norm, "indicator"),
        ("beleidsnorm", norm, "waarde"),
    }
    assert "ook de indicator" not in "\n".join(e.message_nl for e in result.errors)


def test_a_number_for_an_indicator_without_a_unit_still_asks_for_one(tmp_path: Path) -> None:
    """The indicator is known and has no unit (the energy label): the error stays."""
    workbook = demo_workbook(tmp_path)
    norm = row_of(workbook, "beleidsnorm", "GEL-N01")
    _clear(workbook, [("beleidsnorm", norm, "eenheid")])
    edit(workbook, [("beleidsnorm", norm, "indicator", "ENE-I01")])

    result = read_workbook(workbook, BASE, model_graph())

    said = [e for e in result.errors if (e.sheet, e.row) == ("beleidsnorm", norm)]
    assert [(e.column, e.message_nl.split(";")[0]) for e in said] == [
        ("eenheid", "eenheid ontbreekt bij waarde '48' (ook de indicator heeft er geen)")
    ]
