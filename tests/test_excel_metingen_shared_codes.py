"""The sheet metingen of an exported graph round-trips in a store shared by municipalities.

The sheet reads an indicator's, area's or data source's code as `krb import-metingen`
does: against the whole store, refusing a code that fits several things. The export
wrote a code wherever nothing else in the *exported graph* had it, so a graph exported
on its own (``--graph``) named the demo's GEL-I01 by its code while another
municipality's graph of the same store holds a GEL-I01 too, and importing the workbook
just exported was refused as ambiguous. Now a code is written only where the import's
own lookup finds exactly that one thing by it in the store, else the IRI.

Checked on a real embedded store with the demo: graph geluid is given an area of its
own and measurements (``{geluid}/metingen``) through its workbook; then another
municipality's graph brings an indicator GEL-I01, a data source geluidmeetnet and an
area with the new area's code, under its own base IRI.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from other_municipality import BASE, INDICATOR_AND_SOURCE, OTHER, OTHER_I01, OTHER_SOURCE, PREFIXES
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from store_templates import copy_of

from krbgraph.commands.serve import demo_paths
from krbgraph.excel.exporting import export_workbook
from krbgraph.excel.importing import import_workbook
from krbgraph.excel.metingen_sheet import export_rows, measurement_graph_iri
from krbgraph.excel.problems import Problem
from krbgraph.excel.workbook_format import SHEETS_BY_NAME
from krbgraph.loading import load_paths
from krbgraph.measurements.lookup import Registry
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

GELUID = f"{BASE}/graph/geluid"
METINGEN = measurement_graph_iri(GELUID)
OTHER_GRAPH = f"{OTHER}/graph/geluid"
DATABRONNEN = f"{BASE}/graph/databronnen"

OWN_I01 = f"{BASE}/id/beleidsindicator/GEL-I01"
OWN_SOURCE = f"{BASE}/id/databron/geluidmeetnet"
GGD_SOURCE = f"{BASE}/id/databron/ggd-gezondheidsmonitor"
OWN_AREA = f"{BASE}/id/werkingsgebied/meetpunt-zuid"
OTHER_AREA = f"{OTHER}/id/werkingsgebied/meetpunt-zuid"
COLUMNS = list(SHEETS_BY_NAME["metingen"].names)
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SOSA = Namespace("http://www.w3.org/ns/sosa/")

ROWS = [
    {"indicator": "GEL-I01", "gebied": "meetpunt-zuid", "jaar": 2021, "waarde": 51.0},
    {"indicator": "GEL-I01", "gebied": "parkstraat", "jaar": 2022, "waarde": 50.5},
    {"indicator": "GEZ-I01", "gebied": "WK999901", "jaar": 2022, "waarde": 12.5},
]
UNIT_AND_SOURCE = {
    "GEL-I01": ("dB(A)", "geluidmeetnet"),
    "GEZ-I01": ("%", "ggd-gezondheidsmonitor"),
}

SHARED = (
    PREFIXES
    + INDICATOR_AND_SOURCE
    + f"""
<{OTHER_AREA}> a krb:Werkingsgebied ;
    rdfs:label "Meetpunt Zuid (andere gemeente)"@nl ;
    dct:identifier "meetpunt-zuid" ;
    krb:gebiedssoort gebiedssoort:straat .
"""
)


def _metingen_rows(path: Path) -> list[dict[str, object]]:
    sheet = load_workbook(path)["metingen"]
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)]


def _no_warnings(problems: list[Problem]) -> None:
    """The export warns about nothing: the generated names of the measurements whose
    indicator or area another graph describes are the names the import gives them back
    (read from the whole store, as the import reads the codes)."""
    assert problems == [], problems


def _content(store: Store, graph: str) -> Graph:
    """The graph with decimals by value (the store may give 51.0 back as 51)."""
    out = Graph()
    for s, p, o in store.read_graph(graph):
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path]]:
    """The shared store, and graph geluid's workbook as exported before the other
    municipality's graph came in (when every code named one thing)."""
    folder = tmp_path_factory.mktemp("gedeeld")
    db = copy_of("model", Settings(), ensure_model, folder / "db")
    with open_store(Settings(store=str(db))) as store:
        paths = [p for p in demo_paths() if p.name != "metingen.ttl"]  # sources stay
        load_paths(store, paths, replace=True, validate=False)
        workbook = folder / "geluid.xlsx"
        assert export_workbook(store, workbook, graph=GELUID) == []
        book = load_workbook(workbook)
        areas = book["werkingsgebieden"]
        header = [cell.value for cell in areas[1]]
        area = {"naam": "Meetpunt Zuid", "soort": "straat", "ligt_in": "BU99990201"}
        areas.append([(area | {"code": "meetpunt-zuid"}).get(str(c)) for c in header])
        for row in ROWS:
            unit, source = UNIT_AND_SOURCE[str(row["indicator"])]
            cells = row | {"eenheid": unit, "bron": source}
            book["metingen"].append([cells.get(column) for column in COLUMNS])
        book.save(workbook)
        report = import_workbook(store, workbook, base_iri=BASE, graph=GELUID)
        assert (report.measurement_graph, report.measurements) == (METINGEN, len(ROWS))

        alone = folder / "alleen.xlsx"
        _no_warnings(export_workbook(store, alone, graph=GELUID))

        other = folder / "andere-gemeente.ttl"
        other.write_text(SHARED, encoding="utf-8")
        load_paths(store, [other], graph=OTHER_GRAPH, base_iri=BASE)  # validated
        yield store, alone


def test_alone_in_the_store_the_codes_are_written(shared: tuple[Store, Path]) -> None:
    """Before the other municipality came in, each code the exported graph holds named
    one thing in the store: written as the code. A thing of another graph (parkstraat
    and WK999901 of gebieden, GEZ-I01 of gezondheid, the sources of databronnen) is
    named by its IRI, as before."""
    _, alone = shared
    named = {(r["indicator"], r["gebied"], r["bron"]) for r in _metingen_rows(alone)}
    assert named == {
        ("GEL-I01", "meetpunt-zuid", OWN_SOURCE),
        ("GEL-I01", f"{BASE}/id/werkingsgebied/parkstraat", OWN_SOURCE),
        (f"{BASE}/id/beleidsindicator/GEZ-I01", f"{BASE}/id/werkingsgebied/WK999901", GGD_SOURCE),
    }


def test_an_exported_graph_imports_again_unchanged_beside_another_municipality(
    shared: tuple[Store, Path], tmp_path: Path
) -> None:
    store, _ = shared
    graphs = {info.iri for info in store.graphs()}
    before = {graph: _content(store, graph) for graph in (GELUID, METINGEN, OTHER_GRAPH)}
    exported = tmp_path / "geluid.xlsx"
    _no_warnings(export_workbook(store, exported, graph=GELUID))

    again = import_workbook(store, exported, base_iri=BASE, graph=GELUID)

    assert (again.measurement_graph, again.measurements) == (METINGEN, len(ROWS))
    assert {info.iri for info in store.graphs()} == graphs
    for graph, content in before.items():
        assert isomorphic(_content(store, graph), content), graph
    indicators = {str(o) for o in before[METINGEN].objects(None, SOSA.observedProperty)}
    assert OTHER_I01 not in indicators
    # the codes another graph of the store also has were written as IRIs, the others not
    named = {(r["indicator"], r["gebied"]) for r in _metingen_rows(exported)}
    assert (OWN_I01, OWN_AREA) in named
    assert not {"GEL-I01", "meetpunt-zuid"} & {text for pair in named for text in pair}
    assert len(named) == len(ROWS)


def test_a_data_source_is_named_by_code_only_where_the_store_has_one_of_it(
    shared: tuple[Store, Path],
) -> None:
    """A data source has no sheet, so only a graph loaded from RDF holds one beside the
    measurements; here the demo's sources with the measurements of graph geluid. The
    code geluidmeetnet names one source in this graph and two in the store."""
    store, _ = shared
    graph = Graph()
    for name in (DATABRONNEN, METINGEN):
        for triple in store.read_graph(name):
            graph.add(triple)

    rows = export_rows(graph, set(), store)

    sources = {r["bron"] for r in rows}
    assert sources == {OWN_SOURCE, "ggd-gezondheidsmonitor"}
    lookup = Registry.read(store)
    for text in sources:  # each names exactly one source, as the import reads it
        assert len(lookup.source(str(text))) == 1, text
    assert lookup.source("geluidmeetnet") == sorted([OWN_SOURCE, OTHER_SOURCE])
    # written without a store, a graph's codes are checked against the graph alone
    assert {r["bron"] for r in export_rows(graph, set())} == {
        "geluidmeetnet",
        "ggd-gezondheidsmonitor",
    }
    assert URIRef(GGD_SOURCE) in set(graph.subjects())
