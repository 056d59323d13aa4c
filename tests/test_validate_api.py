"""validate_graph as the store, the Excel import and the server call it.

The caller's data is left alone, Datasets are validated as one registry, and
messages are filled in per language."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from krbgraph.rdfio import read_rdf
from krbgraph.validation import checked_objects, validate_graph

DATA = Path(__file__).parent / "data" / "shapes"
ID = "https://krb.example.org/id/"
QUDT = "http://qudt.org/schema/qudt/"


def minimal() -> Graph:
    graph = read_rdf(DATA / "minimal.ttl")
    assert isinstance(graph, Graph)
    return graph


def test_the_callers_graph_is_not_changed() -> None:
    data = minimal()
    before = Graph()
    before += data
    validate_graph(data)
    assert isomorphic(data, before)


def test_a_dataset_is_validated_as_the_union_of_its_graphs() -> None:
    dataset = Dataset()
    half = dataset.graph(URIRef("https://e.org/graph/a"))
    rest = dataset.graph(URIRef("https://e.org/graph/b"))
    for i, triple in enumerate(minimal()):
        (half if i % 2 else rest).add(triple)
    result = validate_graph(dataset)
    assert result.conforms and result.findings == ()


def test_the_value_placeholder_is_filled_with_the_values_label_per_language() -> None:
    data = minimal()
    effect = URIRef(ID + "beoogd-effect/GEL-E01")
    data.set((effect, URIRef(QUDT + "hasUnit"), URIRef("http://qudt.org/vocab/unit/PERCENT")))
    (finding,) = validate_graph(data).violations()
    assert finding.focus_type == "BeoogdEffect"
    assert "(procent)" in finding.message_nl and "(percent)" in finding.message_en


def test_checked_objects_lists_every_targeted_object_with_its_type() -> None:
    objects = {o.iri.removeprefix(ID): o for o in checked_objects(minimal())}
    assert len(objects) == 20
    assert objects["beleidsmaatregel/TOR-M01"].type == "MerMaatregel"
    assert objects["afdeling/milieu"].type == "Afdeling"
    assert objects["leefomgeving/woningen"].label == "Woningen"
