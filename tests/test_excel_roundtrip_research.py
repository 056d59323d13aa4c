"""The demo with its research data survives Excel: measurements, their labels, geometries.

- Every measurement of the demo (energy labels included) comes back from
  ``export_workbook`` + ``import_workbook`` into a fresh real embedded store: the
  energy-label norm arrives in the workbook while its labels are in the store's model.
- An observation's own rdfs:label, which no column holds, is named in an export warning;
  the label the import generates is not (it comes back by itself).
- A geometry that does not read as WKT (cut off in the middle of a coordinate) is
  refused at its row and column; valid polygons and multipolygons with holes are not.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from test_excel_support import BASE, demo_graph, demo_workbook, edit, row_of

from krbgraph.commands.serve import demo_paths
from krbgraph.excel.exporting import export_workbook
from krbgraph.excel.importing import import_workbook
from krbgraph.excel.reader import read_workbook
from krbgraph.excel.writer import write_workbook
from krbgraph.loading import load_paths
from krbgraph.model import model_graph, project_root
from krbgraph.namespaces import GEO
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

ONDERZOEK = project_root() / "examples" / "onderzoek"
ID = "https://krb.demogemeente.nl/id/"
PARKSTRAAT_2020 = URIRef(ID + "meting/GEL-I01-parkstraat-2020-01-01-2020-12-31")

MEASUREMENTS = """
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?indicator ?area ?start ?end ?result ?value ?unit WHERE {
  ?m a sosa:Observation ; sosa:observedProperty ?indicator ;
     sosa:hasFeatureOfInterest ?area ; sosa:hasResult ?result ;
     sosa:phenomenonTime [ dcat:startDate ?start ; dcat:endDate ?end ] .
  FILTER NOT EXISTS { ?m krb:beoogdEffect ?effect }
  OPTIONAL { ?result qudt:numericValue ?value ; qudt:hasUnit ?unit }
}
"""

Measurement = tuple[str, str, str, str, str]


def _measurements(store: Store) -> set[Measurement]:
    """(indicator, area, start, end, value with unit, or the label's IRI) of every row."""
    found: set[Measurement] = set()
    for indicator, area, start, end, result, value, unit in store.query(MEASUREMENTS).rows:
        if value is None:
            outcome = str(result)  # a label: energielabel C
        else:
            outcome = f"{format(Decimal(str(value)).normalize(), 'f')} {unit}"
        found.add((str(indicator), str(area), str(start), str(end), outcome))
    return found


@pytest.fixture(scope="module")
def research_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo with its research data, as `krb load` of examples/demo and onderzoek."""
    folder = tmp_path_factory.mktemp("research-source")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        ensure_model(handle)
        load_paths(handle, demo_paths(), replace=True, validate=False)
        yield handle


def test_every_measurement_energy_labels_included_comes_back_in_a_fresh_store(
    research_store: Store, tmp_path: Path
) -> None:
    before = _measurements(research_store)
    labels = {m for m in before if "/energielabel/" in m[4]}
    assert labels, "the demo should hold energy-label measurements"
    exported = tmp_path / "onderzoek.xlsx"
    export_workbook(research_store, exported)

    with open_store(Settings(store=str(tmp_path / "fresh"))) as fresh:
        ensure_model(fresh)
        # the sources are no policy and do not fit the workbook: a fresh store has them
        load_paths(fresh, [ONDERZOEK / "databronnen.ttl"], replace=True, validate=False)
        report = import_workbook(fresh, exported, base_iri=BASE)
        after = _measurements(fresh)

    assert report.measurements == len(before)
    assert after == before


def _with_research_data() -> Graph:
    graph = demo_graph()
    graph.parse(ONDERZOEK / "metingen.ttl", format="turtle")
    return graph


def test_an_own_measurement_label_is_named_in_an_export_warning() -> None:
    graph = _with_research_data()
    generated = Literal("Meting GEL-I01 parkstraat 2020", lang="nl")
    assert (PARKSTRAAT_2020, RDFS.label, generated) in graph
    assert [w.text_en for w in write_workbook(graph, BytesIO())] == []  # comes back as is

    own = Literal("Meting Parkstraat voor stil asfalt", lang="nl")
    graph.set((PARKSTRAAT_2020, RDFS.label, own))
    warnings = write_workbook(graph, BytesIO())

    assert [w.severity for w in warnings] == ["waarschuwing"]
    assert "1 triple(s) with rdfs:label do not fit" in warnings[0].text_en
    assert str(PARKSTRAAT_2020) in warnings[0].text_en


def test_an_own_label_beside_the_generated_one_is_named_too() -> None:
    graph = _with_research_data()
    graph.add((PARKSTRAAT_2020, RDFS.label, Literal("Measurement Parkstraat 2020", lang="en")))

    warnings = write_workbook(graph, BytesIO())

    assert [w.text_en.split(" do not fit")[0] for w in warnings] == [
        "1 triple(s) with rdfs:label@en"
    ]


RD = "<http://www.opengis.net/def/crs/EPSG/0/28992> "
CUT = RD + "POLYGON((156800 464500, 156818.16 464500, 156818"
"""A geometry cut off in the middle of a coordinate, as a cell past Excel's limit was."""
VALID = {
    "Parkstraat": RD + "POLYGON((156000 464000, 157000 464000, 157000 465000, 156000 465000, "
    "156000 464000), (156400 464400, 156600 464400, 156600 464600, 156400 464400))",
    "Vlietzijde": RD + "MULTIPOLYGON(((156000 464000, 157000 464000, 157000 465000, "
    "156000 465000, 156000 464000), (156400 464400, 156600 464400, 156600 464600, "
    "156400 464400)), ((158000 464000, 159000 464000, 159000 465000, 158000 464000)))",
    "Parkzicht": "MULTIPOLYGON(((4.3 52.0, 4.4 52.0, 4.4 52.1, 4.3 52.0)))",  # CRS84
}


def test_a_cut_geometry_is_refused_at_its_row_and_column_and_valid_ones_are_not(
    tmp_path: Path,
) -> None:
    path = demo_workbook(tmp_path)
    row = row_of(path, "werkingsgebieden", "Parkrand", "naam")
    changes = [("werkingsgebieden", row, "geometrie", CUT)]
    for name, wkt in VALID.items():
        changes.append(
            ("werkingsgebieden", row_of(path, "werkingsgebieden", name, "naam"), "geometrie", wkt)
        )
    edit(path, changes)

    result = read_workbook(path, BASE, model_graph())

    refused = [p for p in result.problems if p.is_error]
    assert [(p.sheet, p.row, p.column) for p in refused] == [("werkingsgebieden", row, "geometrie")]
    assert "is not a geometry" in refused[0].message_en
    assert "end of stream" in refused[0].message_en  # shapely's reason
    assert "geen geometrie" in refused[0].message_nl
    written = {str(wkt) for wkt in result.graph.objects(None, GEO.asWKT)}
    assert CUT not in written
    assert set(VALID.values()) <= written
