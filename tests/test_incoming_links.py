"""A resource page with more links pointing at it than it reads says how many there are.

The page reads at most INCOMING_LIMIT links, as the engine finds them, and shows them by
name: with 5,000 norms on one area it said "3000 (of meer)" and looked like the start of
an A-Z list with every other norm missing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, URIRef
from test_sparql_support import BASE, demo_store

from krbgraph.web.app import create_app
from krbgraph.web.resource_page import INCOMING_LIMIT

KRB = "https://data.krb.nl/def/krb#"
AREA = f"{BASE}/id/werkingsgebied/parkstraat"
EXTRA = INCOMING_LIMIT + 137


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store, config = demo_store(tmp_path_factory.mktemp("incoming"))
    graph = Graph()
    for i in range(EXTRA):
        note = URIRef(f"{BASE}/id/notitie/n{i:05d}")
        graph.add((note, RDF.type, URIRef("https://krb.example.org/def/Notitie")))
        graph.add((note, URIRef(f"{KRB}werkingsgebied"), URIRef(AREA)))
    store.add_to_graph(f"{BASE}/graph/notities", graph)
    with store, TestClient(create_app(config, store=store)) as test_client:
        yield test_client


def test_a_cut_list_of_incoming_links_says_how_many_there_are(client: TestClient) -> None:
    expected = client.app.state.store.query(  # type: ignore[attr-defined]
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p <{AREA}> FILTER isIRI(?s) }}"
    ).rows[0][0]
    assert int(str(expected)) > EXTRA
    page = client.get("/id/werkingsgebied/parkstraat").text
    assert f"100 van {int(str(expected))} verwijzingen getoond" in page
    assert "zoals de store ze vond" in page
    assert "(of meer)" not in page
