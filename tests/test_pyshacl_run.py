# ruff: noqa: E501  (the Turtle of the shapes reads better unwrapped)
"""The reference engine's run with stand-ins for ill-typed literals (krbgraph.pyshacl_run)
gives the results SHACL prescribes, on small shapes of its own."""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import SH

from krbgraph.pyshacl_run import pyshacl_report

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/ns#> .
"""


def _components(shapes: str, data: str) -> list[str]:
    graph = Graph().parse(data=PREFIXES + data, format="turtle")
    report, node = pyshacl_report(graph, Graph().parse(data=PREFIXES + shapes, format="turtle"))
    return sorted(
        str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
        for result in report.objects(node, SH.result)
    )


def test_an_ill_typed_value_under_sh_not_of_a_comparison_is_no_result() -> None:
    """The value cannot be compared, so the inner shape fails and sh:not holds. The
    second run's stand-in, compared by its text, passed the inner shape, and its sh:not
    result was added to the report."""
    shapes = """ex:S a sh:NodeShape ; sh:targetNode ex:n ;
        sh:property [ sh:path ex:d ; sh:not [ sh:minInclusive "2000-01-01"^^xsd:date ] ] ."""
    assert _components(shapes, 'ex:n ex:d "2024-13-45"^^xsd:date .') == []


def test_an_ill_typed_value_fails_datatype_lang_string_and_an_or_of_texts() -> None:
    shapes = """ex:S a sh:NodeShape ; sh:targetNode ex:n ;
        sh:property [ sh:path ex:label ; sh:datatype rdf:langString ] ,
            [ sh:path ex:m ; sh:or ( [ sh:datatype xsd:string ] [ sh:datatype rdf:langString ] ) ] ."""
    data = 'ex:n ex:label "abc"^^xsd:date ; ex:m "2024-13-01"^^xsd:date .'
    assert _components(shapes, data) == [
        "DatatypeConstraintComponent",
        "OrConstraintComponent",
    ]


def test_the_data_is_left_as_it_was() -> None:
    graph = Graph().parse(data=PREFIXES + 'ex:n ex:d "2024-13-45"^^xsd:date .', format="turtle")
    before = set(graph)
    shapes = """ex:S a sh:NodeShape ; sh:targetNode ex:n ;
        sh:property [ sh:path ex:d ; sh:datatype xsd:date ] ."""
    pyshacl_report(graph, Graph().parse(data=PREFIXES + shapes, format="turtle"))
    assert set(graph) == before
