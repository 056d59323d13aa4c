"""The Graph Store's ``?default`` graph with a real ``oxigraph serve`` behind the service.

The default graph is written through the same store calls as named graphs
(``replace_graph(None, ...)``, ``add_to_graph(None, ...)``), so on a remote
store each write is one update request too; named graphs must stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from remote_server import oxigraph_fixture
from test_sparql_support import AUTH, BASE, TIMEOUT, TOKEN, served

from krbgraph.settings import Settings
from krbgraph.store import Store, open_store

pytestmark = pytest.mark.remote

oxigraph_url = oxigraph_fixture(scope="module")

NAMED = "http://example.org/graph/named"
NT = {"Content-Type": "application/n-triples"}
FIRST = '<http://example.org/a> <http://example.org/p> "1" .\n'
SECOND = '<http://example.org/b> <http://example.org/p> "2" .\n'


@pytest.fixture(scope="module")
def remote(oxigraph_url: str) -> Iterator[tuple[httpx.Client, Store]]:
    settings = Settings(store=oxigraph_url, base_iri=BASE, token=TOKEN)
    store = open_store(settings)
    store.update("DROP ALL")
    named = Graph()
    named.add((URIRef("http://example.org/n"), URIRef("http://example.org/p"), Literal("n")))
    store.replace_graph(NAMED, named)
    with served(store, settings) as url, httpx.Client(base_url=url, timeout=TIMEOUT) as client:
        yield client, store
    store.close()


def default_graph(client: httpx.Client) -> Graph:
    response = client.get("/store", params={"default": ""}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.content, format="turtle")


def test_gsp_remote_default_graph_put_post_delete(remote: tuple[httpx.Client, Store]) -> None:
    client, store = remote
    put = client.put("/store", params={"default": ""}, content=FIRST, headers=NT | AUTH)
    assert put.status_code == 204
    assert isomorphic(default_graph(client), Graph().parse(data=FIRST, format="nt"))

    post = client.post("/store", params={"default": ""}, content=SECOND, headers=NT | AUTH)
    assert post.status_code == 204
    assert isomorphic(default_graph(client), Graph().parse(data=FIRST + SECOND, format="nt"))

    again = client.put("/store", params={"default": ""}, content=SECOND, headers=NT | AUTH)
    assert again.status_code == 204
    assert isomorphic(default_graph(client), Graph().parse(data=SECOND, format="nt"))

    assert client.delete("/store", params={"default": ""}, headers=AUTH).status_code == 204
    assert len(store.read_graph(None)) == 0
    assert len(store.read_graph(NAMED)) == 1, "a named graph changed with the default graph"
