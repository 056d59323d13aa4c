"""A bound parameter means the same however the engine is steered to it.

Parameters are pre-bound (krbgraph.sparql_binding.prebind): a VALUES block first in
the query and first in the UNION branches and subqueries that mention the variable,
so the planner starts from the bound value. The meaning must be pre-binding's: the
variable bound everywhere in the group, which Oxigraph's LATERAL gives exactly (the
group evaluated once with the values in place). Every named query is run on the
demo with every instance of its parameters' classes the demo has (and two dates):
the rows must be the same both ways. A VALUES block that changed a MINUS, an
OPTIONAL or an aggregate would show here.
"""

from __future__ import annotations

import itertools

import pyoxigraph as ox
import pytest
from demo_backends import embedded_demo_fixture

from krbgraph.queries import ParamType, load_catalogue
from krbgraph.sparql_binding import inject_rows, prebind
from krbgraph.store import Store

CATALOGUE = load_catalogue()
DATES = [
    '"2024-06-01"^^<http://www.w3.org/2001/XMLSchema#date>',
    '"2031-01-01"^^<http://www.w3.org/2001/XMLSchema#date>',
]
MAX_COMBINATIONS = 12
"""Value combinations tried per query (the first ones, in a fixed order)."""


store = embedded_demo_fixture()


def _instances(store: Store, klasse: str) -> list[str]:
    rows = store.query(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        f"SELECT DISTINCT ?s WHERE {{ ?s a/rdfs:subClassOf* <{klasse}> "
        "FILTER isIRI(?s) } ORDER BY ?s LIMIT 4"
    ).rows
    return [f"<{row[0]}>" for row in rows]


def _choices(store: Store, name: str) -> list[dict[str, str]]:
    query = CATALOGUE[name]
    options: dict[str, list[str]] = {}
    for param in query.parameters:
        if param.type is ParamType.IRI and param.klasse:
            found = _instances(store, param.klasse)
            if found:
                options[param.name] = found
        elif param.type is ParamType.DATE:
            options[param.name] = DATES
    names = sorted(options)
    combos = itertools.product(*(options[n] for n in names))
    return [
        dict(zip(names, combo, strict=True)) for combo in itertools.islice(combos, MAX_COMBINATIONS)
    ]


def _rows(store: Store, text: str) -> list[tuple[str | None, ...]]:
    result = store.query(text)
    return sorted(tuple(None if v is None else v.n3() for v in row) for row in result.rows)


BOUND = sorted(name for name, query in CATALOGUE.items() if query.parameters)


@pytest.mark.parametrize("name", BOUND)
def test_prebinding_answers_as_lateral_evaluation_does(store: Store, name: str) -> None:
    query = CATALOGUE[name]
    tried = 0
    for terms in _choices(store, name):
        names = tuple(terms)
        lateral = inject_rows(query.sparql, names, [tuple(terms.values())], lateral=True)
        assert _rows(store, prebind(query.sparql, terms)) == _rows(store, lateral), terms
        tried += 1
    if not tried:
        pytest.skip(f"{name}: the demo has no value for its parameters")


def test_a_union_branch_starts_from_the_bound_value() -> None:
    text = "SELECT * WHERE { { ?a <urn:p> ?b } UNION { ?b <urn:q> ?a } OPTIONAL { ?a <urn:r> ?c } }"
    bound = prebind(text, {"a": "<urn:x>"})
    assert bound.count("VALUES (?a) { (<urn:x>) }") == 3  # first, and in both branches
    assert "OPTIONAL {  VALUES" not in bound and "OPTIONAL { VALUES" not in bound
    ox.Store().query(bound)  # still SPARQL


def test_a_union_beside_a_bound_pattern_is_left_to_per_row_lookups() -> None:
    text = "SELECT * WHERE { ?a <urn:p> ?m . { ?m <urn:q> ?b } UNION { ?m <urn:r> ?b } }"
    bound = prebind(text, {"a": "<urn:x>", "b": "<urn:y>"})
    assert bound.count("VALUES") == 1  # the outer block only


def test_minus_and_inline_data_are_left_alone() -> None:
    text = (
        "SELECT * WHERE { ?a <urn:p> ?b MINUS { { ?a <urn:q> ?c } UNION { ?a <urn:r> ?c } } "
        "VALUES ?a { <urn:z> } }"
    )
    bound = prebind(text, {"a": "<urn:x>"})
    assert bound.count("VALUES (?a)") == 1
    ox.Store().query(bound)


def test_a_where_group_that_is_a_subquery_is_bound_and_still_sparql() -> None:
    """``WHERE { SELECT ... }`` got a VALUES block beside the subquery, which SPARQL does
    not allow: a 400 from the engine for a count of a resource's incoming links."""
    text = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s WHERE { ?s <urn:p> ?r } }"
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:x")))
    store.add(ox.Quad(ox.NamedNode("urn:t"), ox.NamedNode("urn:p"), ox.NamedNode("urn:y")))
    answer = store.query(prebind(text, {"r": "<urn:x>"}))
    assert isinstance(answer, ox.QuerySolutions)
    assert [str(row[0].value) for row in answer] == ["1"]


@pytest.mark.parametrize("where", ["WHERE ", ""])
def test_a_subquery_without_the_where_keyword_is_bound_like_one_with_it(where: str) -> None:
    """SPARQL makes ``WHERE`` optional; a subquery written ``SELECT ... { ... }`` kept the
    parameter unbound (the count below ran over every subject, not the bound one)."""
    text = (
        "SELECT DISTINCT ?s ?n WHERE { ?s <urn:p> ?o . "
        f"{{ SELECT (COUNT(?o2) AS ?n) {where}{{ ?s <urn:p> ?o2 }} }} }}"
    )
    store = ox.Store()
    for subject, count in (("urn:s", 1), ("urn:t", 3)):
        for index in range(count):
            store.add(ox.Quad(ox.NamedNode(subject), ox.NamedNode("urn:p"), ox.Literal(str(index))))
    bound = prebind(text, {"s": "<urn:s>"})
    answer = store.query(bound)
    assert isinstance(answer, ox.QuerySolutions)
    assert {(row[0].value, int(row[1].value)) for row in answer} == {("urn:s", 1)}
    assert bound.count("VALUES (?s)") == 2
