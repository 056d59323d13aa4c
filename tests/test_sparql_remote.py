"""The endpoint in front of a remote store: a real ``oxigraph serve`` behind the KRB service.

Queries, validated updates, the Graph Store and the time limit (here the
HTTP read timeout towards the server) work the same as on the embedded store.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from remote_server import oxigraph_fixture
from test_sparql_support import AUTH, BASE, TIMEOUT, TOKEN, served

from krbgraph.settings import Settings
from krbgraph.store import Store, open_store

oxigraph_url = oxigraph_fixture(scope="module")

LIMIT_S = 0.5


@pytest.fixture(scope="module")
def remote(oxigraph_url: str) -> Iterator[tuple[str, Store]]:
    settings = Settings(store=oxigraph_url, base_iri=BASE, token=TOKEN, query_timeout_s=LIMIT_S)
    store = open_store(settings)
    data = Graph()
    for i in range(5000):
        data.add((URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), Literal(i)))
    store.replace_graph("http://example.org/big", data)
    with served(store, settings) as url:
        yield url, store
    store.close()


def test_sparql_remote_query_update_and_graph_store(remote: tuple[str, Store]) -> None:
    url, store = remote
    ask = httpx.get(
        f"{url}/sparql",
        params={"query": "ASK { <http://example.org/s7> ?p 7 }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=TIMEOUT,
    )
    assert ask.status_code == 200 and ask.json()["boolean"] is True

    update = (
        "INSERT DATA { GRAPH <http://example.org/extra> "
        "{ <http://example.org/x> <http://example.org/p> 1 } }"
    )
    response = httpx.post(f"{url}/update", data={"update": update}, headers=AUTH, timeout=TIMEOUT)
    assert response.status_code == 204, response.text
    assert len(store.read_graph("http://example.org/extra")) == 1

    put = httpx.put(
        f"{url}/store",
        params={"graph": "http://example.org/extra"},
        content=b'<http://example.org/y> <http://example.org/p> "y" .',
        headers={"Content-Type": "application/n-triples"} | AUTH,
        timeout=TIMEOUT,
    )
    assert put.status_code == 204
    got = httpx.get(f"{url}/store", params={"graph": "http://example.org/extra"}, timeout=TIMEOUT)
    triples = set(Graph().parse(data=got.content, format="turtle"))
    assert triples == {
        (URIRef("http://example.org/y"), URIRef("http://example.org/p"), Literal("y"))
    }


def test_sparql_remote_slow_query_gets_503(remote: tuple[str, Store]) -> None:
    url, _ = remote
    response = httpx.get(
        f"{url}/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 503
    assert response.elapsed.total_seconds() < LIMIT_S + 2.0
