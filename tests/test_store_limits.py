"""Query limits, base IRIs and the default graph, on the embedded store and a real `oxigraph serve`.

A query that runs too long or answers too much must stop costing memory and
CPU as soon as it passes its limit, on both backends; these tests run the
cross join ``SELECT * { ?a ?b ?c . ?d ?e ?f }`` (millions of solutions) and
check that the error comes at once and that the work really stops.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from remote_server import oxigraph_fixture

from krbgraph.settings import Settings
from krbgraph.store import (
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    Store,
    StoreError,
    open_store,
)

EX = "http://example.org/"
BIG = f"{EX}graph/big"
CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
"""With n triples n² solutions, produced one by one: the runaway query of a public endpoint."""
TRIPLES = 3000

oxigraph_url = oxigraph_fixture(scope="module")

BACKENDS = ["embedded", pytest.param("remote", marks=pytest.mark.remote)]


def numbered(count: int) -> Graph:
    graph = Graph()
    for i in range(count):
        graph.add((URIRef(f"{EX}s{i}"), URIRef(f"{EX}p"), Literal(i)))
    return graph


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "embedded":
        opened = open_store(Settings(store=str(tmp_path / "store")))
    else:
        opened = open_store(Settings(store=request.getfixturevalue("oxigraph_url")))
        opened.update("DROP ALL")  # the server outlives a test; each test starts empty
    yield opened
    opened.close()


# -- size limit ---------------------------------------------------------------


def test_max_rows_allows_exactly_the_limit_and_refuses_one_more(store: Store) -> None:
    store.replace_graph(BIG, numbered(10))
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    assert len(store.query(query, max_rows=10).rows) == 10
    with pytest.raises(ResultTooLarge) as caught:
        store.query(query, max_rows=9)
    assert (caught.value.limit, caught.value.unit) == (9, "rows")
    assert "more than 9 rows" in str(caught.value)


def test_max_rows_counts_distinct_triples_of_a_construct(store: Store) -> None:
    store.replace_graph(BIG, numbered(10))
    # every subject twice in the pattern's solutions, once in the graph
    query = (
        f"CONSTRUCT {{ ?s a <{EX}Ding> }} "
        f"WHERE {{ ?s ?p ?o . ?t ?q ?r FILTER(?t IN (?s, <{EX}s0>)) }}"
    )
    assert len(store.query(query, max_rows=10).graph or ()) == 10
    with pytest.raises(ResultTooLarge) as caught:
        store.query(query, max_rows=9)
    assert caught.value.unit == "triples"


def test_max_rows_stops_a_huge_answer_at_once(store: Store) -> None:
    store.replace_graph(BIG, numbered(TRIPLES))
    started = time.monotonic()
    with pytest.raises(ResultTooLarge):
        store.query(CROSS, max_rows=1000, timeout_s=30)
    elapsed = time.monotonic() - started
    # Reading all nine million solutions takes over eight seconds, so five show the stop.
    assert elapsed < 5.0, f"{TRIPLES**2} solutions were read for {elapsed:.1f} s"


def test_a_query_answering_without_end_times_out_on_time(store: Store) -> None:
    """The server streams solutions without pause, so only the time limit can stop the read."""
    store.replace_graph(BIG, numbered(TRIPLES))
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as caught:
        store.query(CROSS, timeout_s=0.5)
    elapsed = time.monotonic() - started
    assert elapsed < 5.0, f"the time-out came after {elapsed:.1f} s"
    assert "0.5 s" in str(caught.value)


# -- base IRI -------------------------------------------------------------------


def test_base_iri_resolves_relative_iris_in_queries(store: Store) -> None:
    query = "SELECT ?x WHERE { BIND(<norm/1> AS ?x) }"
    result = store.query(query, base_iri=f"{EX}sparql")
    assert result.rows == ((URIRef(f"{EX}norm/1"),),)
    own_base = store.query("BASE <http://other.example/>\n" + query, base_iri=f"{EX}sparql")
    assert own_base.rows == ((URIRef("http://other.example/norm/1"),),)


def test_base_iri_resolves_relative_iris_in_updates(store: Store) -> None:
    store.update("INSERT DATA { GRAPH <g> { <s> <p> <o> } }", base_iri=f"{EX}update")
    triples = set(store.read_graph(f"{EX}g"))
    assert triples == {(URIRef(f"{EX}s"), URIRef(f"{EX}p"), URIRef(f"{EX}o"))}


def test_syntax_error_positions_are_those_of_the_callers_text(store: Store) -> None:
    with pytest.raises(QuerySyntaxError) as query_error:
        store.query("SELECT ?x\nWHERE { ?x ?y }", base_iri=f"{EX}sparql")
    assert query_error.value.line == 2
    assert "at 2:" in str(query_error.value)
    with pytest.raises(QuerySyntaxError) as update_error:
        store.update("INSERT DATA {\n  <a> }", base_iri=f"{EX}update")
    assert update_error.value.line == 2


def test_an_invalid_base_iri_is_refused_with_its_value(store: Store) -> None:
    with pytest.raises(StoreError, match="not a valid base IRI: 'not an iri'"):
        store.query("ASK {}", base_iri="not an iri")
    with pytest.raises(StoreError, match="not a valid base IRI"):
        store.update("CLEAR DEFAULT", base_iri="not an iri")


# -- the default graph ---------------------------------------------------------


def test_default_graph_is_written_by_none(store: Store) -> None:
    store.replace_graph(BIG, numbered(3))
    store.replace_graph(None, numbered(2))
    store.add_to_graph(None, numbered(4))
    assert len(store.read_graph(None)) == 4
    store.replace_graph(None, numbered(1))
    assert len(store.read_graph(None)) == 1
    assert len(store.read_graph(BIG)) == 3, "a named graph changed with the default graph"


def test_default_and_named_graphs_are_replaced_together_or_not_at_all(store: Store) -> None:
    store.replace_graph(None, numbered(2))
    store.replace_graph(BIG, numbered(2))
    broken = Graph()
    broken.add((URIRef("not an iri"), URIRef(f"{EX}p"), Literal(1)))
    with pytest.raises(StoreError):
        store.write_graphs({None: numbered(5), BIG: broken}, replace=True)
    assert len(store.read_graph(None)) == 2
    store.write_graphs({None: numbered(5), BIG: numbered(6)}, replace=True)
    assert (len(store.read_graph(None)), len(store.read_graph(BIG))) == (5, 6)


# -- the work really stops (embedded) --------------------------------------------

RUNAWAY = textwrap.dedent(
    """
    import gc, json, resource, sys, threading, time
    from rdflib import Graph, Literal, URIRef
    from krbgraph.store import QueryTimeout
    from krbgraph.store.embedded import EmbeddedStore

    folder, triples, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    store = EmbeddedStore(folder)
    data = Graph()
    for i in range(triples):
        data.add((URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), Literal(i)))
    store.replace_graph("http://example.org/big", data)
    store.query("SELECT * WHERE { ?s ?p ?o } LIMIT 10", timeout_s=5)  # warm up
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        store.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", timeout_s=timeout)
        outcome = "answered"
    except QueryTimeout:
        outcome = "timeout"
    error_at = time.monotonic()
    def workers():
        return [t for t in threading.enumerate() if t.name == "krb-query"]
    while workers() and time.monotonic() - error_at < 5:
        time.sleep(0.01)
    gone_after = time.monotonic() - error_at if not workers() else None
    time.sleep(0.5)
    gc.collect()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    store.close()
    print(json.dumps({
        "outcome": outcome,
        "error_after": error_at - started,
        "worker_gone_after": gone_after,
        "peak_growth_mb": (after - before) / 1024,
    }))
    """
)


def test_a_timed_out_query_stops_its_worker_and_memory_stays_bounded(tmp_path: Path) -> None:
    """In a process of its own, so threads and peak memory are this query's only."""
    run = subprocess.run(
        [sys.executable, "-c", RUNAWAY, str(tmp_path / "store"), str(TRIPLES), "0.3"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "unsendable" not in run.stderr, "pyoxigraph's iterator was dropped in another thread"
    report = json.loads(run.stdout)
    assert report["outcome"] == "timeout"
    assert report["error_after"] < 1.0, report
    assert report["worker_gone_after"] is not None, f"the query kept running: {report}"
    assert report["worker_gone_after"] < 0.5, report
    assert report["peak_growth_mb"] < 100, report
