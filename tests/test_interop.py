"""What standard clients see: every RDF format of a resource the same triples, text with
a carriage return the same in every format, HEAD on every page, caches told what a
negotiated answer varies by, and browser apps on another origin able to read the
headers they need (rdflib's parsers stand in for the clients)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.plugins.sparql.results.xmlresults import XMLResultParser
from remote_server import running_oxigraph
from test_pages_fixtures import BASE, Registry

from krbgraph.settings import Settings
from krbgraph.store import UnsupportedAnswer, open_store
from krbgraph.web.app import create_app

ORIGIN = "http://app.example.org"


@pytest.fixture(scope="module")
def client(registry: Registry) -> Iterator[TestClient]:
    """The demo service (conftest's registry) allowing browser apps of ORIGIN."""
    settings = replace(registry.settings, cors_origins=(ORIGIN,))
    with TestClient(create_app(settings, store=registry.store)) as test_client:
        yield test_client


def _parsed(client: TestClient, url: str, accept: str, fmt: str) -> Graph:
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200, (url, accept, response.text[:300])
    return Graph().parse(data=response.content, format=fmt)


@pytest.mark.parametrize(
    "path", ["/id/beleidsnorm/GEL-N01", "/id/beoogd-effect/GEL-E01", "/id/beleidsnorm/ENE-N01"]
)
def test_every_rdf_format_of_a_resource_holds_the_same_triples(
    client: TestClient, path: str
) -> None:
    """Turtle wrote "48"^^xsd:decimal as 48.0, another literal than the other formats."""
    reference = _parsed(client, path, "application/n-triples", "nt")
    assert len(reference) > 3
    for accept, fmt in [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ]:
        assert isomorphic(_parsed(client, path, accept, fmt), reference), accept


def test_a_decimal_beside_a_nan_double_is_turtle_too(client: TestClient) -> None:
    """rdflib's Turtle writer died sorting them: a 500 for the default CONSTRUCT format."""
    nan = '"NaN"^^<http://www.w3.org/2001/XMLSchema#double>'
    query = f"CONSTRUCT {{ <urn:x> <urn:p> ?o }} WHERE {{ VALUES ?o {{ 1.5 {nan} }} }}"
    answers = {
        fmt: client.get("/sparql", params={"query": query}, headers={"Accept": accept})
        for fmt, accept in [("turtle", "text/turtle"), ("nt", "application/n-triples")]
    }
    assert {fmt: r.status_code for fmt, r in answers.items()} == {"turtle": 200, "nt": 200}
    graphs = {fmt: Graph().parse(data=r.content, format=fmt) for fmt, r in answers.items()}
    assert len(graphs["nt"]) == 2 and isomorphic(graphs["turtle"], graphs["nt"])


def test_a_carriage_return_survives_the_xml_formats(client: TestClient) -> None:
    """Written raw, an XML parser reads a CR as a line feed: Windows text changed."""
    text = "regel 1\r\nregel 2"
    select = 'SELECT ?t WHERE { VALUES ?t { "regel 1\\r\\nregel 2" } }'
    xml = client.get(
        "/sparql", params={"query": select}, headers={"Accept": "application/sparql-results+xml"}
    )
    result = XMLResultParser().parse(io.BytesIO(xml.content))
    assert [str(row[0]) for row in result] == [text]
    construct = 'CONSTRUCT { <urn:x> <urn:p> "regel 1\\r\\nregel 2" } WHERE {}'
    rdf = client.get(
        "/sparql", params={"query": construct}, headers={"Accept": "application/rdf+xml"}
    )
    assert [str(o) for o in Graph().parse(data=rdf.content, format="xml").objects()] == [text]


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/id/beleidsnorm/GEL-N01", "text/html"),
        ("/id/beleidsnorm/GEL-N01", "*/*"),
        ("/id/beleidsnorm/GEL-N01", "image/png"),  # 406
        ("/def/krb", "text/html"),
        ("/sparql?query=ASK%7B%7D", "image/png"),  # 406
    ],
)
def test_a_negotiated_answer_says_it_varies_by_accept(
    client: TestClient, path: str, accept: str
) -> None:
    """The HTML page and the 406 lacked Vary: Accept: a shared cache could hand the page
    to the next client asking for Turtle."""
    response = client.get(path, headers={"Accept": accept})
    vary = {part.strip().lower() for part in response.headers.get("vary", "").split(",")}
    assert "accept" in vary, (response.status_code, response.headers.get("vary"))


@pytest.mark.parametrize(
    "path", ["/", "/sparql", "/api/queries", "/api/queries/normen?format=csv", "/monitoring"]
)
def test_head_answers_as_get_without_a_body(client: TestClient, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert (head.status_code, head.content) == (get.status_code, b"")
    assert head.headers["content-type"] == get.headers["content-type"]


def test_a_browser_app_on_another_origin_reads_the_headers_it_needs(client: TestClient) -> None:
    response = client.get(
        f"{BASE}/id/beleidsnorm/GEL-N01".replace(BASE, ""), headers={"Origin": ORIGIN}
    )
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"location", "www-authenticate", "retry-after", "content-disposition"} <= exposed


def test_a_blank_node_cycle_is_in_every_format(client: TestClient) -> None:
    """rdflib's JSON-LD writer left the nodes of a cycle out: [] for two triples."""
    query = "CONSTRUCT { _:a <urn:p> _:b . _:b <urn:p> _:a . _:c <urn:p> _:c } WHERE {}"
    graphs = {}
    for fmt, accept in [("nt", "application/n-triples"), ("json-ld", "application/ld+json")]:
        answer = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
        graphs[fmt] = Graph().parse(data=answer.content, format=fmt)
    assert len(graphs["nt"]) == 3 and isomorphic(graphs["json-ld"], graphs["nt"])


@pytest.mark.remote
def test_a_term_the_engine_cannot_write_back_is_the_query_authors_error(
    tmp_path: Path,
) -> None:
    """A real SPARQL server's answer with "abc"^^rdf:langString (no language), which no
    RDF format can carry back: a StoreError, the service's 500; now the query's 422."""
    query = (
        "CONSTRUCT { <urn:s> <urn:p> ?o } WHERE { BIND (STRDT('abc', "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>) AS ?o) }"
    )
    with (
        running_oxigraph(tmp_path) as url,
        open_store(Settings(store=url)) as store,
        pytest.raises(UnsupportedAnswer, match="cannot be read back"),
    ):
        store.query(query)


@pytest.mark.parametrize("path", ["/id/beleidsnorm/GEL-N01", "/def/krb", "/sparql?query=ASK%7B%7D"])
def test_a_malformed_accept_header_is_400_everywhere(client: TestClient, path: str) -> None:
    """A linked-data page said 406 (nothing acceptable) where /sparql says 400 (wrong)."""
    answer = client.get(path, headers={"Accept": "text/html;q=abc"})
    assert answer.status_code == 400, answer.text
    assert "q=abc" in answer.text or "Accept" in answer.text
