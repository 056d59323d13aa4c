"""Every graph the service lists dereferences: its name is an IRI like any other.

The service description names each graph (``sd:name``), as do VoID and ``krb graphs``;
a linked-data client follows those names. Each answers on its own path (/graph/... for
the registry's graphs, /def/... for the product's) and through /resource, as a page and
as RDF: the model documents with all their triples, every other graph with a
description of itself (kind, size, where its triples are), never its whole content.
These are properties over the graphs the store really lists, not over a fixed list.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID, XSD
from store_reads import graphs_read
from test_pages_fixtures import BASE, build_registry

from krbgraph.model import AUDIT_GRAPH
from krbgraph.namespaces import ONTOLOGY_IRI
from krbgraph.web.describe import MODEL_DOCUMENTS, local_href

SD = "http://www.w3.org/ns/sparql-service-description#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DOCUMENT_PATHS = {"/def/krb", *MODEL_DOCUMENTS}
"""Paths whose RDF is the whole graph: the model's documents."""


def listed_graphs(client: TestClient) -> list[str]:
    """The graph names the service description gives, checked against the store's list."""
    answer = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200
    described = Graph().parse(data=answer.text, format="nt")
    names = sorted(str(name) for name in described.objects(None, URIRef(SD + "name")))
    assert names == [info.iri for info in client.app.state.store.graphs()]
    return names


def triples_held(client: TestClient, iri: str) -> int:
    return next(info.triples for info in client.app.state.store.graphs() if info.iri == iri)


def check_dereferences(client: TestClient, iri: str) -> None:
    """``iri`` answers on its own path and through /resource, as RDF and as a page."""
    path = local_href(iri, BASE)
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200, (iri, path, turtle.text[:200])
    assert turtle.headers["content-type"].startswith("text/turtle")
    rdf = Graph().parse(data=turtle.text, format="turtle")
    assert len(rdf) > 0
    page = client.get(path, headers={"Accept": BROWSER})
    assert page.status_code == 200, (iri, path)
    assert page.headers["content-type"].startswith("text/html")
    assert iri in page.text
    if urlsplit(path).path not in DOCUMENT_PATHS:
        check_description(client, iri, rdf)
    if urlsplit(path).path != "/def/krb":  # the ontology's own page lists its terms
        assert "<h2>Graaf</h2>" in page.text and "/store?graph=" in page.text, iri
    # Through /resource: the same answer, from the graph's own path where it has one.
    for accept, answer in (("text/turtle", turtle), (BROWSER, page)):
        resource = client.get("/resource", params={"iri": iri}, headers={"Accept": accept})
        assert resource.status_code == 200, (iri, accept)
        assert resource.url.raw_path.decode() == path, iri
        assert resource.headers["content-type"] == answer.headers["content-type"]


def check_description(client: TestClient, iri: str, rdf: Graph) -> None:
    """A graph's description: what the graph is, its size, where its triples are."""
    node = URIRef(iri)
    assert (node, RDF.type, URIRef(SD + "Graph")) in rdf
    assert (node, RDF.type, VOID.Dataset) in rdf
    held = triples_held(client, iri)
    assert rdf.value(node, VOID.triples) == Literal(held, datatype=XSD.integer)
    assert rdf.value(node, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    dump = rdf.value(node, VOID.dataDump)
    assert isinstance(dump, URIRef) and str(dump).startswith("http://testserver/store?graph=")
    contents = client.get(str(dump), headers={"Accept": "application/n-triples"})
    assert contents.status_code == 200
    assert len(Graph().parse(data=contents.text, format="nt")) == held
    # A description, never the contents: only what the store says about the name itself.
    assert set(rdf.subjects()) == {node}, iri


def test_every_graph_the_service_lists_dereferences(client) -> None:
    graphs = listed_graphs(client)
    assert len(graphs) >= 15  # the model's graphs and the demo's fourteen
    assert f"{BASE}/graph/geluid" in graphs and ONTOLOGY_IRI in graphs
    for iri in graphs:
        check_dereferences(client, iri)


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/def/krb/afgeleid", "Afgeleide feiten"),
        ("/def/krb/meta", "Herkomst van het model"),
        ("/graph/geluid", "geluid"),
    ],
)
def test_a_graph_page_says_what_the_graph_is(client, path: str, title: str) -> None:
    page = client.get(path).text
    assert f"<h1>{title}</h1>" in page
    graaf = page.split("<h2>Graaf</h2>", 1)[1].split("</section>", 1)[0]
    assert "Omvang" in graaf and "triples" in graaf and 'href="/store?graph=' in graaf
    english = client.get(path, headers={"Accept": "text/turtle", "Accept-Language": "en"})
    assert "@en" in english.text


def test_a_graph_is_described_without_reading_it_whole(client) -> None:
    """The derived graph of a large registry holds 400,000 triples: its description is
    counted by the engine, never read into memory."""
    with graphs_read(client.app.state.store) as reads:
        for path in ("/def/krb/afgeleid", "/graph/geluid"):
            for accept in ("text/turtle", BROWSER):
                assert client.get(path, headers={"Accept": accept}).status_code == 200
    assert reads == []


def test_slash_iris_under_the_ontology_still_end_in_terms_or_404(client) -> None:
    assert client.get("/def/krb/GeenTerm", follow_redirects=False).status_code == 404
    missing = client.get("/def/krb/GeenTerm", headers={"Accept": "text/turtle"})
    assert missing.status_code == 404
    term = client.get("/def/krb/Beleidsnorm", follow_redirects=False)
    assert term.headers["location"] == "/def/krb#Beleidsnorm"
    assert client.get("/graph/bestaat-niet").status_code == 404
    assert client.get("/graph/bestaat-niet", headers={"Accept": "text/turtle"}).status_code == 404


AUDIT_RECORD = f"""
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<urn:uuid:00000000-0000-4000-8000-000000000001> a prov:Activity, krb:Wijziging ;
    krb:wijzigdeGraaf <{BASE}/graph/geluid> .
"""
ESCAPED = f"{BASE}/graph/caf%C3%A9plein"
NOTE = '<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .'
SPOOF = f'<{ONTOLOGY_IRI}/Geluidsnorm> <http://www.w3.org/2000/01/rdf-schema#label> "officieel" .'


@pytest.fixture(scope="module")
def more_graphs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The demo with graphs of other kinds: the audit trail, a graph named outside the
    registry's base, one nested under another, and names with characters beyond ASCII."""
    registry = build_registry(
        Path(tmp_path_factory.mktemp("graphs")),
        {
            AUDIT_GRAPH: AUDIT_RECORD,
            "https://example.org/elders/graaf": NOTE,
            f"{BASE}/graph/geluid/metingen": NOTE,
            f"{BASE}/graph/straße": NOTE,
            ESCAPED: NOTE,
            f"{BASE}/graph/nep": SPOOF,
            f"{BASE}/id/dataset/metingen-2024": NOTE,  # a graph where things live
        },
    )
    with TestClient(registry.app) as client:
        yield client
    registry.store.close()


def test_graphs_of_every_kind_dereference(more_graphs: TestClient) -> None:
    graphs = listed_graphs(more_graphs)
    assert AUDIT_GRAPH in graphs and f"{BASE}/graph/straße" in graphs
    for iri in graphs:
        if iri != ESCAPED:  # the test client decodes a path twice: below
            check_dereferences(more_graphs, iri)
    # The audit records that changed a graph are the links to it.
    page = more_graphs.get("/graph/geluid").text
    assert "urn:uuid:00000000-0000-4000-8000-000000000001" in page.split("Verwijzingen", 1)[1]


def test_a_graph_name_with_escapes_answers_as_a_client_sends_it(more_graphs) -> None:
    """An RDF client keeps the escapes of the name it dereferences (RFC 3987): the
    graph .../caf%C3%A9plein, not .../caféplein (krbgraph.web.describe.requested_iri)."""
    answer = more_graphs.get("/graph/caf%C3%A9plein", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    rdf = Graph().parse(data=answer.text, format="turtle")
    assert rdf.value(URIRef(ESCAPED), VOID.triples) == Literal(1, datatype=XSD.integer)


def test_registry_data_publishes_no_page_under_the_ontologys_path(more_graphs) -> None:
    """Any registry may describe any IRI: one under /def/krb/ described by a data graph
    would be served there as if the product said it ('Geluidsnorm (officiële KRB-term)')."""
    for accept in ("text/turtle", BROWSER):
        answer = more_graphs.get("/def/krb/Geluidsnorm", headers={"Accept": accept})
        assert answer.status_code == 404
    assert local_href(f"{ONTOLOGY_IRI}/Geluidsnorm", BASE).startswith("/resource?")
    assert more_graphs.get("/def/krb/afgeleid").status_code == 200
