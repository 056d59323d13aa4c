"""The model and shapes as rdflib graphs: read by pyoxigraph, meant as rdflib read them."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph

from krbgraph import model

SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://example.org/{name}Shape> sh:property _:p1 .
_:p1 sh:path <https://example.org/{name}> .
"""


def test_blank_nodes_of_two_files_stay_two_nodes(tmp_path: Path) -> None:
    """pyoxigraph keeps a file's labels: the _:p1 of two shape files of a model of one's
    own (KRB_HOME) became one property shape with both paths."""
    graph = Graph()
    for name in ("code", "naam"):
        path = tmp_path / f"{name}.ttl"
        path.write_text(SHAPE.format(name=name), encoding="utf-8")
        model._parsed(path, graph)
    shapes = {o for o in graph.objects() if isinstance(o, BNode)}
    assert len(shapes) == 2
    assert all(len(list(graph.objects(shape))) == 1 for shape in shapes)


@pytest.mark.parametrize("part", ["model", "shapes"])
def test_the_model_and_shapes_hold_what_rdflib_reads(part: str) -> None:
    """The named triples, the number of triples and of blank nodes (a full isomorphism
    test takes rdflib seconds over the shapes' blank nodes)."""
    files = list(model.model_files() if part == "model" else model.shape_files())
    # A graph of its own: the process's cached one is pySHACL's to add axioms to, when a
    # test hands it over as is (krbgraph itself hands pySHACL a copy).
    parsed, expected = Graph(), Graph()
    for path in files:
        model._parsed(path, parsed)
        expected.parse(path, format="turtle")
    assert len(parsed) == len(expected)
    assert _named(parsed) == _named(expected)
    assert _blank(parsed) == _blank(expected)


def _named(graph: Graph) -> set[tuple[object, ...]]:
    return {t for t in graph if not any(isinstance(term, BNode) for term in t)}


def _blank(graph: Graph) -> int:
    return len({term for t in graph for term in t if isinstance(term, BNode)})
