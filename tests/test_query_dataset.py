"""The dataset clauses of a client's query are read from the query's head only.

rdflib reads FROM and FROM NAMED (krbgraph.web.query_dataset) before the engine's time
limit starts, at half a millisecond per term: a 1 MB query with FROM and a VALUES block
of 110,000 values held a core for a minute past the limit. Only the text before the
WHERE group may reach it, and the IRIs read must be those of the whole query.
"""

from __future__ import annotations

import pytest

from krbgraph.web.query_dataset import EMPTY_DEFAULT_GRAPH, dataset_part, query_dataset

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
def test_the_dataset_is_read_from_the_querys_head(
    text: str, expected: tuple[list[str], list[str]]
) -> None:
    assert len(dataset_part(text)) < 200
    assert query_dataset(text) == expected
