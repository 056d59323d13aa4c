"""The dataset clauses of a client's query, read as the engine reads them.

FROM and FROM NAMED are passed to the engine as protocol parameters
(krbgraph.web.query_dataset). rdflib read them before: at half a millisecond per term of
the whole query before the time limit started (a 1 MB query with FROM and a VALUES block
of 110,000 values held a core for a minute past the limit), and resolving some IRIs
otherwise than the engine (a graph that does not exist, or a valid query refused).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from krbgraph.web.query_dataset import EMPTY_DEFAULT_GRAPH, query_dataset

VALUES = " ".join(f"<urn:v:{i}>" for i in range(110_000))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"SELECT * FROM <urn:a> WHERE {{ ?s ?p ?o VALUES ?s {{ {VALUES} }} }}", (["urn:a"], [])),
        (f"SELECT * FROM <urn:a> {{ ?s ?p ?o }} VALUES ?s {{ {VALUES} }}", (["urn:a"], [])),
        (
            f"CONSTRUCT {{ ?s ?p ?o }} FROM <urn:a> FROM NAMED <urn:b> "
            f"WHERE {{ ?s ?p ?o VALUES ?s {{ {VALUES} }} }}",
            (["urn:a"], ["urn:b"]),
        ),
        (
            f"PREFIX g: <urn:g:> ASK FROM NAMED g:b {{ GRAPH ?g {{ ?s ?p ?o }} "
            f"VALUES ?s {{ {VALUES} }} }}",
            ([EMPTY_DEFAULT_GRAPH], ["urn:g:b"]),
        ),
        (
            f"CONSTRUCT FROM <urn:a> WHERE {{ ?s ?p ?o }} VALUES ?s {{ {VALUES} }}",
            (["urn:a"], []),
        ),
        ("SELECT (EXISTS { ?a ?b ?c } AS ?e) FROM <urn:a> { ?s ?p ?o }", (["urn:a"], [])),
    ],
    ids=["values-inside", "values-after", "construct", "ask-named", "construct-where", "exists"],
)
def test_the_dataset_is_read_from_the_clauses(
    text: str, expected: tuple[list[str], list[str]]
) -> None:
    assert query_dataset(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # RFC 3986 5.2.2: the base's fragment is not part of <> resolved against it.
        ("BASE <http://x.org/a/set#part> SELECT * FROM <> { }", "http://x.org/a/set"),
        # SPARQL 1.1 4.1.1: a relative BASE is resolved against the one before it.
        ("BASE <http://x.org/a/> BASE <b/> SELECT * FROM <c> { }", "http://x.org/a/b/c"),
        # PN_LOCAL_ESC: the escape is not part of the name.
        (r"PREFIX g: <http://x.org/g/> SELECT * FROM g:mini\-set { }", "http://x.org/g/mini-set"),
        # Relative to the endpoint without a BASE.
        ("SELECT * FROM <graph/a> { }", "http://krb.example.org/graph/a"),
    ],
    ids=["fragment", "relative-base", "escape", "endpoint"],
)
def test_an_iri_is_resolved_as_the_engine_resolves_it(text: str, expected: str) -> None:
    default, _ = query_dataset(text, "http://krb.example.org/sparql")
    assert default == [expected]
    engine = ox.Store()
    engine.add(
        ox.Quad(
            ox.NamedNode("urn:s"),
            ox.NamedNode("urn:p"),
            ox.NamedNode("urn:o"),
            ox.NamedNode(expected),
        )
    )
    answer = engine.query(
        text.replace("{ }", "{ ?s ?p ?o }"), base_iri="http://krb.example.org/sparql"
    )
    assert isinstance(answer, ox.QuerySolutions) and len(list(answer)) == 1


def test_syntax_the_engine_reads_is_read() -> None:
    text = "SELECT * FROM <urn:a> WHERE { BIND ('x'@en--ltr AS ?x) }"
    assert query_dataset(text) == (["urn:a"], [])
