"""The one SPARQL tokenizer: it reads comments, strings and IRIs as the grammar does.

A scan that reads the text differently from the engine can be walked past:
each case here was a way to hide SERVICE or a deep structure from a scan, or
is a harmless text that must not be refused. The cases run without a server;
the same texts go to a real one in test_reliability_crashes.
"""

from __future__ import annotations

import pytest

from krbgraph.sparql_text import (
    LimitExceeded,
    RemoteAccessRefused,
    SparqlLimits,
    SparqlRefused,
    check,
    scan,
    tokens,
)

LIMITS = SparqlLimits()
EVIL = "http://127.0.0.1:9/x"


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT * WHERE {{ #x\rSERVICE <{EVIL}> {{ ?s ?p ?o }} }}",  # CR ends a comment
        f"SELECT * WHERE {{ #x\r\nSERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p trueSERVICE <{EVIL}> {{ }} }}",
        f"SELECT * WHERE {{ ?s ?p 1e5SERVICE <{EVIL}> {{ }} }}",
        f"SELECT * WHERE {{ SERVICE<{EVIL}>{{?s?p?o}} }}",
        f"SELECT * WHERE {{ 'a\\'' SERVICE <{EVIL}> {{ }} }}",
        f"SELECT * WHERE {{ '''a''' SERVICE <{EVIL}> {{ }} }}",
        f'SELECT * WHERE {{ "a\\\\" SERVICE <{EVIL}> {{ }} }}',
    ],
)
def test_reliability_service_is_found_wherever_the_engine_reads_it(text: str) -> None:
    assert scan(text).uses_service
    with pytest.raises(RemoteAccessRefused) as refused:
        check(text, LIMITS)
    assert "SERVICE" in str(refused.value) and "SERVICE" in refused.value.nl


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p <http://e/SERVICE> }",
        "SELECT * WHERE { ?s ?p <http://www.w3.org/ns/sparql-service-description#x> }",
        "SELECT * WHERE { BIND('''\nSERVICE <x> {''' AS ?x) }",
        'SELECT * WHERE { BIND("SERVICE" AS ?x) } # SERVICE <http://e/>',
        "PREFIX ex: <http://e/> SELECT ?service WHERE { ?service ex:SERVICE ?o }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
        "SELECT * WHERE { ?s ?p (<http://e/a> <http://e/service>) }",
        "SELECT * WHERE { FILTER(?x = <http://e/Foo_(service)>) }",
    ],
)
def test_reliability_harmless_text_is_not_refused(text: str) -> None:
    assert not check(text, LIMITS).uses_service


@pytest.mark.parametrize(
    "text",
    [
        # Read as less-than, the text hides SERVICE in a comment the grammar does not see.
        f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<3)SERVICE#>\n<{EVIL}>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<=3).service#>\n<{EVIL}>{{ ?s ?p ?o }} }}",
        # As IRI the quote is inert; as '<' plus text it opens a string that runs past '>'.
        f"SELECT * WHERE {{ FILTER(?a<'x>) }} ' SERVICE <{EVIL}> {{ }} #'",
        # '#' comments out the rest of the line, a string opener included ...
        f"SELECT * WHERE {{ FILTER(?a<3)#> '''\nSERVICE <{EVIL}> {{ }}\n#'''\n}}",
        # ... or a VALUES that would make the next group look like a list of values.
        f"SELECT * WHERE {{ FILTER(?a<3)#> VALUES\n{{ FILTER(?a<3)SERVICE#>\n<{EVIL}>{{}} }} }}",
    ],
)
def test_reliability_an_iri_the_engine_may_read_otherwise_is_refused(text: str) -> None:
    with pytest.raises(SparqlRefused) as refused:
        check(text, LIMITS)
    assert "string or comment" in str(refused.value)
    assert "commentaar" in refused.value.nl


def test_reliability_comments_end_at_cr_and_lf_only() -> None:
    assert [t.text for t in tokens("a #x\rb #y\nc #z\x0cd")] == ["a", "b", "c"]


@pytest.mark.parametrize(
    "text,limit",
    [
        ("SELECT * WHERE " + "{" * 3000 + "}" * 3000, "max_depth"),
        ("SELECT * WHERE { FILTER(" + "(" * 65 + "1" + ")" * 65 + ") }", "max_depth"),
        ("SELECT * WHERE { ?s ?p " + "[ ?p " * 70 + "1" + " ]" * 70 + " }", "max_depth"),
        ("SELECT * WHERE { FILTER(?a<" + "(" * 100 + "1>0) }", "max_depth"),  # hidden in '<...>'
        ("SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 20_000) + " }", "max_union"),
        ("SELECT * WHERE { BIND(" + " + ".join(["1"] * 20_000) + " AS ?x) }", "max_tokens"),
        ("SELECT * WHERE { FILTER(" + "!" * 20_000 + "true) }", "max_tokens"),
        ("SELECT * WHERE { ?s ?p (" + " 1" * 5000 + ") }", "max_tokens"),
        ("SELECT * WHERE { ?s ?p ?o }" + " " * 1_000_001, "max_chars"),
    ],
)
def test_reliability_limits_are_named(text: str, limit: str) -> None:
    with pytest.raises(LimitExceeded) as refused:
        check(text, LIMITS)
    assert refused.value.limit == limit
    assert str(getattr(LIMITS, limit)) in str(refused.value)
    assert str(getattr(LIMITS, limit)) in refused.value.nl


def test_reliability_values_and_data_blocks_are_long_lists_not_structure() -> None:
    values = " ".join(f"<http://e/{i}>" for i in range(20_000))
    assert check(f"SELECT * WHERE {{ VALUES ?x {{ {values} }} }}", LIMITS).counted_tokens < 20
    rows = " ".join(f"(<http://e/{i}> {i})" for i in range(5_000))
    assert check(f"SELECT * WHERE {{ VALUES (?x ?n) {{ {rows} }} }}", LIMITS).depth == 3
    data = " ".join(f"<http://e/{i}> <http://e/p> -{i} ." for i in range(20_000))
    assert check(f"INSERT DATA {{ GRAPH <http://e/g> {{ {data} }} }}", LIMITS).counted_tokens < 20
    template = f"INSERT {{ {data} }} WHERE {{}}"
    with pytest.raises(LimitExceeded):
        check(template, LIMITS)


def test_reliability_limits_follow_the_settings_given() -> None:
    small = SparqlLimits(max_chars=20, max_depth=2, max_union=1, max_tokens=10)
    with pytest.raises(LimitExceeded, match="20"):
        check("SELECT * WHERE { ?s ?p ?o }", small)
    with pytest.raises(LimitExceeded, match="2 levels"):
        check("ASK {{{}}}", small)
    assert check("ASK {{}}", small).depth == 2


def test_reliability_the_named_queries_are_well_within_the_limits() -> None:
    from krbgraph.queries import load_catalogue

    catalogue = load_catalogue()
    for name in catalogue:
        found = check(catalogue[name].sparql, LIMITS)
        # Every named query can be pasted into the endpoint as it is, with room to add to
        # it: 600 tokens, several times a hand-written query (normgat, the longest, holds
        # normtoets's steps and the effects, each date compared by the day it names).
        assert found.counted_tokens < LIMITS.max_tokens - 600, name
        assert found.depth < LIMITS.max_depth // 3, name
