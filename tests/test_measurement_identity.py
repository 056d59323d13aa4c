"""Two measurements are one by what they are, never by their IRI.

A measurement's IRI joins the codes of its indicator and area with '-', and codes hold
'-' themselves: indicator GEL-I01 in area parkstraat and indicator GEL in area
I01-parkstraat both spell ``.../meting/GEL-I01-parkstraat-2025-01-01-2025-12-31``. The
second was refused as "the same measurement" as the first, in one file ("already on
line 2") and across files ("already in graph ..."), and could not be imported at all.
Now the later one gets the plain IRI with a suffix of its identity; the first keeps the
plain IRI it always had, and importing the files again names every row as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from rdflib import URIRef

from krbgraph.commands.serve import demo_paths
from krbgraph.loading import load_paths
from krbgraph.measurements.identity import (
    Identity,
    already_elsewhere,
    assign_iris,
    identity_suffix,
)
from krbgraph.measurements.importing import ImportFailed, import_measurements
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

BASE = "https://krb.demogemeente.nl"
HEADER = "indicator;gebied;jaar;waarde;eenheid;bron\n"
PLAIN = f"{BASE}/id/meting/GEL-I01-parkstraat-2025-01-01-2025-12-31"
GEL_I01 = f"{BASE}/id/beleidsindicator/GEL-I01"
GEL = f"{BASE}/id/beleidsindicator/GEL"
PARKSTRAAT = f"{BASE}/id/werkingsgebied/parkstraat"
I01_PARKSTRAAT = f"{BASE}/id/werkingsgebied/I01-parkstraat"
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
A = Identity(GEL_I01, PARKSTRAAT, *YEAR, frozenset())
B = Identity(GEL, I01_PARKSTRAAT, *YEAR, frozenset())
ROW_A = "GEL-I01;parkstraat;2025;49,6;dB(A);geluidmeetnet\n"
ROW_B = "GEL;I01-parkstraat;2025;61,0;dB(A);geluidmeetnet\n"

EXTRA = """
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix wg: <https://krb.demogemeente.nl/id/werkingsgebied/> .
<https://krb.demogemeente.nl/id/beleidsindicator/GEL> a krb:Beleidsindicator ;
  rdfs:label "Geluid (index)"@nl ; dct:identifier "GEL" ;
  krb:beleidsthema <https://krb.demogemeente.nl/id/beleidsthema/geluid> ;
  krb:indicatorsoort <https://data.krb.nl/id/begrip/indicatorsoort/effectindicator-milieu> ;
  qudt:hasUnit unit:DeciB_A .
wg:I01-parkstraat a krb:Werkingsgebied ; rdfs:label "Meetpunt I01 Parkstraat"@nl ;
  dct:identifier "I01-parkstraat" ;
  krb:gebiedssoort <https://data.krb.nl/id/begrip/gebiedssoort/straat> ;
  krb:ligtIn wg:parkstraat .
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo without its measurements, with an indicator GEL and an area
    I01-parkstraat beside GEL-I01 and parkstraat."""
    folder = tmp_path_factory.mktemp("identity")
    extra = folder / "codes-met-streepjes.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        ensure_model(handle)
        paths = [p for p in demo_paths() if p.name != "metingen.ttl"]
        load_paths(handle, [*paths, extra], replace=True, validate=False)
        yield handle


def _csv(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _measured(store: Store, graph: str) -> dict[str, tuple[str, str, str]]:
    """IRI -> (indicator, area, value) of the measurements in ``graph``."""
    rows = store.query(
        """PREFIX sosa: <http://www.w3.org/ns/sosa/>
        PREFIX qudt: <http://qudt.org/schema/qudt/>
        SELECT ?m ?i ?a ?v WHERE { GRAPH ?g {
          ?m sosa:observedProperty ?i ; sosa:hasFeatureOfInterest ?a ;
             sosa:hasResult [ qudt:numericValue ?v ] } }""",
        bindings={"g": URIRef(graph)},
    ).rows
    return {str(m): (str(i), str(a), str(v)) for m, i, a, v in rows}


def _drop(store: Store, *graphs: str) -> None:
    for graph in graphs:
        store.drop_graph(graph)


def test_the_later_of_two_measurements_spelling_one_iri_gets_a_suffix_of_its_identity() -> None:
    """In the file's order, without a store: the first keeps the plain IRI, the second
    gets a suffix that depends on nothing but what it is."""
    suffix = identity_suffix(B)
    assert re.fullmatch("[0-9a-f]{8}", suffix)
    assert identity_suffix(Identity(GEL, I01_PARKSTRAAT, *YEAR, frozenset())) == suffix
    assert identity_suffix(A) != suffix
    assert assign_iris([(PLAIN, A), (PLAIN, B)], None) == [PLAIN, f"{PLAIN}-{suffix}"]
    assert assign_iris([(PLAIN, B), (PLAIN, A)], None) == [PLAIN, f"{PLAIN}-{identity_suffix(A)}"]
    other = f"{BASE}/id/meting/GEL-I01-centrum-2025-01-01-2025-12-31"
    assert assign_iris([(PLAIN, A), (other, B)], None) == [PLAIN, other]


def test_both_are_imported_from_one_file_and_again_under_the_same_iris(
    store: Store, tmp_path: Path
) -> None:
    both = _csv(tmp_path, "metingen.csv", ROW_A, ROW_B)
    report = import_measurements(store, both, base_iri=BASE)
    try:
        assert report.measurements == 2
        expected = {
            PLAIN: (GEL_I01, PARKSTRAAT, "49.6"),
            f"{PLAIN}-{identity_suffix(B)}": (GEL, I01_PARKSTRAAT, "61"),
        }
        assert _measured(store, report.graph) == expected
        again = import_measurements(store, both, base_iri=BASE)
        assert again.replaced and _measured(store, report.graph) == expected
        # In the other order the graph's measurements keep the IRIs it gave them.
        swapped = import_measurements(
            store, _csv(tmp_path, "metingen.csv", ROW_B, ROW_A), base_iri=BASE
        )
        assert swapped.replaced and _measured(store, report.graph) == expected
        # Without the first, the second keeps the IRI it has.
        alone = import_measurements(store, _csv(tmp_path, "metingen.csv", ROW_B), base_iri=BASE)
        assert alone.replaced and _measured(store, report.graph) == {
            f"{PLAIN}-{identity_suffix(B)}": (GEL, I01_PARKSTRAAT, "61")
        }
        # A row of one of them twice is still the same measurement.
        twice = _csv(tmp_path, "metingen.csv", ROW_A, ROW_B, ROW_B.replace("61,0", "62,0"))
        with pytest.raises(ImportFailed) as failed:
            import_measurements(store, twice, base_iri=BASE)
        assert [(p.line, p.text_en) for p in failed.value.problems] == [
            (
                4,
                "metingen.csv:4: the same measurement (indicator, area, period, "
                "classification) is already on line 3",
            )
        ]
    finally:
        _drop(store, report.graph)


def test_a_row_added_before_a_measurement_never_renames_it(store: Store, tmp_path: Path) -> None:
    """The registry holds A at the plain IRI; the file gets B on a line before it."""
    report = import_measurements(store, _csv(tmp_path, "reeks.csv", ROW_A), base_iri=BASE)
    try:
        assert _measured(store, report.graph) == {PLAIN: (GEL_I01, PARKSTRAAT, "49.6")}
        grown = _csv(tmp_path, "reeks.csv", ROW_B, ROW_A)
        assert import_measurements(store, grown, base_iri=BASE).replaced
        assert _measured(store, report.graph) == {
            PLAIN: (GEL_I01, PARKSTRAAT, "49.6"),
            f"{PLAIN}-{identity_suffix(B)}": (GEL, I01_PARKSTRAAT, "61"),
        }
    finally:
        _drop(store, report.graph)


def test_both_are_imported_from_two_files_and_each_file_again_finds_its_own(
    store: Store, tmp_path: Path
) -> None:
    first, second = _csv(tmp_path, "index.csv", ROW_A), _csv(tmp_path, "meetpunt.csv", ROW_B)
    graphs: list[str] = []
    try:
        graphs.append(import_measurements(store, first, base_iri=BASE).graph)
        graphs.append(import_measurements(store, second, base_iri=BASE).graph)
        suffixed = f"{PLAIN}-{identity_suffix(B)}"
        expected = [
            {PLAIN: (GEL_I01, PARKSTRAAT, "49.6")},
            {suffixed: (GEL, I01_PARKSTRAAT, "61")},
        ]
        assert [_measured(store, graph) for graph in graphs] == expected
        for path in (second, first, second):
            assert import_measurements(store, path, base_iri=BASE).replaced
            assert [_measured(store, graph) for graph in graphs] == expected
        # The same measurement in a third file is refused, each naming its own graph.
        for row, graph, iri in ((ROW_A, graphs[0], PLAIN), (ROW_B, graphs[1], suffixed)):
            copy = _csv(tmp_path, "kopie.csv", row)
            with pytest.raises(ImportFailed) as failed:
                import_measurements(store, copy, base_iri=BASE)
            [problem] = failed.value.problems
            assert f"this measurement is already in graph {graph} (" in problem.text_en
            assert problem.value == iri
    finally:
        _drop(store, *graphs)


def test_of_two_files_the_one_imported_first_keeps_the_plain_iri(
    store: Store, tmp_path: Path
) -> None:
    graphs: list[str] = []
    try:
        graphs.append(
            import_measurements(store, _csv(tmp_path, "b.csv", ROW_B), base_iri=BASE).graph
        )
        graphs.append(
            import_measurements(store, _csv(tmp_path, "a.csv", ROW_A), base_iri=BASE).graph
        )
        assert [_measured(store, graph) for graph in graphs] == [
            {PLAIN: (GEL, I01_PARKSTRAAT, "61")},
            {f"{PLAIN}-{identity_suffix(A)}": (GEL_I01, PARKSTRAAT, "49.6")},
        ]
    finally:
        _drop(store, *graphs)


def test_a_thing_of_another_identity_at_its_iri_is_never_called_the_same_measurement(
    store: Store, tmp_path: Path
) -> None:
    """Data written for it (loaded without validation) holds the plain and the suffixed
    IRI of B as other measurements: B gets the whole hash. And a caller that chose its
    IRIs without asking the store (the workbook) is told the IRI is another thing's."""
    crafted = f"{BASE}/graph/anders"
    taken = [PLAIN, f"{PLAIN}-{identity_suffix(B)}"]
    store.update(
        "PREFIX sosa: <http://www.w3.org/ns/sosa/> PREFIX dcat: <http://www.w3.org/ns/dcat#>\n"
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        f"INSERT DATA {{ GRAPH <{crafted}> {{"
        + "".join(
            f"<{iri}> a sosa:Observation ; sosa:observedProperty <{GEL_I01}> ;"
            f" sosa:hasFeatureOfInterest <{PARKSTRAAT}> ; sosa:phenomenonTime"
            f' [ dcat:startDate "{year}-01-01"^^xsd:date ;'
            f' dcat:endDate "{year}-12-31"^^xsd:date ] .'
            for iri, year in zip(taken, (2025, 2024), strict=True)
        )
        + " } }"
    )
    graphs = [crafted]
    try:
        target = f"{BASE}/graph/metingen/werkmap"
        for iri, line in zip(taken, (2, 3), strict=True):
            [problem] = already_elsewhere(store, {iri: line}, {iri: B}, target, "werkmap")
            assert "already in graph" not in problem.text_en
            assert f"already another thing's in graph {crafted} " in problem.text_en
            assert f"in graaf {crafted} al van iets anders" in problem.text_nl
        report = import_measurements(store, _csv(tmp_path, "b.csv", ROW_B), base_iri=BASE)
        graphs.append(report.graph)
        assert _measured(store, report.graph) == {
            f"{PLAIN}-{identity_suffix(B, 64)}": (GEL, I01_PARKSTRAAT, "61")
        }
    finally:
        _drop(store, *graphs)
