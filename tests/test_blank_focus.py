"""Which root shapes a blank focus node can be selected by (krbgraph.shacl.blank_focus).

A write that reaches a blank node a shape targets validates the shapes that select it
over all their targets: from the blank node's own types and predicates, and for a
SPARQL target from the types its query requires of ?this. A query that requires none
is asked whether it selects any blank node at all (a scan of its targets), so the
project's own SPARQL targets must each be read as requiring a type.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH

from krbgraph.impact import targeted_classes
from krbgraph.model import model_graph, shapes_graph
from krbgraph.shacl.blank_focus import required_types
from krbgraph.shacl.shapes import ShapesGraph

KRB = "https://data.krb.nl/def/krb#"


def test_every_sparql_target_of_the_project_requires_a_targeted_class() -> None:
    shapes, model = ShapesGraph(shapes_graph()), model_graph()
    targets = list(shapes.graph.subjects(SH.select, None))
    sparql = [t for t in targets if (None, SH.target, t) in shapes.graph]
    assert len(sparql) >= 10
    for target in sparql:
        required = required_types(shapes, target)
        assert required, f"{target}: no type required of ?this"
        for klass in required:  # krb:MerMaatregel is a krb:Beleidsmaatregel
            above = {str(c) for c in model.transitive_objects(URIRef(klass), RDFS.subClassOf)}
            assert above & targeted_classes(), (target, klass)


def _target(select: str) -> tuple[ShapesGraph, URIRef]:
    graph = Graph()
    node = URIRef("urn:x:target")
    graph.add((URIRef("urn:x:shape"), SH.target, node))
    graph.add((node, SH.select, Literal(f"PREFIX krb: <{KRB}>\n{select}")))
    return ShapesGraph(graph), node


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        ("SELECT ?this WHERE { ?this a krb:A ; krb:p ?o }", {KRB + "A"}),
        ("SELECT ?this WHERE { ?x krb:p ?y . ?this a krb:A }", {KRB + "A"}),
        (
            "SELECT DISTINCT ?this WHERE { VALUES ?k { krb:A krb:B } ?this a ?k "
            "OPTIONAL { ?this krb:p ?o } FILTER NOT EXISTS { ?this a krb:C } }",
            {KRB + "A", KRB + "B"},
        ),
        ("SELECT ?this WHERE { ?this krb:p ?o OPTIONAL { ?this a krb:A } }", None),
        ("SELECT ?this WHERE { { ?this a krb:A } UNION { ?this krb:p ?o } }", None),
        ("SELECT ?this WHERE { ?this krb:p ?o MINUS { ?this a krb:A } }", None),
        ("SELECT ?this WHERE { ?x a krb:A BIND (?x AS ?this) }", None),
        ("SELECT ?this WHERE { ?this a ?k }", None),
    ],
)
def test_the_types_a_target_requires_are_those_every_answer_matches(
    select: str, expected: set[str] | None
) -> None:
    shapes, node = _target(select)
    found = required_types(shapes, node)
    assert (None if found is None else set(found)) == expected
