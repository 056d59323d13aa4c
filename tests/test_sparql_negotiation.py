"""Accept headers and SPARQL text scanning: the decisions the endpoint makes before running."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from krbgraph.sparql_text import scan as scan_sparql
from krbgraph.web.negotiation import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    AcceptHeaderError,
    best_match,
    choose_format,
    parse_accept,
)
from krbgraph.web.sparql import with_using

OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]


@pytest.mark.parametrize(
    "accept,expected",
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("application/sparql-results+json;q=0.5, text/csv", "text/csv"),
        ("text/csv;q=0.1, application/*;q=0.2", "application/sparql-results+json"),
        ("application/*;q=0.9, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv, application/sparql-results+xml", "text/csv"),  # equal q: client order
        ("*/*;q=0.1, text/csv;q=0", "application/sparql-results+json"),
        ("text/csv;q=0", None),
        ("text/html", None),
        ("TEXT/CSV", "text/csv"),
        ("*", "application/sparql-results+json"),
    ],
)
def test_sparql_best_match(accept: str | None, expected: str | None) -> None:
    assert best_match(accept, OFFERS) == expected


def test_sparql_more_specific_range_sets_the_weight() -> None:
    # text/csv is excluded explicitly even though text/* would allow it
    assert best_match("text/*, text/csv;q=0", ["text/csv", "text/tab-separated-values"]) == (
        "text/tab-separated-values"
    )


def test_sparql_aliases_are_answered_with_the_canonical_type() -> None:
    assert choose_format("application/json", RESULT_FORMATS) == (
        "json",
        "application/sparql-results+json",
    )
    assert choose_format("application/json", GRAPH_FORMATS) == ("jsonld", "application/ld+json")
    assert choose_format("text/plain", GRAPH_FORMATS) == ("ntriples", "application/n-triples")


@pytest.mark.parametrize("header", ["text/csv;q=abc", "text/csv;q=2", "textcsv"])
def test_sparql_unreadable_accept_header(header: str) -> None:
    with pytest.raises(AcceptHeaderError):
        parse_accept(header)


@pytest.mark.parametrize(
    "text,form",
    [
        ("PREFIX ex: <http://e/> SELECT * { ?s ?p ?o }", "select"),
        ("# ASK in a comment\nBASE <http://e/> ASK {}", "ask"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "graph"),
        ("describe <http://e/x>", "graph"),
        ("PREFIX select: <http://e/> ASK { select:x ?p ?o }", "ask"),
        ("nonsense", None),
    ],
)
def test_sparql_query_form(text: str, form: str | None) -> None:
    assert scan_sparql(text).query_form == form


@pytest.mark.parametrize(
    "text,service",
    [
        ("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }", True),
        ("SELECT * { service silent ?x { ?s ?p ?o } }", True),
        ('SELECT * { BIND("SERVICE" AS ?x) }', False),
        ("SELECT * { BIND('''a\nSERVICE <x> {''' AS ?x) }", False),
        ("SELECT * { ?s ?p <http://e/SERVICE> }", False),
        ("# SERVICE <http://e/>\nSELECT * {}", False),
        ("PREFIX ex: <http://e/> SELECT * { ?s ex:SERVICE ?o }", False),
        ("SELECT ?service { ?service ?p ?o }", False),
    ],
)
def test_sparql_service_is_found_only_as_a_keyword(text: str, service: bool) -> None:
    assert scan_sparql(text).uses_service is service


def _run(update: str) -> set[str]:
    store = ox.Store()
    store.update(
        "INSERT DATA { GRAPH <http://e/g1> { <http://e/a> a <http://e/T> } "
        "GRAPH <http://e/g2> { <http://e/b> a <http://e/T> } }"
    )
    store.update(update)
    return {
        str(q.subject)
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode("http://e/out"))
    }


def test_sparql_using_clauses_follow_the_protocol_parameters() -> None:
    update = (
        "PREFIX e: <http://e/>\n"
        "INSERT DATA { GRAPH e:x { e:c a e:T } } ;\n"
        "INSERT { GRAPH e:out { ?s a e:Found } } WHERE { ?s a e:T }"
    )
    scan = scan_sparql(update)
    assert not scan.has_dataset_clause
    assert len(scan.where_positions) == 1
    assert _run(with_using(update, scan, ["http://e/g1"], [])) == {"<http://e/a>"}
    named = update.replace("WHERE { ?s a e:T }", "WHERE { GRAPH ?g { ?s a e:T } }")
    assert _run(with_using(named, scan_sparql(named), [], ["http://e/g2"])) == {"<http://e/b>"}
    assert with_using(update, scan, [], []) == update


@pytest.mark.parametrize(
    "update,has_clause,wheres",
    [
        ("WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True, 1),
        ("DELETE { ?s ?p ?o } USING <http://e/g> WHERE { ?s ?p ?o }", True, 1),
        ("DELETE WHERE { ?s ?p ?o }", False, 0),
        ("DELETE DATA { <http://e/a> <http://e/b> 'WHERE' }", False, 0),
        ("CLEAR ALL ; DELETE { ?s ?p ?o } INSERT { ?o ?p ?s } WHERE { ?s ?p ?o }", False, 1),
        ("INSERT { ?s ?p 'USING' } WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }", False, 1),
    ],
)
def test_sparql_update_dataset_clauses(update: str, has_clause: bool, wheres: int) -> None:
    scan = scan_sparql(update)
    assert scan.has_dataset_clause is has_clause
    assert len(scan.where_positions) == wheres


def test_sparql_load_is_recognised() -> None:
    assert scan_sparql("load <http://e/x.ttl>").uses_load
    assert not scan_sparql("INSERT DATA { <http://e/load> <http://e/p> 'LOAD' }").uses_load
