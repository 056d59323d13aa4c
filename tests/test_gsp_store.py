"""The Graph Store Protocol at /store over real HTTP, on a store with the model and the demo.

Graphs written are read back in every RDF format and compared as graphs;
refused writes are checked to leave every quad of the store as it was.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from test_sparql_support import AUTH, BASE, TIMEOUT, demo_store, served, snapshot

from krbgraph.audit import history
from krbgraph.rdfio import MAX_GRAPH_IRI
from krbgraph.settings import Settings
from krbgraph.store import Store

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

TURTLE = {"Content-Type": "text/turtle; charset=utf-8"}
PEOPLE = """
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://example.org/p/1> a foaf:Person ; foaf:name "Jan Jansen"@nl ;
    foaf:knows [ a foaf:Person ; foaf:name "Piet" ] .
"""
OTHER = '<http://example.org/p/2> <http://xmlns.com/foaf/0.1/name> "Marie" .'
INVALID_NORM = f"""
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}/id/beleidsnorm/X-N01> a krb:Beleidsnorm ; rdfs:label "Norm zonder indicator"@nl .
"""


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[httpx.Client, Store, Settings]]:
    store, settings = demo_store(tmp_path_factory.mktemp("gsp"))
    with served(store, settings) as url, httpx.Client(base_url=url, timeout=TIMEOUT) as client:
        yield client, store, settings
    store.close()


def graph_param(iri: str) -> dict[str, str]:
    return {"graph": iri}


@pytest.mark.parametrize(
    "accept,fmt",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_gsp_put_then_get_in_every_format(
    demo: tuple[httpx.Client, Store, Settings], accept: str, fmt: str
) -> None:
    client, _, _ = demo
    iri = f"http://example.org/graphs/people-{fmt}"
    created = client.put("/store", params=graph_param(iri), content=PEOPLE, headers=TURTLE | AUTH)
    assert created.status_code == 201, created.text
    response = client.get("/store", params=graph_param(iri), headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    got = Graph().parse(data=response.content, format=fmt)
    assert isomorphic(got, Graph().parse(data=PEOPLE, format="turtle"))


def test_gsp_put_replaces_and_post_adds(demo: tuple[httpx.Client, Store, Settings]) -> None:
    client, store, _ = demo
    iri = "http://example.org/graphs/replace"
    assert (
        client.put(
            "/store", params=graph_param(iri), content=PEOPLE, headers=TURTLE | AUTH
        ).status_code
        == 201
    )
    replaced = client.put("/store", params=graph_param(iri), content=OTHER, headers=TURTLE | AUTH)
    assert replaced.status_code == 204
    assert isomorphic(store.read_graph(iri), Graph().parse(data=OTHER, format="turtle"))
    added = client.post("/store", params=graph_param(iri), content=PEOPLE, headers=TURTLE | AUTH)
    assert added.status_code == 204
    expected = Graph().parse(data=OTHER, format="turtle").parse(data=PEOPLE, format="turtle")
    assert isomorphic(store.read_graph(iri), expected)


def test_gsp_head_matches_get_without_body(demo: tuple[httpx.Client, Store, Settings]) -> None:
    client, _, _ = demo
    iri = f"{BASE}/graph/geluid"
    get = client.get("/store", params=graph_param(iri))
    head = client.head("/store", params=graph_param(iri))
    assert head.status_code == 200
    assert head.content == b""
    assert (
        head.headers["content-type"] == get.headers["content-type"] == "text/turtle; charset=utf-8"
    )
    # The GET's own header (compressed when the client takes gzip, as httpx does).
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers.get("content-encoding") == get.headers.get("content-encoding")
    none = graph_param("http://example.org/graphs/none")
    missing = client.head("/store", params=none)
    assert missing.status_code == 404
    assert missing.content == b""
    # The header fields a GET would have (RFC 9110, 9.3.2), its length too.
    assert missing.headers["content-length"] == str(len(client.get("/store", params=none).content))


def test_gsp_delete_and_unknown_graphs(demo: tuple[httpx.Client, Store, Settings]) -> None:
    client, store, _ = demo
    iri = "http://example.org/graphs/to-delete"
    client.put("/store", params=graph_param(iri), content=OTHER, headers=TURTLE | AUTH)
    assert client.delete("/store", params=graph_param(iri), headers=AUTH).status_code == 204
    assert iri not in {info.iri for info in store.graphs()}
    assert client.get("/store", params=graph_param(iri)).status_code == 404
    again = client.delete("/store", params=graph_param(iri), headers=AUTH)
    assert again.status_code == 404
    assert iri in again.json()["detail"]


def test_gsp_conditional_writes_guard_against_lost_updates(
    demo: tuple[httpx.Client, Store, Settings], tmp_path: Path
) -> None:
    """RFC 9110 13.1: If-Match and If-None-Match are evaluated, and a false one stops the
    method with 412. The store sends no entity tags, so only `*` can hold."""
    client, store, _ = demo
    iri = "http://example.org/graphs/conditional"
    at = graph_param(iri)
    create_only = TURTLE | AUTH | {"If-None-Match": "*"}
    assert client.put("/store", params=at, content=PEOPLE, headers=create_only).status_code == 201
    before = snapshot(store, tmp_path)
    refused = [
        client.put("/store", params=at, content=OTHER, headers=create_only),
        client.post("/store", params=at, content=OTHER, headers=create_only),
        client.put(
            "/store", params=at, content=OTHER, headers=TURTLE | AUTH | {"If-Match": '"v1"'}
        ),
        client.delete("/store", params=at, headers=AUTH | {"If-Match": '"v1", "v2"'}),
        client.delete("/store", params=at, headers=AUTH | {"If-None-Match": "*"}),
        # The condition is evaluated before the body (RFC 9110 13.2.1): not a 400.
        client.put("/store", params=at, content=b"<not turtle", headers=create_only),
    ]
    assert [r.status_code for r in refused] == [412] * 6, [r.text for r in refused]
    # A write refused anyway is 403 with or without a condition (RFC 9110 13.2.1).
    model = graph_param("https://data.krb.nl/def/krb")
    assert (
        client.put("/store", params=model, content=PEOPLE, headers=create_only).status_code == 403
    )
    assert "If-None-Match" in refused[0].json()["detail"]
    assert snapshot(store, tmp_path) == before
    # `*` holds while the graph exists; a listed tag of If-None-Match never matches.
    exists = TURTLE | AUTH | {"If-Match": "*"}
    assert client.put("/store", params=at, content=OTHER, headers=exists).status_code == 204
    unseen = AUTH | {"If-None-Match": '"v1"'}
    assert client.delete("/store", params=at, headers=unseen).status_code == 204
    gone = client.put("/store", params=at, content=OTHER, headers=exists)
    assert gone.status_code == 412 and iri not in {info.iri for info in store.graphs()}
    # Reads: a false If-None-Match is "not modified", a false If-Match 412.
    demo_graph = graph_param(f"{BASE}/graph/geluid")
    assert (
        client.get("/store", params=demo_graph, headers={"If-None-Match": "*"}).status_code == 304
    )
    assert client.get("/store", params=at, headers={"If-Match": "*"}).status_code == 412
    assert client.get("/store", params=demo_graph, headers={"If-Match": "*"}).status_code == 200


def test_a_client_hanging_up_mid_body_writes_nothing_and_logs_no_application_error(
    demo: tuple[httpx.Client, Store, Settings], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client, store, _ = demo
    before = snapshot(store, tmp_path)
    url = httpx.URL(str(client.base_url))
    with caplog.at_level(logging.INFO):
        for _ in range(2):
            with socket.create_connection((url.host, url.port)) as raw:
                raw.sendall(
                    b"PUT /store?graph=urn:x:cut HTTP/1.1\r\nHost: x\r\n"
                    + b"".join(f"{k}: {v}\r\n".encode() for k, v in (AUTH | TURTLE).items())
                    + b"Content-Length: 1000\r\n\r\n<urn:a> <urn:b> "
                )
        assert client.get("/store", params=graph_param("urn:x:cut")).status_code == 404
    assert snapshot(store, tmp_path) == before
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "hung up before its body arrived" in text
    assert "Exception in ASGI application" not in text


def test_gsp_post_to_the_store_creates_a_graph(demo: tuple[httpx.Client, Store, Settings]) -> None:
    client, store, _ = demo
    response = client.post("/store", content=OTHER, headers=TURTLE | AUTH)
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.startswith(f"{BASE}/graph/")
    assert isomorphic(store.read_graph(location), Graph().parse(data=OTHER, format="turtle"))
    fetched = client.get("/store", params=graph_param(location))
    assert fetched.status_code == 200


def test_gsp_multipart_post_merges_every_part(demo: tuple[httpx.Client, Store, Settings]) -> None:
    client, store, _ = demo
    iri = "http://example.org/graphs/multipart"
    files = [
        ("people", ("people.ttl", PEOPLE.encode(), "text/turtle")),
        ("other", ("other.nt", OTHER.encode(), "application/n-triples")),
        ("by-name", ("more.ttl", b'<http://example.org/p/3> <http://example.org/q> "3" .', "")),
    ]
    response = client.post("/store", params=graph_param(iri), files=files, headers=AUTH)
    assert response.status_code == 201, response.text
    stored = store.read_graph(iri)
    assert (URIRef("http://example.org/p/2"), None, Literal("Marie")) in stored
    assert (URIRef("http://example.org/p/3"), None, Literal("3")) in stored
    assert len(stored) == len(Graph().parse(data=PEOPLE, format="turtle")) + 2


def test_gsp_direct_identification(demo: tuple[httpx.Client, Store, Settings]) -> None:
    client, store, _ = demo
    created = client.put("/store/people/1.ttl", content=PEOPLE, headers=TURTLE | AUTH)
    assert created.status_code == 201
    iri = f"{client.base_url}/store/people/1.ttl".replace("//store", "/store")
    assert len(store.read_graph(iri)) == len(Graph().parse(data=PEOPLE, format="turtle"))
    assert client.get("/store", params=graph_param(iri)).status_code == 200


def test_gsp_direct_identification_keeps_the_url_as_sent(
    demo: tuple[httpx.Client, Store, Settings],
) -> None:
    """The path was decoded first: a PUT to /store/x%2Fy replaced the graph /store/x/y and
    a DELETE of it deleted that one; /store/a%20b could not be created at all."""
    client, store, _ = demo
    root = str(client.base_url).rstrip("/")
    assert client.put("/store/x/y", content=PEOPLE, headers=TURTLE | AUTH).status_code == 201
    assert client.put("/store/x%2Fy", content=OTHER, headers=TURTLE | AUTH).status_code == 201
    assert client.put("/store/a%20b", content=OTHER, headers=TURTLE | AUTH).status_code == 201
    # An escaped character outside ASCII is that character (RFC 3987): one IRI, one graph.
    assert client.put("/store/caf%C3%A9", content=OTHER, headers=TURTLE | AUTH).status_code == 201
    graphs = {info.iri for info in store.graphs()}
    assert {f"{root}/store/x/y", f"{root}/store/x%2Fy", f"{root}/store/a%20b"} <= graphs
    assert f"{root}/store/café" in graphs
    assert len(store.read_graph(f"{root}/store/x/y")) == len(
        Graph().parse(data=PEOPLE, format="turtle")
    )
    assert client.delete("/store/x%2Fy", headers=AUTH).status_code == 204
    assert client.get("/store/x/y").status_code == 200
    # Escaped unreserved characters are those characters (RFC 3986, 6.2.2.2).
    assert client.get("/store/%78/%79").status_code == 200
    assert client.put("/store/x%2fy", content=OTHER, headers=TURTLE | AUTH).status_code == 201
    assert client.get("/store/x%2Fy").status_code == 200  # %2f and %2F: one graph
    assert client.delete("/store/x%2Fy", headers=AUTH).status_code == 204
    for path in ("/store/x/y", "/store/a%20b", "/store/caf%C3%A9"):
        assert client.delete(path, headers=AUTH).status_code == 204
        assert client.get(path).status_code == 404


def test_gsp_a_compressed_body_is_refused_and_nothing_written(
    demo: tuple[httpx.Client, Store, Settings],
) -> None:
    """The gzip bytes were parsed as Turtle: a 400 about a prefix name."""
    import gzip

    client, store, _ = demo
    iri = f"{BASE}/graph/gezipt"
    answer = client.put(
        "/store",
        params=graph_param(iri),
        content=gzip.compress(PEOPLE.encode()),
        headers=TURTLE | AUTH | {"Content-Encoding": "gzip"},
    )
    assert answer.status_code == 415
    assert "gzip" in answer.json()["detail"]
    assert iri not in {info.iri for info in store.graphs()}


def test_gsp_default_graph(demo: tuple[httpx.Client, Store, Settings]) -> None:
    client, store, _ = demo
    put = client.put("/store", params={"default": ""}, content=OTHER, headers=TURTLE | AUTH)
    assert put.status_code == 204
    got = client.get("/store", params={"default": ""}, headers={"Accept": "application/n-triples"})
    assert isomorphic(
        Graph().parse(data=got.content, format="nt"), Graph().parse(data=OTHER, format="nt")
    )
    assert client.delete("/store", params={"default": ""}, headers=AUTH).status_code == 204
    assert len(store.read_graph(None)) == 0
    # Emptying it again changes nothing: no audit record (one named no graph, +0/-0).
    records = len(history(store, limit=1000))
    assert client.delete("/store", params={"default": ""}, headers=AUTH).status_code == 204
    assert len(history(store, limit=1000)) == records


def test_gsp_invalid_registry_data_is_422_and_nothing_changes(
    demo: tuple[httpx.Client, Store, Settings], tmp_path: Path
) -> None:
    client, store, _ = demo
    before = snapshot(store, tmp_path)
    target = f"{BASE}/graph/geluid"
    response = client.put(
        "/store", params=graph_param(target), content=INVALID_NORM, headers=TURTLE | AUTH
    )
    assert response.status_code == 422
    findings = response.json()["findings"]
    assert any(f["focus"] == f"{BASE}/id/beleidsnorm/X-N01" for f in findings)
    as_turtle = client.post(
        "/store",
        params=graph_param("http://example.org/graphs/x"),
        content=INVALID_NORM,
        headers=TURTLE | AUTH | {"Accept": "text/turtle"},
    )
    assert as_turtle.status_code == 422
    assert as_turtle.headers["content-type"].startswith("text/turtle")
    Graph().parse(data=as_turtle.content, format="turtle")
    assert snapshot(store, tmp_path) == before


def test_gsp_deleting_a_graph_others_depend_on_is_refused(
    demo: tuple[httpx.Client, Store, Settings], tmp_path: Path
) -> None:
    client, store, _ = demo
    before = snapshot(store, tmp_path)
    # The areas are referred to by every norm, rule and measure of the demo.
    response = client.delete("/store", params=graph_param(f"{BASE}/graph/gebieden"), headers=AUTH)
    assert response.status_code == 422
    assert snapshot(store, tmp_path) == before


def test_gsp_malformed_body_is_400_with_the_line(
    demo: tuple[httpx.Client, Store, Settings],
) -> None:
    client, _, _ = demo
    body = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n  ex:d ."
    response = client.put(
        "/store",
        params=graph_param("http://example.org/graphs/bad"),
        content=body,
        headers=TURTLE | AUTH,
    )
    assert response.status_code == 400
    assert "line 3" in response.json()["detail"]


@pytest.mark.parametrize("ctype", ["text/turtle", "application/n-triples"])
def test_a_body_with_a_byte_order_mark_is_read_as_krb_load_reads_the_file(
    demo: tuple[httpx.Client, Store, Settings], ctype: str
) -> None:
    """Notepad and PowerShell save UTF-8 with a byte order mark; `krb load` drops it, so
    the same file must not be refused over HTTP for an invisible character."""
    client, store, _ = demo
    graph = "http://example.org/graphs/bom"
    body = b"\xef\xbb\xbf" + OTHER.encode() + b"\n"
    response = client.put(
        "/store", params=graph_param(graph), content=body, headers={"Content-Type": ctype} | AUTH
    )
    assert response.status_code in (201, 204), response.text
    assert [str(t[2]) for t in store.read_graph(graph)] == ["Marie"]


def test_a_term_longer_than_the_parser_reads_is_400_with_its_line(
    demo: tuple[httpx.Client, Store, Settings],
) -> None:
    """A detailed boundary as one WKT literal past pyoxigraph's 16 MiB buffer: the CLI says
    what to do; the Graph Store answered 500."""
    client, _, _ = demo
    wkt = "POLYGON((" + ", ".join(f"{i}.5 {i}.25" for i in range(900_000)) + "))"
    body = OTHER + f'\n<http://example.org/a> <http://example.org/wkt> "{wkt}" .\n'
    graph = "http://example.org/graphs/huge"
    response = client.put(
        "/store",
        params=graph_param(graph),
        content=body.encode(),
        headers={"Content-Type": "application/n-triples"} | AUTH,
    )
    assert response.status_code == 400, response.text[:300]
    detail = response.json()["detail"]
    assert "(line 2)" in detail and "longer than 16 MiB" in detail and "fewer points" in detail
    assert client.get("/store", params=graph_param(graph)).status_code == 404


def test_gsp_refusals(demo: tuple[httpx.Client, Store, Settings], tmp_path: Path) -> None:
    client, store, settings = demo
    before = snapshot(store, tmp_path)
    iri = graph_param("http://example.org/graphs/refused")
    assert client.put("/store", params=iri, content=OTHER, headers=TURTLE).status_code == 401
    model = client.put(
        "/store",
        params=graph_param("https://data.krb.nl/def/krb"),
        content=OTHER,
        headers=TURTLE | AUTH,
    )
    assert model.status_code == 403
    unknown_type = client.put(
        "/store", params=iri, content=OTHER, headers={"Content-Type": "text/csv"} | AUTH
    )
    assert unknown_type.status_code == 415
    both = client.get("/store", params={"graph": "http://example.org/g", "default": ""})
    assert both.status_code == 400
    not_acceptable = client.get(
        "/store", params=graph_param(f"{BASE}/graph/geluid"), headers={"Accept": "text/csv"}
    )
    assert not_acceptable.status_code == 406
    with served(store, replace(settings, token=None)) as url:
        read_only = httpx.put(
            f"{url}/store", params=iri, content=OTHER, headers=TURTLE | AUTH, timeout=TIMEOUT
        )
        assert read_only.status_code == 403
    assert snapshot(store, tmp_path) == before


def test_a_graph_iri_past_the_limit_is_refused_and_one_within_it_reads_back(
    demo: tuple[httpx.Client, Store, Settings],
) -> None:
    """A 20,000-character graph IRI was written and then every read of it was a 500 on
    the supervised engine (its query string passed `oxigraph serve`'s 8 KB of headers)."""
    client, store, _ = demo
    longest = "http://example.org/g/" + "a" * (MAX_GRAPH_IRI - 21)
    too_long = longest + "a"
    created = client.put(
        "/store", params=graph_param(longest), content=PEOPLE, headers=TURTLE | AUTH
    )
    assert created.status_code == 201, created.text
    assert client.get("/store", params=graph_param(longest)).status_code == 200
    before = {info.iri for info in store.graphs()}
    for method in ("PUT", "POST", "GET", "DELETE"):
        answer = client.request(
            method, "/store", params=graph_param(too_long), content=PEOPLE, headers=TURTLE | AUTH
        )
        assert answer.status_code == 400, (method, answer.text)
        assert "2,000" in answer.json()["detail"]
    # ... and on the other write routes: a SPARQL update, an Excel upload
    triple = '<http://example.org/a> <http://example.org/b> "c"'
    update = f"INSERT DATA {{ GRAPH <{too_long}> {{ {triple} }} }}"
    answer = client.post(
        "/update", content=update, headers={"Content-Type": "application/sparql-update"} | AUTH
    )
    assert answer.status_code == 400 and "2,000" in answer.json()["detail"], answer.text
    upload = client.post(
        "/api/import/excel",
        params={"graph": longest},  # its measurements would go to {graph}/metingen
        files={"file": ("x.xlsx", b"PK", "application/octet-stream")},
        headers=AUTH,
    )
    assert upload.status_code == 400 and "1,991" in upload.json()["detail"]
    assert {info.iri for info in store.graphs()} == before
