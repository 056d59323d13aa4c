"""Terms in a query answer: converted once per answer, yet exactly what the store holds.

The conversion remembers the terms it met within one answer, so these tests
check that sharing never merges terms that differ (lexical form, datatype,
language, blank node label) and never leaks between answers.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from krbgraph.store.answers import AnswerLimits, collect

DATA = """
@prefix ex: <https://voorbeeld.nl/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:m1 ex:thema ex:verkeer ; ex:eenheid "km"@nl ; ex:waarde "01"^^ex:code ; ex:bij _:a .
ex:m2 ex:thema ex:verkeer ; ex:eenheid "km"@nl ; ex:waarde "1"^^ex:code ; ex:bij _:b .
ex:m3 ex:thema ex:groen ; ex:eenheid "km"@en ; ex:waarde "1"^^ex:code ; ex:bij _:a .
ex:m4 ex:thema ex:groen ; ex:eenheid "km" ; ex:waarde "1"^^xsd:decimal ; ex:bij _:b ;
      ex:opmerking "x" .
"""

DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
CODE = URIRef("https://voorbeeld.nl/code")
"""A datatype the store keeps lexical forms of as written (it normalises xsd:integer)."""

QUERY = """
PREFIX ex: <https://voorbeeld.nl/>
SELECT ?m ?thema ?eenheid ?waarde ?bij ?opmerking WHERE {
  ?m ex:thema ?thema ; ex:eenheid ?eenheid ; ex:waarde ?waarde ; ex:bij ?bij .
  OPTIONAL { ?m ex:opmerking ?opmerking }
} ORDER BY ?m
"""


def answer(store: ox.Store) -> dict[str, tuple[object, ...]]:
    result = collect(store.query(QUERY), AnswerLimits())
    assert result.variables == ("m", "thema", "eenheid", "waarde", "bij", "opmerking")
    return {str(row[0]).rsplit("/", 1)[1]: row[1:] for row in result.rows}


def test_repeated_terms_are_equal_and_distinct_terms_stay_distinct() -> None:
    store = ox.Store()
    store.load(DATA, format=ox.RdfFormat.TURTLE)
    rows = answer(store)
    m1, m2, m3, m4 = (rows[m] for m in ("m1", "m2", "m3", "m4"))

    # The same IRI or literal in several rows comes back equal (and shared).
    verkeer = URIRef("https://voorbeeld.nl/verkeer")
    assert m1[0] == m2[0] == verkeer and m1[0] is m2[0]
    assert m1[1] == m2[1] == Literal("km", lang="nl") and m1[1] is m2[1]
    assert m2[2] == m3[2] == Literal("1", datatype=CODE)

    # Terms that differ only in lexical form, language or datatype are kept apart.
    assert str(m1[2]) == "01" and m1[2].datatype == CODE
    assert m1[2] != m2[2]
    assert m3[1] == Literal("km", lang="en") and m3[1] != m1[1]
    assert m4[1] == Literal("km") and m4[1].language is None and m4[1].datatype is None
    assert str(m4[2]) == "1" and m4[2].datatype == DECIMAL and m4[2] != m2[2]

    # One blank node stays one node across rows; two blank nodes stay two.
    assert all(isinstance(row[3], BNode) for row in (m1, m2, m3, m4))
    assert m1[3] == m3[3] and m2[3] == m4[3]
    assert m1[3] != m2[3]

    # An unbound variable is None, a bound one its literal.
    assert m1[4] is None and m2[4] is None and m3[4] is None
    assert m4[4] == Literal("x")


def test_terms_are_not_shared_between_answers() -> None:
    store = ox.Store()
    store.load(DATA, format=ox.RdfFormat.TURTLE)
    first, second = answer(store), answer(store)
    assert first == second
    assert first["m1"][0] is not second["m1"][0]


def test_blank_nodes_of_a_construct_stay_distinct() -> None:
    store = ox.Store()
    store.load(DATA, format=ox.RdfFormat.TURTLE)
    result = collect(
        store.query(
            "CONSTRUCT { ?m <https://voorbeeld.nl/bij> ?b } WHERE "
            "{ ?m <https://voorbeeld.nl/bij> ?b }"
        ),
        AnswerLimits(),
    )
    assert result.graph is not None and len(result.graph) == 4
    nodes = set(result.graph.objects())
    assert len(nodes) == 2 and all(isinstance(node, BNode) for node in nodes)
    bij = URIRef("https://voorbeeld.nl/bij")
    m = "https://voorbeeld.nl/m{}".format
    assert result.graph.value(URIRef(m(1)), bij) == result.graph.value(URIRef(m(3)), bij)
    assert result.graph.value(URIRef(m(1)), bij) != result.graph.value(URIRef(m(2)), bij)
