"""Measurements classified and measured in the registry's own terms.

The IDGB method lets a municipality keep its own sector and material lists, and the
workbook lets it use its own units. The policy sheets took them; the measurement
import read only the national lists and QUDT: an own 'Inwoners' was stored as the
national 'inwoners' (normtoets then found no measurement for the norm classified by
the own one), an own-only sector was refused, and an indicator in an own unit could
never be measured. Two measurements that differ only in which list says 'alle' had
one IRI and were refused as the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from metingen_store import policy_store_folder
from rdflib import Namespace, URIRef

from krbgraph.loading import load_paths
from krbgraph.measurements.importing import ImportFailed, import_measurements
from krbgraph.settings import Settings
from krbgraph.store import Store, open_store

BASE = "https://krb.demogemeente.nl"
KRB = Namespace("https://data.krb.nl/def/krb#")
NATIONAL_SECTOR = "https://data.krb.nl/id/begrip/sector/"
OWN_SECTOR = f"{BASE}/id/begrip/sector/"
OWN_UNIT = f"{BASE}/id/eenheid/lediging-per-week"

OWN_TERMS = f"""
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
<{BASE}/id/conceptschema/sectoren> a skos:ConceptScheme ; dct:title "Eigen sectoren"@nl ;
    skos:hasTopConcept <{OWN_SECTOR}inwoners> , <{OWN_SECTOR}terrassen> .
<{OWN_SECTOR}inwoners> a skos:Concept ; skos:prefLabel "Inwoners"@nl ;
    skos:inScheme <{BASE}/id/conceptschema/sectoren> ;
    skos:topConceptOf <{BASE}/id/conceptschema/sectoren> ;
    skos:closeMatch <{NATIONAL_SECTOR}inwoners> .
<{OWN_SECTOR}terrassen> a skos:Concept ; skos:prefLabel "Terrassen"@nl ;
    skos:inScheme <{BASE}/id/conceptschema/sectoren> ;
    skos:topConceptOf <{BASE}/id/conceptschema/sectoren> ;
    skos:broadMatch <{NATIONAL_SECTOR}bedrijven> .
<{OWN_UNIT}> a qudt:Unit ; rdfs:label "containerlediging per week"@nl .
<{BASE}/id/beleidsindicator/T-I07> a krb:Beleidsindicator ;
    rdfs:label "Ledigingen"@nl ; dct:identifier "T-I07" ;
    krb:beleidsthema <{BASE}/id/beleidsthema/groen> ;
    krb:beleidsaspect <{BASE}/id/beleidsaspect/groen-openbaar> ;
    krb:indicatorsoort <https://data.krb.nl/id/begrip/indicatorsoort/systeemindicator> ;
    krb:afdeling <{BASE}/id/afdeling/openbare-ruimte> ;
    qudt:hasUnit <{OWN_UNIT}> .
"""

HEADER = "indicator;gebied;jaar;waarde;eenheid;bron;sector;materiaal\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("eigen")
    # The model and the demo but its measurements (sources stay): a copy (metingen_store).
    with open_store(Settings(store=str(policy_store_folder(folder / "db")))) as handle:
        own = folder / "eigen.ttl"
        own.write_text(OWN_TERMS, encoding="utf-8")
        load_paths(handle, [own], graph=f"{BASE}/graph/eigen", base_iri=BASE, validate=False)
        yield handle


def _import(store: Store, tmp_path: Path, rows: str) -> str:
    path = tmp_path / "metingen.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return import_measurements(store, path, base_iri=BASE).graph


def _classified(store: Store, graph: str) -> dict[str, tuple[str, ...]]:
    """Area code -> the sectors and materials of its measurement."""
    stored = store.read_graph(graph)
    answer = {}
    for measurement, area in stored.subject_objects(
        URIRef("http://www.w3.org/ns/sosa/hasFeatureOfInterest")
    ):
        terms = [
            *stored.objects(measurement, KRB.sector),
            *stored.objects(measurement, KRB.materiaal),
        ]
        answer[str(area).rsplit("/", 1)[1]] = tuple(sorted(str(t) for t in terms))
    return answer


def test_own_sectors_are_looked_up_first_and_the_national_one_stays_reachable(
    store: Store, tmp_path: Path
) -> None:
    graph = _import(
        store,
        tmp_path,
        "GEZ-I01;WK999901;2023;7,5;%;ggd-gezondheidsmonitor;Inwoners;\n"
        "GEZ-I01;WK999902;2023;7,5;%;ggd-gezondheidsmonitor;particulieren/inwoners;\n"
        f"GEZ-I01;WK999903;2023;7,5;%;ggd-gezondheidsmonitor;{NATIONAL_SECTOR}inwoners;\n"
        "GEZ-I01;BU99990101;2023;7,5;%;ggd-gezondheidsmonitor;terrassen;\n",
    )
    try:
        assert _classified(store, graph) == {
            "WK999901": (f"{OWN_SECTOR}inwoners",),
            "WK999902": (f"{NATIONAL_SECTOR}inwoners",),
            "WK999903": (f"{NATIONAL_SECTOR}inwoners",),
            "BU99990101": (f"{OWN_SECTOR}terrassen",),
        }
    finally:
        store.drop_graph(graph)


def test_measurements_differing_only_in_their_classification_are_two(
    store: Store, tmp_path: Path
) -> None:
    """Sector 'alle' and materiaal 'alle', or the own and the national 'inwoners'."""
    graph = _import(
        store,
        tmp_path,
        "GEZ-I01;WK999901;2023;7,5;%;ggd-gezondheidsmonitor;alle;\n"
        "GEZ-I01;WK999901;2023;7,1;%;ggd-gezondheidsmonitor;;alle\n"
        "GEZ-I01;WK999901;2023;7,2;%;ggd-gezondheidsmonitor;Inwoners;\n"
        "GEZ-I01;WK999901;2023;7,3;%;ggd-gezondheidsmonitor;particulieren/inwoners;\n",
    )
    try:
        stored = store.read_graph(graph)
        observations = set(
            stored.subjects(URIRef("http://www.w3.org/ns/sosa/hasFeatureOfInterest"), None)
        )
        assert len(observations) == 4
    finally:
        store.drop_graph(graph)


def test_an_indicator_in_an_own_unit_takes_measurements_in_that_unit_only(
    store: Store, tmp_path: Path
) -> None:
    graph = _import(store, tmp_path, f"T-I07;WK999901;2023;2;{OWN_UNIT};cbs-nabijheid;;\n")
    try:
        units = {
            str(o)
            for o in store.read_graph(graph).objects(
                None, URIRef("http://qudt.org/schema/qudt/hasUnit")
            )
        }
        assert units == {OWN_UNIT}
    finally:
        store.drop_graph(graph)
    with pytest.raises(ImportFailed) as failed:
        _import(store, tmp_path, "T-I07;WK999901;2023;2;m;cbs-nabijheid;;\n")
    (problem,) = failed.value.problems
    assert problem.column == "eenheid" and "does not convert" in problem.text_en
