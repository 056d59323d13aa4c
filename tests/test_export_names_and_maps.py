"""Data that passes validation but broke an Excel round trip or a page.

A theme, an aspect or a local object type whose skos:prefLabel and rdfs:label differ
was named by one in its own row of the exported workbook and by the other in every
cell referring to it, so the import refused the export ("'Luchtkwaliteit' does not
exist in sheet beleidsthemas"). An area with finite but huge coordinates, accepted
by a validated write, made its page and that of the area it lies in answer 500 (the
map's size overflowed).
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import RDFS, SKOS
from test_excel_support import demo_graph
from test_pages_fixtures import BASE, Registry, build_registry
from test_sparql_support import AUTH

from krbgraph.excel.exporting import export_workbook
from krbgraph.excel.importing import import_workbook
from krbgraph.loading import data_graph_iri, load_paths
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store
from krbgraph.web.area_map import MapArea, area_map_svg

ID = f"{BASE}/id/"
THEME = URIRef(ID + "beleidsthema/geluid")
ASPECT = URIRef(ID + "beleidsaspect/geluid-verkeer")
LOCAL = URIRef(ID + "leefomgeving/woningen")


def _named_twice() -> tuple[Graph, set[tuple[URIRef, URIRef, Literal]]]:
    """The demo with a theme and an aspect that also have another rdfs:label (Dutch and
    English) and an English skos:prefLabel, and a local type whose rdfs:label is not its
    skos:prefLabel; all valid. Returns it with the names a workbook cannot hold: its one
    name column is the skos:prefLabel the import writes."""
    graph = demo_graph()
    lost = {
        (THEME, RDFS.label, Literal("Geluidhinder", lang="nl")),
        (THEME, RDFS.label, Literal("Noise nuisance", lang="en")),
        (THEME, SKOS.prefLabel, Literal("Noise", lang="en")),
        (ASPECT, RDFS.label, Literal("Wegverkeerslawaai", lang="nl")),
        (ASPECT, RDFS.label, Literal("Road traffic noise", lang="en")),
        (ASPECT, SKOS.prefLabel, Literal("Traffic noise", lang="en")),
        (LOCAL, RDFS.label, Literal("Woonruimte", lang="nl")),
    }
    graph.remove((LOCAL, RDFS.label, None))
    for triple in lost:
        graph.add(triple)
    return graph, lost


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Graph, set[tuple[URIRef, URIRef, Literal]], Path, list[str]]:
    """The registry loaded with validation as `krb load` does, and exported as
    `krb export-excel` does: (its graph, the names lost, the workbook, the warnings)."""
    graph, lost = _named_twice()
    source = tmp_path / "registry.ttl"
    graph.serialize(source, format="turtle")
    with open_store(Settings(store=str(tmp_path / "first"))) as store:
        ensure_model(store)
        load_paths(store, [source], base_iri=BASE)  # validated: such names are allowed
        path = tmp_path / "export.xlsx"
        problems = export_workbook(store, path)
        stored = _content(store, data_graph_iri(BASE, source))  # as the store writes values
    assert lost <= set(stored)
    return stored, lost, path, [p.text_en for p in problems]


def _content(store: Store, graph: str) -> Graph:
    content = Graph()
    for triple in store.read_graph(graph):
        content.add(triple)
    return content


def test_a_concept_named_twice_is_referred_to_by_the_name_of_its_row(
    exported: tuple[Graph, set[tuple[URIRef, URIRef, Literal]], Path, list[str]],
    model_store: Store,
) -> None:
    graph, lost, path, said = exported

    # Refused before: "'Geluidhinder' does not exist in sheet beleidsthemas".
    report = import_workbook(model_store, path, base_iri=BASE)

    assert [p.text_en for p in report.warnings if p.is_error] == []
    imported = _content(model_store, report.graph)
    _, only_before, only_after = graph_diff(to_isomorphic(graph), to_isomorphic(imported))
    # Every reference came back to the same thing; only the names no cell holds are
    # gone, and the local type's rdfs:label is its name again, as the import writes it.
    assert set(only_before) == lost
    assert set(only_after) == {(LOCAL, RDFS.label, Literal("Woningen", lang="nl"))}
    # None of them went unsaid.
    for key in ("rdfs:label", "rdfs:label@en", "skos:prefLabel@en"):
        assert [w for w in said if f" with {key} do not fit" in w], (key, said)


HUGE = (
    "<http://www.opengis.net/def/crs/EPSG/0/28992> "
    "POLYGON((-1e308 -1e308, 1e308 -1e308, 1e308 1e308, -1e308 1e308, -1e308 -1e308))"
)
"""Finite coordinates, accepted as WKT by every validated write; no place on Earth."""
WIJK = f"{ID}werkingsgebied/WK999902"
"""A demo wijk with a polygon and two buurten with polygons inside it."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The demo served with an area of HUGE geometry inside WIJK, written with
    validation through the Graph Store endpoint."""
    registry: Registry = build_registry(tmp_path_factory.mktemp("huge"))
    turtle = f"""
        @prefix krb: <https://data.krb.nl/def/krb#> .
        @prefix geo: <http://www.opengis.net/ont/geosparql#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix dct: <http://purl.org/dc/terms/> .
        <{ID}werkingsgebied/reus> a krb:Werkingsgebied ; rdfs:label "Reus"@nl ;
            dct:identifier "reus" ;
            krb:gebiedssoort <https://data.krb.nl/id/begrip/gebiedssoort/buurt> ;
            krb:ligtIn <{WIJK}> ;
            geo:hasGeometry [ a geo:Geometry ; geo:asWKT "{HUGE}"^^geo:wktLiteral ] .
    """
    with TestClient(registry.app) as client:
        written = client.put(
            "/store",
            params={"graph": f"{BASE}/graph/reus"},
            content=turtle,
            headers={"Content-Type": "text/turtle"} | AUTH,
        )
        assert written.status_code in (200, 201, 204), written.text
        yield client
    registry.store.close()


def _map(html: str) -> ET.Element | None:
    found = re.search(r"<svg[^>]*class=\"area-map\".*?</svg>", html, re.S)
    return None if found is None else ET.fromstring(found.group(0))


def test_an_area_too_far_to_draw_has_its_page_without_a_map(served: TestClient) -> None:
    page = served.get("/id/werkingsgebied/reus", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Reus" in page.text
    assert _map(page.text) is None


def test_the_area_it_lies_in_keeps_its_map_of_the_areas_that_can_be_drawn(
    served: TestClient,
) -> None:
    page = served.get("/id/werkingsgebied/WK999902", headers={"Accept": "text/html"})
    assert page.status_code == 200
    svg = _map(page.text)
    assert svg is not None, "the wijk lost its map"
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert len(svg.findall(".//s:g[@class='area gebied']/s:path", ns)) == 1
    links = [a.get("href") or "" for a in svg.findall(".//s:a", ns)]
    assert len([href for href in links if "BU9999020" in href]) == 2
    assert not [href for href in links if "reus" in href]
    # The view fits the wijk (3 by 2 km), not the huge area.
    _, _, width, height = (float(v) for v in svg.get("viewBox", "").split())
    assert 3_000 < width < 4_000 and 2_000 < height < 4_000


RD = "<http://www.opengis.net/def/crs/EPSG/0/28992> "
SQUARE = RD + "POLYGON((155500 463500, 158500 463500, 158500 465500, 155500 465500, 155500 463500))"
INSIDE = RD + "POLYGON((156000 464000, 157200 464000, 157200 465100, 156000 465100, 156000 464000))"


@pytest.mark.parametrize(
    "wkt",
    [
        HUGE,
        RD + "POLYGON((0 0, 1e308 0, 1e308 1e308, 0 1e308, 0 0))",
        RD + "POINT(1e308 1e308)",
        RD + "POINT(1e309 1)",  # read as infinity
        RD + "LINESTRING(0 0, 1e200 1e200)",
    ],
    ids=["huge", "far-corner", "far-point", "infinite-point", "far-line"],
)
@pytest.mark.parametrize("role", ["gebied", "binnen", "rond"])
def test_a_map_is_drawn_without_what_lies_beyond_the_earth(wkt: str, role: str) -> None:
    others = [
        MapArea("urn:wijk", "Wijk", "rond" if role == "gebied" else "gebied", SQUARE),
        MapArea("urn:buurt", "Buurt", "binnen", INSIDE),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GEOS measuring the huge area
        svg = area_map_svg([*others, MapArea("urn:far", "Ver", role, wkt)], href=str, title="K")
    if role == "gebied":
        assert svg is None  # nothing of the area itself to draw: no map
        return
    assert svg is not None
    assert "urn:far" not in svg and "Ver" not in svg
    assert 'href="urn:buurt"' in svg and svg.count("<path") == 2
